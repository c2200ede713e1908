/* NewConnectionId and RequestConnectionId after a DTLS 1.3 handshake
 * (RFC 9147 9). Received only where CIDs were negotiated; elsewhere they
 * end the connection with unexpected_message. A NewConnectionId marked
 * cid_immediate switches the CID our records carry to its first entry;
 * its other entries, and every entry of one marked cid_spare, are kept
 * as the peer's spares, in the order given, up to PETREL_CID13_SPARE_MAX
 * (extra ones are discarded, RFC 9147 9 allows it):
 * petrel_session_rotate_cid moves to the next (dtls13/cid13_rotate.c).
 * We issue CIDs ourselves too (dtls13/cid13_issue.c,
 * petrel_session_new_cids) and answer RequestConnectionId with as many as
 * asked, capped: the list below is what we issued, accepted in received
 * records beside the negotiated CID and, with an endpoint, routed to the
 * session (dtls/endpoint_cid13.c), until retired
 * (dtls13/cid13_retire.c). */
#ifndef PETREL_DTLS13_CID13_UPDATE_H
#define PETREL_DTLS13_CID13_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls13/cid13_ext.h"

/* Caps (RFC 9147 9 sets none): CIDs issued per message, and in all on
 * one session (the negotiated one aside); what a RequestConnectionId
 * asks beyond what is left is not sent. */
#define PETREL_CID13_ISSUE_PER_MESSAGE 4u
#define PETREL_CID13_ISSUE_MAX 8u

/* The peer's spare CIDs we keep (RFC 9147 9: "Implementations which
 * receive more spare CIDs than they wish to maintain MAY simply discard
 * any extra CIDs"), and how many a RequestConnectionId of ours asks for
 * when they run out. */
#define PETREL_CID13_SPARE_MAX 8u
#define PETREL_CID13_REQUEST_COUNT 4u
/* Retirement grace, in records: a CID the peer left is still accepted
 * for records numbered below the first one on its new CID, until a
 * record on the new CID numbered this far past it (or in a later epoch)
 * authenticates: older ones would fall out of the replay window (64
 * records, record/replay.h) anyway. */
#define PETREL_CID13_RETIRE_GRACE 64u

/* The session's DTLS 1.3 CID state after the handshake (heap, made on
 * the first NewConnectionId sent or received).
 *
 * Issued (ours): the CIDs we issued, all of the negotiated CID's length
 * (a unified header's CID length is implicit, RFC 9147 4), in issue
 * order, each with its serial (the negotiated CID is serial 0), and a
 * RequestConnectionId's count still to answer (a flight of ours was in
 * progress). count includes CIDs being retired; retired ones leave the
 * list (and free room under PETREL_CID13_ISSUE_MAX).
 *
 * Spares (the peer's): CIDs to send with later, oldest first. */
struct petrel_cid13_issued {
	size_t count;
	uint8_t cids[PETREL_CID13_ISSUE_MAX][PETREL_CID_EXT_MAX_LEN];
	uint8_t requested;
	/* Retirement (dtls13/cid13_retire.h). */
	uint32_t serial[PETREL_CID13_ISSUE_MAX];
	uint32_t last_serial; /* the last one given */
	uint32_t current;     /* the serial of the CID the peer moved to */
	uint32_t gone_below;  /* serials below are retired: refused, unrouted */
	/* CIDs in [gone_below, current) are retiring: accepted in records
	 * numbered below (cutoff_epoch, cutoff_seq), the first record on
	 * the CID the peer moved to. */
	uint64_t cutoff_epoch, cutoff_seq;
	/* Told of each CID retired (negotiated: the handshake's), so the
	 * endpoint stops routing it; NULL: a lone session. */
	void (*on_retire)(void *ctx, const uint8_t *cid, size_t len, bool negotiated);
	void *on_retire_ctx;
	/* The peer's spares (dtls13/cid13_spare.h). */
	size_t spare_count;
	uint8_t spare_len[PETREL_CID13_SPARE_MAX];
	uint8_t spares[PETREL_CID13_SPARE_MAX][PETREL_CID_EXT_MAX_LEN];
	bool request_out; /* our RequestConnectionId, not yet answered (RFC 9147 9: one at a time) */
	bool request_due; /* to send once no flight of ours is out */
	/* The peer sent a NewConnectionId: it knows the CID messages. We
	 * ask only such a peer (one that never did, wolfSSL 5.5.4 say, may
	 * not know RequestConnectionId and end the connection). */
	bool peer_sends_new_cids;
};
/* Whether cid (len bytes) is one of issued's (NULL: none). */
bool petrel_cid13_issued_has(const struct petrel_cid13_issued *issued, const uint8_t *cid,
			     size_t len);

/* Whether msg_type is one of the two CID messages. */
bool petrel_cid13_is_cid_message(uint8_t msg_type);
/* Handles one whole message of those types. 0, or PETREL_E_UNEXPECTED_MESSAGE
 * (no CIDs negotiated), PETREL_E_DECODE_ERROR, PETREL_E_ILLEGAL_PARAMETER
 * (cid_immediate with no CID, a CID over 255 bytes), PETREL_E_MEMORY
 * (spares to keep, no memory for the state). */
int petrel_cid13_on_message(const struct petrel_cid13_config *c, uint8_t msg_type,
			    const uint8_t *body, size_t len);
/* The same, and for a RequestConnectionId how many CIDs it asks for
 * (*requested; 0 for other messages). */
int petrel_cid13_on_message_req(const struct petrel_cid13_config *c, uint8_t msg_type,
				const uint8_t *body, size_t len, uint8_t *requested);

#endif
