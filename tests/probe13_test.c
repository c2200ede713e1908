/* Path MTU probing after a DTLS 1.3 handshake (issue #20, RFC 8899 with
 * padded KeyUpdates, dtls13/probe13.h) on the simulated network's
 * virtual clock: the search raises the MTU to what the path carries,
 * stops below what it drops without ever lowering the MTU, a lost probe
 * goes out again unpadded, and only an ACK naming the probe's record
 * confirms it (RFC 9147 7). */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/messages13.h"
#include "dtls13/probe13.h"
#include "tests/dtls_harness.h"
#include "tests/harness_pump_dup.h"

#define IP_UDP 28

struct events {
	unsigned probe, black_hole, lowered;
	unsigned lowest;
};

static void on_mtu(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	struct events *e = ptr;
	if (reason == PETREL_MTU_PROBE)
		e->probe++;
	if (reason == PETREL_MTU_BLACK_HOLE)
		e->black_hole++;
	if (new_mtu < old_mtu)
		e->lowered++;
	if (e->lowest == 0 || new_mtu < e->lowest)
		e->lowest = new_mtu;
}

/* The client's datagrams after the handshake, in order. */
static struct {
	bool on;
	size_t len[256];
	size_t n;
} sent;

static void log_client(struct harness_end *end, const uint8_t *data, size_t len)
{
	(void)end;
	(void)data;
	if (sent.on && sent.n < 256)
		sent.len[sent.n++] = len;
}

/* A 1.3 handshake at MTU 500 on a path that carries path_ip bytes: the
 * client probes (PETREL_FLAG_PMTU_PROBE) with the library's default
 * versions, which keep 1.3 for it. */
static void setup(struct harness *h, petrel_credentials **sc, petrel_credentials **cc,
		  size_t path_ip, struct events *ev)
{
	*sc = harness_psk_creds();
	*cc = harness_psk_creds();
	harness_init(h, 77, PETREL_FLAG_PMTU_PROBE, 0, *cc, *sc);
	/* The harness pins its clients to 1.2: back to the default range. */
	h->client.session->versions_set = false;
	h->client.session->version_min = PETREL_V_DTLS12;
	h->client.session->version_max = PETREL_V_DTLS13;
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_dtls_set_mtu(h->client.session, 500);
	petrel_dtls_set_mtu(h->server.session, 500);
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = path_ip - IP_UDP,
				 .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(h->net, 0, &r);
	simnet_set_rules(h->net, 1, &r);
	memset(&sent, 0, sizeof sent);
	h->client.on_send = log_client;
	cr_assert_eq(harness_run_handshake(h, 20000), 0);
	cr_assert_eq(petrel_session_get_version(h->client.session), PETREL_DTLS1_3);
	cr_assert_eq(petrel_dtls_get_mtu(h->client.session), 500);
	petrel_dtls_set_mtu_callback(h->client.session, on_mtu, ev);
	sent.on = true;
}

static void teardown(struct harness *h, petrel_credentials *sc, petrel_credentials *cc)
{
	harness_free(h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(probe13, search_raises_the_mtu_to_what_the_path_carries)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 1400, &ev);
	uint64_t epoch_before = petrel_engine13_write_epoch(h.client.session);
	harness_pump(&h, simnet_now(h.net) + 30000);
	petrel_session *c = h.client.session;
	cr_assert_eq(petrel_dtls_get_mtu(c), 1400, "MTU %u", petrel_dtls_get_mtu(c));
	cr_assert_eq(ev.probe, 5, "500 -> 576 -> 1000 -> 1200 -> 1280 -> 1400 (1500 never acknowledged)");
	cr_assert_eq(ev.lowered, 0);
	cr_assert_eq(c->pmtud.state, PETREL_PMTUD_DONE);
	cr_assert_eq(c->d13->probe13.confirmed, 5);
	cr_assert_eq(c->d13->probe13.lost, PETREL_PMTUD_MAX_PROBES);
	/* Every probe was a KeyUpdate, each acknowledged (the lost ones in
	 * their unpadded retransmission): our keys moved on once each. */
	cr_assert_eq(petrel_engine13_write_epoch(c), epoch_before + 5 + PETREL_PMTUD_MAX_PROBES);
	cr_assert_eq(petrel_engine13_read_epoch(h.server.session), epoch_before + 5 + PETREL_PMTUD_MAX_PROBES);
	/* The larger MTU carries data, under the new keys, both ways. */
	cr_assert_geq(petrel_dtls_get_data_mtu(c), 1300);
	cr_assert_eq(harness_echo(&h, "after the probes", simnet_now(h.net) + 10000), 0);
	char big[1300], got[2048];
	memset(big, 'p', sizeof big);
	cr_assert_eq(petrel_record_send(c, big, sizeof big), (long)sizeof big);
	simnet_advance_to(h.net, simnet_now(h.net) + 50);
	cr_assert_eq(petrel_record_recv(h.server.session, got, sizeof got), (long)sizeof big);
	cr_assert_eq(memcmp(got, big, sizeof big), 0);
	teardown(&h, sc, cc);
}

Test(probe13, stops_below_a_path_that_drops_over_900_never_lowering)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 900, &ev);
	harness_pump(&h, simnet_now(h.net) + 30000);
	petrel_session *c = h.client.session;
	cr_assert_eq(petrel_dtls_get_mtu(c), 576, "the plateau below 900, MTU %u", petrel_dtls_get_mtu(c));
	cr_assert_eq(ev.probe, 1);
	cr_assert_eq(ev.lowered, 0, "probe loss never shrinks the MTU (RFC 8899 3, 4.1)");
	cr_assert_eq(ev.black_hole, 0);
	cr_assert_eq(c->pmtud.state, PETREL_PMTUD_DONE);
	cr_assert_eq(c->d13->probe13.lost, PETREL_PMTUD_MAX_PROBES);
	cr_assert_eq(c->d13->rto.backoff, 0, "probe loss is not congestion");
	cr_assert_eq(harness_echo(&h, "still talking", simnet_now(h.net) + 10000), 0);
	teardown(&h, sc, cc);
}

Test(probe13, a_later_black_hole_sends_the_mtu_back_to_base)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 1400, &ev);
	harness_pump(&h, simnet_now(h.net) + 30000);
	cr_assert_eq(petrel_dtls_get_mtu(h.client.session), 1400);
	/* The route changes: now only 900-byte packets pass. At the raise
	 * timer the current size is confirmed, three times unanswered. */
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = 900 - IP_UDP,
				 .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(h.net, 0, &r);
	harness_pump(&h, simnet_now(h.net) + PETREL_PMTUD_RAISE_MS + 30000);
	cr_assert_eq(ev.black_hole, 1, "the confirmation probes failed: back to base");
	cr_assert_geq(ev.lowest, 500, "never below the base");
	cr_assert_eq(petrel_dtls_get_mtu(h.client.session), 576, "back to 500, then 576 probed again (MTU %u)",
		     petrel_dtls_get_mtu(h.client.session));
	teardown(&h, sc, cc);
}

Test(probe13, a_probe_the_local_link_refuses_ends_the_search)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 1400, &ev);
	/* EMSGSIZE above 1000 bytes from the client's socket. */
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = 1000 - IP_UDP - 1,
				 .size_mode = SIMNET_REJECT};
	simnet_set_rules(h.net, 0, &r);
	uint64_t ku_before = h.client.session->d13->key_updates_sent;
	harness_pump(&h, simnet_now(h.net) + 30000);
	petrel_session *c = h.client.session;
	cr_assert_eq(petrel_dtls_get_mtu(c), 576);
	cr_assert_eq(c->pmtud.state, PETREL_PMTUD_DONE);
	cr_assert_eq(c->pmtud.max, 999);
	cr_assert_eq(c->d13->probe13.sent, 1, "only the 576-byte probe left");
	cr_assert_eq(c->d13->key_updates_sent, ku_before + 2, "the refused one went out unpadded");
	cr_assert_eq(ev.lowered, 0);
	cr_assert_eq(harness_echo(&h, "still talking", simnet_now(h.net) + 10000), 0);
	teardown(&h, sc, cc);
}

Test(probe13, a_lost_probe_is_resent_unpadded)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 900, &ev);
	harness_pump(&h, simnet_now(h.net) + 30000);
	/* The probes of 1000 bytes: exactly MAX_PROBES, each followed by
	 * the same KeyUpdate in a small record, never again at 1000. */
	unsigned probes_1000 = 0, followed_small = 0;
	for (size_t i = 0; i < sent.n; i++) {
		cr_assert_leq(sent.len[i], 1000 - IP_UDP, "datagram %zu: %zu bytes", i, sent.len[i]);
		if (sent.len[i] != 1000 - IP_UDP)
			continue;
		probes_1000++;
		if (i + 1 < sent.n && sent.len[i + 1] < 64)
			followed_small++;
	}
	cr_assert_eq(probes_1000, PETREL_PMTUD_MAX_PROBES);
	cr_assert_eq(followed_small, PETREL_PMTUD_MAX_PROBES, "the retransmission is unpadded");
	teardown(&h, sc, cc);
}

/* Reads what arrives and runs the client's timers until its first probe
 * is out (the Finished's ACK from the server may still be on its way). */
static void until_probe_out(struct harness *h)
{
	petrel_session *c = h->client.session;
	uint8_t buf[2048];
	uint64_t start = simnet_now(h->net);
	while (!c->d13->probe13.outstanding && simnet_now(h->net) < start + 5000) {
		while (petrel_record_recv(c, buf, sizeof buf) > 0)
			;
		cr_assert_eq(petrel_engine_tick(c, simnet_now(h->net)), 0);
		simnet_advance_to(h->net, simnet_now(h->net) + 1);
	}
}

/* The client's path drops everything the client sends, so its first
 * probe goes out and waits for an ACK that only the test gives: that
 * probe (outstanding). */
static struct petrel_probe13 probe_unanswered(struct harness *h)
{
	struct simnet_rules lost = {.delay_ms = 10, .drop_per_million = 1000000};
	simnet_set_rules(h->net, h->client.id, &lost);
	until_probe_out(h);
	struct petrel_probe13 p = h->client.session->d13->probe13;
	cr_assert(p.outstanding, "a probe went out");
	return p;
}

/* The server's ACK naming one record number, as the client reads it. */
static void ack_record(petrel_session *c, uint64_t now, uint64_t epoch, uint64_t seq)
{
	uint8_t body[64];
	struct petrel_writer w;
	petrel_writer_init(&w, body, sizeof body);
	struct petrel_record_number rn = {epoch, seq};
	cr_assert_eq(petrel_ack_write(&w, &rn, 1), 0);
	petrel_probe13_on_ack(c, body, petrel_writer_len(&w), now);
}

Test(probe13, confirmed_only_by_the_ack_naming_the_probe_record)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 1400, &ev);
	petrel_session *c = h.client.session;
	struct petrel_probe13 p = probe_unanswered(&h);
	cr_assert_eq(c->pmtud.probe, 576);
	/* Other record numbers: an earlier one, the next one, another epoch. */
	uint64_t wrong[3][2] = {{p.epoch, p.seq - 1}, {p.epoch, p.seq + 1}, {p.epoch + 1, p.seq}};
	for (int i = 0; i < 3; i++) {
		ack_record(c, simnet_now(h.net), wrong[i][0], wrong[i][1]);
		cr_assert(c->d13->probe13.outstanding, "case %d", i);
		cr_assert_eq(petrel_dtls_get_mtu(c), 500, "case %d", i);
	}
	ack_record(c, simnet_now(h.net), p.epoch, p.seq);
	cr_assert_not(c->d13->probe13.outstanding);
	cr_assert_eq(c->d13->probe13.confirmed, 1);
	cr_assert_eq(petrel_dtls_get_mtu(c), 576);
	cr_assert_eq(ev.probe, 1);
	teardown(&h, sc, cc);
}

Test(probe13, an_ack_after_the_timer_declared_the_probe_lost_does_not_count)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 1400, &ev);
	petrel_session *c = h.client.session;
	struct petrel_probe13 p = probe_unanswered(&h);
	unsigned backoff = c->d13->rto.backoff;
	/* The retransmission timer fires: lost, and resent unpadded. */
	sent.n = 0;
	simnet_advance_to(h.net, c->d13->retransmit.deadline_ms);
	cr_assert_eq(petrel_engine_tick(c, simnet_now(h.net)), 0);
	cr_assert_not(c->d13->probe13.outstanding);
	cr_assert_eq(c->d13->probe13.lost, 1);
	cr_assert_eq(c->d13->rto.backoff, backoff, "not counted as congestion");
	cr_assert_eq(sent.n, 1);
	cr_assert_lt(sent.len[0], 64, "resent unpadded: %zu bytes", sent.len[0]);
	cr_assert(c->d13->flight_active, "the KeyUpdate still waits for its ACK");
	/* A late ACK of the padded record: the flight is acknowledged, the
	 * MTU stays. */
	ack_record(c, simnet_now(h.net), p.epoch, p.seq);
	cr_assert_eq(petrel_dtls_get_mtu(c), 500);
	cr_assert_eq(ev.probe, 0);
	teardown(&h, sc, cc);
}

Test(probe13, no_probe_while_a_flight_of_ours_is_out)
{
	petrel_credentials *sc, *cc;
	struct harness h;
	struct events ev = {0};
	setup(&h, &sc, &cc, 1400, &ev);
	petrel_session *c = h.client.session;
	struct simnet_rules lost = {.delay_ms = 10, .drop_per_million = 1000000};
	simnet_set_rules(h.net, h.client.id, &lost);
	/* Our own KeyUpdate (petrel_handshake on a 1.3 client), or the
	 * Finished not yet acknowledged: a flight is out, and stays out. */
	cr_assert_eq(petrel_handshake(c), 0);
	cr_assert(c->d13->flight_active);
	for (int i = 0; i < 400; i++) {
		cr_assert_eq(petrel_engine_tick(c, simnet_now(h.net)), 0);
		simnet_advance_to(h.net, simnet_now(h.net) + 5);
	}
	cr_assert(c->d13->flight_active);
	cr_assert_eq(c->pmtud.state, PETREL_PMTUD_SEARCHING, "the search started");
	cr_assert_eq(c->d13->probe13.sent, 0, "but no probe while the flight is out");
	teardown(&h, sc, cc);
}

Test(probe13, both_ends_probing_at_once)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 79, PETREL_FLAG_PMTU_PROBE, PETREL_FLAG_PMTU_PROBE, cc, sc);
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_dtls_set_mtu(h.client.session, 500);
	petrel_dtls_set_mtu(h.server.session, 500);
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = 1200 - IP_UDP,
				 .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(h.net, 0, &r);
	simnet_set_rules(h.net, 1, &r);
	cr_assert_eq(harness_run_handshake(&h, 20000), 0);
	harness_pump(&h, simnet_now(h.net) + 30000);
	/* KeyUpdates cross: each side's keys move on its own. */
	cr_assert_eq(petrel_dtls_get_mtu(h.client.session), 1200);
	cr_assert_eq(petrel_dtls_get_mtu(h.server.session), 1200);
	cr_assert_eq(h.client.session->d13->probe13.confirmed, 3);
	cr_assert_eq(h.server.session->d13->probe13.confirmed, 3);
	cr_assert_eq(petrel_engine13_write_epoch(h.client.session), petrel_engine13_read_epoch(h.server.session));
	cr_assert_eq(petrel_engine13_write_epoch(h.server.session), petrel_engine13_read_epoch(h.client.session));
	cr_assert_eq(harness_echo(&h, "both probed", simnet_now(h.net) + 10000), 0);
	teardown(&h, sc, cc);
}

/* ka13: a keepalive no longer pins 1.2 (1.3 pings with KeyUpdates). */
Test(probe13, keepalive_no_longer_keeps_a_probing_client_on_dtls12)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 78, PETREL_FLAG_PMTU_PROBE, 0, cc, sc);
	h.client.session->versions_set = false;
	h.client.session->version_min = PETREL_V_DTLS12;
	h.client.session->version_max = PETREL_V_DTLS13;
	cr_assert_eq(petrel_session_set_keepalive(h.client.session, 1000, 5000), 0);
	cr_assert_eq(harness_run_handshake(&h, 20000), 0);
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_3);
	teardown(&h, sc, cc);
}
