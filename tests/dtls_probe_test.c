/* Path MTU probing after the handshake (issue #6 part 3, RFC 8899 with
 * RFC 6520 heartbeats) on the simulated network. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"
#include "tests/harness_pump_dup.h"

struct events {
	unsigned probe, black_hole;
	unsigned last;
};

static void on_mtu(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	struct events *e = ptr;
	(void)old_mtu;
	e->last = new_mtu;
	if (reason == PETREL_MTU_PROBE)
		e->probe++;
	if (reason == PETREL_MTU_BLACK_HOLE)
		e->black_hole++;
}

static void setup(struct harness *h, petrel_credentials *sc, petrel_credentials *cc, unsigned flags,
		  size_t path_max, struct events *ev)
{
	harness_init(h, 51, flags, 0, cc, sc);
	petrel_dtls_set_mtu(h->client.session, 576);
	petrel_dtls_set_mtu(h->server.session, 576);
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = path_max, .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(h->net, 0, &r);
	simnet_set_rules(h->net, 1, &r);
	petrel_dtls_set_mtu_callback(h->client.session, on_mtu, ev);
	cr_assert_eq(harness_run_handshake(h, 10000), 0);
}

Test(probe, search_raises_the_mtu_to_what_the_path_carries)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	struct events ev = {0};
	setup(&h, sc, cc, PETREL_FLAG_PMTU_PROBE, 1200 - 28, &ev);
	cr_assert(h.client.session->hb_peer_allows, "heartbeats negotiated");
	harness_pump(&h, simnet_now(h.net) + 20000);
	cr_assert_eq(petrel_dtls_get_mtu(h.client.session), 1200, "MTU %u",
		     petrel_dtls_get_mtu(h.client.session));
	cr_assert_eq(ev.probe, 2, "576 -> 1000 -> 1200 (1280 never answered)");
	cr_assert_eq(h.client.session->pmtud.state, PETREL_PMTUD_DONE);
	/* The larger MTU carries data: one 1100-byte record crosses. */
	char big[1100], got[2048];
	memset(big, 'x', sizeof big);
	cr_assert_geq(petrel_dtls_get_data_mtu(h.client.session), sizeof big);
	cr_assert_eq(petrel_record_send(h.client.session, big, sizeof big), (long)sizeof big);
	simnet_advance_to(h.net, simnet_now(h.net) + 50);
	cr_assert_eq(petrel_record_recv(h.server.session, got, sizeof got), (long)sizeof big);
	cr_assert_eq(memcmp(got, big, sizeof big), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(probe, a_later_black_hole_sends_the_mtu_back_to_base)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	struct events ev = {0};
	setup(&h, sc, cc, PETREL_FLAG_PMTU_PROBE, 1200 - 28, &ev);
	harness_pump(&h, simnet_now(h.net) + 20000);
	cr_assert_eq(petrel_dtls_get_mtu(h.client.session), 1200);
	/* The route changes: now only 900-byte packets pass. */
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = 900 - 28, .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(h.net, 0, &r);
	harness_pump(&h, simnet_now(h.net) + PETREL_PMTUD_RAISE_MS + 20000);
	cr_assert_eq(ev.black_hole, 1, "the confirmation probe failed: back to base");
	cr_assert_eq(petrel_dtls_get_mtu(h.client.session), 576);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(probe, off_by_default_no_heartbeats)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	struct events ev = {0};
	setup(&h, sc, cc, 0, 1500, &ev);
	cr_assert_not(h.client.session->hb_negotiated);
	cr_assert_not(h.server.session->hb_negotiated);
	uint64_t sent = h.client.datagrams_sent;
	harness_pump(&h, simnet_now(h.net) + 20000);
	cr_assert_eq(h.client.datagrams_sent, sent, "nothing sent while idle");
	cr_assert_eq(petrel_dtls_get_mtu(h.client.session), 576);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(probe, heartbeat_claiming_more_payload_than_it_has_is_dropped)
{
	/* RFC 6520 4 (the Heartbleed case): payload_length beyond the record
	 * must be discarded silently, never answered. */
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	struct events ev = {0};
	setup(&h, sc, cc, PETREL_FLAG_PMTU_PROBE, 1500, &ev);
	harness_pump(&h, simnet_now(h.net) + 5000);
	uint64_t before = h.server.datagrams_sent;
	uint8_t body[40] = {1 /* request */, 0x40, 0x00 /* 16384 bytes claimed */};
	uint8_t dgram[256];
	struct petrel_writer w;
	petrel_writer_init(&w, dgram, sizeof dgram);
	cr_assert_eq(petrel_rl_write(&h.client.session->rl, petrel_rl_write_epoch(&h.client.session->rl),
				     PETREL_CT_HEARTBEAT, body, sizeof body, &w), 0);
	cr_assert_eq(petrel_engine_feed(h.server.session, dgram, petrel_writer_len(&w), simnet_now(h.net)), 0);
	cr_assert_eq(h.server.datagrams_sent, before, "no answer to a lying heartbeat");
	/* A well-formed one is answered with the same payload. */
	uint8_t good[3 + 4 + 16] = {1, 0, 4, 'p', 'i', 'n', 'g'};
	petrel_writer_init(&w, dgram, sizeof dgram);
	cr_assert_eq(petrel_rl_write(&h.client.session->rl, petrel_rl_write_epoch(&h.client.session->rl),
				     PETREL_CT_HEARTBEAT, good, sizeof good, &w), 0);
	cr_assert_eq(petrel_engine_feed(h.server.session, dgram, petrel_writer_len(&w), simnet_now(h.net)), 0);
	cr_assert_eq(h.server.datagrams_sent, before + 1);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
