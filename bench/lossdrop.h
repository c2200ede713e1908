/* The drop decisions of bench/lossproxy, shared with bench/loss so a
 * simulated-network run can lose exactly the datagrams the proxy loses for
 * the same seed: one SplitMix64 generator per direction (0: client to
 * server, 1: server to client), one draw per datagram in that direction,
 * whatever the other direction does. (tests/simnet.c draws from one
 * generator for both directions, several draws a datagram, so its seed N
 * loses other datagrams than the proxy's seed N.) */
#ifndef PETREL_BENCH_LOSSDROP_H
#define PETREL_BENCH_LOSSDROP_H

#include <stdbool.h>
#include <stdint.h>

struct lossdrop {
	uint64_t state[2];
	double loss; /* 0..1 */
};

static inline void lossdrop_init(struct lossdrop *ld, uint64_t seed, double loss)
{
	ld->state[0] = seed * 2 + 0x1234567;
	ld->state[1] = seed * 2 + 1 + 0x1234567;
	ld->loss = loss;
}

/* SplitMix64: small, seedable, good enough to draw drop decisions. */
static inline uint64_t lossdrop_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Whether the next datagram in direction dir is lost. */
static inline bool lossdrop_drop(struct lossdrop *ld, int dir)
{
	double u = (double)(lossdrop_next(&ld->state[dir & 1]) >> 11) * 0x1.0p-53;
	return u < ld->loss;
}

#endif
