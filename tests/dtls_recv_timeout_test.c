/* petrel_record_recv with petrel_record_set_timeout waits the whole
 * timeout for data (issue #17 item 7): the session's own timers (idle
 * release check, kept final flight) may wake the wait, but the call goes
 * on waiting. A virtual clock: the transport's pull_timeout advances it. */
#include <criterion/criterion.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

static unsigned waits;

/* Waits up to ms of virtual time: until a datagram is due, else all of it. */
static int virtual_pull_timeout(void *ptr, unsigned ms)
{
	struct harness_end *end = ptr;
	struct simnet *net = end->h->net;
	waits++;
	uint64_t now = simnet_now(net);
	uint64_t due = simnet_next_event_for(net, end->id);
	uint64_t until = ms == PETREL_INDEFINITE_TIMEOUT ? due : now + ms;
	if (due <= until) {
		simnet_advance_to(net, due > now ? due : now);
		return 1;
	}
	simnet_advance_to(net, until);
	return 0;
}

Test(recv_timeout, idle_recv_waits_the_whole_timeout)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 71, 0, 0, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(harness_echo(&h, "warm up", 60000), 0);
	petrel_session *c = h.client.session;
	petrel_transport_set_pull_timeout_function(c, virtual_pull_timeout);
	petrel_record_set_timeout(c, 3000);
	uint8_t buf[256];
	for (int round = 0; round < 2; round++) {
		uint64_t start = simnet_now(h.net);
		waits = 0;
		long n = petrel_record_recv(c, buf, sizeof buf);
		uint64_t waited = simnet_now(h.net) - start;
		cr_assert_eq(n, PETREL_E_AGAIN, "round %d: %ld", round, n);
		cr_assert_geq(waited, 3000, "round %d returned after %llu ms (%u waits)", round,
			      (unsigned long long)waited, waits);
		cr_assert_leq(waited, 3000, "round %d waited %llu ms", round, (unsigned long long)waited);
	}
	/* Data arriving during the wait is returned at once. */
	cr_assert_eq(petrel_record_send(h.server.session, "late", 4), 4);
	uint64_t start = simnet_now(h.net);
	cr_assert_eq(petrel_record_recv(c, buf, sizeof buf), 4);
	cr_assert_lt(simnet_now(h.net) - start, 3000);
	harness_free_all(&h);
}
