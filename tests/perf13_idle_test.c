/* An idle established DTLS 1.3 session holds its raw traffic keys only
 * (issue #20 memory goal): no expanded AEAD or record number contexts, no
 * handshake epoch, flight or reassembly buffers once nothing can need
 * them, and at most 4 KiB with the session itself, counted by the
 * library's own accounting (petrel_perf13_heap_bytes), on the simulated
 * network's virtual clock. */
#include <criterion/criterion.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/perf13_idle.h"
#include "tests/dtls_harness.h"

static void only13(petrel_session *s)
{
	s->version_min = PETREL_V_DTLS13;
	s->version_max = PETREL_V_DTLS13;
}

/* Tick both sides at their next deadline until neither has one before
 * limit_ms, or steps run out; returns the steps taken. */
static int tick_until_quiet(struct harness *h, uint64_t limit_ms)
{
	int steps = 0;
	for (; steps < 64; steps++) {
		uint64_t due = petrel_engine_next_deadline(h->server.session);
		uint64_t c = petrel_engine_next_deadline(h->client.session);
		if (c < due)
			due = c;
		c = simnet_next_event_ms(h->net);
		if (c < due)
			due = c;
		if (due == UINT64_MAX || due > limit_ms)
			break;
		if (due > simnet_now(h->net))
			simnet_advance_to(h->net, due);
		petrel_engine_tick(h->server.session, simnet_now(h->net));
		petrel_engine_tick(h->client.session, simnet_now(h->net));
		/* Post-handshake messages (the NewSessionTicket and its ACK)
		 * still cross the network: read what arrived. */
		char buf[2048];
		while (petrel_record_recv(h->server.session, buf, sizeof buf) > 0)
			;
		while (petrel_record_recv(h->client.session, buf, sizeof buf) > 0)
			;
	}
	return steps;
}

static void idle13_case(petrel_credentials *cc, petrel_credentials *sc, uint64_t seed)
{
	struct harness h;
	harness_init(&h, seed, 0, 0, cc, sc);
	only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.server.session->version, PETREL_V_DTLS13);
	cr_assert_eq(harness_echo(&h, "before idle", 60000), 0);
	petrel_session *sides[2] = {h.client.session, h.server.session};
	for (int i = 0; i < 2; i++)
		cr_assert(petrel_rl13_holds_cache(sides[i]->d13), "an active session keeps its contexts");

	/* Past the server's final-flight keep time: everything idle has run. */
	tick_until_quiet(&h, simnet_now(h.net) + PETREL_FINAL_FLIGHT_KEEP_MS + 3 * PETREL_IDLE_RELEASE_MS);
	for (int i = 0; i < 2; i++) {
		petrel_session *s = sides[i];
		struct petrel_d13 *d = s->d13;
		cr_assert_not(petrel_rl13_holds_cache(d), "side %d: contexts dropped when idle", i);
		cr_assert_null(petrel_rl13_read(d, PETREL_EPOCH13_HANDSHAKE), "side %d", i);
		cr_assert_null(petrel_rl13_write(d, PETREL_EPOCH13_HANDSHAKE), "side %d", i);
		cr_assert_null(d->msgs, "side %d: no flight kept", i);
		cr_assert_null(d->rcvd, "side %d: no ACK list kept", i);
		cr_assert_null(d->rx, "side %d: no reassembler kept", i);
		cr_assert_null(d->cl);
		cr_assert_null(d->sv);
		size_t held = sizeof(struct petrel_session) + petrel_perf13_heap_bytes(s);
		/* peer13: the peer's certificate chain, kept as on 1.2. */
		held += s->peer_cert != NULL ? s->peer_cert_len + s->peer_chain_extra_len : 0;
		cr_log_info("DTLS 1.3 idle %s session: %zu bytes", i ? "server" : "client", held);
		cr_assert_leq(held, 4096, "side %d: idle session holds %zu bytes", i, held);
		cr_assert_eq(petrel_engine_next_deadline(s), UINT64_MAX, "side %d: nothing left to do", i);
	}

	/* The raw keys rebuild the contexts on the next record. */
	cr_assert_eq(harness_echo(&h, "after idle", 60000), 0);
	cr_assert(petrel_rl13_holds_cache(h.server.session->d13));
	harness_free(&h);
}

Test(perf13_idle, cert_session_drops_contexts_and_stays_under_4k)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	idle13_case(cc, sc, 71);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(perf13_idle, psk_session_drops_contexts_and_stays_under_4k)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	idle13_case(cc, sc, 72);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* While records flow the contexts stay: each check sees activity. */
Test(perf13_idle, active_session_keeps_contexts)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 73, 0, 0, cc, sc);
	only13(h.client.session);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(harness_echo(&h, "busy", 60000), 0);
		simnet_advance_to(h.net, simnet_now(h.net) + PETREL_IDLE_RELEASE_MS / 2);
		petrel_engine_tick(h.server.session, simnet_now(h.net));
		cr_assert(petrel_rl13_holds_cache(h.server.session->d13), "released while active (%d)", i);
	}
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
