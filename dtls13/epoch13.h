/* One direction of one DTLS 1.3 epoch (RFC 9147 4, 4.5): the raw traffic
 * keys at rest, the expanded AEAD and record number key only while in use
 * (heap, freed by release), the sequence numbers, the replay window and
 * the AEAD limit counters. An epoch table of these (0-3 and key-update
 * epochs) is the DTLS 1.3 record layer; record13 does the per-record work. */
#ifndef PETREL_DTLS13_EPOCH13_H
#define PETREL_DTLS13_EPOCH13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "crypto/rn_mask.h"
#include "dtls13/keyschedule.h"
#include "dtls13/record13.h"
#include "record/header13.h"
#include "record/replay.h"

struct petrel_dtls13_epoch_cache;

struct petrel_dtls13_epoch {
	bool in_use;
	uint64_t epoch;
	struct petrel_dtls13_traffic_keys keys; /* raw: wiped by clear */
	enum petrel_rn_chacha_counter counter_order;
	/* Expanded on first use, NULL when idle: one heap block with the
	 * per-record view, the record number key and the AEAD context. */
	struct petrel_dtls13_epoch_cache *cache;
	uint64_t next_seq;            /* write side */
	struct petrel_replay_window replay; /* read side */
	uint64_t records_protected, records_failed; /* RFC 9147 4.5.3 */
	uint64_t dropped_replay, dropped_malformed;  /* read side, for stats */
};

/* Takes a copy of keys (the caller wipes its own). */
int petrel_dtls13_epoch_init(struct petrel_dtls13_epoch *e, uint64_t epoch,
			     const struct petrel_dtls13_traffic_keys *keys,
			     enum petrel_rn_chacha_counter counter_order);
/* Frees the expanded contexts; the raw keys stay (idle sessions). */
void petrel_dtls13_epoch_release(struct petrel_dtls13_epoch *e);
bool petrel_dtls13_epoch_holds_cache(const struct petrel_dtls13_epoch *e);
/* Heap bytes of the expanded contexts (0 when idle). */
size_t petrel_dtls13_epoch_cache_bytes(const struct petrel_dtls13_epoch *e);
/* Wipes everything (epoch retired, session freed). */
void petrel_dtls13_epoch_clear(struct petrel_dtls13_epoch *e);

struct petrel_dtls13_send_opts {
	const uint8_t *cid; /* the peer's CID (RFC 9147 9), NULL = none */
	size_t cid_len;
	bool seq16;         /* 16-bit sequence numbers */
	bool with_length;   /* L bit: set unless last record of the datagram */
	size_t padding;     /* zeros after the real type */
};

/* Seals the next record of this epoch into w; *seq (may be NULL) gets its
 * sequence number. PETREL_E_LIMIT_EXCEEDED once the key's confidentiality
 * limit is reached (update keys first), else as petrel_dtls13_seal. */
int petrel_dtls13_epoch_seal(struct petrel_dtls13_epoch *e, const struct petrel_dtls13_send_opts *o,
			     uint8_t content_type, const uint8_t *payload, size_t len,
			     struct petrel_writer *w, uint64_t *seq);

/* A record opened in place. */
struct petrel_dtls13_record {
	uint64_t epoch;
	uint64_t seq;
	uint8_t content_type;
	uint8_t *fragment;
	size_t length;
	bool newest; /* above every record authenticated before (RFC 9146 6 / 9147 9) */
};

/* Opens the record of header h at record (its first byte, read with
 * petrel_dtls13_header_read) in place, under this epoch (the caller chose
 * it from the header's epoch bits, petrel_dtls13_epoch_reconstruct).
 * 1 = *out filled; 0 = dropped (replay, bad tag, malformed) and counted;
 * PETREL_E_LIMIT_EXCEEDED once forgeries reach the integrity limit (RFC
 * 9147 4.5.3: close, or drop this key if an update is under way). */
int petrel_dtls13_epoch_open(struct petrel_dtls13_epoch *e, uint8_t *record,
			     struct petrel_dtls13_header *h, struct petrel_dtls13_record *out);

/* Time to send KeyUpdate (3/4 of a limit, dtls13/limits.h). */
bool petrel_dtls13_epoch_update_due(const struct petrel_dtls13_epoch *e);

#endif
