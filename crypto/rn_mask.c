/* Record number encryption masks for DTLS 1.3 (RFC 9147 4.2.3) over
 * nettle's AES and libsodium's ChaCha20 (RFC 8439 block function). */
#include "crypto/rn_mask.h"

#include <string.h>

#include <nettle/aes.h>
#include <sodium.h>

#include "crypto/internal.h"
#include "petrel/petrel.h"

_Static_assert(sizeof(struct aes256_ctx) <= sizeof(((struct petrel_rn_key *)0)->opaque),
	       "petrel_rn_key too small for nettle's aes256_ctx");
_Static_assert(sizeof(struct aes128_ctx) <= sizeof(((struct petrel_rn_key *)0)->opaque),
	       "petrel_rn_key too small for nettle's aes128_ctx");
_Static_assert(crypto_stream_chacha20_ietf_KEYBYTES <= sizeof(((struct petrel_rn_key *)0)->opaque),
	       "petrel_rn_key too small for a ChaCha20 key");

int petrel_rn_key_init(struct petrel_rn_key *key, enum petrel_aead_alg alg, const uint8_t *sn_key)
{
	if (key == NULL || sn_key == NULL)
		return PETREL_E_INVALID_REQUEST;
	memset(key, 0, sizeof *key);
	switch (alg) {
	case PETREL_AEAD_AES128_GCM:
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
		aes128_set_encrypt_key((struct aes128_ctx *)(void *)key->opaque, sn_key);
		key->aes_block = (petrel_rn_block_func *)aes128_encrypt;
		break;
	case PETREL_AEAD_AES256_GCM:
		aes256_set_encrypt_key((struct aes256_ctx *)(void *)key->opaque, sn_key);
		key->aes_block = (petrel_rn_block_func *)aes256_encrypt;
		break;
	case PETREL_AEAD_CHACHA20_POLY1305:
		petrel_crypto_init();
		memcpy(key->opaque, sn_key, crypto_stream_chacha20_ietf_KEYBYTES);
		break;
	default:
		return PETREL_E_INVALID_REQUEST;
	}
	key->alg = alg;
	return 0;
}

void petrel_rn_key_wipe(struct petrel_rn_key *key)
{
	if (key != NULL)
		sodium_memzero(key, sizeof *key);
}

int petrel_rn_mask(const struct petrel_rn_key *key, const uint8_t sample[PETREL_RN_SAMPLE_LEN],
		   enum petrel_rn_chacha_counter order, uint8_t mask[PETREL_RN_MASK_LEN])
{
	if (key == NULL || sample == NULL || mask == NULL)
		return PETREL_E_INVALID_REQUEST;
	switch (key->alg) {
	case PETREL_AEAD_AES128_GCM:
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
		/* One block: ECB of the sample. */
		aes128_encrypt((const struct aes128_ctx *)(const void *)key->opaque,
			       PETREL_RN_MASK_LEN, mask, sample);
		return 0;
	case PETREL_AEAD_AES256_GCM:
		aes256_encrypt((const struct aes256_ctx *)(const void *)key->opaque,
			       PETREL_RN_MASK_LEN, mask, sample);
		return 0;
	case PETREL_AEAD_CHACHA20_POLY1305: {
		uint32_t counter;
		if (order == PETREL_RN_COUNTER_BE)
			counter = (uint32_t)sample[0] << 24 | (uint32_t)sample[1] << 16 |
				  (uint32_t)sample[2] << 8 | sample[3];
		else
			counter = (uint32_t)sample[3] << 24 | (uint32_t)sample[2] << 16 |
				  (uint32_t)sample[1] << 8 | sample[0];
		/* ChaCha20 keystream XOR zeros = the keystream itself. */
		memset(mask, 0, PETREL_RN_MASK_LEN);
		crypto_stream_chacha20_ietf_xor_ic(mask, mask, PETREL_RN_MASK_LEN, sample + 4,
						   counter, key->opaque);
		return 0;
	}
	default:
		return PETREL_E_INVALID_REQUEST;
	}
}
