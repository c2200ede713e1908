/* The record layer's state, visible so a session can embed it (no
 * allocation for idle sessions). Fields are private to record/: use the
 * functions of record/record.h. Idle size is kept well under 1 KiB: only
 * raw keys live here; expanded AEAD contexts (petrel_aead_ctx_size(), up
 * to 4 KiB for GCM tables) and the next-epoch buffer are heap blocks made
 * when first used and freed by petrel_rl_release_cache()/petrel_rl_clear(). */
#ifndef PETREL_RECORD_RECORD_LAYER_H
#define PETREL_RECORD_RECORD_LAYER_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "record/record.h"
#include "record/replay.h"

/* One direction of one epoch. */
struct petrel_rl_epoch_state {
	bool in_use;
	uint16_t epoch;
	uint64_t next_seq;                  /* write side only */
	struct petrel_epoch_keys keys;      /* raw keys: wiped on retire/clear */
	struct petrel_aead_ctx *aead;       /* lazily expanded, NULL when idle */
	struct petrel_replay_window replay; /* read side only */
};

/* A record of the next read epoch held until its keys arrive. */
struct petrel_rl_buffered {
	uint16_t epoch;
	uint16_t offset; /* into buffer */
	uint16_t length; /* whole record, header included */
	bool taken;
};

/* The epoch table, per direction: index 0 = current epoch, then older
 * ones, newest first (kept for retransmitted flights on write, and the
 * peer's retransmissions on read). DTLS 1.2 needs two (0 and 1; we refuse
 * renegotiation). DTLS 1.3 needs four (0, 2 handshake, 3 application and
 * a key update in flight): raise it with dtls13/, each slot costs every
 * idle session sizeof(struct petrel_rl_epoch_state) (96 B) per direction. */
#define PETREL_RL_EPOCH_SLOTS 2
struct petrel_record_layer {
	struct petrel_rl_epoch_state write[PETREL_RL_EPOCH_SLOTS];
	struct petrel_rl_epoch_state read[PETREL_RL_EPOCH_SLOTS];

	uint8_t *buffer; /* PETREL_RL_MAX_BUFFERED_BYTES, heap, lazily */
	uint16_t buffer_used;
	uint8_t buffered_count;
	struct petrel_rl_buffered buffered[PETREL_RL_MAX_BUFFERED_RECORDS];

	uint8_t *app_dst; /* petrel_rl_set_app_dst: next application_data record opens here */
	size_t app_dst_cap;

	uint64_t bad_records;
	uint64_t bad_record_limit; /* 0 = unlimited */
	struct petrel_record_stats stats;

	/* RFC 9146 Connection IDs (record/cid.c, petrel_rl_set_cid); the
	 * bytes belong to the session. Protected records we send carry
	 * tx_cid when it is non-empty; with rx_cid_len > 0 tls12_cid records
	 * are read, their CID that long. cid_newest: a record newer than any
	 * authenticated before it came in a tls12_cid record (RFC 9146 6),
	 * until petrel_rl_take_cid_newest. */
	const uint8_t *tx_cid;
	const uint8_t *rx_cid;
	uint8_t tx_cid_len, rx_cid_len;
	bool cid_newest;
};

#endif
