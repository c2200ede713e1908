/* CID messages after the handshake (see dtls13/cid13_update.h). */
#include "dtls13/cid13_update.h"

#include <string.h>

#include "dtls13/cid13_spare.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

bool petrel_cid13_is_cid_message(uint8_t msg_type)
{
	return msg_type == PETREL_HS13_NEW_CONNECTION_ID ||
	       msg_type == PETREL_HS13_REQUEST_CONNECTION_ID;
}

bool petrel_cid13_issued_has(const struct petrel_cid13_issued *issued, const uint8_t *cid,
			     size_t len)
{
	if (issued == NULL || len == 0 || len > PETREL_CID_EXT_MAX_LEN)
		return false;
	bool found = false;
	for (size_t i = 0; i < issued->count && i < PETREL_CID13_ISSUE_MAX; i++)
		found |= memcmp(issued->cids[i], cid, len) == 0;
	return found;
}

int petrel_cid13_on_message(const struct petrel_cid13_config *c, uint8_t msg_type,
			    const uint8_t *body, size_t len)
{
	uint8_t requested;
	return petrel_cid13_on_message_req(c, msg_type, body, len, &requested);
}

int petrel_cid13_on_message_req(const struct petrel_cid13_config *c, uint8_t msg_type,
				const uint8_t *body, size_t len, uint8_t *requested)
{
	*requested = 0;
	if (c == NULL || !c->enabled || c->result == NULL || !c->result->negotiated)
		return PETREL_E_UNEXPECTED_MESSAGE; /* RFC 9147 9 */
	if (msg_type == PETREL_HS13_REQUEST_CONNECTION_ID)
		return petrel_request_connection_id_parse(body, len, requested);
	if (msg_type != PETREL_HS13_NEW_CONNECTION_ID)
		return PETREL_E_UNEXPECTED_MESSAGE;
	struct petrel_new_connection_id n;
	int rc = petrel_new_connection_id_parse(body, len, &n);
	if (rc < 0)
		return rc;
	if (n.usage == PETREL_CID_IMMEDIATE && n.count == 0)
		return PETREL_E_ILLEGAL_PARAMETER;
	/* Any NewConnectionId answers our RequestConnectionId (RFC 9147 9:
	 * with fewer CIDs than asked, or none, if the peer likes). */
	if (c->issued != NULL) {
		struct petrel_cid13_issued *st = petrel_cid13_state(c->issued);
		if (st == NULL)
			return PETREL_E_MEMORY;
		st->request_out = false;
		st->peer_sends_new_cids = true;
	}
	for (size_t i = 0; i < n.count; i++) {
		const uint8_t *cid;
		size_t cid_len;
		if (!petrel_new_connection_id_entry(&n, i, &cid, &cid_len) ||
		    cid_len > sizeof c->result->tx_cid)
			return PETREL_E_ILLEGAL_PARAMETER;
		if (i == 0 && n.usage == PETREL_CID_IMMEDIATE) {
			/* "the new CID MUST be used immediately for all future
			 * records" (RFC 9147 9): from the next record on. */
			if (cid_len > 0)
				memcpy(c->result->tx_cid, cid, cid_len);
			c->result->tx_cid_len = cid_len;
			continue;
		}
		if (c->issued == NULL)
			continue; /* no place to keep spares: discarded (RFC 9147 9 MAY) */
		rc = petrel_cid13_spare_add(c->issued, c->result, cid, cid_len);
		if (rc < 0)
			return rc;
	}
	return 0;
}
