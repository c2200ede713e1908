/* The per-record bodies of DTLS 1.3 record protection over prepared keys
 * (struct petrel_dtls13_record_ctx), inline: for record13.c's public
 * seal/open and epoch13.c's per-record path alone, so that a record
 * passes through one call less on each side (issue #20). Include only
 * from those two. */
#ifndef PETREL_DTLS13_RECORD13_INLINE_H
#define PETREL_DTLS13_RECORD13_INLINE_H

#include <string.h>

#include "dtls13/record13.h"
#include "petrel/petrel.h"
#include "record/cid.h"

/* RFC 8446 5.3: the first four iv bytes meet the zero padding; the last
 * eight the big-endian sequence number, XORed as one word. */
static inline void petrel_dtls13_nonce_of(const uint8_t iv[PETREL_AEAD_NONCE_LEN], uint64_t iv_low,
			    uint64_t seq, uint8_t nonce[PETREL_AEAD_NONCE_LEN])
{
	uint64_t x = iv_low ^ seq;
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


/* petrel_dtls13_seal over prepared keys. */
static inline int petrel_dtls13_seal_ctx(const struct petrel_dtls13_record_ctx *c,
			   struct petrel_dtls13_header_params *hp, uint8_t real_type,
			   const uint8_t *payload, size_t len, size_t padding_len,
			   struct petrel_writer *w)
{
	size_t cid_len = hp->cid_len;
	if (real_type == 0 || (payload == NULL && len > 0) ||
	    (cid_len > 0 && (cid_len > 255 || hp->cid == NULL)))
		return PETREL_E_INVALID_REQUEST;
	if (len > PETREL_DTLS13_MAX_INNER - 1 || padding_len > PETREL_DTLS13_MAX_INNER - 1 - len)
		return PETREL_E_RECORD_OVERFLOW;
	/* RFC 9147 4.2.3: the mask samples 16 ciphertext bytes; shorter
	 * content is padded with zeros up to them. */
	size_t tag_len = c->tag_len;
	size_t inner_len = len + 1 + padding_len;
	if (inner_len + tag_len < PETREL_DTLS13_MIN_CIPHERTEXT)
		inner_len = PETREL_DTLS13_MIN_CIPHERTEXT - tag_len;
	hp->length = inner_len + tag_len;
	size_t seq_offset = 1 + cid_len;
	size_t header_len = petrel_dtls13_header_len(cid_len, hp->seq16, hp->with_length);
	size_t record_len = header_len + hp->length;
	/* (A failed writer has nothing left: record_len is never 0.) */
	if (petrel_writer_left(w) < record_len)
		return PETREL_E_SHORT_BUFFER;
	uint8_t *record = w->p;
	if ((len > 0 && payload < record + record_len && record < payload + len) ||
	    (cid_len > 0 && hp->cid < record + record_len && record < hp->cid + cid_len))
		return PETREL_E_INVALID_REQUEST;

	/* The whole record in one reservation; the header as
	 * petrel_dtls13_header_write lays it out (RFC 9147 4), the sequence
	 * number in the clear until the mask goes on. */
	if (!petrel_put_reserve_inline(w, record_len, &record))
		return PETREL_E_SHORT_BUFFER;
	record[0] = (uint8_t)(PETREL_DTLS13_FIXED_BITS | (hp->epoch & PETREL_DTLS13_EPOCH_MASK) |
			      (cid_len > 0 ? PETREL_DTLS13_FLAG_CID : 0) |
			      (hp->seq16 ? PETREL_DTLS13_FLAG_SEQ16 : 0) |
			      (hp->with_length ? PETREL_DTLS13_FLAG_LENGTH : 0));
	if (cid_len > 0)
		memcpy(record + 1, hp->cid, cid_len);
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
	petrel_dtls13_nonce_of(c->keys.iv, c->iv_low, hp->seq, nonce);
	/* The additional data is the header with the clear sequence number;
	 * the content is sealed from the caller's buffer (no copy first). */
	int rc = petrel_aead_seal_gather(c->keys.aead, nonce, record, header_len, text, payload, len,
					 inner_len - len);
	if (rc == 0)
		rc = petrel_rn_mask_record(c->keys.sn, text, c->keys.counter_order, mask);
	if (rc < 0) {
		petrel_wipe(record, record_len);
		w->p = record;
		return rc;
	}
	petrel_dtls13_mask_seq(record + seq_offset, hp->seq16, mask);
	return 0;
}


/* petrel_dtls13_open over prepared keys. */
static inline int petrel_dtls13_open_ctx(const struct petrel_dtls13_record_ctx *c, uint8_t *record,
			   struct petrel_dtls13_header *h, uint64_t expected_seq,
			   const struct petrel_replay_window *replay, uint64_t *seq,
			   uint8_t *real_type, uint8_t **content, size_t *content_len)
{
	size_t tag_len = c->tag_len, length = h->length;
	if (length < PETREL_DTLS13_MIN_CIPHERTEXT || length < tag_len + 1)
		return PETREL_E_DECODE_ERROR;
	size_t inner_len = length - tag_len;
	if (length > PETREL_DTLS13_MAX_ENCRYPTED || inner_len > PETREL_DTLS13_MAX_INNER)
		return PETREL_E_RECORD_OVERFLOW;
	uint8_t *body = record + h->header_len;
	uint8_t mask[PETREL_RN_MASK_LEN];
	int rc = petrel_rn_mask_record(c->keys.sn, body, c->keys.counter_order, mask);
	if (rc < 0)
		return rc;
	uint16_t masked = h->seq_wire;
	petrel_dtls13_unmask_seq(record, h, mask);
	/* RFC 9147 4.2.2 (each width its own constant: no shifts by a
	 * variable on the way). */
	uint64_t full = h->seq16 ? petrel_dtls13_seq_reconstruct(expected_seq, h->seq_wire, 16)
				 : petrel_dtls13_seq_reconstruct(expected_seq, h->seq_wire, 8);
	/* RFC 9147 4.5.1: replays are dropped before any AEAD work. */
	if (replay != NULL && !petrel_replay_check(replay, full)) {
		petrel_dtls13_mask_seq(record + h->seq_offset, h->seq16, mask);
		h->seq_wire = masked;
		return PETREL_E_REPLAYED;
	}

	uint8_t nonce[PETREL_AEAD_NONCE_LEN];
	petrel_dtls13_nonce_of(c->keys.iv, c->iv_low, full, nonce);
	rc = petrel_aead_open_to(c->keys.aead, nonce, record, h->header_len, body, body, length);
	if (rc < 0) {
		/* The header goes back to its wire form; the AEAD has wiped
		 * the body (no unauthenticated plaintext is left behind). */
		petrel_dtls13_mask_seq(record + h->seq_offset, h->seq16, mask);
		h->seq_wire = masked;
		return rc;
	}
	/* RFC 8446 5.4: the last non-zero byte is the type; an unpadded
	 * record ends with it (inner_len >= 1 above). */
	if (body[inner_len - 1] != 0) {
		*real_type = body[inner_len - 1];
		*content_len = inner_len - 1;
	} else {
		rc = petrel_cid_inner_parse(body, inner_len, real_type, content_len);
		if (rc < 0)
			return rc;
	}
	*seq = full;
	*content = body;
	return 0;
}

#endif
