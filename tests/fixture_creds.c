#include "tests/fixture_creds.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

const char *fixture_read(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tests/fixtures/x509/%s", PETREL_SRCDIR, name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	static char buf[3][8192];
	static int which;
	char *b = buf[which++ % 3];
	*len = fread(b, 1, sizeof buf[0] - 1, f);
	b[*len] = 0;
	fclose(f);
	return b;
}

petrel_credentials *fixture_rsa_chain_creds(void)
{
	size_t leaf_len, int_len, key_len;
	char chain[16384];
	const char *leaf = fixture_read("rsa-leaf.pem", &leaf_len);
	memcpy(chain, leaf, leaf_len);
	const char *inter = fixture_read("rsa-int.pem", &int_len);
	memcpy(chain + leaf_len, inter, int_len);
	const char *key = fixture_read("rsa-leaf.key", &key_len);
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_key_mem(c, chain, leaf_len + int_len, key, key_len), 0);
	return c;
}
