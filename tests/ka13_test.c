/* Keepalive and dead-peer detection on DTLS 1.3 sessions (issue #20,
 * dtls13/ka13.h), on the simulated network's virtual clock: a quiet peer
 * that acknowledges the KeyUpdate pings stays alive, a silenced one is
 * declared dead after dead_after_ms, a keepalive no longer keeps a
 * default client on DTLS 1.2, its ClientHello offers the heartbeat
 * extension, so a client that falls back to a 1.2 server gets heartbeats
 * (keepalive) or probes with them (PMTU_PROBE), and empty records ping
 * when asked for. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/first_record.h"
#include "dtls/messages.h"
#include "dtls/session.h"
#include "dtls13/engine13_internal.h"
#include "record/record.h"
#include "tests/dtls_harness.h"

#define INTERVAL_MS 1000u
#define DEAD_MS 5000u
#define IP_UDP 28

static const struct simnet_rules drop_all = {.drop_per_million = 1000000};
static const struct simnet_rules clear_path = {.delay_ms = 10};

/* Back to the library's default versions (the harness pins its clients
 * to 1.2, tests/dtls_harness.h). */
static void library_default(petrel_session *s)
{
	s->versions_set = false;
	s->version_min = PETREL_V_DTLS12;
	s->version_max = PETREL_V_DTLS13;
}

/* A default client and server (a 1.2-only server when server12), the
 * client with a keepalive (interval, dead) set before the handshake. */
static void connect_pair(struct harness *h, unsigned client_flags, bool server12,
			 unsigned interval_ms, unsigned dead_ms)
{
	harness_init(h, 1320, client_flags, 0, harness_psk_creds(), harness_psk_creds());
	library_default(h->client.session);
	if (server12)
		cr_assert_eq(petrel_session_set_versions(h->server.session, PETREL_DTLS1_2,
							 PETREL_DTLS1_2), 0);
	simnet_set_rules(h->net, 0, &clear_path);
	simnet_set_rules(h->net, 1, &clear_path);
	if (interval_ms || dead_ms)
		cr_assert_eq(petrel_session_set_keepalive(h->client.session, interval_ms, dead_ms), 0);
	cr_assert_eq(harness_run_handshake(h, 20000), 0);
	cr_assert_eq(harness_echo(h, "hello", simnet_now(h->net) + 20000), 0);
}

/* One step: the clock to the earliest of the sessions' deadlines, the
 * network's next delivery and limit_ms (at least 1 ms on), then each driven session
 * reads what arrived (petrel_record_recv runs its timers too). The
 * client's fatal error, else 0; the server's in *server_rc. */
static long step(struct harness *h, bool drive_server, long *server_rc, uint64_t limit_ms)
{
	uint64_t now = simnet_now(h->net);
	uint64_t next = simnet_next_event_ms(h->net);
	uint64_t dc = petrel_engine_next_deadline(h->client.session);
	if (dc < next)
		next = dc;
	if (drive_server) {
		uint64_t ds = petrel_engine_next_deadline(h->server.session);
		if (ds < next)
			next = ds;
	}
	cr_assert_neq(next, UINT64_MAX, "something is always due while a keepalive runs");
	if (next > limit_ms)
		next = limit_ms;
	simnet_advance_to(h->net, next > now ? next : now + 1);
	char buf[2048];
	long rc;
	while ((rc = petrel_record_recv(h->client.session, buf, sizeof buf)) > 0)
		;
	if (drive_server) {
		long s;
		while ((s = petrel_record_recv(h->server.session, buf, sizeof buf)) > 0)
			;
		if (server_rc)
			*server_rc = s;
	}
	return rc < 0 && petrel_error_is_fatal((int)rc) ? rc : 0;
}

/* Both sides run until until_ms; the client's fatal error, or 0. */
static long run_both(struct harness *h, uint64_t until_ms)
{
	long rc = 0, server_rc = 0;
	while (rc == 0 && simnet_now(h->net) < until_ms) {
		rc = step(h, true, &server_rc, until_ms);
		cr_assert(server_rc >= 0 || !petrel_error_is_fatal((int)server_rc),
			  "server failed: %ld", server_rc);
	}
	return rc;
}

Test(ka13, default_client_with_keepalive_offers_dtls13_and_heartbeat)
{
	petrel_credentials *cc = harness_psk_creds();
	struct hand_client c;
	hand_client_init(&c, cc, 1000);
	library_default(c.s);
	cr_assert_eq(petrel_session_set_keepalive(c.s, INTERVAL_MS, DEAD_MS), 0);
	cr_assert_eq(petrel_handshake(c.s), PETREL_E_AGAIN);
	cr_assert_geq(c.sent_count, 1);
	cr_assert(petrel_dgram_offers_dtls13(c.sent[0], c.sent_len[0]));
	cr_assert_eq(c.s->version_max, PETREL_V_DTLS13, "the keepalive no longer pins 1.2");
	/* The 1.3 ClientHello, read as a 1.2 server reads it: heartbeat with
	 * peer_allowed_to_send (RFC 6520 2). */
	const size_t at = PETREL_RECORD_HEADER_LEN + 12;
	cr_assert_gt(c.sent_len[0], at);
	struct petrel_client_hello ch;
	cr_assert_eq(petrel_client_hello_parse(c.sent[0] + at, c.sent_len[0] - at, &ch), 0);
	cr_assert(ch.ext.has_heartbeat);
	cr_assert_eq(ch.ext.heartbeat_mode, 1);
	petrel_session_free(c.s);
	petrel_credentials_free(cc);
}

Test(ka13, client_hello_without_keepalive_has_no_heartbeat)
{
	petrel_credentials *cc = harness_psk_creds();
	struct hand_client c;
	hand_client_init(&c, cc, 1000);
	library_default(c.s);
	cr_assert_eq(petrel_handshake(c.s), PETREL_E_AGAIN);
	const size_t at = PETREL_RECORD_HEADER_LEN + 12;
	struct petrel_client_hello ch;
	cr_assert_eq(petrel_client_hello_parse(c.sent[0] + at, c.sent_len[0] - at, &ch), 0);
	cr_assert_not(ch.ext.has_heartbeat);
	petrel_session_free(c.s);
	petrel_credentials_free(cc);
}

Test(ka13, quiet_live_peer_acknowledges_key_update_pings)
{
	struct harness h;
	connect_pair(&h, 0, false, INTERVAL_MS, DEAD_MS);
	petrel_session *c = h.client.session;
	/* The Petrel 1.3 server ignored the heartbeat offer: 1.3, no heartbeats. */
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	cr_assert_eq(petrel_session_get_version(h.server.session), PETREL_DTLS1_3);
	cr_assert_eq(petrel_session_keepalive_uses_heartbeat(c), 0);
	uint64_t epoch0 = petrel_engine13_write_epoch(c);
	uint64_t start = simnet_now(h.net);
	/* Four times dead_after_ms without application data either way. */
	cr_assert_eq(run_both(&h, start + 4 * DEAD_MS), 0, "declared dead while the peer answered");
	const struct petrel_keepalive *ka = c->keepalive;
	/* One ping per interval of silence (each ACK restarts the interval,
	 * 10 ms each way here). */
	cr_assert_geq(ka->key_update_pings, 4 * DEAD_MS / (INTERVAL_MS + 20) - 1, "pings %llu",
		      (unsigned long long)ka->key_update_pings);
	cr_assert_leq(ka->key_update_pings, 4 * DEAD_MS / INTERVAL_MS);
	cr_assert_eq(ka->heartbeats_sent, 0);
	cr_assert_eq(ka->empty_records_sent, 0);
	/* Each ping was acknowledged (the last one within 100 ms, before
	 * the next is due): our keys moved on once per ping, and the server
	 * reads in the same epoch. */
	uint64_t pings = ka->key_update_pings;
	cr_assert_eq(run_both(&h, simnet_now(h.net) + 100), 0);
	cr_assert_eq(ka->key_update_pings, pings);
	cr_assert_not(c->d13->ku.pending);
	cr_assert_eq(petrel_engine13_write_epoch(c), epoch0 + ka->key_update_pings);
	cr_assert_eq(petrel_engine13_read_epoch(h.server.session), petrel_engine13_write_epoch(c));
	cr_assert_eq(harness_echo(&h, "still here", simnet_now(h.net) + 10000), 0);
	harness_free_all(&h);
}

Test(ka13, silenced_peer_is_declared_dead_after_dead_ms)
{
	struct harness h;
	connect_pair(&h, 0, false, INTERVAL_MS, DEAD_MS);
	petrel_session *c = h.client.session;
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	simnet_set_rules(h.net, 0, &drop_all);
	simnet_set_rules(h.net, 1, &drop_all);
	uint64_t vanished = simnet_now(h.net);
	long rc = 0;
	while (rc == 0 && simnet_now(h.net) < vanished + 60000)
		rc = step(&h, false, NULL, UINT64_MAX);
	cr_assert_eq(rc, PETREL_E_PEER_DEAD, "got %ld (%s)", rc, petrel_strerror((int)rc));
	uint64_t took = simnet_now(h.net) - vanished;
	cr_assert_geq(took, DEAD_MS, "declared dead after %llu ms", (unsigned long long)took);
	cr_assert_leq(took, DEAD_MS + INTERVAL_MS, "declared dead after %llu ms",
		      (unsigned long long)took);
	/* One KeyUpdate went out as a ping; unacknowledged, it was only
	 * retransmitted (RFC 9147 8: one at a time), never joined by another. */
	cr_assert_eq(c->keepalive->key_update_pings, 1);
	cr_assert_gt(c->stats.retransmissions, 0);
	/* Sticky, from every call. */
	cr_assert_eq(petrel_engine_tick(c, simnet_now(h.net)), PETREL_E_PEER_DEAD);
	cr_assert_eq(petrel_record_send(c, "x", 1), PETREL_E_PEER_DEAD);
	harness_free_all(&h);
}

Test(ka13, dead_after_alone_is_an_idle_timeout_on_dtls13)
{
	struct harness h;
	connect_pair(&h, 0, false, 0, DEAD_MS);
	uint64_t start = simnet_now(h.net);
	long rc = 0;
	while (rc == 0 && simnet_now(h.net) < start + 60000)
		rc = step(&h, true, NULL, UINT64_MAX);
	cr_assert_eq(rc, PETREL_E_PEER_DEAD);
	cr_assert_eq(h.client.session->keepalive->key_update_pings, 0, "no pings without an interval");
	cr_assert_leq(simnet_now(h.net) - start, DEAD_MS + 50);
	harness_free_all(&h);
}

Test(ka13, peer_traffic_postpones_the_pings)
{
	struct harness h;
	connect_pair(&h, 0, false, INTERVAL_MS, DEAD_MS);
	uint64_t end = simnet_now(h.net) + 3 * DEAD_MS;
	char buf[64];
	/* The server sends every half interval: the client never pings. */
	while (simnet_now(h.net) < end) {
		cr_assert_eq(petrel_record_send(h.server.session, "tick", 4), 4);
		uint64_t until = simnet_now(h.net) + INTERVAL_MS / 2;
		cr_assert_eq(run_both(&h, until), 0);
		while (petrel_record_recv(h.client.session, buf, sizeof buf) > 0)
			;
	}
	cr_assert_eq(h.client.session->keepalive->key_update_pings, 0);
	harness_free_all(&h);
}

Test(ka13, no_ping_while_a_key_update_is_outstanding)
{
	struct harness h;
	connect_pair(&h, 0, false, INTERVAL_MS, 0);
	petrel_session *c = h.client.session;
	/* Our own KeyUpdate (petrel_handshake on an established 1.3
	 * session), its datagrams lost: it stays outstanding, retransmitted,
	 * for several intervals. */
	simnet_set_rules(h.net, 0, &drop_all);
	cr_assert_eq(petrel_handshake(c), 0);
	cr_assert(c->d13->flight_active && c->d13->ku.pending);
	uint64_t sent_before = c->d13->key_updates_sent;
	cr_assert_eq(run_both(&h, simnet_now(h.net) + 5 * INTERVAL_MS), 0);
	cr_assert_eq(c->keepalive->key_update_pings, 0, "a ping started beside a KeyUpdate");
	cr_assert_eq(c->d13->key_updates_sent, sent_before);
	/* The path back: the KeyUpdate is acknowledged, pings resume an
	 * interval after the last record heard. */
	simnet_set_rules(h.net, 0, &clear_path);
	cr_assert_eq(run_both(&h, simnet_now(h.net) + 10 * INTERVAL_MS), 0);
	/* (A ping can only start once the KeyUpdate was acknowledged.) */
	cr_assert_geq(c->keepalive->key_update_pings, 3);
	cr_assert_eq(harness_echo(&h, "after", simnet_now(h.net) + 10000), 0);
	harness_free_all(&h);
}

Test(ka13, empty_records_ping_without_a_key_change)
{
	struct harness h;
	connect_pair(&h, 0, false, INTERVAL_MS, 0);
	petrel_session *c = h.client.session;
	cr_assert_eq(petrel_session_set_keepalive_empty_records(c, 1), 0);
	uint64_t epoch0 = petrel_engine13_write_epoch(c);
	uint64_t rx_before = h.server.session->authenticated_records;
	cr_assert_eq(run_both(&h, simnet_now(h.net) + 10 * INTERVAL_MS), 0);
	const struct petrel_keepalive *ka = c->keepalive;
	cr_assert_geq(ka->empty_records_sent, 9, "sent %llu", (unsigned long long)ka->empty_records_sent);
	cr_assert_leq(ka->empty_records_sent, 10);
	cr_assert_eq(ka->key_update_pings, 0);
	cr_assert_eq(petrel_engine13_write_epoch(c), epoch0);
	/* Each reached the server and authenticated (the client sent
	 * nothing else), and none gave its reader anything. */
	cr_assert_eq(h.server.session->authenticated_records - rx_before, ka->empty_records_sent);
	char buf[16];
	cr_assert_eq(petrel_record_recv(h.server.session, buf, sizeof buf), PETREL_E_AGAIN);
	cr_assert_eq(harness_echo(&h, "after", simnet_now(h.net) + 10000), 0);
	harness_free_all(&h);
}

Test(ka13, server_session_pings_too)
{
	struct harness h;
	harness_init(&h, 1321, 0, 0, harness_psk_creds(), harness_psk_creds());
	library_default(h.client.session);
	simnet_set_rules(h.net, 0, &clear_path);
	simnet_set_rules(h.net, 1, &clear_path);
	cr_assert_eq(petrel_session_set_keepalive(h.server.session, INTERVAL_MS, DEAD_MS), 0);
	cr_assert_eq(harness_run_handshake(&h, 20000), 0);
	cr_assert_eq(petrel_session_get_version(h.server.session), PETREL_DTLS1_3);
	cr_assert_eq(run_both(&h, simnet_now(h.net) + 3 * DEAD_MS), 0);
	cr_assert_geq(h.server.session->keepalive->key_update_pings, 10);
	cr_assert_eq(h.server.session->fatal_error, 0);
	harness_free_all(&h);
}

/* ---- falling back to a DTLS 1.2 server: heartbeats, as 1.2 clients get ---- */

Test(ka13, keepalive_client_falling_back_to_dtls12_gets_heartbeats)
{
	struct harness h;
	connect_pair(&h, 0, true, INTERVAL_MS, DEAD_MS);
	petrel_session *c = h.client.session;
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_2);
	cr_assert_eq(petrel_session_keepalive_uses_heartbeat(c), 1,
		     "the 1.2 server answered the 1.3 ClientHello's heartbeat offer");
	cr_assert(h.server.session->hb_negotiated);
	cr_assert_eq(run_both(&h, simnet_now(h.net) + 3 * DEAD_MS), 0);
	cr_assert_geq(c->keepalive->heartbeats_sent, 10);
	cr_assert_geq(c->keepalive->heartbeat_responses + 1, c->keepalive->heartbeats_sent);
	cr_assert_eq(c->keepalive->key_update_pings, 0);
	/* And a vanished 1.2 server is declared dead as before. */
	simnet_set_rules(h.net, 0, &drop_all);
	simnet_set_rules(h.net, 1, &drop_all);
	uint64_t vanished = simnet_now(h.net);
	long rc = 0;
	while (rc == 0 && simnet_now(h.net) < vanished + 60000)
		rc = step(&h, false, NULL, UINT64_MAX);
	cr_assert_eq(rc, PETREL_E_PEER_DEAD);
	cr_assert_leq(simnet_now(h.net) - vanished, DEAD_MS + INTERVAL_MS);
	harness_free_all(&h);
}

struct mtu_events {
	unsigned probe;
};

static void on_mtu(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	(void)old_mtu;
	(void)new_mtu;
	if (reason == PETREL_MTU_PROBE)
		((struct mtu_events *)ptr)->probe++;
}

Test(ka13, pmtu_probe_client_falling_back_to_dtls12_probes_with_heartbeats)
{
	struct harness h;
	harness_init(&h, 1322, PETREL_FLAG_PMTU_PROBE, 0, harness_psk_creds(), harness_psk_creds());
	library_default(h.client.session);
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	petrel_dtls_set_mtu(h.client.session, 500);
	petrel_dtls_set_mtu(h.server.session, 500);
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = 1400 - IP_UDP,
				 .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(h.net, 0, &r);
	simnet_set_rules(h.net, 1, &r);
	cr_assert_eq(harness_run_handshake(&h, 20000), 0);
	petrel_session *c = h.client.session;
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_2);
	cr_assert(c->hb_negotiated && c->hb_peer_allows,
		  "the 1.2 server answered the 1.3 ClientHello's heartbeat offer");
	struct mtu_events ev = {0};
	petrel_dtls_set_mtu_callback(c, on_mtu, &ev);
	cr_assert_eq(run_both(&h, simnet_now(h.net) + 30000), 0);
	cr_assert_gt(ev.probe, 0, "no probe confirmed");
	cr_assert_gt(petrel_dtls_get_mtu(c), 500, "MTU %u", petrel_dtls_get_mtu(c));
	cr_assert_leq(petrel_dtls_get_mtu(c), 1400);
	harness_free_all(&h);
}

Test(ka13, heartbeat_answer_taken_when_the_keepalive_changed_after_the_client_hello)
{
	struct harness h;
	harness_init(&h, 1323, 0, 0, harness_psk_creds(), harness_psk_creds());
	library_default(h.client.session);
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	cr_assert_eq(petrel_session_set_keepalive(h.client.session, INTERVAL_MS, DEAD_MS), 0);
	cr_assert_eq(petrel_handshake(h.client.session), PETREL_E_AGAIN); /* the 1.3 ClientHello */
	/* Turned off before the 1.2 ServerHello answers the offer: what was
	 * offered counts (dtls12/client12.c checks our ClientHello). */
	cr_assert_eq(petrel_session_set_keepalive(h.client.session, 0, 0), 0);
	cr_assert_eq(harness_run_handshake(&h, 20000), 0);
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_2);
	cr_assert(h.client.session->hb_negotiated);
	cr_assert_eq(harness_echo(&h, "hello", simnet_now(h.net) + 20000), 0);
	harness_free_all(&h);
}

/* Our KeyUpdate never acknowledged: after the total timeout the session
 * fails with PETREL_E_TIMEDOUT (dtls13/engine13.c tick) instead of
 * keeping a KeyUpdate pending for ever, under which no later KeyUpdate
 * (ping, probe, AEAD limit) could start. No keepalive here: the rule is
 * the engine's. */
Test(ka13, key_update_never_acknowledged_fails_at_the_total_timeout)
{
	struct harness h;
	connect_pair(&h, 0, false, 0, 0);
	petrel_session *c = h.client.session;
	simnet_set_rules(h.net, 0, &drop_all);
	cr_assert_eq(petrel_handshake(c), 0);
	cr_assert(c->d13->flight_active && c->d13->ku.pending);
	uint64_t start = simnet_now(h.net);
	long rc = run_both(&h, start + c->total_timeout_ms - 1000);
	cr_assert_eq(rc, 0, "failed before the total timeout: %ld", rc);
	rc = run_both(&h, start + c->total_timeout_ms + 10000);
	cr_assert_eq(rc, PETREL_E_TIMEDOUT, "got %ld", rc);
	harness_free_all(&h);
}

/* With a keepalive, the same unanswered KeyUpdate (here a ping: no
 * dead_after_ms, pings only) ends the session with PETREL_E_PEER_DEAD,
 * what a keepalive user waits for, not PETREL_E_TIMEDOUT. */
Test(ka13, unanswered_ping_with_no_dead_after_is_peer_dead)
{
	struct harness h;
	connect_pair(&h, 0, false, INTERVAL_MS, 0);
	petrel_session *c = h.client.session;
	simnet_set_rules(h.net, 0, &drop_all);
	simnet_set_rules(h.net, 1, &drop_all);
	uint64_t start = simnet_now(h.net);
	long rc = run_both(&h, start + c->total_timeout_ms + INTERVAL_MS + 10000);
	cr_assert_eq(rc, PETREL_E_PEER_DEAD, "got %ld", rc);
	cr_assert_geq(c->keepalive->key_update_pings, 1);
	harness_free_all(&h);
}
