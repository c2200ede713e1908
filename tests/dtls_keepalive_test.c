/* Keepalive and dead-peer detection (issue #21 item 7), on the simulated
 * network and through a sans-I/O endpoint, all on virtual clocks. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

#define INTERVAL_MS 1000u
#define DEAD_MS 5000u

static const struct simnet_rules drop_all = {.drop_per_million = 1000000};

/* Advance to the earliest of both sessions' deadlines and the network's
 * next delivery (at least 1 ms), and let each side read what arrived
 * (petrel_record_recv also runs its timers). Returns the client's result
 * when it is fatal, else 0. */
static long step_both(struct harness *h, bool drive_server, long *server_rc)
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
	simnet_advance_to(h->net, next > now ? next : now + 1);
	char buf[256];
	long rc;
	while ((rc = petrel_record_recv(h->client.session, buf, sizeof buf)) >= 0 && rc > 0)
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

static void connect_with_keepalive(struct harness *h, petrel_credentials *cc, petrel_credentials *sc,
				   unsigned interval_ms, unsigned dead_ms)
{
	harness_init(h, 2107, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_keepalive(h->client.session, interval_ms, dead_ms), 0);
	cr_assert_eq(harness_run_handshake(h, 10000), 0);
	cr_assert_eq(harness_echo(h, "hello", 20000), 0);
}

Test(keepalive, vanished_peer_reported_dead_after_dead_ms_without_app_traffic)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	connect_with_keepalive(&h, cc, sc, INTERVAL_MS, DEAD_MS);
	cr_assert_eq(petrel_session_keepalive_uses_heartbeat(h.client.session), 1,
		     "a Petrel server accepts the heartbeat extension the keepalive offers");
	/* The server vanishes: nothing gets through either way. */
	simnet_set_rules(h.net, 0, &drop_all);
	simnet_set_rules(h.net, 1, &drop_all);
	uint64_t vanished = simnet_now(h.net);
	long rc = 0;
	while (rc == 0 && simnet_now(h.net) < vanished + 60000)
		rc = step_both(&h, false, NULL);
	cr_assert_eq(rc, PETREL_E_PEER_DEAD, "got %ld (%s)", rc, petrel_strerror((int)rc));
	uint64_t took = simnet_now(h.net) - vanished;
	cr_assert_geq(took, DEAD_MS, "declared dead after %llu ms", (unsigned long long)took);
	cr_assert_leq(took, DEAD_MS + INTERVAL_MS, "declared dead after %llu ms", (unsigned long long)took);
	cr_assert_geq(h.client.session->keepalive->heartbeats_sent, 4, "pinged while silent");
	cr_assert_eq(h.client.session->keepalive->empty_records_sent, 0);
	/* Sticky, and the same from every call. */
	cr_assert_eq(petrel_engine_tick(h.client.session, simnet_now(h.net)), PETREL_E_PEER_DEAD);
	cr_assert_eq(petrel_record_send(h.client.session, "x", 1), PETREL_E_PEER_DEAD);
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_PEER_DEAD), 1);
	cr_assert_str_eq(petrel_strerror_name(PETREL_E_PEER_DEAD), "PETREL_E_PEER_DEAD");
	harness_free_all(&h);
}

/* The keepalive state is a heap block made by the first real setting:
 * sessions without one (here the server) carry a NULL pointer. */
Test(keepalive, state_exists_only_on_sessions_that_set_one)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	cr_assert_eq(petrel_session_set_keepalive(s, 0, 0), 0);
	cr_assert_eq(petrel_session_set_keepalive_empty_records(s, 0), 0);
	cr_assert_null(s->keepalive, "off, as by default: nothing to keep");
	cr_assert_eq(petrel_session_set_keepalive_empty_records(s, 1), 0);
	cr_assert_not_null(s->keepalive);
	petrel_session_free(s);

	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	connect_with_keepalive(&h, cc, sc, INTERVAL_MS, DEAD_MS);
	cr_assert_not_null(h.client.session->keepalive);
	cr_assert_null(h.server.session->keepalive);
	/* The server answers pings without a keepalive of its own. */
	long server_rc = 0;
	for (int i = 0; i < 50; i++)
		cr_assert_eq(step_both(&h, true, &server_rc), 0);
	cr_assert_geq(h.client.session->keepalive->heartbeat_responses, 2);
	cr_assert_null(h.server.session->keepalive);
	harness_free_all(&h);
}

Test(keepalive, live_quiet_peer_answers_heartbeats_for_ten_minutes)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	connect_with_keepalive(&h, cc, sc, INTERVAL_MS, 2 * INTERVAL_MS + 500);
	uint64_t start = simnet_now(h.net);
	uint64_t answers_before = h.client.session->keepalive->heartbeat_responses;
	long server_rc = 0;
	while (simnet_now(h.net) < start + 600000) {
		cr_assert_eq(step_both(&h, true, &server_rc), 0, "the client stays alive");
		cr_assert(server_rc == PETREL_E_AGAIN, "server: %ld", server_rc);
	}
	const struct petrel_keepalive *ka = h.client.session->keepalive;
	/* One ping per interval of silence, each answered. */
	cr_assert_geq(ka->heartbeats_sent, 590);
	cr_assert_leq(ka->heartbeats_sent, 601);
	cr_assert_geq(ka->heartbeat_responses - answers_before, ka->heartbeats_sent - 1);
	cr_assert_eq(harness_echo(&h, "still here", simnet_now(h.net) + 20000), 0);
	harness_free_all(&h);
}

Test(keepalive, live_peer_survives_20pct_loss_with_dead_after_five_intervals)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	connect_with_keepalive(&h, cc, sc, INTERVAL_MS, 5 * INTERVAL_MS + 200);
	const struct simnet_rules lossy = {.drop_per_million = 200000, .delay_ms = 20};
	simnet_set_rules(h.net, 0, &lossy);
	simnet_set_rules(h.net, 1, &lossy);
	uint64_t start = simnet_now(h.net);
	while (simnet_now(h.net) < start + 120000)
		cr_assert_eq(step_both(&h, true, NULL), 0, "a lost ping or answer is forgiven");
	cr_assert_gt(h.client.session->keepalive->heartbeat_responses, 60);
	harness_free_all(&h);
}

Test(keepalive, app_traffic_from_peer_defers_pings)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	connect_with_keepalive(&h, cc, sc, INTERVAL_MS, DEAD_MS);
	uint64_t sent_before = h.client.session->keepalive->heartbeats_sent;
	uint64_t start = simnet_now(h.net);
	/* The server talks every 500 ms: the client never needs to ping. */
	char buf[64];
	while (simnet_now(h.net) < start + 10000) {
		cr_assert_eq(petrel_record_send(h.server.session, "tick", 4), 4);
		simnet_advance_to(h.net, simnet_now(h.net) + 500);
		cr_assert_eq(petrel_record_recv(h.client.session, buf, sizeof buf), 4);
		cr_assert_eq(petrel_record_recv(h.server.session, buf, sizeof buf), PETREL_E_AGAIN);
	}
	cr_assert_eq(h.client.session->keepalive->heartbeats_sent, sent_before);
	harness_free_all(&h);
}

/* A peer without heartbeats (here: the client offers none because the
 * keepalive is set after the handshake). On request the keepalive sends
 * empty records, which the peer skips (no empty message reaches its
 * application) and which prove nothing, so a quiet peer is declared dead. */
Test(keepalive, without_heartbeats_empty_records_keep_bindings_but_quiet_peer_is_dead)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 2108, 0, 0, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(harness_echo(&h, "hello", 20000), 0);
	cr_assert_eq(petrel_session_set_keepalive(h.client.session, INTERVAL_MS, DEAD_MS), 0);
	cr_assert_eq(petrel_session_set_keepalive_empty_records(h.client.session, 1), 0);
	cr_assert_eq(petrel_session_keepalive_uses_heartbeat(h.client.session), 0);
	uint64_t start = simnet_now(h.net), received_before = 0;
	struct petrel_stats st;
	petrel_session_get_stats(h.server.session, &st);
	received_before = st.datagrams_received;
	long rc = 0, server_rc = 0;
	while (rc == 0 && simnet_now(h.net) < start + 60000) {
		rc = step_both(&h, true, &server_rc);
		cr_assert_eq(server_rc, PETREL_E_AGAIN, "the server's application sees no empty message");
	}
	cr_assert_eq(rc, PETREL_E_PEER_DEAD);
	cr_assert_geq(simnet_now(h.net) - start, DEAD_MS);
	cr_assert_geq(h.client.session->keepalive->empty_records_sent, 4);
	cr_assert_eq(h.client.session->keepalive->heartbeats_sent, 0);
	petrel_session_get_stats(h.server.session, &st);
	cr_assert_geq(st.datagrams_received - received_before, 4, "the empty records reached the server");
	harness_free_all(&h);
}

/* Without heartbeats and without the opt-in, nothing is sent (OpenSSL
 * peers would take an empty record for an error): the dead timer alone
 * ends a session whose peer stays quiet, an idle timeout. */
Test(keepalive, without_heartbeats_by_default_no_pings_and_quiet_peer_times_out)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 2109, 0, 0, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(harness_echo(&h, "hello", 20000), 0);
	cr_assert_eq(petrel_session_set_keepalive(h.client.session, INTERVAL_MS, DEAD_MS), 0);
	struct petrel_stats before, after;
	petrel_session_get_stats(h.client.session, &before);
	uint64_t start = simnet_now(h.net);
	long rc = 0;
	while (rc == 0 && simnet_now(h.net) < start + 60000)
		rc = step_both(&h, true, NULL);
	cr_assert_eq(rc, PETREL_E_PEER_DEAD);
	cr_assert_geq(simnet_now(h.net) - start, DEAD_MS);
	cr_assert_leq(simnet_now(h.net) - start, DEAD_MS + 1);
	petrel_session_get_stats(h.client.session, &after);
	cr_assert_eq(after.datagrams_sent, before.datagrams_sent, "no ping without heartbeats");
	harness_free_all(&h);
}

/* ---- Through a sans-I/O endpoint: idle close and restart -------------- */

/* A hand client (tests/dtls_harness.h) with keepalive on. */
static void bridge_client(struct hand_client *b, petrel_credentials *cc, uint64_t now)
{
	hand_client_init(b, cc, now);
	cr_assert_eq(petrel_session_set_keepalive(b->s, INTERVAL_MS, DEAD_MS), 0);
}

static const struct sockaddr_in client_addr = {.sin_family = AF_INET, .sin_port = 0x3412,
					       .sin_addr = {.s_addr = 0x0100007f}};

/* Client datagrams to the endpoint, the endpoint's back to the client;
 * returns the first fatal result of the client's feed, else 0. */
static int bridge_exchange(petrel_endpoint *ep, struct hand_client *b)
{
	for (unsigned i = 0; i < b->sent_count; i++)
		cr_assert_eq(petrel_endpoint_feed(ep, b->sent[i], b->sent_len[i], &client_addr,
						  sizeof client_addr, b->now), 0);
	b->sent_count = 0;
	uint8_t buf[17 * 1024];
	long n;
	int result = 0;
	while ((n = petrel_endpoint_next_datagram(ep, buf, sizeof buf, NULL, NULL)) > 0) {
		int rc = petrel_engine_feed(b->s, buf, (size_t)n, b->now);
		if (rc < 0 && petrel_error_is_fatal(rc) && result == 0)
			result = rc;
	}
	return result;
}

static void bridge_handshake(petrel_endpoint *ep, struct hand_client *b)
{
	int rc = PETREL_E_AGAIN;
	for (int i = 0; i < 20 && rc != 0; i++) {
		rc = petrel_handshake(b->s);
		cr_assert(rc == 0 || !petrel_error_is_fatal(rc), "handshake: %s", petrel_strerror(rc));
		cr_assert_eq(bridge_exchange(ep, b), 0);
	}
	cr_assert_eq(rc, 0);
	cr_assert_eq(bridge_exchange(ep, b), 0);
}

/* Run both timers until the client's engine reports a fatal result or
 * limit passes; returns it (0 if none). */
static int bridge_run(petrel_endpoint *ep, struct hand_client *b, uint64_t limit)
{
	while (b->now < limit) {
		uint64_t next = petrel_engine_next_deadline(b->s);
		uint64_t e = petrel_endpoint_next_deadline(ep);
		if (e < next)
			next = e;
		if (next > limit)
			next = limit;
		b->now = next > b->now ? next : b->now + 1;
		cr_assert_eq(petrel_endpoint_handle_timeout(ep, b->now), 0);
		int rc = petrel_engine_tick(b->s, b->now);
		int xrc = bridge_exchange(ep, b);
		if (rc == 0)
			rc = xrc;
		if (rc < 0 && petrel_error_is_fatal(rc))
			return rc;
	}
	return 0;
}

static int closed_reason;
static void note_closed(void *ptr, petrel_session *s, int reason)
{
	(void)ptr;
	(void)s;
	closed_reason = reason;
}

static void reconnect_resumes(petrel_endpoint *ep, petrel_session *old, petrel_credentials *cc,
			      uint64_t now)
{
	/* The documented way: the old session's data into a new session. */
	size_t len = 0;
	cr_assert_eq(petrel_session_get_data(old, NULL, &len), 0);
	cr_assert_gt(len, 0);
	uint8_t blob[2048];
	cr_assert_leq(len, sizeof blob);
	cr_assert_eq(petrel_session_get_data(old, blob, &len), 0);
	struct hand_client b2;
	bridge_client(&b2, cc, now);
	cr_assert_eq(petrel_session_set_data(b2.s, blob, len), 0);
	bridge_handshake(ep, &b2);
	cr_assert_eq(petrel_session_is_resumed(b2.s), 1, "an abbreviated handshake");
	cr_assert_eq(petrel_record_send(b2.s, "back", 4), 4);
	cr_assert_eq(bridge_exchange(ep, &b2), 0);
	petrel_session_free(b2.s);
}

Test(keepalive, server_idle_close_reaches_client_as_close_notify_then_resumes)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct petrel_endpoint_callbacks cb = {.on_closed = note_closed};
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, &cb), 0);
	petrel_endpoint_set_idle_timeout(ep, 3000);
	struct hand_client b;
	bridge_client(&b, cc, 1000000);
	/* A keepalive slower than the server's idle timeout: the server
	 * closes first, and says so. */
	cr_assert_eq(petrel_session_set_keepalive(b.s, 10000, 30000), 0);
	bridge_handshake(ep, &b);
	cr_assert_eq(petrel_endpoint_session_count(ep), 1);
	closed_reason = 0;
	int rc = bridge_run(ep, &b, b.now + 20000);
	cr_assert_eq(rc, PETREL_E_SESSION_CLOSED, "got %s", petrel_strerror(rc));
	cr_assert_eq(closed_reason, PETREL_E_TIMEDOUT);
	cr_assert_eq(petrel_endpoint_session_count(ep), 0);
	cr_assert_eq(petrel_alert_get(b.s), 0, "close_notify");
	char buf[16];
	cr_assert_eq(petrel_record_recv(b.s, buf, sizeof buf), 0, "petrel_record_recv: end of session");
	reconnect_resumes(ep, b.s, cc, b.now);
	petrel_session_free(b.s);
	petrel_endpoint_free(ep);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

Test(keepalive, keepalive_faster_than_idle_timeout_keeps_server_session)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, NULL), 0);
	petrel_endpoint_set_idle_timeout(ep, 3000);
	struct hand_client b;
	bridge_client(&b, cc, 1000000);
	bridge_handshake(ep, &b);
	cr_assert_eq(bridge_run(ep, &b, b.now + 60000), 0);
	cr_assert_eq(petrel_endpoint_session_count(ep), 1, "heartbeats count as traffic");
	cr_assert_geq(b.s->keepalive->heartbeat_responses, 50);
	petrel_session_free(b.s);
	petrel_endpoint_free(ep);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

Test(keepalive, restarted_server_detected_dead_then_resumes_with_shared_ticket_key)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, NULL), 0);
	struct hand_client b;
	bridge_client(&b, cc, 1000000);
	bridge_handshake(ep, &b);
	/* The server restarts: a new endpoint that knows no sessions (same
	 * credentials, so the same ticket key). */
	petrel_endpoint_free(ep);
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, NULL), 0);
	uint64_t restart = b.now;
	int rc = bridge_run(ep, &b, b.now + 60000);
	cr_assert_eq(rc, PETREL_E_PEER_DEAD, "got %s", petrel_strerror(rc));
	cr_assert_geq(b.now - restart, DEAD_MS);
	cr_assert_leq(b.now - restart, DEAD_MS + INTERVAL_MS);
	cr_assert_eq(petrel_endpoint_session_count(ep), 0, "the pings made no state on the server");
	reconnect_resumes(ep, b.s, cc, b.now);
	petrel_session_free(b.s);
	petrel_endpoint_free(ep);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

static void server_keepalive(void *ptr, petrel_session *s)
{
	(void)ptr;
	cr_assert_eq(petrel_session_set_keepalive(s, INTERVAL_MS, DEAD_MS), 0);
}

Test(keepalive, endpoint_session_with_keepalive_reports_vanished_client_in_on_closed)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct petrel_endpoint_callbacks cb = {.on_new_session = server_keepalive,
					       .on_closed = note_closed};
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, &cb), 0);
	struct hand_client b;
	bridge_client(&b, cc, 1000000);
	bridge_handshake(ep, &b);
	cr_assert_eq(petrel_endpoint_session_count(ep), 1);
	/* The client vanishes: the endpoint runs its timers alone. */
	closed_reason = 0;
	uint64_t now = b.now, gone = b.now;
	while (petrel_endpoint_session_count(ep) > 0 && now < gone + 60000) {
		uint64_t next = petrel_endpoint_next_deadline(ep);
		now = next > now ? next : now + 1;
		cr_assert_eq(petrel_endpoint_handle_timeout(ep, now), 0);
		uint8_t buf[2048];
		while (petrel_endpoint_next_datagram(ep, buf, sizeof buf, NULL, NULL) > 0)
			; /* pings into nothing */
	}
	cr_assert_eq(closed_reason, PETREL_E_PEER_DEAD, "on_closed reason %s", petrel_strerror(closed_reason));
	cr_assert_geq(now - gone, DEAD_MS);
	cr_assert_leq(now - gone, DEAD_MS + INTERVAL_MS);
	petrel_session_free(b.s);
	petrel_endpoint_free(ep);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}
