/* The HelloVerifyRequest (RFC 6347 4.2.1), built in this one place for
 * both stateless answers: a session's before it has handshake state
 * (dtls12/server12.c) and the endpoint's (petrel_server_stateless_check).
 * Smaller than the ClientHello it answers, so no amplification. */
#include <string.h>

#include "dtls/session.h"

int petrel_hello_verify_message(const struct petrel_credentials *creds, const uint8_t *peer,
				size_t peer_len, const struct petrel_client_hello *ch, uint64_t now_ms,
				uint64_t record_seq, uint16_t message_seq, uint8_t *msg, size_t cap,
				size_t *msg_len)
{
	if (cap < PETREL_HVR_MESSAGE_MAX)
		return PETREL_E_SHORT_BUFFER;
	/* The cookie binds the peer's address, the ClientHello and the low
	 * bits of the record number the HelloVerifyRequest echoes. */
	uint8_t cookie[PETREL_COOKIE_LEN];
	petrel_cookie_make(creds, peer, peer_len, ch, (uint32_t)now_ms, (uint16_t)record_seq, cookie);
	/* RFC 6347 4.2.1: DTLS 1.2 servers SHOULD use version 1.0 here. */
	struct petrel_hello_verify_request hvr = {PETREL_WIRE_DTLS10, cookie, sizeof cookie};
	struct petrel_writer w;
	petrel_writer_init(&w, msg + PETREL_HS_HEADER_LEN, cap - PETREL_HS_HEADER_LEN);
	int rc = petrel_hello_verify_request_write(&w, &hvr);
	if (rc < 0)
		return rc;
	/* message_seq echoes the ClientHello's (RFC 6347 4.2.2). */
	petrel_hs_header_encode_full(msg, PETREL_HS_HELLO_VERIFY_REQUEST, message_seq,
				     (uint32_t)petrel_writer_len(&w));
	*msg_len = PETREL_HS_HEADER_LEN + petrel_writer_len(&w);
	return 0;
}
