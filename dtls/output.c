/* The one way out for the session's datagrams (DESIGN.md "One way out"):
 * every record the core builds for the peer (flights, HelloVerifyRequest,
 * alerts, heartbeats, application data) leaves through
 * petrel_output_datagram, which hands it to the session's transport and
 * counts it; plus the link MTU those datagrams are sized for.
 *
 * An endpoint's sessions hand theirs to the endpoint's output queue
 * (dtls/outq.c, capped at EP_OUT_MAX_BYTES), which its socket drains in
 * sendmmsg batches and a sans-I/O caller through
 * petrel_endpoint_next_datagram. A session on its own reaches this only
 * through petrel_outq_session_drain (dtls/outq_session.c): a handshake's
 * flight is queued on struct petrel_hs and drained at its end, where
 * EMSGSIZE can still re-plan it; a record built with nothing queued
 * (application data, alerts, heartbeats) leaves from its producer's
 * buffer (no copy, no allocation), and an idle session keeps no queue.
 * A service: it never calls up into the dispatcher or the role files. */
#include "dtls/output.h"

#include "dtls/session.h"
#include "mtu/mtu.h"

size_t petrel_output_max_datagram(const petrel_session *s)
{
	/* The peer's record plaintext limit bounds each record (the flight
	 * planner's max_record_plaintext), not the datagram: records of a
	 * flight still share datagrams up to the MTU (issue #17 item 4). */
	struct petrel_mtu_state m = {.link_mtu_bytes = s->link_mtu, .ipv6 = s->ipv6};
	return petrel_mtu_max_datagram(&m);
}

size_t petrel_output_ip_udp_overhead(const petrel_session *s)
{
	struct petrel_mtu_state m = {.link_mtu_bytes = s->link_mtu, .ipv6 = s->ipv6};
	return petrel_mtu_ip_udp_overhead(&m);
}

long petrel_output_datagram(petrel_session *s, const uint8_t *dgram, size_t len)
{
	if (s->push == NULL)
		return PETREL_E_PUSH_ERROR;
	long r = s->push(s->transport_ptr, dgram, len);
	if (r >= 0) {
		s->stats.datagrams_sent++;
		s->stats.bytes_sent += len;
	}
	return r;
}

int petrel_output_datagram_lossy(void *session, const uint8_t *dgram, size_t len)
{
	long r = petrel_output_datagram(session, dgram, len);
	if (r == PETREL_E_AGAIN || r == PETREL_E_INTERRUPTED) {
		/* Treated as loss: the retransmission timer covers it. */
		return 0;
	}
	return r < 0 ? (int)r : 0;
}

void petrel_set_mtu(petrel_session *s, uint16_t mtu, int reason)
{
	uint16_t old = s->link_mtu;
	s->link_mtu = mtu;
	if (old == mtu)
		return;
	s->stats.mtu_changes++;
	if (s->mtu_cb)
		s->mtu_cb(s->mtu_cb_ptr, old, mtu, reason);
}

int petrel_lower_mtu(petrel_session *s, int reason)
{
	uint16_t floor = s->mtu_floor;
	uint16_t next;
	if (s->kernel_pmtu && s->kernel_pmtu < s->link_mtu) {
		next = s->kernel_pmtu; /* the kernel knows the path (ICMP) */
	} else {
		next = petrel_mtu_next_plateau(s->link_mtu, s->ipv6);
		if (next < floor)
			next = floor;
	}
	s->kernel_pmtu = 0;
	if (next >= s->link_mtu)
		return PETREL_E_PUSH_ERROR; /* nothing smaller to try */
	petrel_set_mtu(s, next, reason);
	return 0;
}

