/* The one queue of datagrams waiting to leave (dtls/outq.c).
 * Where datagrams leave (issue #18, one output path): a session on its
 * own through petrel_outq_session_drain (dtls/outq_session.c: the
 * handshake's queue on struct petrel_hs, then a record built with none
 * behind it); an endpoint through petrel_ep_flush (dtls/endpoint.c: sendmmsg
 * on its socket) or petrel_endpoint_next_datagram (sans-I/O), draining
 * the endpoint's queue its sessions pushed into. */
#ifndef PETREL_DTLS_OUTQ_H
#define PETREL_DTLS_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest destination key (an endpoint's address key). */
#define PETREL_OUTQ_KEY_MAX 23
/* Bytes each queued datagram costs on top of its own. */
#define PETREL_OUTQ_HEADER_LEN (3 + PETREL_OUTQ_KEY_MAX)

struct petrel_outq {
	uint8_t *bytes; /* entries back to back: a header, then the datagram */
	size_t len, cap, head;
	size_t max_bytes; /* the cap: a push beyond it is refused (loss) */
	unsigned count;
	uint64_t dropped;
};

/* One queued datagram, as read back. */
struct petrel_outq_item {
	const uint8_t *data;
	size_t len;
	const uint8_t *key;
	size_t key_len;
};

/* An empty queue holding at most max_bytes (headers included). */
void petrel_outq_init(struct petrel_outq *q, size_t max_bytes);
/* Make room for cap bytes now, so later pushes allocate nothing. */
int petrel_outq_reserve(struct petrel_outq *q, size_t cap);
/* Queue a copy of the datagram for key: its length; PETREL_E_AGAIN when
 * the queue is full or cannot grow (loss: the sender retransmits);
 * PETREL_E_LARGE_PACKET beyond 65535 bytes. */
long petrel_outq_push(struct petrel_outq *q, const uint8_t *key, size_t key_len, const uint8_t *data,
		      size_t len);
/* The datagram at *pos (start at q->head), moving *pos past it; false
 * at the end. Reading does not remove. */
bool petrel_outq_next(const struct petrel_outq *q, size_t *pos, struct petrel_outq_item *item);
/* Remove every datagram before pos (a position petrel_outq_next gave). */
void petrel_outq_consume(struct petrel_outq *q, size_t pos);
static inline bool petrel_outq_empty(const struct petrel_outq *q)
{
	return q->head >= q->len;
}
/* Free the storage; the queue is empty (and usable) again. */
void petrel_outq_free(struct petrel_outq *q);

#endif
