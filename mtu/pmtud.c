/* RFC 8899 search and black-hole detection; see pmtud.h. */
#include "mtu/pmtud.h"

#include <string.h>

/* The probe sizes (RFC 8899 5.3.2 suggests plateaus): common link MTUs. */
static const uint16_t plateaus[] = {576, 1000, 1200, 1280, 1400, 1500, 4352, 9000};

static uint16_t next_above(uint16_t current, uint16_t max)
{
	for (size_t i = 0; i < sizeof plateaus / sizeof plateaus[0]; i++)
		if (plateaus[i] > current)
			return plateaus[i] <= max ? plateaus[i] : (max > current ? max : 0);
	return max > current ? max : 0;
}

static void search_from(struct petrel_pmtud *p, uint16_t current, uint64_t now_ms)
{
	p->confirming = false;
	p->outstanding = false;
	p->attempts = 0;
	p->probe = next_above(current, p->max);
	if (p->probe == 0) {
		p->state = PETREL_PMTUD_DONE; /* already at the top */
		p->due_ms = now_ms + PETREL_PMTUD_RAISE_MS;
	} else {
		p->state = PETREL_PMTUD_SEARCHING;
		p->due_ms = now_ms;
	}
}

void petrel_pmtud_start(struct petrel_pmtud *p, uint16_t current, uint16_t base, uint16_t max,
			uint32_t first_id, uint64_t now_ms)
{
	memset(p, 0, sizeof *p);
	p->base = base;
	p->max = max;
	p->id = first_id;
	search_from(p, current, now_ms);
}

enum petrel_pmtud_action petrel_pmtud_poll(struct petrel_pmtud *p, uint16_t current, uint64_t now_ms,
					   uint32_t timeout_ms, uint16_t *size, uint32_t *id)
{
	if (p->state == PETREL_PMTUD_OFF || now_ms < p->due_ms)
		return PETREL_PMTUD_NONE;
	if (p->outstanding) {
		/* The probe in flight went unanswered. */
		p->outstanding = false;
		if (++p->attempts >= PETREL_PMTUD_MAX_PROBES) {
			if (p->confirming) {
				/* The size that used to work no longer does. */
				*size = p->base;
				search_from(p, p->base, now_ms);
				return current > p->base ? PETREL_PMTUD_LOWER : PETREL_PMTUD_NONE;
			}
			/* The search ends below this size (RFC 8899 5.2). */
			p->state = PETREL_PMTUD_DONE;
			p->attempts = 0;
			p->due_ms = now_ms + PETREL_PMTUD_RAISE_MS;
			return PETREL_PMTUD_NONE;
		}
	} else if (p->state == PETREL_PMTUD_DONE) {
		/* Raise timer: confirm the current size, then search on. */
		p->confirming = true;
		p->attempts = 0;
		p->probe = current;
	}
	p->outstanding = true;
	p->id++;
	p->due_ms = now_ms + timeout_ms;
	*size = p->probe;
	*id = p->id;
	return PETREL_PMTUD_SEND;
}

uint16_t petrel_pmtud_on_ack(struct petrel_pmtud *p, uint16_t current, uint32_t id, uint64_t now_ms)
{
	if (p->state == PETREL_PMTUD_OFF || !p->outstanding || id != p->id)
		return 0;
	uint16_t proven = p->probe;
	if (p->confirming) {
		search_from(p, current, now_ms);
		return proven > current ? proven : 0;
	}
	search_from(p, proven, now_ms);
	return proven;
}

void petrel_pmtud_too_big(struct petrel_pmtud *p, uint16_t size, uint64_t now_ms)
{
	if (p->state == PETREL_PMTUD_OFF || size == 0)
		return;
	if (size - 1 < p->max)
		p->max = (uint16_t)(size - 1);
	/* The search ends below this size (RFC 8899 5.2), as after
	 * MAX_PROBES losses: walking down a byte at a time would cost a
	 * probe per byte. */
	p->state = PETREL_PMTUD_DONE;
	p->outstanding = false;
	p->confirming = false;
	p->attempts = 0;
	p->due_ms = now_ms + PETREL_PMTUD_RAISE_MS;
}

uint64_t petrel_pmtud_deadline(const struct petrel_pmtud *p)
{
	return p->state == PETREL_PMTUD_OFF ? UINT64_MAX : p->due_ms;
}
