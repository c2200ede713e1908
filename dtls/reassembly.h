/* Reassembly of incoming DTLS 1.2 handshake fragments (RFC 6347 4.2.2,
 * 4.2.3). Fragments may arrive with any boundaries, out of order,
 * overlapping or duplicated; the handshake hash must still see every
 * message once, in message_seq order, unfragmented (RFC 6347 4.2.6).
 *
 * Everything peer-controlled is bounded:
 *  - message_seq window: only next_seq .. next_seq + window - 1 is buffered;
 *    older seqs are reported as OLD (the caller retransmits its last flight,
 *    RFC 6347 4.2.4), farther ones are dropped;
 *  - each message buffer is allocated once at its declared length, which
 *    must be <= max_message_len (default 64 KiB: comfortably above a
 *    certificate chain of a few 4096-bit RSA certificates, far below the
 *    16 MiB a uint24 length could claim);
 *  - the sum of all buffered message allocations (body plus received-bytes
 *    bitmap) must stay <= max_total_bytes (default 256 KiB);
 *  - with a shared budget (an endpoint's), the same allocations are
 *    charged to it too, so many half-open handshakes together stay under
 *    one cap (issue #17 item 8).
 * A fragment that contradicts what is buffered for its message_seq (other
 * msg_type or length, or an overlap with different bytes):
 *  - on the unauthenticated epoch 0 it REPLACES what was buffered (newest
 *    wins): genuine fragments of one message always agree, so a conflict
 *    means one side is forged, and the peer's retransmission restores the
 *    genuine one. First-seen-wins would let one spoofed datagram pin a
 *    wrong message in the slot and stall the handshake (issue #17 item 21);
 *  - on an authenticated epoch it is dropped and counted.
 * Epochs are kept apart (issue #17 item 10): each slot remembers the epoch
 * its fragments came in; a fragment of a higher epoch replaces a slot
 * filled from a lower one (authenticated wins), one of a lower epoch is
 * dropped, and petrel_reasm_set_epoch frees what older epochs buffered.
 * In DTLS 1.2 nothing of the peer's handshake follows its Finished, which
 * is the only message of the new epoch, so this loses nothing genuine.
 *
 * The struct is embedded in the session and uses no heap while idle. */
#ifndef PETREL_DTLS_REASSEMBLY_H
#define PETREL_DTLS_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/hs_header.h"

#define PETREL_REASM_MAX_WINDOW 16
#define PETREL_REASM_DEFAULT_WINDOW 8
#define PETREL_REASM_DEFAULT_MAX_MESSAGE_LEN (64u * 1024u)
#define PETREL_REASM_DEFAULT_MAX_TOTAL_BYTES (256u * 1024u)

/* Outcome of offering one fragment (>= 0); negative PETREL_E_* only for
 * local failures (PETREL_E_MEMORY). */
enum petrel_reasm_result {
	PETREL_REASM_ACCEPTED = 0,      /* stored; added at least one new byte */
	PETREL_REASM_DUPLICATE = 1,     /* consistent, but nothing new */
	PETREL_REASM_OLD = 2,           /* message_seq < next_seq: peer retransmitted */
	PETREL_REASM_DROP_FUTURE = 3,   /* beyond the window */
	PETREL_REASM_DROP_INCONSISTENT = 4, /* msg_type/length differ from first seen */
	PETREL_REASM_DROP_CONFLICT = 5, /* overlap with different bytes */
	PETREL_REASM_DROP_TOO_LONG = 6, /* declared length > max_message_len */
	PETREL_REASM_DROP_TOTAL_CAP = 7, /* would exceed max_total_bytes or the shared budget */
	PETREL_REASM_DROP_OLD_EPOCH = 8, /* the slot holds fragments of a higher epoch */
};

struct petrel_reasm_stats {
	uint64_t fragments_in;
	uint64_t accepted;
	uint64_t duplicate;
	uint64_t old;
	uint64_t dropped_future;
	uint64_t dropped_inconsistent;
	uint64_t dropped_conflict;
	uint64_t dropped_too_long;
	uint64_t dropped_total_cap;
	uint64_t dropped_malformed; /* bad headers in petrel_reasm_add_record */
	uint64_t dropped_old_epoch;
	uint64_t replaced; /* slots restarted by a contradicting or higher-epoch fragment */
	uint64_t messages_out;
};

/* One message being reassembled. alloc holds body (length bytes) followed
 * by a bitmap of received bytes, one bit per body byte. */
struct petrel_reasm_slot {
	bool in_use;
	uint8_t msg_type;
	uint16_t epoch; /* record epoch the fragments came in */
	uint16_t message_seq;
	uint32_t length;
	uint32_t received; /* distinct body bytes received */
	uint64_t record_seq; /* record number of the last fragment that added bytes */
	uint8_t *alloc;
	size_t alloc_len;
};

/* A byte budget shared by many sessions (an endpoint's, issue #17 item 8):
 * when a reassembler has one, every buffered allocation is also charged
 * to it and refused (DROP_TOTAL_CAP) once used_bytes would pass cap_bytes.
 * The owner outlives every reassembler pointing at it. */
struct petrel_frag_budget {
	size_t used_bytes;
	size_t cap_bytes;
};

struct petrel_reasm {
	struct petrel_frag_budget *shared_budget; /* NULL: per-session caps only */
	uint16_t epoch; /* epoch of the records offered now (petrel_reasm_set_epoch) */
	uint64_t record_seq; /* record number of the record offered now (caller sets it) */
	uint16_t next_seq;
	uint16_t window;
	uint32_t max_message_len;
	size_t max_total_bytes;
	size_t total_bytes; /* sum of live allocations, incl. delivered */
	/* seq s lives in slots[s % PETREL_REASM_MAX_WINDOW]. */
	struct petrel_reasm_slot slots[PETREL_REASM_MAX_WINDOW];
	/* The last popped message: its buffer lives until the next pop or
	 * reset, so the pointer handed out stays valid meanwhile. */
	struct petrel_reasm_slot delivered;
	struct petrel_reasm_stats stats;
};

/* A complete message, in order. header is the unfragmented header to feed
 * the handshake hash before body. body is valid until the next
 * petrel_reasm_pop / reset / clear; NULL when length is 0. */
struct petrel_hs_message {
	uint8_t msg_type;
	uint16_t message_seq;
	uint32_t length;
	uint64_t record_seq; /* record that completed it (ra->record_seq then) */
	const uint8_t *body;
	uint8_t header[PETREL_HS_HEADER_LEN];
};

/* Defaults: window 8, 64 KiB per message, 256 KiB total, next_seq 0. */
void petrel_reasm_init(struct petrel_reasm *ra);
/* 0 for a field keeps its current value. PETREL_E_INVALID_REQUEST if
 * window > PETREL_REASM_MAX_WINDOW or max_message_len > max_total_bytes. */
int petrel_reasm_configure(struct petrel_reasm *ra, uint16_t window, uint32_t max_message_len,
			   size_t max_total_bytes);
/* Set the next expected message_seq; frees anything buffered. Used when the
 * expected sequence is learned, e.g. the server after a cookie exchange
 * expects ClientHello.message_seq + 1 (RFC 6347 4.2.2). */
void petrel_reasm_set_next_seq(struct petrel_reasm *ra, uint16_t next_seq);
/* Fragments offered from now on come in records of this epoch (the peer's
 * read epoch; 0 after init). Moving up frees every buffered, not yet
 * popped, message of a lower epoch: unauthenticated leftovers (RFC 6347
 * 4.1: after its ChangeCipherSpec the peer's handshake is in the new
 * epoch). Lower values are ignored. */
void petrel_reasm_set_epoch(struct petrel_reasm *ra, uint16_t epoch);
/* Charge every buffered allocation to budget as well (NULL: none). Call
 * while nothing is buffered (after init or reset). */
void petrel_reasm_set_budget(struct petrel_reasm *ra, struct petrel_frag_budget *budget);

/* Offer one parsed fragment (fragment points at h->fragment_length bytes,
 * as given by petrel_hs_header_read). Returns a petrel_reasm_result or
 * PETREL_E_MEMORY. */
int petrel_reasm_add(struct petrel_reasm *ra, const struct petrel_hs_header *h,
		     const uint8_t *fragment);

/* Summary of one handshake record's fragments. */
struct petrel_reasm_record_result {
	unsigned accepted;  /* fragments that added bytes */
	unsigned duplicate;
	unsigned old;       /* fragments with message_seq < next_seq */
	unsigned dropped;   /* every DROP_* outcome */
	bool malformed;     /* a bad header: the rest of the record was ignored */
	uint16_t max_old_seq; /* highest old message_seq seen (valid if old) */
};

/* Parse every handshake fragment in one record's plaintext (RFC 6347 4.2.3:
 * a record may carry several) and offer each. A malformed header drops the
 * rest of the record (counted in dropped_malformed). Returns 0 or
 * PETREL_E_MEMORY; *res (may be NULL) says what happened. */
int petrel_reasm_add_record(struct petrel_reasm *ra, const uint8_t *payload, size_t len,
			    struct petrel_reasm_record_result *res);

/* True when the next expected message is complete. */
bool petrel_reasm_ready(const struct petrel_reasm *ra);

/* Pop the next complete message in order: 1 with *out filled and next_seq
 * advanced, 0 if it is not complete yet. Each message is returned once. */
int petrel_reasm_pop(struct petrel_reasm *ra, struct petrel_hs_message *out);

/* Take back the message the last pop returned: it is forgotten (wiped)
 * and its message_seq is expected again. For a message the handshake
 * cannot use that came unauthenticated (a forgery must not take the
 * place of the genuine message). 1 when done, 0 if there is none. */
int petrel_reasm_unpop(struct petrel_reasm *ra);

/* Messages buffered (complete or not), for tests and stats. */
size_t petrel_reasm_buffered_count(const struct petrel_reasm *ra);

/* Wipe and free every buffer (released from the shared budget too);
 * next_seq and epoch back to 0; configuration, budget and stats are kept. For the end of a handshake or before a new one. */
void petrel_reasm_reset(struct petrel_reasm *ra);
/* reset, and zero the stats: the session is done with it. */
void petrel_reasm_clear(struct petrel_reasm *ra);

#endif
