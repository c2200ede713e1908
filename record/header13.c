/* DTLS 1.3 unified header codec, record number reconstruction and
 * first-byte dispatch (RFC 9147 4, 4.1, 4.2.2, 4.2.3). */
#include "record/header13.h"

#include "record/record.h"

enum petrel_record_kind petrel_record_kind(uint8_t first_byte)
{
	/* RFC 9147 4.1 Figure 4: the top three bits 001 mark a DTLS 1.3
	 * ciphertext; 20-26 are the content types of older headers and the
	 * plaintext ACK; everything else is discarded. */
	if ((first_byte & 0xe0) == PETREL_DTLS13_FIXED_BITS)
		return PETREL_REC_UNIFIED;
	switch (first_byte) {
	case PETREL_CT_CHANGE_CIPHER_SPEC:
	case PETREL_CT_ALERT:
	case PETREL_CT_HANDSHAKE:
	case PETREL_CT_APPLICATION_DATA:
	case PETREL_CT_HEARTBEAT:
	case 26: /* ack (RFC 9147 7) */
		return PETREL_REC_PLAINTEXT;
	case PETREL_CT_TLS12_CID:
		return PETREL_REC_TLS12_CID;
	default:
		return PETREL_REC_INVALID;
	}
}

bool petrel_dtls13_header_read(struct petrel_reader *r, size_t cid_len,
			       struct petrel_dtls13_header *h, const uint8_t **body)
{
	uint8_t first;
	if (!petrel_get_u8_inline(r, &first) || (first & 0xe0) != PETREL_DTLS13_FIXED_BITS)
		return false;
	size_t cid_n = 0;
	if (first & PETREL_DTLS13_FLAG_CID) {
		/* A CID we never issued cannot be told apart from the
		 * sequence number that follows it: refuse (RFC 9147 9). */
		if (cid_len == 0 || cid_len > 255)
			return false;
		cid_n = cid_len;
	}
	bool seq16 = (first & PETREL_DTLS13_FLAG_SEQ16) != 0;
	bool has_length = (first & PETREL_DTLS13_FLAG_LENGTH) != 0;
	/* The rest of the header (CID, sequence number, length) is taken in
	 * one read; its fields are at fixed offsets within it. */
	size_t seq_n = seq16 ? 2u : 1u;
	size_t rest = cid_n + seq_n + (has_length ? 2u : 0u);
	const uint8_t *p;
	if (!petrel_get_bytes_inline(r, rest, &p))
		return false;
	h->first_byte = first;
	h->epoch_bits = first & PETREL_DTLS13_EPOCH_MASK;
	h->seq16 = seq16;
	h->has_length = has_length;
	h->cid = cid_n > 0 ? p : NULL;
	h->cid_len = cid_n;
	h->seq_wire = seq16 ? petrel_load_u16(p + cid_n) : p[cid_n];
	h->seq_offset = 1 + cid_n;
	h->length = has_length ? petrel_load_u16(p + cid_n + seq_n) : petrel_reader_left(r);
	h->header_len = 1 + rest;
	return petrel_get_bytes_inline(r, h->length, body);
}

bool petrel_dtls13_header_write(struct petrel_writer *w,
				const struct petrel_dtls13_header_params *p, size_t *seq_offset)
{
	if (p->cid_len > 255 || (p->cid == NULL && p->cid_len > 0) ||
	    (p->with_length && p->length > UINT16_MAX))
		return false;
	uint8_t first = PETREL_DTLS13_FIXED_BITS | (uint8_t)(p->epoch & PETREL_DTLS13_EPOCH_MASK);
	if (p->cid_len > 0)
		first |= PETREL_DTLS13_FLAG_CID;
	if (p->seq16)
		first |= PETREL_DTLS13_FLAG_SEQ16;
	if (p->with_length)
		first |= PETREL_DTLS13_FLAG_LENGTH;
	size_t start = petrel_writer_len(w);
	bool ok = petrel_put_u8(w, first) && petrel_put_bytes(w, p->cid, p->cid_len);
	size_t at = petrel_writer_len(w) - start;
	ok = ok && (p->seq16 ? petrel_put_u16(w, (uint16_t)p->seq) : petrel_put_u8(w, (uint8_t)p->seq));
	if (p->with_length)
		ok = ok && petrel_put_u16(w, (uint16_t)p->length);
	if (ok && seq_offset != NULL)
		*seq_offset = at;
	return ok;
}

uint64_t petrel_dtls13_epoch_reconstruct(uint64_t current, uint8_t epoch_bits)
{
	uint64_t low = current >= 2 ? current - 2 : 0;
	/* Four consecutive epochs hold each residue mod 4 exactly once. */
	uint64_t e = (low & ~UINT64_C(3)) | (epoch_bits & 3u);
	if (e < low)
		e += 4;
	return e;
}

