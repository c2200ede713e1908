/* Datagram PLPMTUD after the handshake (RFC 8899), as a pure state
 * machine: it says which size to probe and when, and what an answered or
 * lost probe means. The DTLS side (dtls/probe.c) sends the probes as
 * padded RFC 6520 heartbeat requests and reports the responses.
 *
 * Search (RFC 8899 5.2): from the current MTU, probe the next plateau
 * above it; an acknowledged probe raises the MTU and the next plateau is
 * tried; MAX_PROBES unanswered probes of one size end the search there.
 * After the search, every RAISE interval the current size is confirmed
 * and the search resumes; if the current size is no longer acknowledged
 * (a black hole appeared, RFC 8899 4.3), the MTU drops to the base. */
#ifndef PETREL_MTU_PMTUD_H
#define PETREL_MTU_PMTUD_H

#include <stdbool.h>
#include <stdint.h>

#define PETREL_PMTUD_MAX_PROBES 3          /* RFC 8899 5.1.2 MAX_PROBES */
#define PETREL_PMTUD_RAISE_MS 600000u      /* RFC 8899 5.1.1 PMTU_RAISE_TIMER */

enum petrel_pmtud_state { PETREL_PMTUD_OFF = 0, PETREL_PMTUD_SEARCHING, PETREL_PMTUD_DONE };

struct petrel_pmtud {
	uint8_t state;
	uint8_t attempts;   /* unanswered probes of the current size */
	bool outstanding;   /* a probe is in flight */
	bool confirming;    /* the probe re-checks the current MTU */
	uint16_t base;      /* where a black hole sends us back */
	uint16_t max;       /* never probe above */
	uint16_t probe;     /* size of the probe in flight / next */
	uint32_t id;        /* identifies the probe in flight */
	uint64_t due_ms;    /* next action */
};

enum petrel_pmtud_action { PETREL_PMTUD_NONE, PETREL_PMTUD_SEND, PETREL_PMTUD_LOWER };

/* Start searching up from current (an MTU in IP bytes); first_id seeds
 * the probe identifiers. */
void petrel_pmtud_start(struct petrel_pmtud *p, uint16_t current, uint16_t base, uint16_t max,
			uint32_t first_id, uint64_t now_ms);
/* What to do at now_ms. SEND: send a probe of *size bytes (IP packet)
 * with identifier *id and call again after timeout_ms. LOWER: the current
 * MTU is a black hole; set it to *size (the base). */
enum petrel_pmtud_action petrel_pmtud_poll(struct petrel_pmtud *p, uint16_t current, uint64_t now_ms,
					   uint32_t timeout_ms, uint16_t *size, uint32_t *id);
/* A probe response arrived. Returns the MTU it proves (raise to it), or
 * 0 when it is stale or unknown. */
uint16_t petrel_pmtud_on_ack(struct petrel_pmtud *p, uint16_t current, uint32_t id, uint64_t now_ms);
/* The local link refused a probe of size bytes (EMSGSIZE), or the peer
 * could not take it: the search ends below it, and never probes that
 * size or above again (used by dtls13/probe13.c). */
void petrel_pmtud_too_big(struct petrel_pmtud *p, uint16_t size, uint64_t now_ms);
/* When petrel_pmtud_poll should next run; UINT64_MAX when off. */
uint64_t petrel_pmtud_deadline(const struct petrel_pmtud *p);

#endif
