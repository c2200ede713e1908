/* NewConnectionId and RequestConnectionId after a DTLS 1.3 handshake
 * (RFC 9147 9). Received only where CIDs were negotiated; elsewhere they
 * end the connection with unexpected_message. A NewConnectionId marked
 * cid_immediate switches the CID our records carry to its first entry;
 * spares are not kept. RequestConnectionId is acknowledged but not
 * answered (a SHOULD): the endpoint routes each session by the one CID
 * it issued. */
#ifndef PETREL_DTLS13_CID13_UPDATE_H
#define PETREL_DTLS13_CID13_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls13/cid13_ext.h"

/* Whether msg_type is one of the two CID messages. */
bool petrel_cid13_is_cid_message(uint8_t msg_type);
/* Handles one whole message of those types. 0, or PETREL_E_UNEXPECTED_MESSAGE
 * (no CIDs negotiated), PETREL_E_DECODE_ERROR, PETREL_E_ILLEGAL_PARAMETER
 * (cid_immediate with no CID, a CID over 255 bytes). */
int petrel_cid13_on_message(const struct petrel_cid13_config *c, uint8_t msg_type,
			    const uint8_t *body, size_t len);

#endif
