/* The dispatcher's view of a handshake: one table of operations per
 * protocol version and role (DESIGN.md "Growing"). The engine routes
 * records here; the operations call the shared services (transcript,
 * hs_output, hs_state, alert, output), which never call back up. The
 * dispatcher also picks the version of a new handshake (with the rules
 * of dtls/first_record.c), so no version's operations reach another
 * version through it (issue #18). */
#ifndef PETREL_DTLS_DISPATCH_H
#define PETREL_DTLS_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "dtls/session.h"

/* Protocol versions the dispatcher knows (petrel_session.version). */
enum petrel_dtls_version {
	PETREL_V_DTLS12 = 0, /* RFC 6347; the default of a new session */
	PETREL_V_DTLS13 = 1, /* RFC 9147 (dtls13/engine13.c) */
	PETREL_V_COUNT
};

struct petrel_hs_ops {
	const char *name;
	/* Start the handshake: build and send the first flight (client).
	 * NULL for a role that waits for the peer. */
	int (*begin)(petrel_session *s, uint64_t now_ms);
	/* One complete handshake message of the current handshake. */
	int (*handle)(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms);
	/* The peer's ChangeCipherSpec: 1 taken (read keys installed), 0 not
	 * expected now (dropped), < 0 an error. */
	int (*on_ccs)(petrel_session *s);
	/* A record before any handshake state exists (a server's stateless
	 * ClientHello handling). NULL: such records are dropped. */
	int (*first_record)(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms);
	/* Whether a message may be handed to handle at all, given the record
	 * number of the record that completed it; NULL: every message. */
	bool (*accepts)(const petrel_session *s, const struct petrel_hs_message *m,
			uint64_t record_seq);
	/* The message (at message_seq 0) by which the peer asks for a new
	 * handshake on an established association. */
	uint8_t renegotiation_msg_type;
	/* Whether application data from the peer proves it holds our kept
	 * final flight (so the flight can go). */
	bool app_data_confirms_final;
	/* Client: go on from a ClientHello (body ch, random) that the client
	 * of another version sent (the DTLS 1.3 client falling back to 1.2,
	 * RFC 8446 4.1.3); our epoch-0 records continue at next_plain_seq.
	 * NULL where there is no such thing. */
	int (*take_over)(petrel_session *s, const uint8_t *ch, size_t ch_len, const uint8_t *random,
			 uint16_t ch_message_seq, const uint8_t *cookie, size_t cookie_len,
			 uint64_t next_plain_seq, uint64_t now_ms);
	/* A version with a record layer of its own (DTLS 1.3, RFC 9147 4)
	 * takes whole datagrams and runs its own timers; NULL: the engine's
	 * DTLS 1.2 record path (dtls/engine.c). feed returns as
	 * petrel_engine_feed, or PETREL_FEED_FELL_BACK when the session
	 * became a DTLS 1.2 one after the first *used bytes: the engine
	 * reads the rest as 1.2 records. */
	int (*feed)(petrel_session *s, uint8_t *dgram, size_t len, size_t *used, uint64_t now_ms);
	int (*tick)(petrel_session *s, uint64_t now_ms);
	uint64_t (*next_deadline)(const petrel_session *s);
};

/* feed: the client fell back to DTLS 1.2 (RFC 8446 4.1.3, D). */
#define PETREL_FEED_FELL_BACK 2

/* The operations for the session's version and role; NULL for a slot
 * not filled yet (DTLS 1.3). */
const struct petrel_hs_ops *petrel_hs_ops_of(const petrel_session *s);

/* Routing, one call per event (dtls/dispatch.c). Each returns what the
 * operation returns; PETREL_E_UNSUPPORTED for an empty slot. begin on a
 * client's first handshake picks the version first
 * (petrel_client_begin_version); first_record picks the version of the
 * server that answers the ClientHello (petrel_first_record_version). */
int petrel_dispatch_begin(petrel_session *s, uint64_t now_ms);
int petrel_dispatch_message(petrel_session *s, const struct petrel_hs_message *m,
			    uint64_t record_seq, uint64_t now_ms);
int petrel_dispatch_ccs(petrel_session *s);
int petrel_dispatch_first_record(petrel_session *s, const struct petrel_record *rec,
				 uint64_t now_ms);

#endif
