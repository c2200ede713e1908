/* The handshake transcript (dtls/transcript.c). */
#ifndef PETREL_DTLS_TRANSCRIPT_H
#define PETREL_DTLS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"

struct petrel_hs;

int petrel_hs_transcript_add(struct petrel_hs *hs, const uint8_t *data, size_t len);
void petrel_hs_transcript_hash(struct petrel_hs *hs, enum petrel_hash_alg alg, uint8_t *out);
/* Add one of our handshake messages to the current flight and to the
 * transcript. */
int petrel_hs_append_message(petrel_session *s, uint8_t msg_type, const uint8_t *body,
			     size_t len, uint16_t epoch);

#endif
