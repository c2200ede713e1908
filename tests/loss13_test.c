/* DTLS 1.3 retransmission timers after a loss in the cookie exchange
 * (issue #20), on the simulated network with 30 ms each way and chosen
 * datagrams lost, in virtual time:
 *  - the client takes an RTT sample from a HelloRetryRequest even when
 *    its ClientHello was retransmitted: the HRR carries the record number
 *    of the ClientHello it answers (RFC 9147 5.1), so the later flights
 *    are timed from that round trip, not from the initial second;
 *  - the server times its first flight from its HRR's round trip, which
 *    the cookie's time gives it (RFC 9147 5.8.2: use outside knowledge
 *    of the RTT), instead of the initial second, at least the peer-work
 *    floor (dtls/rto.h); a lost Finished is then resent by the client
 *    alone, not answered by the server's whole flight too. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/dtls_harness.h"

#define ONE_WAY_MS 30

/* Which datagrams are lost: by index per direction (0: client to
 * server), and optionally every server datagram sent at the time of the
 * server's second one (its first flight after the HRR, all datagrams). */
struct drops {
	uint32_t c2s_mask;
	bool server_flight;
	unsigned sent[2];
	uint64_t flight_ms;
};

static struct drops drops;

static long drop_push(void *ptr, const uint8_t *data, size_t len)
{
	struct harness_end *end = ptr;
	unsigned i = drops.sent[end->id]++;
	uint64_t now = simnet_now(end->h->net);
	bool lost = false;
	if (end->id == 0)
		lost = i < 32 && (drops.c2s_mask >> i & 1u);
	else if (drops.server_flight && i >= 1) {
		if (i == 1)
			drops.flight_ms = now;
		lost = now == drops.flight_ms;
	}
	if (lost)
		return (long)len;
	return simnet_send(end->h->net, end->id, data, len) < 0 ? PETREL_E_PUSH_ERROR : (long)len;
}

/* Virtual ms until both sides are done; server_retx (may be NULL): the
 * server's retransmissions until then. */
static uint64_t run_stats(uint32_t c2s_mask, bool server_flight, uint64_t *server_retx)
{
	memset(&drops, 0, sizeof drops);
	drops.c2s_mask = c2s_mask;
	drops.server_flight = server_flight;
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct harness h;
	harness_init(&h, 1, 0, 0, cc, sc); /* cookies on: HelloRetryRequest */
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
	struct simnet_rules r = {.delay_ms = ONE_WAY_MS};
	simnet_set_rules(h.net, 0, &r);
	simnet_set_rules(h.net, 1, &r);
	petrel_transport_set_push_function(h.client.session, drop_push);
	petrel_transport_set_push_function(h.server.session, drop_push);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_3);
	uint64_t ms = h.completed_ms;
	struct petrel_stats st;
	petrel_session_get_stats(h.server.session, &st);
	if (server_retx != NULL)
		*server_retx = st.retransmissions;
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
	return ms;
}

static uint64_t run(uint32_t c2s_mask, bool server_flight)
{
	return run_stats(c2s_mask, server_flight, NULL);
}

Test(loss13, lossless_reference)
{
	/* CH1, HRR, CH2, the server's flight, the client's Finished: 5 legs. */
	cr_assert_eq(run(0, false), 5 * ONE_WAY_MS);
}

Test(loss13, hrr_after_retransmitted_clienthello_times_the_next_flight)
{
	/* ClientHello1 lost (resent at 400 ms: the initial timeout), then
	 * ClientHello2's first copy lost. The HRR names the resent
	 * ClientHello: a 60 ms sample, a 180 ms timeout (RFC 6298: SRTT +
	 * 4 RTTVAR), so ClientHello2 goes again at 460 + 180 ms and the
	 * handshake ends 3 legs later; with the initial timeout kept it went
	 * again at 860 ms. */
	uint64_t ms = run(1u << 0 | 1u << 2, false);
	cr_assert_eq(ms, 400 + 2 * ONE_WAY_MS + 180 + 3 * ONE_WAY_MS, "done at %llu ms",
		     (unsigned long long)ms);
}

Test(loss13, cookie_round_trip_times_the_server_flight)
{
	/* The server's first flight (sent at 90 ms) lost, and the client's
	 * resent ClientHello2 (at 60 + 180 ms) too. The cookie is 60 ms old
	 * when ClientHello2 comes: the server's timeout is the estimate
	 * raised to the peer-work floor (400 ms: the client verifies the
	 * chain before it answers), so the flight goes again at 490 ms,
	 * where the initial second had it wait for the client's next
	 * ClientHello2 (at 600 ms; done at 690 ms). */
	uint64_t ms = run(1u << 2, true);
	cr_assert_eq(ms, 3 * ONE_WAY_MS + 400 + 2 * ONE_WAY_MS, "done at %llu ms",
		     (unsigned long long)ms);
}

Test(loss13, lost_finished_is_resent_by_the_client_alone)
{
	/* The client's Finished (its third datagram, at 120 ms) lost: its
	 * own timer (two 60 ms samples: 150 ms) resends it before the
	 * server's 400 ms floor runs out, so the server sends its flight
	 * once only. */
	uint64_t retx = 99;
	uint64_t ms = run_stats(1u << 2, false, &retx);
	cr_assert_eq(retx, 0, "the server retransmitted %llu times", (unsigned long long)retx);
	cr_assert_lt(ms, 90 + 400, "done at %llu ms", (unsigned long long)ms);
}
