/* The engine: records in, routed by content type; handshake messages,
 * ChangeCipherSpec and first records go to the operations of the
 * session's version and role through the dispatcher (dtls/dispatch.c);
 * timers. No I/O of its own: datagrams leave through dtls/output.c and
 * time comes in as now_ms. */
#include <stdlib.h>
#include <string.h>

#include "dtls/alert.h"
#include "dtls/dispatch.h"
#include "dtls/hs_drop.h"
#include "dtls/hs_output.h"
#include "dtls/hs_state.h"
#include "dtls/output.h"
#include "dtls/session.h"
#include "mtu/mtu.h"

/* Whether the peer has paid for a retransmission it asks for: what such
 * retransmissions send stays within PETREL_PEER_RETX_FACTOR times the
 * bytes received from the peer (issue #17 item 12; the same bound as
 * QUIC's anti-amplification limit, RFC 9000 8). Tiny forged "old message"
 * datagrams from a spoofed address cannot make us send kilobytes. Our own
 * timer still retransmits when this refuses. */
static bool peer_retransmit_affordable(petrel_session *s, uint64_t cost)
{
	uint64_t credit = PETREL_PEER_RETX_FACTOR * s->stats.bytes_received;
	if (cost == 0 || s->peer_retx_bytes + cost > credit)
		return false;
	s->peer_retx_bytes += cost;
	return true;
}

/* Peer's retransmitted previous flight: the signal that our last flight
 * was lost (RFC 6347 4.2.4). Answer at once, but not more than once per
 * half RTT so a burst of duplicate datagrams cannot make us flood, and
 * within the peer's byte credit. */
static int maybe_retransmit_on_old(petrel_session *s, uint64_t now_ms)
{
	if (s->hs) {
		struct petrel_hs *hs = s->hs;
		if (hs->flight.entry_count == 0 || hs->flight_pending)
			return 0;
		uint64_t guard = hs->rto.stats.srtt_ms / 2;
		if (guard < 5)
			guard = 5;
		if (now_ms - hs->last_tx_ms < guard)
			return 0;
		if (!peer_retransmit_affordable(s, petrel_flight_wire_bytes(&hs->flight)))
			return 0;
		/* No back-off: only our own timer's expiry doubles the timeout
		 * (RFC 6347 4.2.4.1), and anyone can send an old message.
		 * Sent as a retransmission, so its answer gives no RTT sample
		 * (Karn, petrel_rto_flight_sent). */
		return petrel_hs_send_flight(s, now_ms, true);
	}
	if (s->final) {
		if (now_ms - s->final->last_tx_ms < 5)
			return 0;
		if (!peer_retransmit_affordable(s, s->final->wire_bytes))
			return 0;
		/* The peer is still waiting for it: keep it while it asks. */
		s->final->expires_ms = now_ms + PETREL_FINAL_FLIGHT_KEEP_MS;
		return petrel_hs_send_flight(s, now_ms, true);
	}
	return 0;
}

/* Scan handshake headers of a record without buffering anything: does it
 * hold a message older than what we expect next? */
static bool record_has_old_message(const struct petrel_record *rec, uint16_t next_seq)
{
	return petrel_hs_record_has_old_message(rec->fragment, rec->length, next_seq);
}

static int handle_record(petrel_session *s, struct petrel_record *rec, uint64_t now_ms);

static int drain_buffered(petrel_session *s, uint64_t now_ms)
{
	struct petrel_record rec;
	int result = 0;
	while (petrel_rl_take_buffered(&s->rl, &rec) == 1) {
		int rc = handle_record(s, &rec, now_ms);
		if (rc < 0 && petrel_error_is_fatal(rc))
			return rc;
		if (rc < 0)
			result = rc;
	}
	return result;
}

/* The message by which the peer asks for renegotiation (DTLS 1.2: a
 * ClientHello to a server, a HelloRequest to a client) at message_seq 0. */
static bool starts_new_handshake(const petrel_session *s, const struct petrel_record *rec)
{
	struct petrel_reader r;
	petrel_reader_init(&r, rec->fragment, rec->length);
	struct petrel_hs_header h;
	const uint8_t *frag;
	if (petrel_hs_header_read(&r, &h, &frag) < 0)
		return false;
	const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
	return ops && h.msg_type == ops->renegotiation_msg_type && h.message_seq == 0;
}

static int handle_ccs(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms)
{
	if (s->hs == NULL || rec->length != 1 || rec->fragment[0] != 1)
		return 0; /* stray or retransmitted CCS: drop */
	if (rec->epoch != petrel_rl_read_epoch(&s->rl))
		return 0;
	int rc = petrel_dispatch_ccs(s);
	if (rc <= 0)
		return rc; /* 0: not expected now, dropped */
	/* Finished may have arrived first and waits in the next-epoch buffer. */
	return drain_buffered(s, now_ms);
}

static int handle_handshake(petrel_session *s, struct petrel_record *rec, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	if (hs == NULL) {
		/* Checked before the kept final flight: a renegotiating
		 * ClientHello (message_seq 0) is "older" than the client's
		 * Finished, and answering it with our final flight leaves the
		 * peer waiting for a ServerHello (openssl s_client 'R' right
		 * after the handshake stalled until its timeout). */
		if (s->established && rec->epoch > 0 && starts_new_handshake(s, rec)) {
			/* A new handshake on an established association: refused
			 * unless enabled and secure (RFC 5746 4.2, dtls/reneg.c). */
			int rc = petrel_reneg_on_peer_request(s, rec, now_ms);
			if (rc <= 0)
				return rc;
			hs = s->hs; /* server: the ClientHello opens the new handshake */
		} else {
			if (s->final &&
			    record_has_old_message(rec, (uint16_t)(s->final->last_peer_seq + 1)))
				return maybe_retransmit_on_old(s, now_ms);
			return 0; /* a late copy of the peer's last flight: nothing to do */
		}
	}
	/* RFC 5246 7.4.1.1: a HelloRequest during a handshake is ignored. */
	if (s->role == PETREL_CLIENT && s->established && starts_new_handshake(s, rec))
		return 0;
	if (rec->epoch < petrel_rl_read_epoch(&s->rl)) {
		/* After the peer's CCS its handshake continues in the new epoch;
		 * older-epoch records only tell us it retransmitted. */
		if (record_has_old_message(rec, hs->rx.next_seq))
			return maybe_retransmit_on_old(s, now_ms);
		return 0;
	}
	hs->last_rx_seq = rec->seq;
	hs->rx.record_seq = rec->seq;
	struct petrel_reasm_record_result res;
	int rc = petrel_reasm_add_record(&hs->rx, rec->fragment, rec->length, &res);
	if (rc < 0)
		return rc;
	if (res.old > 0 && res.accepted == 0) {
		rc = maybe_retransmit_on_old(s, now_ms);
		if (rc < 0)
			return rc;
	}
	struct petrel_hs_message m;
	while (s->hs && petrel_reasm_pop(&s->hs->rx, &m) == 1) {
		struct petrel_hs_undo undo;
		petrel_hs_drop_save(s, &undo);
		if (!s->hs->got_peer_flight) {
			s->hs->got_peer_flight = true;
			/* One of our flights was answered: a round trip. */
			if (s->stats.flights_sent > 0)
				s->stats.round_trips++;
			petrel_rto_flight_answered(&s->hs->rto, now_ms);
		}
		rc = petrel_dispatch_message(s, &m, rec->seq, now_ms);
		if (rc < 0 && petrel_hs_drop_failed(s, &undo, rc, rec->epoch)) {
			/* Unauthenticated, so anyone could have sent it: of a type
			 * this state does not take, or failing to parse or
			 * validate. Dropped like an invalid record (RFC 6347
			 * 4.1.2.7) with its message_seq expected again, so the
			 * genuine one still gets in: one forged datagram must not
			 * end or stall the handshake (issue #17 item 21; the rule
			 * in dtls/hs_drop.c). */
			petrel_hs_drop_done(&undo);
			petrel_reasm_unpop(&s->hs->rx);
			break;
		}
		petrel_hs_drop_done(&undo);
		if (rc < 0)
			return rc;
		if (s->hs)
			s->hs->dropped_error = 0; /* moved on: earlier drops were not the peer's */
	}
	return 0;
}

static int handle_alert(petrel_session *s, const struct petrel_record *rec)
{
	if (rec->length != 2)
		return 0;
	uint8_t level = rec->fragment[0], desc = rec->fragment[1];
	if (rec->epoch == 0) {
		/* Unauthenticated: anyone can forge it (RFC 6347 4.1.2.7), so it
		 * ends nothing. A peer that really refuses us repeats it with
		 * every retransmission; the handshake reports it at its timeout
		 * (dtls/hs_drop.c) and petrel_alert_get names it. */
		if (s->hs == NULL || s->established || rec->epoch < petrel_rl_read_epoch(&s->rl))
			return 0;
		s->last_alert = desc;
		/* A message of the peer's that we refused names the cause
		 * better than the alert the peer sends when it then gives up
		 * (its own timeout): the alert does not replace it. */
		if (s->hs->dropped_error != 0)
			return 0;
		if (desc == ALERT_CLOSE_NOTIFY)
			s->hs->dropped_error = PETREL_E_SESSION_CLOSED;
		else if (level == PETREL_ALERT_FATAL)
			s->hs->dropped_error = PETREL_E_FATAL_ALERT_RECEIVED;
		return 0;
	}
	/* Once the peer is known to be past epoch 0 (its ChangeCipherSpec was
	 * taken), only alerts of its current epoch count: an older-epoch
	 * alert is unauthenticated and anyone on the path could forge it,
	 * fatal or close_notify (issue #17 item 11). */
	if (rec->epoch < petrel_rl_read_epoch(&s->rl))
		return 0;
	if (s->established && rec->epoch != petrel_rl_read_epoch(&s->rl))
		return 0;
	s->last_alert = desc;
	petrel_reneg_on_alert(s, desc);
	if (desc == ALERT_CLOSE_NOTIFY) {
		s->closed = true;
		return PETREL_E_SESSION_CLOSED;
	}
	if (level == PETREL_ALERT_FATAL) {
		s->fatal_error = PETREL_E_FATAL_ALERT_RECEIVED;
		return PETREL_E_FATAL_ALERT_RECEIVED;
	}
	return PETREL_E_WARNING_ALERT_RECEIVED;
}

static int handle_app_data(petrel_session *s, const struct petrel_record *rec)
{
	if (!s->established || rec->epoch == 0 || !petrel_reneg_app_epoch_ok(s, rec->epoch))
		return 0;
	s->app_activity = true;
	if (s->final && petrel_hs_ops_of(s)->app_data_confirms_final &&
	    rec->epoch == petrel_rl_read_epoch(&s->rl)) {
		/* The peer has our Finished: the final flight is no longer needed
		 * (not shown by an older epoch's record after a renegotiation). */
		petrel_hs_free_final(s);
	}
	if (rec->length == 0)
		return 0; /* an empty record is a keepalive (dtls/keepalive.c), not a message */
	if (s->rx_app_ready)
		return 0; /* one message queued already: datagram semantics, drop */
	if (s->rx_user_buf && rec->length <= s->rx_user_cap) {
		if (rec->length && rec->fragment != s->rx_user_buf)
			memcpy(s->rx_user_buf, rec->fragment, rec->length);
		s->rx_app_len = rec->length;
		s->rx_app_ready = true;
		s->rx_in_user = true;
		return 0;
	}
	if (rec->length > 0) {
		uint8_t *p = realloc(s->rx_app, rec->length);
		if (p == NULL)
			return PETREL_E_MEMORY;
		s->rx_app = p;
		memcpy(p, rec->fragment, rec->length);
	}
	s->rx_app_len = rec->length;
	s->rx_app_ready = true;
	return 0;
}

static int handle_record(petrel_session *s, struct petrel_record *rec, uint64_t now_ms)
{
	if (rec->epoch > 0)
		s->authenticated_records++; /* decrypted and verified by the record layer */
	if (!s->established && s->hs == NULL) {
		const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
		if (ops && ops->first_record) {
			if (rec->content_type != PETREL_CT_HANDSHAKE || rec->epoch != 0)
				return 0;
			return petrel_dispatch_first_record(s, rec, now_ms);
		}
	}
	switch (rec->content_type) {
	case PETREL_CT_HANDSHAKE:
		return handle_handshake(s, rec, now_ms);
	case PETREL_CT_CHANGE_CIPHER_SPEC:
		return handle_ccs(s, rec, now_ms);
	case PETREL_CT_ALERT:
		return handle_alert(s, rec);
	case PETREL_CT_APPLICATION_DATA:
		return handle_app_data(s, rec);
	case PETREL_CT_HEARTBEAT:
		return petrel_probe_on_record(s, rec, now_ms);
	default:
		return 0; /* unknown content types are dropped (RFC 6347 4.1.2.7) */
	}
}

static int feed_records(petrel_session *s, uint8_t *dgram, size_t len, uint64_t now_ms);

int petrel_engine_feed(petrel_session *s, uint8_t *dgram, size_t len, uint64_t now_ms)
{
	const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
	if (ops && ops->feed) {
		/* DTLS 1.3 has a record layer of its own (dtls13/engine13.c). */
		size_t used = len;
		int rc = ops->feed(s, dgram, len, &used, now_ms);
		if (rc != PETREL_FEED_FELL_BACK)
			return rc;
		/* The server answered in DTLS 1.2 (RFC 8446 4.1.3): the
		 * session is 1.2 now and the rest of the datagram is ours. */
		if (used >= len)
			return 0;
		dgram += used;
		len -= used;
	}
	if (s->fatal_error)
		return s->fatal_error;
	/* Application data opens straight into the caller's buffer when one
	 * is lent and nothing is queued yet (handle_app_data then copies nothing). */
	petrel_rl_set_app_dst(&s->rl, s->rx_app_ready ? NULL : s->rx_user_buf, s->rx_user_cap);
	int rc = feed_records(s, dgram, len, now_ms);
	petrel_rl_set_app_dst(&s->rl, NULL, 0);
	return rc;
}

static int feed_records(petrel_session *s, uint8_t *dgram, size_t len, uint64_t now_ms)
{
	s->stats.datagrams_received++;
	s->stats.bytes_received += len;
	size_t offset = 0;
	struct petrel_record rec;
	int result = 0, rc;
	for (;;) {
		rc = petrel_rl_read(&s->rl, dgram, len, &offset, &rec);
		if (rc != 1)
			break;
		petrel_keepalive_on_record(s, &rec, now_ms);
		int r = handle_record(s, &rec, now_ms);
		if (r < 0 && (petrel_error_is_fatal(r) || r == PETREL_E_LARGE_PACKET)) {
			if (r == PETREL_E_LARGE_PACKET)
				return r;
			if (r == PETREL_E_SESSION_CLOSED)
				return r;
			if (r != PETREL_E_FATAL_ALERT_RECEIVED)
				return petrel_session_fail(s, r, petrel_alert_for_error(r));
			return r;
		}
		if (r < 0)
			result = r;
	}
	/* Records failing authentication are dropped silently (RFC 6347
	 * 4.1.2.7), also during the handshake: spoofed datagrams must not end
	 * it (issue #17 item 9). Only a limit the user set
	 * (petrel_record_set_bad_record_limit) ends the session. */
	if (rc < 0)
		return petrel_session_fail(s, rc, ALERT_BAD_RECORD_MAC);
	/* No exception for the datagram that carried the peer's
	 * ChangeCipherSpec: a forged epoch-0 CCS plus garbage would end the
	 * handshake (issue #17, "no spoofed datagram may end a handshake").
	 * A real key mismatch (a wrong PSK) shows at the timeout instead,
	 * as PETREL_E_PEER_KEY_MISMATCH (petrel_engine_tick). */
	s->stats.records_dropped = petrel_rl_stats(&s->rl)->dropped_bad_mac +
				   petrel_rl_stats(&s->rl)->dropped_replay +
				   petrel_rl_stats(&s->rl)->dropped_bad_epoch +
				   petrel_rl_stats(&s->rl)->dropped_malformed;
	return result;
}

/* Where to fall back when a flight times out (RFC 8899 5.1.2 / issue #6,
 * issue #17 item 6), or 0 to keep the MTU. A flight with datagrams larger
 * than a size known to pass goes straight to that size, not one plateau
 * at a time: first RFC 8899's BASE_PLPMTU (1200 bytes of IP packet; 1280,
 * the minimum link MTU, for IPv6), then the floor (petrel_dtls_set_mtu's
 * value when lower, else the IP version's minimum). Plain loss also times
 * out, so the cost of a wrong guess is a smaller MTU until probing
 * (PETREL_FLAG_PMTU_PROBE) raises it after the handshake; the cost of
 * walking plateaus through a real black hole was seconds per step. */
static uint16_t black_hole_fallback(const petrel_session *s)
{
	const struct petrel_hs *hs = s->hs;
	if ((s->flags & PETREL_FLAG_NO_PMTUD) || hs->rto.backoff < s->black_hole_threshold)
		return 0;
	size_t largest = hs->flight_largest_dgram + petrel_output_ip_udp_overhead(s);
	return petrel_mtu_black_hole_fallback(s->link_mtu, s->mtu_floor, s->ipv6, largest);
}

int petrel_engine_tick(petrel_session *s, uint64_t now_ms)
{
	const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
	if (ops && ops->tick)
		return ops->tick(s, now_ms);
	if (s->fatal_error)
		return s->fatal_error;
	if (s->final && now_ms >= s->final->expires_ms)
		petrel_hs_free_final(s);
	struct petrel_hs *hs = s->hs;
	if (hs == NULL) {
		int rc = s->established ? petrel_probe_tick(s, now_ms) : 0;
		if (rc == 0 && s->established)
			rc = petrel_keepalive_tick(s, now_ms);
		/* Also while the final flight is kept: resending it expands
		 * the keys again (issue #19 item 2). */
		if (s->established && petrel_rl_holds_cache(&s->rl) && now_ms >= s->idle_check_ms) {
			if (s->app_activity)
				s->idle_check_ms = now_ms + PETREL_IDLE_RELEASE_MS;
			else
				petrel_rl_release_cache(&s->rl);
			s->app_activity = false;
		}
		return rc;
	}
	if (hs->flight_pending)
		return petrel_hs_send_flight(s, now_ms, hs->flight.transmissions > 0);
	if (now_ms >= hs->deadline_total_ms) {
		/* Records that failed authentication after the peer's CCS: the
		 * likely cause of the timeout is that the peer's keys differ
		 * from ours (a wrong PSK, say). Forgeries can only change which
		 * error a failing handshake reports, never make it fail. */
		if (hs->peer_ccs_taken &&
		    petrel_rl_stats(&s->rl)->dropped_bad_mac > hs->bad_mac_at_peer_ccs)
			return petrel_session_fail(s, PETREL_E_PEER_KEY_MISMATCH, ALERT_BAD_RECORD_MAC);
		/* Likewise an epoch-0 message or alert that was dropped: the
		 * peer's refusal, or a forgery that changes only the error. */
		int alert;
		int rc = petrel_hs_drop_timeout_error(s, &alert);
		if (rc == PETREL_E_SESSION_CLOSED)
			s->closed = true;
		return petrel_session_fail(s, rc, alert);
	}
	if (!petrel_timer_expired(&hs->retransmit, now_ms))
		return 0;
	/* RFC 6347 4.2.4.1: on timeout, double and retransmit the last flight.
	 * A partly received peer flight does not stop the timer (issue #11). */
	petrel_rto_on_timeout(&hs->rto);
	s->stats.timeouts++;
	hs->got_peer_flight = false;
	uint16_t fallback = black_hole_fallback(s);
	if (fallback) {
		/* Our large datagrams may be dropped silently on the path:
		 * fall back, re-fragment, tell the caller; the flight goes out
		 * on the next call. */
		struct petrel_flight_records rec;
		petrel_flight_records_rl(&rec, &s->rl);
		rec.max_record_plaintext = s->peer_record_limit;
		s->kernel_pmtu = 0;
		petrel_set_mtu(s, fallback, PETREL_MTU_BLACK_HOLE);
		if (petrel_flight_replan(&hs->flight, petrel_output_max_datagram(s), &rec) == 0) {
			/* The wait was not congestion: keep the timeout where it
			 * is, so the plateaus are walked at a steady pace. */
			if (hs->rto.backoff > 0)
				hs->rto.backoff--;
			hs->flight_pending = true;
			return PETREL_E_LARGE_PACKET;
		}
	}
	return petrel_hs_send_flight(s, now_ms, true);
}

uint64_t petrel_engine_next_deadline(const petrel_session *s)
{
	const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
	if (ops && ops->next_deadline)
		return ops->next_deadline(s);
	uint64_t next = UINT64_MAX;
	if (s->hs) {
		if (s->hs->flight_pending)
			return 0;
		if (s->hs->retransmit.armed)
			next = s->hs->retransmit.deadline_ms;
		if (s->hs->deadline_total_ms < next)
			next = s->hs->deadline_total_ms;
	} else {
		if (s->final)
			next = s->final->expires_ms;
		if (s->established && petrel_rl_holds_cache(&s->rl) && s->idle_check_ms < next)
			next = s->idle_check_ms;
	}
	if (s->hs == NULL && s->established) {
		uint64_t probe = petrel_pmtud_deadline(&s->pmtud);
		if (probe < next)
			next = probe;
		uint64_t keepalive = petrel_keepalive_deadline(s);
		if (keepalive < next)
			next = keepalive;
	}
	return next;
}

int petrel_handshake_is_complete(const petrel_session *s)
{
	return s->established ? 1 : 0;
}

long petrel_engine_read(petrel_session *s, void *buf, size_t cap)
{
	if (!s->rx_app_ready)
		return s->closed ? 0 : PETREL_E_AGAIN;
	if (s->rx_in_user) {
		/* Already in the buffer petrel_record_recv lent us (== buf). */
		s->rx_in_user = false;
		s->rx_app_ready = false;
		long len = (long)s->rx_app_len;
		s->rx_app_len = 0;
		return len;
	}
	if (s->rx_app_len > cap)
		return PETREL_E_SHORT_BUFFER;
	if (s->rx_app_len)
		memcpy(buf, s->rx_app, s->rx_app_len);
	s->rx_app_ready = false;
	long n = (long)s->rx_app_len;
	free(s->rx_app);
	s->rx_app = NULL;
	s->rx_app_len = 0;
	return n;
}
