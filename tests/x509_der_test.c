/* Strict DER: every BER-only or broken encoding is refused cleanly, and
 * the writer emits minimal lengths. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "tests/x509_testutil.h"
#include "x509/der.h"
#include "x509/x509.h"

static int der_one(const uint8_t *buf, size_t len)
{
	struct petrel_reader r;
	struct petrel_der_tlv tlv;
	petrel_reader_init(&r, buf, len);
	return petrel_der_get(&r, &tlv);
}

Test(x509_der, length_rules)
{
	static const uint8_t ok_short[] = { 0x04, 0x01, 0xaa };
	static const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	static const uint8_t long_for_short[] = { 0x04, 0x81, 0x01, 0xaa };
	static const uint8_t leading_zero[] = { 0x04, 0x82, 0x00, 0x81 };
	static const uint8_t too_many_octets[] = { 0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t past_end[] = { 0x04, 0x05, 0xaa };
	static const uint8_t high_tag[] = { 0x1f, 0x81, 0x01, 0x00 };
	cr_assert_eq(der_one(ok_short, sizeof(ok_short)), 0);
	cr_assert_eq(der_one(indefinite, sizeof(indefinite)), PETREL_E_DECODE_ERROR);
	cr_assert_eq(der_one(long_for_short, sizeof(long_for_short)), PETREL_E_DECODE_ERROR);
	cr_assert_eq(der_one(leading_zero, sizeof(leading_zero)), PETREL_E_DECODE_ERROR);
	cr_assert_eq(der_one(too_many_octets, sizeof(too_many_octets)), PETREL_E_DECODE_ERROR);
	cr_assert_eq(der_one(past_end, sizeof(past_end)), PETREL_E_DECODE_ERROR);
	cr_assert_eq(der_one(high_tag, sizeof(high_tag)), PETREL_E_DECODE_ERROR);
	cr_assert_eq(der_one(ok_short, 0), PETREL_E_DECODE_ERROR);
}

Test(x509_der, integers_must_be_minimal_and_non_negative)
{
	static const uint8_t cases[][4] = {
		{ 0x02, 0x02, 0x00, 0x7f }, /* redundant 0x00 */
		{ 0x02, 0x01, 0x80, 0x00 }, /* negative */
		{ 0x02, 0x00, 0x00, 0x00 }, /* empty */
	};
	for (size_t i = 0; i < 3; i++) {
		struct petrel_reader r;
		const uint8_t *mag;
		size_t len;
		petrel_reader_init(&r, cases[i], (size_t)cases[i][1] + 2);
		cr_assert_eq(petrel_der_get_uint(&r, &mag, &len), PETREL_E_DECODE_ERROR, "case %zu", i);
	}
	static const uint8_t ok[] = { 0x02, 0x02, 0x00, 0x80 };
	struct petrel_reader r;
	const uint8_t *mag;
	size_t len;
	petrel_reader_init(&r, ok, sizeof(ok));
	cr_assert_eq(petrel_der_get_uint(&r, &mag, &len), 0);
	cr_assert_eq(len, 1);
	cr_assert_eq(mag[0], 0x80);
}

static int parse_time(const char *s, uint8_t tag, int64_t *out)
{
	uint8_t buf[32];
	size_t n = strlen(s);
	buf[0] = tag;
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, s, n);
	struct petrel_reader r;
	petrel_reader_init(&r, buf, n + 2);
	return petrel_der_get_time(&r, out);
}

Test(x509_der, times_follow_rfc5280)
{
	int64_t t;
	cr_assert_eq(parse_time("700101000000Z", PETREL_DER_UTC_TIME, &t), 0);
	cr_assert_eq(t, 0);
	cr_assert_eq(parse_time("491231235959Z", PETREL_DER_UTC_TIME, &t), 0);
	cr_assert_eq(t, INT64_C(2524607999)); /* 2049 */
	cr_assert_eq(parse_time("500101000000Z", PETREL_DER_UTC_TIME, &t), 0);
	cr_assert_eq(t, INT64_C(-631152000)); /* 1950 */
	cr_assert_eq(parse_time("20000229120000Z", PETREL_DER_GENERALIZED_TIME, &t), 0);
	cr_assert_eq(t, INT64_C(951825600));
	cr_assert_eq(parse_time("19000229120000Z", PETREL_DER_GENERALIZED_TIME, &t),
		     PETREL_E_DECODE_ERROR); /* not a leap year */
	cr_assert_eq(parse_time("700101000000+0100", PETREL_DER_UTC_TIME, &t), PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse_time("7001010000Z", PETREL_DER_UTC_TIME, &t), PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse_time("20000101000000.5Z", PETREL_DER_GENERALIZED_TIME, &t),
		     PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse_time("701301000000Z", PETREL_DER_UTC_TIME, &t), PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse_time("70010100000AZ", PETREL_DER_UTC_TIME, &t), PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse_time("20000101000000Z", PETREL_DER_UTC_TIME, &t), PETREL_E_DECODE_ERROR);

	/* Writer: UTCTime through 2049, GeneralizedTime after; both re-read. */
	int64_t samples[] = { 0, INT64_C(2524607999), INT64_C(2524608000), INT64_C(4102444799),
			      INT64_C(-631152000) };
	for (size_t i = 0; i < 5; i++) {
		uint8_t buf[32];
		struct petrel_writer w;
		petrel_writer_init(&w, buf, sizeof(buf));
		cr_assert(petrel_der_put_time(&w, samples[i]));
		cr_assert_eq(buf[0], samples[i] < INT64_C(2524608000) ? PETREL_DER_UTC_TIME
								       : PETREL_DER_GENERALIZED_TIME);
		struct petrel_reader r;
		petrel_reader_init(&r, buf, petrel_writer_len(&w));
		cr_assert_eq(petrel_der_get_time(&r, &t), 0);
		cr_assert_eq(t, samples[i]);
	}
}

Test(x509_der, writer_uses_minimal_lengths)
{
	static const size_t sizes[] = { 0, 1, 127, 128, 255, 256, 1000 };
	static const size_t header[] = { 2, 2, 2, 3, 3, 4, 4 };
	uint8_t body[1000], out[1100];
	memset(body, 0x5a, sizeof(body));
	for (size_t i = 0; i < 7; i++) {
		struct petrel_writer w;
		struct petrel_der_scope s;
		petrel_writer_init(&w, out, sizeof(out));
		cr_assert(petrel_der_put_open(&w, PETREL_DER_OCTET_STRING, &s));
		cr_assert(petrel_put_bytes(&w, body, sizes[i]));
		cr_assert(petrel_der_put_close(&w, &s));
		cr_assert_eq(petrel_writer_len(&w), header[i] + sizes[i]);
		cr_assert_eq(out[header[i]], sizes[i] ? 0x5a : out[header[i]]);
		cr_assert_eq(petrel_der_check(out, petrel_writer_len(&w)), 0);
	}
	uint8_t mag[] = { 0x00, 0x00, 0x80 }, want[] = { 0x02, 0x02, 0x00, 0x80 };
	struct petrel_writer w;
	petrel_writer_init(&w, out, sizeof(out));
	cr_assert(petrel_der_put_uint(&w, mag, sizeof(mag)));
	cr_assert_eq(petrel_writer_len(&w), 4);
	cr_assert_eq(memcmp(out, want, 4), 0);
	petrel_writer_init(&w, out, 3);
	cr_assert_not(petrel_der_put_uint(&w, mag, sizeof(mag)));
}

Test(x509_der, deep_nesting_is_refused)
{
	uint8_t buf[2 * 40];
	for (size_t i = 0; i < 40; i++) {
		buf[2 * i] = 0x30;
		buf[2 * i + 1] = (uint8_t)(2 * (39 - i));
	}
	cr_assert_eq(petrel_der_check(buf, sizeof(buf)), PETREL_E_DECODE_ERROR);
	struct petrel_x509_cert c;
	cr_assert_eq(petrel_x509_parse(buf, sizeof(buf), &c), PETREL_E_CERT_PARSE);
	/* Ten levels are fine for the walker. */
	cr_assert_eq(petrel_der_check(buf + 60, 20), 0);
}

Test(x509_der, every_truncation_of_a_certificate_is_a_parse_error)
{
	size_t len;
	uint8_t *der = x509_fixture_der("ec-leaf.pem", "CERTIFICATE", &len);
	struct petrel_x509_cert c;
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1); /* exact size so ASan sees overreads */
		memcpy(copy, der, n);
		cr_assert_eq(petrel_x509_parse(copy, n, &c), PETREL_E_CERT_PARSE, "len %zu", n);
		free(copy);
	}
	free(der);
}

Test(x509_der, trailing_bytes_and_bad_outer_lengths_are_parse_errors)
{
	size_t len;
	uint8_t *der = x509_fixture_der("rsa-leaf.pem", "CERTIFICATE", &len);
	struct petrel_x509_cert c;
	uint8_t *buf = malloc(len + 1);
	memcpy(buf, der, len);
	buf[len] = 0;
	cr_assert_eq(petrel_x509_parse(buf, len + 1, &c), PETREL_E_CERT_PARSE); /* trailing */
	cr_assert_eq(der[1], 0x82); /* a long-form length we can corrupt */
	memcpy(buf, der, len);
	buf[1] = 0x80; /* indefinite */
	cr_assert_eq(petrel_x509_parse(buf, len, &c), PETREL_E_CERT_PARSE);
	memcpy(buf, der, len);
	buf[3] = (uint8_t)(buf[3] + 1); /* one past the end */
	cr_assert_eq(petrel_x509_parse(buf, len, &c), PETREL_E_CERT_PARSE);
	memcpy(buf, der, len);
	buf[1] = 0x84; /* four length octets: beyond our cap */
	cr_assert_eq(petrel_x509_parse(buf, len, &c), PETREL_E_CERT_PARSE);
	/* Every single-byte corruption parses or fails cleanly (ASan watches). */
	for (size_t i = 0; i < len; i++) {
		memcpy(buf, der, len);
		buf[i] ^= 0x41;
		int rc = petrel_x509_parse(buf, len, &c);
		cr_assert(rc == 0 || rc == PETREL_E_CERT_PARSE ||
			  rc == PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION, "byte %zu rc %d", i, rc);
	}
	free(buf);
	free(der);
}

Test(x509_spki, parse_and_encode_round_trip)
{
	static const char *names[] = { "ec-leaf.pem", "rsa-leaf.pem", "ed-leaf.pem", "ec-root.pem" };
	for (size_t i = 0; i < 4; i++) {
		uint8_t *der;
		struct petrel_x509_cert c;
		x509_fixture_cert(names[i], &der, &c);
		struct petrel_pubkey pk;
		cr_assert_eq(petrel_x509_spki_parse(c.spki, c.spki_len, &pk), 0);
		cr_assert_eq(pk.type, c.pubkey.type);
		uint8_t out[600];
		size_t out_len;
		cr_assert_eq(petrel_x509_spki_encode(&pk, out, sizeof(out), &out_len), 0, "%s", names[i]);
		cr_assert_eq(out_len, c.spki_len, "%s", names[i]);
		cr_assert_eq(memcmp(out, c.spki, out_len), 0, "%s", names[i]);
		cr_assert_eq(petrel_x509_spki_encode(&pk, out, 20, &out_len), PETREL_E_SHORT_BUFFER);
		cr_assert_eq(petrel_x509_spki_parse(c.spki, c.spki_len - 1, &pk), PETREL_E_CERT_PARSE);
		free(der);
	}
}
