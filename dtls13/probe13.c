/* DTLS 1.3 path MTU probes (see probe13.h).
 *
 * Why KeyUpdate: RFC 9147 7 makes only handshake records ACK-eliciting
 * (an ACK of anything else is not sent), and after the handshake the
 * handshake messages are NewSessionTicket (server only, and it leaves
 * state at the client), NewConnectionId / RequestConnectionId (only with
 * a negotiated CID, RFC 9147 9), post-handshake authentication (only when
 * offered) and KeyUpdate, which every peer must accept and acknowledge
 * (RFC 9147 8) in either role. With update_not_requested it asks nothing
 * of the peer but one key derivation; it moves our own sending keys one
 * epoch on once acknowledged, which the AEAD limits (RFC 9147 4.5.3) only
 * welcome. A padded record is one record for those limits, whatever its
 * padding: the limits count records, each up to 2^14 bytes.
 *
 * A probe goes out only when nothing of ours is unacknowledged, so the
 * KeyUpdate and everything before it are acknowledged before the new
 * keys are used (RFC 9147 8 and its erratum 8047), and nothing else
 * follows it in the old epoch.
 *
 * The probe is its own flight (dtls13/flight13.c's bookkeeping: the
 * ACK matches the record number remembered here, a partial or late ACK
 * is handled there, and the timer's retransmission cuts the message for
 * the current MTU, unpadded). Only its first transmission is padded; it
 * is left out of the flight's largest datagram, so its loss never
 * triggers the black-hole rule (RFC 8899 3, 4.1: probe loss says nothing
 * about the current size). */
#include <string.h>

#include "dtls/hs_header.h"
#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls13/cid13_record.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/ku13_take.h"
#include "dtls13/messages13.h"
#include "dtls13/probe13.h"
#include "mtu/pmtud.h"

/* The flight's one record, padded so the datagram has dgram_len bytes
 * (RFC 8446 5.4 zeros after the content type). *seq: its number. */
static int seal_padded(struct petrel_d13 *d, size_t dgram_len, uint8_t *dg, size_t cap,
		       size_t *len, uint64_t *seq)
{
	const struct d13_msg *m = &d->msgs[0];
	uint8_t rec[PETREL_HS_HEADER_LEN + 8];
	struct petrel_writer rw;
	petrel_writer_init(&rw, rec, sizeof rec);
	struct petrel_hs_header h = {m->type, (uint32_t)m->len, m->seq, 0, (uint32_t)m->len};
	if (petrel_hs_header_write(&rw, &h) < 0 || !petrel_put_bytes(&rw, m->body, m->len))
		return PETREL_E_INTERNAL;
	size_t content = petrel_writer_len(&rw);
	size_t overhead = petrel_rl13_overhead(d, m->epoch);
	if (dgram_len > cap || dgram_len < overhead + content)
		return PETREL_E_INVALID_REQUEST;
	struct petrel_dtls13_epoch *e = petrel_rl13_write(d, m->epoch);
	if (e == NULL)
		return PETREL_E_INTERNAL;
	struct petrel_dtls13_send_opts o = {.seq16 = true, .with_length = true};
	petrel_cid13_send_opts(&d->cfg.cid, &o); /* RFC 9147 9: the peer's CID */
	o.padding = dgram_len - overhead - content;
	struct petrel_writer w;
	petrel_writer_init(&w, dg, cap);
	int rc = petrel_dtls13_epoch_seal(e, &o, PETREL_CT_HANDSHAKE, rec, content, &w, seq);
	*len = petrel_writer_len(&w);
	return rc;
}

/* Whether the peer takes a record filling a datagram of dgram_len bytes
 * (record_size_limit, RFC 8449 4: in TLS 1.3 the limit counts the
 * content type and the padding too; kept conservative here). */
static bool peer_takes(const petrel_session *s, const struct petrel_d13 *d, size_t dgram_len)
{
	size_t inner = dgram_len + 1 - petrel_rl13_overhead(d, d->wr_epoch);
	return s->peer_record_limit == 0 || inner <= s->peer_record_limit;
}

static int send_probe(petrel_session *s, uint16_t size, uint32_t id, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	size_t ip_udp = petrel_output_ip_udp_overhead(s);
	_Alignas(16) uint8_t dg[PETREL_MAX_DATAGRAM];
	if (size <= ip_udp + petrel_rl13_overhead(d, d->wr_epoch) + PETREL_HS_HEADER_LEN + 1 ||
	    size - ip_udp > sizeof dg || !peer_takes(s, d, size - ip_udp)) {
		petrel_pmtud_too_big(&s->pmtud, size, now_ms); /* never this size again */
		return 0;
	}
	int rc = petrel_ku13_take(s, false, now_ms);
	if (rc < 0)
		return rc == PETREL_E_AGAIN ? 0 : rc;
	size_t len = 0;
	uint64_t seq = 0;
	rc = seal_padded(d, size - ip_udp, dg, sizeof dg, &len, &seq);
	if (rc == 0)
		rc = petrel_outq_session_drain_lossy(s, dg, len);
	if (rc == PETREL_E_LARGE_PACKET) {
		/* The local link refuses it (EMSGSIZE): never this size again;
		 * the KeyUpdate goes out as an ordinary one. */
		petrel_pmtud_too_big(&s->pmtud, size, now_ms);
		return petrel_flight13_send(s, now_ms, false);
	}
	if (rc < 0)
		return rc;
	/* What flight13.c's send would note: the record number the ACK
	 * names, the timer. sent_now stays clear: a retransmission sends
	 * the message again, cut for the current MTU. */
	d->sent[d->sent_next] = (struct d13_sent){d->msgs[0].epoch, seq, 0, true};
	d->sent_next = (d->sent_next + 1) % D13_MAX_SENT;
	petrel_rto_flight_sent(&d->rto, now_ms, false);
	petrel_timer_arm(&d->retransmit, now_ms, petrel_rto_current_ms(&d->rto));
	d->last_tx_ms = now_ms;
	d->probe13 = (struct petrel_probe13){true, id, d->msgs[0].epoch, seq, d->probe13.sent + 1,
					     d->probe13.confirmed, d->probe13.lost};
	return 0;
}

static bool wants_probing(const petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	return (s->flags & PETREL_FLAG_PMTU_PROBE) && d != NULL && d->done && s->established &&
	       !s->closed && s->push != NULL;
}

/* RFC 9147 8: one KeyUpdate at a time, and nothing of ours outstanding
 * (a handshake, KeyUpdate or NewConnectionId flight), nor an ACK of the
 * peer's records still deferred (its timer runs): ku13_take.h's rule. */
static bool blocked(const struct petrel_d13 *d)
{
	return !petrel_ku13_can_start(d);
}

int petrel_probe13_tick(petrel_session *s, uint64_t now_ms)
{
	if (!wants_probing(s))
		return 0;
	struct petrel_d13 *d = s->d13;
	if (s->pmtud.state == PETREL_PMTUD_OFF) {
		uint32_t first_id;
		petrel_random((uint8_t *)&first_id, sizeof first_id);
		petrel_pmtud_start(&s->pmtud, s->link_mtu, s->link_mtu, s->mtu_max, first_id, now_ms);
	}
	if (d->probe13.outstanding && !d->flight_active) {
		/* The flight was given up (engine13.c, total timeout). */
		d->probe13.outstanding = false;
		d->probe13.lost++;
	}
	if (blocked(d))
		return 0;
	uint16_t size;
	uint32_t id;
	/* The timeout is the flight's (petrel_probe13_on_timeout); the
	 * search's own one only matters once the flight is over. */
	switch (petrel_pmtud_poll(&s->pmtud, s->link_mtu, now_ms, petrel_rto_current_ms(&d->rto),
				  &size, &id)) {
	case PETREL_PMTUD_LOWER:
		petrel_set_mtu(s, size, PETREL_MTU_BLACK_HOLE);
		return 0;
	case PETREL_PMTUD_SEND:
		return send_probe(s, size, id, now_ms);
	default:
		return 0;
	}
}

uint64_t petrel_probe13_deadline(const petrel_session *s, uint64_t next)
{
	if (!wants_probing(s))
		return next;
	if (s->pmtud.state == PETREL_PMTUD_OFF)
		return 0; /* start the search on the next tick */
	if (blocked(s->d13))
		return next; /* the flight's or the ACK's timers run */
	uint64_t due = petrel_pmtud_deadline(&s->pmtud);
	return due < next ? due : next;
}

void petrel_probe13_on_ack(petrel_session *s, const uint8_t *body, size_t len, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL || !d->probe13.outstanding)
		return;
	struct petrel_ack ack;
	if (petrel_ack_parse(body, len, &ack) < 0)
		return;
	struct petrel_record_number rn;
	while (petrel_ack_next(&ack, &rn)) {
		if (rn.epoch != d->probe13.epoch || rn.seq != d->probe13.seq)
			continue;
		d->probe13.outstanding = false;
		d->probe13.confirmed++;
		uint16_t proven = petrel_pmtud_on_ack(&s->pmtud, s->link_mtu, d->probe13.id, now_ms);
		if (proven > s->link_mtu)
			petrel_set_mtu(s, proven, PETREL_MTU_PROBE);
		return;
	}
}

void petrel_probe13_on_timeout(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL || !d->probe13.outstanding)
		return;
	/* Lost: the search counts it at its next poll, once the KeyUpdate,
	 * now resent unpadded, is acknowledged. Not congestion (RFC 8899
	 * 4.1): the back-off the timer just added is taken back. */
	d->probe13.outstanding = false;
	d->probe13.lost++;
	if (s->pmtud.due_ms > now_ms)
		s->pmtud.due_ms = now_ms;
	if (d->rto.backoff > 0)
		d->rto.backoff--;
}
