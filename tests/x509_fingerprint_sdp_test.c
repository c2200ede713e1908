/* SDP fingerprints (RFC 8122 5): the a=fingerprint line made from
 * credentials or a certificate, parsed back for pinning, bad input refused
 * with a code that says what was wrong. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "tests/dtls_harness.h"
#include "tests/x509_testutil.h"

/* openssl x509 -in tests/fixtures/x509/ec-leaf.pem -noout -fingerprint -sha256 */
static const char ec_leaf_line[] =
	"a=fingerprint:sha-256 F5:58:F6:AA:C5:B4:96:AE:1C:D2:3F:B5:9A:62:32:30:EC:D9:6A:09:44:DE:2F:92:"
	"1D:6A:FD:D3:2A:04:08:77";
static const uint8_t ec_leaf_sha256[32] = {
	0xF5, 0x58, 0xF6, 0xAA, 0xC5, 0xB4, 0x96, 0xAE, 0x1C, 0xD2, 0x3F, 0xB5, 0x9A, 0x62, 0x32, 0x30,
	0xEC, 0xD9, 0x6A, 0x09, 0x44, 0xDE, 0x2F, 0x92, 0x1D, 0x6A, 0xFD, 0xD3, 0x2A, 0x04, 0x08, 0x77};

Test(sdp_fingerprint, certificate_line_matches_openssl_fingerprint)
{
	size_t len;
	uint8_t *der = x509_fixture_der("ec-leaf.pem", "CERTIFICATE", &len);
	char line[PETREL_SDP_FINGERPRINT_SIZE];
	cr_assert_eq(petrel_certificate_fingerprint_sdp(der, len, line, sizeof line), 0);
	cr_assert_str_eq(line, ec_leaf_line);
	cr_assert_eq(strlen(line) + 1, PETREL_SDP_FINGERPRINT_SIZE);
	cr_assert_eq(strncmp(line + PETREL_SDP_FINGERPRINT_VALUE_OFFSET, "sha-256 ", 8), 0);
	cr_assert_eq(petrel_certificate_fingerprint_sdp(der, len, line, sizeof line - 1),
		     PETREL_E_SHORT_BUFFER);
	cr_assert_eq(petrel_certificate_fingerprint_sdp(NULL, 0, line, sizeof line),
		     PETREL_E_INVALID_REQUEST);
	free(der);
}

Test(sdp_fingerprint, credentials_line_agrees_with_binary_fingerprint)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	char line[PETREL_SDP_FINGERPRINT_SIZE];
	cr_assert_eq(petrel_credentials_get_fingerprint_sdp(c, line, sizeof line),
		     PETREL_E_NO_CERTIFICATE);
	cr_assert_eq(petrel_credentials_generate(c, PETREL_KEYTYPE_ECDSA_P256, "sdp"), 0);
	cr_assert_eq(petrel_credentials_get_fingerprint_sdp(c, line, sizeof line), 0);
	uint8_t bin[32], parsed[32];
	cr_assert_eq(petrel_credentials_get_fingerprint(c, bin), 0);
	cr_assert_eq(petrel_fingerprint_parse_sdp(line, parsed), 0);
	cr_assert_arr_eq(parsed, bin, 32);
	petrel_credentials_free(c);
}

Test(sdp_fingerprint, parse_accepts_value_or_line_any_case_with_crlf)
{
	const char *value = ec_leaf_line + PETREL_SDP_FINGERPRINT_VALUE_OFFSET;
	char lower[PETREL_SDP_FINGERPRINT_SIZE + 8];
	for (size_t i = 0; ec_leaf_line[i]; i++)
		lower[i] = (char)(ec_leaf_line[i] >= 'A' && ec_leaf_line[i] <= 'F' ? ec_leaf_line[i] + 32
										  : ec_leaf_line[i]);
	lower[PETREL_SDP_FINGERPRINT_SIZE - 1] = '\0';
	char crlf[PETREL_SDP_FINGERPRINT_SIZE + 8];
	snprintf(crlf, sizeof crlf, "%s\r\n", ec_leaf_line);
	char upper_name[PETREL_SDP_FINGERPRINT_SIZE];
	snprintf(upper_name, sizeof upper_name, "A=FINGERPRINT:SHA-256 %s", value + 8);
	const char *forms[] = {ec_leaf_line, value, lower, crlf, upper_name};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		uint8_t pin[32] = {0};
		cr_assert_eq(petrel_fingerprint_parse_sdp(forms[i], pin), 0, "form %zu: %s", i, forms[i]);
		cr_assert_arr_eq(pin, ec_leaf_sha256, 32, "form %zu", i);
	}
}

Test(sdp_fingerprint, parse_names_what_is_wrong)
{
	const char *pairs31 = "F5:58:F6:AA:C5:B4:96:AE:1C:D2:3F:B5:9A:62:32:30:EC:D9:6A:09:44:DE:2F:92:"
			      "1D:6A:FD:D3:2A:04:08";
	char buf[256];
	struct {
		const char *text;
		int rc;
	} cases[] = {
		{"sha-1 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01", PETREL_E_UNSUPPORTED},
		{"a=fingerprint:sha-384 AB:CD", PETREL_E_UNSUPPORTED},
		{"sha256 AB:CD", PETREL_E_UNSUPPORTED},
		{"", PETREL_E_DECODE_ERROR},
		{"sha-256", PETREL_E_DECODE_ERROR},
		{"F5:58:F6", PETREL_E_DECODE_ERROR},             /* no hash name */
		{"sha-256 AB-CD", PETREL_E_DECODE_ERROR},        /* wrong separator */
		{"sha-256 AB::CD", PETREL_E_DECODE_ERROR},       /* doubled separator */
		{"sha-256 ABCD", PETREL_E_DECODE_ERROR},         /* no separator */
		{"sha-256 AB:CD:", PETREL_E_DECODE_ERROR},       /* trailing separator */
		{"sha-256 A:BC", PETREL_E_DECODE_ERROR},         /* half a pair */
		{"sha-256 AB:CG", PETREL_E_DECODE_ERROR},        /* not hex */
		{"sha-256 AB:CD trailing", PETREL_E_DECODE_ERROR},
		{"sha-256 AB:CD", PETREL_E_ILLEGAL_PARAMETER},   /* 2 bytes, not 32 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t pin[32];
		memset(pin, 0x5a, sizeof pin);
		cr_assert_eq(petrel_fingerprint_parse_sdp(cases[i].text, pin), cases[i].rc, "%s",
			     cases[i].text);
		for (size_t j = 0; j < 32; j++)
			cr_assert_eq(pin[j], 0x5a, "output untouched on error: %s", cases[i].text);
	}
	uint8_t pin[32];
	snprintf(buf, sizeof buf, "sha-256 %s", pairs31);
	cr_assert_eq(petrel_fingerprint_parse_sdp(buf, pin), PETREL_E_ILLEGAL_PARAMETER, "31 bytes");
	snprintf(buf, sizeof buf, "sha-256 %s:77:00", pairs31);
	cr_assert_eq(petrel_fingerprint_parse_sdp(buf, pin), PETREL_E_ILLEGAL_PARAMETER, "33 bytes");
	cr_assert_eq(petrel_fingerprint_parse_sdp(NULL, pin), PETREL_E_INVALID_REQUEST);
}

/* The WebRTC flow: each side's SDP carries its fingerprint line; the other
 * pins it. A line for another certificate fails with a pin mismatch. */
Test(sdp_fingerprint, handshake_pinned_by_sdp_line)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	char line[PETREL_SDP_FINGERPRINT_SIZE];
	cr_assert_eq(petrel_credentials_get_fingerprint_sdp(sc, line, sizeof line), 0);
	struct harness h;
	harness_init(&h, 21, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_verify_sdp(h.client.session, line), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	const uint8_t *der;
	size_t der_len;
	cr_assert_eq(petrel_session_get_peer_certificate(h.client.session, 0, &der, &der_len), 0);
	char seen[PETREL_SDP_FINGERPRINT_SIZE];
	cr_assert_eq(petrel_certificate_fingerprint_sdp(der, der_len, seen, sizeof seen), 0);
	cr_assert_str_eq(seen, line);
	harness_free(&h);

	harness_init(&h, 22, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_verify_sdp(h.client.session, ec_leaf_line), 0);
	petrel_dtls_set_timeouts(h.client.session, 0, 3000); /* the mismatch shows at the timeout */
	cr_assert_neq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(h.client.handshake_rc, PETREL_E_CERT_PIN_MISMATCH);
	harness_free(&h);
	cr_assert_eq(petrel_session_set_verify_sdp(NULL, "sha-1 AB"), PETREL_E_UNSUPPORTED);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* Mutated lines (fixed seed): every result is 0 or one of the documented
 * codes, and the output is written only on success. */
Test(sdp_fingerprint, mutated_lines_get_documented_codes_only)
{
	uint32_t state = 21;
	static const char alphabet[] = "0123456789abcdefABCDEF: \t\r\n-=ahs";
	unsigned seen[4] = {0}; /* ok, unsupported, decode, length */
	for (int round = 0; round < 20000; round++) {
		char text[PETREL_SDP_FINGERPRINT_SIZE + 8];
		memcpy(text, ec_leaf_line, sizeof ec_leaf_line);
		size_t len = sizeof ec_leaf_line - 1;
		for (int k = 0; k < 1 + round % 4 && len > 0; k++) {
			state = state * 1103515245u + 12345u;
			size_t at = (state >> 8) % len;
			char c = alphabet[(state >> 20) % (sizeof alphabet - 1)];
			if ((state >> 4) % 3 == 0)
				len = at; /* truncate */
			else
				text[at] = c;
		}
		text[len] = '\0';
		uint8_t pin[32];
		memset(pin, 0x5a, sizeof pin);
		int rc = petrel_fingerprint_parse_sdp(text, pin);
		cr_assert(rc == 0 || rc == PETREL_E_UNSUPPORTED || rc == PETREL_E_DECODE_ERROR ||
				  rc == PETREL_E_ILLEGAL_PARAMETER,
			  "%s -> %d", text, rc);
		if (rc != 0)
			for (size_t j = 0; j < 32; j++)
				cr_assert_eq(pin[j], 0x5a, "%s", text);
		seen[rc == 0 ? 0 : rc == PETREL_E_UNSUPPORTED ? 1 : rc == PETREL_E_DECODE_ERROR ? 2 : 3]++;
	}
	for (int i = 0; i < 4; i++)
		cr_assert_gt(seen[i], 0, "outcome %d never reached", i);
}
