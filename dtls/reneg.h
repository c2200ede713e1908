/* Secure renegotiation for DTLS 1.2 (RFC 5746, RFC 6347 4.2.7), off by
 * default: the state each session keeps, and the hooks the engine and the
 * two state machines call. Kept apart from session.h so the state
 * machines stay about one handshake each. dtls/reneg.c starts and refuses
 * renegotiations (the engine calls it; it calls the dispatcher);
 * dtls/reneg_info.c is the service half (verify_data, renegotiation_info,
 * the message epoch) the role files, the transcript and hs_state call. */
#ifndef PETREL_DTLS_RENEG_H
#define PETREL_DTLS_RENEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

/* RFC 5246 7.4.9: verify_data is 12 bytes for every suite we have. */
#define PETREL_RENEG_VERIFY_LEN 12
/* Peer-initiated renegotiations taken per window (DoS bound: each one
 * costs a public-key handshake); more get no_renegotiation. */
#define PETREL_RENEG_MAX_PER_WINDOW 4u
#define PETREL_RENEG_WINDOW_MS 60000u

struct petrel_reneg {
	bool enabled;     /* petrel_session_set_renegotiation */
	bool peer_secure; /* the peer signalled RFC 5746 in the first handshake */
	bool active;      /* a renegotiating handshake is running */
	bool have_verify_data;
	bool retire_pending; /* the old read epoch goes once the new one is confirmed */
	/* RFC 5746 3.1: client_verify_data || server_verify_data of the
	 * last completed handshake on this connection (wiped with it). */
	uint8_t verify_data[2 * PETREL_RENEG_VERIFY_LEN];
	uint64_t window_start_ms;
	unsigned peer_requests_in_window;
	unsigned completed; /* renegotiations completed */
	unsigned refused;   /* peer requests answered with no_renegotiation */
};

struct petrel_hs;
struct petrel_record;
struct petrel_extensions;
struct petrel_client_hello;
struct petrel_hs_message;

/* engine.c, petrel_hs_finish: keep both Finished messages' verify_data
 * (the last two messages of the transcript) for the next renegotiation. */
void petrel_reneg_on_finish(petrel_session *s, const struct petrel_hs *hs);
/* engine.c: the peer asks for a new handshake (ClientHello to a server,
 * HelloRequest to a client) on an established session. 0: refused with a
 * no_renegotiation warning (RFC 5246 7.2.2) or consumed (client: our
 * ClientHello went out); 1: server, a handshake state was made and the
 * record goes to it; < 0 error. */
int petrel_reneg_on_peer_request(petrel_session *s, const struct petrel_record *rec,
				 uint64_t now_ms);
/* engine.c: a no_renegotiation alert while our request is unanswered
 * cancels the renegotiation; the session goes on in its epoch. */
void petrel_reneg_on_alert(petrel_session *s, uint8_t desc);
/* engine.c: whether application data of this epoch is taken: the current
 * read epoch, or the one before it while it is kept (RFC 6347 4.1:
 * records of the old epoch may still arrive after the change). */
bool petrel_reneg_app_epoch_ok(petrel_session *s, uint16_t epoch);
/* engine.c, petrel_hs_append_message: our handshake messages before our
 * ChangeCipherSpec go in the current epoch, not epoch 0, during a
 * renegotiation. */
uint16_t petrel_reneg_message_epoch(const petrel_session *s, uint16_t epoch);

/* client12.c: the renegotiation_info we send (RFC 5746 3.4 / 3.5). */
void petrel_reneg_client_hello_ext(petrel_session *s, struct petrel_extensions *ext);
/* client12.c: check the ServerHello's renegotiation_info. */
int petrel_reneg_check_server_hello(petrel_session *s, const struct petrel_extensions *ext);
/* server12.c: check the ClientHello's signal (RFC 5746 3.6 / 3.7) and
 * fill the ServerHello's renegotiation_info. */
int petrel_reneg_server_hello_ext(petrel_session *s, const struct petrel_client_hello *ch,
				  struct petrel_extensions *sh_ext);
/* server12.c: a ClientHello in the handshake a HelloRequest (or the
 * client's own request) opened. */
int petrel_server_reneg_client_hello(petrel_session *s, const struct petrel_hs_message *m,
				     uint64_t now_ms);

#endif
