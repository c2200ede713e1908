/* Strict DER (X.690 10) reader and writer on top of common/reader.h.
 * Definite lengths only, minimal length octets, single-byte tags, bounded
 * sizes and nesting: everything BER allows and DER forbids is an error, so
 * two encodings of one value can never both be accepted. Parsed values
 * point into the caller's buffer (zero-copy). */
#ifndef PETREL_X509_DER_H
#define PETREL_X509_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"

/* Universal tags (X.680 8.4), and the constructed bit. */
enum {
	PETREL_DER_BOOLEAN = 0x01,
	PETREL_DER_INTEGER = 0x02,
	PETREL_DER_BIT_STRING = 0x03,
	PETREL_DER_OCTET_STRING = 0x04,
	PETREL_DER_NULL = 0x05,
	PETREL_DER_OID = 0x06,
	PETREL_DER_UTF8_STRING = 0x0c,
	PETREL_DER_PRINTABLE_STRING = 0x13,
	PETREL_DER_IA5_STRING = 0x16,
	PETREL_DER_UTC_TIME = 0x17,
	PETREL_DER_GENERALIZED_TIME = 0x18,
	PETREL_DER_SEQUENCE = 0x30,
	PETREL_DER_SET = 0x31,
};
#define PETREL_DER_CONSTRUCTED 0x20
#define PETREL_DER_CONTEXT 0x80
/* [n] EXPLICIT / constructed context tag, and [n] IMPLICIT primitive. */
#define PETREL_DER_CTX_CONS(n) ((uint8_t)(0xa0 | (n)))
#define PETREL_DER_CTX_PRIM(n) ((uint8_t)(0x80 | (n)))

/* Caps: no certificate or key we accept is larger or nested deeper. */
#define PETREL_DER_MAX_LEN (64u * 1024u)
#define PETREL_DER_MAX_DEPTH 16

/* One TLV: raw points at the tag byte, body at the contents. */
struct petrel_der_tlv {
	uint8_t tag;
	const uint8_t *raw;
	size_t raw_len;
	const uint8_t *body;
	size_t len;
};

/* Reads the next TLV of any tag. Errors: PETREL_E_DECODE_ERROR. */
int petrel_der_get(struct petrel_reader *r, struct petrel_der_tlv *out);
/* Reads the next TLV and requires its tag. */
int petrel_der_expect(struct petrel_reader *r, uint8_t tag, struct petrel_der_tlv *out);
/* Reads the next TLV with tag and opens a sub-reader over its body. */
int petrel_der_enter(struct petrel_reader *r, uint8_t tag, struct petrel_reader *sub);
/* True if the next byte is tag (nothing is consumed). */
bool petrel_der_peek(const struct petrel_reader *r, uint8_t tag);
/* Reads an optional TLV: returns 1 and fills out if present, 0 if absent. */
int petrel_der_optional(struct petrel_reader *r, uint8_t tag, struct petrel_der_tlv *out);

/* INTEGER that must be non-negative and minimally encoded; out points at the
 * magnitude without the leading 0x00 sign byte. */
int petrel_der_get_uint(struct petrel_reader *r, const uint8_t **out, size_t *len);
/* Same, from an INTEGER's contents already read (tag was checked). */
int petrel_der_uint_body(const uint8_t *body, size_t len, const uint8_t **out, size_t *out_len);
/* Small non-negative INTEGER (fits in 31 bits). */
int petrel_der_get_small_uint(struct petrel_reader *r, uint32_t *out);
/* BOOLEAN: DER requires 0x00 or 0xff. */
int petrel_der_get_bool(struct petrel_reader *r, bool *out);
/* BIT STRING with zero unused bits (keys and signatures). */
int petrel_der_get_bits(struct petrel_reader *r, const uint8_t **out, size_t *len);
/* OBJECT IDENTIFIER contents. */
int petrel_der_get_oid(struct petrel_reader *r, const uint8_t **oid, size_t *len);
/* UTCTime or GeneralizedTime (RFC 5280 4.1.2.5) to seconds since the epoch. */
int petrel_der_get_time(struct petrel_reader *r, int64_t *out);

/* Walks a whole encoding: one TLV filling the buffer exactly, constructed
 * values recursively well-formed, depth <= PETREL_DER_MAX_DEPTH, size <=
 * PETREL_DER_MAX_LEN. */
int petrel_der_check(const uint8_t *der, size_t len);

/* Helper: compare an OID body against a constant. */
#define PETREL_OID_EQ(oid, oid_len, konst) \
	((oid_len) == sizeof(konst) && memcmp((oid), (konst), sizeof(konst)) == 0)

/* ---- writer ----
 * A DER value whose length is unknown up front: open reserves the largest
 * header we allow, close writes the minimal length and slides the body
 * down, keeping the encoding canonical. */
struct petrel_der_scope {
	uint8_t *header;
};
bool petrel_der_put_open(struct petrel_writer *w, uint8_t tag, struct petrel_der_scope *scope);
bool petrel_der_put_close(struct petrel_writer *w, const struct petrel_der_scope *scope);
bool petrel_der_put_tlv(struct petrel_writer *w, uint8_t tag, const uint8_t *body, size_t len);
/* INTEGER from an unsigned big-endian magnitude (adds 0x00 if needed). */
bool petrel_der_put_uint(struct petrel_writer *w, const uint8_t *mag, size_t len);
bool petrel_der_put_small_uint(struct petrel_writer *w, uint32_t v);
/* BIT STRING with zero unused bits. */
bool petrel_der_put_bits(struct petrel_writer *w, const uint8_t *bits, size_t len);
/* GeneralizedTime or UTCTime as RFC 5280 4.1.2.5 requires (UTCTime
 * through 2049). */
bool petrel_der_put_time(struct petrel_writer *w, int64_t secs);

#endif
