/* Reads the recorded sessions in tests/vectors (see tests/vector_reader.h). */
#include "tests/vector_reader.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "petrel/petrel.h"
#include "record/record.h"

long vector_unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strcspn(s, " \t\r\n");
	if (n == 0)
		return 0;
	char *token = strndup(s, n);
	cr_assert_not_null(token);
	size_t len;
	long rc = petrel_hex_decode(token, out, cap, &len) == 0 ? (long)len : -1;
	free(token);
	return rc;
}

size_t vector_load(struct vector_datagram *dg, size_t cap, vector_comment_fn *on_comment,
		   void *ctx, const char *fmt, ...)
{
	char name[256], path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	snprintf(path, sizeof path, "%s/%s", PETREL_VECTORS_DIR, name);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "open %s", path);
	size_t count = 0;
	char *line = NULL;
	size_t line_cap = 0;
	while (getline(&line, &line_cap, f) > 0) {
		if (line[0] == '#') {
			if (on_comment != NULL)
				on_comment(line, ctx);
			continue;
		}
		int dir;
		if (strncmp(line, "c2s ", 4) == 0)
			dir = C2S;
		else if (strncmp(line, "s2c ", 4) == 0)
			dir = S2C;
		else
			continue;
		cr_assert_lt(count, cap, "%s: more than %zu datagrams", path, cap);
		struct vector_datagram *d = &dg[count++];
		d->dir = dir;
		d->data = malloc(strlen(line) / 2 + 1);
		cr_assert_not_null(d->data);
		long n = vector_unhex(line + 4, d->data, strlen(line) / 2 + 1);
		cr_assert_gt(n, 0, "%s: datagram %zu", path, count - 1);
		d->len = (size_t)n;
	}
	free(line);
	fclose(f);
	return count;
}

void vector_unload(struct vector_datagram *dg, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(dg[i].data);
}

bool vector_client_random(const char *line, uint8_t client_random[32], uint8_t master[48])
{
	const char *kl = strstr(line, "CLIENT_RANDOM ");
	if (kl == NULL)
		return false;
	kl += strlen("CLIENT_RANDOM ");
	cr_assert_eq(vector_unhex(kl, client_random, 32), 32);
	cr_assert_eq(vector_unhex(kl + 65, master, 48), 48);
	return true;
}

bool vector_cid(const char *line, uint8_t *c2s, uint8_t *s2c, size_t cap, size_t cid_len[2])
{
	const char *c = strstr(line, "# cid: c2s=");
	if (c == NULL)
		return false;
	long n = vector_unhex(c + strlen("# cid: c2s="), c2s, cap);
	const char *s2c_at = strstr(line, "s2c=");
	cr_assert(n > 0 && s2c_at != NULL, "%s", line);
	cid_len[C2S] = (size_t)n;
	n = vector_unhex(s2c_at + 4, s2c, cap);
	cr_assert_geq(n, 0, "%s", line);
	cid_len[S2C] = (size_t)n;
	return true;
}

struct load12 {
	struct vector_session12 *s;
	bool have_keylog;
};

static void on_comment12(const char *line, void *ctx)
{
	struct load12 *l = ctx;
	struct vector_session12 *s = l->s;
	if (vector_client_random(line, s->client_random, s->master))
		l->have_keylog = true;
	else if (vector_cid(line, s->cid[C2S], s->cid[S2C], sizeof s->cid[0], s->cid_len))
		s->have_cid = true;
}

void vector_load12(const char *path, struct vector_session12 *s)
{
	memset(s, 0, sizeof *s);
	struct load12 l = {.s = s};
	s->count = vector_load(s->dg, VECTOR_MAX_DATAGRAMS12, on_comment12, &l, "%s", path);
	cr_assert(l.have_keylog, "%s: no key log line", path);
}

void vector_server_hello12(const struct vector_session12 *s, uint8_t server_random[32],
			   uint16_t *suite)
{
	for (size_t i = 0; i < s->count; i++) {
		if (s->dg[i].dir != S2C)
			continue;
		struct petrel_reader r;
		petrel_reader_init(&r, s->dg[i].data, s->dg[i].len);
		struct petrel_record_header h;
		const uint8_t *body;
		while (petrel_record_header_read(&r, &h) && petrel_get_bytes(&r, h.length, &body)) {
			if (h.content_type != PETREL_CT_HANDSHAKE || h.epoch != 0)
				continue;
			struct petrel_reader rec;
			petrel_reader_init(&rec, body, h.length);
			struct petrel_hs_header hh;
			const uint8_t *frag;
			while (petrel_hs_header_read(&rec, &hh, &frag) == 0) {
				if (hh.msg_type != PETREL_HS_SERVER_HELLO)
					continue;
				cr_assert_eq(hh.fragment_offset, 0);
				struct petrel_reader sh;
				uint16_t version;
				const uint8_t *sid;
				size_t sid_len;
				petrel_reader_init(&sh, frag, hh.fragment_length);
				cr_assert(petrel_get_u16(&sh, &version) &&
					  petrel_get_copy(&sh, server_random, 32) &&
					  petrel_get_opaque8(&sh, &sid, &sid_len) &&
					  petrel_get_u16(&sh, suite));
				cr_assert_eq(version, PETREL_DTLS12_VERSION);
				return;
			}
		}
	}
	cr_assert_fail("no ServerHello");
}

void vector_keys12(const struct vector_session12 *s, const uint8_t server_random[32],
		   enum petrel_hash_alg prf_hash, enum petrel_aead_alg aead, size_t iv_len,
		   struct petrel_epoch_keys keys[2])
{
	size_t key_len = petrel_aead_key_len(aead);
	uint8_t block[2 * 32 + 2 * 12];
	cr_assert_leq(2 * key_len + 2 * iv_len, sizeof block);
	cr_assert_eq(petrel_tls12_prf(prf_hash, s->master, 48, "key expansion", server_random, 32,
				      s->client_random, 32, block, 2 * key_len + 2 * iv_len),
		     0);
	memset(keys, 0, 2 * sizeof *keys);
	for (int d = 0; d < 2; d++) {
		keys[d].aead = aead;
		memcpy(keys[d].key, block + (size_t)d * key_len, key_len);
		memcpy(keys[d].fixed_iv, block + 2 * key_len + (size_t)d * iv_len, iv_len);
	}
	petrel_wipe(block, sizeof block);
}
