/* X.509 parsing: fields of real certificates made by openssl and certtool,
 * SAN name matching, and strict DER rules on malformed input. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "tests/x509_testutil.h"
#include "x509/der.h"
#include "x509/x509.h"

Test(x509_parse, ecdsa_leaf_fields)
{
	uint8_t *der, *int_der;
	struct petrel_x509_cert c, ca;
	x509_fixture_cert("ec-leaf.pem", &der, &c);
	x509_fixture_cert("ec-int.pem", &int_der, &ca);
	cr_assert_eq(c.version, 3);
	cr_assert_eq(c.serial_len, 1);
	cr_assert_eq(c.serial[0], 3);
	cr_assert_eq(c.sig_alg, PETREL_X509_SIG_ECDSA_SHA256);
	cr_assert_eq(c.pubkey.type, PETREL_KEY_EC_P256);
	cr_assert_eq(c.pubkey.point_len, 65);
	cr_assert_eq(c.pubkey.point[0], 0x04);
	/* The point lies inside the SPKI, inside the DER (zero-copy). */
	cr_assert(c.pubkey.point > c.spki && c.pubkey.point + 65 <= c.spki + c.spki_len);
	cr_assert(c.tbs > c.der && c.tbs + c.tbs_len < c.der + c.der_len);
	cr_assert_eq(c.issuer_len, ca.subject_len);
	cr_assert_eq(memcmp(c.issuer, ca.subject, ca.subject_len), 0);
	cr_assert(c.has_basic_constraints);
	cr_assert_not(c.is_ca);
	cr_assert(c.has_key_usage);
	cr_assert_eq(c.key_usage, PETREL_KU_DIGITAL_SIGNATURE);
	cr_assert_eq(c.ext_key_usage, PETREL_EKU_SERVER_AUTH | PETREL_EKU_CLIENT_AUTH);
	cr_assert_eq(c.ski_len, 20);
	cr_assert_eq(c.aki_len, ca.ski_len);
	cr_assert_eq(memcmp(c.aki, ca.ski, ca.ski_len), 0);
	cr_assert(c.not_after - c.not_before > INT64_C(99) * 365 * 86400);
	cr_assert(ca.is_ca);
	cr_assert_eq(ca.path_len, -1);
	cr_assert_eq(ca.key_usage, PETREL_KU_KEY_CERT_SIGN | PETREL_KU_CRL_SIGN);
	free(der);
	free(int_der);
}

Test(x509_parse, ecdsa_p384_root_sha384)
{
	uint8_t *der;
	struct petrel_x509_cert c;
	x509_fixture_cert("ec-root.pem", &der, &c);
	cr_assert_eq(c.pubkey.type, PETREL_KEY_EC_P384);
	cr_assert_eq(c.pubkey.point_len, 97);
	cr_assert_eq(c.sig_alg, PETREL_X509_SIG_ECDSA_SHA384);
	cr_assert_eq(c.issuer_len, c.subject_len);
	cr_assert_eq(memcmp(c.issuer, c.subject, c.subject_len), 0);
	free(der);
}

Test(x509_parse, rsa_pss_leaf_and_rsa_key)
{
	uint8_t *der, *int_der;
	struct petrel_x509_cert c, ca;
	x509_fixture_cert("rsa-leaf.pem", &der, &c);
	x509_fixture_cert("rsa-int.pem", &int_der, &ca);
	cr_assert_eq(c.sig_alg, PETREL_X509_SIG_RSA_PSS_SHA256);
	cr_assert_eq(ca.sig_alg, PETREL_X509_SIG_RSA_PKCS1_SHA384);
	cr_assert_eq(c.pubkey.type, PETREL_KEY_RSA);
	cr_assert_eq(c.pubkey.rsa_n_len, 256);
	cr_assert_eq(c.pubkey.rsa_e_len, 3);
	cr_assert_eq(memcmp(c.pubkey.rsa_e, "\x01\x00\x01", 3), 0);
	free(der);
	free(int_der);
}

Test(x509_parse, ed25519_certtool_leaf_with_utctime_and_generalizedtime)
{
	uint8_t *der;
	struct petrel_x509_cert c;
	x509_fixture_cert("ed-leaf.pem", &der, &c);
	cr_assert_eq(c.sig_alg, PETREL_X509_SIG_ED25519);
	cr_assert_eq(c.pubkey.type, PETREL_KEY_ED25519);
	cr_assert_eq(c.pubkey.point_len, 32);
	cr_assert_eq(c.not_before, INT64_C(946684800));  /* 2000-01-01 00:00:00 UTCTime */
	cr_assert_eq(c.not_after, INT64_C(4102444799));  /* 2099-12-31 23:59:59 GeneralizedTime */
	free(der);
}

Test(x509_parse, pathlen_zero_is_recorded)
{
	uint8_t *der;
	struct petrel_x509_cert c;
	x509_fixture_cert("pl-root.pem", &der, &c);
	cr_assert(c.is_ca);
	cr_assert_eq(c.path_len, 0);
	free(der);
}

Test(x509_parse, unknown_critical_extension_is_rejected)
{
	size_t len;
	uint8_t *der = x509_fixture_der("critext.pem", "CERTIFICATE", &len);
	struct petrel_x509_cert c;
	cr_assert_eq(petrel_x509_parse(der, len, &c), PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION);
	free(der);
}

Test(x509_name, san_dns_wildcard_and_ip)
{
	uint8_t *der;
	struct petrel_x509_cert c;
	x509_fixture_cert("ec-leaf.pem", &der, &c);
	cr_assert_eq(petrel_x509_check_name(&c, "leaf.petrel.test"), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "LEAF.Petrel.TEST"), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "leaf.petrel.test."), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "x.wild.petrel.test"), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "X.WILD.petrel.test"), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "wild.petrel.test"), PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(petrel_x509_check_name(&c, "a.b.wild.petrel.test"), PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(petrel_x509_check_name(&c, "other.petrel.test"), PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(petrel_x509_check_name(&c, "petrel.test"), PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(petrel_x509_check_name(&c, "127.0.0.1"), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "::1"), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "0:0:0:0:0:0:0:1"), 0);
	cr_assert_eq(petrel_x509_check_name(&c, "127.0.0.2"), PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(petrel_x509_check_name(&c, ""), PETREL_E_CERT_NAME_MISMATCH);
	free(der);
}

Test(x509_pem, bundle_yields_every_block_in_order)
{
	size_t len, pos = 0;
	char *text = x509_fixture_text("roots.pem", &len);
	char label[PETREL_PEM_LABEL_MAX];
	const char *want_cn[] = { "Petrel Test EC Root", "Petrel Test RSA Root",
				  "Petrel Test Ed25519 Root" };
	int n = 0, rc;
	uint8_t *der;
	size_t der_len;
	while ((rc = petrel_pem_next(text, len, &pos, label, &der, &der_len)) == 1) {
		struct petrel_x509_cert c;
		cr_assert_str_eq(label, "CERTIFICATE");
		cr_assert_eq(petrel_x509_parse(der, der_len, &c), 0);
		cr_assert(memmem(c.subject, c.subject_len, want_cn[n], strlen(want_cn[n])) != NULL);
		free(der);
		n++;
	}
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 3);
	free(text);
}

Test(x509_pem, malformed_blocks_are_decode_errors)
{
	static const char *bad[] = {
		"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n",                           /* no END */
		"-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END KEY-----\n",         /* label */
		"-----BEGIN CERTIFICATE-----\nMAM*AQA=\n-----END CERTIFICATE-----\n", /* base64 */
		"-----BEGIN CERTIFICATE-----\nMAMCAQ\n-----END CERTIFICATE-----\n",   /* padding */
		"-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",         /* empty */
		"-----BEGIN CERTIFICATE",                                              /* cut */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t pos = 0, der_len;
		char label[PETREL_PEM_LABEL_MAX];
		uint8_t *der;
		cr_assert_eq(petrel_pem_next(bad[i], strlen(bad[i]), &pos, label, &der, &der_len),
			     PETREL_E_DECODE_ERROR, "case %zu", i);
	}
	size_t pos = 0, der_len;
	char label[PETREL_PEM_LABEL_MAX];
	uint8_t *der;
	cr_assert_eq(petrel_pem_next("no pem here", 11, &pos, label, &der, &der_len), 0);
}

Test(x509_pem, crlf_text_decodes_and_encode_round_trips)
{
	const char *crlf = "junk\r\n-----BEGIN X-----\r\nAAECAwQFBgcICQ==\r\n-----END X-----\r\n";
	size_t pos = 0, der_len;
	char label[PETREL_PEM_LABEL_MAX];
	uint8_t *der;
	cr_assert_eq(petrel_pem_next(crlf, strlen(crlf), &pos, label, &der, &der_len), 1);
	cr_assert_str_eq(label, "X");
	cr_assert_eq(der_len, 10);
	for (uint8_t i = 0; i < 10; i++)
		cr_assert_eq(der[i], i);
	free(der);

	uint8_t big[100];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	char out[512];
	size_t out_len;
	cr_assert_eq(petrel_pem_encode("TEST", big, sizeof(big), out, sizeof(out), &out_len), 0);
	cr_assert_eq(out_len + 1, petrel_pem_encoded_len("TEST", sizeof(big)));
	cr_assert_eq(strlen(out), out_len);
	/* 100 bytes -> 136 base64 chars: lines of 64, 64, 8. */
	cr_assert(strstr(out, "-----BEGIN TEST-----\n") == out);
	cr_assert_eq(out[21 + 64], '\n');
	pos = 0;
	cr_assert_eq(petrel_pem_next(out, out_len, &pos, label, &der, &der_len), 1);
	cr_assert_eq(der_len, sizeof(big));
	cr_assert_eq(memcmp(der, big, sizeof(big)), 0);
	cr_assert_eq(pos, out_len - 1);
	free(der);
	cr_assert_eq(petrel_pem_encode("TEST", big, sizeof(big), out, 100, &out_len),
		     PETREL_E_SHORT_BUFFER);
}
