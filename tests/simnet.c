/* Deterministic simulated datagram network; see simnet.h. */
#include "tests/simnet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct simnet_datagram {
	uint64_t deliver_at_ms;
	uint64_t order_key; /* send index + reorder offset: ties among due datagrams */
	uint64_t send_index;
	int to;
	size_t len;
	uint8_t *data;
};

struct simnet {
	uint64_t rng_state;
	uint64_t now_ms;
	uint64_t send_counter;
	struct simnet_rules rules[2];
	struct simnet_stats stats[2];
	size_t queued;
	struct simnet_datagram *queue; /* SIMNET_MAX_QUEUE entries, unordered */
};

/* splitmix64: small, good enough, and the same on every platform. */
static uint64_t next_random(struct simnet *net)
{
	uint64_t z = (net->rng_state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static bool chance(struct simnet *net, uint32_t per_million)
{
	uint64_t draw = next_random(net) % 1000000;
	return draw < per_million;
}

static uint64_t uniform(struct simnet *net, uint64_t max_inclusive)
{
	if (max_inclusive == 0)
		return 0;
	return next_random(net) % (max_inclusive + 1);
}

struct simnet *simnet_new(uint64_t seed)
{
	struct simnet *net = calloc(1, sizeof(*net));
	if (net == NULL)
		return NULL;
	net->queue = calloc(SIMNET_MAX_QUEUE, sizeof(*net->queue));
	if (net->queue == NULL) {
		free(net);
		return NULL;
	}
	net->rng_state = seed;
	return net;
}

void simnet_free(struct simnet *net)
{
	if (net == NULL)
		return;
	for (size_t i = 0; i < net->queued; i++)
		free(net->queue[i].data);
	free(net->queue);
	free(net);
}

int simnet_set_rules(struct simnet *net, int from, const struct simnet_rules *rules)
{
	if (from < 0 || from > 1 || rules == NULL)
		return SIMNET_EINVAL;
	net->rules[from] = *rules;
	return 0;
}

static void enqueue(struct simnet *net, int from, const uint8_t *data, size_t len)
{
	const struct simnet_rules *ru = &net->rules[from];
	/* Draw in a fixed order whatever happens, so one rule change does
	 * not shift every later decision. */
	uint64_t reorder = uniform(net, ru->reorder_window);
	uint64_t jitter = uniform(net, ru->jitter_ms);
	if (net->queued >= SIMNET_MAX_QUEUE) {
		net->stats[from].queue_overflow++;
		return;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL) {
		net->stats[from].queue_overflow++;
		return;
	}
	if (len)
		memcpy(copy, data, len);
	struct simnet_datagram *d = &net->queue[net->queued++];
	d->deliver_at_ms = net->now_ms + ru->delay_ms + jitter;
	d->send_index = net->send_counter++;
	d->order_key = d->send_index + reorder;
	d->to = 1 - from;
	d->len = len;
	d->data = copy;
}

int simnet_send(struct simnet *net, int from, const uint8_t *data, size_t len)
{
	if (net == NULL || from < 0 || from > 1 || (len && data == NULL) || len > SIMNET_MAX_DATAGRAM)
		return SIMNET_EINVAL;
	const struct simnet_rules *ru = &net->rules[from];
	struct simnet_stats *st = &net->stats[from];
	if (ru->max_datagram && len > ru->max_datagram) {
		if (ru->size_mode == SIMNET_REJECT) {
			st->rejected++;
			return SIMNET_EMSGSIZE;
		}
		st->sent++;
		st->blackholed++;
		return (int)len;
	}
	st->sent++;
	bool lost = chance(net, ru->drop_per_million);
	bool dup = chance(net, ru->duplicate_per_million);
	if (lost) {
		st->dropped++;
		return (int)len;
	}
	enqueue(net, from, data, len);
	if (dup) {
		st->duplicated++;
		enqueue(net, from, data, len);
	}
	return (int)len;
}

/* Among the datagrams due for `to`, the one with the lowest order key
 * (then the earliest sent). -1 if none. */
static long pick_due(const struct simnet *net, int to)
{
	long best = -1;
	for (size_t i = 0; i < net->queued; i++) {
		const struct simnet_datagram *d = &net->queue[i];
		if (d->to != to || d->deliver_at_ms > net->now_ms)
			continue;
		if (best < 0)
			best = (long)i;
		else {
			const struct simnet_datagram *b = &net->queue[best];
			if (d->order_key < b->order_key ||
			    (d->order_key == b->order_key && d->send_index < b->send_index))
				best = (long)i;
		}
	}
	return best;
}

int simnet_recv(struct simnet *net, int to, uint8_t *buf, size_t cap)
{
	if (net == NULL || to < 0 || to > 1 || (cap && buf == NULL))
		return SIMNET_EINVAL;
	long i = pick_due(net, to);
	if (i < 0)
		return 0;
	struct simnet_datagram d = net->queue[i];
	net->queue[i] = net->queue[--net->queued];
	struct simnet_stats *st = &net->stats[1 - to];
	size_t n = d.len < cap ? d.len : cap;
	if (n)
		memcpy(buf, d.data, n);
	if (n < d.len)
		st->truncated++;
	free(d.data);
	st->delivered++;
	st->bytes_delivered += d.len;
	if (d.len > st->largest_delivered)
		st->largest_delivered = d.len;
	return (int)n;
}

uint64_t simnet_next_event_for(const struct simnet *net, int to)
{
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; i < net->queued; i++)
		if ((to < 0 || net->queue[i].to == to) && net->queue[i].deliver_at_ms < t)
			t = net->queue[i].deliver_at_ms;
	return t;
}

uint64_t simnet_next_event_ms(const struct simnet *net) { return simnet_next_event_for(net, -1); }

uint64_t simnet_now(const struct simnet *net) { return net->now_ms; }

void simnet_advance_to(struct simnet *net, uint64_t now_ms)
{
	if (now_ms > net->now_ms)
		net->now_ms = now_ms;
}

size_t simnet_pending(const struct simnet *net, int to)
{
	size_t n = 0;
	for (size_t i = 0; i < net->queued; i++)
		if (net->queue[i].to == to)
			n++;
	return n;
}

const struct simnet_stats *simnet_stats(const struct simnet *net, int from)
{
	return &net->stats[from < 0 || from > 1 ? 0 : from];
}
