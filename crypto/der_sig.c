/* DER Ecdsa-Sig-Value encoding and strict decoding (X.690 10 DER rules). */
#include <string.h>

#include "common/reader.h"
#include "crypto/der_sig.h"
#include "petrel/petrel.h"

#define DER_SEQUENCE 0x30
#define DER_INTEGER 0x02

/* A DER length: short form below 128, else 0x81 followed by one byte >= 128
 * (our SEQUENCE never needs more; longer forms are refused). */
static bool get_der_len(struct petrel_reader *r, size_t *len)
{
	uint8_t first, second;

	if (!petrel_get_u8(r, &first))
		return false;
	if (first < 0x80) {
		*len = first;
		return true;
	}
	if (first != 0x81 || !petrel_get_u8(r, &second) || second < 0x80)
		return false;
	*len = second;
	return true;
}

/* One INTEGER, must be positive, minimally encoded and fit coord_len bytes. */
static bool get_der_uint(struct petrel_reader *r, size_t coord_len, uint8_t *out)
{
	uint8_t tag;
	size_t len;
	const uint8_t *body;

	if (!petrel_get_u8(r, &tag) || tag != DER_INTEGER || !get_der_len(r, &len) || len == 0 ||
	    !petrel_get_bytes(r, len, &body))
		return false;
	if (body[0] & 0x80)
		return false; /* negative */
	if (body[0] == 0x00) {
		if (len == 1)
			return false; /* zero is never a valid r or s */
		if (!(body[1] & 0x80))
			return false; /* superfluous leading zero */
		body++;
		len--;
	}
	if (len > coord_len)
		return false;
	memset(out, 0, coord_len - len);
	memcpy(out + coord_len - len, body, len);
	return true;
}

int petrel_ecdsa_sig_decode(const uint8_t *der, size_t der_len, size_t coord_len, uint8_t *r,
			    uint8_t *s)
{
	struct petrel_reader outer, seq;
	uint8_t tag;
	size_t len;

	if (der == NULL)
		return PETREL_E_DECODE_ERROR;
	petrel_reader_init(&outer, der, der_len);
	if (!petrel_get_u8(&outer, &tag) || tag != DER_SEQUENCE || !get_der_len(&outer, &len) ||
	    !petrel_get_sub(&outer, len, &seq) || !petrel_reader_done(&outer))
		return PETREL_E_DECODE_ERROR;
	if (!get_der_uint(&seq, coord_len, r) || !get_der_uint(&seq, coord_len, s) ||
	    !petrel_reader_done(&seq))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

static bool put_der_len(struct petrel_writer *w, size_t len)
{
	if (len < 0x80)
		return petrel_put_u8(w, (uint8_t)len);
	return len <= 0xff && petrel_put_u8(w, 0x81) && petrel_put_u8(w, (uint8_t)len);
}

/* Minimal positive INTEGER body length for a big-endian magnitude. */
static void uint_shape(const uint8_t *v, size_t len, size_t *skip, bool *pad)
{
	size_t i = 0;

	while (i + 1 < len && v[i] == 0)
		i++;
	*skip = i;
	*pad = (v[i] & 0x80) != 0;
}

static bool put_der_uint(struct petrel_writer *w, const uint8_t *v, size_t coord_len)
{
	size_t skip;
	bool pad;

	uint_shape(v, coord_len, &skip, &pad);
	return petrel_put_u8(w, DER_INTEGER) && put_der_len(w, coord_len - skip + (pad ? 1 : 0)) &&
	       (!pad || petrel_put_u8(w, 0x00)) && petrel_put_bytes(w, v + skip, coord_len - skip);
}

int petrel_ecdsa_sig_encode(const uint8_t *r, const uint8_t *s, size_t coord_len, uint8_t *out,
			    size_t cap, size_t *out_len)
{
	struct petrel_writer w;
	size_t r_skip, s_skip, body;
	bool r_pad, s_pad;

	uint_shape(r, coord_len, &r_skip, &r_pad);
	uint_shape(s, coord_len, &s_skip, &s_pad);
	body = 2 + coord_len - r_skip + (r_pad ? 1 : 0) + 2 + coord_len - s_skip + (s_pad ? 1 : 0);
	petrel_writer_init(&w, out, cap);
	if (!petrel_put_u8(&w, DER_SEQUENCE) || !put_der_len(&w, body) ||
	    !put_der_uint(&w, r, coord_len) || !put_der_uint(&w, s, coord_len))
		return PETREL_E_SHORT_BUFFER;
	*out_len = petrel_writer_len(&w);
	return 0;
}
