/* The handshake transcript (dtls/transcript.c). */
#ifndef PETREL_DTLS_TRANSCRIPT_H
#define PETREL_DTLS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"

struct petrel_hs;

/* TLS 1.3's handshake header: msg_type and uint24 length (RFC 8446 4). */
#define PETREL_HS13_TRANSCRIPT_HEADER_LEN 4

/* Raw bytes into the transcript (and its running hash). */
int petrel_hs_transcript_add(struct petrel_hs *hs, const uint8_t *data, size_t len);
/* One whole message, given with its 12-byte DTLS header (unfragmented:
 * fragment_offset 0, fragment_length = length), framed for the
 * handshake's version: DTLS 1.2 hashes the 12-byte header, DTLS 1.3 the
 * 4-byte TLS header. */
int petrel_hs_transcript_add_message(struct petrel_hs *hs, const uint8_t *header,
				     const uint8_t *body, size_t len);
/* Forget (wipe) everything after the first len bytes: a peer message
 * that was added and then dropped (dtls/hs_drop.c). */
void petrel_hs_transcript_truncate(struct petrel_hs *hs, size_t len);
/* DTLS 1.3 after a HelloRetryRequest: ClientHello1 becomes message_hash
 * (RFC 8446 4.4.1). PETREL_E_INVALID_REQUEST for DTLS 1.2. */
int petrel_hs_transcript_hrr(struct petrel_hs *hs, enum petrel_hash_alg alg);
void petrel_hs_transcript_hash(struct petrel_hs *hs, enum petrel_hash_alg alg, uint8_t *out);
/* Add one of our handshake messages to the current flight and to the
 * transcript. */
int petrel_hs_append_message(petrel_session *s, uint8_t msg_type, const uint8_t *body,
			     size_t len, uint16_t epoch);

#endif
