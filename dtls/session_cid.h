/* RFC 9146 Connection IDs on a DTLS 1.2 session: the configuration
 * (petrel_session_set_cid, or the endpoint's CID length), the hello hooks
 * that negotiate them (dtls/msg_cid.h) and the hand-over of the result to
 * the record layer (record/cid.h). The state is a heap block, made only
 * for sessions that use CIDs: other sessions carry one NULL pointer. */
#ifndef PETREL_DTLS_SESSION_CID_H
#define PETREL_DTLS_SESSION_CID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/messages.h"
#include "dtls/msg_cid.h"
#include "dtls/session.h"

struct petrel_session_cid {
	/* The CID we ask the peer to put in its records (may be empty:
	 * "I send CIDs but need none", RFC 9146 3). */
	uint8_t ours[PETREL_CID_EXT_MAX_LEN];
	size_t ours_len;
	/* The outcome of the last handshake; the record layer points into it. */
	struct petrel_cid_params params;
	/* tkt13: DTLS 1.3 CIDs issued after the handshake (heap, NULL until
	 * one is; dtls13/cid13_update.h), and who makes them: the endpoint
	 * (unique, routed to this session: dtls/endpoint_cid13.c), else NULL
	 * (random). The maker writes len bytes into cid: 0 or <0. */
	struct petrel_cid13_issued *issued13;
	int (*cid_maker)(void *ctx, uint8_t *cid, size_t len);
	void *cid_maker_ctx;
};

/* Enables CIDs with this CID to receive (copied). 0, PETREL_E_MEMORY or
 * PETREL_E_INVALID_REQUEST (over 255 bytes, handshake under way). */
int petrel_session_cid_enable(petrel_session *s, const uint8_t *cid, size_t len);
void petrel_session_cid_free(petrel_session *s);

/* Client: add the extension to the ClientHello when CIDs are enabled
 * (ext->connection_id points into the session). */
void petrel_cid_offer(petrel_session *s, struct petrel_extensions *ext);
/* Client, on the ServerHello's extensions: records the outcome and hands
 * it to the record layer. PETREL_E_UNSUPPORTED for an answer to an
 * extension never sent (RFC 5246 7.4.1.4). */
int petrel_cid_on_server_hello(petrel_session *s, const struct petrel_extensions *sh_ext);
/* Server, on the ClientHello's extensions: the answer to put in the
 * ServerHello's (sh_ext), outcome recorded as above. */
int petrel_cid_on_client_hello(petrel_session *s, const struct petrel_extensions *ch_ext,
			       struct petrel_extensions *sh_ext);

/* DTLS 1.3 (RFC 9147 9): the same configuration and outcome, handed to
 * the 1.3 handshake cores (dtls13/cid13_ext.h). Disabled without CIDs. */
struct petrel_cid13_config;
void petrel_cid13_session_config(petrel_session *s, struct petrel_cid13_config *out);

#endif
