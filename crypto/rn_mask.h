/* DTLS 1.3 record number encryption masks (RFC 9147 4.2.3).
 *
 *   AES-based AEADs:  Mask = AES-ECB(sn_key, Ciphertext[0..15])
 *   ChaCha20-Poly1305: Mask = ChaCha20(sn_key, counter = Ciphertext[0..3],
 *                                      nonce = Ciphertext[4..15], 0^16)
 *
 * The AES variant follows the AEAD's key length (AES-128 for AES-128-GCM,
 * -CCM and -CCM-8, AES-256 for AES-256-GCM); sn_key is as long as the
 * AEAD key. The caller XORs the first 1 or 2 mask bytes into the
 * sequence number field; the sample must be 16 ciphertext bytes (shorter
 * records are invalid, RFC 9147 4.2.3).
 *
 * RFC 9147 gives no byte order for the ChaCha20 counter. Read
 * little-endian, the 16-byte sample is exactly RFC 8439's counter||nonce
 * block (as QUIC, RFC 9001 5.4.4, NSS and OpenSSL do); wolfSSL 5.5 reads it
 * big-endian (see tests/vectors/dtls13/README.md). Both are offered. */
#ifndef PETREL_CRYPTO_RN_MASK_H
#define PETREL_CRYPTO_RN_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define PETREL_RN_SAMPLE_LEN 16
#define PETREL_RN_MASK_LEN 16

enum petrel_rn_chacha_counter {
	PETREL_RN_COUNTER_LE = 0, /* RFC 8439 block layout; QUIC, NSS, OpenSSL */
	PETREL_RN_COUNTER_BE = 1, /* wolfSSL 5.5 */
};

/* nettle's block-cipher call shape (nettle_cipher_func). */
typedef void petrel_rn_block_func(const void *ctx, size_t len, uint8_t *dst, const uint8_t *src);

/* An sn_key ready for use: the AES key schedule or the ChaCha20 key.
 * Opaque, fixed size, no allocation; wipe with petrel_rn_key_wipe.
 * aes_block: nettle's AES encryption for the key's length, chosen once
 * by petrel_rn_key_init (NULL for ChaCha20). */
struct petrel_rn_key {
	enum petrel_aead_alg alg;
	petrel_rn_block_func *aes_block;
	_Alignas(16) unsigned char opaque[240];
};

/* sn_key is petrel_aead_key_len(alg) bytes. PETREL_E_INVALID_REQUEST for
 * an unknown algorithm. */
int petrel_rn_key_init(struct petrel_rn_key *key, enum petrel_aead_alg alg, const uint8_t *sn_key);
void petrel_rn_key_wipe(struct petrel_rn_key *key);

/* The 16-byte mask for one record from its first 16 ciphertext bytes.
 * order only matters for ChaCha20. */
int petrel_rn_mask(const struct petrel_rn_key *key, const uint8_t sample[PETREL_RN_SAMPLE_LEN],
		   enum petrel_rn_chacha_counter order, uint8_t mask[PETREL_RN_MASK_LEN]);

/* petrel_rn_mask for the per-record path, whose key came from
 * petrel_rn_key_init and whose pointers are not NULL: an AES key goes
 * straight to its block function (no dispatch per record). */
static inline int petrel_rn_mask_record(const struct petrel_rn_key *key,
					const uint8_t sample[PETREL_RN_SAMPLE_LEN],
					enum petrel_rn_chacha_counter order,
					uint8_t mask[PETREL_RN_MASK_LEN])
{
	if (key->aes_block != NULL) {
		key->aes_block(key->opaque, PETREL_RN_MASK_LEN, mask, sample);
		return 0;
	}
	return petrel_rn_mask(key, sample, order, mask);
}

#endif
