/* HMAC (RFC 2104) with SHA-256/384 over nettle. */
#include <stddef.h>

#include <nettle/hmac.h>

#include "crypto/crypto.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

int petrel_hmac_init(struct petrel_hmac_ctx *ctx, enum petrel_hash_alg alg, const uint8_t *key,
		     size_t key_len)
{
	ctx->alg = alg;
	switch (alg) {
	case PETREL_HASH_SHA256:
		hmac_sha256_set_key(&ctx->u.sha256, key_len, key);
		return 0;
	case PETREL_HASH_SHA384:
		hmac_sha384_set_key(&ctx->u.sha384, key_len, key);
		return 0;
	}
	return PETREL_E_INVALID_REQUEST;
}

void petrel_hmac_update(struct petrel_hmac_ctx *ctx, const uint8_t *data, size_t len)
{
	if (len == 0)
		return;
	if (ctx->alg == PETREL_HASH_SHA384)
		hmac_sha384_update(&ctx->u.sha384, len, data);
	else
		hmac_sha256_update(&ctx->u.sha256, len, data);
}

void petrel_hmac_final(struct petrel_hmac_ctx *ctx, uint8_t *out)
{
	if (ctx->alg == PETREL_HASH_SHA384)
		hmac_sha384_digest(&ctx->u.sha384, SHA384_DIGEST_SIZE, out);
	else
		hmac_sha256_digest(&ctx->u.sha256, SHA256_DIGEST_SIZE, out);
}

void petrel_hmac_final_truncated(struct petrel_hmac_ctx *ctx, uint8_t *out, size_t len)
{
	if (ctx->alg == PETREL_HASH_SHA384)
		hmac_sha384_digest(&ctx->u.sha384, len, out);
	else
		hmac_sha256_digest(&ctx->u.sha256, len, out);
}

size_t petrel_hmac_ctx_used(enum petrel_hash_alg alg)
{
	return alg == PETREL_HASH_SHA384 ? sizeof(struct petrel_hmac_ctx)
					 : offsetof(struct petrel_hmac_ctx, u) +
						   sizeof(struct hmac_sha256_ctx);
}

void petrel_hmac(enum petrel_hash_alg alg, const uint8_t *key, size_t key_len,
		 const uint8_t *data, size_t data_len, uint8_t *out)
{
	struct petrel_hmac_ctx ctx;

	if (petrel_hmac_init(&ctx, alg, key, key_len) != 0)
		return;
	petrel_hmac_update(&ctx, data, data_len);
	petrel_hmac_final(&ctx, out);
	petrel_wipe(&ctx, sizeof ctx);
}
