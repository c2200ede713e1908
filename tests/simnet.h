/* A deterministic in-memory datagram network for tests (DESIGN.md: the
 * core has no I/O and no clock). Two endpoints, 0 and 1; a virtual clock
 * in milliseconds; per-direction rules (loss, duplication, reordering,
 * delay, jitter, size limit) drawn from one seeded generator, so a seed
 * replays the same run exactly. It never sleeps. */
#ifndef PETREL_TESTS_SIMNET_H
#define PETREL_TESTS_SIMNET_H

#include <stddef.h>
#include <stdint.h>

/* Returned by simnet_send in REJECT mode (like EMSGSIZE from sendto). */
#define SIMNET_EMSGSIZE (-90)
/* Bad arguments. */
#define SIMNET_EINVAL (-22)
/* Datagrams in flight across both directions; beyond it sends are dropped
 * (counted in queue_overflow), like a full socket buffer. */
#define SIMNET_MAX_QUEUE 4096
#define SIMNET_MAX_DATAGRAM 65535

enum simnet_size_mode {
	SIMNET_BLACKHOLE = 0, /* too-large datagrams vanish silently */
	SIMNET_REJECT = 1,    /* send fails with SIMNET_EMSGSIZE */
};

struct simnet_rules {
	uint32_t drop_per_million;      /* loss probability * 1e6 */
	uint32_t duplicate_per_million; /* a second copy is delivered */
	uint32_t reorder_window;        /* a datagram may be overtaken by up to this many later ones */
	uint64_t delay_ms;              /* fixed one-way delay */
	uint64_t jitter_ms;             /* extra uniform delay in [0, jitter_ms] */
	size_t max_datagram;            /* 0 = no limit */
	enum simnet_size_mode size_mode;
};

struct simnet_stats {
	uint64_t sent;            /* simnet_send calls accepted or dropped (not rejected) */
	uint64_t rejected;        /* REJECT mode refusals */
	uint64_t dropped;         /* random loss */
	uint64_t blackholed;      /* over max_datagram in BLACKHOLE mode */
	uint64_t duplicated;
	uint64_t queue_overflow;
	uint64_t delivered;       /* handed out by simnet_recv */
	uint64_t bytes_delivered;
	size_t largest_delivered;
	uint64_t truncated;       /* recv buffer smaller than the datagram */
};

struct simnet;

struct simnet *simnet_new(uint64_t seed);
void simnet_free(struct simnet *net);
/* Rules for datagrams sent by endpoint `from` (0 or 1). */
int simnet_set_rules(struct simnet *net, int from, const struct simnet_rules *rules);
/* Copies the datagram. Returns len, or SIMNET_EMSGSIZE / SIMNET_EINVAL.
 * A lost datagram still returns len: the sender cannot tell. */
int simnet_send(struct simnet *net, int from, const uint8_t *data, size_t len);
/* Next datagram for endpoint `to` whose delivery time has come: copies up
 * to cap bytes (the rest is lost, as with UDP) and returns the number
 * copied; 0 if none is due. */
int simnet_recv(struct simnet *net, int to, uint8_t *buf, size_t cap);
/* Earliest pending delivery time (any endpoint), or UINT64_MAX. */
uint64_t simnet_next_event_ms(const struct simnet *net);
/* Same, for one endpoint. */
uint64_t simnet_next_event_for(const struct simnet *net, int to);
uint64_t simnet_now(const struct simnet *net);
/* Moves the clock forward (never back). */
void simnet_advance_to(struct simnet *net, uint64_t now_ms);
size_t simnet_pending(const struct simnet *net, int to);
/* Counters of datagrams sent by `from` (delivery counters: to the peer). */
const struct simnet_stats *simnet_stats(const struct simnet *net, int from);

#endif
