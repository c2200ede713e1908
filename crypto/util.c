/* CSPRNG, constant-time compare and wipe, all from libsodium. */
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/internal.h"

void petrel_crypto_init(void)
{
	/* Fails only if libsodium cannot initialise at all; its primitives
	 * still work with the portable implementations, so nothing to report. */
	if (sodium_init() < 0)
		return;
}

void petrel_random(void *buf, size_t len)
{
	petrel_crypto_init();
	randombytes_buf(buf, len);
}

void petrel_nettle_random(void *ctx, size_t len, uint8_t *dst)
{
	(void)ctx;
	petrel_random(dst, len);
}

int petrel_ct_equal(const void *a, const void *b, size_t len)
{
	/* libsodium's fixed-size compares (tags, MACs, digests) take a few
	 * instructions; sodium_memcmp goes a byte at a time. */
	switch (len) {
	case 16:
		return crypto_verify_16(a, b) == 0;
	case 32:
		return crypto_verify_32(a, b) == 0;
	case 64:
		return crypto_verify_64(a, b) == 0;
	default:
		return sodium_memcmp(a, b, len) == 0;
	}
}

void petrel_wipe(void *buf, size_t len)
{
	if (buf != NULL && len > 0)
		sodium_memzero(buf, len);
}
