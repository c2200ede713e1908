/* Helpers shared by the crypto/ .c files only (never included outside crypto/). */
#ifndef PETREL_CRYPTO_INTERNAL_H
#define PETREL_CRYPTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include "crypto/crypto.h"

/* sodium_init() is idempotent and thread-safe; called before libsodium use
 * so it picks the CPU-specific implementations. */
void petrel_crypto_init(void);

/* nettle_random_func backed by libsodium's CSPRNG (ctx unused). */
void petrel_nettle_random(void *ctx, size_t len, uint8_t *dst);

/* A keyed HMAC: the key is absorbed once and the context is reused for many
 * messages (nettle's digest resets to the keyed inner state). */
struct petrel_hmac_ctx {
	enum petrel_hash_alg alg;
	union {
		struct hmac_sha256_ctx sha256;
		struct hmac_sha384_ctx sha384;
	} u;
};
/* Returns PETREL_E_INVALID_REQUEST for an unknown alg. */
int petrel_hmac_init(struct petrel_hmac_ctx *ctx, enum petrel_hash_alg alg, const uint8_t *key,
		     size_t key_len);
void petrel_hmac_update(struct petrel_hmac_ctx *ctx, const uint8_t *data, size_t len);
/* Writes the full MAC and re-arms ctx for the next message under the same key. */
void petrel_hmac_final(struct petrel_hmac_ctx *ctx, uint8_t *out);
/* The first len bytes of the MAC (len <= the hash length), re-arming ctx
 * alike. */
void petrel_hmac_final_truncated(struct petrel_hmac_ctx *ctx, uint8_t *out, size_t len);
/* Bytes of *ctx in use for alg (the SHA-256 state is the smaller one):
 * what a copy or wipe of a keyed context needs. */
size_t petrel_hmac_ctx_used(enum petrel_hash_alg alg);

#endif
