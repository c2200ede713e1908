/* Our DTLS 1.3 flights on the wire (RFC 9147 5.8, 7): messages cut into
 * fragments sized for the path, packed into datagrams, each record's
 * number remembered so an ACK can name what arrived; a retransmission
 * sends only the fragments not acknowledged (partial flights included).
 * Also the other half of 7: acknowledging the peer's records. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/messages13.h"

/* A flight's bookkeeping lives in one heap block while the flight does:
 * an idle session holds none of it. */
struct flight_mem {
	struct d13_msg msgs[D13_MAX_MSGS];
	struct d13_frag frags[D13_MAX_FRAGS];
	struct d13_sent sent[D13_MAX_SENT];
};

void petrel_flight13_clear(struct petrel_d13 *d)
{
	for (size_t i = 0; i < d->msg_count; i++) {
		petrel_wipe(d->msgs[i].body, d->msgs[i].len);
		free(d->msgs[i].body);
	}
	free(d->msgs); /* the flight_mem block starts with msgs */
	d->msgs = NULL;
	d->frags = NULL;
	d->sent = NULL;
	d->msg_count = 0;
	d->frag_count = 0;
	d->sent_next = 0;
	d->flight_active = false;
	d->flight_is_ku = false;
	petrel_timer_stop(&d->retransmit);
}

/* Room for one fragment's bytes in a record of the largest overhead. */
static size_t fragment_room(const petrel_session *s, const struct petrel_d13 *d)
{
	size_t maxdg = petrel_output_max_datagram(s);
	size_t ovh = petrel_rl13_overhead(d, 1);
	if (ovh < PETREL_RECORD_HEADER_LEN)
		ovh = PETREL_RECORD_HEADER_LEN;
	ovh += PETREL_HS_HEADER_LEN;
	size_t room = maxdg > ovh + 64 ? maxdg - ovh : 64;
	if (s->peer_record_limit && room + PETREL_HS_HEADER_LEN > s->peer_record_limit)
		room = s->peer_record_limit > PETREL_HS_HEADER_LEN + 64
			       ? s->peer_record_limit - PETREL_HS_HEADER_LEN
			       : 64;
	return room;
}

int petrel_flight13_take(petrel_session *s, struct petrel_hs13_output *out, size_t from,
			 size_t to, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	(void)now_ms;
	if (from >= to)
		return 0;
	if (d->flight_active || d->msg_count > 0 || d->msgs != NULL)
		petrel_flight13_clear(d);
	_Static_assert(offsetof(struct flight_mem, msgs) == 0, "msgs first: freed through it");
	struct flight_mem *fm = calloc(1, sizeof *fm);
	if (fm == NULL)
		return PETREL_E_MEMORY;
	d->msgs = fm->msgs;
	d->frags = fm->frags;
	d->sent = fm->sent;
	/* Our answer acknowledges the peer's flight implicitly (RFC 9147 7). */
	d->rcvd_count = 0;
	petrel_timer_stop(&d->ack_timer);
	size_t room = fragment_room(s, d);
	for (size_t i = from; i < to; i++) {
		if (d->msg_count == D13_MAX_MSGS)
			return PETREL_E_LIMIT_EXCEEDED;
		struct petrel_hs13_out_msg *om = &out->msgs[i];
		struct d13_msg *m = &d->msgs[d->msg_count];
		m->type = om->type;
		m->epoch = om->epoch;
		m->seq = d->next_send_seq++;
		m->body = om->body;
		m->len = om->len;
		om->body = NULL;
		om->len = 0;
		uint32_t off = 0;
		do {
			if (d->frag_count == D13_MAX_FRAGS)
				return PETREL_E_LIMIT_EXCEEDED;
			uint32_t n = (uint32_t)(m->len - off < room ? m->len - off : room);
			d->frags[d->frag_count++] = (struct d13_frag){(uint8_t)d->msg_count, off, n, false};
			off += n;
		} while (off < m->len);
		d->msg_count++;
	}
	d->flight_active = true;
	s->stats.flights_sent++;
	return 0;
}

static void remember(struct petrel_d13 *d, uint64_t epoch, uint64_t seq, size_t frag)
{
	d->sent[d->sent_next] = (struct d13_sent){epoch, seq, (uint16_t)frag, true};
	d->sent_next = (d->sent_next + 1) % D13_MAX_SENT;
}

int petrel_flight13_send(petrel_session *s, uint64_t now_ms, bool retransmission)
{
	struct petrel_d13 *d = s->d13;
	if (!d->flight_active)
		return 0;
	_Alignas(16) uint8_t dg[PETREL_MAX_DATAGRAM];
	uint8_t rec[PETREL_MAX_DATAGRAM];
	size_t maxdg = petrel_output_max_datagram(s);
	if (maxdg > sizeof dg)
		maxdg = sizeof dg;
	struct petrel_writer w;
	petrel_writer_init(&w, dg, maxdg);
	int rc = 0;
	bool any = false;
	for (size_t i = 0; i < d->frag_count; i++) {
		struct d13_frag *f = &d->frags[i];
		if (f->acked)
			continue;
		struct d13_msg *m = &d->msgs[f->msg];
		struct petrel_writer rw;
		petrel_writer_init(&rw, rec, sizeof rec);
		struct petrel_hs_header h = {m->type, (uint32_t)m->len, m->seq, f->off, f->len};
		if (petrel_hs_header_write(&rw, &h) < 0 || !petrel_put_bytes(&rw, m->body + f->off, f->len))
			return PETREL_E_INTERNAL;
		size_t need = petrel_writer_len(&rw) + petrel_rl13_overhead(d, m->epoch) + 16;
		if (petrel_writer_len(&w) > 0 && petrel_writer_left(&w) < need) {
			(void)petrel_outq_session_drain_lossy(s, dg, petrel_writer_len(&w));
			petrel_writer_init(&w, dg, maxdg);
		}
		uint64_t seq = 0;
		rc = petrel_rl13_seal(d, m->epoch, PETREL_CT_HANDSHAKE, rec, petrel_writer_len(&rw), &w,
				      &seq);
		if (rc == PETREL_E_SHORT_BUFFER && petrel_writer_len(&w) > 0) {
			(void)petrel_outq_session_drain_lossy(s, dg, petrel_writer_len(&w));
			petrel_writer_init(&w, dg, maxdg);
			rc = petrel_rl13_seal(d, m->epoch, PETREL_CT_HANDSHAKE, rec,
					      petrel_writer_len(&rw), &w, &seq);
		}
		if (rc < 0)
			return rc;
		remember(d, m->epoch, seq, i);
		any = true;
	}
	if (petrel_writer_len(&w) > 0)
		(void)petrel_outq_session_drain_lossy(s, dg, petrel_writer_len(&w));
	if (!any) {
		d->flight_active = false;
		petrel_timer_stop(&d->retransmit);
		return 0;
	}
	if (retransmission)
		s->stats.retransmissions++;
	petrel_rto_flight_sent(&d->rto, now_ms, retransmission);
	petrel_timer_arm(&d->retransmit, now_ms, petrel_rto_current_ms(&d->rto));
	d->last_tx_ms = now_ms;
	return 0;
}

int petrel_flight13_on_ack(petrel_session *s, const uint8_t *body, size_t len, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	struct petrel_ack ack;
	if (petrel_ack_parse(body, len, &ack) < 0 || !d->flight_active)
		return 0;
	struct petrel_record_number rn;
	unsigned newly = 0;
	while (petrel_ack_next(&ack, &rn)) {
		for (size_t i = 0; i < D13_MAX_SENT; i++) {
			struct d13_sent *e = &d->sent[i];
			if (e->used && e->epoch == rn.epoch && e->seq == rn.seq) {
				if (!d->frags[e->frag].acked)
					newly++;
				d->frags[e->frag].acked = true;
			}
		}
	}
	if (newly == 0)
		return 0;
	for (size_t i = 0; i < d->frag_count; i++) {
		if (!d->frags[i].acked) {
			/* A partial ACK: the rest was lost; send only that (RFC 9147 7.1). */
			petrel_rto_flight_answered(&d->rto, now_ms);
			return petrel_flight13_send(s, now_ms, true);
		}
	}
	petrel_rto_flight_answered(&d->rto, now_ms);
	d->flight_active = false;
	petrel_timer_stop(&d->retransmit);
	return 1;
}

void petrel_flight13_note_rcvd(struct petrel_d13 *d, uint64_t epoch, uint64_t seq)
{
	struct petrel_record_number rn = {epoch, seq};
	size_t i = 0;
	while (i < d->rcvd_count && petrel_record_number_cmp(d->rcvd[i], rn) < 0)
		i++;
	if (i < d->rcvd_count && petrel_record_number_cmp(d->rcvd[i], rn) == 0)
		return;
	if (d->rcvd_count == D13_MAX_RCVD)
		return; /* enough to name: the rest is named by the next ACK */
	if (d->rcvd == NULL && (d->rcvd = calloc(D13_MAX_RCVD, sizeof d->rcvd[0])) == NULL)
		return; /* not acknowledged: the peer retransmits */
	memmove(&d->rcvd[i + 1], &d->rcvd[i], (d->rcvd_count - i) * sizeof d->rcvd[0]);
	d->rcvd[i] = rn;
	d->rcvd_count++;
}

int petrel_flight13_send_ack(petrel_session *s)
{
	struct petrel_d13 *d = s->d13;
	petrel_timer_stop(&d->ack_timer);
	/* A client offering 1.2 too, before the ServerHello: the server may
	 * speak 1.2, which takes an ACK record for an unexpected one. */
	if (d->cl != NULL && d->cl->state == PETREL_C13_WAIT_SH && d->cl->cfg.offer_dtls12)
		return 0;
	/* RFC 9147 7: in an epoch at least that of what is acknowledged. */
	struct petrel_record_number list[D13_MAX_RCVD];
	size_t n = 0;
	for (size_t i = 0; i < d->rcvd_count; i++)
		if (d->rcvd[i].epoch <= d->wr_epoch)
			list[n++] = d->rcvd[i];
	if (n == 0)
		return 0;
	uint8_t body[2 + D13_MAX_RCVD * PETREL_RECORD_NUMBER_LEN];
	struct petrel_writer bw;
	petrel_writer_init(&bw, body, sizeof body);
	int rc = petrel_ack_write(&bw, list, n);
	if (rc < 0)
		return rc;
	uint8_t dg[sizeof body + 64];
	struct petrel_writer w;
	petrel_writer_init(&w, dg, sizeof dg);
	rc = petrel_rl13_seal(d, d->wr_epoch, PETREL_CT_ACK, body, petrel_writer_len(&bw), &w, NULL);
	if (rc < 0)
		return rc;
	return petrel_outq_session_drain_lossy(s, dg, petrel_writer_len(&w));
}

void petrel_flight13_release_rcvd(struct petrel_d13 *d)
{
	if (d->rcvd_count > 0 || d->ack_timer.armed)
		return;
	free(d->rcvd);
	d->rcvd = NULL;
}

void petrel_flight13_free_rcvd(struct petrel_d13 *d)
{
	free(d->rcvd);
	d->rcvd = NULL;
	d->rcvd_count = 0;
}

size_t petrel_flight13_heap_bytes(const struct petrel_d13 *d)
{
	size_t n = d->msgs != NULL ? sizeof(struct flight_mem) : 0;
	for (size_t i = 0; i < d->msg_count; i++)
		n += d->msgs[i].len;
	if (d->rcvd != NULL)
		n += D13_MAX_RCVD * sizeof d->rcvd[0];
	return n;
}
