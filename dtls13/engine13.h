/* The DTLS 1.3 session driver (RFC 9147): records in and out through an
 * epoch table, handshake messages reassembled and handed to the message
 * cores (client13, server13), our flights fragmented, acknowledged (7)
 * and retransmitted, KeyUpdate (8) and close_notify. The engine
 * (dtls/engine.c) reaches it through the dispatcher's table
 * (dtls13/hs13_ops.c) once a session speaks DTLS 1.3; it calls nothing
 * above it (issue #18). */
#ifndef PETREL_DTLS13_ENGINE13_H
#define PETREL_DTLS13_ENGINE13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"
#include "record/record.h"

struct petrel_d13;

/* Client: build and send ClientHello (idempotent once started). */
int petrel_engine13_begin(petrel_session *s, uint64_t now_ms);
/* Server: a ClientHello offering DTLS 1.3 in an epoch-0 record read by the
 * 1.2 record layer (the session's first record, dtls/first_record.c).
 * After a stateless HelloRetryRequest the session goes back to holding
 * nothing (version DTLS 1.2 again, no state): the next ClientHello comes
 * through the same door. */
int petrel_engine13_first_record(petrel_session *s, const struct petrel_record *rec,
				 uint64_t now_ms);
/* A datagram: returns as petrel_engine_feed, or PETREL_FEED_FELL_BACK
 * (dtls/dispatch.h) when the server answered in DTLS 1.2: the session is
 * 1.2 now and the bytes after the first *used are the 1.2 engine's. */
int petrel_engine13_feed(petrel_session *s, uint8_t *dgram, size_t len, size_t *used,
			 uint64_t now_ms);
int petrel_engine13_tick(petrel_session *s, uint64_t now_ms);
uint64_t petrel_engine13_next_deadline(const petrel_session *s);
/* Application data in the current write epoch. */
long petrel_engine13_send(petrel_session *s, const void *data, size_t len);
/* close_notify. */
int petrel_engine13_bye(petrel_session *s);
/* petrel_handshake on an established 1.3 session: a client sends
 * KeyUpdate(update_requested) (the seed's contract), a server does
 * nothing; both return 0. */
int petrel_engine13_rehandshake(petrel_session *s);
/* The negotiated TLS 1.3 suite (RFC 8446 B.4), 0 / NULL before. */
uint16_t petrel_engine13_cipher_id(const petrel_session *s);
const char *petrel_engine13_cipher_name(const petrel_session *s);
/* Bytes a record adds to application data (header, type, tag). */
size_t petrel_engine13_overhead(const petrel_session *s);
/* Whether the session's handshake (or association) is a 1.3 one. */
bool petrel_engine13_active(const petrel_session *s);
/* Frees everything, wiping secrets (session free). */
void petrel_engine13_free(petrel_session *s);

/* Test hooks: the write epoch in use and the KeyUpdates done each way. */
uint64_t petrel_engine13_write_epoch(const petrel_session *s);
uint64_t petrel_engine13_read_epoch(const petrel_session *s);

#endif
