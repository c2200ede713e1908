/* Idle established sessions keep raw keys only (the brief's < 4 KiB per
 * idle session): the expanded AEAD contexts go after PETREL_IDLE_RELEASE_MS
 * and come back on the next record. */
#include <criterion/criterion.h>
#include <malloc.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

/* Tick both sides at each next deadline until the session drops its
 * contexts: the first check after the last record re-arms (records only
 * mark activity, they read no clock), the next one releases. Returns the
 * number of checks it took. */
static int tick_until_released(struct harness *h, petrel_session *s)
{
	for (int checks = 1; checks <= 3; checks++) {
		uint64_t due = petrel_engine_next_deadline(s);
		cr_assert_neq(due, UINT64_MAX, "an active session has a release check due");
		if (due < simnet_now(h->net))
			due = simnet_now(h->net);
		simnet_advance_to(h->net, due);
		petrel_engine_tick(h->server.session, simnet_now(h->net));
		petrel_engine_tick(h->client.session, simnet_now(h->net));
		if (!petrel_rl_holds_cache(&s->rl))
			return checks;
	}
	return 0;
}

static void idle_case(const char *suite, petrel_credentials *sc)
{
	petrel_credentials *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 41, 0, 0, cc, sc);
	petrel_session_set_ciphers(h.client.session, suite);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(harness_echo(&h, "before idle", 60000), 0);
	cr_assert(petrel_rl_holds_cache(&h.server.session->rl), "an active session keeps its contexts");

	/* Idle: within two checks (1-2 s after the last record) the ticks
	 * at the session's own deadlines drop the contexts. */
	uint64_t last_record = simnet_now(h.net);
	int checks = tick_until_released(&h, h.server.session);
	cr_assert(checks >= 1 && checks <= 2, "released after %d checks", checks);
	cr_assert_leq(simnet_now(h.net) - last_record, 2 * PETREL_IDLE_RELEASE_MS + PETREL_FINAL_FLIGHT_KEEP_MS);
	cr_assert_not(petrel_rl_holds_cache(&h.server.session->rl));
	cr_assert_eq(petrel_engine_next_deadline(h.server.session), UINT64_MAX, "nothing left to do");

	/* What an idle server session holds: measured by freeing it. */
	petrel_session *server = h.server.session;
	petrel_session *fresh;
	cr_assert_eq(petrel_session_new(&fresh, PETREL_SERVER), 0);
	h.server.session = fresh; /* harness_free frees this one instead */
	struct mallinfo2 before = mallinfo2();
	petrel_session_free(server);
	struct mallinfo2 after = mallinfo2();
	if (before.uordblks == 0) {
		/* Another allocator (valgrind's) keeps glibc's statistics at 0. */
		cr_log_info("%s: heap statistics unavailable here, size not measured", suite);
	} else {
		size_t held = before.uordblks - after.uordblks;
		cr_log_info("%s: idle server session held %zu bytes", suite, held);
		cr_assert_gt(held, sizeof(struct petrel_session) - 1, "the measure sees the session itself");
		cr_assert_lt(held, 4096, "%s: idle server session holds %zu bytes", suite, held);
	}
	harness_free(&h);
	petrel_credentials_free(cc);
}

Test(idle, gcm_session_drops_expanded_keys_and_stays_under_4k)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	idle_case("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", sc);
	petrel_credentials_free(sc);
}

Test(idle, ccm8_psk_session_stays_under_4k)
{
	petrel_credentials *sc = harness_psk_creds();
	idle_case("TLS_PSK_WITH_AES_128_CCM_8", sc);
	petrel_credentials_free(sc);
}

/* The PSK AES-GCM tests below share their set-up: a session pair with the
 * handshake done, freed after the test. */
static petrel_credentials *fix_sc, *fix_cc;
static struct harness fix;

static void psk_gcm_free(void)
{
	harness_free(&fix);
	petrel_credentials_free(fix_sc);
	petrel_credentials_free(fix_cc);
}

static void psk_gcm_established(unsigned seed)
{
	fix_sc = harness_psk_creds();
	fix_cc = harness_psk_creds();
	harness_init(&fix, seed, 0, 0, fix_cc, fix_sc);
	petrel_session_set_ciphers(fix.client.session, "TLS_PSK_WITH_AES_128_GCM_SHA256");
	cr_assert_eq(harness_run_handshake(&fix, 10000), 0);
}

Test(idle, data_after_idle_reexpands_and_flows, .fini = psk_gcm_free)
{
	psk_gcm_established(42);
	cr_assert_eq(harness_echo(&fix, "one", 60000), 0);
	simnet_advance_to(fix.net, simnet_now(fix.net) + 40000);
	cr_assert_gt(tick_until_released(&fix, fix.client.session), 0);
	cr_assert_eq(harness_echo(&fix, "after a long silence", 60000), 0);
}

Test(idle, records_between_checks_keep_the_contexts, .fini = psk_gcm_free)
{
	psk_gcm_established(43);
	petrel_session *server = fix.server.session;
	/* A record every 600 ms for 6 s, ticking at every due check: never idle. */
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(harness_echo(&fix, "still here", 60000), 0);
		uint64_t until = simnet_now(fix.net) + 600;
		uint64_t due = petrel_engine_next_deadline(server);
		while (due <= until) {
			simnet_advance_to(fix.net, due > simnet_now(fix.net) ? due : simnet_now(fix.net));
			petrel_engine_tick(server, simnet_now(fix.net));
			cr_assert(petrel_rl_holds_cache(&server->rl), "released while active (%d)", i);
			uint64_t next = petrel_engine_next_deadline(server);
			if (next <= due)
				break; /* not re-armed: would be a bug, caught next round */
			due = next;
		}
		simnet_advance_to(fix.net, until);
	}
	cr_assert(petrel_rl_holds_cache(&server->rl));
}

/* The GnuTLS-style loop: when petrel_dtls_get_timeout() says 0, a
 * petrel_record_recv() that finds nothing to read services the timer, so
 * the deadline moves on instead of staying due (a caller would spin). */
Test(idle, recv_with_nothing_to_read_services_a_due_idle_check, .fini = psk_gcm_free)
{
	psk_gcm_established(44);
	cr_assert_eq(harness_echo(&fix, "busy", 60000), 0);
	petrel_session *c = fix.client.session;
	for (int i = 0; i < 3 && petrel_rl_holds_cache(&c->rl); i++) {
		uint64_t due = petrel_engine_next_deadline(c);
		cr_assert_neq(due, UINT64_MAX);
		if (due > simnet_now(fix.net))
			simnet_advance_to(fix.net, due);
		cr_assert_eq(petrel_dtls_get_timeout(c), 0u);
		char buf[64];
		cr_assert_eq(petrel_record_recv(c, buf, sizeof buf), PETREL_E_AGAIN);
		cr_assert_gt(petrel_engine_next_deadline(c), simnet_now(fix.net),
			     "the due check was serviced (round %d)", i);
	}
	cr_assert_not(petrel_rl_holds_cache(&c->rl), "idle: contexts dropped by recv's timer service");
}
