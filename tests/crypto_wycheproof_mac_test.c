/* Wycheproof HMAC-SHA-256/384 and HKDF-SHA-256/384 vectors: every vector in
 * each file is run. HMAC groups with truncated tags compare the prefix. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/crypto_wycheproof.h"

static void run_hmac(const char *name, enum petrel_hash_alg alg, size_t expect_total)
{
	size_t total, run = 0, rejected = 0;
	struct crypto_json *root = wp_load(name, &total);
	const struct crypto_json *groups = crypto_json_get(root, "testGroups");

	for (size_t g = 0; g < crypto_json_len(groups); g++) {
		const struct crypto_json *group = crypto_json_at(groups, g);
		const struct crypto_json *tests = crypto_json_get(group, "tests");
		size_t tag_bytes = (size_t)crypto_json_int(group, "tagSize") / 8;

		cr_assert(tag_bytes > 0 && tag_bytes <= petrel_hash_len(alg));
		for (size_t t = 0; t < crypto_json_len(tests); t++) {
			const struct crypto_json *test = crypto_json_at(tests, t);
			size_t key_len, msg_len, tag_len;
			uint8_t *key = wp_hex(test, "key", &key_len);
			uint8_t *msg = wp_hex(test, "msg", &msg_len);
			uint8_t *tag = wp_hex(test, "tag", &tag_len);
			uint8_t mac[PETREL_MAX_HASH_LEN];
			int match;

			petrel_hmac(alg, key, key_len, msg, msg_len, mac);
			match = tag_len == tag_bytes && petrel_ct_equal(mac, tag, tag_len);
			switch (wp_result(test)) {
			case WP_VALID:
				cr_assert(match, "%s tcId %ld", name, wp_tcid(test));
				break;
			case WP_INVALID:
				cr_assert(!match, "%s tcId %ld accepted", name, wp_tcid(test));
				rejected++;
				break;
			case WP_ACCEPTABLE:
				break;
			}
			run++;
			free(key);
			free(msg);
			free(tag);
		}
	}
	cr_assert_eq(total, expect_total);
	cr_assert_eq(run, total);
	cr_assert_gt(rejected, 0);
	crypto_json_free(root);
}

static void run_hkdf(const char *name, enum petrel_hash_alg alg, size_t expect_total)
{
	size_t total, run = 0, rejected = 0;
	struct crypto_json *root = wp_load(name, &total);
	const struct crypto_json *groups = crypto_json_get(root, "testGroups");

	for (size_t g = 0; g < crypto_json_len(groups); g++) {
		const struct crypto_json *tests = crypto_json_get(crypto_json_at(groups, g), "tests");
		for (size_t t = 0; t < crypto_json_len(tests); t++) {
			const struct crypto_json *test = crypto_json_at(tests, t);
			size_t ikm_len, salt_len, info_len, okm_len;
			uint8_t *ikm = wp_hex(test, "ikm", &ikm_len);
			uint8_t *salt = wp_hex(test, "salt", &salt_len);
			uint8_t *info = wp_hex(test, "info", &info_len);
			uint8_t *okm = wp_hex(test, "okm", &okm_len);
			long size = crypto_json_int(test, "size");
			uint8_t prk[PETREL_MAX_HASH_LEN];
			uint8_t *out;
			int rc;

			cr_assert_geq(size, 0);
			out = malloc((size_t)size + 1);
			cr_assert_not_null(out);
			/* An empty salt is an empty HMAC key, which HMAC pads to
			 * the same block as HashLen zeros (RFC 5869 2.2). */
			petrel_hkdf_extract(alg, salt, salt_len, ikm, ikm_len, prk);
			rc = petrel_hkdf_expand(alg, prk, petrel_hash_len(alg), info, info_len, out,
						(size_t)size);
			switch (wp_result(test)) {
			case WP_VALID:
				cr_assert_eq(rc, 0, "%s tcId %ld", name, wp_tcid(test));
				cr_assert_eq(okm_len, (size_t)size);
				cr_assert_arr_eq(out, okm, okm_len, "%s tcId %ld", name, wp_tcid(test));
				break;
			case WP_INVALID:
				/* the only invalid HKDF inputs are over-long outputs */
				cr_assert_eq(rc, PETREL_E_INVALID_REQUEST, "%s tcId %ld", name,
					     wp_tcid(test));
				rejected++;
				break;
			case WP_ACCEPTABLE:
				break;
			}
			run++;
			free(out);
			free(ikm);
			free(salt);
			free(info);
			free(okm);
		}
	}
	cr_assert_eq(total, expect_total);
	cr_assert_eq(run, total);
	cr_assert_gt(rejected, 0);
	crypto_json_free(root);
}

Test(crypto_wycheproof, hmac_sha256_all_vectors) { run_hmac("hmac_sha256_test.json", PETREL_HASH_SHA256, 174); }
Test(crypto_wycheproof, hmac_sha384_all_vectors) { run_hmac("hmac_sha384_test.json", PETREL_HASH_SHA384, 174); }
Test(crypto_wycheproof, hkdf_sha256_all_vectors) { run_hkdf("hkdf_sha256_test.json", PETREL_HASH_SHA256, 86); }
Test(crypto_wycheproof, hkdf_sha384_all_vectors) { run_hkdf("hkdf_sha384_test.json", PETREL_HASH_SHA384, 83); }
