/* AEAD nonce and additional data for DTLS 1.2 records. */
#include "record/protect.h"

#include <string.h>

void petrel_rl_nonce(const struct petrel_epoch_keys *keys, uint16_t epoch, uint64_t seq,
		     const uint8_t *explicit_nonce, uint8_t nonce[PETREL_AEAD_NONCE_LEN])
{
	if (keys->aead == PETREL_AEAD_CHACHA20_POLY1305) {
		uint8_t padded[PETREL_AEAD_NONCE_LEN] = {0};
		petrel_store_u16(padded + 4, epoch);
		petrel_store_u48(padded + 6, seq);
		for (size_t i = 0; i < PETREL_AEAD_NONCE_LEN; i++)
			nonce[i] = (uint8_t)(keys->fixed_iv[i] ^ padded[i]);
		return;
	}
	memcpy(nonce, keys->fixed_iv, 4);
	memcpy(nonce + 4, explicit_nonce, PETREL_RL_EXPLICIT_NONCE_LEN);
}

void petrel_rl_additional_data(uint8_t ad[PETREL_RL_AD_LEN], uint16_t epoch, uint64_t seq,
			       uint8_t content_type, uint16_t version, uint16_t plaintext_len)
{
	/* RFC 5246 6.2.3.3 with RFC 6347 4.1.2.1's epoch||seq: a fixed
	 * 13-byte layout into a fixed array, so plain stores. */
	petrel_store_u16(ad, epoch);
	petrel_store_u48(ad + 2, seq);
	ad[8] = content_type;
	petrel_store_u16(ad + 9, version);
	petrel_store_u16(ad + 11, plaintext_len);
}
