/* CIDs a DTLS 1.3 session issues after its handshake (RFC 9147 9):
 * NewConnectionId, on the application's request or the peer's
 * RequestConnectionId. See dtls13/cid13_issue.c; caps in
 * dtls13/cid13_update.h. */
#ifndef PETREL_DTLS13_CID13_ISSUE_H
#define PETREL_DTLS13_CID13_ISSUE_H

#include <stdint.h>

#include "petrel/petrel.h"

/* Sends NewConnectionId with count (1..PETREL_CID13_ISSUE_PER_MESSAGE)
 * fresh CIDs of ours marked usage (PETREL_CID_IMMEDIATE / _SPARE),
 * reliably. 0; PETREL_E_INVALID_REQUEST (no 1.3 session done with its
 * handshake, no non-empty CID of ours negotiated, a bad count),
 * PETREL_E_AGAIN (a flight of ours is still unacknowledged),
 * PETREL_E_LIMIT_EXCEEDED (past PETREL_CID13_ISSUE_MAX held),
 * PETREL_E_MEMORY. */
int petrel_cid13_issue(petrel_session *s, unsigned count, uint8_t usage, uint64_t now_ms);
/* The peer's RequestConnectionId for requested CIDs: answered with as
 * many spares as the caps leave (none: nothing sent, RFC 9147 9 makes
 * the answer a SHOULD); while a flight of ours is out, answered when it
 * is acknowledged (petrel_cid13_pending). */
int petrel_cid13_on_request(petrel_session *s, uint8_t requested, uint64_t now_ms);
/* Sends RequestConnectionId for PETREL_CID13_REQUEST_COUNT CIDs (RFC
 * 9147 9), or marks it due while a flight of ours is out; nothing while
 * one is unanswered, nor to a peer that never sent a NewConnectionId.
 * 0; PETREL_E_INVALID_REQUEST (no 1.3 session done with its handshake,
 * or we send no CID: RFC 9147 9 forbids it),
 * PETREL_E_MEMORY, a send error. */
int petrel_cid13_request(petrel_session *s, uint64_t now_ms);
/* A deferred answer (or request of ours), once no flight of ours is out. */
int petrel_cid13_pending(petrel_session *s, uint64_t now_ms);

#endif
