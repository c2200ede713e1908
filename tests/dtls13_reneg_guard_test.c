/* petrel_rehandshake on a DTLS 1.3 session: refused with
 * PETREL_E_UNSUPPORTED (RFC 8446 4.1.2: 1.3 has no renegotiation), with
 * renegotiation enabled or not, on both sides, and the association goes
 * on untouched. A 1.2 session keeps its own answers. */
#include <criterion/criterion.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "tests/dtls_harness.h"

static void handshake13(struct harness *h, uint64_t seed, petrel_credentials **cc,
			petrel_credentials **sc)
{
	*sc = harness_psk_creds();
	*cc = harness_psk_creds();
	harness_init(h, seed, 0, 0, *cc, *sc);
	h->client.session->version_min = PETREL_V_DTLS13;
	h->client.session->version_max = PETREL_V_DTLS13;
	cr_assert_eq(harness_run_handshake(h, 60000), 0, "client %d server %d",
		     h->client.handshake_rc, h->server.handshake_rc);
	cr_assert_eq(h->client.session->version, PETREL_V_DTLS13);
	cr_assert_eq(h->server.session->version, PETREL_V_DTLS13);
}

static void refused_both_sides(bool enable)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	handshake13(&h, enable ? 31 : 32, &cc, &sc);
	if (enable) {
		cr_assert_eq(petrel_session_set_renegotiation(h.client.session, 1), 0);
		cr_assert_eq(petrel_session_set_renegotiation(h.server.session, 1), 0);
	}
	cr_assert_eq(petrel_rehandshake(h.client.session), PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_rehandshake(h.server.session), PETREL_E_UNSUPPORTED);
	/* Nothing started and nothing failed: no 1.2 handshake state, no
	 * error kept, data still flows both ways. */
	cr_assert_null(h.client.session->hs);
	cr_assert_null(h.server.session->hs);
	cr_assert_eq(h.client.session->fatal_error, 0);
	cr_assert_eq(h.server.session->fatal_error, 0);
	cr_assert_eq(petrel_session_get_renegotiations(h.client.session), 0);
	cr_assert_eq(harness_echo(&h, "still 1.3 after the refusal", 60000), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_reneg_guard, rehandshake_refused_when_renegotiation_enabled)
{
	refused_both_sides(true);
}

Test(dtls13_reneg_guard, rehandshake_refused_when_renegotiation_off)
{
	refused_both_sides(false);
}

Test(dtls13_reneg_guard, dtls12_session_keeps_its_answer)
{
	struct harness h;
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	harness_init(&h, 33, 0, 0, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.client.session->version, PETREL_V_DTLS12);
	/* Not enabled: the 1.2 refusal, not the 1.3 one. */
	cr_assert_eq(petrel_rehandshake(h.client.session), PETREL_E_INVALID_REQUEST);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* A client allowed DTLS 1.3 whose server speaks only 1.2 ends up in a
 * 1.2 association; a renegotiation it asks for is a 1.2 handshake again
 * (the dispatcher picks a version only for a first handshake), not a
 * 1.3 ClientHello on the established association. */
Test(dtls13_reneg_guard, renegotiation_after_fallback_stays_dtls12)
{
	struct harness h;
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(&h, 34, 0, PETREL_FLAG_NO_COOKIE, cc, sc);
	petrel_session *c = h.client.session, *s = h.server.session;
	petrel_session_set_verify(c, PETREL_VERIFY_NONE, NULL, 0);
	c->version_min = PETREL_V_DTLS12;
	c->version_max = PETREL_V_DTLS13;
	s->version_max = PETREL_V_DTLS12;
	cr_assert_eq(petrel_session_set_renegotiation(c, 1), 0);
	cr_assert_eq(petrel_session_set_renegotiation(s, 1), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(c->version, PETREL_V_DTLS12);
	cr_assert_eq(petrel_rehandshake(c), 0);
	cr_assert_eq(c->version, PETREL_V_DTLS12);
	cr_assert_null(c->d13);
	for (int round = 0; round < 10000; round++) {
		int rc = petrel_handshake(c);
		cr_assert(rc == 0 || rc == PETREL_E_AGAIN || rc == PETREL_E_GOT_APPLICATION_DATA,
			  "client %d", rc);
		char buf[64];
		long n = petrel_record_recv(s, buf, sizeof buf);
		cr_assert(n == PETREL_E_AGAIN, "server %ld", n);
		if (c->hs == NULL && s->hs == NULL && petrel_session_get_renegotiations(c) == 1)
			break;
		uint64_t next = simnet_next_event_ms(h.net);
		uint64_t dc = petrel_engine_next_deadline(c), ds = petrel_engine_next_deadline(s);
		next = dc < next ? dc : next;
		next = ds < next ? ds : next;
		if (next != UINT64_MAX && next > simnet_now(h.net))
			simnet_advance_to(h.net, next);
	}
	cr_assert_eq(petrel_session_get_renegotiations(c), 1);
	cr_assert_eq(petrel_session_get_renegotiations(s), 1);
	cr_assert_eq(c->version, PETREL_V_DTLS12);
	cr_assert_eq(harness_echo(&h, "renegotiated in 1.2", 120000), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
