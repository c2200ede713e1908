/* What the record-layer tests share: every AEAD the record layer offers,
 * and deterministic epoch keys. */
#ifndef PETREL_TESTS_RECORD_TESTUTIL_H
#define PETREL_TESTS_RECORD_TESTUTIL_H

#include <stdint.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/record.h"

static const enum petrel_aead_alg all_aeads[] = {
	PETREL_AEAD_AES128_GCM, PETREL_AEAD_AES256_GCM, PETREL_AEAD_AES128_CCM,
	PETREL_AEAD_AES128_CCM8, PETREL_AEAD_CHACHA20_POLY1305,
};
#define N_AEADS (sizeof(all_aeads) / sizeof(all_aeads[0]))

/* Deterministic keys: key[i] = seed + i, iv[i] = seed ^ 0x5a + i. */
static inline struct petrel_epoch_keys test_keys(enum petrel_aead_alg alg, uint8_t seed)
{
	struct petrel_epoch_keys k;
	memset(&k, 0, sizeof(k));
	k.aead = alg;
	for (size_t i = 0; i < sizeof(k.key); i++)
		k.key[i] = (uint8_t)(seed + i);
	for (size_t i = 0; i < sizeof(k.fixed_iv); i++)
		k.fixed_iv[i] = (uint8_t)((seed ^ 0x5a) + i);
	return k;
}

#endif
