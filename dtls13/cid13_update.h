/* NewConnectionId and RequestConnectionId after a DTLS 1.3 handshake
 * (RFC 9147 9). Received only where CIDs were negotiated; elsewhere they
 * end the connection with unexpected_message. A NewConnectionId marked
 * cid_immediate switches the CID our records carry to its first entry;
 * spares are not kept. We issue CIDs ourselves too (dtls13/cid13_issue.c,
 * petrel_session_new_cids) and answer RequestConnectionId with as many as
 * asked, capped: the list below is what we issued, accepted in received
 * records beside the negotiated CID and, with an endpoint, routed to the
 * session (dtls/endpoint_cid13.c). */
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

/* The CIDs we issued after the handshake (heap, only once one is),
 * all of the negotiated CID's length (a unified header's CID length is
 * implicit, RFC 9147 4), and a RequestConnectionId's count still to
 * answer (a flight of ours was in progress). */
struct petrel_cid13_issued {
	size_t count;
	uint8_t cids[PETREL_CID13_ISSUE_MAX][PETREL_CID_EXT_MAX_LEN];
	uint8_t requested;
};
/* Whether cid (len bytes) is one of issued's (NULL: none). */
bool petrel_cid13_issued_has(const struct petrel_cid13_issued *issued, const uint8_t *cid,
			     size_t len);

/* Whether msg_type is one of the two CID messages. */
bool petrel_cid13_is_cid_message(uint8_t msg_type);
/* Handles one whole message of those types. 0, or PETREL_E_UNEXPECTED_MESSAGE
 * (no CIDs negotiated), PETREL_E_DECODE_ERROR, PETREL_E_ILLEGAL_PARAMETER
 * (cid_immediate with no CID, a CID over 255 bytes). */
int petrel_cid13_on_message(const struct petrel_cid13_config *c, uint8_t msg_type,
			    const uint8_t *body, size_t len);
/* The same, and for a RequestConnectionId how many CIDs it asks for
 * (*requested; 0 for other messages). */
int petrel_cid13_on_message_req(const struct petrel_cid13_config *c, uint8_t msg_type,
				const uint8_t *body, size_t len, uint8_t *requested);

#endif
