/* A DTLS 1.2 client aborts with unsupported_extension when the ServerHello
 * carries an extension it did not offer (RFC 5246 7.4.1.4; RFC 9146 3,
 * RFC 5764 4.1.2, RFC 7250 4.2). Crafted hellos. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/alert.h"
#include "dtls/ext_answer.h"
#include "dtls/messages.h"
#include "petrel/petrel.h"

/* A well-formed body for each type (the parser checks known ones; the
 * answer check looks at types only). */
static size_t ext_body(uint16_t type, uint8_t *out)
{
	static const uint8_t srtp[] = {0, 2, 0, 1, 0}; /* one profile, no MKI */
	switch (type) {
	case PETREL_EXT_USE_SRTP: memcpy(out, srtp, sizeof srtp); return sizeof srtp;
	case PETREL_EXT_RENEGOTIATION_INFO:
	case PETREL_EXT_CONNECTION_ID:
	case PETREL_EXT_SERVER_CERTIFICATE_TYPE:
	case PETREL_EXT_CLIENT_CERTIFICATE_TYPE: out[0] = 0; return 1;
	case PETREL_EXT_HEARTBEAT: out[0] = 1; return 1;
	case PETREL_EXT_RECORD_SIZE_LIMIT: out[0] = 1; out[1] = 0; return 2;
	default: return 0;
	}
}

/* An extensions block holding the given types. */
static size_t ext_block(uint8_t *out, const uint16_t *types, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t body[16];
		size_t bl = ext_body(types[i], body);
		out[len++] = (uint8_t)(types[i] >> 8);
		out[len++] = (uint8_t)types[i];
		out[len++] = 0;
		out[len++] = (uint8_t)bl;
		memcpy(out + len, body, bl);
		len += bl;
	}
	return len;
}

/* A hello body: version, random, session_id<0>, [cookie<0>], suites,
 * compression, then the extensions block (absent when with_ext false). */
static size_t hello(uint8_t *out, bool client, const uint16_t *suites, size_t suite_count,
		    const uint8_t *ext, size_t ext_len, bool with_ext)
{
	size_t n = 0;
	out[n++] = 0xfe;
	out[n++] = 0xfd;
	memset(out + n, 0x5a, 32);
	n += 32;
	out[n++] = 0; /* session_id */
	if (client) {
		out[n++] = 0; /* cookie */
		out[n++] = 0;
		out[n++] = (uint8_t)(2 * suite_count);
		for (size_t i = 0; i < suite_count; i++) {
			out[n++] = (uint8_t)(suites[i] >> 8);
			out[n++] = (uint8_t)suites[i];
		}
		out[n++] = 1; /* compression_methods: null */
		out[n++] = 0;
	} else {
		out[n++] = (uint8_t)(suites[0] >> 8);
		out[n++] = (uint8_t)suites[0];
		out[n++] = 0;
	}
	if (with_ext) {
		out[n++] = (uint8_t)(ext_len >> 8);
		out[n++] = (uint8_t)ext_len;
		memcpy(out + n, ext, ext_len);
		n += ext_len;
	}
	return n;
}

static const uint16_t suite_psk = 0xc0a8; /* TLS_PSK_WITH_AES_128_CCM_8 */

/* Offered: EMS, renegotiation_info, connection_id (RFC 9146) and use_srtp;
 * answered: the given types. */
static int check(const uint16_t *answer, size_t n, bool scsv, bool offer_ext)
{
	static const uint16_t offered[] = {PETREL_EXT_EXTENDED_MASTER_SECRET,
					   PETREL_EXT_RENEGOTIATION_INFO, PETREL_EXT_CONNECTION_ID,
					   PETREL_EXT_USE_SRTP};
	uint8_t eb[256], ab[256], chb[512], shb[512];
	size_t el = ext_block(eb, offered, 4);
	size_t al = ext_block(ab, answer, n);
	uint16_t suites[2] = {suite_psk, PETREL_CS_EMPTY_RENEGOTIATION_INFO_SCSV};
	struct petrel_client_hello ch;
	struct petrel_server_hello sh;
	cr_assert_eq(petrel_client_hello_parse(chb, hello(chb, true, suites, scsv ? 2 : 1, eb, el, offer_ext),
					       &ch), 0);
	size_t shl = hello(shb, false, suites, 1, ab, al, n > 0);
	cr_assert_eq(petrel_server_hello_parse(shb, shl, &sh), 0);
	return petrel_ext_answer_check(&ch, &sh);
}

Test(ext_answer, offered_extensions_may_be_answered)
{
	const uint16_t a[] = {PETREL_EXT_EXTENDED_MASTER_SECRET, PETREL_EXT_RENEGOTIATION_INFO};
	cr_assert_eq(check(a, 2, false, true), 0);
	cr_assert_eq(check(NULL, 0, false, true), 0, "no extensions at all");
}

Test(ext_answer, unoffered_connection_id_is_unsupported_extension)
{
	/* RFC 9146 3: only a client that sent connection_id gets one back. */
	const uint16_t a[] = {PETREL_EXT_CONNECTION_ID};
	cr_assert_eq(check(a, 1, false, true), 0);
	cr_assert_eq(check(a, 1, false, false), PETREL_E_UNSUPPORTED_EXTENSION);
}

Test(ext_answer, unoffered_srtp_and_certificate_types_are_unsupported_extension)
{
	/* RFC 5764 4.1.2, RFC 7250 4.2. */
	const uint16_t srtp[] = {PETREL_EXT_USE_SRTP};
	const uint16_t cct[] = {PETREL_EXT_CLIENT_CERTIFICATE_TYPE};
	const uint16_t sct[] = {PETREL_EXT_EXTENDED_MASTER_SECRET, PETREL_EXT_SERVER_CERTIFICATE_TYPE};
	cr_assert_eq(check(srtp, 1, false, false), PETREL_E_UNSUPPORTED_EXTENSION);
	cr_assert_eq(check(cct, 1, false, true), PETREL_E_UNSUPPORTED_EXTENSION);
	cr_assert_eq(check(sct, 2, false, true), PETREL_E_UNSUPPORTED_EXTENSION);
}

Test(ext_answer, unknown_type_in_server_hello_is_unsupported_extension)
{
	const uint16_t a[] = {0x1234};
	const uint16_t b[] = {PETREL_EXT_HEARTBEAT};
	const uint16_t c[] = {PETREL_EXT_RECORD_SIZE_LIMIT};
	cr_assert_eq(check(a, 1, false, true), PETREL_E_UNSUPPORTED_EXTENSION);
	cr_assert_eq(check(b, 1, false, true), PETREL_E_UNSUPPORTED_EXTENSION);
	cr_assert_eq(check(c, 1, false, true), PETREL_E_UNSUPPORTED_EXTENSION);
}

Test(ext_answer, renegotiation_info_answers_the_scsv)
{
	/* RFC 5746 3.4/3.6: the SCSV offers secure renegotiation. */
	const uint16_t a[] = {PETREL_EXT_RENEGOTIATION_INFO};
	cr_assert_eq(check(a, 1, true, false), 0);
	cr_assert_eq(check(a, 1, false, false), PETREL_E_UNSUPPORTED_EXTENSION);
}

Test(ext_answer, error_maps_to_the_unsupported_extension_alert)
{
	cr_assert_eq(petrel_alert_for_error(PETREL_E_UNSUPPORTED_EXTENSION), ALERT_UNSUPPORTED_EXTENSION);
	cr_assert_str_eq(petrel_strerror_name(PETREL_E_UNSUPPORTED_EXTENSION),
			 "PETREL_E_UNSUPPORTED_EXTENSION");
}

/* ---- A client session given a crafted ServerHello -------------------- */

struct wire {
	uint8_t sent[8][1600];
	size_t sent_len[8];
	unsigned sent_count;
	uint8_t in[1600];
	size_t in_len;
	uint64_t now;
};

static long wire_push(void *ptr, const uint8_t *d, size_t len)
{
	struct wire *w = ptr;
	if (w->sent_count < 8 && len <= sizeof w->sent[0]) {
		memcpy(w->sent[w->sent_count], d, len);
		w->sent_len[w->sent_count++] = len;
	}
	return (long)len;
}

static long wire_pull(void *ptr, uint8_t *buf, size_t cap)
{
	struct wire *w = ptr;
	if (w->in_len == 0 || w->in_len > cap)
		return PETREL_E_AGAIN;
	memcpy(buf, w->in, w->in_len);
	long n = (long)w->in_len;
	w->in_len = 0;
	return n;
}

static uint64_t wire_clock(void *ptr)
{
	return ((struct wire *)ptr)->now;
}

/* An epoch-0 record holding one unfragmented handshake message. */
static size_t hs_record(uint8_t *out, uint8_t msg_type, const uint8_t *body, size_t len)
{
	size_t n = 0, frag = 12 + len;
	const uint8_t rh[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, (uint8_t)(frag >> 8), (uint8_t)frag};
	memcpy(out, rh, sizeof rh);
	n = sizeof rh;
	const uint8_t hh[] = {msg_type, 0, (uint8_t)(len >> 8), (uint8_t)len, 0, 0,
			      0, 0, 0, 0, (uint8_t)(len >> 8), (uint8_t)len};
	memcpy(out + n, hh, sizeof hh);
	n += sizeof hh;
	memcpy(out + n, body, len);
	return n + len;
}

static void client_gets_server_hello_with(uint16_t ext_type)
{
	petrel_credentials *c;
	static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_psk(c, "device-1", key, sizeof key), 0);
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2), 0); /* a DTLS 1.2 test */
	petrel_session_set_credentials(s, c);
	struct wire w;
	memset(&w, 0, sizeof w);
	w.now = 1000;
	petrel_transport_set_ptr(s, &w);
	petrel_transport_set_push_function(s, wire_push);
	petrel_transport_set_pull_function(s, wire_pull);
	petrel_transport_set_clock_function(s, wire_clock, &w);
	petrel_dtls_set_timeouts(s, 0, 4000);
	cr_assert_eq(petrel_handshake(s), PETREL_E_AGAIN);
	cr_assert_eq(w.sent_count, 1, "the ClientHello");

	/* The ServerHello picks the suite the client offered first. */
	struct petrel_client_hello ch;
	cr_assert_eq(petrel_client_hello_parse(w.sent[0] + 25, w.sent_len[0] - 25, &ch), 0);
	uint16_t suite = (uint16_t)(ch.cipher_suites[0] << 8 | ch.cipher_suites[1]);
	uint8_t eb[64], shb[256];
	size_t el = ext_block(eb, &ext_type, 1);
	size_t shl = hello(shb, false, &suite, 1, eb, el, true);
	w.in_len = hs_record(w.in, PETREL_HS_SERVER_HELLO, shb, shl);
	w.sent_count = 0;
	/* An epoch-0 ServerHello could be forged: it is dropped and the
	 * refusal reported at the handshake timeout (dtls/hs_drop.c). */
	cr_assert_eq(petrel_handshake(s), PETREL_E_AGAIN);
	int rc = PETREL_E_AGAIN;
	while (rc == PETREL_E_AGAIN && w.now < 20000) {
		w.now += 500;
		w.sent_count = 0;
		rc = petrel_handshake(s);
	}
	cr_assert_eq(rc, PETREL_E_UNSUPPORTED_EXTENSION, "%s", petrel_strerror_name(rc));
	cr_assert_geq(w.now, 1000 + 4000, "at the timeout, not before");
	/* The fatal alert went out: level 2, description 110 (in the clear
	 * at epoch 0: type, version, epoch, seq, length, then the body). */
	cr_assert_eq(w.sent_count, 1);
	cr_assert_eq(w.sent_len[0], 13 + 2);
	cr_assert_eq(w.sent[0][0], 21);
	cr_assert_eq(w.sent[0][13], 2);
	cr_assert_eq(w.sent[0][14], ALERT_UNSUPPORTED_EXTENSION);
	petrel_session_free(s);
	petrel_credentials_free(c);
}

Test(ext_answer, client_aborts_on_unoffered_connection_id)
{
	client_gets_server_hello_with(PETREL_EXT_CONNECTION_ID);
}

Test(ext_answer, client_aborts_on_unoffered_use_srtp)
{
	client_gets_server_hello_with(PETREL_EXT_USE_SRTP);
}

Test(ext_answer, client_aborts_on_unoffered_server_certificate_type)
{
	client_gets_server_hello_with(PETREL_EXT_SERVER_CERTIFICATE_TYPE);
}

Test(ext_answer, client_aborts_on_unknown_extension)
{
	client_gets_server_hello_with(0xfafa);
}
