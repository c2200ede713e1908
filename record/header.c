/* DTLS 1.2 record header codec (RFC 6347 4.1):
 *   ContentType type; ProtocolVersion version; uint16 epoch;
 *   uint48 sequence_number; uint16 length;
 * The tls12_cid form (RFC 9146 4) is in record/cid.c. */
#include "record/record.h"

bool petrel_record_header_read(struct petrel_reader *r, struct petrel_record_header *h)
{
	petrel_get_u8(r, &h->content_type);
	petrel_get_u16(r, &h->version);
	petrel_get_u16(r, &h->epoch);
	petrel_get_u48(r, &h->seq);
	petrel_get_u16(r, &h->length);
	return petrel_reader_ok(r);
}

bool petrel_record_header_write(struct petrel_writer *w, const struct petrel_record_header *h)
{
	if (h->seq > PETREL_MAX_SEQ)
		return false;
	petrel_put_u8(w, h->content_type);
	petrel_put_u16(w, h->version);
	petrel_put_u16(w, h->epoch);
	petrel_put_u48(w, h->seq);
	petrel_put_u16(w, h->length);
	return petrel_writer_ok(w);
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
