/* Keepalive and dead-peer detection on DTLS 1.3 sessions (issue #20,
 * after issue #21 item 7's 1.2 keepalive, dtls/keepalive.h, whose
 * settings and timers it shares). DTLS 1.3 has no heartbeat (RFC 8446
 * dropped RFC 6520's extension from 1.3 use), so after interval_ms
 * without an authenticated record from the peer the ping is a
 * KeyUpdate(update_not_requested): every RFC 9147 peer must acknowledge
 * it (RFC 9147 8), and its ACK, like any record that authenticates,
 * counts as life. After dead_after_ms of silence the engine fails the
 * session with PETREL_E_PEER_DEAD. With
 * petrel_session_set_keepalive_empty_records the ping is a zero-length
 * application_data record instead (RFC 8446 5.4 allows it): no key
 * change, nothing answers it. petrel_session_keepalive_uses_heartbeat()
 * stays 0 on 1.3. The engine (engine13.c) calls these from its receive
 * and timer paths. */
#ifndef PETREL_DTLS13_KA13_H
#define PETREL_DTLS13_KA13_H

#include <stdint.h>

#include "dtls/session.h"

struct petrel_hs13_config;

/* The ClientHello's heartbeat offer (dtls13/ka13_ext.h) from the
 * session's keepalive and probing settings. */
void petrel_ka13_config(const petrel_session *s, struct petrel_hs13_config *cfg);
/* A record of the peer's authenticated (any content type, any epoch
 * with keys: only the peer can make one). */
void petrel_ka13_on_record(petrel_session *s, uint64_t now_ms);
/* Pings when due; PETREL_E_PEER_DEAD when the peer was silent for
 * dead_after_ms (the engine fails the session with it, no alert); another
 * negative code from a broken transport. */
int petrel_ka13_tick(petrel_session *s, uint64_t now_ms);
/* The error of a session whose KeyUpdate went unacknowledged for the
 * whole total timeout: PETREL_E_PEER_DEAD with a keepalive (its ping, or
 * any KeyUpdate, went unanswered: what its user waits to hear),
 * PETREL_E_TIMEDOUT otherwise. */
int petrel_ka13_unanswered_key_update(const petrel_session *s);
/* next, or the keepalive's earlier deadline. */
uint64_t petrel_ka13_deadline(const petrel_session *s, uint64_t next);

#endif
