/* HKDF-Expand under a PRK keyed once (RFC 5869 2.3, RFC 8446 7.1): the
 * HMAC pads of the PRK are absorbed a single time and every Expand or
 * Expand-Label under that PRK starts from the keyed state, two hash
 * blocks fewer per call. The TLS 1.3 schedule expands most secrets
 * several times (key, iv and sn of a traffic secret, RFC 8446 7.3 and
 * RFC 9147 4.2.3; both traffic secrets of a stage, RFC 8446 7.1). */
#ifndef PETREL_CRYPTO_HKDF_H
#define PETREL_CRYPTO_HKDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Opaque keyed HMAC state (it holds key material: petrel_hkdf_key_wipe). */
#define PETREL_HKDF_KEY_BYTES 704
struct petrel_hkdf_key {
	_Alignas(16) unsigned char opaque[PETREL_HKDF_KEY_BYTES];
};

/* Keys HMAC with prk (prk_len bytes, HashLen in TLS 1.3).
 * PETREL_E_INVALID_REQUEST for an unknown hash. */
int petrel_hkdf_key_init(struct petrel_hkdf_key *key, enum petrel_hash_alg alg, const uint8_t *prk,
			 size_t prk_len);
void petrel_hkdf_key_wipe(struct petrel_hkdf_key *key);
/* petrel_hkdf_expand and petrel_hkdf_expand_label under a keyed PRK; key
 * is not changed (each call works on a copy, wiped afterwards). */
int petrel_hkdf_expand_keyed(const struct petrel_hkdf_key *key, const uint8_t *info,
			     size_t info_len, uint8_t *out, size_t out_len);
int petrel_hkdf_expand_label_keyed(const struct petrel_hkdf_key *key, const char *prefix,
				   const char *label, const uint8_t *context, size_t context_len,
				   uint8_t *out, size_t out_len);

#endif
