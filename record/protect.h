/* Per-record AEAD inputs for DTLS 1.2: nonce and additional data. */
#ifndef PETREL_RECORD_PROTECT_H
#define PETREL_RECORD_PROTECT_H

#include <stdint.h>

#include "record/record.h"

#define PETREL_RL_AD_LEN 13
#define PETREL_RL_EXPLICIT_NONCE_LEN 8

/* GCM/CCM: fixed_iv[0..4) || explicit_nonce[0..8) (RFC 5288 3, RFC 6655 3).
 * ChaCha20-Poly1305: fixed_iv XOR (0^4 || epoch || seq48) (RFC 7905 2,
 * the 64-bit DTLS sequence number being epoch||seq, RFC 6347 4.1). */
void petrel_rl_nonce(const struct petrel_epoch_keys *keys, uint16_t epoch, uint64_t seq,
		     const uint8_t *explicit_nonce, uint8_t nonce[PETREL_AEAD_NONCE_LEN]);

/* RFC 5246 6.2.3.3 with the DTLS seq_num = epoch||seq (RFC 6347 4.1.2.1):
 * seq_num(8) || type(1) || version(2) || plaintext length(2). */
void petrel_rl_additional_data(uint8_t ad[PETREL_RL_AD_LEN], uint16_t epoch, uint64_t seq,
			       uint8_t content_type, uint16_t version, uint16_t plaintext_len);

#endif
