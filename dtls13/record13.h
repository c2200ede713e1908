/* DTLS 1.3 record protection (RFC 9147 4, RFC 8446 5.2-5.4): the unified
 * header as additional data, the per-record nonce, TLSInnerPlaintext and
 * record number encryption, over one epoch's expanded keys.
 *
 * (Kept here beside the other 1.3 pieces until the engine is wired; it
 * depends only on record/header13.h, record/cid.h's inner-plaintext
 * parser and crypto/, so it can move to record/ unchanged.) */
#ifndef PETREL_DTLS13_RECORD13_H
#define PETREL_DTLS13_RECORD13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "crypto/crypto.h"
#include "crypto/rn_mask.h"
#include "record/header13.h"
#include "record/replay.h"

/* One direction of one epoch, expanded: AEAD context, write_iv, sn_key. */
struct petrel_dtls13_record_keys {
	const struct petrel_aead_ctx *aead;
	enum petrel_aead_alg alg;
	uint8_t iv[PETREL_AEAD_NONCE_LEN];
	const struct petrel_rn_key *sn;
	enum petrel_rn_chacha_counter counter_order; /* ChaCha20 only */
};

/* The same keys prepared for the per-record path (an epoch's, built once
 * when it expands): what every record would otherwise work out again,
 * the tag length and the write_iv bytes the sequence number meets (RFC
 * 8446 5.3). */
struct petrel_dtls13_record_ctx {
	struct petrel_dtls13_record_keys keys;
	size_t tag_len;
	uint64_t iv_low; /* write_iv[4..11], big-endian */
};

/* Fills c from keys (copied). PETREL_E_INVALID_REQUEST for a NULL AEAD
 * context or record number key, or an unknown AEAD. */
int petrel_dtls13_record_prepare(struct petrel_dtls13_record_ctx *c,
				 const struct petrel_dtls13_record_keys *keys);

/* RFC 8446 5.2: TLSInnerPlaintext is at most 2^14 + 1 bytes, the
 * encrypted record at most 2^14 + 256. */
#define PETREL_DTLS13_MAX_INNER (16384 + 1)
#define PETREL_DTLS13_MAX_ENCRYPTED (16384 + 256)

/* RFC 8446 5.3 as RFC 9147 4 uses it: the 64-bit sequence number (without
 * the epoch), left-padded to 12 bytes, XOR iv. */
void petrel_dtls13_nonce(const uint8_t iv[PETREL_AEAD_NONCE_LEN], uint64_t seq,
			 uint8_t nonce[PETREL_AEAD_NONCE_LEN]);

/* Bytes added to the content: header + type + tag (without padding and
 * the extra padding short CCM-8 records need, see seal). */
size_t petrel_dtls13_record_overhead(enum petrel_aead_alg alg, size_t cid_len, bool seq16,
				     bool with_length);

/* Seals one record into w: unified header (hp: epoch, full seq, CID,
 * sizes; hp->length is filled in here), AEAD over content || real_type ||
 * zeros with the clear header as additional data, then the sequence
 * number masked. Pads so the ciphertext has the 16 bytes record number
 * encryption samples (RFC 9147 4.2.3; only CCM-8 ever needs it).
 * payload must not overlap the output. 0, PETREL_E_SHORT_BUFFER (w
 * unchanged), PETREL_E_INVALID_REQUEST, PETREL_E_RECORD_OVERFLOW. */
int petrel_dtls13_seal(const struct petrel_dtls13_record_keys *keys,
		       struct petrel_dtls13_header_params *hp, uint8_t real_type,
		       const uint8_t *payload, size_t len, size_t padding_len,
		       struct petrel_writer *w);
/* (petrel_dtls13_seal_ctx and _open_ctx, the same over prepared keys,
 * are inline in dtls13/record13_inline.h for the epoch's per-record
 * path.) */

/* Opens the record whose header h was read (petrel_dtls13_header_read) at
 * record (its first byte), in place: removes the record number mask,
 * reconstructs the full sequence number near expected_seq (4.2.2), opens
 * the AEAD and finds the real type. On success *seq, *real_type and
 * *content (into the record) are set. On an AEAD failure the header bytes
 * are restored but the body is wiped (the AEAD leaves no unauthenticated
 * plaintext): a caller that tries several keys (the other ChaCha20
 * counter order) opens a copy. PETREL_E_DECODE_ERROR (shorter than 16
 * bytes or than the tag), PETREL_E_RECORD_OVERFLOW, PETREL_E_DECRYPTION_FAILED,
 * PETREL_E_UNEXPECTED_MESSAGE (no non-zero byte: RFC 8446 5.4). */
/* replay (may be NULL): the epoch's window; a sequence number it has
 * seen is refused before any decryption with PETREL_E_REPLAYED (header
 * restored). The window is not updated here (only the caller knows the
 * record is accepted). */
int petrel_dtls13_open(const struct petrel_dtls13_record_keys *keys, uint8_t *record,
		       struct petrel_dtls13_header *h, uint64_t expected_seq,
		       const struct petrel_replay_window *replay, uint64_t *seq,
		       uint8_t *real_type, uint8_t **content, size_t *content_len);

#endif
