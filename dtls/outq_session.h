/* A lone session's output queue (dtls/outq_session.c): the engine
 * queues, the transport drains. */
#ifndef PETREL_DTLS_OUTQ_SESSION_H
#define PETREL_DTLS_OUTQ_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "dtls/outq.h"
#include "petrel/petrel.h"

/* Most bytes a handshake's queue holds (entry headers included): a whole
 * flight at the smallest MTU, whose messages the transcript bounds, with
 * room for each datagram's record and queue headers. A push beyond it is
 * loss, as a full socket buffer would be: the retransmission timer
 * covers it. */
#define PETREL_OUTQ_SESSION_MAX_BYTES (2u * 128u * 1024u)

/* Engine side: queue a copy of one datagram of the session's handshake
 * on s->hs->outq (dtls/session.h), to leave at the drain. Without a
 * handshake there is no queue (an idle session keeps none): the datagram
 * is drained at once. Returns 0, a refusal counted as loss (AGAIN,
 * INTERRUPTED, a full queue) included, else the drain's error. The
 * signature of a flight's send callback; session is the petrel_session. */
int petrel_outq_session_queue(void *session, const uint8_t *dgram, size_t len);

/* Make room for a flight about to be queued: count datagrams of
 * wire_bytes in all, so its pushes allocate nothing. */
int petrel_outq_session_reserve(petrel_session *s, size_t count, size_t wire_bytes);

/* Transport side: the lone session's one way out. Hands every datagram
 * queued on s->hs->outq to the push callback (petrel_output_datagram) in
 * order, then dgram when it is not NULL: a record built when no datagram
 * waits (application data, a heartbeat, a kept final flight). A queued
 * datagram the transport refuses with AGAIN/INTERRUPTED is loss; with
 * LARGE_PACKET (EMSGSIZE) or a hard error the rest of the queue is
 * dropped (the flight is planned again) and that code returned, dgram
 * unsent. Otherwise the push's result for dgram (its length, or an
 * error the caller judges), or 0 without one. *handed (if not NULL)
 * counts the queued datagrams the transport took or lost before any
 * such error. */
long petrel_outq_session_drain(petrel_session *s, const uint8_t *dgram, size_t len, unsigned *handed);
/* The drain for a datagram whose refusal (AGAIN, INTERRUPTED) is loss the
 * retransmission timer covers: 0 then, or the drain's error. */
int petrel_outq_session_drain_lossy(petrel_session *s, const uint8_t *dgram, size_t len);

#endif
