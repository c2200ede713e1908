/* DTLS 1.3 record protection (see dtls13/record13.h). */
#include "dtls13/record13.h"

#include <string.h>

#include "petrel/petrel.h"
#include "record/cid.h"

void petrel_dtls13_nonce(const uint8_t iv[PETREL_AEAD_NONCE_LEN], uint64_t seq,
			 uint8_t nonce[PETREL_AEAD_NONCE_LEN])
{
	/* The first four iv bytes meet the zero padding; the last eight the
	 * big-endian sequence number, XORed as one word. */
	uint64_t low = (uint64_t)iv[4] << 56 | (uint64_t)iv[5] << 48 | (uint64_t)iv[6] << 40 |
		       (uint64_t)iv[7] << 32 | (uint64_t)iv[8] << 24 | (uint64_t)iv[9] << 16 |
		       (uint64_t)iv[10] << 8 | iv[11];
	uint64_t x = low ^ seq;
	memcpy(nonce, iv, 4);
	nonce[4] = (uint8_t)(x >> 56);
	nonce[5] = (uint8_t)(x >> 48);
	nonce[6] = (uint8_t)(x >> 40);
	nonce[7] = (uint8_t)(x >> 32);
	nonce[8] = (uint8_t)(x >> 24);
	nonce[9] = (uint8_t)(x >> 16);
	nonce[10] = (uint8_t)(x >> 8);
	nonce[11] = (uint8_t)x;
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
	if (keys == NULL || keys->aead == NULL || keys->sn == NULL || real_type == 0 ||
	    (payload == NULL && len > 0) || hp->cid_len > 255 || (hp->cid == NULL && hp->cid_len > 0))
		return PETREL_E_INVALID_REQUEST;
	size_t tag_len = petrel_aead_tag_len(keys->alg);
	if (tag_len == 0)
		return PETREL_E_INVALID_REQUEST;
	if (len > PETREL_DTLS13_MAX_INNER - 1 || padding_len > PETREL_DTLS13_MAX_INNER - 1 - len)
		return PETREL_E_RECORD_OVERFLOW;
	/* RFC 9147 4.2.3: the mask samples 16 ciphertext bytes. */
	size_t inner_len = len + 1 + padding_len;
	if (inner_len + tag_len < PETREL_DTLS13_MIN_CIPHERTEXT) {
		padding_len += PETREL_DTLS13_MIN_CIPHERTEXT - (inner_len + tag_len);
		inner_len = PETREL_DTLS13_MIN_CIPHERTEXT - tag_len;
	}
	hp->length = inner_len + tag_len;
	size_t header_len = petrel_dtls13_header_len(hp->cid_len, hp->seq16, hp->with_length);
	size_t record_len = header_len + hp->length;
	if (!petrel_writer_ok(w) || petrel_writer_left(w) < record_len)
		return PETREL_E_SHORT_BUFFER;
	uint8_t *record = w->p;
	if ((len > 0 && payload < record + record_len && record < payload + len) ||
	    (hp->cid_len > 0 && hp->cid < record + record_len && record < hp->cid + hp->cid_len))
		return PETREL_E_INVALID_REQUEST;

	/* The whole record in one reservation; the header as
	 * petrel_dtls13_header_write lays it out (RFC 9147 4), the sequence
	 * number in the clear until the mask goes on. */
	if (!petrel_put_reserve(w, record_len, &record))
		return PETREL_E_SHORT_BUFFER;
	size_t seq_offset = 1 + hp->cid_len;
	record[0] = (uint8_t)(PETREL_DTLS13_FIXED_BITS | (hp->epoch & PETREL_DTLS13_EPOCH_MASK) |
			      (hp->cid_len > 0 ? PETREL_DTLS13_FLAG_CID : 0) |
			      (hp->seq16 ? PETREL_DTLS13_FLAG_SEQ16 : 0) |
			      (hp->with_length ? PETREL_DTLS13_FLAG_LENGTH : 0));
	if (hp->cid_len > 0)
		memcpy(record + 1, hp->cid, hp->cid_len);
	if (hp->seq16)
		petrel_store_u16(record + seq_offset, (uint16_t)hp->seq);
	else
		record[seq_offset] = (uint8_t)hp->seq;
	if (hp->with_length)
		petrel_store_u16(record + header_len - 2, (uint16_t)hp->length);
	uint8_t *text = record + header_len;
	text[len] = real_type;
	if (inner_len > len + 1)
		memset(text + len + 1, 0, inner_len - len - 1);

	uint8_t nonce[PETREL_AEAD_NONCE_LEN], mask[PETREL_RN_MASK_LEN];
	petrel_dtls13_nonce(keys->iv, hp->seq, nonce);
	/* The additional data is the header with the clear sequence number;
	 * the content is sealed from the caller's buffer (no copy first). */
	int rc = petrel_aead_seal_gather(keys->aead, nonce, record, header_len, text, payload, len,
					 inner_len - len);
	if (rc == 0)
		rc = petrel_rn_mask(keys->sn, text, keys->counter_order, mask);
	if (rc < 0) {
		petrel_wipe(record, record_len);
		w->p = record;
		return rc;
	}
	petrel_dtls13_mask_seq(record + seq_offset, hp->seq16, mask);
	return 0;
}

int petrel_dtls13_open(const struct petrel_dtls13_record_keys *keys, uint8_t *record,
		       struct petrel_dtls13_header *h, uint64_t expected_seq,
		       const struct petrel_replay_window *replay, uint64_t *seq,
		       uint8_t *real_type, uint8_t **content, size_t *content_len)
{
	if (keys == NULL || keys->aead == NULL || keys->sn == NULL || record == NULL)
		return PETREL_E_INVALID_REQUEST;
	size_t tag_len = petrel_aead_tag_len(keys->alg);
	if (tag_len == 0)
		return PETREL_E_INVALID_REQUEST;
	if (h->length < PETREL_DTLS13_MIN_CIPHERTEXT || h->length < tag_len + 1)
		return PETREL_E_DECODE_ERROR;
	size_t inner_len = h->length - tag_len;
	if (h->length > PETREL_DTLS13_MAX_ENCRYPTED || inner_len > PETREL_DTLS13_MAX_INNER)
		return PETREL_E_RECORD_OVERFLOW;
	uint8_t *body = record + h->header_len;
	uint8_t mask[PETREL_RN_MASK_LEN];
	int rc = petrel_rn_mask(keys->sn, body, keys->counter_order, mask);
	if (rc < 0)
		return rc;
	uint16_t masked = h->seq_wire;
	petrel_dtls13_unmask_seq(record, h, mask);
	uint64_t full = petrel_dtls13_seq_reconstruct(expected_seq, h->seq_wire, h->seq16 ? 16 : 8);
	/* RFC 9147 4.5.1: replays are dropped before any AEAD work. */
	if (replay != NULL && !petrel_replay_check(replay, full)) {
		petrel_dtls13_mask_seq(record + h->seq_offset, h->seq16, mask);
		h->seq_wire = masked;
		return PETREL_E_REPLAYED;
	}

	uint8_t nonce[PETREL_AEAD_NONCE_LEN];
	petrel_dtls13_nonce(keys->iv, full, nonce);
	rc = petrel_aead_open(keys->aead, nonce, record, h->header_len, body, h->length);
	if (rc < 0) {
		/* The header goes back to its wire form; the AEAD has wiped
		 * the body (no unauthenticated plaintext is left behind). */
		petrel_dtls13_mask_seq(record + h->seq_offset, h->seq16, mask);
		h->seq_wire = masked;
		return rc;
	}
	/* RFC 8446 5.4: the last non-zero byte is the type. */
	rc = petrel_cid_inner_parse(body, inner_len, real_type, content_len);
	if (rc < 0)
		return rc;
	*seq = full;
	*content = body;
	return 0;
}
