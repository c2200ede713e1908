/* A DTLS 1.3 session at rest (see dtls13/perf13_idle.h). */
#include "dtls13/perf13_idle.h"

#include "dtls13/engine13_internal.h"

#include <stdlib.h>

#include "dtls/reassembly.h"

/* The handshake epoch's keys can go: nothing of ours in it is still
 * retransmitted and the peer's retransmissions in it no longer need an
 * answer (RFC 9147 5.8.4: the client's Finished is acknowledged by the
 * server; the server answers a repeated Finished while it keeps it). */
static bool handshake_epoch_done(const petrel_session *s, const struct petrel_d13 *d,
				 uint64_t now_ms)
{
	if (!d->done || d->flight_active)
		return false;
	if (d->cl != NULL || d->sv != NULL)
		return false;
	if (s->role == PETREL_CLIENT)
		return true;
	return now_ms >= d->start_ms + s->stats.handshake_ms + PETREL_FINAL_FLIGHT_KEEP_MS;
}

static bool holds_handshake_epoch(struct petrel_d13 *d)
{
	return petrel_rl13_read(d, PETREL_EPOCH13_HANDSHAKE) != NULL ||
	       petrel_rl13_write(d, PETREL_EPOCH13_HANDSHAKE) != NULL;
}

/* Drop the reassembly buffers (the last message delivered included)
 * while nothing is half received; the numbering goes on. */
static void release_reassembly(struct petrel_d13 *d)
{
	if (d->rx == NULL || petrel_reasm_buffered_count(d->rx) > 0)
		return;
	petrel_perf13_rx_free(d);
}

struct petrel_reasm *petrel_perf13_rx(petrel_session *s)
{
	struct petrel_d13 *d = s->d13;
	if (d->rx != NULL)
		return d->rx;
	d->rx = calloc(1, sizeof *d->rx);
	if (d->rx == NULL)
		return NULL;
	petrel_reasm_init(d->rx);
	petrel_reasm_set_budget(d->rx, s->frag_budget);
	petrel_reasm_set_epoch(d->rx, d->rx_epoch);
	petrel_reasm_set_next_seq(d->rx, d->rx_next_seq);
	return d->rx;
}

void petrel_perf13_rx_free(struct petrel_d13 *d)
{
	if (d->rx == NULL)
		return;
	d->rx_next_seq = d->rx->next_seq;
	d->rx_epoch = d->rx->epoch;
	petrel_reasm_clear(d->rx);
	petrel_wipe(d->rx, sizeof *d->rx);
	free(d->rx);
	d->rx = NULL;
}

uint16_t petrel_perf13_rx_epoch(const struct petrel_d13 *d)
{
	return d->rx != NULL ? d->rx->epoch : d->rx_epoch;
}

uint16_t petrel_perf13_rx_next_seq(const struct petrel_d13 *d)
{
	return d->rx != NULL ? d->rx->next_seq : d->rx_next_seq;
}

void petrel_perf13_idle_tick(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL || !d->done || s->fatal_error)
		return;
	if (!d->flight_active && d->msgs != NULL)
		petrel_flight13_clear(d);
	petrel_flight13_release_rcvd(d);
	if (d->rd_epoch > PETREL_EPOCH13_HANDSHAKE && d->wr_epoch > PETREL_EPOCH13_HANDSHAKE &&
	    holds_handshake_epoch(d) && handshake_epoch_done(s, d, now_ms)) {
		petrel_rl13_retire(d, PETREL_EPOCH13_HANDSHAKE);
		/* Records of the handshake are no longer acknowledged. */
		size_t kept = 0;
		for (size_t i = 0; i < d->rcvd_count; i++)
			if (d->rcvd[i].epoch > PETREL_EPOCH13_HANDSHAKE)
				d->rcvd[kept++] = d->rcvd[i];
		d->rcvd_count = kept;
		petrel_flight13_release_rcvd(d);
	}
	if (!petrel_rl13_holds_cache(d))
		return;
	if (s->idle_check_ms == 0) {
		/* First check after the handshake: the session was busy until now. */
		s->idle_check_ms = now_ms + PETREL_IDLE_RELEASE_MS;
		s->app_activity = false;
		return;
	}
	if (now_ms < s->idle_check_ms)
		return;
	if (s->app_activity) {
		s->idle_check_ms = now_ms + PETREL_IDLE_RELEASE_MS;
	} else {
		petrel_rl13_release_cache(d);
		release_reassembly(d);
	}
	s->app_activity = false;
}

uint64_t petrel_perf13_idle_deadline(const petrel_session *s, uint64_t next)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL || !d->done || s->fatal_error)
		return next;
	uint64_t due = UINT64_MAX;
	if (petrel_rl13_holds_cache(d))
		due = s->idle_check_ms;
	if (!d->flight_active &&
	    (d->msgs != NULL || (d->rcvd != NULL && d->rcvd_count == 0 && !d->ack_timer.armed)))
		due = 0; /* leftovers of the handshake: now */
	if (holds_handshake_epoch(d) && !d->flight_active && d->cl == NULL && d->sv == NULL) {
		uint64_t retire = s->role == PETREL_CLIENT
					  ? 0
					  : d->start_ms + s->stats.handshake_ms + PETREL_FINAL_FLIGHT_KEEP_MS;
		if (retire < due)
			due = retire;
	}
	return due < next ? due : next;
}

size_t petrel_perf13_heap_bytes(const petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	if (d == NULL)
		return 0;
	size_t n = sizeof *d + petrel_rl13_heap_bytes(d) + petrel_flight13_heap_bytes(d);
	if (d->rx != NULL)
		n += sizeof *d->rx + d->rx->total_bytes;
	if (d->cl != NULL)
		n += sizeof *d->cl;
	if (d->sv != NULL)
		n += sizeof *d->sv;
	return n;
}
