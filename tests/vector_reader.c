/* Reads the recorded sessions in tests/vectors (see tests/vector_reader.h). */
#include "tests/vector_reader.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"

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
