/* The 12-byte DTLS 1.2 handshake message header (RFC 6347 4.2.2):
 *   msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3)
 * DTLS adds message_seq and the fragment fields to the TLS header so that a
 * message can be split across records and reassembled in order. */
#ifndef PETREL_DTLS_HS_HEADER_H
#define PETREL_DTLS_HS_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"

#define PETREL_HS_HEADER_LEN 12
/* length and fragment fields are uint24 on the wire. */
#define PETREL_HS_MAX_LENGTH 0xffffffu

/* HandshakeType (RFC 5246 7.4, RFC 6347 4.3.2, RFC 5077 3.3). */
enum petrel_hs_type {
	PETREL_HS_HELLO_REQUEST = 0,
	PETREL_HS_CLIENT_HELLO = 1,
	PETREL_HS_SERVER_HELLO = 2,
	PETREL_HS_HELLO_VERIFY_REQUEST = 3,
	PETREL_HS_NEW_SESSION_TICKET = 4,
	PETREL_HS_CERTIFICATE = 11,
	PETREL_HS_SERVER_KEY_EXCHANGE = 12,
	PETREL_HS_CERTIFICATE_REQUEST = 13,
	PETREL_HS_SERVER_HELLO_DONE = 14,
	PETREL_HS_CERTIFICATE_VERIFY = 15,
	PETREL_HS_CLIENT_KEY_EXCHANGE = 16,
	PETREL_HS_FINISHED = 20,
};

struct petrel_hs_header {
	uint8_t msg_type;
	uint32_t length; /* whole message body, 24 bits */
	uint16_t message_seq;
	uint32_t fragment_offset; /* 24 bits */
	uint32_t fragment_length; /* 24 bits */
};

/* Read one header and point *fragment at its fragment_length body bytes
 * (no copy; *fragment is NULL-safe to use with fragment_length 0).
 * Fails with PETREL_E_DECODE_ERROR when the header or body is short, or
 * when fragment_offset + fragment_length > length. On failure r is marked
 * failed, so a record holding several handshake fragments stops parsing. */
int petrel_hs_header_read(struct petrel_reader *r, struct petrel_hs_header *h,
			  const uint8_t **fragment);

/* Whether a record's handshake fragments (p, len) include a message
 * older than next_seq: the peer retransmitting a flight we answered
 * (RFC 6347 4.2.4, RFC 9147 5.8). Stops at the first unframeable one. */
bool petrel_hs_record_has_old_message(const uint8_t *p, size_t len, uint16_t next_seq);

/* Write the 12 header bytes (not the body). PETREL_E_SHORT_BUFFER if w is
 * full, PETREL_E_INVALID_REQUEST if a field exceeds 24 bits or the
 * fragment lies outside the message. */
int petrel_hs_header_write(struct petrel_writer *w, const struct petrel_hs_header *h);

/* The header of the message as if it were sent unfragmented
 * (fragment_offset 0, fragment_length = length): the form the handshake
 * hash covers (RFC 6347 4.2.6). length must be <= PETREL_HS_MAX_LENGTH. */
void petrel_hs_header_encode_full(uint8_t out[PETREL_HS_HEADER_LEN], uint8_t msg_type,
				  uint16_t message_seq, uint32_t length);

#endif
