/* Connection IDs negotiated in a DTLS 1.3 handshake (RFC 9147 9): the
 * connection_id extension of RFC 9146 3, unchanged, in ClientHello and
 * ServerHello (the same hellos as in DTLS 1.2; not EncryptedExtensions).
 * Each side names the CID it wants to RECEIVE; an empty one means
 * "send me records without a CID". The outcome goes into the session's
 * RFC 9146 parameters (dtls/session_cid.h), so petrel_session_get_cid,
 * --verbose and the report show 1.3 CIDs as they show 1.2 ones; the 1.3
 * record layer reads it from there (dtls13/cid13_record.h).
 *
 * Pure: the cores (client13, server13) call these with their copy of
 * the configuration; no session, no I/O. */
#ifndef PETREL_DTLS13_CID13_EXT_H
#define PETREL_DTLS13_CID13_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "dtls/msg_cid.h"

struct petrel_cid13_config {
	bool enabled;          /* offer (client) / answer (server) the extension */
	const uint8_t *ours;   /* the CID we want in the records we receive */
	size_t ours_len;
	struct petrel_cid_params *result; /* the session's: written by the hello hooks */
	/* tkt13: the session's CIDs issued after the handshake
	 * (cid13_update.h), also accepted in received records, and the
	 * peer's spares; *issued NULL: none yet (made on first use). */
	struct petrel_cid13_issued **issued;
};

/* Client, in ClientHello (before pre_shared_key, which stays last): the
 * whole extension when enabled, nothing otherwise. 0 or
 * PETREL_E_SHORT_BUFFER / PETREL_E_INVALID_REQUEST. */
int petrel_cid13_write_offer(const struct petrel_cid13_config *c, struct petrel_writer *w);

/* Client, on the ServerHello's extensions block: records the outcome.
 * PETREL_E_UNSUPPORTED for an answer to an offer never made (RFC 8446
 * 4.2: unsupported_extension), PETREL_E_DECODE_ERROR / _ILLEGAL_PARAMETER
 * for a bad or duplicated extension. */
int petrel_cid13_client_on_server_hello(const struct petrel_cid13_config *c, const uint8_t *exts,
					size_t exts_len);

/* Server, on the ClientHello that gets a ServerHello (not a
 * HelloRetryRequest, RFC 8446 4.1.4 lists what an HRR may carry): records
 * the outcome. 1 = the ServerHello carries the extension, 0 = not,
 * negative on a malformed extension. */
int petrel_cid13_server_on_client_hello(const struct petrel_cid13_config *c, const uint8_t *exts,
					size_t exts_len);

/* Server, in ServerHello: the whole extension when server_on_client_hello
 * said 1 (c->result negotiated). */
int petrel_cid13_write_answer(const struct petrel_cid13_config *c, struct petrel_writer *w);

#endif
