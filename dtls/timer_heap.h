/* A binary min-heap of timers keyed by deadline (ms): the endpoint's one
 * timer structure (issue #19). Timers are embedded in their owners and
 * remember their heap index, so update and removal are O(log n) and the
 * earliest deadline is O(1). No allocation on the hot path: the owner
 * reserves room before it can insert (petrel_timer_heap_reserve). */
#ifndef PETREL_DTLS_TIMER_HEAP_H
#define PETREL_DTLS_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define PETREL_TIMER_NOT_QUEUED UINT32_MAX

struct petrel_heap_timer {
	uint64_t deadline_ms;
	uint32_t index; /* PETREL_TIMER_NOT_QUEUED when not in the heap */
};

struct petrel_timer_heap {
	struct petrel_heap_timer **items;
	size_t count, cap;
};

void petrel_heap_timer_init(struct petrel_heap_timer *t);
void petrel_timer_heap_init(struct petrel_timer_heap *h);
/* Frees the array only; queued timers are not touched (owners may be gone). */
void petrel_timer_heap_free(struct petrel_timer_heap *h);
/* Room for n timers in all: 0 or PETREL_E_MEMORY. */
int petrel_timer_heap_reserve(struct petrel_timer_heap *h, size_t n);
/* Queue t at deadline_ms, or move it there; UINT64_MAX takes it out.
 * Needs reserved room when t is not queued yet (asserted). */
void petrel_timer_heap_set(struct petrel_timer_heap *h, struct petrel_heap_timer *t,
			   uint64_t deadline_ms);
void petrel_timer_heap_remove(struct petrel_timer_heap *h, struct petrel_heap_timer *t);
/* The earliest timer, or NULL. */
struct petrel_heap_timer *petrel_timer_heap_top(const struct petrel_timer_heap *h);

#endif
