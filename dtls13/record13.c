/* DTLS 1.3 record protection (see dtls13/record13.h). */
#include "dtls13/record13.h"
#include "dtls13/record13_inline.h"

#include <string.h>

#include "petrel/petrel.h"

/* The write_iv bytes the sequence number meets, as one number. */
static uint64_t iv_low_of(const uint8_t iv[PETREL_AEAD_NONCE_LEN])
{
	uint64_t low = 0;
	for (int i = 4; i < PETREL_AEAD_NONCE_LEN; i++)
		low = low << 8 | iv[i];
	return low;
}

void petrel_dtls13_nonce(const uint8_t iv[PETREL_AEAD_NONCE_LEN], uint64_t seq,
			 uint8_t nonce[PETREL_AEAD_NONCE_LEN])
{
	petrel_dtls13_nonce_of(iv, iv_low_of(iv), seq, nonce);
}

int petrel_dtls13_record_prepare(struct petrel_dtls13_record_ctx *c,
				 const struct petrel_dtls13_record_keys *keys)
{
	if (keys == NULL || keys->aead == NULL || keys->sn == NULL)
		return PETREL_E_INVALID_REQUEST;
	c->tag_len = petrel_aead_tag_len(keys->alg);
	if (c->tag_len == 0)
		return PETREL_E_INVALID_REQUEST;
	c->keys = *keys;
	c->iv_low = iv_low_of(keys->iv);
	return 0;
}

size_t petrel_dtls13_record_overhead(enum petrel_aead_alg alg, size_t cid_len, bool seq16,
				     bool with_length)
{
	return petrel_dtls13_header_len(cid_len, seq16, with_length) + 1 + petrel_aead_tag_len(alg);
}

int petrel_dtls13_seal(const struct petrel_dtls13_record_keys *keys,
		       struct petrel_dtls13_header_params *hp, uint8_t real_type,
		       const uint8_t *payload, size_t len, size_t padding_len,
		       struct petrel_writer *w)
{
	struct petrel_dtls13_record_ctx c;
	int rc = petrel_dtls13_record_prepare(&c, keys);
	if (rc == 0)
		rc = petrel_dtls13_seal_ctx(&c, hp, real_type, payload, len, padding_len, w);
	petrel_wipe(&c, sizeof c);
	return rc;
}

int petrel_dtls13_open(const struct petrel_dtls13_record_keys *keys, uint8_t *record,
		       struct petrel_dtls13_header *h, uint64_t expected_seq,
		       const struct petrel_replay_window *replay, uint64_t *seq,
		       uint8_t *real_type, uint8_t **content, size_t *content_len)
{
	if (record == NULL)
		return PETREL_E_INVALID_REQUEST;
	struct petrel_dtls13_record_ctx c;
	int rc = petrel_dtls13_record_prepare(&c, keys);
	if (rc == 0)
		rc = petrel_dtls13_open_ctx(&c, record, h, expected_seq, replay, seq, real_type,
					    content, content_len);
	petrel_wipe(&c, sizeof c);
	return rc;
}

