/* Binary min-heap of embedded timers (see dtls/timer_heap.h). */
#include <assert.h>
#include <stdlib.h>

#include "dtls/timer_heap.h"
#include "petrel/petrel.h"

void petrel_heap_timer_init(struct petrel_heap_timer *t)
{
	t->deadline_ms = UINT64_MAX;
	t->index = PETREL_TIMER_NOT_QUEUED;
}

void petrel_timer_heap_init(struct petrel_timer_heap *h)
{
	h->items = NULL;
	h->count = h->cap = 0;
}

void petrel_timer_heap_free(struct petrel_timer_heap *h)
{
	/* The timers' owners may be gone already: only the array goes. */
	free(h->items);
	petrel_timer_heap_init(h);
}

int petrel_timer_heap_reserve(struct petrel_timer_heap *h, size_t n)
{
	if (n <= h->cap)
		return 0;
	if (n >= PETREL_TIMER_NOT_QUEUED)
		return PETREL_E_MEMORY;
	size_t cap = h->cap ? h->cap : 64;
	while (cap < n)
		cap *= 2;
	struct petrel_heap_timer **items = realloc(h->items, cap * sizeof *items);
	if (items == NULL)
		return PETREL_E_MEMORY;
	h->items = items;
	h->cap = cap;
	return 0;
}

static void place(struct petrel_timer_heap *h, size_t i, struct petrel_heap_timer *t)
{
	h->items[i] = t;
	t->index = (uint32_t)i;
}

static void sift_up(struct petrel_timer_heap *h, size_t i)
{
	struct petrel_heap_timer *t = h->items[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (h->items[parent]->deadline_ms <= t->deadline_ms)
			break;
		place(h, i, h->items[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void sift_down(struct petrel_timer_heap *h, size_t i)
{
	struct petrel_heap_timer *t = h->items[i];
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count && h->items[child + 1]->deadline_ms < h->items[child]->deadline_ms)
			child++;
		if (h->items[child]->deadline_ms >= t->deadline_ms)
			break;
		place(h, i, h->items[child]);
		i = child;
	}
	place(h, i, t);
}

void petrel_timer_heap_remove(struct petrel_timer_heap *h, struct petrel_heap_timer *t)
{
	if (t->index == PETREL_TIMER_NOT_QUEUED)
		return;
	size_t i = t->index;
	t->index = PETREL_TIMER_NOT_QUEUED;
	h->count--;
	if (i == h->count)
		return;
	place(h, i, h->items[h->count]);
	if (i > 0 && h->items[(i - 1) / 2]->deadline_ms > h->items[i]->deadline_ms)
		sift_up(h, i);
	else
		sift_down(h, i);
}

void petrel_timer_heap_set(struct petrel_timer_heap *h, struct petrel_heap_timer *t,
			   uint64_t deadline_ms)
{
	if (deadline_ms == UINT64_MAX) {
		petrel_timer_heap_remove(h, t);
		t->deadline_ms = UINT64_MAX;
		return;
	}
	uint64_t old = t->deadline_ms;
	t->deadline_ms = deadline_ms;
	if (t->index == PETREL_TIMER_NOT_QUEUED) {
		assert(h->count < h->cap);
		place(h, h->count, t);
		h->count++;
		sift_up(h, t->index);
	} else if (deadline_ms < old) {
		sift_up(h, t->index);
	} else if (deadline_ms > old) {
		sift_down(h, t->index);
	}
}

struct petrel_heap_timer *petrel_timer_heap_top(const struct petrel_timer_heap *h)
{
	return h->count ? h->items[0] : NULL;
}
