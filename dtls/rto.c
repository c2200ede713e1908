/* RTT-adaptive retransmission timeout (RFC 6298 2, 5; RFC 6347 4.2.4.1;
 * issue #11). See rto.h for the defaults and why they are safe. */
#include "dtls/rto.h"

#include <string.h>

#include "petrel/petrel.h"

static uint32_t clamp_ms(uint64_t v, uint32_t lo, uint32_t hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return (uint32_t)v;
}

static void refresh_stats(struct petrel_rto *rto)
{
	rto->stats.srtt_ms = (uint32_t)((rto->srtt_us + 500) / 1000);
	rto->stats.rttvar_ms = (uint32_t)((rto->rttvar_us + 500) / 1000);
	rto->stats.rto_ms = petrel_rto_current_ms(rto);
}

int petrel_rto_init(struct petrel_rto *rto, uint32_t initial_ms, uint32_t floor_ms,
		    uint32_t cap_ms)
{
	memset(rto, 0, sizeof *rto);
	uint32_t initial = initial_ms ? initial_ms : PETREL_RTO_DEFAULT_INITIAL_MS;
	uint32_t floor = floor_ms ? floor_ms : PETREL_RTO_DEFAULT_FLOOR_MS;
	uint32_t cap = cap_ms ? cap_ms : PETREL_RTO_DEFAULT_CAP_MS;
	int rc = 0;
	if (floor > cap || initial > PETREL_RTO_MAX_MS || cap > PETREL_RTO_MAX_MS) {
		initial = PETREL_RTO_DEFAULT_INITIAL_MS;
		floor = PETREL_RTO_DEFAULT_FLOOR_MS;
		cap = PETREL_RTO_DEFAULT_CAP_MS;
		rc = PETREL_E_INVALID_REQUEST;
	}
	rto->initial_ms = initial;
	rto->floor_ms = floor;
	rto->cap_ms = cap;
	/* Before any sample the configured initial value applies as is
	 * (RFC 6298 2.1), not raised to the floor. */
	rto->base_ms = initial;
	rto->peer_work_ms = PETREL_RTO_DEFAULT_PEER_WORK_MS;
	refresh_stats(rto);
	return rc;
}

void petrel_rto_on_sample(struct petrel_rto *rto, uint32_t rtt_ms)
{
	uint64_t r = (uint64_t)rtt_ms * 1000;
	if (!rto->have_sample) {
		/* RFC 6298 2.2 */
		rto->srtt_us = r;
		rto->rttvar_us = r / 2;
		rto->have_sample = true;
	} else {
		/* RFC 6298 2.3: RTTVAR first, from the old SRTT. */
		uint64_t diff = rto->srtt_us > r ? rto->srtt_us - r : r - rto->srtt_us;
		rto->rttvar_us = rto->rttvar_us - rto->rttvar_us / 4 + diff / 4;
		rto->srtt_us = rto->srtt_us - rto->srtt_us / 8 + r / 8;
	}
	uint64_t var_term = 4 * rto->rttvar_us;
	if (var_term < (uint64_t)PETREL_RTO_GRANULARITY_MS * 1000)
		var_term = (uint64_t)PETREL_RTO_GRANULARITY_MS * 1000;
	uint64_t rto_us = rto->srtt_us + var_term;
	/* Round up to whole ms so the timer never fires before the estimate. */
	rto->base_ms = clamp_ms((rto_us + 999) / 1000, rto->floor_ms, PETREL_RTO_MAX_MS);
	rto->stats.samples++;
	refresh_stats(rto);
}

uint32_t petrel_rto_current_ms(const struct petrel_rto *rto)
{
	uint64_t v = rto->base_ms;
	/* Only a sample can be below the floor for peer work: before any,
	 * the initial value applies as configured. */
	if (rto->flight_peer_work && rto->have_sample && v < rto->peer_work_ms)
		v = rto->peer_work_ms;
	/* RFC 6298 5.5: double per consecutive timeout, up to the cap; a base
	 * above the cap (slow path) is kept, not cut. The loop is bounded
	 * because v stops growing once it reaches the cap. */
	uint32_t cap = rto->cap_ms > rto->base_ms ? rto->cap_ms : rto->base_ms;
	for (unsigned i = 0; i < rto->backoff && v < cap; i++)
		v *= 2;
	return v > cap ? cap : (uint32_t)v;
}

void petrel_rto_on_timeout(struct petrel_rto *rto)
{
	rto->stats.timeouts++;
	uint32_t cap = rto->cap_ms > rto->base_ms ? rto->cap_ms : rto->base_ms;
	if (petrel_rto_current_ms(rto) < cap)
		rto->backoff++;
	/* The flight is about to be re-sent: its answer gives no sample. */
	if (rto->flight_outstanding)
		rto->flight_retransmitted = true;
	refresh_stats(rto);
}

void petrel_rto_on_answer(struct petrel_rto *rto)
{
	rto->backoff = 0;
	refresh_stats(rto);
}

void petrel_rto_next_flight_needs_work(struct petrel_rto *rto, bool needs_work)
{
	rto->flight_peer_work = needs_work;
	refresh_stats(rto);
}

void petrel_rto_flight_sent(struct petrel_rto *rto, uint64_t now_ms, bool retransmission)
{
	if (!retransmission || !rto->flight_outstanding) {
		rto->flight_outstanding = true;
		rto->flight_retransmitted = retransmission;
		rto->flight_sent_ms = now_ms;
		return;
	}
	rto->flight_retransmitted = true;
}

void petrel_rto_flight_answered(struct petrel_rto *rto, uint64_t now_ms)
{
	if (!rto->flight_outstanding)
		return;
	rto->flight_outstanding = false;
	if (rto->flight_retransmitted) {
		/* Karn's rule (RFC 6298 3): ambiguous, no sample. */
		rto->stats.karn_skipped++;
	} else if (now_ms >= rto->flight_sent_ms) {
		uint64_t rtt = now_ms - rto->flight_sent_ms;
		petrel_rto_on_sample(rto, rtt > UINT32_MAX ? UINT32_MAX : (uint32_t)rtt);
	}
	petrel_rto_on_answer(rto);
}

const struct petrel_rto_stats *petrel_rto_stats(const struct petrel_rto *rto)
{
	return &rto->stats;
}
