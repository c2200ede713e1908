/* Our handshake flights on the wire: plan into datagrams for the current
 * MTU, queue them on the handshake's output queue and drain it at the
 * flight's end (dtls/outq_session.c), re-planning for a smaller MTU when
 * the transport refuses one as too large, and arm the retransmission
 * timer (RFC 6347 4.2.4). A service for the role files and the
 * dispatcher. */
#include "dtls/hs_output.h"

#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls/session.h"
#include "mtu/mtu.h"

int petrel_hs_send_flight(petrel_session *s, uint64_t now_ms, bool retransmission)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_flight *fl = hs ? &hs->flight : &s->final->flight;
	struct petrel_flight_records rec;
	petrel_flight_records_rl(&rec, &s->rl);
	rec.max_record_plaintext = s->peer_record_limit;
	uint8_t buf[PETREL_MAX_DATAGRAM];
	size_t maxdg = petrel_output_max_datagram(s);
	if (maxdg > sizeof buf)
		maxdg = sizeof buf;
	int rc = petrel_flight_plan(fl, maxdg, &rec);
	if (rc < 0)
		return rc;
	uint64_t first_seq = petrel_rl_next_write_seq(&s->rl, 0);
	unsigned transmissions = fl->transmissions;
	if (hs) {
		hs->flight_largest_dgram = 0; /* the drain notes the largest sent */
		if (petrel_outq_session_reserve(s, fl->datagram_count, petrel_flight_wire_bytes(fl)) < 0)
			return PETREL_E_MEMORY;
	}
	rc = petrel_flight_send(fl, &rec, buf, sizeof buf, petrel_outq_session_queue, s);
	unsigned handed = 0;
	long drc = petrel_outq_session_drain(s, NULL, 0, &handed);
	if (drc < 0 && handed == 0)
		fl->transmissions = transmissions; /* nothing left: not a transmission */
	if (rc >= 0 && drc < 0)
		rc = (int)drc;
	if (rc == PETREL_E_LARGE_PACKET) {
		/* EMSGSIZE at the drain: the path is smaller than planned. */
		int lrc = petrel_lower_mtu(s, PETREL_MTU_EMSGSIZE);
		if (lrc < 0)
			return lrc;
		if (petrel_flight_replan(fl, petrel_output_max_datagram(s), &rec) < 0)
			return PETREL_E_PUSH_ERROR;
		if (hs)
			hs->flight_pending = true;
		return PETREL_E_LARGE_PACKET;
	}
	if (rc < 0)
		return rc;
	if (retransmission)
		s->stats.retransmissions++;
	else
		s->stats.flights_sent++;
	if (hs) {
		hs->flight_pending = false;
		hs->last_tx_ms = now_ms;
		if (s->role == PETREL_CLIENT && hs->state <= HS_C_WAIT_SH) {
			unsigned slot = hs->hello_tx_count++ % PETREL_HELLO_TX_TRACKED;
			hs->hello_tx_seq[slot] = first_seq;
			hs->hello_tx_ms[slot] = now_ms;
			hs->hello_tx_resent[slot] = retransmission && hs->cookie_len > 0;
		}
		/* Every flight but a cookie-less ClientHello (answered with a
		 * MAC at most) needs the peer's public-key work to answer. */
		if (!retransmission)
			petrel_rto_next_flight_needs_work(
				&hs->rto, !(s->role == PETREL_CLIENT && hs->cookie_len == 0 &&
					    hs->state <= HS_C_WAIT_SH));
		petrel_rto_flight_sent(&hs->rto, now_ms, retransmission);
		petrel_timer_arm(&hs->retransmit, now_ms, petrel_rto_current_ms(&hs->rto));
		s->stats.rto_ms = petrel_rto_current_ms(&hs->rto);
	} else {
		s->final->last_tx_ms = now_ms;
		s->final->wire_bytes = petrel_flight_wire_bytes(fl);
		petrel_flight_compact(fl); /* the plan again only when asked again */
	}
	return 0;
}

