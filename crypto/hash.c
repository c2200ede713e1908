/* SHA-256 / SHA-384 (FIPS 180-4) over nettle, with snapshot-able state for
 * handshake transcripts. */
#include <string.h>

#include <nettle/sha2.h>
#include <sodium.h>

#include "crypto/crypto.h"

_Static_assert(sizeof(struct sha512_ctx) <= sizeof(((struct petrel_hash_ctx *)0)->state.bytes),
	       "petrel_hash_ctx storage too small for sha512_ctx");
_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((struct petrel_hash_ctx *)0)->state.bytes),
	       "petrel_hash_ctx storage too small for sha256_ctx");
_Static_assert(_Alignof(struct sha512_ctx) <= _Alignof(uint64_t), "hash ctx alignment");

size_t petrel_hash_len(enum petrel_hash_alg alg)
{
	switch (alg) {
	case PETREL_HASH_SHA256:
		return SHA256_DIGEST_SIZE;
	case PETREL_HASH_SHA384:
		return SHA384_DIGEST_SIZE;
	}
	return 0;
}

void petrel_hash_init(struct petrel_hash_ctx *ctx, enum petrel_hash_alg alg)
{
	ctx->alg = alg;
	if (alg == PETREL_HASH_SHA384)
		sha384_init((struct sha512_ctx *)(void *)ctx->state.bytes);
	else
		sha256_init((struct sha256_ctx *)(void *)ctx->state.bytes);
}

void petrel_hash_update(struct petrel_hash_ctx *ctx, const uint8_t *data, size_t len)
{
	if (len == 0)
		return;
	if (ctx->alg == PETREL_HASH_SHA384)
		sha512_update((struct sha512_ctx *)(void *)ctx->state.bytes, len, data);
	else
		sha256_update((struct sha256_ctx *)(void *)ctx->state.bytes, len, data);
}

void petrel_hash_peek(const struct petrel_hash_ctx *ctx, uint8_t *out)
{
	struct petrel_hash_ctx copy = *ctx;

	if (copy.alg == PETREL_HASH_SHA384)
		sha384_digest((struct sha512_ctx *)(void *)copy.state.bytes, SHA384_DIGEST_SIZE, out);
	else
		sha256_digest((struct sha256_ctx *)(void *)copy.state.bytes, SHA256_DIGEST_SIZE, out);
}

void petrel_hash(enum petrel_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out)
{
	if (alg == PETREL_HASH_SHA384) {
		struct sha512_ctx c;
		sha384_init(&c);
		if (len > 0)
			sha384_update(&c, len, data);
		sha384_digest(&c, SHA384_DIGEST_SIZE, out);
	} else {
		struct sha256_ctx c;
		sha256_init(&c);
		if (len > 0)
			sha256_update(&c, len, data);
		sha256_digest(&c, SHA256_DIGEST_SIZE, out);
	}
}

void petrel_keyed_hash(const uint8_t key[32], const uint8_t *data, size_t len, uint8_t *out,
		       size_t out_len)
{
	/* Fails only outside 16..64 output bytes (programmer error). */
	if (crypto_generichash_blake2b(out, out_len, data, len, key, 32) != 0)
		memset(out, 0, out_len);
}
