/* petrel_session_rotate_cid and petrel_session_spare_cids: the
 * application's side of the peer's spare CIDs (dtls13/cid13_spare.h),
 * apart from the pure list so that the message handlers never call up
 * into the sender (dtls13/cid13_issue.c). */
#include "dtls/session.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_issue.h"
#include "dtls13/cid13_spare.h"
#include "dtls13/engine13_internal.h"
#include "petrel/petrel.h"

/* A 1.3 session done with its handshake that sends a CID: only then is
 * there a CID to change (RFC 9147 9). */
static int can_rotate(const petrel_session *s)
{
	if (s->d13 == NULL) /* DTLS 1.2 (RFC 9146) has no CID updates */
		return s->established ? PETREL_E_UNSUPPORTED : PETREL_E_INVALID_REQUEST;
	if (!s->d13->done || s->fatal_error != 0 || s->closed || s->cid == NULL ||
	    !s->cid->params.negotiated || s->cid->params.tx_cid_len == 0)
		return PETREL_E_INVALID_REQUEST;
	return 0;
}

int petrel_session_rotate_cid(petrel_session *s)
{
	if (s == NULL)
		return PETREL_E_INVALID_REQUEST;
	int rc = can_rotate(s);
	if (rc < 0)
		return rc;
	rc = petrel_cid13_spare_take(s->cid->issued13, &s->cid->params);
	if (s->cid->issued13 == NULL || s->cid->issued13->spare_count == 0) {
		/* None left (or none to take): ask for more, when we may. */
		int req = petrel_cid13_request(s, petrel_session_now(s));
		if (req < 0 && petrel_error_is_fatal(req))
			return req;
	}
	return rc;
}

int petrel_session_spare_cids(const petrel_session *s)
{
	if (s == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (s->d13 == NULL || s->cid == NULL || s->cid->issued13 == NULL)
		return 0;
	return (int)s->cid->issued13->spare_count;
}
