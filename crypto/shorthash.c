/* Keyed short hash over libsodium (see crypto/shorthash.h). */
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/shorthash.h"

_Static_assert(PETREL_SHORTHASH_KEY_LEN == crypto_shorthash_KEYBYTES, "shorthash key size");
_Static_assert(crypto_shorthash_BYTES == 8, "shorthash output size");

void petrel_shorthash_keygen(uint8_t key[PETREL_SHORTHASH_KEY_LEN])
{
	petrel_random(key, PETREL_SHORTHASH_KEY_LEN);
}

uint64_t petrel_shorthash(const uint8_t key[PETREL_SHORTHASH_KEY_LEN], const uint8_t *data, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	/* SipHash needs no sodium_init(): a pure function of key and data. */
	crypto_shorthash(out, data, len, key);
	uint64_t h = 0;
	for (size_t i = 0; i < sizeof out; i++)
		h |= (uint64_t)out[i] << (8 * i);
	return h;
}
