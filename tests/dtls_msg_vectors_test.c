/* The message parsers against real DTLS 1.2 sessions recorded from OpenSSL
 * 3.0 and GnuTLS 3.7 (tests/vectors, copied from ../shared/vectors; see its README). Epoch-0
 * handshake messages are rebuilt from their fragments here (a minimal
 * reassembly, only for these well-formed recordings) and each body is fed to
 * the matching parser. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/messages.h"
#include "petrel/petrel.h"
#include "tests/vector_reader.h"

#define VMSG_MAX 24
#define VMSG_BODY_MAX 4096

struct vmsg {
	bool from_server;
	uint8_t type;
	uint16_t seq;
	size_t len;
	uint8_t body[VMSG_BODY_MAX];
};

struct vsession {
	size_t count;
	struct vmsg msgs[VMSG_MAX];
};

static unsigned be(const uint8_t *p, int n)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void add_fragment(struct vsession *s, bool from_server, const uint8_t *rec, size_t rec_len)
{
	cr_assert_geq(rec_len, 12);
	unsigned type = rec[0], msg_len = be(rec + 1, 3), seq = be(rec + 4, 2);
	unsigned frag_off = be(rec + 6, 3), frag_len = be(rec + 9, 3);
	cr_assert_leq(12 + frag_len, rec_len);
	cr_assert_leq(msg_len, VMSG_BODY_MAX);
	cr_assert_leq(frag_off + frag_len, msg_len);

	struct vmsg *m = NULL;
	for (size_t i = 0; i < s->count; i++)
		if (s->msgs[i].from_server == from_server && s->msgs[i].seq == seq)
			m = &s->msgs[i];
	if (m == NULL) {
		cr_assert_lt(s->count, VMSG_MAX);
		m = &s->msgs[s->count++];
		m->from_server = from_server;
		m->type = (uint8_t)type;
		m->seq = (uint16_t)seq;
		m->len = msg_len;
	}
	memcpy(m->body + frag_off, rec + 12, frag_len);
}

#define MAX_DATAGRAMS 64

static struct vsession *load(const char *name)
{
	static struct vector_datagram dg[MAX_DATAGRAMS];
	size_t count = vector_load(dg, MAX_DATAGRAMS, NULL, NULL, "%s", name);
	struct vsession *s = calloc(1, sizeof(*s));
	for (size_t i = 0; i < count; i++) {
		const uint8_t *d = dg[i].data;
		size_t n = dg[i].len;
		/* DTLS 1.2 records: type(1) version(2) epoch(2) seq(6) length(2). */
		for (size_t off = 0; off + 13 <= n;) {
			unsigned type = d[off], epoch = be(d + off + 3, 2);
			unsigned len = be(d + off + 11, 2);
			cr_assert_leq(off + 13 + len, n);
			if (type == 22 && epoch == 0)
				add_fragment(s, dg[i].dir == S2C, d + off + 13, len);
			off += 13 + len;
		}
	}
	vector_unload(dg, count);
	return s;
}

/* The nth (0-based) message of this type sent by one side. */
static const struct vmsg *find(const struct vsession *s, bool from_server, uint8_t type, int nth)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->msgs[i].from_server == from_server && s->msgs[i].type == type && nth-- == 0)
			return &s->msgs[i];
	cr_assert_fail("message type %u not found", type);
	return NULL;
}

static const uint8_t x25519_group[] = {0x00, 0x1d};

/* Every message in a session parses; fills in what the specific tests check. */
static void check_common_hellos(const struct vsession *s, uint16_t suite)
{
	struct petrel_hello_verify_request hvr;
	struct petrel_client_hello ch1, ch2;
	struct petrel_server_hello sh;
	const struct vmsg *m;

	m = find(s, false, PETREL_HS_CLIENT_HELLO, 0);
	cr_assert_eq(petrel_client_hello_parse(m->body, m->len, &ch1), 0);
	cr_assert_eq(ch1.client_version, PETREL_WIRE_DTLS12);
	cr_assert_eq(ch1.cookie_len, 0);
	m = find(s, true, PETREL_HS_HELLO_VERIFY_REQUEST, 0);
	cr_assert_eq(petrel_hello_verify_request_parse(m->body, m->len, &hvr), 0);
	cr_assert_gt(hvr.cookie_len, 0);

	m = find(s, false, PETREL_HS_CLIENT_HELLO, 1);
	cr_assert_eq(petrel_client_hello_parse(m->body, m->len, &ch2), 0);
	/* RFC 6347 4.2.1: the second ClientHello echoes the cookie. */
	cr_assert_eq(ch2.cookie_len, hvr.cookie_len);
	cr_assert_arr_eq(ch2.cookie, hvr.cookie, hvr.cookie_len);
	cr_assert_arr_eq(ch2.random, ch1.random, PETREL_RANDOM_LEN);
	cr_assert(petrel_u16_list_contains(ch2.cipher_suites, ch2.cipher_suites_len, suite));
	cr_assert(ch2.has_extensions);
	cr_assert(ch2.ext.extended_master_secret);
	cr_assert(ch2.ext.has_signature_algorithms);
	cr_assert(ch2.ext.has_session_ticket);
	cr_assert_eq(ch2.ext.session_ticket_len, 0);

	m = find(s, true, PETREL_HS_SERVER_HELLO, 0);
	cr_assert_eq(petrel_server_hello_parse(m->body, m->len, &sh), 0);
	cr_assert_eq(sh.server_version, PETREL_WIRE_DTLS12);
	cr_assert_eq(sh.cipher_suite, suite);
	cr_assert_eq(sh.compression_method, 0);
	cr_assert(sh.ext.extended_master_secret);
	cr_assert(sh.ext.has_renegotiation_info);
	cr_assert_eq(sh.ext.renegotiation_info_len, 0);
	cr_assert_eq(sh.ext.unknown_count, 0);

	m = find(s, true, PETREL_HS_SERVER_HELLO_DONE, 0);
	cr_assert_eq(petrel_server_hello_done_parse(m->body, m->len), 0);

	struct petrel_new_session_ticket nst;
	m = find(s, true, PETREL_HS_NEW_SESSION_TICKET, 0);
	cr_assert_eq(petrel_new_session_ticket_parse(m->body, m->len, &nst), 0);
	cr_assert_gt(nst.lifetime_hint_s, 0);
	cr_assert_eq(nst.ticket_len, m->len - 6);
}

Test(dtls_msg_vectors, openssl_ecdhe_ecdsa_session_parses)
{
	struct vsession *s = load("openssl-ecdhe-ecdsa-aes128gcm.txt");
	check_common_hellos(s, PETREL_CS_ECDHE_ECDSA_AES_128_GCM_SHA256);

	struct petrel_client_hello ch;
	const struct vmsg *m = find(s, false, PETREL_HS_CLIENT_HELLO, 1);
	cr_assert_eq(petrel_client_hello_parse(m->body, m->len, &ch), 0);
	cr_assert_eq(ch.cipher_suites_len, 4);
	cr_assert(petrel_u16_list_contains(ch.cipher_suites, ch.cipher_suites_len,
					   PETREL_CS_EMPTY_RENEGOTIATION_INFO_SCSV));
	cr_assert(petrel_u16_list_contains(ch.ext.supported_groups, ch.ext.supported_groups_len,
					   0x001d));
	cr_assert(petrel_u16_list_contains(ch.ext.supported_groups, ch.ext.supported_groups_len,
					   0x0017));
	cr_assert(petrel_u16_list_contains(ch.ext.signature_algorithms,
					   ch.ext.signature_algorithms_len, 0x0403));
	cr_assert(ch.ext.encrypt_then_mac);
	cr_assert(ch.ext.has_ec_point_formats);
	cr_assert_eq(ch.ext.ec_point_formats_len, 3);
	cr_assert_eq(ch.ext.unknown_count, 0);

	struct petrel_certificate_msg cert;
	m = find(s, true, PETREL_HS_CERTIFICATE, 0);
	cr_assert_eq(m->len, 390);
	cr_assert_eq(petrel_certificate_parse(m->body, m->len, &cert), 0);
	cr_assert_eq(cert.count, 1);
	cr_assert_eq(cert.certs[0].der_len, 0x180);
	cr_assert_eq(cert.certs[0].der[0], 0x30); /* DER SEQUENCE */

	struct petrel_server_key_exchange ske;
	m = find(s, true, PETREL_HS_SERVER_KEY_EXCHANGE, 0);
	cr_assert_eq(petrel_server_key_exchange_parse(m->body, m->len, PETREL_MSG_KX_ECDHE, &ske), 0);
	cr_assert_eq(ske.ecdh.named_group, 0x001d);
	cr_assert_eq(ske.ecdh.point_len, 32);
	cr_assert_eq(ske.ecdh.raw, m->body);
	cr_assert_eq(ske.ecdh.raw_len, 4 + 32);
	cr_assert_eq(ske.sig.scheme, 0x0403); /* ecdsa_secp256r1_sha256 */
	cr_assert_eq(ske.sig.signature_len, m->len - 36 - 4);
	cr_assert_eq(ske.sig.signature[0], 0x30); /* DER ECDSA-Sig-Value */

	struct petrel_client_key_exchange cke;
	m = find(s, false, PETREL_HS_CLIENT_KEY_EXCHANGE, 0);
	cr_assert_eq(petrel_client_key_exchange_parse(m->body, m->len, PETREL_MSG_KX_ECDHE, &cke), 0);
	cr_assert_eq(cke.point_len, 32);
	cr_assert_eq(cke.psk_identity_len, 0);
	free(s);
}

Test(dtls_msg_vectors, openssl_fragmented_rsa_chacha_session_parses)
{
	struct vsession *s = load("openssl-ecdhe-rsa-chacha20-mtu300.txt");
	check_common_hellos(s, PETREL_CS_ECDHE_RSA_CHACHA20_POLY1305_SHA256);

	struct petrel_client_hello ch;
	const struct vmsg *m = find(s, false, PETREL_HS_CLIENT_HELLO, 1);
	cr_assert_eq(petrel_client_hello_parse(m->body, m->len, &ch), 0);
	cr_assert_eq(ch.ext.supported_groups_len, 2);
	cr_assert_arr_eq(ch.ext.supported_groups, x25519_group, 2);

	struct petrel_certificate_msg cert;
	m = find(s, true, PETREL_HS_CERTIFICATE, 0);
	cr_assert_eq(m->len, 787);
	cr_assert_eq(petrel_certificate_parse(m->body, m->len, &cert), 0);
	cr_assert_eq(cert.count, 1);
	cr_assert_eq(cert.certs[0].der_len, 0x30d);

	struct petrel_server_key_exchange ske;
	m = find(s, true, PETREL_HS_SERVER_KEY_EXCHANGE, 0);
	cr_assert_eq(petrel_server_key_exchange_parse(m->body, m->len, PETREL_MSG_KX_ECDHE, &ske), 0);
	cr_assert_eq(ske.ecdh.named_group, 0x001d);
	cr_assert_eq(ske.ecdh.raw_len, 36);
	/* An RSA-2048 signature (RSASSA-PSS or PKCS#1 with SHA-256). */
	cr_assert_eq(ske.sig.signature_len, 256);
	cr_assert(ske.sig.scheme == 0x0804 || ske.sig.scheme == 0x0401, "scheme %04x",
		  ske.sig.scheme);

	/* The same body as the wrong family must not parse. */
	cr_assert_neq(petrel_server_key_exchange_parse(m->body, m->len, PETREL_MSG_KX_ECDHE_PSK, &ske), 0);
	free(s);
}

Test(dtls_msg_vectors, gnutls_ecdhe_ecdsa_session_with_client_auth_parses)
{
	struct vsession *s = load("gnutls-ecdhe-ecdsa-aes256gcm.txt");
	check_common_hellos(s, PETREL_CS_ECDHE_ECDSA_AES_256_GCM_SHA384);

	struct petrel_hello_verify_request hvr;
	const struct vmsg *m = find(s, true, PETREL_HS_HELLO_VERIFY_REQUEST, 0);
	cr_assert_eq(petrel_hello_verify_request_parse(m->body, m->len, &hvr), 0);
	/* RFC 6347 4.2.1: HelloVerifyRequest version may be DTLS 1.0. */
	cr_assert_eq(hvr.server_version, PETREL_WIRE_DTLS10);
	cr_assert_eq(hvr.cookie_len, 16);

	struct petrel_client_hello ch;
	m = find(s, false, PETREL_HS_CLIENT_HELLO, 1);
	cr_assert_eq(petrel_client_hello_parse(m->body, m->len, &ch), 0);
	cr_assert_eq(ch.ext.unknown_count, 1); /* status_request (5) */
	cr_assert(ch.ext.has_record_size_limit);
	cr_assert_eq(ch.ext.record_size_limit, 0x4000);
	cr_assert(petrel_u16_list_contains(ch.ext.supported_groups, ch.ext.supported_groups_len,
					   0x001d));
	cr_assert(petrel_u16_list_contains(ch.ext.signature_algorithms,
					   ch.ext.signature_algorithms_len, 0x0807)); /* ed25519 */
	cr_assert(ch.ext.has_renegotiation_info);
	cr_assert_eq(ch.ext.renegotiation_info_len, 0);

	struct petrel_server_hello sh;
	m = find(s, true, PETREL_HS_SERVER_HELLO, 0);
	cr_assert_eq(petrel_server_hello_parse(m->body, m->len, &sh), 0);
	cr_assert_eq(sh.session_id_len, 32);
	cr_assert(sh.ext.has_record_size_limit);
	cr_assert(sh.ext.has_session_ticket);

	struct petrel_server_key_exchange ske;
	m = find(s, true, PETREL_HS_SERVER_KEY_EXCHANGE, 0);
	cr_assert_eq(petrel_server_key_exchange_parse(m->body, m->len, PETREL_MSG_KX_ECDHE, &ske), 0);
	cr_assert_eq(ske.ecdh.named_group, 0x0017);
	cr_assert_eq(ske.ecdh.point_len, 65);
	cr_assert_eq(ske.ecdh.point[0], 0x04); /* uncompressed */

	struct petrel_certificate_request cr;
	m = find(s, true, PETREL_HS_CERTIFICATE_REQUEST, 0);
	cr_assert_eq(petrel_certificate_request_parse(m->body, m->len, &cr), 0);
	cr_assert_eq(cr.certificate_types_len, 2);
	cr_assert(petrel_u8_list_contains(cr.certificate_types, cr.certificate_types_len,
					  PETREL_CERT_TYPE_ECDSA_SIGN));
	cr_assert(petrel_u8_list_contains(cr.certificate_types, cr.certificate_types_len,
					  PETREL_CERT_TYPE_RSA_SIGN));
	cr_assert(petrel_u16_list_contains(cr.signature_algorithms, cr.signature_algorithms_len,
					   0x0403));
	cr_assert_eq(cr.certificate_authorities_len, 0);

	/* The client had no certificate: an empty certificate_list. */
	struct petrel_certificate_msg cert;
	m = find(s, false, PETREL_HS_CERTIFICATE, 0);
	cr_assert_eq(petrel_certificate_parse(m->body, m->len, &cert), 0);
	cr_assert_eq(cert.count, 0);

	struct petrel_client_key_exchange cke;
	m = find(s, false, PETREL_HS_CLIENT_KEY_EXCHANGE, 0);
	cr_assert_eq(petrel_client_key_exchange_parse(m->body, m->len, PETREL_MSG_KX_ECDHE, &cke), 0);
	cr_assert_eq(cke.point_len, 65);
	free(s);
}

Test(dtls_msg_vectors, openssl_psk_session_parses)
{
	struct vsession *s = load("openssl-psk-aes128ccm8.txt");
	check_common_hellos(s, PETREL_CS_PSK_AES_128_CCM_8);

	struct petrel_client_hello ch;
	const struct vmsg *m = find(s, false, PETREL_HS_CLIENT_HELLO, 1);
	cr_assert_eq(petrel_client_hello_parse(m->body, m->len, &ch), 0);
	cr_assert_not(ch.ext.has_supported_groups);
	cr_assert_not(ch.ext.has_ec_point_formats);

	struct petrel_client_key_exchange cke;
	m = find(s, false, PETREL_HS_CLIENT_KEY_EXCHANGE, 0);
	cr_assert_eq(petrel_client_key_exchange_parse(m->body, m->len, PETREL_MSG_KX_PSK, &cke), 0);
	cr_assert_eq(cke.psk_identity_len, 6);
	cr_assert_arr_eq(cke.psk_identity, "petrel", 6);
	cr_assert_eq(cke.point_len, 0);
	free(s);
}

/* Every real message, cut short at every length, fails with a clean code. */
static int parse_any(const struct vmsg *m, const uint8_t *body, size_t len)
{
	union {
		struct petrel_client_hello ch;
		struct petrel_server_hello sh;
		struct petrel_hello_verify_request hvr;
		struct petrel_certificate_msg cert;
		struct petrel_certificate_request cr;
		struct petrel_server_key_exchange ske;
		struct petrel_client_key_exchange cke;
		struct petrel_new_session_ticket nst;
	} u;

	switch (m->type) {
	case PETREL_HS_CLIENT_HELLO:
		return petrel_client_hello_parse(body, len, &u.ch);
	case PETREL_HS_SERVER_HELLO:
		return petrel_server_hello_parse(body, len, &u.sh);
	case PETREL_HS_HELLO_VERIFY_REQUEST:
		return petrel_hello_verify_request_parse(body, len, &u.hvr);
	case PETREL_HS_CERTIFICATE:
		return petrel_certificate_parse(body, len, &u.cert);
	case PETREL_HS_CERTIFICATE_REQUEST:
		return petrel_certificate_request_parse(body, len, &u.cr);
	case PETREL_HS_SERVER_KEY_EXCHANGE:
		return petrel_server_key_exchange_parse(body, len, PETREL_MSG_KX_ECDHE, &u.ske);
	case PETREL_HS_CLIENT_KEY_EXCHANGE:
		return petrel_client_key_exchange_parse(body, len,
							m->len == 8 ? PETREL_MSG_KX_PSK : PETREL_MSG_KX_ECDHE,
							&u.cke);
	case PETREL_HS_NEW_SESSION_TICKET:
		return petrel_new_session_ticket_parse(body, len, &u.nst);
	case PETREL_HS_SERVER_HELLO_DONE:
		return petrel_server_hello_done_parse(body, len);
	default:
		cr_assert_fail("unexpected type %u", m->type);
		return 0;
	}
}

Test(dtls_msg_vectors, every_real_message_rejects_truncation_and_trailing_byte)
{
	static const char *files[] = {
		"openssl-ecdhe-ecdsa-aes128gcm.txt", "openssl-ecdhe-rsa-chacha20-mtu300.txt",
		"gnutls-ecdhe-ecdsa-aes256gcm.txt", "openssl-psk-aes128ccm8.txt"};
	size_t checked = 0;

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct vsession *s = load(files[f]);
		for (size_t i = 0; i < s->count; i++) {
			const struct vmsg *m = &s->msgs[i];
			cr_assert_eq(parse_any(m, m->body, m->len), 0, "%s msg %zu", files[f], i);
			for (size_t cut = 0; cut < m->len; cut++) {
				/* An exact-size heap copy so ASan sees any overread. */
				uint8_t *copy = malloc(cut ? cut : 1);
				memcpy(copy, m->body, cut);
				int rc = parse_any(m, copy, cut);
				/* A ClientHello cut exactly before its extensions is a
				 * legal extension-less ClientHello (RFC 5246 7.4.1.2). */
				if (rc == 0) {
					struct petrel_client_hello ch;
					cr_assert(m->type == PETREL_HS_CLIENT_HELLO ||
						  m->type == PETREL_HS_SERVER_HELLO, "%s msg %zu cut %zu",
						  files[f], i, cut);
					if (m->type == PETREL_HS_CLIENT_HELLO) {
						cr_assert_eq(petrel_client_hello_parse(copy, cut, &ch), 0);
						cr_assert_not(ch.has_extensions);
					}
				} else {
					cr_assert(rc == PETREL_E_DECODE_ERROR ||
						  rc == PETREL_E_ILLEGAL_PARAMETER, "rc %d", rc);
				}
				free(copy);
				checked++;
			}
			uint8_t *longer = malloc(m->len + 1);
			memcpy(longer, m->body, m->len);
			longer[m->len] = 0;
			cr_assert_eq(parse_any(m, longer, m->len + 1), PETREL_E_DECODE_ERROR,
				     "%s msg %zu type %u", files[f], i, m->type);
			free(longer);
		}
		free(s);
	}
	cr_assert_gt(checked, 3000);
}
