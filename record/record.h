/* DTLS 1.2 datagram record layer (RFC 6347 4.1): header codec, epochs,
 * 48-bit sequence numbers, anti-replay, in-place AEAD, several records per
 * datagram, early next-epoch records buffered. No I/O, no clock. */
#ifndef PETREL_RECORD_RECORD_H
#define PETREL_RECORD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "crypto/crypto.h"

enum petrel_content_type {
	PETREL_CT_CHANGE_CIPHER_SPEC = 20,
	PETREL_CT_ALERT = 21,
	PETREL_CT_HANDSHAKE = 22,
	PETREL_CT_APPLICATION_DATA = 23,
	PETREL_CT_HEARTBEAT = 24,
	PETREL_CT_TLS12_CID = 25, /* RFC 9146 */
};

#define PETREL_DTLS12_VERSION 0xfefd
#define PETREL_DTLS10_VERSION 0xfeff
#define PETREL_RECORD_HEADER_LEN 13
#define PETREL_MAX_PLAINTEXT 16384 /* 2^14, RFC 5246 6.2.1 */
#define PETREL_MAX_SEQ ((UINT64_C(1) << 48) - 1)

struct petrel_record_header {
	uint8_t content_type;
	uint16_t version;
	uint16_t epoch;
	uint64_t seq; /* 48 bits */
	uint16_t length;
};

/* Header codec through the shared reader/writer. */
bool petrel_record_header_read(struct petrel_reader *r, struct petrel_record_header *h);
bool petrel_record_header_write(struct petrel_writer *w, const struct petrel_record_header *h);

/* Raw keys of one direction of one epoch. aead == 0 means the null cipher
 * (epoch 0). fixed_iv: 4-byte salt for GCM/CCM (RFC 5288/6655: nonce =
 * salt || 8-byte explicit nonce carried in the record), 12 bytes for
 * ChaCha20-Poly1305 (RFC 7905: nonce = iv XOR padded epoch||seq, no
 * explicit nonce). */
struct petrel_epoch_keys {
	enum petrel_aead_alg aead;
	uint8_t key[PETREL_AEAD_MAX_KEY_LEN];
	uint8_t fixed_iv[PETREL_AEAD_NONCE_LEN];
};

/* The null cipher of epoch 0 (RFC 6347 4.1: TLS_NULL_WITH_NULL_NULL). */
#define PETREL_RL_NULL_CIPHER ((enum petrel_aead_alg)0)

/* Bytes a protected record adds to its plaintext for this cipher:
 * header + explicit nonce + tag. */
size_t petrel_record_overhead(enum petrel_aead_alg aead);
/* Explicit nonce carried in each record: 8 for GCM/CCM (RFC 5288 3,
 * RFC 6655 3), 0 for ChaCha20-Poly1305 (RFC 7905 2) and the null cipher. */
size_t petrel_record_explicit_nonce_len(enum petrel_aead_alg aead);
/* Largest record body (after the header) accepted on read: 2^14 + 2048
 * (RFC 5246 6.2.3). */
#define PETREL_MAX_RECORD_BODY (PETREL_MAX_PLAINTEXT + 2048)

/* A record number (RFC 9147 4: the pair ACKs and replay checks name):
 * the epoch, 16 bits on the DTLS 1.2 wire but 64 bits in DTLS 1.3
 * (key updates), and the sequence number, 48 bits in DTLS 1.2 and at
 * most 2^64 - 1 in DTLS 1.3. Compared epoch first. */
struct petrel_record_number {
	uint64_t epoch;
	uint64_t seq;
};

static inline int petrel_record_number_cmp(struct petrel_record_number a,
					   struct petrel_record_number b)
{
	if (a.epoch != b.epoch)
		return a.epoch < b.epoch ? -1 : 1;
	return a.seq < b.seq ? -1 : a.seq > b.seq;
}

/* A decrypted record, pointing into the caller's datagram buffer. */
struct petrel_record {
	uint8_t content_type;
	uint16_t epoch;
	uint64_t seq;
	uint8_t *fragment;
	size_t length;
};

struct petrel_record_stats {
	uint64_t records_in, records_out;
	uint64_t dropped_bad_mac, dropped_replay, dropped_bad_epoch, dropped_malformed;
	uint64_t buffered_next_epoch, dropped_buffer_full;
};

/* Caps for next-epoch buffering (explicit, bounded). */
#define PETREL_RL_MAX_BUFFERED_RECORDS 8
/* Largest step an unauthenticated (epoch 0) record may move the replay
 * window: handshakes use a few dozen numbers, forgeries may use any. */
#define PETREL_RL_EPOCH0_MAX_JUMP 4096
#define PETREL_RL_MAX_BUFFERED_BYTES 4096

struct petrel_record_layer; /* defined in record/record_layer.h for embedding */

/* Lifecycle: the session embeds the struct; clear wipes keys and frees any
 * expanded AEAD contexts and buffered records. */
void petrel_rl_init(struct petrel_record_layer *rl);
void petrel_rl_clear(struct petrel_record_layer *rl);
/* 0 = unlimited; otherwise more bad (unauthenticated) records than this ends
 * the session with PETREL_E_TOO_MANY_BAD_RECORDS (RFC 6347 4.1.2.7). */
void petrel_rl_set_bad_record_limit(struct petrel_record_layer *rl, uint64_t limit);

/* Install keys for an epoch newer than the current one of that direction
 * (DTLS 1.2 moves by one per ChangeCipherSpec; DTLS 1.3 may skip 1 and
 * moves on with key updates). Writes switch to the new epoch at once;
 * older epochs stay in the table (PETREL_RL_EPOCH_SLOTS per direction,
 * the oldest leaves) so a retransmitted flight can be sent in the epochs
 * it was first sent in. Reads accept the new epoch and drain buffered
 * records of it via petrel_rl_take_buffered. */
int petrel_rl_set_write_keys(struct petrel_record_layer *rl, uint16_t epoch,
			     const struct petrel_epoch_keys *keys);
int petrel_rl_set_read_keys(struct petrel_record_layer *rl, uint16_t epoch,
			    const struct petrel_epoch_keys *keys);
uint16_t petrel_rl_write_epoch(const struct petrel_record_layer *rl);
uint16_t petrel_rl_read_epoch(const struct petrel_record_layer *rl);
/* Overhead (header + explicit nonce + tag) of records written in epoch. */
size_t petrel_rl_write_overhead(const struct petrel_record_layer *rl, uint16_t epoch);
/* Next write sequence number of epoch; setting is for the HelloVerifyRequest
 * rule (RFC 6347 4.2.1) and tests. */
uint64_t petrel_rl_next_write_seq(const struct petrel_record_layer *rl, uint16_t epoch);
void petrel_rl_set_next_write_seq(struct petrel_record_layer *rl, uint16_t epoch, uint64_t seq);

/* Protect one record of epoch into w: header, explicit nonce, ciphertext,
 * tag. The payload is copied once into w and sealed there in place.
 * PETREL_E_SHORT_BUFFER if it does not fit, PETREL_E_SEQ_EXHAUSTED at 2^48. */
int petrel_rl_write(struct petrel_record_layer *rl, uint16_t epoch, uint8_t content_type,
		    const uint8_t *payload, size_t len, struct petrel_writer *w);

/* Read the next record of a received datagram, decrypting in place.
 * *offset is the cursor into dgram (start at 0). Returns 1 with *out set,
 * 0 when the datagram is used up, or a fatal PETREL_E_* (only
 * TOO_MANY_BAD_RECORDS). Invalid records are dropped silently and counted;
 * a malformed header drops the rest of the datagram; records of the next
 * epoch are copied into the bounded buffer; replays are dropped. The replay
 * window is updated only after a record authenticates. */
/* The next protected application_data record of at most cap bytes of
 * plaintext opens straight into dst (its fragment then points there), once;
 * NULL stops it. Saves copying received data into the caller's buffer. */
void petrel_rl_set_app_dst(struct petrel_record_layer *rl, uint8_t *dst, size_t cap);
int petrel_rl_read(struct petrel_record_layer *rl, uint8_t *dgram, size_t dgram_len,
		   size_t *offset, struct petrel_record *out);
/* The record number of a record read. */
static inline struct petrel_record_number petrel_record_number_of(const struct petrel_record *rec)
{
	return (struct petrel_record_number){rec->epoch, rec->seq};
}
/* The number the next record written in the current write epoch gets. */
struct petrel_record_number petrel_rl_next_write_number(const struct petrel_record_layer *rl);
/* After set_read_keys: next buffered record that now decrypts (1), or 0. */
int petrel_rl_take_buffered(struct petrel_record_layer *rl, struct petrel_record *out);

const struct petrel_record_stats *petrel_rl_stats(const struct petrel_record_layer *rl);

/* Free the expanded AEAD contexts and an empty next-epoch buffer; raw keys
 * stay, so the next record re-expands them. For idle sessions. */
void petrel_rl_release_cache(struct petrel_record_layer *rl);
/* True while an expanded AEAD context or the early-record buffer is held. */
bool petrel_rl_holds_cache(const struct petrel_record_layer *rl);
/* Stop accepting records of the previous read epoch and wipe its keys
 * (e.g. once the handshake's final flight timer has expired). */
void petrel_rl_retire_previous_read(struct petrel_record_layer *rl);
/* Number of records held for the next epoch (not yet taken). */
size_t petrel_rl_buffered_count(const struct petrel_record_layer *rl);

#include "record/record_layer.h"

#endif
