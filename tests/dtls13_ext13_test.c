/* server_name (RFC 6066 3) and ALPN (RFC 7301) in DTLS 1.3 (RFC 8446
 * 4.2: ClientHello, answers in EncryptedExtensions): whole sessions over
 * the simulated network, the handshake cores in memory with a tampered
 * message, and the codec on hand-made extension blocks. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/client13.h"
#include "dtls13/ext13_names.h"
#include "dtls13/server13.h"
#include "tests/dtls_harness.h"
#include "x509/x509.h"

/* ---- sessions end to end ---- */

struct names_case {
	const char *client_alpn, *server_alpn, *server_name;
};

/* Runs a DTLS 1.3-only handshake with certificates; returns its result. */
static int run13(struct harness *h, const struct names_case *c, uint64_t seed)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(h, seed, 0, 0, cc, sc);
	petrel_session *cs = h->client.session, *ss = h->server.session;
	cs->version_min = cs->version_max = PETREL_V_DTLS13;
	ss->version_min = ss->version_max = PETREL_V_DTLS13;
	petrel_session_set_verify(cs, PETREL_VERIFY_NONE, NULL, 0);
	petrel_session_set_verify(ss, PETREL_VERIFY_NONE, NULL, 0);
	if (c->client_alpn)
		cr_assert_eq(petrel_session_set_alpn(cs, c->client_alpn), 0);
	if (c->server_alpn)
		cr_assert_eq(petrel_session_set_alpn(ss, c->server_alpn), 0);
	if (c->server_name)
		cr_assert_eq(petrel_session_set_server_name(cs, c->server_name), 0);
	return harness_run_handshake(h, 60000);
}

Test(dtls13_ext13, alpn_agreed_on_both_sides_with_the_servers_preference)
{
	struct harness h;
	struct names_case c = {"h2,coap", "coap,h2", "sensor.example.test"};
	cr_assert_eq(run13(&h, &c, 11), 0, "client %d server %d", h.client.handshake_rc,
		     h.server.handshake_rc);
	cr_assert_eq(h.client.session->version, PETREL_V_DTLS13);
	cr_assert_str_eq(petrel_session_get_alpn(h.client.session), "coap");
	cr_assert_str_eq(petrel_session_get_alpn(h.server.session), "coap");
	cr_assert_eq(harness_echo(&h, "alpn agreed", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_ext13, sni_reaches_the_server)
{
	struct harness h;
	struct names_case c = {NULL, NULL, "sensor.example.test"};
	cr_assert_eq(run13(&h, &c, 12), 0);
	cr_assert_str_eq(petrel_session_get_sni(h.server.session), "sensor.example.test");
	cr_assert_str_eq(petrel_session_get_sni(h.client.session), "sensor.example.test");
	cr_assert_null(petrel_session_get_alpn(h.client.session));
	cr_assert_null(petrel_session_get_alpn(h.server.session));
	harness_free_all(&h);
}

Test(dtls13_ext13, ip_literal_is_not_sent_as_sni)
{
	struct harness h;
	struct names_case c = {NULL, NULL, "192.0.2.7"};
	cr_assert_eq(run13(&h, &c, 13), 0);
	cr_assert_null(petrel_session_get_sni(h.server.session));
	harness_free_all(&h);
}

/* The refused ClientHello carries our HelloRetryRequest cookie: the
 * address is proven, the server fails and sends alert 120 in the clear
 * (tkt13). The client does not end its handshake on that unprotected
 * alert but names it at its timeout (tests/tkt13_test.c tkt13_alpn). The
 * core's alert 120 is checked below (no_overlap_in_the_core_is_alert_120). */
Test(dtls13_ext13, no_protocol_in_common_fails_the_handshake)
{
	struct harness h;
	struct names_case c = {"h2", "coap", NULL};
	cr_assert_neq(run13(&h, &c, 14), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_ALPN_MISMATCH, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert(!h.client.done && !h.server.done);
	cr_assert_null(petrel_session_get_alpn(h.client.session));
	cr_assert_null(petrel_session_get_alpn(h.server.session));
	harness_free_all(&h);
}

Test(dtls13_ext13, server_without_alpn_ignores_the_offer)
{
	struct harness h;
	struct names_case c = {"h2", NULL, NULL};
	cr_assert_eq(run13(&h, &c, 15), 0);
	cr_assert_null(petrel_session_get_alpn(h.client.session));
	cr_assert_null(petrel_session_get_alpn(h.server.session));
	harness_free_all(&h);
}

/* The 1.3 ClientHello's server_name and ALPN serve a DTLS 1.2 server too
 * (the 1.2 client takes over), and a 1.2 client meets a 1.3-capable
 * server's 1.2 path. */
static void mixed_versions(uint8_t client_max, uint8_t server_max, uint64_t seed)
{
	struct harness h;
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(&h, seed, 0, PETREL_FLAG_NO_COOKIE, cc, sc);
	petrel_session *cs = h.client.session, *ss = h.server.session;
	cs->version_min = ss->version_min = PETREL_V_DTLS12;
	cs->version_max = client_max;
	ss->version_max = server_max;
	petrel_session_set_verify(cs, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_alpn(cs, "h2,coap"), 0);
	cr_assert_eq(petrel_session_set_alpn(ss, "coap"), 0);
	cr_assert_eq(petrel_session_set_server_name(cs, "sensor.example.test"), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(cs->version, PETREL_V_DTLS12);
	cr_assert_str_eq(petrel_session_get_alpn(cs), "coap");
	cr_assert_str_eq(petrel_session_get_alpn(ss), "coap");
	cr_assert_eq(harness_echo(&h, "over 1.2", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_ext13, names_survive_the_fallback_to_a_12_server)
{
	mixed_versions(PETREL_V_DTLS13, PETREL_V_DTLS12, 16);
}

Test(dtls13_ext13, names_from_a_12_client_at_a_13_server)
{
	mixed_versions(PETREL_V_DTLS12, PETREL_V_DTLS13, 17);
}

/* ---- the cores in memory ---- */

#define NOW_S 1760000000

struct cores {
	struct petrel_privkey *key;
	uint8_t der[PETREL_X509_SELFSIGN_MAX];
	size_t der_len;
	const uint8_t *chain[1];
	size_t chain_len[1];
	struct petrel_hs13_config ccfg, scfg;
	struct petrel_dtls13_client cl;
	struct petrel_dtls13_server sv;
	struct petrel_hs13_output co, so;
};

static const uint8_t cookie_secret[32] = {7, 7, 7};
static const uint8_t peer_addr[6] = {192, 0, 2, 9, 0, 80};

static void cores_init(struct cores *k, const char *client_alpn, const char *server_alpn)
{
	memset(k, 0, sizeof *k);
	cr_assert_eq(petrel_privkey_generate(PETREL_KEY_EC_P256, &k->key), 0);
	struct petrel_x509_selfsign_params p = {
		.common_name = "ext13.petrel.test",
		.not_before = NOW_S - 86400,
		.not_after = NOW_S + 86400,
	};
	cr_assert_eq(petrel_x509_selfsign(k->key, &p, k->der, sizeof k->der, &k->der_len), 0);
	k->chain[0] = k->der;
	k->chain_len[0] = k->der_len;
	k->ccfg.verifier.mode = PETREL_HS13_VERIFY_NONE;
	k->ccfg.alpn = client_alpn;
	k->ccfg.server_name = "ext13.petrel.test";
	k->scfg.key = k->key;
	k->scfg.chain = k->chain;
	k->scfg.chain_lens = k->chain_len;
	k->scfg.chain_count = 1;
	k->scfg.cookie_secret = cookie_secret;
	k->scfg.peer_addr = peer_addr;
	k->scfg.peer_addr_len = sizeof peer_addr;
	k->scfg.alpn = server_alpn;
	cr_assert_eq(petrel_dtls13_client_init(&k->cl, &k->ccfg), 0);
	cr_assert_eq(petrel_dtls13_server_init(&k->sv, &k->scfg), 0);
	petrel_hs13_output_init(&k->co);
	petrel_hs13_output_init(&k->so);
	cr_assert_eq(petrel_dtls13_client_start(&k->cl, &k->co), 0);
	cr_assert_eq(k->co.msg_count, 1);
}

static void cores_free(struct cores *k)
{
	petrel_hs13_output_reset(&k->co);
	petrel_hs13_output_reset(&k->so);
	petrel_dtls13_client_free(&k->cl);
	petrel_dtls13_server_free(&k->sv);
	petrel_privkey_free(k->key);
}

/* The server core reads the client core's ClientHello: its result. */
static int server_reads_hello(struct cores *k)
{
	const struct petrel_hs13_out_msg *ch = &k->co.msgs[0];
	return petrel_dtls13_server_handle(&k->sv, PETREL_HT13_CLIENT_HELLO, ch->body, ch->len, 0,
					   &k->so);
}

/* The offset of the first match of needle in the body, or -1. */
static long find_bytes(const uint8_t *body, size_t len, const uint8_t *needle, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(body + i, needle, n) == 0)
			return (long)i;
	return -1;
}

Test(dtls13_ext13, cores_agree_and_the_server_acknowledges_sni)
{
	struct cores k;
	cores_init(&k, "coap", "coap");
	cr_assert_eq(server_reads_hello(&k), 0);
	cr_assert_str_eq(k.sv.names.host, "ext13.petrel.test");
	cr_assert(k.sv.names.has_alpn);
	/* EncryptedExtensions: server_name (empty) and ALPN ["coap"]. */
	const struct petrel_hs13_out_msg *ee = &k.so.msgs[1];
	cr_assert_eq(ee->type, PETREL_HT13_ENCRYPTED_EXTENSIONS);
	static const uint8_t want[] = {0, 15, 0, 0, 0, 0, 0, 16, 0, 7, 0, 5, 4, 'c', 'o', 'a', 'p'};
	cr_assert_eq(ee->len, sizeof want);
	cr_assert_arr_eq(ee->body, want, sizeof want);
	petrel_hs13_output_reset(&k.co);
	for (size_t i = 0; i < k.so.msg_count; i++)
		cr_assert_eq(petrel_dtls13_client_handle(&k.cl, k.so.msgs[i].type, k.so.msgs[i].body,
							 k.so.msgs[i].len, 0, &k.co), 0, "message %zu", i);
	cr_assert_eq(k.cl.state, PETREL_C13_CONNECTED);
	cr_assert_str_eq(k.cl.names.alpn, "coap");
	cores_free(&k);
}

/* The server's EE names a protocol the client never offered. */
Test(dtls13_ext13, answer_never_offered_is_no_application_protocol)
{
	struct cores k;
	cores_init(&k, "coap", "coap");
	cr_assert_eq(server_reads_hello(&k), 0);
	petrel_hs13_output_reset(&k.co);
	cr_assert_eq(petrel_dtls13_client_handle(&k.cl, k.so.msgs[0].type, k.so.msgs[0].body,
						 k.so.msgs[0].len, 0, &k.co), 0);
	struct petrel_hs13_out_msg *ee = &k.so.msgs[1];
	ee->body[ee->len - 1] = 'q'; /* "coaq" */
	cr_assert_eq(petrel_dtls13_client_handle(&k.cl, ee->type, ee->body, ee->len, 0, &k.co),
		     PETREL_E_ALPN_MISMATCH);
	cr_assert_eq(k.co.alert, PETREL_ALERT13_NO_APPLICATION_PROTOCOL);
	cores_free(&k);
}

Test(dtls13_ext13, malformed_alpn_in_client_hello_is_decode_error)
{
	struct cores k;
	cores_init(&k, "h2", "h2");
	struct petrel_hs13_out_msg *ch = &k.co.msgs[0];
	static const uint8_t alpn_ext[] = {0, 16, 0, 5, 0, 3, 2, 'h', '2'};
	long at = find_bytes(ch->body, ch->len, alpn_ext, sizeof alpn_ext);
	cr_assert_geq(at, 0);
	ch->body[at + 6] = 0; /* an empty ProtocolName, then garbage */
	cr_assert_eq(server_reads_hello(&k), PETREL_E_DECODE_ERROR);
	cr_assert_eq(k.so.alert, 50);
	cores_free(&k);
}

Test(dtls13_ext13, no_overlap_in_the_core_is_alert_120)
{
	struct cores k;
	cores_init(&k, "h2", "coap,h3");
	cr_assert_eq(server_reads_hello(&k), PETREL_E_ALPN_MISMATCH);
	cr_assert_eq(k.so.alert, PETREL_ALERT13_NO_APPLICATION_PROTOCOL);
	cores_free(&k);
}

/* ---- the codec on hand-made blocks ---- */

static struct petrel_ext13_names offered_h2_coap(bool sni)
{
	struct petrel_ext13_names n;
	memset(&n, 0, sizeof n);
	static const uint8_t list[] = {2, 'h', '2', 4, 'c', 'o', 'a', 'p'};
	memcpy(n.alpn_offer, list, sizeof list);
	n.alpn_offer_len = sizeof list;
	n.sent_server_name = sni;
	return n;
}

static int client_sees(const uint8_t *block, size_t len, bool sni)
{
	struct petrel_ext13_names n = offered_h2_coap(sni);
	return petrel_ext13_names_client_check(&n, block, len);
}

Test(dtls13_ext13, client_rules_for_the_servers_answers)
{
	static const uint8_t one[] = {0, 16, 0, 5, 0, 3, 2, 'h', '2'};
	static const uint8_t two[] = {0, 16, 0, 8, 0, 6, 2, 'h', '2', 2, 'h', '3'};
	static const uint8_t other[] = {0, 16, 0, 5, 0, 3, 2, 'h', '3'};
	static const uint8_t empty_name[] = {0, 16, 0, 4, 0, 2, 0, 'x'};
	static const uint8_t twice[] = {0, 16, 0, 5, 0, 3, 2, 'h', '2', 0, 16, 0, 5, 0, 3, 2, 'h', '2'};
	static const uint8_t sni_ack[] = {0, 0, 0, 0};
	static const uint8_t sni_nonempty[] = {0, 0, 0, 1, 0};
	static const uint8_t sni_twice[] = {0, 0, 0, 0, 0, 0, 0, 0};
	struct petrel_ext13_names n = offered_h2_coap(true);
	cr_assert_eq(petrel_ext13_names_client_check(&n, one, sizeof one), 0);
	cr_assert(n.has_alpn);
	cr_assert_str_eq(n.alpn, "h2");
	cr_assert_eq(client_sees(two, sizeof two, true), PETREL_E_ALPN_MISMATCH);
	cr_assert_eq(client_sees(other, sizeof other, true), PETREL_E_ALPN_MISMATCH);
	cr_assert_eq(client_sees(empty_name, sizeof empty_name, true), PETREL_E_DECODE_ERROR);
	cr_assert_eq(client_sees(twice, sizeof twice, true), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(client_sees(sni_ack, sizeof sni_ack, true), 0);
	cr_assert_eq(client_sees(sni_ack, sizeof sni_ack, false), PETREL_E_UNSUPPORTED_EXTENSION);
	cr_assert_eq(client_sees(sni_nonempty, sizeof sni_nonempty, true), PETREL_E_DECODE_ERROR);
	cr_assert_eq(client_sees(sni_twice, sizeof sni_twice, true), PETREL_E_ILLEGAL_PARAMETER);
	/* ALPN answer when none was offered (RFC 8446 4.2). */
	struct petrel_ext13_names none;
	memset(&none, 0, sizeof none);
	cr_assert_eq(petrel_ext13_names_client_check(&none, one, sizeof one),
		     PETREL_E_UNSUPPORTED_EXTENSION);
	cr_assert_eq(petrel_ext13_names_alert(PETREL_E_ALPN_MISMATCH), 120);
	cr_assert_eq(petrel_ext13_names_alert(PETREL_E_UNSUPPORTED_EXTENSION), 110);
	cr_assert_eq(petrel_ext13_names_alert(PETREL_E_DECODE_ERROR), 0);
}

static int server_sees(const uint8_t *block, size_t len, const char *ours,
		       struct petrel_ext13_names *n)
{
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.alpn = ours;
	memset(n, 0, sizeof *n);
	return petrel_ext13_names_server_read(n, &cfg, block, len);
}

Test(dtls13_ext13, server_rules_for_the_client_hello)
{
	struct petrel_ext13_names n;
	static const uint8_t sni[] = {0, 0, 0, 8, 0, 6, 0, 0, 3, 'a', '.', 'b'};
	static const uint8_t sni_two_hosts[] = {0, 0, 0, 14, 0, 12, 0, 0, 3, 'a', '.', 'b',
						0, 0, 3, 'c', '.', 'd'};
	static const uint8_t sni_other_type[] = {0, 0, 0, 8, 0, 6, 9, 0, 3, 'a', '.', 'b'};
	static const uint8_t sni_nul[] = {0, 0, 0, 8, 0, 6, 0, 0, 3, 'a', 0, 'b'};
	static const uint8_t sni_empty_list[] = {0, 0, 0, 2, 0, 0};
	static const uint8_t sni_trailing[] = {0, 0, 0, 9, 0, 6, 0, 0, 3, 'a', '.', 'b', 0};
	static const uint8_t sni_twice[] = {0, 0, 0, 8, 0, 6, 0, 0, 3, 'a', '.', 'b',
					    0, 0, 0, 8, 0, 6, 0, 0, 3, 'a', '.', 'b'};
	static const uint8_t alpn[] = {0, 16, 0, 8, 0, 6, 2, 'h', '2', 2, 'h', '3'};
	static const uint8_t alpn_short[] = {0, 16, 0, 2, 0, 0};
	static const uint8_t alpn_overrun[] = {0, 16, 0, 5, 0, 3, 5, 'h', '2'};
	cr_assert_eq(server_sees(sni, sizeof sni, NULL, &n), 0);
	cr_assert(n.has_host);
	cr_assert_str_eq(n.host, "a.b");
	cr_assert_eq(server_sees(sni_two_hosts, sizeof sni_two_hosts, NULL, &n),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(server_sees(sni_other_type, sizeof sni_other_type, NULL, &n), 0);
	cr_assert(!n.has_host);
	cr_assert_eq(server_sees(sni_nul, sizeof sni_nul, NULL, &n), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(server_sees(sni_empty_list, sizeof sni_empty_list, NULL, &n),
		     PETREL_E_DECODE_ERROR);
	cr_assert_eq(server_sees(sni_trailing, sizeof sni_trailing, NULL, &n),
		     PETREL_E_DECODE_ERROR);
	cr_assert_eq(server_sees(sni_twice, sizeof sni_twice, NULL, &n), PETREL_E_ILLEGAL_PARAMETER);
	/* Server preference among the client's names. */
	cr_assert_eq(server_sees(alpn, sizeof alpn, "h3,h2", &n), 0);
	cr_assert_str_eq(n.alpn, "h3");
	cr_assert_eq(server_sees(alpn, sizeof alpn, "coap", &n), PETREL_E_ALPN_MISMATCH);
	cr_assert_eq(server_sees(alpn, sizeof alpn, NULL, &n), 0);
	cr_assert(!n.has_alpn);
	cr_assert_eq(server_sees(alpn_short, sizeof alpn_short, "h2", &n), PETREL_E_DECODE_ERROR);
	cr_assert_eq(server_sees(alpn_overrun, sizeof alpn_overrun, "h2", &n),
		     PETREL_E_DECODE_ERROR);
}
