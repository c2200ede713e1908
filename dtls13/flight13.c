/* Our DTLS 1.3 flights on the wire (RFC 9147 5.8, 7): messages cut into
 * fragments sized for the path, packed into datagrams, each record's
 * number remembered so an ACK can name what arrived; a retransmission
 * sends only the fragments not acknowledged (partial flights included).
 * The path MTU may drop under a flight (EMSGSIZE, or a black hole found by
 * the timer with the 1.2 rule, mtu/mtu.h): what is not yet acknowledged
 * is cut again for the new size at the next (re)transmission (RFC 9147
 * 4.4: each record fits one datagram).
 * Also the other half of 7: acknowledging the peer's records. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/flight13_pmtu.h"
#include "dtls13/messages13.h"
#include "mtu/mtu.h"

/* A flight's bookkeeping lives in one heap block while the flight does:
 * an idle session holds none of it. */
struct flight_mem {
	struct d13_msg msgs[D13_MAX_MSGS];
	struct d13_frag frags[D13_MAX_FRAGS];
	struct d13_sent sent[D13_MAX_SENT];
	/* replaced[i]: frags[i] was cut again for a smaller MTU; its pieces
	 * follow it and it is no longer sent. Its records stay known, so an
	 * ACK of one still covers its whole range. */
	bool replaced[D13_MAX_FRAGS];
	/* sent_now[i]: frags[i] left in this (re)transmission; after an
	 * EMSGSIZE the pass at the lower MTU sends only the rest */
	bool sent_now[D13_MAX_FRAGS];
	size_t room;          /* fragment room the flight is cut for */
	/* The largest datagram sent at the current MTU (largest_mtu), for the
	 * black-hole rule: 1.2 resends whole flights, so its last
	 * transmission holds the flight's largest datagram; a 1.3
	 * retransmission may hold only a small unacknowledged rest, which
	 * the large datagrams before it stood for. */
	size_t largest_dgram;
	uint16_t largest_mtu;
};

static struct flight_mem *mem_of(const struct petrel_d13 *d)
{
	return (struct flight_mem *)(void *)d->msgs; /* msgs is first */
}

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
	fm->room = room;
	d->flight_active = true;
	s->stats.flights_sent++;
	return 0;
}

/* The MTU dropped since the flight was cut: every fragment not yet
 * acknowledged that no longer fits is replaced by pieces of the new room,
 * right after it (message order kept). The pieces go in new records with
 * new record numbers (RFC 9147 4.4, 7); the record numbers remembered
 * follow their fragments to the new indices. A flight that would exceed
 * D13_MAX_FRAGS keeps its old cut (PETREL_E_LIMIT_EXCEEDED; 96 fragments
 * hold ~45 KB at the 576-byte floor, so this stays an edge). */
static int refragment(struct petrel_d13 *d, struct flight_mem *fm, size_t room)
{
	size_t extra = 0;
	for (size_t i = 0; i < d->frag_count; i++) {
		const struct d13_frag *f = &d->frags[i];
		if (!f->acked && !fm->replaced[i] && f->len > room)
			extra += (f->len + room - 1) / room;
	}
	if (extra == 0) {
		fm->room = room;
		return 0;
	}
	if (d->frag_count + extra > D13_MAX_FRAGS)
		return PETREL_E_LIMIT_EXCEEDED;
	struct d13_frag old[D13_MAX_FRAGS];
	bool old_replaced[D13_MAX_FRAGS], old_sent_now[D13_MAX_FRAGS];
	uint16_t to[D13_MAX_FRAGS];
	size_t n = d->frag_count;
	memcpy(old, d->frags, n * sizeof old[0]);
	memcpy(old_replaced, fm->replaced, n * sizeof old_replaced[0]);
	memcpy(old_sent_now, fm->sent_now, n * sizeof old_sent_now[0]);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		to[i] = (uint16_t)k;
		d->frags[k] = old[i];
		fm->sent_now[k] = old_sent_now[i];
		fm->replaced[k++] = old_replaced[i];
		if (old[i].acked || old_replaced[i] || old[i].len <= room)
			continue;
		fm->replaced[k - 1] = true;
		for (uint32_t off = 0; off < old[i].len; off += (uint32_t)room) {
			uint32_t len = old[i].len - off < room ? old[i].len - off : (uint32_t)room;
			d->frags[k] = (struct d13_frag){old[i].msg, old[i].off + off, len, false};
			fm->sent_now[k] = false;
			fm->replaced[k++] = false;
		}
	}
	d->frag_count = k;
	for (size_t i = 0; i < D13_MAX_SENT; i++)
		if (d->sent[i].used && d->sent[i].frag < n)
			d->sent[i].frag = to[d->sent[i].frag];
	fm->room = room;
	return 0;
}

/* An acknowledged fragment that was cut again: its pieces arrived with it. */
static void ack_pieces(struct petrel_d13 *d, size_t i)
{
	const struct d13_frag *f = &d->frags[i];
	for (size_t j = i + 1; j < d->frag_count && d->frags[j].msg == f->msg; j++)
		if (d->frags[j].off >= f->off && d->frags[j].off + d->frags[j].len <= f->off + f->len)
			d->frags[j].acked = true;
}

/* The fragments in the datagram being built. */
struct pass_dgram {
	uint16_t frag[D13_MAX_FRAGS];
	size_t n;
};

/* One datagram of the flight to the transport; PETREL_E_LARGE_PACKET when
 * it refused it as too large (EMSGSIZE), other refusals count as loss. */
static int flush(petrel_session *s, struct flight_mem *fm, const uint8_t *dg, size_t len,
		 struct pass_dgram *in)
{
	int rc = petrel_outq_session_drain_lossy(s, dg, len);
	if (rc == PETREL_E_LARGE_PACKET)
		return rc;
	for (size_t k = 0; k < in->n; k++)
		fm->sent_now[in->frag[k]] = true;
	in->n = 0;
	if (len > fm->largest_dgram)
		fm->largest_dgram = len;
	return 0;
}

static void remember(struct petrel_d13 *d, uint64_t epoch, uint64_t seq, size_t frag)
{
	d->sent[d->sent_next] = (struct d13_sent){epoch, seq, (uint16_t)frag, true};
	d->sent_next = (d->sent_next + 1) % D13_MAX_SENT;
}

/* One pass over the unacknowledged fragments not yet sent in this
 * transmission, cut for the current MTU first. *any: something was sent.
 * PETREL_E_LARGE_PACKET: the transport refused a datagram as too large
 * (the pass stopped there). */
static int send_pass(petrel_session *s, bool *any)
{
	struct petrel_d13 *d = s->d13;
	struct flight_mem *fm = mem_of(d);
	size_t room = fragment_room(s, d);
	bool uncut = room < fm->room && refragment(d, fm, room) < 0;
	if (fm->largest_mtu != s->link_mtu) {
		fm->largest_mtu = s->link_mtu;
		fm->largest_dgram = 0;
	}
	struct pass_dgram in = {.n = 0};
	_Alignas(16) uint8_t dg[PETREL_MAX_DATAGRAM];
	uint8_t rec[PETREL_MAX_DATAGRAM];
	size_t maxdg = petrel_output_max_datagram(s);
	if (maxdg > sizeof dg || uncut)
		maxdg = sizeof dg; /* not cut again: sent as before, the path judges */
	struct petrel_writer w;
	petrel_writer_init(&w, dg, maxdg);
	int rc = 0;
	for (size_t i = 0; i < d->frag_count; i++) {
		struct d13_frag *f = &d->frags[i];
		if (f->acked || fm->replaced[i] || fm->sent_now[i])
			continue;
		struct d13_msg *m = &d->msgs[f->msg];
		struct petrel_writer rw;
		petrel_writer_init(&rw, rec, sizeof rec);
		struct petrel_hs_header h = {m->type, (uint32_t)m->len, m->seq, f->off, f->len};
		if (petrel_hs_header_write(&rw, &h) < 0 || !petrel_put_bytes(&rw, m->body + f->off, f->len))
			return PETREL_E_INTERNAL;
		size_t need = petrel_writer_len(&rw) + petrel_rl13_overhead(d, m->epoch) + 16;
		if (petrel_writer_len(&w) > 0 && petrel_writer_left(&w) < need) {
			if ((rc = flush(s, fm, dg, petrel_writer_len(&w), &in)) < 0)
				return rc;
			petrel_writer_init(&w, dg, maxdg);
		}
		uint64_t seq = 0;
		rc = petrel_rl13_seal(d, m->epoch, PETREL_CT_HANDSHAKE, rec, petrel_writer_len(&rw), &w,
				      &seq);
		if (rc == PETREL_E_SHORT_BUFFER && petrel_writer_len(&w) > 0) {
			if ((rc = flush(s, fm, dg, petrel_writer_len(&w), &in)) < 0)
				return rc;
			petrel_writer_init(&w, dg, maxdg);
			rc = petrel_rl13_seal(d, m->epoch, PETREL_CT_HANDSHAKE, rec,
					      petrel_writer_len(&rw), &w, &seq);
		}
		if (rc < 0)
			return rc;
		remember(d, m->epoch, seq, i);
		in.frag[in.n++] = (uint16_t)i;
		*any = true;
	}
	if (petrel_writer_len(&w) > 0)
		return flush(s, fm, dg, petrel_writer_len(&w), &in);
	return 0;
}

int petrel_flight13_send(petrel_session *s, uint64_t now_ms, bool retransmission)
{
	struct petrel_d13 *d = s->d13;
	if (!d->flight_active)
		return 0;
	bool any = false;
	int rc;
	memset(mem_of(d)->sent_now, 0, sizeof mem_of(d)->sent_now);
	/* EMSGSIZE: lower the MTU as 1.2 does (the kernel's figure, else the
	 * next plateau) and send again, cut for it; each turn lowers it, so
	 * the floor ends the loop. */
	while ((rc = send_pass(s, &any)) == PETREL_E_LARGE_PACKET) {
		int lrc = petrel_lower_mtu(s, PETREL_MTU_EMSGSIZE);
		if (lrc < 0)
			return lrc;
	}
	if (rc < 0)
		return rc;
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

/* Where a timed-out flight falls back to: the rule of 1.2's flights
 * (dtls/engine.c, mtu/mtu.h) on this flight's largest datagram. */
static uint16_t black_hole_fallback(const petrel_session *s, const struct petrel_d13 *d)
{
	if ((s->flags & PETREL_FLAG_NO_PMTUD) || d->rto.backoff < s->black_hole_threshold)
		return 0;
	size_t largest = mem_of(d)->largest_dgram + petrel_output_ip_udp_overhead(s);
	return petrel_mtu_black_hole_fallback(s->link_mtu, s->mtu_floor, s->ipv6, largest);
}

int petrel_flight13_on_timeout(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (!d->flight_active)
		return 0;
	uint16_t fallback = black_hole_fallback(s, d);
	if (fallback) {
		/* Our large datagrams may vanish silently on the path (RFC 8899
		 * 4.3): fall back; the send cuts the rest of the flight again.
		 * The wait was not congestion: keep the timeout where it is. */
		s->kernel_pmtu = 0;
		petrel_set_mtu(s, fallback, PETREL_MTU_BLACK_HOLE);
		if (d->rto.backoff > 0)
			d->rto.backoff--;
	}
	return petrel_flight13_send(s, now_ms, true);
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
				if (mem_of(d)->replaced[e->frag])
					ack_pieces(d, e->frag);
			}
		}
	}
	if (newly == 0)
		return 0;
	for (size_t i = 0; i < d->frag_count; i++) {
		if (!d->frags[i].acked && !mem_of(d)->replaced[i]) {
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
		if (d->rcvd[i].epoch <= d->wr_epoch ||
		    d->done) /* after the handshake: our highest epoch for any (probe13: the peer's 2nd KeyUpdate) */
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
