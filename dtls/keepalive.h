/* Keepalive and dead-peer detection for established sessions (issue #21
 * item 7). A session told petrel_session_set_keepalive() sends a ping
 * when it has heard nothing from the peer for interval_ms. On DTLS 1.2:
 * an RFC 6520 HeartbeatRequest when heartbeats were negotiated and the
 * peer accepts requests; otherwise nothing, or an empty application_data
 * record when the application asked for those. On DTLS 1.3 (no
 * heartbeats there): a KeyUpdate, which the peer must acknowledge, or
 * the empty record on request (dtls13/ka13.h). Every authenticated
 * record from the peer counts as a sign of life; after dead_after_ms
 * without one the session fails with PETREL_E_PEER_DEAD. The timers are
 * kept here for both versions; each version's engine sends the pings. */
#ifndef PETREL_DTLS_KEEPALIVE_H
#define PETREL_DTLS_KEEPALIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

struct petrel_record;

/* The ping's payload: magic and id (keepalive.c sends it, probe.c matches
 * the response). */
#define KA_PAYLOAD_LEN 12 /* differs from the MTU probes' 8: never taken for one */
#define KA_MAGIC 0x4b41 /* "KA" */

/* Heap, made by the first petrel_session_set_keepalive*() call: sessions
 * without a keepalive carry one NULL pointer (idle sessions stay small). */
struct petrel_keepalive {
	uint32_t interval_ms;   /* ping after this much silence; 0 = no pings */
	uint32_t dead_after_ms; /* fail after this much silence; 0 = never */
	bool started;           /* timers run from the first tick or record after the handshake */
	bool empty_records;     /* without heartbeats, ping with empty records (opt-in) */
	bool ping_outstanding;  /* a HeartbeatRequest not yet answered (RFC 6520 3: one at a time) */
	uint64_t last_rx_ms;    /* last authenticated record from the peer */
	uint64_t next_ping_ms;
	uint32_t ping_id;       /* payload of the outstanding request, repeated on retransmission */
	/* Counters (tests, --verbose). */
	uint64_t heartbeats_sent, heartbeat_responses, empty_records_sent;
	uint64_t key_update_pings; /* DTLS 1.3: KeyUpdates sent as pings (dtls13/ka13.c) */
};

/* Whether the ClientHello offers the heartbeat extension (RFC 6520 2):
 * for MTU probing or for keepalive. */
bool petrel_keepalive_offers_heartbeat(const petrel_session *s);
/* The transport needs the clock while a keepalive runs. */
bool petrel_keepalive_active(const petrel_session *s);
/* An authenticated record arrived (engine receive path). */
void petrel_keepalive_on_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms);
/* A HeartbeatResponse not belonging to an MTU probe (defined in probe.c,
 * which receives every heartbeat record). */
void petrel_keepalive_on_heartbeat_response(petrel_session *s, const uint8_t *payload, size_t len);
/* Timers: ping when due; PETREL_E_PEER_DEAD when silent too long. */
int petrel_keepalive_tick(petrel_session *s, uint64_t now_ms);
/* The timers alone, for an engine that sends its own pings (DTLS 1.3):
 * starts them on first use; PETREL_E_PEER_DEAD when silent for
 * dead_after_ms (the caller fails the session), 1 when a ping is due
 * (the caller sends one, or cannot yet, then calls _pinged), else 0. */
int petrel_keepalive_check(petrel_session *s, uint64_t now_ms);
/* A ping went out (or was lost): the next one an interval later. */
void petrel_keepalive_pinged(petrel_session *s, uint64_t now_ms);
/* An authenticated record from the peer at now_ms (either version). */
void petrel_keepalive_heard(petrel_session *s, uint64_t now_ms);
/* dtls/probe.c: one HeartbeatRequest with the minimum padding. */
int petrel_heartbeat_send_request(petrel_session *s, const uint8_t *payload, size_t len);
/* Absolute time of the next keepalive deadline, UINT64_MAX when none. */
uint64_t petrel_keepalive_deadline(const petrel_session *s);
/* The same, leaving out the ping when pings is false (one cannot start
 * yet: the engine's own timers say when it can). */
uint64_t petrel_keepalive_deadline_for(const petrel_session *s, bool pings);
/* Frees the keepalive block (session free path). */
void petrel_keepalive_free(petrel_session *s);

#endif
