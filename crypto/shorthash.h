/* A keyed short hash for hash tables whose keys a peer chooses (addresses,
 * Connection IDs): with a secret key, a peer cannot aim collisions at one
 * bucket. libsodium's crypto_shorthash (SipHash-2-4). */
#ifndef PETREL_CRYPTO_SHORTHASH_H
#define PETREL_CRYPTO_SHORTHASH_H

#include <stddef.h>
#include <stdint.h>

#define PETREL_SHORTHASH_KEY_LEN 16

/* A fresh random key. */
void petrel_shorthash_keygen(uint8_t key[PETREL_SHORTHASH_KEY_LEN]);
uint64_t petrel_shorthash(const uint8_t key[PETREL_SHORTHASH_KEY_LEN], const uint8_t *data, size_t len);

#endif
