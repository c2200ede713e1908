/* DTLS 1.2 handshake header codec (RFC 6347 4.2.2). */
#include "dtls/hs_header.h"

#include "petrel/petrel.h"

int petrel_hs_header_read(struct petrel_reader *r, struct petrel_hs_header *h,
			  const uint8_t **fragment)
{
	*fragment = NULL;
	if (!petrel_get_u8(r, &h->msg_type) || !petrel_get_u24(r, &h->length) ||
	    !petrel_get_u16(r, &h->message_seq) || !petrel_get_u24(r, &h->fragment_offset) ||
	    !petrel_get_u24(r, &h->fragment_length))
		return PETREL_E_DECODE_ERROR;
	/* A fragment must lie inside its message (RFC 6347 4.2.3); uint24 sums
	 * cannot overflow uint32. */
	if (h->fragment_offset + h->fragment_length > h->length) {
		r->failed = true;
		return PETREL_E_DECODE_ERROR;
	}
	if (!petrel_get_bytes(r, h->fragment_length, fragment))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

int petrel_hs_header_write(struct petrel_writer *w, const struct petrel_hs_header *h)
{
	if (h->length > PETREL_HS_MAX_LENGTH || h->fragment_offset > PETREL_HS_MAX_LENGTH ||
	    h->fragment_length > PETREL_HS_MAX_LENGTH ||
	    h->fragment_offset + h->fragment_length > h->length)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u8(w, h->msg_type) || !petrel_put_u24(w, h->length) ||
	    !petrel_put_u16(w, h->message_seq) || !petrel_put_u24(w, h->fragment_offset) ||
	    !petrel_put_u24(w, h->fragment_length))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

void petrel_hs_header_encode_full(uint8_t out[PETREL_HS_HEADER_LEN], uint8_t msg_type,
				  uint16_t message_seq, uint32_t length)
{
	out[0] = msg_type;
	petrel_store_u24(out + 1, length);
	petrel_store_u16(out + 4, message_seq);
	petrel_store_u24(out + 6, 0);
	petrel_store_u24(out + 9, length);
}

bool petrel_hs_record_has_old_message(const uint8_t *p, size_t len, uint16_t next_seq)
{
	struct petrel_reader r;
	petrel_reader_init(&r, p, len);
	while (petrel_reader_left(&r) > 0) {
		struct petrel_hs_header h;
		const uint8_t *frag;
		if (petrel_hs_header_read(&r, &h, &frag) < 0)
			return false;
		if (h.message_seq < next_seq)
			return true;
	}
	return false;
}
