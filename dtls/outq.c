/* The one way out, buffered (DESIGN.md "One way out"): datagrams the core
 * made wait here, each with its destination key, until their drainer
 * takes them (the endpoint: sendmmsg batches on its socket, or
 * petrel_endpoint_next_datagram for a sans-I/O caller). Bounded by a
 * byte cap chosen by the owner; one buffer, grown by doubling up to the
 * cap and reused, so the steady state allocates nothing per datagram.
 * A service: it calls nothing above it. */
#include "dtls/outq.h"

#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"

struct outq_header {
	uint16_t len;
	uint8_t key_len;
	uint8_t key[PETREL_OUTQ_KEY_MAX];
};
_Static_assert(sizeof(struct outq_header) == PETREL_OUTQ_HEADER_LEN, "outq.h names the header's size");

void petrel_outq_init(struct petrel_outq *q, size_t max_bytes)
{
	memset(q, 0, sizeof *q);
	q->max_bytes = max_bytes;
}

int petrel_outq_reserve(struct petrel_outq *q, size_t cap)
{
	if (cap > q->max_bytes)
		cap = q->max_bytes;
	if (cap <= q->cap)
		return 0;
	uint8_t *b = realloc(q->bytes, cap);
	if (b == NULL)
		return PETREL_E_MEMORY;
	q->bytes = b;
	q->cap = cap;
	return 0;
}

long petrel_outq_push(struct petrel_outq *q, const uint8_t *key, size_t key_len, const uint8_t *data,
		      size_t len)
{
	struct outq_header h;
	if (len > UINT16_MAX)
		return PETREL_E_LARGE_PACKET;
	if (key_len > sizeof h.key)
		return PETREL_E_INVALID_REQUEST;
	size_t need = sizeof h + len;
	if (q->len + need > q->max_bytes) {
		q->dropped++;
		return PETREL_E_AGAIN;
	}
	if (q->len + need > q->cap) {
		size_t cap = q->cap ? q->cap : 64u * 1024u;
		while (cap < q->len + need)
			cap *= 2;
		if (petrel_outq_reserve(q, cap) < 0 || q->len + need > q->cap) {
			q->dropped++;
			return PETREL_E_AGAIN;
		}
	}
	memset(&h, 0, sizeof h);
	h.len = (uint16_t)len;
	h.key_len = (uint8_t)key_len;
	if (key_len)
		memcpy(h.key, key, key_len);
	memcpy(q->bytes + q->len, &h, sizeof h);
	memcpy(q->bytes + q->len + sizeof h, data, len);
	q->len += need;
	q->count++;
	return (long)len;
}

bool petrel_outq_next(const struct petrel_outq *q, size_t *pos, struct petrel_outq_item *item)
{
	struct outq_header h;
	if (*pos >= q->len)
		return false;
	memcpy(&h, q->bytes + *pos, sizeof h);
	item->data = q->bytes + *pos + sizeof h;
	item->len = h.len;
	item->key = q->bytes + *pos + offsetof(struct outq_header, key);
	item->key_len = h.key_len;
	*pos += sizeof h + h.len;
	return true;
}

void petrel_outq_consume(struct petrel_outq *q, size_t pos)
{
	size_t at = q->head;
	struct petrel_outq_item it;
	while (at < pos && petrel_outq_next(q, &at, &it))
		q->count--;
	q->head = at;
	if (q->head >= q->len)
		q->head = q->len = 0, q->count = 0; /* drained: start over at the front */
}

void petrel_outq_free(struct petrel_outq *q)
{
	free(q->bytes);
	q->bytes = NULL;
	q->len = q->cap = q->head = 0;
	q->count = 0;
}
