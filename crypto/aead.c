/* The record-protection AEADs (RFC 5116 interface): AES-GCM (RFC 5288 /
 * RFC 8446), AES-CCM and AES-CCM-8 (RFC 6655 / RFC 7251), ChaCha20-Poly1305
 * (RFC 7905 / RFC 8439). Keys are expanded once in petrel_aead_init; seal
 * and open keep their per-message state on the stack so one ctx may be used
 * from several threads and never allocates. */
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include <nettle/aes.h>
#include <nettle/ccm.h>
#include <nettle/gcm.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

struct petrel_aead_ctx {
	enum petrel_aead_alg alg;
	union {
		struct {
			struct gcm_key ghash; /* H table, derived from the AES key */
			struct aes128_ctx aes;
		} gcm128;
		struct {
			struct gcm_key ghash;
			struct aes256_ctx aes;
		} gcm256;
		struct aes128_ctx ccm;
		uint8_t chacha_key[crypto_aead_chacha20poly1305_IETF_KEYBYTES];
	} u;
};

#define CCM8_TAG_LEN 8
/* Below this, one extra gcm_encrypt call costs more than the copy it saves. */
#define PETREL_AEAD_GATHER_MIN 256

size_t petrel_aead_ctx_size(void) { return sizeof(struct petrel_aead_ctx); }

size_t petrel_aead_ctx_size_for(enum petrel_aead_alg alg)
{
	size_t head = offsetof(struct petrel_aead_ctx, u);
	struct petrel_aead_ctx *none = NULL;
	switch (alg) {
	case PETREL_AEAD_AES128_GCM:
		return head + sizeof none->u.gcm128;
	case PETREL_AEAD_AES256_GCM:
		return head + sizeof none->u.gcm256;
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
		return head + sizeof none->u.ccm;
	case PETREL_AEAD_CHACHA20_POLY1305:
		return head + sizeof none->u.chacha_key;
	}
	return sizeof(struct petrel_aead_ctx);
}

size_t petrel_aead_key_len(enum petrel_aead_alg alg)
{
	switch (alg) {
	case PETREL_AEAD_AES128_GCM:
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
		return 16;
	case PETREL_AEAD_AES256_GCM:
	case PETREL_AEAD_CHACHA20_POLY1305:
		return 32;
	}
	return 0;
}

size_t petrel_aead_tag_len(enum petrel_aead_alg alg)
{
	switch (alg) {
	case PETREL_AEAD_AES128_GCM:
	case PETREL_AEAD_AES256_GCM:
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_CHACHA20_POLY1305:
		return 16;
	case PETREL_AEAD_AES128_CCM8:
		return CCM8_TAG_LEN;
	}
	return 0;
}

int petrel_aead_init(struct petrel_aead_ctx *ctx, enum petrel_aead_alg alg, const uint8_t *key)
{
	if (ctx == NULL || key == NULL)
		return PETREL_E_INVALID_REQUEST;
	ctx->alg = alg;
	switch (alg) {
	case PETREL_AEAD_AES128_GCM:
		aes128_set_encrypt_key(&ctx->u.gcm128.aes, key);
		gcm_set_key(&ctx->u.gcm128.ghash, &ctx->u.gcm128.aes,
			    (nettle_cipher_func *)aes128_encrypt);
		return 0;
	case PETREL_AEAD_AES256_GCM:
		aes256_set_encrypt_key(&ctx->u.gcm256.aes, key);
		gcm_set_key(&ctx->u.gcm256.ghash, &ctx->u.gcm256.aes,
			    (nettle_cipher_func *)aes256_encrypt);
		return 0;
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
		aes128_set_encrypt_key(&ctx->u.ccm, key);
		return 0;
	case PETREL_AEAD_CHACHA20_POLY1305:
		petrel_crypto_init();
		memcpy(ctx->u.chacha_key, key, sizeof ctx->u.chacha_key);
		return 0;
	}
	ctx->alg = 0;
	return PETREL_E_INVALID_REQUEST;
}

void petrel_aead_wipe(struct petrel_aead_ctx *ctx)
{
	/* Only what the algorithm used: a CCM or ChaCha context is a few
	 * hundred bytes of the 4 KB union (and may be allocated that small). */
	if (ctx != NULL)
		petrel_wipe(ctx, petrel_aead_ctx_size_for(ctx->alg));
}

/* The AES key schedule and H table for a GCM ctx, with the matching block
 * function; false for other algorithms. */
static int gcm_parts(const struct petrel_aead_ctx *ctx, const struct gcm_key **ghash,
		     const void **aes, nettle_cipher_func **f)
{
	if (ctx->alg == PETREL_AEAD_AES128_GCM) {
		*ghash = &ctx->u.gcm128.ghash;
		*aes = &ctx->u.gcm128.aes;
		*f = (nettle_cipher_func *)aes128_encrypt;
		return 1;
	}
	if (ctx->alg == PETREL_AEAD_AES256_GCM) {
		*ghash = &ctx->u.gcm256.ghash;
		*aes = &ctx->u.gcm256.aes;
		*f = (nettle_cipher_func *)aes256_encrypt;
		return 1;
	}
	return 0;
}

/* The seal itself, arguments already checked (seal_from, seal_gather):
 * inlined into both, so a small record pays for one call. */
static inline __attribute__((always_inline)) int seal_checked(const struct petrel_aead_ctx *ctx,
			const uint8_t nonce[PETREL_AEAD_NONCE_LEN], const uint8_t *ad,
			size_t ad_len, uint8_t *dst, const uint8_t *src, size_t len)
{
	const struct gcm_key *ghash;
	const void *aes;
	nettle_cipher_func *f;

	if (gcm_parts(ctx, &ghash, &aes, &f)) {
		struct gcm_ctx gcm;

		gcm_set_iv(&gcm, ghash, PETREL_AEAD_NONCE_LEN, nonce);
		if (ad_len > 0)
			gcm_update(&gcm, ghash, ad_len, ad);
		gcm_encrypt(&gcm, ghash, aes, f, len, dst, src);
		gcm_digest(&gcm, ghash, aes, f, GCM_DIGEST_SIZE, dst + len);
		petrel_wipe(&gcm, sizeof gcm);
		return 0;
	}

	switch (ctx->alg) {
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8: {
		size_t tag_len = petrel_aead_tag_len(ctx->alg);

		ccm_encrypt_message(&ctx->u.ccm, (nettle_cipher_func *)aes128_encrypt,
				    PETREL_AEAD_NONCE_LEN, nonce, ad_len, ad, tag_len, len + tag_len,
				    dst, src);
		return 0;
	}
	case PETREL_AEAD_CHACHA20_POLY1305:
		if (crypto_aead_chacha20poly1305_ietf_encrypt_detached(
			    dst, dst + len, NULL, src, len, ad, ad_len, NULL, nonce,
			    ctx->u.chacha_key) != 0)
			return PETREL_E_CRYPTO;
		return 0;
	default:
		return PETREL_E_INVALID_REQUEST;
	}
}

int petrel_aead_seal_from(const struct petrel_aead_ctx *ctx,
			  const uint8_t nonce[PETREL_AEAD_NONCE_LEN], const uint8_t *ad,
			  size_t ad_len, uint8_t *dst, const uint8_t *src, size_t len)
{
	if (ctx == NULL || nonce == NULL || dst == NULL || (src == NULL && len > 0) ||
	    (ad == NULL && ad_len > 0))
		return PETREL_E_INVALID_REQUEST;
	return seal_checked(ctx, nonce, ad, ad_len, dst, src, len);
}

int petrel_aead_seal(const struct petrel_aead_ctx *ctx, const uint8_t nonce[PETREL_AEAD_NONCE_LEN],
		     const uint8_t *ad, size_t ad_len, uint8_t *buf, size_t len)
{
	return petrel_aead_seal_from(ctx, nonce, ad, ad_len, buf, buf, len);
}

int petrel_aead_open_to(const struct petrel_aead_ctx *ctx,
			const uint8_t nonce[PETREL_AEAD_NONCE_LEN], const uint8_t *ad,
			size_t ad_len, uint8_t *dst, const uint8_t *src, size_t len)
{
	const struct gcm_key *ghash;
	const void *aes;
	nettle_cipher_func *f;
	size_t tag_len;
	size_t text_len;

	if (ctx == NULL || nonce == NULL || ((dst == NULL || src == NULL) && len > 0) ||
	    (ad == NULL && ad_len > 0))
		return PETREL_E_INVALID_REQUEST;
	tag_len = petrel_aead_tag_len(ctx->alg);
	if (tag_len == 0)
		return PETREL_E_INVALID_REQUEST;
	if (len < tag_len)
		return PETREL_E_DECRYPTION_FAILED;
	text_len = len - tag_len;

	if (gcm_parts(ctx, &ghash, &aes, &f)) {
		struct gcm_ctx gcm;
		uint8_t tag[GCM_DIGEST_SIZE];
		int equal;

		gcm_set_iv(&gcm, ghash, PETREL_AEAD_NONCE_LEN, nonce);
		if (ad_len > 0)
			gcm_update(&gcm, ghash, ad_len, ad);
		gcm_decrypt(&gcm, ghash, aes, f, text_len, dst, src);
		gcm_digest(&gcm, ghash, aes, f, GCM_DIGEST_SIZE, tag);
		/* The tag follows the ciphertext in src (untouched when dst is src). */
		equal = petrel_ct_equal(tag, src + text_len, GCM_DIGEST_SIZE);
		petrel_wipe(&gcm, sizeof gcm);
		if (!equal) {
			/* Never leave unauthenticated plaintext behind. */
			petrel_wipe(dst, text_len);
			return PETREL_E_DECRYPTION_FAILED;
		}
		return 0;
	}

	switch (ctx->alg) {
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
		if (!ccm_decrypt_message(&ctx->u.ccm, (nettle_cipher_func *)aes128_encrypt,
					 PETREL_AEAD_NONCE_LEN, nonce, ad_len, ad, tag_len, text_len,
					 dst, src)) {
			petrel_wipe(dst, text_len);
			return PETREL_E_DECRYPTION_FAILED;
		}
		return 0;
	case PETREL_AEAD_CHACHA20_POLY1305:
		/* libsodium checks the tag before decrypting. */
		if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
			    dst, NULL, src, text_len, src + text_len, ad, ad_len, nonce,
			    ctx->u.chacha_key) != 0)
			return PETREL_E_DECRYPTION_FAILED;
		return 0;
	default:
		return PETREL_E_INVALID_REQUEST;
	}
}

int petrel_aead_open(const struct petrel_aead_ctx *ctx, const uint8_t nonce[PETREL_AEAD_NONCE_LEN],
		     const uint8_t *ad, size_t ad_len, uint8_t *buf, size_t len)
{
	return petrel_aead_open_to(ctx, nonce, ad, ad_len, buf, buf, len);
}

int petrel_aead_seal_gather(const struct petrel_aead_ctx *ctx,
			    const uint8_t nonce[PETREL_AEAD_NONCE_LEN], const uint8_t *ad,
			    size_t ad_len, uint8_t *dst, const uint8_t *src, size_t src_len,
			    size_t tail_len)
{
	const struct gcm_key *ghash;
	const void *aes;
	nettle_cipher_func *f;

	if (ctx == NULL || nonce == NULL || dst == NULL || (src == NULL && src_len > 0) ||
	    (ad == NULL && ad_len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (src_len < PETREL_AEAD_GATHER_MIN || !gcm_parts(ctx, &ghash, &aes, &f)) {
		/* One-shot AEADs: gather, then seal in place. */
		if (src_len > 0)
			memcpy(dst, src, src_len);
		return seal_checked(ctx, nonce, ad, ad_len, dst, dst, src_len + tail_len);
	}
	/* GCM streams whole blocks (nettle: every call but the last a
	 * multiple of GCM_BLOCK_SIZE): the blocks of src straight into dst,
	 * then the partial block of src and the tail together in place. */
	size_t whole = src_len - src_len % GCM_BLOCK_SIZE;
	struct gcm_ctx gcm;
	gcm_set_iv(&gcm, ghash, PETREL_AEAD_NONCE_LEN, nonce);
	if (ad_len > 0)
		gcm_update(&gcm, ghash, ad_len, ad);
	if (whole > 0)
		gcm_encrypt(&gcm, ghash, aes, f, whole, dst, src);
	if (src_len > whole)
		memcpy(dst + whole, src + whole, src_len - whole);
	size_t rest = src_len + tail_len - whole;
	gcm_encrypt(&gcm, ghash, aes, f, rest, dst + whole, dst + whole);
	gcm_digest(&gcm, ghash, aes, f, GCM_DIGEST_SIZE, dst + src_len + tail_len);
	petrel_wipe(&gcm, sizeof gcm);
	return 0;
}
