/* A lone session's output queue (issue #18: one output path for
 * datagrams): the engine queues a handshake flight's datagrams on
 * s->hs->outq (the outq.c queue, its buffer sized to the flight and
 * freed once drained, so an idle session keeps none) and the
 * transport drains it at the flight's end, where a refusal (EMSGSIZE)
 * can still re-plan the flight (dtls/hs_output.c). Datagrams built with
 * no queue behind them (application data, heartbeats, a kept final
 * flight) leave through the same drain, straight from their producer's
 * buffer: no copy on the record path.
 *
 * The drain is the lone session's only caller of petrel_output_datagram
 * (the push callback); an endpoint's session pushes into the endpoint's
 * queue, drained by petrel_ep_flush (dtls/endpoint.c) or
 * petrel_endpoint_next_datagram. A service: it calls only the
 * output path and the queue below it. */
#include "dtls/outq_session.h"

#include "dtls/output.h"
#include "dtls/session.h"

/* Slack per queued datagram over the plan's predicted length. */
#define OUTQ_SESSION_SLACK 64u

static struct petrel_outq *session_queue(petrel_session *s)
{
	return s->hs ? &s->hs->outq : NULL;
}

int petrel_outq_session_reserve(petrel_session *s, size_t count, size_t wire_bytes)
{
	struct petrel_outq *q = session_queue(s);
	if (q == NULL)
		return 0;
	size_t per = PETREL_OUTQ_HEADER_LEN + OUTQ_SESSION_SLACK;
	if (count > PETREL_OUTQ_SESSION_MAX_BYTES / per || wire_bytes > PETREL_OUTQ_SESSION_MAX_BYTES)
		return petrel_outq_reserve(q, PETREL_OUTQ_SESSION_MAX_BYTES);
	return petrel_outq_reserve(q, q->len + count * per + wire_bytes);
}

int petrel_outq_session_queue(void *session, const uint8_t *dgram, size_t len)
{
	petrel_session *s = session;
	struct petrel_outq *q = session_queue(s);
	if (q == NULL)
		return petrel_outq_session_drain_lossy(s, dgram, len);
	long r = petrel_outq_push(q, NULL, 0, dgram, len);
	if (r == PETREL_E_AGAIN || r == PETREL_E_INTERRUPTED)
		return 0; /* loss: the retransmission timer covers it */
	return r < 0 ? (int)r : 0;
}

long petrel_outq_session_drain(petrel_session *s, const uint8_t *dgram, size_t len, unsigned *handed)
{
	struct petrel_hs *hs = s->hs;
	unsigned n = 0;
	long r = 0;
	if (hs != NULL && !petrel_outq_empty(&hs->outq)) {
		struct petrel_outq *q = &hs->outq;
		size_t pos = q->head;
		struct petrel_outq_item it;
		while (petrel_outq_next(q, &pos, &it)) {
			r = petrel_output_datagram(s, it.data, it.len);
			if (r == PETREL_E_AGAIN || r == PETREL_E_INTERRUPTED) {
				q->dropped++; /* loss, as a full socket buffer */
				r = 0;
			} else if (r < 0) {
				break; /* LARGE_PACKET: the flight is planned again */
			} else if (it.len > hs->flight_largest_dgram) {
				hs->flight_largest_dgram = it.len; /* for black-hole detection */
			}
			n++;
		}
		/* What is left after an error goes too; so does the buffer, so a
		 * handshake waiting for the peer holds none (the next flight
		 * reserves its own size). */
		petrel_outq_free(q);
	}
	if (handed)
		*handed = n;
	if (r < 0)
		return r;
	if (dgram == NULL)
		return 0;
	return petrel_output_datagram(s, dgram, len);
}

int petrel_outq_session_drain_lossy(petrel_session *s, const uint8_t *dgram, size_t len)
{
	long r = petrel_outq_session_drain(s, dgram, len, NULL);
	if (r == PETREL_E_AGAIN || r == PETREL_E_INTERRUPTED)
		return 0; /* loss: resent */
	return r < 0 ? (int)r : 0;
}
