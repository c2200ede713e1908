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
	const uint8_t *start = r->p;
	uint8_t first;
	if (!petrel_get_u8(r, &first) || (first & 0xe0) != PETREL_DTLS13_FIXED_BITS)
		return false;
	h->first_byte = first;
	h->epoch_bits = first & PETREL_DTLS13_EPOCH_MASK;
	h->seq16 = (first & PETREL_DTLS13_FLAG_SEQ16) != 0;
	h->has_length = (first & PETREL_DTLS13_FLAG_LENGTH) != 0;
	h->cid = NULL;
	h->cid_len = 0;
	if (first & PETREL_DTLS13_FLAG_CID) {
		/* A CID we never issued cannot be told apart from the
		 * sequence number that follows it: refuse (RFC 9147 9). */
		if (cid_len == 0 || cid_len > 255 || !petrel_get_bytes(r, cid_len, &h->cid))
			return false;
		h->cid_len = cid_len;
	}
	h->seq_offset = (size_t)(r->p - start);
	if (h->seq16) {
		if (!petrel_get_u16(r, &h->seq_wire))
			return false;
	} else {
		uint8_t s;
		if (!petrel_get_u8(r, &s))
			return false;
		h->seq_wire = s;
	}
	if (h->has_length) {
		uint16_t len;
		if (!petrel_get_u16(r, &len))
			return false;
		h->length = len;
	} else {
		h->length = petrel_reader_left(r);
	}
	h->header_len = (size_t)(r->p - start);
	return petrel_get_bytes(r, h->length, body);
}

size_t petrel_dtls13_header_len(size_t cid_len, bool seq16, bool with_length)
{
	return 1 + cid_len + (seq16 ? 2u : 1u) + (with_length ? 2u : 0u);
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

uint64_t petrel_dtls13_seq_reconstruct(uint64_t expected, uint16_t low_bits, unsigned bits)
{
	/* RFC 9147 4.2.2: the candidate numerically closest to expected; the
	 * same shape as QUIC's packet number decoding (RFC 9000 A.3). */
	if (bits != 8 && bits != 16)
		bits = 16;
	uint64_t win = UINT64_C(1) << bits, half = win / 2, mask = win - 1;
	uint64_t cand = (expected & ~mask) | (low_bits & mask);
	if (cand <= expected && expected - cand >= half && cand <= UINT64_MAX - win)
		return cand + win;
	if (cand > expected && cand - expected > half && cand >= win)
		return cand - win;
	return cand;
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

void petrel_dtls13_unmask_seq(uint8_t *header, struct petrel_dtls13_header *h,
			      const uint8_t *mask)
{
	uint8_t *s = header + h->seq_offset;
	petrel_dtls13_mask_seq(s, h->seq16, mask);
	h->seq_wire = h->seq16 ? petrel_load_u16(s) : s[0];
}

void petrel_dtls13_mask_seq(uint8_t *seq_bytes, bool seq16, const uint8_t *mask)
{
	seq_bytes[0] ^= mask[0];
	if (seq16)
		seq_bytes[1] ^= mask[1];
}
