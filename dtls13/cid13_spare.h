/* The peer's spare CIDs in DTLS 1.3 (RFC 9147 9): kept from its
 * NewConnectionId messages in the order given ("Endpoints SHOULD use
 * receiver-provided CIDs in the order they were provided"), up to
 * PETREL_CID13_SPARE_MAX (dtls13/cid13_update.h), and taken one at a
 * time by petrel_session_rotate_cid, say after the application learns
 * its address changed: a CID never seen on the old path keeps an
 * observer from linking the two (RFC 9146 8, RFC 9147 11). When the last
 * spare is taken, or none is left to take, a RequestConnectionId asks
 * the peer for more (dtls13/cid13_issue.c): one at a time, never while
 * we send no CID (RFC 9147 9), and only of a peer that has sent a
 * NewConnectionId itself (so it knows the messages). */
#ifndef PETREL_DTLS13_CID13_SPARE_H
#define PETREL_DTLS13_CID13_SPARE_H

#include <stddef.h>
#include <stdint.h>

#include "dtls/msg_cid.h"
#include "dtls13/cid13_update.h"

/* The CID state, made if *state is NULL: NULL without memory. */
struct petrel_cid13_issued *petrel_cid13_state(struct petrel_cid13_issued **state);
/* Keeps cid (len bytes) as the peer's next spare, after the others;
 * *state made if NULL. Empty CIDs, the one we send with now and one
 * already kept are skipped; past PETREL_CID13_SPARE_MAX it is discarded.
 * 0 (kept or not), PETREL_E_MEMORY. */
int petrel_cid13_spare_add(struct petrel_cid13_issued **state, const struct petrel_cid_params *p,
			   const uint8_t *cid, size_t len);
/* Moves the CID we send with (p->tx_cid) to the oldest spare, which
 * leaves the list (spares equal to the CID in use are dropped on the
 * way). 0, or PETREL_E_LIMIT_EXCEEDED (none held). */
int petrel_cid13_spare_take(struct petrel_cid13_issued *state, struct petrel_cid_params *p);

#endif
