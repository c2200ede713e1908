/* Real RFC 9146 sessions recorded between mbedTLS 3.6 ssl_client2 and
 * ssl_server2 (tests/vectors/cid12, see its README): derive the DTLS 1.2
 * keys from the key log's master secret (RFC 5246 6.3), then open every
 * tls12_cid record with record/cid's record-layer entry point. This checks
 * the header layout, the RFC 9146 5 additional data, the inner plaintext
 * and the nonces (GCM and CCM-8 explicit, ChaCha20 implicit) against
 * another implementation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/record.h"
#include "tests/vector_reader.h"

static void load(const char *name, struct vector_session12 *s)
{
	char path[256];
	snprintf(path, sizeof path, "cid12/%s.txt", name);
	vector_load12(path, s);
	cr_assert(s->have_cid, "%s", name);
}

struct result {
	size_t cid_records[2], plain_protected[2];
	bool finished[2];
	char app[2][32];
	bool close_notify[2];
};

static void replay(const char *name, struct result *res)
{
	static struct vector_session12 s;
	load(name, &s);
	uint8_t server_random[32];
	uint16_t suite;
	vector_server_hello12(&s, server_random, &suite);
	enum petrel_aead_alg aead;
	size_t iv_len = 4;
	switch (suite) {
	case 0xc02b: aead = PETREL_AEAD_AES128_GCM; break;
	case 0xc0a8: aead = PETREL_AEAD_AES128_CCM8; break;
	case 0xccac: aead = PETREL_AEAD_CHACHA20_POLY1305; iv_len = 12; break;
	default: cr_assert_fail("suite %04x", suite); return;
	}
	struct petrel_epoch_keys keys[2];
	vector_keys12(&s, server_random, PETREL_HASH_SHA256, aead, iv_len, keys);
	struct petrel_record_layer rl[2];
	for (int d = 0; d < 2; d++) {
		petrel_rl_init(&rl[d]);
		cr_assert_eq(petrel_rl_set_read_keys(&rl[d], 1, &keys[d]), 0);
	}
	memset(res, 0, sizeof *res);
	for (size_t i = 0; i < s.count; i++) {
		struct vector_datagram *dg = &s.dg[i];
		int dir = dg->dir;
		struct petrel_reader r;
		petrel_reader_init(&r, dg->data, dg->len);
		while (petrel_reader_left(&r) > 0) {
			uint8_t *start = (uint8_t *)(uintptr_t)r.p;
			if (*start != PETREL_CT_TLS12_CID) {
				struct petrel_record_header h;
				const uint8_t *body;
				cr_assert(petrel_record_header_read(&r, &h) &&
					  petrel_get_bytes(&r, h.length, &body));
				/* RFC 9146 3: a direction with a CID never sends
				 * protected records without it. */
				if (h.epoch > 0) {
					cr_assert_eq(s.cid_len[dir], 0, "%s: plain record in a CID direction",
						     name);
					res->plain_protected[dir]++;
				}
				continue;
			}
			struct petrel_cid_header h;
			const uint8_t *body;
			cr_assert(petrel_cid_header_read(&r, s.cid_len[dir], &h) &&
				  petrel_get_bytes(&r, h.length, &body),
				  "%s: datagram %zu", name, i);
			cr_assert_arr_eq(h.cid, s.cid[dir], s.cid_len[dir]);
			struct petrel_record out;
			int rc = petrel_rl_unprotect_cid(&rl[dir], &rl[dir].read[0], &h,
							 start + PETREL_CID_HEADER_LEN(h.cid_len),
							 &out, NULL);
			cr_assert_eq(rc, 1, "%s: datagram %zu did not open", name, i);
			res->cid_records[dir]++;
			switch (out.content_type) {
			case PETREL_CT_HANDSHAKE: {
				/* The first protected handshake message is Finished:
				 * 12-byte DTLS header + 12 bytes verify_data. */
				struct petrel_reader m;
				struct petrel_hs_header hh;
				const uint8_t *frag;
				petrel_reader_init(&m, out.fragment, out.length);
				cr_assert_eq(petrel_hs_header_read(&m, &hh, &frag), 0);
				if (hh.msg_type == PETREL_HS_FINISHED && hh.length == 12)
					res->finished[dir] = true;
				break;
			}
			case PETREL_CT_APPLICATION_DATA: {
				size_t n = out.length < 31 ? out.length : 31;
				memcpy(res->app[dir], out.fragment, n);
				res->app[dir][n] = '\0';
				break;
			}
			case PETREL_CT_ALERT:
				if (out.length == 2 && out.fragment[0] == 1 && out.fragment[1] == 0)
					res->close_notify[dir] = true;
				break;
			default:
				cr_assert_fail("%s: inner type %u", name, out.content_type);
			}
		}
	}
	for (int d = 0; d < 2; d++)
		petrel_rl_clear(&rl[d]);
	vector_unload(s.dg, s.count);
}

static void check_both_ways(const char *name)
{
	struct result res;
	replay(name, &res);
	for (int d = 0; d < 2; d++) {
		cr_assert_geq(res.cid_records[d], 3, "%s dir %d", name, d);
		cr_assert(res.finished[d], "%s: Finished dir %d", name, d);
		cr_assert(res.close_notify[d], "%s: close_notify dir %d", name, d);
	}
	cr_assert(strncmp(res.app[C2S], "GET / HTTP/1.0\r\n", 16) == 0, "%s: %s", name, res.app[C2S]);
	cr_assert(strncmp(res.app[S2C], "HTTP/1.0 200 OK", 15) == 0, "%s: %s", name, res.app[S2C]);
}

Test(record_cid_vectors, mbedtls_aes128gcm_cid_records_open)
{
	check_both_ways("mbedtls-cid-aes128gcm");
}

Test(record_cid_vectors, mbedtls_psk_ccm8_cid_records_open)
{
	check_both_ways("mbedtls-cid-psk-ccm8");
}

Test(record_cid_vectors, mbedtls_chacha20_cid_records_open)
{
	check_both_ways("mbedtls-cid-psk-chacha20");
}

Test(record_cid_vectors, empty_cid_direction_keeps_the_plain_format)
{
	struct result res;
	replay("mbedtls-cid-one-way", &res);
	cr_assert_geq(res.cid_records[C2S], 3);
	cr_assert(res.finished[C2S] && res.close_notify[C2S]);
	cr_assert_eq(res.cid_records[S2C], 0, "the client asked for no CID");
	cr_assert_geq(res.plain_protected[S2C], 3);
}
