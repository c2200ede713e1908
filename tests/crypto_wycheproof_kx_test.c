/* Wycheproof key-agreement vectors: X25519 (every vector) and ECDH P-256
 * (every vector whose public key is an SPKI wrapping an uncompressed point,
 * the only form TLS carries; the others are counted as skipped). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/crypto_wycheproof.h"

Test(crypto_wycheproof, x25519_all_vectors)
{
	size_t total, run = 0, valid = 0, acceptable_rejected = 0;
	struct crypto_json *root = wp_load("x25519_test.json", &total);
	const struct crypto_json *groups = crypto_json_get(root, "testGroups");

	for (size_t g = 0; g < crypto_json_len(groups); g++) {
		const struct crypto_json *tests = crypto_json_get(crypto_json_at(groups, g), "tests");
		for (size_t t = 0; t < crypto_json_len(tests); t++) {
			const struct crypto_json *test = crypto_json_at(tests, t);
			size_t pub_len, priv_len, shared_len;
			uint8_t *pub = wp_hex(test, "public", &pub_len);
			uint8_t *priv = wp_hex(test, "private", &priv_len);
			uint8_t *shared = wp_hex(test, "shared", &shared_len);
			uint8_t out[32];
			int rc;

			cr_assert_eq(priv_len, 32);
			rc = petrel_kx_derive(PETREL_GROUP_X25519, priv, pub, pub_len, out);
			switch (wp_result(test)) {
			case WP_VALID:
				cr_assert_eq(rc, 0, "tcId %ld", wp_tcid(test));
				cr_assert_arr_eq(out, shared, 32, "tcId %ld", wp_tcid(test));
				valid++;
				break;
			case WP_INVALID:
				cr_assert_neq(rc, 0, "tcId %ld accepted", wp_tcid(test));
				break;
			case WP_ACCEPTABLE:
				/* e.g. low-order points: we refuse an all-zero secret; any
				 * other outcome must still be the right value. */
				if (rc == 0)
					cr_assert_arr_eq(out, shared, 32, "tcId %ld", wp_tcid(test));
				else
					acceptable_rejected++;
				break;
			}
			run++;
			free(pub);
			free(priv);
			free(shared);
		}
	}
	cr_assert_eq(total, 518);
	cr_assert_eq(run, total);
	cr_assert_eq(valid, 264);
	cr_assert_gt(acceptable_rejected, 0);
	crypto_json_free(root);
}

/* SubjectPublicKeyInfo for id-ecPublicKey / prime256v1 up to the BIT STRING's
 * unused-bits byte (RFC 5480 2): what follows is the SEC1 point. */
static const uint8_t p256_spki_prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
					   0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
					   0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

Test(crypto_wycheproof, ecdh_secp256r1_uncompressed_spki_vectors)
{
	size_t total, run = 0, skipped = 0, valid = 0, rejected = 0;
	struct crypto_json *root = wp_load("ecdh_secp256r1_test.json", &total);
	const struct crypto_json *groups = crypto_json_get(root, "testGroups");

	for (size_t g = 0; g < crypto_json_len(groups); g++) {
		const struct crypto_json *tests = crypto_json_get(crypto_json_at(groups, g), "tests");
		for (size_t t = 0; t < crypto_json_len(tests); t++) {
			const struct crypto_json *test = crypto_json_at(tests, t);
			size_t pub_len, priv_len, shared_len;
			uint8_t *pub = wp_hex(test, "public", &pub_len);
			uint8_t *priv = wp_hex(test, "private", &priv_len);
			uint8_t *shared = wp_hex(test, "shared", &shared_len);
			uint8_t scalar[32] = {0}, out[32];
			const uint8_t *d = priv;
			size_t d_len = priv_len;
			int rc;

			if (pub_len != sizeof p256_spki_prefix + 65 ||
			    memcmp(pub, p256_spki_prefix, sizeof p256_spki_prefix) != 0 ||
			    pub[sizeof p256_spki_prefix] != 0x04) {
				skipped++;
				goto next;
			}
			/* private is a signed big-endian integer of any length */
			while (d_len > 32 && d[0] == 0) {
				d++;
				d_len--;
			}
			cr_assert_leq(d_len, 32, "tcId %ld", wp_tcid(test));
			memcpy(scalar + 32 - d_len, d, d_len);

			rc = petrel_kx_derive(PETREL_GROUP_SECP256R1, scalar,
					      pub + sizeof p256_spki_prefix, 65, out);
			switch (wp_result(test)) {
			case WP_VALID:
				cr_assert_eq(rc, 0, "tcId %ld", wp_tcid(test));
				cr_assert_eq(shared_len, 32);
				cr_assert_arr_eq(out, shared, 32, "tcId %ld", wp_tcid(test));
				valid++;
				break;
			case WP_INVALID:
				cr_assert_eq(rc, PETREL_E_ILLEGAL_PARAMETER, "tcId %ld accepted",
					     wp_tcid(test));
				rejected++;
				break;
			case WP_ACCEPTABLE:
				if (rc == 0)
					cr_assert_arr_eq(out, shared, 32, "tcId %ld", wp_tcid(test));
				break;
			}
			run++;
		next:
			free(pub);
			free(priv);
			free(shared);
		}
	}
	cr_assert_eq(total, 612);
	cr_assert_eq(run, 349);
	cr_assert_eq(skipped, 263); /* compressed points, malformed or foreign SPKI */
	cr_assert_eq(valid, 330);
	cr_assert_eq(rejected, 18);
	crypto_json_free(root);
}
