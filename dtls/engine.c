/* The handshake engine: records in, flights out, timers. No I/O of its own:
 * datagrams leave through the push callback and time comes in as now_ms. */
#include <stdlib.h>
#include <string.h>

#include "dtls/session.h"
#include "mtu/mtu.h"

static size_t max_datagram(const petrel_session *s)
{
	size_t overhead = s->ipv6 ? 48 : 28; /* IP + UDP headers */
	size_t mtu = s->link_mtu;
	/* The peer's record plaintext limit bounds each record (the flight
	 * planner's max_record_plaintext), not the datagram: records of a
	 * flight still share datagrams up to the MTU (issue #17 item 4). */
	return mtu > overhead ? mtu - overhead : 0;
}

/* Push one datagram through the transport. */
static int push_datagram(void *ctx, const uint8_t *dgram, size_t len)
{
	petrel_session *s = ctx;
	if (s->push == NULL)
		return PETREL_E_PUSH_ERROR;
	long r = s->push(s->transport_ptr, dgram, len);
	if (r == PETREL_E_AGAIN || r == PETREL_E_INTERRUPTED) {
		/* Treated as loss: the retransmission timer covers it. */
		return 0;
	}
	if (r < 0)
		return (int)r;
	s->stats.datagrams_sent++;
	s->stats.bytes_sent += len;
	if (s->hs && len > s->hs->flight_largest_dgram)
		s->hs->flight_largest_dgram = len;
	return 0;
}

int petrel_hs_transcript_add(struct petrel_hs *hs, const uint8_t *data, size_t len)
{
	if (hs->transcript_len + len > PETREL_MAX_TRANSCRIPT)
		return PETREL_E_LIMIT_EXCEEDED;
	if (hs->transcript_len + len > hs->transcript_cap) {
		size_t cap = hs->transcript_cap ? hs->transcript_cap : 2048;
		while (cap < hs->transcript_len + len)
			cap *= 2;
		uint8_t *p = realloc(hs->transcript, cap);
		if (p == NULL)
			return PETREL_E_MEMORY;
		hs->transcript = p;
		hs->transcript_cap = cap;
	}
	memcpy(hs->transcript + hs->transcript_len, data, len);
	hs->transcript_len += len;
	if (hs->th_ready)
		petrel_hash_update(&hs->th, data, len);
	return 0;
}

void petrel_hs_transcript_hash(struct petrel_hs *hs, enum petrel_hash_alg alg, uint8_t *out)
{
	/* A running hash from the first request on: the transcript is hashed
	 * once, not again at each of the handshake's ~6 uses. */
	if (!hs->th_ready || hs->th.alg != alg) {
		petrel_hash_init(&hs->th, alg);
		petrel_hash_update(&hs->th, hs->transcript, hs->transcript_len);
		hs->th_ready = true;
	}
	petrel_hash_peek(&hs->th, out);
}

/* Add one of our handshake messages to the current flight and to the
 * transcript (as if unfragmented, RFC 6347 4.2.6). */
int petrel_hs_append_message(petrel_session *s, uint8_t msg_type, const uint8_t *body, size_t len,
			     uint16_t epoch)
{
	struct petrel_hs *hs = s->hs;
	epoch = petrel_reneg_message_epoch(s, epoch); /* renegotiation: current epoch */
	int rc = petrel_flight_add_handshake(&hs->flight, msg_type, hs->next_send_seq, epoch, body, len);
	if (rc < 0)
		return rc;
	const uint8_t *bytes;
	size_t bytes_len;
	rc = petrel_flight_transcript(&hs->flight, hs->flight.entry_count - 1, &bytes, &bytes_len);
	if (rc <= 0) /* 0: not a handshake entry, which the add above rules out */
		return rc < 0 ? rc : PETREL_E_INTERNAL;
	hs->next_send_seq++;
	return petrel_hs_transcript_add(hs, bytes, bytes_len);
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

int petrel_hs_send_flight(petrel_session *s, uint64_t now_ms, bool retransmission)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_flight *fl = hs ? &hs->flight : &s->final->flight;
	struct petrel_flight_records rec;
	petrel_flight_records_rl(&rec, &s->rl);
	rec.max_record_plaintext = s->peer_record_limit;
	uint8_t buf[PETREL_MAX_DATAGRAM];
	size_t maxdg = max_datagram(s);
	if (maxdg > sizeof buf)
		maxdg = sizeof buf;
	int rc = petrel_flight_plan(fl, maxdg, &rec);
	if (rc < 0)
		return rc;
	uint64_t first_seq = petrel_rl_next_write_seq(&s->rl, 0);
	if (hs)
		hs->flight_largest_dgram = 0;
	rc = petrel_flight_send(fl, &rec, buf, sizeof buf, push_datagram, s);
	if (rc == PETREL_E_LARGE_PACKET) {
		int lrc = petrel_lower_mtu(s, PETREL_MTU_EMSGSIZE);
		if (lrc < 0)
			return lrc;
		if (petrel_flight_replan(fl, max_datagram(s), &rec) < 0)
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
	}
	return 0;
}

int petrel_hs_start(petrel_session *s, uint64_t now_ms)
{
	struct petrel_hs *hs = calloc(1, sizeof *hs);
	if (hs == NULL)
		return PETREL_E_MEMORY;
	petrel_reasm_init(&hs->rx);
	/* Buffered fragments count against the endpoint's budget too. */
	petrel_reasm_set_budget(&hs->rx, s->frag_budget);
	petrel_flight_init(&hs->flight);
	petrel_rto_init(&hs->rto, s->retrans_initial_ms, s->rto_floor_ms, s->rto_cap_ms);
	hs->start_ms = now_ms;
	hs->deadline_total_ms = s->total_timeout_ms ? now_ms + s->total_timeout_ms : UINT64_MAX;
	s->hs = hs;
	return 0;
}

void petrel_hs_free(petrel_session *s)
{
	struct petrel_hs *hs = s->hs;
	if (hs == NULL)
		return;
	petrel_reasm_clear(&hs->rx);
	petrel_flight_reset(&hs->flight);
	if (hs->transcript) {
		petrel_wipe(hs->transcript, hs->transcript_cap);
		free(hs->transcript);
	}
	for (size_t i = 0; i < hs->peer_chain_count; i++)
		free(hs->peer_chain[i]);
	free(hs->ticket);
	petrel_wipe(hs, sizeof *hs);
	free(hs);
	s->hs = NULL;
}

static void free_final(petrel_session *s)
{
	if (s->final == NULL)
		return;
	petrel_flight_reset(&s->final->flight);
	free(s->final);
	s->final = NULL;
}

int petrel_hs_accept_ccs(petrel_session *s, enum petrel_hs_state expect, enum petrel_hs_state next)
{
	struct petrel_hs *hs = s->hs;
	if (hs->state != expect)
		return 0; /* not now: dropped */
	int rc = petrel_install_keys(s, false);
	if (rc < 0)
		return rc;
	/* The peer's handshake goes on in the new epoch: what epoch 0 left
	 * in the reassembler is forged or stale (issue #17 item 10). */
	petrel_reasm_set_epoch(&hs->rx, petrel_rl_read_epoch(&s->rl));
	hs->state = next;
	return 1;
}

int petrel_install_keys(petrel_session *s, bool write_side)
{
	struct petrel_hs *hs = s->hs;
	bool client = s->role == PETREL_CLIENT;
	const struct petrel_epoch_keys *keys;
	if (write_side) {
		keys = client ? &hs->client_write : &hs->server_write;
		return petrel_rl_set_write_keys(&s->rl, (uint16_t)(petrel_rl_write_epoch(&s->rl) + 1), keys);
	}
	keys = client ? &hs->server_write : &hs->client_write;
	return petrel_rl_set_read_keys(&s->rl, (uint16_t)(petrel_rl_read_epoch(&s->rl) + 1), keys);
}

/* The handshake is over: keep what the association needs, drop the rest.
 * A server keeps its final flight (CCS + Finished) to answer a client that
 * did not get it (RFC 6347 4.2.4); so does a client after an abbreviated
 * handshake, where it sends the last flight. */
int petrel_hs_finish(petrel_session *s, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	bool sent_last = (s->role == PETREL_SERVER) != hs->resuming;
	s->established = true;
	s->idle_check_ms = now_ms + PETREL_IDLE_RELEASE_MS;
	s->app_activity = false;
	s->suite = hs->suite;
	s->group = hs->group;
	s->sig_scheme = hs->peer_sig_scheme;
	s->resumed = hs->resuming;
	s->ems = hs->ems;
	memcpy(s->master, hs->master, sizeof s->master);
	memcpy(s->client_random, hs->client_random, PETREL_RANDOM_LEN);
	memcpy(s->server_random, hs->server_random, PETREL_RANDOM_LEN);
	s->stats.handshake_ms = now_ms - hs->start_ms;
	s->stats.rtt_ms = hs->rto.stats.srtt_ms;
	if (hs->peer_chain_count > 0) {
		free(s->peer_cert);
		s->peer_cert = hs->peer_chain[0];
		s->peer_cert_len = hs->peer_chain_len[0];
		hs->peer_chain[0] = NULL;
		for (size_t i = 1; i < hs->peer_chain_count; i++) {
			free(hs->peer_chain[i]);
			hs->peer_chain[i] = NULL;
		}
		hs->peer_chain_count = 0;
	}
	if (s->role == PETREL_CLIENT) {
		/* What petrel_session_get_data hands out for the next resumption. */
		if (hs->ticket) {
			free(s->ticket);
			s->ticket = hs->ticket;
			s->ticket_len = hs->ticket_len;
			hs->ticket = NULL;
		}
		memcpy(s->session_id, hs->session_id, hs->session_id_len);
		s->session_id_len = hs->session_id_len;
	}
	petrel_reneg_on_finish(s, hs);
	free_final(s);
	if (sent_last) {
		struct petrel_final_flight *fin = calloc(1, sizeof *fin);
		if (fin != NULL) {
			fin->flight = hs->flight; /* moves the heap buffers */
			petrel_flight_init(&hs->flight);
			fin->expires_ms = now_ms + PETREL_FINAL_FLIGHT_KEEP_MS;
			fin->last_tx_ms = hs->last_tx_ms;
			s->final = fin;
		}
	}
	petrel_hs_free(s);
	petrel_probe_start(s, now_ms);
	return 0;
}

uint8_t petrel_alert_for_error(int code)
{
	switch (code) {
	case PETREL_E_UNEXPECTED_MESSAGE: return ALERT_UNEXPECTED_MESSAGE;
	case PETREL_E_DECODE_ERROR: return ALERT_DECODE_ERROR;
	case PETREL_E_ILLEGAL_PARAMETER: return ALERT_ILLEGAL_PARAMETER;
	case PETREL_E_DECRYPTION_FAILED: return ALERT_DECRYPT_ERROR;
	case PETREL_E_SIGNATURE_INVALID: return ALERT_DECRYPT_ERROR;
	case PETREL_E_NO_COMMON_CIPHER:
	case PETREL_E_NO_COMMON_GROUP:
	case PETREL_E_HANDSHAKE_FAILURE:
	case PETREL_E_EMS_REQUIRED: return ALERT_HANDSHAKE_FAILURE;
	case PETREL_E_UNKNOWN_PSK_IDENTITY: return ALERT_UNKNOWN_PSK_IDENTITY;
	case PETREL_E_RECORD_OVERFLOW: return ALERT_RECORD_OVERFLOW;
	case PETREL_E_ALPN_MISMATCH: return ALERT_NO_APPLICATION_PROTOCOL;
	case PETREL_E_CERT_EXPIRED:
	case PETREL_E_CERT_NOT_YET_VALID: return ALERT_CERTIFICATE_EXPIRED;
	case PETREL_E_CERT_UNKNOWN_ISSUER:
	case PETREL_E_CERT_UNTRUSTED: return ALERT_UNKNOWN_CA;
	case PETREL_E_CERT_UNSUPPORTED_ALGORITHM: return ALERT_UNSUPPORTED_CERTIFICATE;
	case PETREL_E_NO_CERTIFICATE:
	case PETREL_E_BAD_CERTIFICATE:
	case PETREL_E_CERT_PARSE:
	case PETREL_E_CERT_BAD_SIGNATURE:
	case PETREL_E_CERT_NOT_CA:
	case PETREL_E_CERT_PATHLEN_EXCEEDED:
	case PETREL_E_CERT_NAME_MISMATCH:
	case PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION:
	case PETREL_E_CERT_CHAIN_TOO_LONG:
	case PETREL_E_CERT_KEY_USAGE:
	case PETREL_E_CERT_PIN_MISMATCH: return ALERT_BAD_CERTIFICATE;
	case PETREL_E_UNSUPPORTED: return ALERT_HANDSHAKE_FAILURE;
	case PETREL_E_PROTOCOL_VERSION: return ALERT_PROTOCOL_VERSION;
	default: return ALERT_INTERNAL_ERROR;
	}
}

int petrel_send_alert(petrel_session *s, uint8_t level, uint8_t desc)
{
	uint8_t buf[64];
	uint8_t body[2] = {level, desc};
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	int rc = petrel_rl_write(&s->rl, petrel_rl_write_epoch(&s->rl), PETREL_CT_ALERT, body, 2, &w);
	if (rc < 0)
		return rc;
	return push_datagram(s, buf, petrel_writer_len(&w));
}

/* Bytes one (re)transmission of a planned flight puts on the wire. */
static size_t flight_wire_bytes(const struct petrel_flight *fl)
{
	size_t n = 0;
	for (size_t i = 0; i < petrel_flight_datagram_count(fl); i++)
		n += fl->datagrams[i].length;
	return n;
}

/* Whether the peer has paid for a retransmission it asks for: what such
 * retransmissions send stays within PETREL_PEER_RETX_FACTOR times the
 * bytes received from the peer (issue #17 item 12; the same bound as
 * QUIC's anti-amplification limit, RFC 9000 8). Tiny forged "old message"
 * datagrams from a spoofed address cannot make us send kilobytes. Our own
 * timer still retransmits when this refuses. */
static bool peer_retransmit_affordable(petrel_session *s, const struct petrel_flight *fl)
{
	uint64_t cost = flight_wire_bytes(fl);
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
		if (!peer_retransmit_affordable(s, &hs->flight))
			return 0;
		petrel_rto_on_timeout(&hs->rto); /* counts as evidence of loss: no RTT sample */
		return petrel_hs_send_flight(s, now_ms, true);
	}
	if (s->final) {
		if (now_ms - s->final->last_tx_ms < 5)
			return 0;
		if (!peer_retransmit_affordable(s, &s->final->flight))
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
	struct petrel_reader r;
	petrel_reader_init(&r, rec->fragment, rec->length);
	while (petrel_reader_left(&r) > 0) {
		struct petrel_hs_header h;
		const uint8_t *frag;
		if (petrel_hs_header_read(&r, &h, &frag) < 0)
			return false;
		if (h.message_seq < next_seq)
			return true;
	}
	return false;
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

/* A ClientHello (to a server) or HelloRequest (to a client) at
 * message_seq 0: the peer asks for renegotiation. */
static bool starts_new_handshake(const petrel_session *s, const struct petrel_record *rec)
{
	struct petrel_reader r;
	petrel_reader_init(&r, rec->fragment, rec->length);
	struct petrel_hs_header h;
	const uint8_t *frag;
	if (petrel_hs_header_read(&r, &h, &frag) < 0)
		return false;
	uint8_t want = s->role == PETREL_SERVER ? PETREL_HS_CLIENT_HELLO : PETREL_HS_HELLO_REQUEST;
	return h.msg_type == want && h.message_seq == 0;
}

static int handle_ccs(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms)
{
	if (s->hs == NULL || rec->length != 1 || rec->fragment[0] != 1)
		return 0; /* stray or retransmitted CCS: drop */
	if (rec->epoch != petrel_rl_read_epoch(&s->rl))
		return 0;
	int rc = s->role == PETREL_CLIENT ? petrel_client_on_ccs(s) : petrel_server_on_ccs(s);
	if (rc <= 0)
		return rc; /* 0: not expected now, dropped */
	/* Finished may have arrived first and waits in the next-epoch buffer. */
	return drain_buffered(s, now_ms);
}

/* A HelloVerifyRequest is one record that echoes the record number of
 * the ClientHello it answers (RFC 6347 4.2.1). One buffered ahead of its
 * turn is not the server's. A second one (we have a cookie) is what a
 * server that rejected our cookie sends, but also what a forger guessing
 * our small record numbers sends while the server answers the genuine
 * ClientHello: taking it would make us restart with a forged cookie and
 * stall (issue #17 item 21). So it is taken only when it answers a
 * retransmission of the cookie-bearing ClientHello, which the timer
 * sends when no ServerHello came: a genuine rejection then costs one
 * timeout, a forgery nothing. */
static bool hello_verify_answers_us(const struct petrel_hs *hs, const struct petrel_hs_message *m,
				    uint64_t record_seq)
{
	if (m->record_seq != record_seq)
		return false;
	if (hs->cookie_len == 0)
		return true;
	unsigned n = hs->hello_tx_count < PETREL_HELLO_TX_TRACKED ? hs->hello_tx_count
								 : PETREL_HELLO_TX_TRACKED;
	for (unsigned i = 0; i < n; i++)
		if (hs->hello_tx_seq[i] == record_seq && hs->hello_tx_resent[i])
			return true;
	return false;
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
		if (!s->hs->got_peer_flight) {
			s->hs->got_peer_flight = true;
			/* One of our flights was answered: a round trip. */
			if (s->stats.flights_sent > 0)
				s->stats.round_trips++;
			petrel_rto_flight_answered(&s->hs->rto, now_ms);
		}
		enum petrel_hs_state state_before = s->hs->state;
		if (s->role == PETREL_CLIENT && m.msg_type == PETREL_HS_HELLO_VERIFY_REQUEST &&
		    !hello_verify_answers_us(s->hs, &m, rec->seq))
			rc = PETREL_E_UNEXPECTED_MESSAGE;
		else
			rc = s->role == PETREL_CLIENT ? petrel_client_handle(s, &m, now_ms)
						       : petrel_server_handle(s, &m, now_ms);
		if (rc == PETREL_E_UNEXPECTED_MESSAGE && s->hs && s->hs->rx.epoch == 0 &&
		    s->hs->state == state_before) {
			/* A message of a type this state does not take, and
			 * unauthenticated: anyone could have sent it. Drop it like
			 * an invalid record (RFC 6347 4.1.2.7) and expect its
			 * message_seq again, so the genuine one still gets in: one
			 * forged datagram must not end or stall the handshake
			 * (issue #17 item 21). */
			petrel_reasm_unpop(&s->hs->rx);
			s->hs->unexpected_dropped++;
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int handle_alert(petrel_session *s, const struct petrel_record *rec)
{
	if (rec->length != 2)
		return 0;
	/* Once the peer is known to be past epoch 0 (its ChangeCipherSpec was
	 * taken), only alerts of its current epoch count: an older-epoch
	 * alert is unauthenticated and anyone on the path could forge it,
	 * fatal or close_notify (issue #17 item 11). */
	if (rec->epoch < petrel_rl_read_epoch(&s->rl))
		return 0;
	if (s->established && rec->epoch != petrel_rl_read_epoch(&s->rl))
		return 0;
	uint8_t level = rec->fragment[0], desc = rec->fragment[1];
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
	if (s->final && s->role == PETREL_SERVER && rec->epoch == petrel_rl_read_epoch(&s->rl)) {
		/* The client has our Finished: the final flight is no longer needed
		 * (not shown by an older epoch's record after a renegotiation). */
		petrel_flight_reset(&s->final->flight);
		free(s->final);
		s->final = NULL;
	}
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
	if (!s->established && s->hs == NULL && s->role == PETREL_SERVER) {
		if (rec->content_type != PETREL_CT_HANDSHAKE || rec->epoch != 0)
			return 0;
		return petrel_server_first_record(s, rec, now_ms);
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
	uint16_t epoch_before = petrel_rl_read_epoch(&s->rl);
	uint64_t bad_here = 0; /* records of this datagram that failed to authenticate */
	for (;;) {
		uint64_t bad_before = petrel_rl_stats(&s->rl)->dropped_bad_mac;
		rc = petrel_rl_read(&s->rl, dgram, len, &offset, &rec);
		bad_here += petrel_rl_stats(&s->rl)->dropped_bad_mac - bad_before;
		if (rc != 1)
			break;
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
	/* One exception: the datagram that carried the peer's
	 * ChangeCipherSpec (taken just now) also carried a record of the new
	 * epoch that fails: the peer's own final flight says its keys differ
	 * from ours (a wrong PSK, say). Say so now rather than time out.
	 * Records buffered from earlier datagrams do not count, so forged
	 * datagrams alone cannot trigger it; forging this one takes a forged
	 * epoch-0 ChangeCipherSpec, as able to end the handshake as an
	 * epoch-0 alert is before the peer's epoch changes. */
	if (s->hs && bad_here > 0 && petrel_rl_read_epoch(&s->rl) > epoch_before)
		return petrel_session_fail(s, PETREL_E_DECRYPTION_FAILED, ALERT_BAD_RECORD_MAC);
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
	size_t overhead = s->ipv6 ? PETREL_IPV6_UDP_OVERHEAD : PETREL_IPV4_UDP_OVERHEAD;
	size_t largest = hs->flight_largest_dgram + overhead;
	uint16_t base = s->ipv6 ? PETREL_MTU_MIN_IPV6 : PETREL_MTU_BASE_PLPMTU_IPV4;
	if (base < s->mtu_floor)
		base = s->mtu_floor;
	if (s->link_mtu > base && largest > base)
		return base;
	/* Below the base only when the base itself failed (or was set). */
	if (s->link_mtu <= base && s->link_mtu > s->mtu_floor && largest > s->mtu_floor)
		return s->mtu_floor;
	return 0;
}

int petrel_engine_tick(petrel_session *s, uint64_t now_ms)
{
	if (s->fatal_error)
		return s->fatal_error;
	if (s->final && now_ms >= s->final->expires_ms) {
		petrel_flight_reset(&s->final->flight);
		free(s->final);
		s->final = NULL;
	}
	struct petrel_hs *hs = s->hs;
	if (hs == NULL) {
		int rc = s->established ? petrel_probe_tick(s, now_ms) : 0;
		if (s->established && s->final == NULL && petrel_rl_holds_cache(&s->rl) &&
		    now_ms >= s->idle_check_ms) {
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
	if (now_ms >= hs->deadline_total_ms)
		return petrel_session_fail(s, PETREL_E_TIMEDOUT, ALERT_HANDSHAKE_FAILURE);
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
		if (petrel_flight_replan(&hs->flight, max_datagram(s), &rec) == 0) {
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
	uint64_t next = UINT64_MAX;
	if (s->hs) {
		if (s->hs->flight_pending)
			return 0;
		if (s->hs->retransmit.armed)
			next = s->hs->retransmit.deadline_ms;
		if (s->hs->deadline_total_ms < next)
			next = s->hs->deadline_total_ms;
	} else if (s->final) {
		next = s->final->expires_ms;
	} else if (s->established && petrel_rl_holds_cache(&s->rl)) {
		next = s->idle_check_ms;
	}
	if (s->hs == NULL && s->established) {
		uint64_t probe = petrel_pmtud_deadline(&s->pmtud);
		if (probe < next)
			next = probe;
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
