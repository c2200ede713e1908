/* Test-only helpers over crypto_json for the Wycheproof vector files. */
#include "tests/crypto_wycheproof.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crypto_testutil.h"

struct crypto_json *wp_load(const char *name, size_t *total)
{
	char path[512];
	struct crypto_json *root;
	const struct crypto_json *groups;
	size_t counted = 0;

	snprintf(path, sizeof path, "%s/wycheproof/%s", PETREL_VECTORS_DIR, name);
	root = crypto_json_parse_file(path);
	cr_assert_not_null(root, "cannot read or parse %s", path);
	groups = crypto_json_get(root, "testGroups");
	cr_assert_not_null(groups, "%s: no testGroups", name);
	for (size_t g = 0; g < crypto_json_len(groups); g++)
		counted += crypto_json_len(crypto_json_get(crypto_json_at(groups, g), "tests"));
	cr_assert_eq((long)counted, crypto_json_int(root, "numberOfTests"),
		     "%s: numberOfTests does not match the tests present", name);
	*total = counted;
	return root;
}

uint8_t *wp_hex(const struct crypto_json *obj, const char *key, size_t *len)
{
	const char *hex = crypto_json_str(obj, key);
	uint8_t *out;
	size_t cap, n;

	cr_assert_not_null(hex, "missing member %s", key);
	cap = strlen(hex) / 2 + 1;
	out = malloc(cap);
	cr_assert_not_null(out);
	n = crypto_test_unhex(hex, out, cap);
	cr_assert_neq(n, (size_t)-1, "bad hex in member %s", key);
	*len = n;
	return out;
}

enum wp_result wp_result(const struct crypto_json *test)
{
	const char *r = crypto_json_str(test, "result");
	cr_assert_not_null(r);
	if (strcmp(r, "valid") == 0)
		return WP_VALID;
	if (strcmp(r, "invalid") == 0)
		return WP_INVALID;
	cr_assert_str_eq(r, "acceptable");
	return WP_ACCEPTABLE;
}

long wp_tcid(const struct crypto_json *test) { return crypto_json_int(test, "tcId"); }

int wp_has_flag(const struct crypto_json *test, const char *flag)
{
	const struct crypto_json *flags = crypto_json_get(test, "flags");
	for (size_t i = 0; i < crypto_json_len(flags); i++) {
		const struct crypto_json *f = crypto_json_at(flags, i);
		if (f->type == CRYPTO_JSON_STRING && strcmp(f->string, flag) == 0)
			return 1;
	}
	return 0;
}
