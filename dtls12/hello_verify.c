/* The HelloVerifyRequest (RFC 6347 4.2.1), built in this one place for
 * both stateless answers: a session's before it has handshake state
 * (dtls12/server12.c) and the endpoint's (petrel_server_stateless_check).
 * Smaller than the ClientHello it answers, so no amplification. */
#include <string.h>

#include "dtls/first_hello.h"
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

int petrel_hello_verify_answer(const struct petrel_credentials *creds, const uint8_t *peer,
			       size_t peer_len, const struct petrel_first_hello_msg *m, uint64_t now_ms,
			       uint8_t *out, size_t cap, size_t *out_len)
{
	struct petrel_client_hello ch;
	if (petrel_client_hello_parse(m->body, m->h.length, &ch) < 0)
		return PETREL_E_AGAIN;
	uint32_t age;
	uint16_t hvr_seq;
	if (petrel_cookie_check(creds, peer, peer_len, &ch, (uint32_t)now_ms, &age, &hvr_seq) == 0)
		return 1;
	uint8_t msg[PETREL_HVR_MESSAGE_MAX];
	size_t msg_len;
	if (petrel_hello_verify_message(creds, peer, peer_len, &ch, now_ms, m->first_record_seq,
					m->h.message_seq, msg, sizeof msg, &msg_len) < 0)
		return PETREL_E_AGAIN;
	/* In a record numbered as the ClientHello's first (RFC 6347 4.2.1). */
	struct petrel_writer w;
	struct petrel_record_header rh = {PETREL_CT_HANDSHAKE, PETREL_DTLS10_VERSION, 0,
					  m->first_record_seq, (uint16_t)msg_len};
	petrel_writer_init(&w, out, cap);
	if (!petrel_record_header_write(&w, &rh) || !petrel_put_bytes(&w, msg, msg_len))
		return PETREL_E_AGAIN;
	*out_len = petrel_writer_len(&w);
	return 0;
}
