/* A client and a server session joined by hand, record by record: every
 * datagram a session pushes is split into its records and queued, and the
 * test decides which record to deliver next (petrel_engine_feed), so it can
 * stop either side in any handshake state and inject what it likes. The
 * clock is virtual (pair->now_ms). Tests include dtls/session.h to look at
 * the handshake state. */
#ifndef PETREL_TESTS_ROBUST_PAIR_H
#define PETREL_TESTS_ROBUST_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

#define RP_MAX_QUEUE 256
#define RP_MAX_RECORD 2048

struct rp_record {
	size_t len;
	uint8_t bytes[RP_MAX_RECORD];
};

struct rp_end {
	struct rp_pair *pair;
	petrel_session *session;
	/* Records pushed by this end, not yet delivered to the peer. */
	struct rp_record *queue;
	size_t head, count;
	uint64_t datagrams_sent;
	/* Optional observer of every record pushed. */
	void (*on_record)(void *ctx, const uint8_t *rec, size_t len);
	void *on_record_ctx;
};

struct rp_pair {
	struct rp_end client, server;
	uint64_t now_ms;
};

/* Sessions with flags (role added), credentials, cipher list (NULL: all),
 * verification off on both sides; short timeouts for quick failure. */
void rp_init(struct rp_pair *p, unsigned client_flags, unsigned server_flags,
	     petrel_credentials *client_creds, petrel_credentials *server_creds, const char *ciphers);
void rp_free(struct rp_pair *p);
/* The client sends its first ClientHello. */
int rp_start(struct rp_pair *p);
/* Deliver the oldest queued record of `from` to its peer. Returns the feed
 * result, or 1 when nothing was queued. */
int rp_deliver(struct rp_pair *p, struct rp_end *from);
/* Deliver one record (client's first, else server's); 1 when both are empty. */
int rp_step(struct rp_pair *p);
/* Deliver and tick timers until both completed or one failed, for at most
 * limit_ms of virtual time. 0 when both completed. */
int rp_run_to_completion(struct rp_pair *p, uint64_t limit_ms);
/* Session internals: -1 after a fatal error, HS_DONE when established,
 * the handshake state, or 0 for a server that has no handshake yet. */
int rp_state(const petrel_session *s);
const char *rp_state_name(int state);

/* A handshake message: 12-byte header (unfragmented) + body, into out. */
size_t rp_hs_message(uint8_t *out, size_t cap, uint8_t type, uint16_t message_seq,
		     const uint8_t *body, size_t len);
/* A record as `writer` would protect it in epoch (its write keys): the
 * same bytes a genuine peer sends. 0 when writer has no keys for epoch. */
size_t rp_protected_record(petrel_session *writer, uint16_t epoch, uint8_t content_type,
			   const uint8_t *payload, size_t len, uint8_t *out, size_t cap);
/* A record with a raw header and an unprotected body (a forgery). */
size_t rp_raw_record(uint8_t content_type, uint16_t epoch, uint64_t seq, const uint8_t *payload,
		     size_t len, uint8_t *out, size_t cap);

#endif
