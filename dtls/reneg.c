/* Secure renegotiation for DTLS 1.2 (RFC 5746; RFC 6347 4.2.7), off by
 * default (petrel_session_set_renegotiation). GnuTLS's contract: a server
 * asks with petrel_rehandshake (HelloRequest) and finishes with
 * petrel_handshake, which returns PETREL_E_GOT_APPLICATION_DATA when
 * application data arrives meanwhile; a client answers a HelloRequest on
 * its own and its next petrel_handshake / petrel_record_recv call drives
 * the new handshake; a client may also start one. A peer without RFC 5746
 * is never renegotiated with (RFC 5746 4.2 / 4.4). This half starts and
 * refuses renegotiations (engine level: it calls the dispatcher); the
 * renegotiation_info services the role files call are dtls/reneg_info.c. */
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/reneg.h"
#include "dtls/session.h"

int petrel_session_set_renegotiation(petrel_session *s, int enable)
{
	if (s == NULL)
		return PETREL_E_INVALID_REQUEST;
	s->reneg.enabled = enable != 0;
	return 0;
}

unsigned petrel_session_get_renegotiations(const petrel_session *s)
{
	return s->reneg.completed;
}

/* A new handshake on the established association: a fresh handshake
 * state whose reassembler takes only records of the current epoch. */
static int start_hs(petrel_session *s, uint64_t now_ms)
{
	int rc = petrel_hs_start(s, now_ms);
	if (rc < 0)
		return rc;
	petrel_reasm_set_epoch(&s->hs->rx, petrel_rl_read_epoch(&s->rl));
	s->reneg.active = true;
	return 0;
}

static bool can_renegotiate(const petrel_session *s)
{
	return s->reneg.enabled && s->reneg.peer_secure && s->reneg.have_verify_data &&
	       s->established && !s->closed && s->fatal_error == 0 && s->hs == NULL &&
	       petrel_rl_read_epoch(&s->rl) > 0;
}

/* Server: HelloRequest (RFC 5246 7.4.1.1), alone in the flight and kept
 * out of the transcript; retransmitted until a ClientHello answers. */
static int send_hello_request(petrel_session *s, uint64_t now_ms)
{
	int rc = start_hs(s, now_ms);
	if (rc < 0)
		return rc;
	struct petrel_hs *hs = s->hs;
	hs->state = HS_S_WAIT_CH;
	rc = petrel_flight_add_handshake(&hs->flight, PETREL_HS_HELLO_REQUEST, 0,
					 petrel_rl_write_epoch(&s->rl), NULL, 0);
	/* It takes message_seq 0: the ServerHello follows with 1 (GnuTLS
	 * counts it so; RFC 6347 4.2.2). */
	hs->next_send_seq = 1;
	if (rc == 0)
		rc = petrel_hs_send_flight(s, now_ms, false);
	return rc == PETREL_E_LARGE_PACKET ? 0 : rc;
}

int petrel_rehandshake(petrel_session *s)
{
	if (s == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (s->fatal_error)
		return s->fatal_error;
	/* RFC 8446 4.1.2 (RFC 9147 5): DTLS 1.3 has no renegotiation; its
	 * keys change by KeyUpdate (petrel_handshake on a 1.3 session). */
	if (s->version == PETREL_V_DTLS13)
		return PETREL_E_UNSUPPORTED;
	if (!s->reneg.enabled || !s->established || s->closed || s->hs != NULL)
		return PETREL_E_INVALID_REQUEST;
	if (!s->reneg.peer_secure || !s->reneg.have_verify_data)
		return PETREL_E_NO_RENEGOTIATION; /* RFC 5746 4.2 / 4.4 */
	uint64_t now = petrel_session_now(s);
	s->clock_seen_ms = now;
	int rc;
	if (s->role == PETREL_SERVER) {
		rc = send_hello_request(s, now);
	} else {
		s->reneg.active = true;
		rc = petrel_dispatch_begin(s, now); /* the 1.2 client's ClientHello */
		if (rc == 0 || rc == PETREL_E_LARGE_PACKET)
			petrel_reasm_set_epoch(&s->hs->rx, petrel_rl_read_epoch(&s->rl));
		if (rc == PETREL_E_LARGE_PACKET)
			rc = 0; /* the flight stays pending for petrel_handshake */
	}
	if (rc < 0) {
		s->reneg.active = false;
		return petrel_session_fail(s, rc, petrel_alert_for_error(rc));
	}
	return 0;
}

int petrel_reneg_on_peer_request(petrel_session *s, const struct petrel_record *rec,
				 uint64_t now_ms)
{
	struct petrel_reneg *r = &s->reneg;
	/* A late copy of the request that opened the previous renegotiation
	 * (its epoch is still readable, RFC 6347 4.1) asks for nothing. */
	if (rec->epoch != petrel_rl_read_epoch(&s->rl))
		return 0;
	if (now_ms - r->window_start_ms >= PETREL_RENEG_WINDOW_MS || r->window_start_ms == 0) {
		r->window_start_ms = now_ms ? now_ms : 1;
		r->peer_requests_in_window = 0;
	}
	if (!can_renegotiate(s) || r->peer_requests_in_window >= PETREL_RENEG_MAX_PER_WINDOW) {
		/* RFC 5246 7.2.2 / RFC 5746 4.2: a warning; the peer decides
		 * whether to go on without the new handshake. */
		r->refused++;
		return petrel_send_alert(s, PETREL_ALERT_WARNING, ALERT_NO_RENEGOTIATION);
	}
	r->peer_requests_in_window++;
	if (s->role == PETREL_SERVER) {
		int rc = start_hs(s, now_ms);
		if (rc < 0)
			return rc;
		s->hs->state = HS_S_WAIT_CH;
		return 1;
	}
	r->active = true;
	int rc = petrel_dispatch_begin(s, now_ms); /* the 1.2 client's ClientHello */
	if (s->hs) {
		petrel_reasm_set_epoch(&s->hs->rx, petrel_rl_read_epoch(&s->rl));
		/* The HelloRequest took the server's message_seq (see
		 * send_hello_request): its ServerHello comes next. */
		struct petrel_reader rd;
		struct petrel_hs_header h;
		const uint8_t *frag;
		petrel_reader_init(&rd, rec->fragment, rec->length);
		if (petrel_hs_header_read(&rd, &h, &frag) == 0)
			petrel_reasm_set_next_seq(&s->hs->rx, (uint16_t)(h.message_seq + 1));
	}
	return rc == PETREL_E_LARGE_PACKET ? 0 : rc;
}

void petrel_reneg_on_alert(petrel_session *s, uint8_t desc)
{
	struct petrel_hs *hs = s->hs;
	if (desc != ALERT_NO_RENEGOTIATION || !s->reneg.active || hs == NULL)
		return;
	/* Only while our request is still unanswered: later, the peer is in
	 * the new handshake and cannot refuse it any more. */
	if (hs->state != HS_S_WAIT_CH && hs->state != HS_C_WAIT_SH)
		return;
	petrel_hs_free(s);
	s->reneg.active = false;
}

bool petrel_reneg_app_epoch_ok(petrel_session *s, uint16_t epoch)
{
	uint16_t current = petrel_rl_read_epoch(&s->rl);
	if (epoch == current) {
		if (s->reneg.retire_pending && s->hs == NULL) {
			/* The peer writes in the new epoch: nothing of the old
			 * one is still on its way that we need. */
			petrel_rl_retire_previous_read(&s->rl);
			s->reneg.retire_pending = false;
		}
		return true;
	}
	return epoch > 0 && (uint16_t)(epoch + 1) == current;
}
