/* Unauthenticated handshake input that fails: dropped, not fatal.
 *
 * RFC 6347 4.1.2.7: invalid records SHOULD be silently discarded, "thus
 * preserving the association", and a DTLS stack that answers with fatal
 * alerts is "extremely susceptible to denial-of-service" because UDP
 * forgery is easy. Until the peer's ChangeCipherSpec nothing it sends is
 * authenticated (epoch 0, RFC 6347 4.1): a handshake message that fails
 * to parse or validate there, or an alert, may be anyone's. So:
 *  - an epoch-0 message that fails is dropped like an invalid record:
 *    taken back from the reassembler (its message_seq is expected again,
 *    so the genuine message still gets in) and whatever its handler
 *    changed put back (struct petrel_hs_undo). Its error is remembered,
 *    the last since the handshake last moved on: a peer that really
 *    sends it repeats it with every retransmission, and the handshake
 *    ends at its total timeout with that error and its alert (a bad
 *    certificate, ALPN, EMS refusal...), not a bare PETREL_E_TIMEDOUT;
 *  - an epoch-0 alert is remembered the same way (dtls/engine.c);
 *  - it stays fatal when the failure is ours (memory, internal, sending),
 *    when the handler already moved the state or began our next flight
 *    (nothing to put back safely), and on authenticated epochs (a bad
 *    Finished after the CCS is MACed: the peer's own, fatal at once).
 * Forgeries can therefore only change which error a failing handshake
 * reports, never make a good one fail. The cost: a peer that refuses us
 * in epoch 0 is heard at our timeout, not at once (use a short
 * petrel_dtls_set_timeouts for interactive tools). A server's first
 * ClientHello is not covered: it answers with an alert at once
 * (protocol_version, no shared cipher, issue #17 item 14), as no
 * handshake exists yet and a cookie exchange (RFC 6347 4.2.1) proved the
 * address. */
#include "dtls/hs_drop.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/alert.h"
#include "dtls/transcript.h"

void petrel_hs_drop_save(const petrel_session *s, struct petrel_hs_undo *u)
{
	const struct petrel_hs *hs = s->hs;
	u->state = hs->state;
	u->next_send_seq = hs->next_send_seq;
	u->flight_entries = hs->flight.entry_count;
	u->transcript_len = hs->transcript_len;
	u->suite = hs->suite;
	u->ems = hs->ems;
	u->resuming = hs->resuming;
	u->rto = hs->rto;
	u->got_peer_flight = hs->got_peer_flight;
	u->round_trips = s->stats.round_trips;
	u->alpn_selected = s->alpn_selected;
	u->hb_negotiated = s->hb_negotiated;
	u->hb_peer_allows = s->hb_peer_allows;
	u->server_cert_type = s->server_cert_type;
	u->client_cert_type = s->client_cert_type;
	/* The server's ClientKeyExchange handler wipes its ECDHE key even
	 * when the client's point is bad: the genuine one still needs it. */
	memcpy(u->kx_priv, hs->kx_priv, sizeof u->kx_priv);
}

/* Failures of our own: no forgery caused them, and retrying would not help. */
static bool local_failure(int rc)
{
	switch (rc) {
	case PETREL_E_MEMORY:
	case PETREL_E_INTERNAL:
	case PETREL_E_INVALID_REQUEST:
	case PETREL_E_PUSH_ERROR:
	case PETREL_E_SEQ_EXHAUSTED:
	case PETREL_E_CRYPTO:
	case PETREL_E_FILE_ERROR:
		return true;
	default:
		return false;
	}
}

bool petrel_hs_drop_failed(petrel_session *s, struct petrel_hs_undo *u, int rc, uint16_t epoch)
{
	struct petrel_hs *hs = s->hs;
	if (epoch != 0 || hs == NULL || s->established || !petrel_error_is_fatal(rc) ||
	    local_failure(rc))
		return false;
	if (hs->state != u->state || hs->next_send_seq != u->next_send_seq ||
	    hs->flight.entry_count != u->flight_entries)
		return false;
	petrel_hs_transcript_truncate(hs, u->transcript_len);
	hs->suite = u->suite;
	hs->ems = u->ems;
	hs->resuming = u->resuming;
	/* A dropped message answered nothing: no RTT sample, no reset of
	 * the back-off, no round trip. */
	hs->rto = u->rto;
	hs->got_peer_flight = u->got_peer_flight;
	s->stats.round_trips = u->round_trips;
	if (s->alpn_selected != u->alpn_selected) {
		/* Set by the dropped ServerHello (none was before it in epoch 0). */
		free(s->alpn_selected);
		s->alpn_selected = NULL;
	}
	s->hb_negotiated = u->hb_negotiated;
	s->hb_peer_allows = u->hb_peer_allows;
	s->server_cert_type = u->server_cert_type;
	s->client_cert_type = u->client_cert_type;
	memcpy(hs->kx_priv, u->kx_priv, sizeof hs->kx_priv);
	hs->dropped_error = rc;
	if (rc == PETREL_E_UNEXPECTED_MESSAGE)
		hs->unexpected_dropped++;
	return true;
}

void petrel_hs_drop_done(struct petrel_hs_undo *u)
{
	petrel_wipe(u->kx_priv, sizeof u->kx_priv);
}

int petrel_hs_drop_timeout_error(const petrel_session *s, int *alert)
{
	int rc = s->hs ? s->hs->dropped_error : 0;
	if (rc == 0) {
		*alert = ALERT_HANDSHAKE_FAILURE;
		return PETREL_E_TIMEDOUT;
	}
	/* RFC 5246 7.2.2: nothing is sent back for the peer's own alert. */
	if (rc == PETREL_E_FATAL_ALERT_RECEIVED || rc == PETREL_E_SESSION_CLOSED)
		*alert = -1;
	else
		*alert = petrel_alert_for_error(rc);
	return rc;
}
