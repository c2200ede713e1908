/* Dropping an unauthenticated handshake message that fails
 * (dtls/hs_drop.c): the rule, and the undo of what its handler changed. */
#ifndef PETREL_DTLS_HS_DROP_H
#define PETREL_DTLS_HS_DROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/session.h"

/* What a DTLS 1.2 handler may change before it fails on a message it
 * cannot use: saved before each epoch-0 message is handled, put back
 * when it is dropped, so the genuine message is handled as if the
 * dropped one never came. Holds a copy of the ECDHE private key: wiped
 * by petrel_hs_drop_done. */
struct petrel_hs_undo {
	enum petrel_hs_state state;
	uint16_t next_send_seq;
	size_t flight_entries;
	size_t transcript_len;
	const struct petrel_suite *suite;
	bool ems, resuming;
	struct petrel_rto rto;
	bool got_peer_flight;
	unsigned round_trips;
	const char *alpn_selected;
	bool hb_negotiated, hb_peer_allows;
	uint8_t server_cert_type, client_cert_type;
	uint8_t kx_priv[PETREL_KX_PRIV_LEN];
};

/* Before the handler runs (s->hs exists). */
void petrel_hs_drop_save(const petrel_session *s, struct petrel_hs_undo *u);
/* After it failed with rc on a message of a record of this epoch:
 * whether the message is dropped rather than ending the handshake.
 * When true, everything saved is put back and rc remembered for the
 * timeout (hs->dropped_error); the caller takes the message back from
 * the reassembler. */
bool petrel_hs_drop_failed(petrel_session *s, struct petrel_hs_undo *u, int rc, uint16_t epoch);
/* Always, once the message is dealt with: wipes the saved key. */
void petrel_hs_drop_done(struct petrel_hs_undo *u);

/* The error the handshake ends with at its total timeout: the last one a
 * dropped message or an unauthenticated alert gave since the handshake
 * last moved on, else PETREL_E_TIMEDOUT; *alert is the alert to send
 * (-1: none, the peer ended it with its own). */
int petrel_hs_drop_timeout_error(const petrel_session *s, int *alert);

#endif
