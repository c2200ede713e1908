/* Wycheproof AEAD vectors through petrel_aead_*: every vector of the subsets
 * TLS uses (12-byte nonces; AES-GCM 128/256 with 16-byte tags; AES-128-CCM
 * with 8- and 16-byte tags; ChaCha20-Poly1305). Counts of run and skipped
 * vectors are asserted so a changed file cannot silently shrink coverage. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/crypto_wycheproof.h"

struct aead_counts {
	size_t total, run, skipped, valid, rejected;
};

/* Which petrel AEAD a group maps to, or 0 to skip the group. */
typedef enum petrel_aead_alg (*group_filter)(const struct crypto_json *group);

static void run_file(const char *name, group_filter filter, struct aead_counts *c)
{
	struct crypto_json *root = wp_load(name, &c->total);
	const struct crypto_json *groups = crypto_json_get(root, "testGroups");
	struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size());
	cr_assert_not_null(ctx);

	for (size_t g = 0; g < crypto_json_len(groups); g++) {
		const struct crypto_json *group = crypto_json_at(groups, g);
		const struct crypto_json *tests = crypto_json_get(group, "tests");
		enum petrel_aead_alg alg = filter(group);

		if (alg == 0) {
			c->skipped += crypto_json_len(tests);
			continue;
		}
		for (size_t t = 0; t < crypto_json_len(tests); t++) {
			const struct crypto_json *test = crypto_json_at(tests, t);
			size_t key_len, iv_len, aad_len, msg_len, ct_len, tag_len;
			uint8_t *key = wp_hex(test, "key", &key_len);
			uint8_t *iv = wp_hex(test, "iv", &iv_len);
			uint8_t *aad = wp_hex(test, "aad", &aad_len);
			uint8_t *msg = wp_hex(test, "msg", &msg_len);
			uint8_t *ct = wp_hex(test, "ct", &ct_len);
			uint8_t *tag = wp_hex(test, "tag", &tag_len);
			enum wp_result want = wp_result(test);
			long id = wp_tcid(test);
			uint8_t *buf = malloc(ct_len + tag_len + msg_len + 16);
			int rc;

			cr_assert_not_null(buf);
			cr_assert_eq(iv_len, PETREL_AEAD_NONCE_LEN, "%s tcId %ld", name, id);
			cr_assert_eq(key_len, petrel_aead_key_len(alg), "%s tcId %ld", name, id);
			cr_assert_eq(petrel_aead_init(ctx, alg, key), 0);

			if (want == WP_VALID) {
				cr_assert_eq(tag_len, petrel_aead_tag_len(alg));
				memcpy(buf, msg, msg_len);
				cr_assert_eq(petrel_aead_seal(ctx, iv, aad, aad_len, buf, msg_len), 0);
				cr_assert_arr_eq(buf, ct, ct_len, "%s tcId %ld: ciphertext", name, id);
				cr_assert_arr_eq(buf + ct_len, tag, tag_len, "%s tcId %ld: tag", name,
						 id);
			}
			memcpy(buf, ct, ct_len);
			memcpy(buf + ct_len, tag, tag_len);
			/* A tag of the wrong size for this suite can only be rejected. */
			rc = petrel_aead_open(ctx, iv, aad, aad_len, buf, ct_len + tag_len);
			if (tag_len != petrel_aead_tag_len(alg))
				cr_assert_neq(rc, 0, "%s tcId %ld", name, id);
			if (want == WP_VALID) {
				cr_assert_eq(rc, 0, "%s tcId %ld: open failed", name, id);
				cr_assert_arr_eq(buf, msg, msg_len, "%s tcId %ld", name, id);
				c->valid++;
			} else if (want == WP_INVALID) {
				cr_assert_eq(rc, PETREL_E_DECRYPTION_FAILED, "%s tcId %ld: accepted", name,
					     id);
				c->rejected++;
			}
			c->run++;
			free(buf);
			free(key);
			free(iv);
			free(aad);
			free(msg);
			free(ct);
			free(tag);
		}
	}
	cr_assert_eq(c->run + c->skipped, c->total);
	free(ctx);
	crypto_json_free(root);
}

static enum petrel_aead_alg gcm_filter(const struct crypto_json *group)
{
	if (crypto_json_int(group, "ivSize") != 96 || crypto_json_int(group, "tagSize") != 128)
		return 0;
	switch (crypto_json_int(group, "keySize")) {
	case 128:
		return PETREL_AEAD_AES128_GCM;
	case 256:
		return PETREL_AEAD_AES256_GCM;
	default:
		return 0; /* AES-192: no TLS suite */
	}
}

static enum petrel_aead_alg ccm_filter(const struct crypto_json *group)
{
	if (crypto_json_int(group, "ivSize") != 96 || crypto_json_int(group, "keySize") != 128)
		return 0;
	switch (crypto_json_int(group, "tagSize")) {
	case 128:
		return PETREL_AEAD_AES128_CCM;
	case 64:
		return PETREL_AEAD_AES128_CCM8;
	default:
		return 0;
	}
}

static enum petrel_aead_alg chacha_filter(const struct crypto_json *group)
{
	return crypto_json_int(group, "ivSize") == 96 ? PETREL_AEAD_CHACHA20_POLY1305 : 0;
}

Test(crypto_wycheproof, aes_gcm_96bit_iv_128_and_256bit_keys)
{
	struct aead_counts c = {0};
	run_file("aes_gcm_test.json", gcm_filter, &c);
	cr_assert_eq(c.total, 316);
	cr_assert_eq(c.run, 67 + 66);
	cr_assert_eq(c.skipped, 183); /* AES-192 and non-96-bit IVs */
	cr_assert_gt(c.rejected, 0);
}

Test(crypto_wycheproof, aes_ccm_96bit_nonce_128bit_key_8_and_16_byte_tags)
{
	struct aead_counts c = {0};
	run_file("aes_ccm_test.json", ccm_filter, &c);
	cr_assert_eq(c.total, 552);
	cr_assert_eq(c.run, 78 + 8);
	cr_assert_eq(c.skipped, 466); /* other key, nonce and tag sizes */
	cr_assert_gt(c.rejected, 0);
}

Test(crypto_wycheproof, chacha20_poly1305_96bit_nonce)
{
	struct aead_counts c = {0};
	run_file("chacha20_poly1305_test.json", chacha_filter, &c);
	cr_assert_eq(c.total, 325);
	cr_assert_eq(c.run, 316);
	cr_assert_eq(c.skipped, 9); /* non-96-bit nonces */
	cr_assert_gt(c.rejected, 0);
}
