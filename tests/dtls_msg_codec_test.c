/* Round trips and malformed-input behaviour of every handshake message body
 * codec in dtls/messages.h (RFC 6347 4.2/4.3, RFC 5246 7.4, RFC 8422,
 * RFC 4279/5489, RFC 5077). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/messages.h"
#include "petrel/petrel.h"

static const uint8_t random32[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t sid[32] = {0xaa, 0xbb, 0xcc, [31] = 0xdd};
static const uint8_t cookie[20] = {0xc0, 0x0c, 0x1e, [19] = 0x99};
static const uint8_t suites[] = {0xc0, 0x2b, 0xcc, 0xa9, 0x00, 0xff};
static const uint8_t comp_null[] = {0};
static const uint8_t groups[] = {0x00, 0x1d, 0x00, 0x17};
static const uint8_t point65[65] = {0x04, 1, 2, 3, [64] = 0x77};
static const uint8_t sig72[72] = {0x30, 0x46, [71] = 0x55};
static const uint8_t cert_a[] = {0x30, 0x82, 0x00, 0x01, 0xff};
static const uint8_t cert_b[] = {0x30, 0x03, 0x02, 0x01, 0x05};

/* ---- Builders: each writes one valid message into buf ---- */

static void fill_client_hello(struct petrel_client_hello *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->client_version = PETREL_WIRE_DTLS12;
	ch->random = random32;
	ch->session_id = sid;
	ch->session_id_len = sizeof(sid);
	ch->cookie = cookie;
	ch->cookie_len = sizeof(cookie);
	ch->cipher_suites = suites;
	ch->cipher_suites_len = sizeof(suites);
	ch->compression_methods = comp_null;
	ch->compression_methods_len = 1;
	ch->has_extensions = true;
	ch->ext.has_supported_groups = true;
	ch->ext.supported_groups = groups;
	ch->ext.supported_groups_len = sizeof(groups);
	ch->ext.extended_master_secret = true;
	ch->ext.has_renegotiation_info = true;
}

static void fill_server_hello(struct petrel_server_hello *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->server_version = PETREL_WIRE_DTLS12;
	sh->random = random32;
	sh->session_id = sid;
	sh->session_id_len = 16;
	sh->cipher_suite = PETREL_CS_ECDHE_ECDSA_AES_128_GCM_SHA256;
	sh->has_extensions = true;
	sh->ext.extended_master_secret = true;
	sh->ext.has_renegotiation_info = true;
}

static int w_client_hello(struct petrel_writer *w)
{
	struct petrel_client_hello ch;
	fill_client_hello(&ch);
	return petrel_client_hello_write(w, &ch);
}
static int p_client_hello(const uint8_t *b, size_t n)
{
	struct petrel_client_hello ch;
	return petrel_client_hello_parse(b, n, &ch);
}
static int w_server_hello(struct petrel_writer *w)
{
	struct petrel_server_hello sh;
	fill_server_hello(&sh);
	return petrel_server_hello_write(w, &sh);
}
static int p_server_hello(const uint8_t *b, size_t n)
{
	struct petrel_server_hello sh;
	return petrel_server_hello_parse(b, n, &sh);
}
static int w_hvr(struct petrel_writer *w)
{
	struct petrel_hello_verify_request hvr = {PETREL_WIRE_DTLS10, cookie, sizeof(cookie)};
	return petrel_hello_verify_request_write(w, &hvr);
}
static int p_hvr(const uint8_t *b, size_t n)
{
	struct petrel_hello_verify_request hvr;
	return petrel_hello_verify_request_parse(b, n, &hvr);
}
static int w_certificate(struct petrel_writer *w)
{
	struct petrel_certificate_msg msg = {2, {{cert_a, sizeof(cert_a)}, {cert_b, sizeof(cert_b)}}};
	return petrel_certificate_write(w, &msg);
}
static int p_certificate(const uint8_t *b, size_t n)
{
	struct petrel_certificate_msg msg;
	return petrel_certificate_parse(b, n, &msg);
}
static const uint8_t cert_types[] = {PETREL_CERT_TYPE_ECDSA_SIGN, PETREL_CERT_TYPE_RSA_SIGN};
static const uint8_t sigalgs[] = {0x04, 0x03, 0x08, 0x07, 0x08, 0x04};
static const uint8_t dns[] = {0x00, 0x03, 0x30, 0x01, 0x00, 0x00, 0x02, 0x30, 0x00};
static int w_cert_request(struct petrel_writer *w)
{
	struct petrel_certificate_request cr = {cert_types, sizeof(cert_types), sigalgs,
						sizeof(sigalgs), dns, sizeof(dns)};
	return petrel_certificate_request_write(w, &cr);
}
static int p_cert_request(const uint8_t *b, size_t n)
{
	struct petrel_certificate_request cr;
	return petrel_certificate_request_parse(b, n, &cr);
}
static int w_cert_verify(struct petrel_writer *w)
{
	struct petrel_digitally_signed ds = {0x0403, sig72, sizeof(sig72)};
	return petrel_digitally_signed_write(w, &ds);
}
static int p_cert_verify(const uint8_t *b, size_t n)
{
	struct petrel_digitally_signed ds;
	return petrel_certificate_verify_parse(b, n, &ds);
}
static int w_ske_ecdhe(struct petrel_writer *w)
{
	struct petrel_server_key_exchange ske = {
		.ecdh = {.named_group = 0x0017, .point = point65, .point_len = 65},
		.sig = {0x0403, sig72, sizeof(sig72)}};
	return petrel_server_key_exchange_write(w, PETREL_MSG_KX_ECDHE, &ske);
}
static int p_ske_ecdhe(const uint8_t *b, size_t n)
{
	struct petrel_server_key_exchange ske;
	return petrel_server_key_exchange_parse(b, n, PETREL_MSG_KX_ECDHE, &ske);
}
static int w_ske_psk(struct petrel_writer *w)
{
	struct petrel_server_key_exchange ske = {.psk_identity_hint = (const uint8_t *)"hint",
						 .psk_identity_hint_len = 4};
	return petrel_server_key_exchange_write(w, PETREL_MSG_KX_PSK, &ske);
}
static int p_ske_psk(const uint8_t *b, size_t n)
{
	struct petrel_server_key_exchange ske;
	return petrel_server_key_exchange_parse(b, n, PETREL_MSG_KX_PSK, &ske);
}
static int w_ske_ecdhe_psk(struct petrel_writer *w)
{
	struct petrel_server_key_exchange ske = {
		.psk_identity_hint = (const uint8_t *)"hint", .psk_identity_hint_len = 4,
		.ecdh = {.named_group = 0x001d, .point = point65 + 1, .point_len = 32}};
	return petrel_server_key_exchange_write(w, PETREL_MSG_KX_ECDHE_PSK, &ske);
}
static int p_ske_ecdhe_psk(const uint8_t *b, size_t n)
{
	struct petrel_server_key_exchange ske;
	return petrel_server_key_exchange_parse(b, n, PETREL_MSG_KX_ECDHE_PSK, &ske);
}
static int w_cke_ecdhe(struct petrel_writer *w)
{
	struct petrel_client_key_exchange cke = {.point = point65, .point_len = 65};
	return petrel_client_key_exchange_write(w, PETREL_MSG_KX_ECDHE, &cke);
}
static int p_cke_ecdhe(const uint8_t *b, size_t n)
{
	struct petrel_client_key_exchange cke;
	return petrel_client_key_exchange_parse(b, n, PETREL_MSG_KX_ECDHE, &cke);
}
static int w_cke_psk(struct petrel_writer *w)
{
	struct petrel_client_key_exchange cke = {.psk_identity = (const uint8_t *)"petrel",
						 .psk_identity_len = 6};
	return petrel_client_key_exchange_write(w, PETREL_MSG_KX_PSK, &cke);
}
static int p_cke_psk(const uint8_t *b, size_t n)
{
	struct petrel_client_key_exchange cke;
	return petrel_client_key_exchange_parse(b, n, PETREL_MSG_KX_PSK, &cke);
}
static int w_cke_ecdhe_psk(struct petrel_writer *w)
{
	struct petrel_client_key_exchange cke = {.psk_identity = (const uint8_t *)"petrel",
						 .psk_identity_len = 6, .point = point65 + 1,
						 .point_len = 32};
	return petrel_client_key_exchange_write(w, PETREL_MSG_KX_ECDHE_PSK, &cke);
}
static int p_cke_ecdhe_psk(const uint8_t *b, size_t n)
{
	struct petrel_client_key_exchange cke;
	return petrel_client_key_exchange_parse(b, n, PETREL_MSG_KX_ECDHE_PSK, &cke);
}
static int w_finished(struct petrel_writer *w) { return petrel_finished_write(w, random32); }
static int p_finished(const uint8_t *b, size_t n)
{
	const uint8_t *vd;
	return petrel_finished_parse(b, n, &vd);
}
static int w_ticket(struct petrel_writer *w)
{
	struct petrel_new_session_ticket nst = {7200, sig72, sizeof(sig72)};
	return petrel_new_session_ticket_write(w, &nst);
}
static int p_ticket(const uint8_t *b, size_t n)
{
	struct petrel_new_session_ticket nst;
	return petrel_new_session_ticket_parse(b, n, &nst);
}

struct codec_case {
	const char *name;
	int (*write)(struct petrel_writer *w);
	int (*parse)(const uint8_t *b, size_t n);
	size_t expected_len;
};

static const struct codec_case cases[] = {
	/* 2+32+1+32+1+20+2+6+1+1 + ext block 2 + (4+6) + 4 + (4+1) */
	{"client_hello", w_client_hello, p_client_hello, 98 + 2 + 10 + 4 + 5},
	{"server_hello", w_server_hello, p_server_hello, 2 + 32 + 1 + 16 + 3 + 2 + 4 + 5},
	{"hello_verify_request", w_hvr, p_hvr, 2 + 1 + 20},
	{"certificate", w_certificate, p_certificate, 3 + 3 + 5 + 3 + 5},
	{"certificate_request", w_cert_request, p_cert_request, 1 + 2 + 2 + 6 + 2 + 9},
	{"certificate_verify", w_cert_verify, p_cert_verify, 2 + 2 + 72},
	{"ske_ecdhe", w_ske_ecdhe, p_ske_ecdhe, 4 + 65 + 4 + 72},
	{"ske_psk", w_ske_psk, p_ske_psk, 2 + 4},
	{"ske_ecdhe_psk", w_ske_ecdhe_psk, p_ske_ecdhe_psk, 2 + 4 + 4 + 32},
	{"cke_ecdhe", w_cke_ecdhe, p_cke_ecdhe, 1 + 65},
	{"cke_psk", w_cke_psk, p_cke_psk, 2 + 6},
	{"cke_ecdhe_psk", w_cke_ecdhe_psk, p_cke_ecdhe_psk, 2 + 6 + 1 + 32},
	{"finished", w_finished, p_finished, 12},
	{"new_session_ticket", w_ticket, p_ticket, 4 + 2 + 72},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

Test(dtls_msg_codec, every_written_message_parses_back_with_expected_length)
{
	for (size_t i = 0; i < N_CASES; i++) {
		uint8_t buf[1024];
		struct petrel_writer w;
		petrel_writer_init(&w, buf, sizeof(buf));
		cr_assert_eq(cases[i].write(&w), 0, "%s", cases[i].name);
		cr_assert_eq(petrel_writer_len(&w), cases[i].expected_len, "%s: %zu", cases[i].name,
			     petrel_writer_len(&w));
		cr_assert_eq(cases[i].parse(buf, petrel_writer_len(&w)), 0, "%s", cases[i].name);
	}
}

Test(dtls_msg_codec, every_message_rejects_truncation_at_every_length)
{
	for (size_t i = 0; i < N_CASES; i++) {
		uint8_t buf[1024];
		struct petrel_writer w;
		petrel_writer_init(&w, buf, sizeof(buf));
		cr_assert_eq(cases[i].write(&w), 0);
		size_t len = petrel_writer_len(&w);
		/* Where the extensions block starts: a hello cut exactly there is an
		 * extension-less hello, legal by RFC 5246 7.4.1.2. */
		size_t ext_start = !strcmp(cases[i].name, "client_hello") ? 98
				   : !strcmp(cases[i].name, "server_hello") ? 54
									    : (size_t)-1;
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *copy = malloc(cut ? cut : 1);
			memcpy(copy, buf, cut);
			int rc = cases[i].parse(copy, cut);
			free(copy);
			if (cut == ext_start)
				cr_assert_eq(rc, 0, "%s cut %zu", cases[i].name, cut);
			else
				cr_assert_eq(rc, PETREL_E_DECODE_ERROR, "%s cut %zu: %d", cases[i].name,
					     cut, rc);
		}
	}
}

Test(dtls_msg_codec, every_message_rejects_a_trailing_byte)
{
	for (size_t i = 0; i < N_CASES; i++) {
		uint8_t buf[1024];
		struct petrel_writer w;
		petrel_writer_init(&w, buf, sizeof(buf));
		cr_assert_eq(cases[i].write(&w), 0);
		buf[petrel_writer_len(&w)] = 0;
		cr_assert_eq(cases[i].parse(buf, petrel_writer_len(&w) + 1), PETREL_E_DECODE_ERROR,
			     "%s", cases[i].name);
	}
}

Test(dtls_msg_codec, every_writer_reports_short_buffer_without_overrun)
{
	for (size_t i = 0; i < N_CASES; i++) {
		for (size_t cap = 0; cap < cases[i].expected_len; cap++) {
			uint8_t *buf = malloc(cap ? cap : 1);
			struct petrel_writer w;
			petrel_writer_init(&w, buf, cap);
			cr_assert_eq(cases[i].write(&w), PETREL_E_SHORT_BUFFER, "%s cap %zu",
				     cases[i].name, cap);
			free(buf);
		}
	}
}

/* ---- Field-level checks ---- */

Test(dtls_msg_codec, client_hello_fields_round_trip)
{
	struct petrel_client_hello in, out;
	uint8_t buf[512];
	struct petrel_writer w;

	fill_client_hello(&in);
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_client_hello_write(&w, &in), 0);
	cr_assert_eq(petrel_client_hello_parse(buf, petrel_writer_len(&w), &out), 0);
	cr_assert_eq(out.client_version, 0xFEFD);
	cr_assert_arr_eq(out.random, random32, 32);
	cr_assert_eq(out.session_id_len, 32);
	cr_assert_arr_eq(out.session_id, sid, 32);
	cr_assert_eq(out.cookie_len, 20);
	cr_assert_arr_eq(out.cookie, cookie, 20);
	cr_assert_eq(out.cipher_suites_len, sizeof(suites));
	cr_assert_arr_eq(out.cipher_suites, suites, sizeof(suites));
	cr_assert_eq(out.compression_methods_len, 1);
	cr_assert(out.has_extensions);
	cr_assert_eq(out.extensions_raw, buf + 100);
	cr_assert_eq(out.extensions_raw_len, 19);
	cr_assert(out.ext.extended_master_secret);
	cr_assert(out.ext.has_renegotiation_info);
	cr_assert_eq(out.ext.renegotiation_info_len, 0);
	cr_assert_arr_eq(out.ext.supported_groups, groups, sizeof(groups));
}

Test(dtls_msg_codec, client_hello_without_extensions_round_trips)
{
	struct petrel_client_hello in, out;
	uint8_t buf[512];
	struct petrel_writer w;

	fill_client_hello(&in);
	in.has_extensions = false;
	in.session_id_len = 0;
	in.cookie_len = 0;
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_client_hello_write(&w, &in), 0);
	cr_assert_eq(petrel_writer_len(&w), 2 + 32 + 1 + 1 + 2 + 6 + 2);
	cr_assert_eq(petrel_client_hello_parse(buf, petrel_writer_len(&w), &out), 0);
	cr_assert_not(out.has_extensions);
	cr_assert_eq(out.session_id_len, 0);
	cr_assert_eq(out.cookie_len, 0);
}

/* Builds a minimal ClientHello around the given vectors, without checks. */
static size_t raw_client_hello(uint8_t *buf, size_t sid_len, const uint8_t *cs, size_t cs_len,
			       const uint8_t *cm, size_t cm_len)
{
	struct petrel_writer w;
	uint8_t zeros[40] = {0};
	petrel_writer_init(&w, buf, 512);
	petrel_put_u16(&w, 0xFEFD);
	petrel_put_bytes(&w, random32, 32);
	petrel_put_opaque8(&w, zeros, sid_len);
	petrel_put_opaque8(&w, NULL, 0);
	petrel_put_opaque16(&w, cs, cs_len);
	petrel_put_opaque8(&w, cm, cm_len);
	cr_assert(petrel_writer_ok(&w));
	return petrel_writer_len(&w);
}

Test(dtls_msg_codec, client_hello_vector_bounds_are_enforced)
{
	struct petrel_client_hello ch;
	uint8_t buf[512];
	static const uint8_t comp_deflate[] = {1};
	static const uint8_t comp_both[] = {1, 0};
	size_t n;

	n = raw_client_hello(buf, 32, suites, 6, comp_null, 1);
	cr_assert_eq(petrel_client_hello_parse(buf, n, &ch), 0);
	n = raw_client_hello(buf, 33, suites, 6, comp_null, 1);
	cr_assert_eq(petrel_client_hello_parse(buf, n, &ch), PETREL_E_DECODE_ERROR);
	n = raw_client_hello(buf, 0, suites, 5, comp_null, 1);
	cr_assert_eq(petrel_client_hello_parse(buf, n, &ch), PETREL_E_DECODE_ERROR);
	n = raw_client_hello(buf, 0, suites, 0, comp_null, 1);
	cr_assert_eq(petrel_client_hello_parse(buf, n, &ch), PETREL_E_DECODE_ERROR);
	n = raw_client_hello(buf, 0, suites, 6, comp_null, 0);
	cr_assert_eq(petrel_client_hello_parse(buf, n, &ch), PETREL_E_DECODE_ERROR);
	n = raw_client_hello(buf, 0, suites, 6, comp_deflate, 1);
	cr_assert_eq(petrel_client_hello_parse(buf, n, &ch), PETREL_E_ILLEGAL_PARAMETER);
	n = raw_client_hello(buf, 0, suites, 6, comp_both, 2);
	cr_assert_eq(petrel_client_hello_parse(buf, n, &ch), 0);
	/* An extensions length that promises more than is there. */
	buf[n] = 0x00;
	buf[n + 1] = 0x05;
	cr_assert_eq(petrel_client_hello_parse(buf, n + 2, &ch), PETREL_E_DECODE_ERROR);
	/* A lone byte where the extensions length would be. */
	cr_assert_eq(petrel_client_hello_parse(buf, n + 1, &ch), PETREL_E_DECODE_ERROR);
	/* An empty extensions block is legal and present. */
	buf[n + 1] = 0x00;
	cr_assert_eq(petrel_client_hello_parse(buf, n + 2, &ch), 0);
	cr_assert(ch.has_extensions);
}

Test(dtls_msg_codec, client_hello_writer_refuses_out_of_bounds_fields)
{
	struct petrel_client_hello ch;
	uint8_t buf[512];
	struct petrel_writer w;

	fill_client_hello(&ch);
	ch.session_id_len = 33;
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_client_hello_write(&w, &ch), PETREL_E_INVALID_REQUEST);
	fill_client_hello(&ch);
	ch.cipher_suites_len = 3;
	cr_assert_eq(petrel_client_hello_write(&w, &ch), PETREL_E_INVALID_REQUEST);
	fill_client_hello(&ch);
	ch.compression_methods_len = 0;
	cr_assert_eq(petrel_client_hello_write(&w, &ch), PETREL_E_INVALID_REQUEST);
}

Test(dtls_msg_codec, server_hello_fields_round_trip_and_compression_must_be_null)
{
	struct petrel_server_hello in, out;
	uint8_t buf[256];
	struct petrel_writer w;

	fill_server_hello(&in);
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_server_hello_write(&w, &in), 0);
	size_t n = petrel_writer_len(&w);
	cr_assert_eq(petrel_server_hello_parse(buf, n, &out), 0);
	cr_assert_eq(out.server_version, 0xFEFD);
	cr_assert_arr_eq(out.random, random32, 32);
	cr_assert_eq(out.session_id_len, 16);
	cr_assert_eq(out.cipher_suite, 0xC02B);
	cr_assert(out.ext.extended_master_secret);
	cr_assert(out.ext.has_renegotiation_info);

	buf[2 + 32 + 1 + 16 + 2] = 1; /* compression_method = deflate */
	cr_assert_eq(petrel_server_hello_parse(buf, n, &out), PETREL_E_ILLEGAL_PARAMETER);
	buf[2 + 32 + 1 + 16 + 2] = 0;
	buf[2 + 32] = 33; /* session_id length over 32 */
	cr_assert_eq(petrel_server_hello_parse(buf, n, &out), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_codec, server_hello_duplicate_extension_is_a_decode_error)
{
	uint8_t buf[256];
	struct petrel_writer w;
	struct petrel_server_hello sh;
	struct petrel_len_scope block;

	petrel_writer_init(&w, buf, sizeof(buf));
	petrel_put_u16(&w, 0xFEFD);
	petrel_put_bytes(&w, random32, 32);
	petrel_put_opaque8(&w, NULL, 0);
	petrel_put_u16(&w, 0xC02B);
	petrel_put_u8(&w, 0);
	petrel_put_len_open(&w, 2, &block);
	petrel_put_u16(&w, PETREL_EXT_EXTENDED_MASTER_SECRET);
	petrel_put_u16(&w, 0);
	petrel_put_u16(&w, PETREL_EXT_EXTENDED_MASTER_SECRET);
	petrel_put_u16(&w, 0);
	petrel_put_len_close(&w, &block);
	cr_assert(petrel_writer_ok(&w));
	cr_assert_eq(petrel_server_hello_parse(buf, petrel_writer_len(&w), &sh),
		     PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_codec, hello_verify_request_round_trips_cookie)
{
	uint8_t buf[300];
	struct petrel_writer w;
	struct petrel_hello_verify_request hvr = {PETREL_WIRE_DTLS10, cookie, sizeof(cookie)}, out;
	static const uint8_t big[256];

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_hello_verify_request_write(&w, &hvr), 0);
	cr_assert_eq(buf[0], 0xFE);
	cr_assert_eq(buf[1], 0xFF);
	cr_assert_eq(buf[2], 20);
	cr_assert_eq(petrel_hello_verify_request_parse(buf, petrel_writer_len(&w), &out), 0);
	cr_assert_eq(out.server_version, PETREL_WIRE_DTLS10);
	cr_assert_arr_eq(out.cookie, cookie, 20);
	hvr.cookie = big;
	hvr.cookie_len = 256;
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_hello_verify_request_write(&w, &hvr), PETREL_E_INVALID_REQUEST);
}

Test(dtls_msg_codec, empty_bodies_must_be_empty)
{
	static const uint8_t one = 0;
	cr_assert_eq(petrel_server_hello_done_parse(NULL, 0), 0);
	cr_assert_eq(petrel_server_hello_done_parse(&one, 1), PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_hello_request_parse(NULL, 0), 0);
	cr_assert_eq(petrel_hello_request_parse(&one, 1), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_codec, certificate_chain_round_trips_and_is_bounded)
{
	uint8_t buf[512];
	struct petrel_writer w;
	struct petrel_certificate_msg in = {0}, out;

	for (size_t i = 0; i < PETREL_CERT_CHAIN_MAX; i++)
		in.certs[in.count++] = (struct petrel_cert_entry){i % 2 ? cert_a : cert_b, 5};
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_certificate_write(&w, &in), 0);
	size_t n = petrel_writer_len(&w);
	cr_assert_eq(n, 3 + PETREL_CERT_CHAIN_MAX * 8);
	cr_assert_eq(petrel_certificate_parse(buf, n, &out), 0);
	cr_assert_eq(out.count, PETREL_CERT_CHAIN_MAX);
	cr_assert_arr_eq(out.certs[1].der, cert_a, 5);
	cr_assert_arr_eq(out.certs[2].der, cert_b, 5);

	/* One more certificate than the cap: refused, not truncated. */
	petrel_put_opaque24(&w, cert_a, 5);
	petrel_store_u24(buf, (uint32_t)(n - 3 + 8));
	cr_assert_eq(petrel_certificate_parse(buf, n + 8, &out), PETREL_E_LIMIT_EXCEEDED);

	/* Empty list: legal (a client without a certificate). */
	static const uint8_t empty[] = {0, 0, 0};
	cr_assert_eq(petrel_certificate_parse(empty, 3, &out), 0);
	cr_assert_eq(out.count, 0);
	/* A zero-length ASN.1Cert violates <1..2^24-1>. */
	static const uint8_t zero_cert[] = {0, 0, 3, 0, 0, 0};
	cr_assert_eq(petrel_certificate_parse(zero_cert, 6, &out), PETREL_E_DECODE_ERROR);
	/* A certificate length running past the list. */
	static const uint8_t overrun[] = {0, 0, 4, 0, 0, 2, 0x30};
	cr_assert_eq(petrel_certificate_parse(overrun, 7, &out), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_codec, certificate_request_fields_round_trip_and_bounds)
{
	uint8_t buf[128];
	struct petrel_writer w;
	struct petrel_certificate_request out;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(w_cert_request(&w), 0);
	cr_assert_eq(petrel_certificate_request_parse(buf, petrel_writer_len(&w), &out), 0);
	cr_assert_arr_eq(out.certificate_types, cert_types, 2);
	cr_assert_arr_eq(out.signature_algorithms, sigalgs, 6);
	cr_assert_eq(out.certificate_authorities_len, 9);
	struct petrel_opaque_iter it;
	const uint8_t *dn;
	size_t dn_len, count = 0;
	petrel_opaque_iter_init(&it, out.certificate_authorities, out.certificate_authorities_len, 2);
	while (petrel_opaque_iter_next(&it, &dn, &dn_len))
		count++;
	cr_assert_eq(count, 2);

	static const uint8_t no_types[] = {0, 0, 2, 4, 3, 0, 0};
	cr_assert_eq(petrel_certificate_request_parse(no_types, sizeof(no_types), &out),
		     PETREL_E_DECODE_ERROR);
	static const uint8_t no_sigalgs[] = {1, 64, 0, 0, 0, 0};
	cr_assert_eq(petrel_certificate_request_parse(no_sigalgs, sizeof(no_sigalgs), &out),
		     PETREL_E_DECODE_ERROR);
	static const uint8_t odd_sigalgs[] = {1, 64, 0, 3, 4, 3, 8, 0, 0};
	cr_assert_eq(petrel_certificate_request_parse(odd_sigalgs, sizeof(odd_sigalgs), &out),
		     PETREL_E_DECODE_ERROR);
	static const uint8_t empty_dn[] = {1, 64, 0, 2, 4, 3, 0, 2, 0, 0};
	cr_assert_eq(petrel_certificate_request_parse(empty_dn, sizeof(empty_dn), &out),
		     PETREL_E_DECODE_ERROR);
	static const uint8_t ragged_dn[] = {1, 64, 0, 2, 4, 3, 0, 3, 0, 2, 0x30};
	cr_assert_eq(petrel_certificate_request_parse(ragged_dn, sizeof(ragged_dn), &out),
		     PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_codec, certificate_verify_fields_round_trip)
{
	uint8_t buf[128];
	struct petrel_writer w;
	struct petrel_digitally_signed out;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(w_cert_verify(&w), 0);
	cr_assert_eq(petrel_certificate_verify_parse(buf, petrel_writer_len(&w), &out), 0);
	cr_assert_eq(out.scheme, 0x0403);
	cr_assert_eq(out.signature_len, 72);
	cr_assert_arr_eq(out.signature, sig72, 72);
}

Test(dtls_msg_codec, ske_ecdhe_exposes_signed_params_range)
{
	uint8_t buf[256];
	struct petrel_writer w;
	struct petrel_server_key_exchange out;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(w_ske_ecdhe(&w), 0);
	cr_assert_eq(petrel_server_key_exchange_parse(buf, petrel_writer_len(&w), PETREL_MSG_KX_ECDHE,
						      &out), 0);
	cr_assert_eq(out.ecdh.named_group, 0x0017);
	cr_assert_eq(out.ecdh.raw, buf);
	cr_assert_eq(out.ecdh.raw_len, 69);
	cr_assert_eq(buf[0], 3);
	cr_assert_arr_eq(out.ecdh.point, point65, 65);
	cr_assert_eq(out.sig.scheme, 0x0403);
	cr_assert_arr_eq(out.sig.signature, sig72, 72);
	cr_assert_eq(out.psk_identity_hint_len, 0);

	/* Writing params alone yields exactly the signed range. */
	uint8_t params[128];
	petrel_writer_init(&w, params, sizeof(params));
	cr_assert_eq(petrel_ecdh_params_write(&w, 0x0017, point65, 65), 0);
	cr_assert_eq(petrel_writer_len(&w), out.ecdh.raw_len);
	cr_assert_arr_eq(params, out.ecdh.raw, out.ecdh.raw_len);

	/* explicit_prime curves (RFC 8422 5.4) are refused. */
	buf[0] = 1;
	cr_assert_eq(petrel_server_key_exchange_parse(buf, 145, PETREL_MSG_KX_ECDHE, &out),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* An empty point violates point<1..255>. */
	static const uint8_t empty_point[] = {3, 0, 0x1d, 0, 4, 3, 0, 0};
	cr_assert_eq(petrel_server_key_exchange_parse(empty_point, sizeof(empty_point),
						      PETREL_MSG_KX_ECDHE, &out),
		     PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_server_key_exchange_parse(empty_point, sizeof(empty_point), 0, &out),
		     PETREL_E_INVALID_REQUEST);
}

Test(dtls_msg_codec, ske_psk_variants_round_trip)
{
	uint8_t buf[128];
	struct petrel_writer w;
	struct petrel_server_key_exchange out;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(w_ske_psk(&w), 0);
	cr_assert_eq(petrel_server_key_exchange_parse(buf, petrel_writer_len(&w), PETREL_MSG_KX_PSK,
						      &out), 0);
	cr_assert_eq(out.psk_identity_hint_len, 4);
	cr_assert_arr_eq(out.psk_identity_hint, "hint", 4);

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(w_ske_ecdhe_psk(&w), 0);
	cr_assert_eq(petrel_server_key_exchange_parse(buf, petrel_writer_len(&w),
						      PETREL_MSG_KX_ECDHE_PSK, &out), 0);
	cr_assert_arr_eq(out.psk_identity_hint, "hint", 4);
	cr_assert_eq(out.ecdh.named_group, 0x001d);
	cr_assert_eq(out.ecdh.point_len, 32);
	cr_assert_eq(out.ecdh.raw, buf + 6);
	cr_assert_eq(out.sig.signature_len, 0);
}

Test(dtls_msg_codec, cke_variants_round_trip_and_reject_empty_point)
{
	uint8_t buf[128];
	struct petrel_writer w;
	struct petrel_client_key_exchange out;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(w_cke_ecdhe_psk(&w), 0);
	cr_assert_eq(petrel_client_key_exchange_parse(buf, petrel_writer_len(&w),
						      PETREL_MSG_KX_ECDHE_PSK, &out), 0);
	cr_assert_arr_eq(out.psk_identity, "petrel", 6);
	cr_assert_eq(out.point_len, 32);
	cr_assert_arr_eq(out.point, point65 + 1, 32);

	static const uint8_t empty_point[] = {0};
	cr_assert_eq(petrel_client_key_exchange_parse(empty_point, 1, PETREL_MSG_KX_ECDHE, &out),
		     PETREL_E_DECODE_ERROR);
	static const uint8_t empty_identity[] = {0, 0};
	cr_assert_eq(petrel_client_key_exchange_parse(empty_identity, 2, PETREL_MSG_KX_PSK, &out), 0);
	cr_assert_eq(out.psk_identity_len, 0);

	struct petrel_client_key_exchange bad = {.point = NULL, .point_len = 0};
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_client_key_exchange_write(&w, PETREL_MSG_KX_ECDHE, &bad),
		     PETREL_E_INVALID_REQUEST);
}

Test(dtls_msg_codec, finished_is_exactly_twelve_bytes)
{
	uint8_t buf[16] = {0};
	const uint8_t *vd;
	struct petrel_writer w;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_finished_write(&w, random32), 0);
	cr_assert_eq(petrel_writer_len(&w), 12);
	cr_assert_eq(petrel_finished_parse(buf, 12, &vd), 0);
	cr_assert_eq(vd, buf);
	cr_assert_eq(petrel_finished_parse(buf, 11, &vd), PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_finished_parse(buf, 13, &vd), PETREL_E_DECODE_ERROR);
	cr_assert_null(vd);
	cr_assert_eq(petrel_finished_parse(NULL, 0, &vd), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_codec, new_session_ticket_fields_round_trip)
{
	uint8_t buf[128];
	struct petrel_writer w;
	struct petrel_new_session_ticket out;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(w_ticket(&w), 0);
	cr_assert_eq(petrel_new_session_ticket_parse(buf, petrel_writer_len(&w), &out), 0);
	cr_assert_eq(out.lifetime_hint_s, 7200);
	cr_assert_eq(out.ticket_len, 72);
	cr_assert_arr_eq(out.ticket, sig72, 72);
	/* An empty ticket is legal (RFC 5077 3.3: server will not issue one). */
	static const uint8_t empty[] = {0, 0, 0, 0, 0, 0};
	cr_assert_eq(petrel_new_session_ticket_parse(empty, 6, &out), 0);
	cr_assert_eq(out.ticket_len, 0);
}
