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
	petrel_put_u8(&w, 1);
	petrel_put_u16(&w, suite->id);
	petrel_put_u8(&w, 1); /* the client believes the session had EMS */
	petrel_put_bytes(&w, master, sizeof master);
	petrel_put_opaque8(&w, NULL, 0);
	petrel_put_opaque16(&w, ticket, sizeof ticket);
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
