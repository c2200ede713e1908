/* DTLS 1.3 unified header (RFC 9147 4) and first-byte record dispatch.
 *
 *    0 1 2 3 4 5 6 7
 *   +-+-+-+-+-+-+-+-+
 *   |0|0|1|C|S|L|E E|   C: CID present, S: 16-bit sequence number,
 *   +-+-+-+-+-+-+-+-+   L: length present, EE: low 2 bits of the epoch
 *   | Connection ID |   (if C; length as negotiated, not on the wire)
 *   | 8/16-bit seq  |   (encrypted on the wire, RFC 9147 4.2.3)
 *   | 16-bit length |   (if L; else the record runs to the datagram's end)
 *   +-+-+-+-+-+-+-+-+
 *
 * The header is the AEAD additional data with the sequence number in the
 * clear (RFC 9147 4: "the additional data ... is the record header"). */
#ifndef PETREL_RECORD_HEADER13_H
#define PETREL_RECORD_HEADER13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"

/* ---- First-byte dispatch (RFC 9147 4.1, Figure 4) ---- */
enum petrel_record_kind {
	PETREL_REC_INVALID = 0,  /* discard */
	PETREL_REC_PLAINTEXT,    /* 20-24 (DTLS 1.2 header; 1.3 uses 21, 22), 26 ACK */
	PETREL_REC_TLS12_CID,    /* 25: RFC 9146 record (record/cid.h) */
	PETREL_REC_UNIFIED,      /* 0x20-0x3f: DTLS 1.3 DTLSCiphertext */
};
enum petrel_record_kind petrel_record_kind(uint8_t first_byte);

#define PETREL_DTLS13_FIXED_BITS 0x20 /* 001 in the top three bits */
#define PETREL_DTLS13_FLAG_CID 0x10
#define PETREL_DTLS13_FLAG_SEQ16 0x08
#define PETREL_DTLS13_FLAG_LENGTH 0x04
#define PETREL_DTLS13_EPOCH_MASK 0x03
/* 1 + CID (<= 255) + 2 + 2 */
#define PETREL_DTLS13_HEADER_MAX (1 + 255 + 2 + 2)
/* RFC 9147 4.2.3: record number encryption samples 16 ciphertext bytes;
 * shorter records are invalid. */
#define PETREL_DTLS13_MIN_CIPHERTEXT 16

struct petrel_dtls13_header {
	uint8_t first_byte;
	uint8_t epoch_bits;     /* EE */
	bool seq16;             /* S */
	bool has_length;        /* L */
	const uint8_t *cid;     /* into the record; NULL without C */
	size_t cid_len;
	uint16_t seq_wire;      /* the 8 or 16 bits as read (still masked on receive) */
	size_t seq_offset;      /* of the sequence number bytes, from the first byte */
	size_t header_len;      /* bytes before the encrypted record */
	size_t length;          /* encrypted record bytes */
};

/* Reads one unified header and points *body at its encrypted record.
 * cid_len: the length of the CIDs this receiver issued (0 = none; then a
 * header with C set is refused). Without L the record takes the rest of
 * the reader. False on a first byte outside 0x20-0x3f, truncation, or a
 * length running past the input. */
bool petrel_dtls13_header_read(struct petrel_reader *r, size_t cid_len,
			       struct petrel_dtls13_header *h, const uint8_t **body);

struct petrel_dtls13_header_params {
	uint64_t epoch;         /* only the low 2 bits go on the wire */
	uint64_t seq;           /* only the low 8/16 bits go on the wire */
	const uint8_t *cid;     /* NULL / 0 = no CID (C clear) */
	size_t cid_len;
	bool seq16;             /* 16-bit sequence number (else 8) */
	bool with_length;       /* L set: required unless last in the datagram */
	size_t length;          /* encrypted record bytes (used when with_length) */
};

static inline size_t petrel_dtls13_header_len(size_t cid_len, bool seq16, bool with_length)
{
	return 1 + cid_len + (seq16 ? 2u : 1u) + (with_length ? 2u : 0u);
}
/* Writes the header with the sequence number in the clear; *seq_offset
 * (may be NULL) says where its bytes are for masking after sealing.
 * False if it does not fit, cid_len > 255, or length > 65535. */
bool petrel_dtls13_header_write(struct petrel_writer *w,
				const struct petrel_dtls13_header_params *p, size_t *seq_offset);

/* RFC 9147 4.2.2: the full sequence number whose low `bits` (8 or 16) are
 * low_bits and which is closest to expected (one more than the highest
 * sequence number deprotected in that epoch). Never below 0 or above
 * 2^64 - 1. */
static inline uint64_t petrel_dtls13_seq_reconstruct(uint64_t expected, uint16_t low_bits,
						     unsigned bits)
{
	/* The candidate numerically closest to expected; the same shape as
	 * QUIC's packet number decoding (RFC 9000 A.3). Inline: on the
	 * record path bits is a constant and this is a few instructions. */
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
/* The epoch whose low 2 bits are epoch_bits, in the window
 * [current - 2, current + 1] (from [0, 3] while current < 2): the current
 * epoch, the next one (a peer that moved on first) or one of the two
 * before (retransmissions, RFC 9147 4.2.2). */
uint64_t petrel_dtls13_epoch_reconstruct(uint64_t current, uint8_t epoch_bits);

/* RFC 9147 4.2.3: XOR the first 1 or 2 mask bytes into the sequence
 * number. On receive: header points at the record's first byte (as read
 * by petrel_dtls13_header_read); the bytes are unmasked in place (so the
 * header becomes the AEAD additional data) and h->seq_wire becomes the
 * clear value. On send: seq_bytes is where header_write put them. */
static inline void petrel_dtls13_mask_seq(uint8_t *seq_bytes, bool seq16, const uint8_t *mask)
{
	seq_bytes[0] ^= mask[0];
	if (seq16)
		seq_bytes[1] ^= mask[1];
}
static inline void petrel_dtls13_unmask_seq(uint8_t *header, struct petrel_dtls13_header *h,
					    const uint8_t *mask)
{
	uint8_t *s = header + h->seq_offset;
	petrel_dtls13_mask_seq(s, h->seq16, mask);
	h->seq_wire = h->seq16 ? petrel_load_u16(s) : s[0];
}

#endif
