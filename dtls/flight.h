/* An outgoing DTLS 1.2 flight (RFC 6347 4.2.4): the handshake messages and
 * ChangeCipherSpec one side sends before waiting for the peer.
 *
 * The flight owns a copy of its bytes (one heap buffer, freed on reset).
 * Fragmentation and datagram packing are planned ONCE for a max datagram
 * size and the plan is reused on every retransmission, so the peer sees
 * the same fragment boundaries each time (issue #11: some deployed stacks
 * cannot reassemble a message whose retransmission is split differently).
 * Only petrel_flight_replan (after an MTU change) alters the plan.
 *
 * Packing (RFC 6347 4.1.1, 4.2.3): records are laid out in flight order
 * and datagrams are filled greedily; a handshake message that does not fit
 * the space left in the current datagram has its first fragment cut to
 * fill that space (if at least PETREL_FLIGHT_MIN_SPLIT body bytes fit) and
 * continues in the next datagram. Fewer datagrams per flight means fewer
 * chances to lose one. Records never span datagrams, and no fragment is
 * larger than one record of the entry's epoch allows.
 *
 * Record protection is reached through struct petrel_flight_records so the
 * planner is testable without keys; petrel_flight_records_rl binds it to
 * the record layer (record/record.h). */
#ifndef PETREL_DTLS_FLIGHT_H
#define PETREL_DTLS_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "dtls/hs_header.h"

#define PETREL_FLIGHT_MAX_ENTRIES 10
/* Our own flights: a large certificate chain plus a few small messages. */
#define PETREL_FLIGHT_MAX_BYTES (256u * 1024u)
/* Do not start a fragment in the tail of a datagram for fewer body bytes
 * than this; a new datagram is started instead. */
#define PETREL_FLIGHT_MIN_SPLIT 64u

/* Content types (RFC 5246 6.2.1), as in record/record.h. */
#define PETREL_FLIGHT_CT_CCS 20
#define PETREL_FLIGHT_CT_HANDSHAKE 22

struct petrel_flight_entry {
	uint8_t content_type; /* PETREL_FLIGHT_CT_HANDSHAKE or _CCS */
	uint8_t msg_type;     /* handshake only */
	uint16_t message_seq; /* handshake only */
	uint16_t epoch;       /* epoch the entry is sent (and re-sent) in */
	size_t offset;        /* into bytes: full 12-byte header, then body;
	                         for CCS the single 0x01 byte */
	uint32_t length;      /* body length; 1 for CCS */
};

/* One record of the plan: bytes [offset, offset+length) of the entry's
 * body (for CCS: offset 0, length 1). */
struct petrel_flight_fragment {
	uint16_t entry;
	uint32_t offset;
	uint32_t length;
};

/* One datagram of the plan: fragments[first .. first+count-1]; length is
 * the planned size on the wire (records incl. overhead). */
struct petrel_flight_datagram {
	size_t first_fragment;
	size_t fragment_count;
	size_t length;
};

/* Fields are readable (tests, stats); change them only through the API. */
struct petrel_flight {
	struct petrel_flight_entry entries[PETREL_FLIGHT_MAX_ENTRIES];
	size_t entry_count;
	uint8_t *bytes;
	size_t bytes_len, bytes_cap;
	/* The plan. */
	bool planned;
	size_t max_datagram;
	struct petrel_flight_fragment *fragments;
	size_t fragment_count;
	struct petrel_flight_datagram *datagrams;
	size_t datagram_count;
	uint8_t *scratch; /* one record payload: header + fragment */
	/* Completed transmissions (1 = sent once; >1 = retransmitted, so no
	 * RTT sample by Karn's rule, RFC 6298 5). */
	unsigned transmissions;
};

/* How records are protected: overhead(epoch) is the bytes a record of that
 * epoch adds to its plaintext (petrel_rl_write_overhead); write() protects
 * one record into w (petrel_rl_write). */
struct petrel_flight_records {
	size_t (*overhead)(void *ctx, uint16_t epoch);
	int (*write)(void *ctx, uint16_t epoch, uint8_t content_type, const uint8_t *payload,
		     size_t len, struct petrel_writer *w);
	void *ctx;
	/* Largest record plaintext the peer takes (RFC 8449 record_size_limit,
	 * RFC 6066 max_fragment_length); 0 = 2^14. It bounds each record, not
	 * the datagram: small records still share datagrams. */
	size_t max_record_plaintext;
};

/* Hands one datagram to the transport; a negative return aborts the send
 * and is returned unchanged (e.g. the lead's EMSGSIZE code). */
typedef int (*petrel_flight_send_fn)(void *ctx, const uint8_t *dgram, size_t len);

void petrel_flight_init(struct petrel_flight *fl);
/* Keep only the flight's bytes, in a buffer of their size: the plan is
 * freed (the next send plans again; for the same max datagram the plan,
 * and so the fragment boundaries, are the same). For flights kept after
 * the handshake. */
void petrel_flight_compact(struct petrel_flight *fl);
/* Bytes one transmission of the planned flight puts on the wire (0 when
 * not planned). */
size_t petrel_flight_wire_bytes(const struct petrel_flight *fl);
/* Wipe and free the bytes and the plan; the flight is empty again. */
void petrel_flight_reset(struct petrel_flight *fl);
/* The same for the next flight of a handshake, keeping the (wiped) byte
 * buffer: one allocation fewer per flight. */
void petrel_flight_restart(struct petrel_flight *fl);

/* Append a handshake message (body copied). PETREL_E_LIMIT_EXCEEDED past
 * PETREL_FLIGHT_MAX_ENTRIES or PETREL_FLIGHT_MAX_BYTES, PETREL_E_MEMORY,
 * PETREL_E_INVALID_REQUEST once planned or if len > 2^24-1. */
int petrel_flight_add_handshake(struct petrel_flight *fl, uint8_t msg_type, uint16_t message_seq,
				uint16_t epoch, const uint8_t *body, size_t len);
/* Append a ChangeCipherSpec (content type 20, one byte 0x01). */
int petrel_flight_add_ccs(struct petrel_flight *fl, uint16_t epoch);

/* The bytes the handshake hash covers for entry i, as if unfragmented:
 * 12-byte header (offset 0, fragment_length = length) then body, one
 * contiguous span inside the flight. Returns 1 for a handshake entry, 0 for
 * a CCS (not hashed), PETREL_E_INVALID_REQUEST for a bad index. The span
 * is valid until the next add or reset. */
int petrel_flight_transcript(const struct petrel_flight *fl, size_t i, const uint8_t **bytes,
			     size_t *len);

/* Plan fragmentation and packing for max_datagram bytes per datagram. If
 * already planned this is a no-op (the plan is stable); returns 0.
 * PETREL_E_INVALID_REQUEST if max_datagram cannot carry a record of some
 * entry's epoch with at least one body byte (or an empty message).
 * PETREL_E_MEMORY. */
int petrel_flight_plan(struct petrel_flight *fl, size_t max_datagram,
		       const struct petrel_flight_records *rec);
/* Discard the plan and plan again, for a new max datagram (MTU change).
 * On failure the flight is left unplanned. */
int petrel_flight_replan(struct petrel_flight *fl, size_t max_datagram,
			 const struct petrel_flight_records *rec);

/* Send (or re-send) the planned flight: for each planned datagram, write its
 * records with rec->write into buf (buf_cap >= max_datagram, else
 * PETREL_E_SHORT_BUFFER) and call send. Returns the number of datagrams
 * sent, PETREL_E_INVALID_REQUEST if not planned, a record-layer error, or
 * send's negative return. transmissions is incremented once at least one
 * datagram went out. */
int petrel_flight_send(struct petrel_flight *fl, const struct petrel_flight_records *rec,
		       uint8_t *buf, size_t buf_cap, petrel_flight_send_fn send, void *send_ctx);

/* Plan inspection (tests, stats). */
static inline size_t petrel_flight_datagram_count(const struct petrel_flight *fl)
{
	return fl->planned ? fl->datagram_count : 0;
}
/* Number of planned fragments of entry i. */
size_t petrel_flight_entry_fragment_count(const struct petrel_flight *fl, size_t i);

/* Binding to the record layer (dtls/flight_rl.c): rec.ctx = rl. */
struct petrel_record_layer;
void petrel_flight_records_rl(struct petrel_flight_records *rec, struct petrel_record_layer *rl);

#endif
