/* Private keys in every supported container load, and sign data that the
 * matching certificate's public key verifies. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/x509_testutil.h"
#include "x509/x509.h"

static struct petrel_privkey *load_key(const char *name)
{
	size_t len;
	char *text = x509_fixture_text(name, &len);
	struct petrel_privkey *key = NULL;
	cr_assert_eq(petrel_x509_privkey_from_pem(text, len, &key), 0, "%s", name);
	free(text);
	return key;
}

static void sign_and_verify_with_cert(const char *key_name, const char *cert_name,
				      enum petrel_key_type type)
{
	struct petrel_privkey *key = load_key(key_name);
	uint8_t *der;
	struct petrel_x509_cert cert;
	x509_fixture_cert(cert_name, &der, &cert);
	cr_assert_eq(petrel_privkey_type(key), type);
	uint16_t schemes[8];
	size_t n = petrel_privkey_schemes(key, schemes, 8);
	cr_assert_gt(n, 0);
	static const uint8_t msg[] = "petrel x509 key test";
	for (size_t i = 0; i < n; i++) {
		uint8_t sig[PETREL_MAX_SIG_LEN];
		size_t sig_len;
		cr_assert_eq(petrel_sign(key, schemes[i], msg, sizeof(msg), sig, sizeof(sig), &sig_len), 0);
		cr_assert_eq(petrel_verify(schemes[i], &cert.pubkey, msg, sizeof(msg), sig, sig_len), 0,
			     "%s scheme %04x", key_name, schemes[i]);
		sig[sig_len / 2] ^= 1;
		cr_assert_eq(petrel_verify(schemes[i], &cert.pubkey, msg, sizeof(msg), sig, sig_len),
			     PETREL_E_SIGNATURE_INVALID);
	}
	free(der);
	petrel_privkey_free(key);
}

Test(x509_key, pkcs8_p256_signs_for_its_cert)
{
	sign_and_verify_with_cert("ec-leaf.key", "ec-leaf.pem", PETREL_KEY_EC_P256);
}

Test(x509_key, sec1_p256_signs_for_its_cert)
{
	sign_and_verify_with_cert("ec-leaf.sec1.key", "ec-leaf.pem", PETREL_KEY_EC_P256);
}

Test(x509_key, pkcs8_rsa_signs_for_its_cert)
{
	sign_and_verify_with_cert("rsa-leaf.key", "rsa-leaf.pem", PETREL_KEY_RSA);
}

Test(x509_key, pkcs1_rsa_signs_for_its_cert)
{
	sign_and_verify_with_cert("rsa-leaf.pkcs1.key", "rsa-leaf.pem", PETREL_KEY_RSA);
}

Test(x509_key, pkcs8_ed25519_signs_for_its_cert)
{
	sign_and_verify_with_cert("ed-leaf.key", "ed-leaf.pem", PETREL_KEY_ED25519);
}

Test(x509_key, pkcs8_export_round_trips)
{
	static const char *names[] = { "ec-leaf.key", "ed-leaf.key" };
	for (size_t i = 0; i < 2; i++) {
		struct petrel_privkey *key = load_key(names[i]), *again = NULL;
		uint8_t der[256];
		size_t der_len;
		cr_assert_eq(petrel_x509_privkey_to_pkcs8(key, der, sizeof(der), &der_len), 0);
		/* openssl writes the same PKCS#8 DER for these key types. */
		size_t fixture_len;
		uint8_t *fixture = x509_fixture_der(names[i], "PRIVATE KEY", &fixture_len);
		cr_assert_eq(der_len, fixture_len, "%s", names[i]);
		cr_assert_eq(memcmp(der, fixture, der_len), 0, "%s", names[i]);
		cr_assert_eq(petrel_x509_privkey_from_der(der, der_len, &again), 0);
		struct petrel_pubkey a, b;
		petrel_privkey_public(key, &a);
		petrel_privkey_public(again, &b);
		cr_assert_eq(a.point_len, b.point_len);
		cr_assert_eq(memcmp(a.point, b.point, a.point_len), 0);
		cr_assert_eq(petrel_x509_privkey_to_pkcs8(key, der, 20, &der_len), PETREL_E_SHORT_BUFFER);
		free(fixture);
		petrel_privkey_free(key);
		petrel_privkey_free(again);
	}
}

Test(x509_key, malformed_and_unsupported_keys_fail_cleanly)
{
	size_t len;
	uint8_t *der = x509_fixture_der("ec-leaf.sec1.key", "EC PRIVATE KEY", &len);
	struct petrel_privkey *key = NULL;
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, der, n);
		cr_assert_lt(petrel_x509_privkey_from_der(copy, n, &key), 0, "len %zu", n);
		cr_assert_null(key);
		free(copy);
	}
	/* A public key that does not match the scalar. */
	der[len - 5] ^= 0x01;
	cr_assert_lt(petrel_x509_privkey_from_der(der, len, &key), 0);
	cr_assert_null(key);
	free(der);

	static const char enc[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n";
	cr_assert_eq(petrel_x509_privkey_from_pem(enc, strlen(enc), &key), PETREL_E_UNSUPPORTED);
	static const char none[] = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
	cr_assert_eq(petrel_x509_privkey_from_pem(none, strlen(none), &key), PETREL_E_DECODE_ERROR);
}
