/* CIDs a DTLS 1.3 session issues after its handshake (RFC 9147 9):
 * NewConnectionId on request of the application (petrel_session_new_cids)
 * or in answer to the peer's RequestConnectionId, sent as a flight of one
 * message in the current epoch, retransmitted until acknowledged (RFC
 * 9147 5.8). The CIDs come from the endpoint when the session has one
 * (unique, routed to this session: dtls/endpoint_cid13.c), else random;
 * each has the negotiated CID's length (the unified header's CID length
 * is implicit, RFC 9147 4). Caps: dtls13/cid13_update.h; a CID counts
 * against them once its message is built and queued, and stops counting
 * once retired (dtls13/cid13_retire.c). Also our RequestConnectionId,
 * when the peer's spares run out (dtls13/cid13_spare.h). */
#include "dtls13/cid13_issue.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_update.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/messages13.h"

/* A fresh CID of len bytes, none of ours already (the negotiated one,
 * an issued one, or one of the `made` made before it for this message). */
static int make_cid(struct petrel_session_cid *sc, uint8_t *cid, size_t len,
		    uint8_t (*made)[PETREL_CID_EXT_MAX_LEN], size_t made_count)
{
	for (int tries = 0; tries < 8; tries++) {
		if (sc->cid_maker != NULL) {
			int rc = sc->cid_maker(sc->cid_maker_ctx, cid, len);
			if (rc < 0)
				return rc;
		} else {
			petrel_random(cid, len);
		}
		bool taken = memcmp(cid, sc->params.rx_cid, len) == 0 ||
			     petrel_cid13_issued_has(sc->issued13, cid, len);
		for (size_t i = 0; i < made_count; i++)
			taken |= memcmp(cid, made[i], len) == 0;
		if (!taken)
			return 0;
		/* A maker's CID we do not use: no longer routed. */
		if (sc->cid_maker != NULL && sc->issued13->on_retire != NULL)
			sc->issued13->on_retire(sc->issued13->on_retire_ctx, cid, len, false);
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

/* The session's CID state, made on first use. */
static struct petrel_cid13_issued *state(struct petrel_session_cid *sc)
{
	if (sc->issued13 == NULL)
		sc->issued13 = calloc(1, sizeof *sc->issued13);
	return sc->issued13;
}

/* Sends one post-handshake message (type, body of len bytes) as a
 * flight of its own in the current epoch, retransmitted until
 * acknowledged (RFC 9147 5.8). 0 once queued; the send's error after. */
static int send_flight(petrel_session *s, uint8_t type, const uint8_t *body, size_t len,
		       uint64_t now_ms, bool *queued)
{
	struct petrel_d13 *d = s->d13;
	*queued = false;
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	struct petrel_writer w;
	int rc = petrel_hs13_out_begin(&out, len, &w);
	if (rc == 0) {
		petrel_put_bytes(&w, body, len);
		rc = petrel_writer_ok(&w) ? 0 : PETREL_E_INTERNAL;
		if (rc < 0)
			free(w.start);
	}
	if (rc == 0)
		rc = petrel_hs13_out_commit(&out, type, (uint16_t)d->wr_epoch, &w);
	if (rc == 0)
		rc = petrel_flight13_take(s, &out, 0, out.msg_count, now_ms);
	if (rc == 0) {
		*queued = true;
		d->deadline_total_ms = now_ms + s->total_timeout_ms;
		rc = petrel_flight13_send(s, now_ms, false);
	}
	petrel_hs13_output_reset(&out);
	return rc;
}

int petrel_cid13_issue(petrel_session *s, unsigned count, uint8_t usage, uint64_t now_ms)
{
	if (!can_issue(s))
		return PETREL_E_INVALID_REQUEST;
	struct petrel_d13 *d = s->d13;
	struct petrel_session_cid *sc = s->cid;
	if (count == 0 || count > PETREL_CID13_ISSUE_PER_MESSAGE)
		return PETREL_E_INVALID_REQUEST;
	struct petrel_cid13_issued *iss = state(sc);
	if (iss == NULL)
		return PETREL_E_MEMORY;
	if (d->flight_active)
		return PETREL_E_AGAIN; /* one flight at a time (RFC 9147 5.8) */
	/* The cap counts CIDs held (issued, not yet retired). */
	if (iss->count + count > PETREL_CID13_ISSUE_MAX)
		return PETREL_E_LIMIT_EXCEEDED;
	size_t len = sc->params.rx_cid_len;
	uint8_t made[PETREL_CID13_ISSUE_PER_MESSAGE][PETREL_CID_EXT_MAX_LEN];
	const uint8_t *cids[PETREL_CID13_ISSUE_PER_MESSAGE];
	size_t lens[PETREL_CID13_ISSUE_PER_MESSAGE];
	size_t n_made = 0;
	int rc = 0;
	for (; n_made < count; n_made++) {
		rc = make_cid(sc, made[n_made], len, made, n_made);
		if (rc < 0)
			break;
		cids[n_made] = made[n_made];
		lens[n_made] = len;
	}
	uint8_t body[2 + PETREL_CID13_ISSUE_PER_MESSAGE * (1 + PETREL_CID_EXT_MAX_LEN) + 1];
	struct petrel_writer w;
	petrel_writer_init(&w, body, sizeof body);
	if (rc == 0)
		rc = petrel_new_connection_id_write(&w, cids, lens, count, usage);
	bool queued = false;
	if (rc == 0)
		rc = send_flight(s, PETREL_HS13_NEW_CONNECTION_ID, body, petrel_writer_len(&w), now_ms,
				 &queued);
	if (!queued) {
		/* Not sent: nothing counted against the cap, and the
		 * endpoint's routes for these CIDs go. */
		for (size_t i = 0; i < n_made && sc->cid_maker != NULL && iss->on_retire != NULL; i++)
			iss->on_retire(iss->on_retire_ctx, made[i], len, false);
		return rc;
	}
	/* Counted and accepted once the message is queued: the peer may use
	 * a CID as soon as the message arrives, before its ACK reaches us. */
	for (size_t i = 0; i < n_made; i++) {
		memcpy(iss->cids[iss->count], made[i], len);
		iss->serial[iss->count] = ++iss->last_serial;
		iss->count++;
	}
	return rc;
}

int petrel_cid13_request(petrel_session *s, uint64_t now_ms)
{
	/* RFC 9147 9: "Implementations MUST NOT send RequestConnectionId
	 * when sending an empty Connection ID", nor while "an existing
	 * request is still unfulfilled". */
	const struct petrel_d13 *d = s->d13;
	if (d == NULL || !d->done || s->fatal_error != 0 || s->closed || s->cid == NULL ||
	    !s->cid->params.negotiated || s->cid->params.tx_cid_len == 0)
		return PETREL_E_INVALID_REQUEST;
	struct petrel_cid13_issued *st = state(s->cid);
	if (st == NULL)
		return PETREL_E_MEMORY;
	if (st->request_out || !st->peer_sends_new_cids)
		return 0; /* asked already; or a peer that may not know the message */
	if (d->flight_active) {
		st->request_due = true; /* once our flight is acknowledged */
		return 0;
	}
	uint8_t body[1];
	struct petrel_writer w;
	petrel_writer_init(&w, body, sizeof body);
	int rc = petrel_request_connection_id_write(&w, PETREL_CID13_REQUEST_COUNT);
	bool queued = false;
	if (rc == 0)
		rc = send_flight(s, PETREL_HS13_REQUEST_CONNECTION_ID, body, petrel_writer_len(&w),
				 now_ms, &queued);
	if (queued) {
		st->request_out = true;
		st->request_due = false;
	}
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
	/* RFC 9147 9: the answer is a SHOULD. CIDs we cannot make (the
	 * endpoint's maker refusing a length, a full table, memory) get no
	 * answer, never the end of the session. */
	(void)rc;
	return 0;
}

int petrel_cid13_pending(petrel_session *s, uint64_t now_ms)
{
	if (s->cid == NULL || s->cid->issued13 == NULL || s->d13 == NULL || s->d13->flight_active)
		return 0;
	struct petrel_cid13_issued *st = s->cid->issued13;
	if (st->requested != 0) {
		uint8_t n = st->requested;
		st->requested = 0;
		return petrel_cid13_on_request(s, n, now_ms);
	}
	if (st->request_due) {
		st->request_due = false;
		int rc = petrel_cid13_request(s, now_ms);
		return rc == PETREL_E_INVALID_REQUEST ? 0 : rc;
	}
	return 0;
}

int petrel_session_new_cids(petrel_session *s, unsigned count, int usage)
{
	if (s == NULL || (usage != PETREL_CID_USAGE_IMMEDIATE && usage != PETREL_CID_USAGE_SPARE))
		return PETREL_E_INVALID_REQUEST;
	if (s->d13 == NULL) /* DTLS 1.2 has no NewConnectionId (RFC 9146) */
		return s->established ? PETREL_E_UNSUPPORTED : PETREL_E_INVALID_REQUEST;
	return petrel_cid13_issue(s, count, (uint8_t)usage, petrel_session_now(s));
}
