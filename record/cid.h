/* RFC 9146 Connection IDs for DTLS 1.2: the tls12_cid record (content type
 * 25), its additional data and the DTLSInnerPlaintext it protects.
 *
 *   struct {
 *       ContentType outer_type = tls12_cid;   (1)
 *       ProtocolVersion version;              (2)
 *       uint16 epoch;                         (2)
 *       uint48 sequence_number;               (6)
 *       opaque cid[cid_length];               (length known to the receiver)
 *       uint16 length;                        (2)
 *       opaque enc_content[length];
 *   } DTLSCiphertext;                         (RFC 9146 4)
 *
 * enc_content is the cipher suite's usual record body (GCM/CCM: 8-byte
 * explicit nonce first, RFC 5288 3 / RFC 6655 3) over the DTLSInnerPlaintext
 * content || real_type || zeros. The CID carries no length on the wire: a
 * receiver knows the length of the CIDs it issued. Only protected records
 * use this format (RFC 9146 3: plaintext payloads never do). */
#ifndef PETREL_RECORD_CID_H
#define PETREL_RECORD_CID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "crypto/crypto.h"
#include "record/record.h"

/* cid<0..2^8-1> (RFC 9146 3). */
#define PETREL_CID_MAX_LEN 255
/* Header bytes before enc_content: the 13 of RFC 6347 plus the CID. */
#define PETREL_CID_HEADER_LEN(cid_len) (PETREL_RECORD_HEADER_LEN + (size_t)(cid_len))
/* seq_num_placeholder(8) tls12_cid(1) cid_length(1) tls12_cid(1) version(2)
 * epoch(2) sequence_number(6) cid(n) length_of_DTLSInnerPlaintext(2). */
#define PETREL_CID_AD_LEN(cid_len) (23 + (size_t)(cid_len))
#define PETREL_CID_AD_MAX PETREL_CID_AD_LEN(PETREL_CID_MAX_LEN)
/* RFC 9146 5: length_of_DTLSInnerPlaintext MUST NOT exceed 2^14, so the
 * content of one record is at most 2^14 - 1 bytes (one goes to real_type). */
#define PETREL_CID_MAX_INNER PETREL_MAX_PLAINTEXT
#define PETREL_CID_MAX_CONTENT (PETREL_CID_MAX_INNER - 1)

struct petrel_cid_header {
	uint16_t version;
	uint16_t epoch;
	uint64_t seq; /* 48 bits */
	const uint8_t *cid; /* read: points into the record; write: the caller's */
	size_t cid_len;
	uint16_t length; /* of enc_content */
};

/* Reads a tls12_cid header whose CID is cid_len bytes (the length this
 * receiver issued). False on short input or an outer type other than 25. */
bool petrel_cid_header_read(struct petrel_reader *r, size_t cid_len, struct petrel_cid_header *h);
/* Writes outer type 25 and the fields of h; false if it does not fit, the
 * sequence number exceeds 48 bits or cid_len exceeds 255. */
bool petrel_cid_header_write(struct petrel_writer *w, const struct petrel_cid_header *h);

/* RFC 9146 5 additional data into ad (PETREL_CID_AD_LEN(cid_len) bytes,
 * returned). version is the header's wire version. */
size_t petrel_cid_additional_data(uint8_t ad[PETREL_CID_AD_MAX], uint16_t version, uint16_t epoch,
				  uint64_t seq, const uint8_t *cid, size_t cid_len,
				  uint16_t inner_len);

/* DTLSInnerPlaintext: content || real_type || zeros[padding_len].
 * real_type 0 is refused (it could not be told from padding), as is an
 * inner plaintext over 2^14 bytes: PETREL_E_INVALID_REQUEST;
 * PETREL_E_SHORT_BUFFER when w is too small. */
int petrel_cid_inner_write(struct petrel_writer *w, const uint8_t *content, size_t len,
			   uint8_t real_type, size_t padding_len);
/* Finds the real type by stripping zeros from the end (RFC 9146 4, as in
 * RFC 8446 5.4). An all-zero (or empty) inner plaintext has no type:
 * PETREL_E_UNEXPECTED_MESSAGE. */
int petrel_cid_inner_parse(const uint8_t *inner, size_t len, uint8_t *real_type,
			   size_t *content_len);

/* Bytes a tls12_cid record adds to its content for this cipher (without
 * padding): header with CID + explicit nonce + real_type + tag. */
size_t petrel_cid_record_overhead(enum petrel_aead_alg aead, size_t cid_len);

/* Seals one tls12_cid record into w: header, explicit nonce (epoch||seq, as
 * record/write.c does), AEAD over the inner plaintext under the RFC 9146 5
 * additional data. keys gives the nonce salt/IV and algorithm, aead is its
 * expanded context. payload may lie where the content goes in w (the
 * position after header and explicit nonce) or apart from the record.
 * Returns 0; PETREL_E_SHORT_BUFFER, PETREL_E_INVALID_REQUEST (null cipher,
 * type 0, overlapping payload, CID over 255), PETREL_E_RECORD_OVERFLOW
 * (inner plaintext over 2^14). On failure w is left where it was and
 * nothing half-protected remains in it. */
int petrel_cid_seal(const struct petrel_epoch_keys *keys, const struct petrel_aead_ctx *aead,
		    uint16_t epoch, uint64_t seq, const uint8_t *cid, size_t cid_len,
		    uint8_t real_type, const uint8_t *payload, size_t len, size_t padding_len,
		    struct petrel_writer *w);

/* Opens the record of header h whose enc_content (h->length bytes) is at
 * body, in place. On success *content points into body and *real_type is
 * the inner type. PETREL_E_DECODE_ERROR for a body too short for nonce,
 * type and tag, PETREL_E_RECORD_OVERFLOW for an inner plaintext over
 * 2^14, PETREL_E_DECRYPTION_FAILED for a bad
 * tag (body wiped), PETREL_E_UNEXPECTED_MESSAGE for an all-zero inner
 * plaintext. */
int petrel_cid_open(const struct petrel_epoch_keys *keys, const struct petrel_aead_ctx *aead,
		    const struct petrel_cid_header *h, uint8_t *body, uint8_t *real_type,
		    uint8_t **content, size_t *content_len);

/* ---- The same through the record layer's epochs (record/record.h) ---- */

/* petrel_rl_write for a tls12_cid record: the epoch's keys and next
 * sequence number, cid = the CID the peer asked us to send. Same return
 * codes as petrel_rl_write. */
int petrel_rl_write_cid(struct petrel_record_layer *rl, uint16_t epoch, const uint8_t *cid,
			size_t cid_len, uint8_t content_type, const uint8_t *payload, size_t len,
			size_t padding_len, struct petrel_writer *w);

/* petrel_rl_unprotect for a tls12_cid record whose header h was read with
 * petrel_cid_header_read and whose body (h->length bytes) is in place:
 * replay check, AEAD open, inner plaintext, window update only after all
 * of that succeeded. 1 = *out filled (content_type = the real type),
 * 0 = dropped and counted, < 0 fatal (too many bad records). A protected
 * record with no real type is dropped as malformed (RFC 6347 4.1.2.7). */
/* *newest (may be NULL) says whether the record is newer, in epoch and
 * sequence number, than every record authenticated before it: the
 * condition, with authentication, for moving the session to the
 * datagram's source address (RFC 9146 6). Only a record of the current
 * read epoch above its window's top is. */
int petrel_rl_unprotect_cid(struct petrel_record_layer *rl, struct petrel_rl_epoch_state *st,
			    const struct petrel_cid_header *h, uint8_t *body,
			    struct petrel_record *out, bool *newest);

/* ---- Negotiated CIDs on a record layer (record/read.c, record/write.c) ---- */

/* Records of protected epochs are written with tx_cid (tls12_cid) when
 * tx_cid_len > 0, and tls12_cid records are read when rx_cid_len > 0
 * (RFC 9146 3: an empty CID means plain records in that direction). The
 * bytes must stay valid while the record layer uses them (the session
 * owns them). PETREL_E_INVALID_REQUEST for a length over 255. */
int petrel_rl_set_cid(struct petrel_record_layer *rl, const uint8_t *tx_cid, size_t tx_cid_len,
		      const uint8_t *rx_cid, size_t rx_cid_len);
/* Extra bytes a record of this cipher carries for the CID we send (0
 * without one, or for the null cipher). */
size_t petrel_rl_cid_extra(const struct petrel_record_layer *rl, enum petrel_aead_alg aead);
/* Whether a tls12_cid record newer than any authenticated before it was
 * read since the last call (RFC 9146 6: the condition, with a known CID,
 * to move the session to the datagram's source address); clears it. */
bool petrel_rl_take_cid_newest(struct petrel_record_layer *rl);
/* Largest content of one record we send: 2^14, or 2^14 - 1 in a
 * tls12_cid record (its inner plaintext adds the real type, RFC 9146 5). */
size_t petrel_rl_max_content(const struct petrel_record_layer *rl);

#endif
