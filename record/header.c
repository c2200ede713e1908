/* DTLS 1.2 record header codec (RFC 6347 4.1):
 *   ContentType type; ProtocolVersion version; uint16 epoch;
 *   uint48 sequence_number; uint16 length;
 * The tls12_cid form (RFC 9146 4) is in record/cid.c. */
#include "record/record.h"

bool petrel_record_header_read(struct petrel_reader *r, struct petrel_record_header *h)
{
	/* One bounds check for the fixed 13 bytes: this runs per record. */
	const uint8_t *p;
	if (!petrel_get_bytes(r, PETREL_RECORD_HEADER_LEN, &p))
		return false;
	h->content_type = p[0];
	h->version = petrel_load_u16(p + 1);
	h->epoch = petrel_load_u16(p + 3);
	h->seq = petrel_load_u48(p + 5);
	h->length = petrel_load_u16(p + 11);
	return true;
}

bool petrel_record_header_write(struct petrel_writer *w, const struct petrel_record_header *h)
{
	if (h->seq > PETREL_MAX_SEQ)
		return false;
	uint8_t *p;
	if (!petrel_put_reserve(w, PETREL_RECORD_HEADER_LEN, &p))
		return false;
	p[0] = h->content_type;
	petrel_store_u16(p + 1, h->version);
	petrel_store_u16(p + 3, h->epoch);
	petrel_store_u48(p + 5, h->seq);
	petrel_store_u16(p + 11, h->length);
	return true;
}

size_t petrel_record_explicit_nonce_len(enum petrel_aead_alg aead)
{
	switch (aead) {
	case PETREL_AEAD_AES128_GCM:
	case PETREL_AEAD_AES256_GCM:
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
		return 8;
	default:
		return 0;
	}
}

size_t petrel_record_overhead(enum petrel_aead_alg aead)
{
	size_t tag = aead == PETREL_RL_NULL_CIPHER ? 0 : petrel_aead_tag_len(aead);
	return PETREL_RECORD_HEADER_LEN + petrel_record_explicit_nonce_len(aead) + tag;
}
