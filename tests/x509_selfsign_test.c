/* Self-signed generation, fingerprints, pins and raw public keys; the
 * generated certificate is checked by openssl when it is installed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/x509_testutil.h"
#include "x509/x509.h"

#define DAY INT64_C(86400)

static struct petrel_privkey *fresh_key(enum petrel_key_type type)
{
	struct petrel_privkey *key = NULL;
	cr_assert_eq(petrel_privkey_generate(type, &key), 0);
	return key;
}

static size_t make_cert(struct petrel_privkey *key, int64_t now, uint8_t *out)
{
	struct petrel_x509_selfsign_params p = {
		.common_name = "webrtc.petrel.test",
		.not_before = now - DAY,
		.not_after = now + 30 * DAY,
	};
	size_t len;
	cr_assert_eq(petrel_x509_selfsign(key, &p, out, PETREL_X509_SELFSIGN_MAX, &len), 0);
	return len;
}

static void selfsigned_parses_and_validates(enum petrel_key_type type)
{
	struct petrel_privkey *key = fresh_key(type);
	uint8_t der[PETREL_X509_SELFSIGN_MAX];
	size_t len = make_cert(key, X509_TEST_NOW, der);
	struct petrel_x509_cert c;
	cr_assert_eq(petrel_x509_parse(der, len, &c), 0);
	cr_assert_eq(c.version, 3);
	cr_assert_eq(c.serial_len, 16);
	cr_assert_eq(c.not_before, X509_TEST_NOW - DAY);
	cr_assert_eq(c.not_after, X509_TEST_NOW + 30 * DAY);
	cr_assert(c.has_basic_constraints);
	cr_assert_not(c.is_ca);
	cr_assert_eq(c.pubkey.type, type);
	cr_assert_eq(c.sig_alg, type == PETREL_KEY_ED25519 ? PETREL_X509_SIG_ED25519
							 : PETREL_X509_SIG_ECDSA_SHA256);
	cr_assert_eq(petrel_x509_check_signature(&c, &c.pubkey), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "webrtc.petrel.test"), 0);

	/* Trusted as a pinned store entry, rejected without it. */
	struct petrel_x509_store store;
	petrel_x509_store_init(&store);
	struct petrel_x509_verify_params vp = { .now = X509_TEST_NOW, .host = "webrtc.petrel.test" };
	cr_assert_eq(petrel_x509_verify_chain(&c, 1, &store, &vp), PETREL_E_CERT_UNTRUSTED);
	cr_assert_eq(petrel_x509_store_add_der(&store, der, len), 0);
	cr_assert_eq(petrel_x509_verify_chain(&c, 1, &store, &vp), 0);
	vp.now = X509_TEST_NOW + 31 * DAY;
	cr_assert_eq(petrel_x509_verify_chain(&c, 1, &store, &vp), PETREL_E_CERT_EXPIRED);
	petrel_x509_store_free(&store);

	/* Two certificates from one key differ in serial. */
	uint8_t der2[PETREL_X509_SELFSIGN_MAX];
	size_t len2 = make_cert(key, X509_TEST_NOW, der2);
	struct petrel_x509_cert c2;
	cr_assert_eq(petrel_x509_parse(der2, len2, &c2), 0);
	cr_assert_neq(memcmp(c.serial, c2.serial, 16), 0);
	petrel_privkey_free(key);
}

Test(x509_selfsign, ecdsa_p256_certificate_parses_and_validates)
{
	selfsigned_parses_and_validates(PETREL_KEY_EC_P256);
}

Test(x509_selfsign, ed25519_certificate_parses_and_validates)
{
	selfsigned_parses_and_validates(PETREL_KEY_ED25519);
}

Test(x509_selfsign, bad_requests_are_refused)
{
	struct petrel_privkey *key = fresh_key(PETREL_KEY_EC_P256);
	uint8_t der[PETREL_X509_SELFSIGN_MAX];
	size_t len;
	struct petrel_x509_selfsign_params p = { .common_name = "", .not_before = 0, .not_after = 1 };
	cr_assert_eq(petrel_x509_selfsign(key, &p, der, sizeof(der), &len), PETREL_E_INVALID_REQUEST);
	p.common_name = "x";
	p.not_after = -1;
	cr_assert_eq(petrel_x509_selfsign(key, &p, der, sizeof(der), &len), PETREL_E_INVALID_REQUEST);
	p.not_after = 1;
	cr_assert_eq(petrel_x509_selfsign(key, &p, der, 100, &len), PETREL_E_SHORT_BUFFER);
	petrel_privkey_free(key);
}

static bool have_openssl(void)
{
	return system("openssl version >/dev/null 2>&1") == 0;
}

/* Runs cmd and returns its first output line (trimmed) in out. */
static int run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	out[0] = '\0';
	if (fgets(out, (int)cap, p) != NULL)
		out[strcspn(out, "\r\n")] = '\0';
	char sink[256];
	while (fgets(sink, sizeof(sink), p) != NULL)
		;
	return pclose(p);
}

static void openssl_accepts(enum petrel_key_type type)
{
	if (!have_openssl()) {
		cr_skip_test("openssl not installed");
	}
	struct petrel_privkey *key = fresh_key(type);
	uint8_t der[PETREL_X509_SELFSIGN_MAX];
	/* openssl verify uses the real clock: a window around it. */
	size_t len = make_cert(key, (int64_t)time(NULL), der);

	char dir[] = "/tmp/petrel-x509-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char cert_path[128], key_path[128], cmd[512], line[256];
	snprintf(cert_path, sizeof(cert_path), "%s/self.pem", dir);
	snprintf(key_path, sizeof(key_path), "%s/self.key", dir);

	char pem[2048];
	size_t pem_len;
	cr_assert_eq(petrel_pem_encode("CERTIFICATE", der, len, pem, sizeof(pem), &pem_len), 0);
	FILE *f = fopen(cert_path, "w");
	fwrite(pem, 1, pem_len, f);
	fclose(f);
	uint8_t p8[256];
	size_t p8_len;
	cr_assert_eq(petrel_x509_privkey_to_pkcs8(key, p8, sizeof(p8), &p8_len), 0);
	cr_assert_eq(petrel_pem_encode("PRIVATE KEY", p8, p8_len, pem, sizeof(pem), &pem_len), 0);
	f = fopen(key_path, "w");
	fwrite(pem, 1, pem_len, f);
	fclose(f);

	snprintf(cmd, sizeof(cmd), "openssl x509 -noout -text -in %s 2>&1", cert_path);
	cr_assert_eq(run(cmd, line, sizeof(line)), 0, "x509 -text: %s", line);
	snprintf(cmd, sizeof(cmd), "openssl verify -CAfile %s %s 2>&1", cert_path, cert_path);
	cr_assert_eq(run(cmd, line, sizeof(line)), 0, "verify: %s", line);
	cr_assert(strstr(line, ": OK") != NULL, "verify said: %s", line);

	/* RFC 8122 fingerprint equals openssl's (modulo the prefix). */
	char fp[PETREL_X509_FINGERPRINT_SDP_LEN];
	cr_assert_eq(petrel_x509_fingerprint_sdp(der, len, fp), 0);
	snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -sha256 -in %s", cert_path);
	cr_assert_eq(run(cmd, line, sizeof(line)), 0);
	const char *eq = strchr(line, '=');
	cr_assert_not_null(eq, "%s", line);
	cr_assert_str_eq(eq + 1, fp + 8);

	/* The PKCS#8 key we wrote matches the certificate for openssl. */
	snprintf(cmd, sizeof(cmd),
		 "a=$(openssl pkey -in %s -pubout 2>&1) && b=$(openssl x509 -in %s -noout -pubkey 2>&1) "
		 "&& [ \"$a\" = \"$b\" ] && echo same",
		 key_path, cert_path);
	cr_assert_eq(run(cmd, line, sizeof(line)), 0);
	cr_assert_str_eq(line, "same");

	unlink(cert_path);
	unlink(key_path);
	rmdir(dir);
	petrel_privkey_free(key);
}

Test(x509_selfsign, openssl_accepts_ecdsa_certificate)
{
	openssl_accepts(PETREL_KEY_EC_P256);
}

Test(x509_selfsign, openssl_accepts_ed25519_certificate)
{
	openssl_accepts(PETREL_KEY_ED25519);
}

Test(x509_fingerprint, sdp_format_parse_and_pins)
{
	size_t len;
	uint8_t *der = x509_fixture_der("ec-leaf.pem", "CERTIFICATE", &len);
	char fp[PETREL_X509_FINGERPRINT_SDP_LEN];
	cr_assert_eq(petrel_x509_fingerprint_sdp(der, len, fp), 0);
	cr_assert_eq(strlen(fp), PETREL_X509_FINGERPRINT_SDP_LEN - 1);
	cr_assert_eq(strncmp(fp, "sha-256 ", 8), 0);
	for (size_t i = 8; i < strlen(fp); i++) {
		if ((i - 8) % 3 == 2)
			cr_assert_eq(fp[i], ':');
		else
			cr_assert(strchr("0123456789ABCDEF", fp[i]) != NULL);
	}
	uint8_t pin[32], digest[32];
	cr_assert_eq(petrel_x509_fingerprint_parse(fp, pin), 0);
	petrel_hash(PETREL_HASH_SHA256, der, len, digest);
	cr_assert_eq(memcmp(pin, digest, 32), 0);
	cr_assert_eq(petrel_x509_check_pin_cert(der, len, pin), 0);

	/* Lower case and an upper-case token parse too (RFC 8122 is case-insensitive). */
	char lower[PETREL_X509_FINGERPRINT_SDP_LEN];
	for (size_t i = 0; i < sizeof(lower); i++)
		lower[i] = (char)(fp[i] >= 'A' && fp[i] <= 'F' ? fp[i] + 32 : fp[i]);
	memcpy(lower, "SHA-256", 7);
	cr_assert_eq(petrel_x509_fingerprint_parse(lower, pin), 0);
	cr_assert_eq(memcmp(pin, digest, 32), 0);
	cr_assert_eq(petrel_x509_fingerprint_parse("sha-1 AB:CD", pin), PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_x509_fingerprint_parse("sha-256 AB:CD", pin), PETREL_E_DECODE_ERROR);
	char bad[PETREL_X509_FINGERPRINT_SDP_LEN];
	memcpy(bad, fp, sizeof(bad));
	bad[20] = 'G';
	cr_assert_eq(petrel_x509_fingerprint_parse(bad, pin), PETREL_E_DECODE_ERROR);

	pin[0] ^= 1;
	cr_assert_eq(petrel_x509_check_pin_cert(der, len, pin), PETREL_E_CERT_PIN_MISMATCH);

	struct petrel_x509_cert c;
	cr_assert_eq(petrel_x509_parse(der, len, &c), 0);
	petrel_hash(PETREL_HASH_SHA256, c.spki, c.spki_len, digest);
	cr_assert_eq(petrel_x509_check_pin_spki(&c, digest), 0);
	digest[31] ^= 1;
	cr_assert_eq(petrel_x509_check_pin_spki(&c, digest), PETREL_E_CERT_PIN_MISMATCH);
	free(der);
}

Test(x509_rpk, spki_identity_parse_compare_and_pin)
{
	uint8_t *ec_der, *ed_der;
	struct petrel_x509_cert ec, ed;
	x509_fixture_cert("ec-leaf.pem", &ec_der, &ec);
	x509_fixture_cert("ed-leaf.pem", &ed_der, &ed);
	struct petrel_rpk a, b, c;
	cr_assert_eq(petrel_rpk_parse(ec.spki, ec.spki_len, &a), 0);
	cr_assert_eq(a.pubkey.type, PETREL_KEY_EC_P256);
	cr_assert_eq(petrel_rpk_parse(ed.spki, ed.spki_len, &b), 0);
	cr_assert_eq(b.pubkey.type, PETREL_KEY_ED25519);
	/* A copy elsewhere in memory is the same identity. */
	uint8_t copy[128];
	memcpy(copy, ec.spki, ec.spki_len);
	cr_assert_eq(petrel_rpk_parse(copy, ec.spki_len, &c), 0);
	cr_assert(petrel_rpk_equal(&a, &c));
	cr_assert_not(petrel_rpk_equal(&a, &b));
	uint8_t fp[32];
	petrel_rpk_fingerprint(&a, fp);
	cr_assert_eq(petrel_rpk_check_pin(&c, fp), 0);
	cr_assert_eq(petrel_rpk_check_pin(&b, fp), PETREL_E_CERT_PIN_MISMATCH);
	/* The key a private key yields encodes to the same SPKI. */
	size_t key_len;
	char *key_text = x509_fixture_text("ec-leaf.key", &key_len);
	struct petrel_privkey *key;
	cr_assert_eq(petrel_x509_privkey_from_pem(key_text, key_len, &key), 0);
	struct petrel_pubkey pub;
	petrel_privkey_public(key, &pub);
	uint8_t spki[128];
	size_t spki_len;
	cr_assert_eq(petrel_x509_spki_encode(&pub, spki, sizeof(spki), &spki_len), 0);
	cr_assert_eq(spki_len, ec.spki_len);
	cr_assert_eq(memcmp(spki, ec.spki, spki_len), 0);
	cr_assert_eq(petrel_rpk_parse(ec.spki, ec.spki_len - 2, &c), PETREL_E_CERT_PARSE);
	petrel_privkey_free(key);
	free(key_text);
	free(ec_der);
	free(ed_der);
}
