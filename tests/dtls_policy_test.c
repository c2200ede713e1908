/* Handshake policy against peers that differ from Petrel: extended master
 * secret (RFC 7627), cookies (RFC 6347 4.2.1), version numbers, ALPN
 * answers (RFC 7301 3.2). Whole handshakes over the simulated network. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

static void assert_same_export(struct harness *h)
{
	uint8_t a[32], b[32];
	cr_assert_eq(petrel_prf_export(h->client.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, a, sizeof a), 0);
	cr_assert_eq(petrel_prf_export(h->server.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, b, sizeof b), 0);
	cr_assert_arr_eq(a, b, sizeof a);
}

/* ---- Extended master secret: preferred, not required ---------------- */

Test(ems, client_without_ems_completes_by_default)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 101, PETREL_FLAG_TEST_OMIT_EMS, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0, "client %s, server %s",
		     petrel_strerror_name(h.client.handshake_rc), petrel_strerror_name(h.server.handshake_rc));
	cr_assert_eq(petrel_session_ems_negotiated(h.client.session), 0);
	cr_assert_eq(petrel_session_ems_negotiated(h.server.session), 0);
	assert_same_export(&h);
	cr_assert_eq(harness_echo(&h, "legacy master secret", 60000), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(ems, server_without_ems_completes_by_default)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 102, 0, PETREL_FLAG_TEST_OMIT_EMS, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(petrel_session_ems_negotiated(h.client.session), 0);
	cr_assert_eq(petrel_session_ems_negotiated(h.server.session), 0);
	assert_same_export(&h);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(ems, both_with_ems_negotiate_it)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 103, PETREL_FLAG_REQUIRE_EMS, PETREL_FLAG_REQUIRE_EMS, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(petrel_session_ems_negotiated(h.client.session), 1);
	cr_assert_eq(petrel_session_ems_negotiated(h.server.session), 1);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(ems, require_ems_server_refuses_client_without_it)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 104, PETREL_FLAG_TEST_OMIT_EMS, PETREL_FLAG_REQUIRE_EMS, cc, sc);
	cr_assert_neq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_EMS_REQUIRED, "%s",
		     petrel_strerror_name(h.server.handshake_rc));
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(ems, require_ems_client_refuses_server_without_it)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 105, PETREL_FLAG_REQUIRE_EMS, PETREL_FLAG_TEST_OMIT_EMS, cc, sc);
	/* The ServerHello is epoch 0, so anyone could have sent it: it is
	 * dropped, and the refusal reported at the client's timeout
	 * (dtls/hs_drop.c). */
	petrel_dtls_set_timeouts(h.client.session, 0, 3000);
	cr_assert_neq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(h.client.handshake_rc, PETREL_E_EMS_REQUIRED, "%s",
		     petrel_strerror_name(h.client.handshake_rc));
	cr_assert_not(petrel_handshake_is_complete(h.server.session));
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(ems, allow_no_ems_flag_is_a_compatible_no_op)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 106, PETREL_FLAG_ALLOW_NO_EMS, PETREL_FLAG_ALLOW_NO_EMS | PETREL_FLAG_TEST_OMIT_EMS,
		     cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(petrel_session_ems_negotiated(h.client.session), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* A session made without EMS: its blob gives a full handshake, with EMS
 * this time, and the server promised no ticket for it. */
Test(ems, session_without_ems_is_not_resumed)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 107, 0, PETREL_FLAG_TEST_OMIT_EMS, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(h.client.session->ticket_len, 0, "no ticket for a session without EMS");
	uint8_t blob[512];
	size_t len = sizeof blob;
	cr_assert_eq(petrel_session_get_data(h.client.session, blob, &len), 0);
	harness_free(&h);

	harness_init(&h, 108, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_not(petrel_session_is_resumed(h.client.session));
	cr_assert_not(petrel_session_is_resumed(h.server.session));
	cr_assert_eq(petrel_session_ems_negotiated(h.client.session), 1);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* A client blob naming a ticket the server sealed for a session without
 * EMS (as another client library might resume): full handshake. */
static size_t blob_with_ticket(petrel_credentials *sc, bool ticket_ems, uint8_t *blob, size_t cap)
{
	const struct petrel_suite *suite = petrel_suite_by_name("TLS_PSK_WITH_AES_128_GCM_SHA256");
	uint8_t master[PETREL_MASTER_SECRET_LEN], nonce[12], ticket[PETREL_TICKET_LEN];
	memset(master, 0x33, sizeof master);
	memset(nonce, 0x44, sizeof nonce);
	cr_assert_eq(petrel_ticket_seal(sc, nonce, suite, ticket_ems, master, ticket), 0);
	struct petrel_writer w;
	petrel_writer_init(&w, blob, cap);
	petrel_put_u8(&w, 2); /* resume blob version 2 (dtls/hs_common.c) */
	petrel_put_u16(&w, suite->id);
	petrel_put_u8(&w, 1); /* the client believes the session had EMS */
	petrel_put_bytes(&w, master, sizeof master);
	petrel_put_opaque8(&w, NULL, 0);
	petrel_put_opaque16(&w, ticket, sizeof ticket);
	petrel_put_opaque16(&w, NULL, 0); /* made without a server name */
	cr_assert(petrel_writer_ok(&w));
	return petrel_writer_len(&w);
}

Test(ems, server_does_not_resume_a_ticket_without_ems)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = blob_with_ticket(sc, false, blob, sizeof blob);
	struct harness h;
	harness_init(&h, 109, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_not(petrel_session_is_resumed(h.server.session));
	cr_assert_not(petrel_session_is_resumed(h.client.session));
	cr_assert_eq(petrel_session_ems_negotiated(h.server.session), 1);
	harness_free(&h);

	/* The same ticket sealed with EMS resumes: the refusal was EMS. */
	len = blob_with_ticket(sc, true, blob, sizeof blob);
	harness_init(&h, 110, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert(petrel_session_is_resumed(h.server.session));
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* RFC 7627 5.3: an EMS session offered for resumption without the
 * extension is aborted by the server. */
Test(ems, server_aborts_ems_ticket_offered_without_ems)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = blob_with_ticket(sc, true, blob, sizeof blob);
	struct harness h;
	harness_init(&h, 111, PETREL_FLAG_TEST_OMIT_EMS, 0, cc, sc);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_neq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_HANDSHAKE_FAILURE, "%s",
		     petrel_strerror_name(h.server.handshake_rc));
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* ---- Cookies and versions --------------------------------------------- */

struct ch_fields {
	uint16_t version;
	uint8_t random_fill;
	uint8_t session_id_fill;
	size_t session_id_len;
	const uint8_t *cookie;
	size_t cookie_len;
	uint16_t suite;
};

/* One ClientHello in one epoch-0 record. */
static size_t client_hello_dgram(const struct ch_fields *f, uint64_t record_seq, uint8_t *out, size_t cap)
{
	uint8_t random[PETREL_RANDOM_LEN], session_id[PETREL_SESSION_ID_MAX], suites[2];
	memset(random, f->random_fill, sizeof random);
	memset(session_id, f->session_id_fill, sizeof session_id);
	petrel_store_u16(suites, f->suite);
	static const uint8_t compression[] = {0};
	static const uint8_t groups[] = {0x00, 0x1d, 0x00, 0x17};
	struct petrel_client_hello ch;
	memset(&ch, 0, sizeof ch);
	ch.client_version = f->version;
	ch.random = random;
	ch.session_id = session_id;
	ch.session_id_len = f->session_id_len;
	ch.cookie = f->cookie;
	ch.cookie_len = f->cookie_len;
	ch.cipher_suites = suites;
	ch.cipher_suites_len = sizeof suites;
	ch.compression_methods = compression;
	ch.compression_methods_len = 1;
	ch.has_extensions = true;
	ch.ext.has_supported_groups = true;
	ch.ext.supported_groups = groups;
	ch.ext.supported_groups_len = sizeof groups;
	ch.ext.extended_master_secret = true;
	uint8_t msg[1024];
	struct petrel_writer w;
	petrel_writer_init(&w, msg + PETREL_HS_HEADER_LEN, sizeof msg - PETREL_HS_HEADER_LEN);
	cr_assert_eq(petrel_client_hello_write(&w, &ch), 0);
	size_t body_len = petrel_writer_len(&w);
	petrel_hs_header_encode_full(msg, PETREL_HS_CLIENT_HELLO, 0, (uint32_t)body_len);
	struct petrel_record_header rh = {PETREL_CT_HANDSHAKE, PETREL_DTLS12_VERSION, 0, record_seq,
					  (uint16_t)(PETREL_HS_HEADER_LEN + body_len)};
	petrel_writer_init(&w, out, cap);
	cr_assert(petrel_record_header_write(&w, &rh));
	cr_assert(petrel_put_bytes(&w, msg, PETREL_HS_HEADER_LEN + body_len));
	return petrel_writer_len(&w);
}

/* The cookie from a HelloVerifyRequest datagram (13 + 12 + 2 + 1 + cookie). */
static size_t hvr_cookie(const uint8_t *hvr, size_t len, uint8_t *cookie)
{
	cr_assert_gt(len, 28);
	cr_assert_eq(hvr[13], PETREL_HS_HELLO_VERIFY_REQUEST);
	size_t n = hvr[27];
	cr_assert_eq(len, 28 + n);
	memcpy(cookie, hvr + 28, n);
	return n;
}

static const uint8_t test_peer[] = {10, 0, 0, 1, 0x16, 0x34};

/* Issue #17 item 3: mbedTLS 2.28 presents a ticket with a fresh random
 * session ID in the ClientHello that answers the HelloVerifyRequest. */
Test(cookie, answer_with_a_different_session_id_is_accepted)
{
	petrel_credentials *creds = harness_psk_creds();
	struct ch_fields f = {PETREL_WIRE_DTLS12, 0x11, 0xaa, 32, NULL, 0,
			      PETREL_CS_PSK_AES_128_GCM_SHA256};
	uint8_t dgram[1200], hvr[256], cookie[64];
	size_t len = client_hello_dgram(&f, 0, dgram, sizeof dgram), hvr_len = 0;
	cr_assert_eq(petrel_server_stateless_check(creds, test_peer, sizeof test_peer, dgram, len, 1000,
						   hvr, sizeof hvr, &hvr_len), 0);
	f.cookie_len = hvr_cookie(hvr, hvr_len, cookie);
	f.cookie = cookie;
	f.session_id_fill = 0xbb; /* a new random session ID */
	len = client_hello_dgram(&f, 1, dgram, sizeof dgram);
	cr_assert_eq(petrel_server_stateless_check(creds, test_peer, sizeof test_peer, dgram, len, 1010,
						   hvr, sizeof hvr, &hvr_len), 1);
	f.session_id_len = 0; /* or none at all */
	len = client_hello_dgram(&f, 1, dgram, sizeof dgram);
	cr_assert_eq(petrel_server_stateless_check(creds, test_peer, sizeof test_peer, dgram, len, 1010,
						   hvr, sizeof hvr, &hvr_len), 1);
	petrel_credentials_free(creds);
}

Test(cookie, bound_to_address_random_suites_and_version)
{
	petrel_credentials *creds = harness_psk_creds();
	struct ch_fields f = {PETREL_WIRE_DTLS12, 0x11, 0xaa, 32, NULL, 0,
			      PETREL_CS_PSK_AES_128_GCM_SHA256};
	uint8_t dgram[1200], hvr[256], cookie[64];
	size_t len = client_hello_dgram(&f, 0, dgram, sizeof dgram), hvr_len = 0;
	cr_assert_eq(petrel_server_stateless_check(creds, test_peer, sizeof test_peer, dgram, len, 1000,
						   hvr, sizeof hvr, &hvr_len), 0);
	f.cookie_len = hvr_cookie(hvr, hvr_len, cookie);
	f.cookie = cookie;
	struct ch_fields changed[3] = {f, f, f};
	changed[0].random_fill = 0x12;
	changed[1].suite = PETREL_CS_PSK_AES_128_CCM_8;
	changed[2].version = PETREL_WIRE_DTLS10;
	for (size_t i = 0; i < 3; i++) {
		len = client_hello_dgram(&changed[i], 1, dgram, sizeof dgram);
		cr_assert_eq(petrel_server_stateless_check(creds, test_peer, sizeof test_peer, dgram, len,
							   1010, hvr, sizeof hvr, &hvr_len), 0,
			     "change %zu needs a new cookie", i);
	}
	static const uint8_t other_peer[] = {10, 0, 0, 2, 0x16, 0x34};
	len = client_hello_dgram(&f, 1, dgram, sizeof dgram);
	cr_assert_eq(petrel_server_stateless_check(creds, other_peer, sizeof other_peer, dgram, len, 1010,
						   hvr, sizeof hvr, &hvr_len), 0);
	cr_assert_eq(petrel_server_stateless_check(creds, test_peer, sizeof test_peer, dgram, len, 1010,
						   hvr, sizeof hvr, &hvr_len), 1);
	petrel_credentials_free(creds);
}

/* Feed one ClientHello with this client_version to a cookie-less server
 * session: the handshake's answer and the alert it sent. */
static int feed_version(uint16_t version, uint8_t *alert)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 140, 0, PETREL_FLAG_NO_COOKIE, cc, sc);
	struct ch_fields f = {version, 0x21, 0, 0, NULL, 0, PETREL_CS_PSK_AES_128_GCM_SHA256};
	uint8_t dgram[1200];
	size_t len = client_hello_dgram(&f, 0, dgram, sizeof dgram);
	int rc = petrel_engine_feed(h.server.session, dgram, len, 0);
	uint8_t buf[256];
	simnet_advance_to(h.net, 1000);
	int n = simnet_recv(h.net, 0, buf, sizeof buf);
	*alert = 0;
	if (n == 13 + 2 && buf[0] == PETREL_CT_ALERT && buf[13] == 2)
		*alert = buf[14];
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
	return rc;
}

Test(version, tls_version_number_gets_protocol_version)
{
	uint8_t alert;
	int rc = feed_version(0x0303, &alert);
	cr_assert_eq(rc, PETREL_E_PROTOCOL_VERSION, "%s", petrel_strerror_name(rc));
	cr_assert_eq(alert, 70, "fatal protocol_version alert");
	rc = feed_version(0x0302, &alert);
	cr_assert_eq(rc, PETREL_E_PROTOCOL_VERSION);
}

Test(version, dtls13_number_is_newer_and_answered_with_dtls12)
{
	uint8_t alert;
	/* RFC 6347 4.1: a client offering a newer version gets our highest. */
	cr_assert_eq(feed_version(0xfefc, &alert), 0);
	cr_assert_eq(alert, 0);
}

/* ---- ALPN answers (RFC 7301 3.2) --------------------------------------- */

static uint8_t server_first[2048];
static size_t server_first_len;
static void keep_server_first(struct harness_end *end, const uint8_t *data, size_t len)
{
	(void)end;
	if (server_first_len == 0 && len <= sizeof server_first) {
		memcpy(server_first, data, len);
		server_first_len = len;
	}
}

/* The client offers "coap", the server picks it; edit the 5-byte
 * ProtocolNameList of the ServerHello before the client sees it. */
static void alpn_answer_case(const uint8_t list[5], int expect_rc)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 150, 0, PETREL_FLAG_NO_COOKIE, cc, sc);
	cr_assert_eq(petrel_session_set_alpn(h.client.session, "coap"), 0);
	cr_assert_eq(petrel_session_set_alpn(h.server.session, "coap"), 0);
	server_first_len = 0;
	h.server.on_send = keep_server_first;
	cr_assert_eq(petrel_handshake(h.client.session), PETREL_E_AGAIN);
	uint8_t ch[2048];
	simnet_advance_to(h.net, 100);
	int n = simnet_recv(h.net, 1, ch, sizeof ch);
	cr_assert_gt(n, 0);
	cr_assert_eq(petrel_engine_feed(h.server.session, ch, (size_t)n, 100), 0);
	cr_assert_gt(server_first_len, 0);
	static const uint8_t ext[] = {0x00, 0x10, 0x00, 0x07, 0x00, 0x05, 4, 'c', 'o', 'a', 'p'};
	size_t at = 0;
	for (; at + sizeof ext <= server_first_len; at++)
		if (memcmp(server_first + at, ext, sizeof ext) == 0)
			break;
	cr_assert_leq(at + sizeof ext, server_first_len, "ServerHello carries the ALPN answer");
	memcpy(server_first + at + 6, list, 5);
	int rc = petrel_engine_feed(h.client.session, server_first, server_first_len, 200);
	if (expect_rc == 0) {
		cr_assert_eq(rc, 0, "%s", petrel_strerror_name(rc));
		cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	} else {
		/* An epoch-0 ServerHello may be forged: dropped, nothing sent,
		 * the handshake goes on (RFC 6347 4.1.2.7). */
		cr_assert_eq(rc, 0, "%s", petrel_strerror_name(rc));
		cr_assert_not(petrel_handshake_is_complete(h.client.session));
		uint8_t buf[256];
		simnet_advance_to(h.net, 300);
		cr_assert_leq(simnet_recv(h.net, 1, buf, sizeof buf), 0, "no answer to a dropped message");
		/* A server that really answers so repeats it until the client's
		 * timeout, which reports the refusal and sends its alert. */
		uint64_t deadline = h.client.session->hs->deadline_total_ms;
		rc = petrel_engine_tick(h.client.session, deadline);
		cr_assert_eq(rc, expect_rc, "%s", petrel_strerror_name(rc));
		/* The client's fatal alert: no_application_protocol (120). */
		simnet_advance_to(h.net, deadline + 1000);
		int last = -1;
		while ((n = simnet_recv(h.net, 1, buf, sizeof buf)) > 0)
			if (n == 15 && buf[0] == PETREL_CT_ALERT && buf[13] == 2)
				last = buf[14];
		cr_assert_eq(last, 120);
	}
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(alpn, client_accepts_the_name_it_offered)
{
	static const uint8_t same[5] = {4, 'c', 'o', 'a', 'p'};
	alpn_answer_case(same, 0);
}

Test(alpn, client_refuses_a_name_it_never_offered)
{
	static const uint8_t other[5] = {4, 'c', 'o', 'a', 'q'};
	alpn_answer_case(other, PETREL_E_ALPN_MISMATCH);
}

Test(alpn, client_refuses_more_than_one_name)
{
	static const uint8_t two[5] = {1, 'a', 2, 'b', 'c'};
	alpn_answer_case(two, PETREL_E_ALPN_MISMATCH);
}

/* The same bad answer, forged: the genuine ServerHello that follows it
 * (the server's retransmission) still completes the handshake. */
Test(alpn, forged_bad_answer_does_not_end_the_handshake)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 151, 0, PETREL_FLAG_NO_COOKIE, cc, sc);
	cr_assert_eq(petrel_session_set_alpn(h.client.session, "coap"), 0);
	cr_assert_eq(petrel_session_set_alpn(h.server.session, "coap"), 0);
	server_first_len = 0;
	h.server.on_send = keep_server_first;
	cr_assert_eq(petrel_handshake(h.client.session), PETREL_E_AGAIN);
	uint8_t ch[2048];
	simnet_advance_to(h.net, 100);
	int n = simnet_recv(h.net, 1, ch, sizeof ch);
	cr_assert_gt(n, 0);
	cr_assert_eq(petrel_engine_feed(h.server.session, ch, (size_t)n, 100), 0);
	cr_assert_gt(server_first_len, 0);
	h.server.on_send = NULL;
	static const uint8_t ext[] = {0x00, 0x10, 0x00, 0x07, 0x00, 0x05, 4, 'c', 'o', 'a', 'p'};
	uint8_t forged[2048];
	memcpy(forged, server_first, server_first_len);
	size_t at = 0;
	for (; at + sizeof ext <= server_first_len; at++)
		if (memcmp(forged + at, ext, sizeof ext) == 0)
			break;
	cr_assert_leq(at + sizeof ext, server_first_len);
	forged[at + 10] = 'q';
	cr_assert_eq(petrel_engine_feed(h.client.session, forged, server_first_len, 150), 0);
	/* The genuine flight is still on its way. */
	cr_assert_eq(harness_run_handshake(&h, 10000), 0, "client %s, server %s",
		     petrel_strerror_name(h.client.handshake_rc), petrel_strerror_name(h.server.handshake_rc));
	cr_assert_str_eq(petrel_session_get_alpn(h.client.session), "coap");
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
