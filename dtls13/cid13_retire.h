/* Retiring the CIDs we issued, in DTLS 1.3 (RFC 9147 9 leaves when to
 * stop accepting an old CID to the implementation; this is Petrel's
 * rule). Our CIDs have serials in issue order: the negotiated one 0, then
 * each issued one (dtls13/cid13_issue.c). The peer SHOULD use them in
 * order; it has moved to a CID when a record carrying it authenticates
 * as the newest of the newest read epoch (the record that may move the
 * session's address, RFC 9146 6). Then:
 *  - every CID of ours with a lower serial is retiring: still accepted,
 *    but only in records numbered below that first record on the new
 *    CID (records sent before the move, late or reordered);
 *  - retiring CIDs are retired for good once a newest record on the new
 *    CID is PETREL_CID13_RETIRE_GRACE records past that first one (or in
 *    a later epoch), or the peer moves again: their records are dropped
 *    before opening, the endpoint stops routing them, and issued ones
 *    leave the list, freeing room under PETREL_CID13_ISSUE_MAX.
 * A record on a retiring CID numbered at or above the cutoff is
 * authentic but dropped: the peer moved on. */
#ifndef PETREL_DTLS13_CID13_RETIRE_H
#define PETREL_DTLS13_CID13_RETIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls13/cid13_ext.h"
#include "dtls13/epoch13.h"
#include "record/header13.h"

/* Whether our negotiated CID is retired (the peer moved on for good). */
bool petrel_cid13_negotiated_retired(const struct petrel_cid13_config *c);
/* After a record (header h, opened as rec) authenticated: false when it
 * is to be dropped (on a retiring CID, numbered at or above the cutoff);
 * notes a move to a newer CID and ends the grace (rules above). */
bool petrel_cid13_rx_opened(const struct petrel_cid13_config *c, const struct petrel_dtls13_header *h,
			    const struct petrel_dtls13_record *rec, uint64_t newest_epoch);
/* Retires every CID of ours with a serial below `below` for good. */
void petrel_cid13_retire_below(struct petrel_cid13_issued *st, const struct petrel_cid_params *p,
			       uint32_t below);

#endif
