/* CIDs a DTLS 1.3 session issues after its handshake (RFC 9147 9):
 * NewConnectionId on request of the application (petrel_session_new_cids)
 * or in answer to the peer's RequestConnectionId, sent as a flight of one
 * message in the current epoch, retransmitted until acknowledged (RFC
 * 9147 5.8). The CIDs come from the endpoint when the session has one
 * (unique, routed to this session: dtls/endpoint_cid13.c), else random;
 * each has the negotiated CID's length (the unified header's CID length
 * is implicit, RFC 9147 4). Caps: dtls13/cid13_update.h. */
#include "dtls13/cid13_issue.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_update.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/messages13.h"

/* A fresh CID of len bytes, none of ours already (the negotiated one or
 * an issued one). */
static int make_cid(struct petrel_session_cid *sc, uint8_t *cid, size_t len)
{
	for (int tries = 0; tries < 8; tries++) {
		if (sc->cid_maker != NULL) {
			int rc = sc->cid_maker(sc->cid_maker_ctx, cid, len);
			if (rc < 0)
				return rc;
		} else {
			petrel_random(cid, len);
		}
		if (memcmp(cid, sc->params.rx_cid, len) != 0 &&
		    !petrel_cid13_issued_has(sc->issued13, cid, len))
			return 0;
	}
	return PETREL_E_INTERNAL;
}

/* Whether s can issue CIDs now: a 1.3 session done with its handshake,
 * CIDs negotiated with a non-empty one of ours. */
static bool can_issue(const petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	return d != NULL && d->done && s->fatal_error == 0 && !s->closed && s->cid != NULL &&
	       s->cid->params.negotiated && s->cid->params.rx_cid_len > 0;
}

int petrel_cid13_issue(petrel_session *s, unsigned count, uint8_t usage, uint64_t now_ms)
{
	if (!can_issue(s))
		return PETREL_E_INVALID_REQUEST;
	struct petrel_d13 *d = s->d13;
	struct petrel_session_cid *sc = s->cid;
	if (count == 0 || count > PETREL_CID13_ISSUE_PER_MESSAGE)
		return PETREL_E_INVALID_REQUEST;
	if (sc->issued13 == NULL) {
		sc->issued13 = calloc(1, sizeof *sc->issued13);
		if (sc->issued13 == NULL)
			return PETREL_E_MEMORY;
	}
	if (d->flight_active)
		return PETREL_E_AGAIN; /* one flight at a time (RFC 9147 5.8) */
	struct petrel_cid13_issued *iss = sc->issued13;
	if (iss->count + count > PETREL_CID13_ISSUE_MAX)
		return PETREL_E_LIMIT_EXCEEDED;
	size_t len = sc->params.rx_cid_len;
	const uint8_t *cids[PETREL_CID13_ISSUE_PER_MESSAGE];
	size_t lens[PETREL_CID13_ISSUE_PER_MESSAGE];
	size_t first = iss->count;
	for (unsigned i = 0; i < count; i++) {
		int rc = make_cid(sc, iss->cids[first + i], len);
		if (rc < 0)
			return rc;
		/* Accepted from here on: the peer may use it as soon as the
		 * message arrives, before its ACK reaches us. */
		iss->count++;
		cids[i] = iss->cids[first + i];
		lens[i] = len;
	}
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	struct petrel_writer w;
	int rc = petrel_hs13_out_begin(&out, 2 + count * (1 + len) + 1, &w);
	if (rc == 0) {
		rc = petrel_new_connection_id_write(&w, cids, lens, count, usage);
		if (rc < 0)
			free(w.start);
	}
	if (rc == 0)
		rc = petrel_hs13_out_commit(&out, PETREL_HS13_NEW_CONNECTION_ID, (uint16_t)d->wr_epoch,
					    &w);
	if (rc == 0)
		rc = petrel_flight13_take(s, &out, 0, out.msg_count, now_ms);
	d->deadline_total_ms = now_ms + s->total_timeout_ms;
	if (rc == 0)
		rc = petrel_flight13_send(s, now_ms, false);
	petrel_hs13_output_reset(&out);
	return rc;
}

int petrel_cid13_on_request(petrel_session *s, uint8_t requested, uint64_t now_ms)
{
	if (!can_issue(s) || requested == 0)
		return 0;
	size_t issued = s->cid->issued13 ? s->cid->issued13->count : 0;
	size_t left = PETREL_CID13_ISSUE_MAX - issued;
	size_t n = requested;
	if (n > PETREL_CID13_ISSUE_PER_MESSAGE)
		n = PETREL_CID13_ISSUE_PER_MESSAGE;
	if (n > left)
		n = left;
	if (n == 0)
		return 0; /* capped: nothing more to give */
	int rc = petrel_cid13_issue(s, (unsigned)n, PETREL_CID_SPARE, now_ms);
	if (rc == PETREL_E_AGAIN && s->cid->issued13 != NULL) {
		s->cid->issued13->requested = (uint8_t)n; /* after our flight */
		return 0;
	}
	return rc;
}

int petrel_cid13_pending(petrel_session *s, uint64_t now_ms)
{
	if (s->cid == NULL || s->cid->issued13 == NULL || s->cid->issued13->requested == 0 ||
	    s->d13 == NULL || s->d13->flight_active)
		return 0;
	uint8_t n = s->cid->issued13->requested;
	s->cid->issued13->requested = 0;
	return petrel_cid13_on_request(s, n, now_ms);
}

int petrel_session_new_cids(petrel_session *s, unsigned count, int usage)
{
	if (s == NULL || (usage != PETREL_CID_USAGE_IMMEDIATE && usage != PETREL_CID_USAGE_SPARE))
		return PETREL_E_INVALID_REQUEST;
	if (s->d13 == NULL) /* DTLS 1.2 has no NewConnectionId (RFC 9146) */
		return s->established ? PETREL_E_UNSUPPORTED : PETREL_E_INVALID_REQUEST;
	return petrel_cid13_issue(s, count, (uint8_t)usage, petrel_session_now(s));
}
