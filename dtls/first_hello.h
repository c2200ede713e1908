/* The server's first ClientHello, fragmented across records, before the
 * cookie check (issue #20 item 4). Several key shares, tickets and PSK
 * binders make a ClientHello outgrow a small MTU (CoAP links of 300-500
 * bytes), and RFC 6347 4.2.3 / RFC 9147 5.5 let a client fragment it.
 * Nothing about the client is known yet (its address may be forged), so
 * what is held before the cookie is small and bounded:
 *  - a ClientHello whole in one record is used in place (no copy, no
 *    state), whatever its length;
 *  - a fragmented one is assembled only up to PETREL_FIRST_HELLO_MAX_LEN
 *    bytes, in a fixed-size buffer: no allocation follows the length the
 *    fragments claim;
 *  - one partial ClientHello per session; an endpoint keeps at most
 *    PETREL_FIRST_HELLO_PER_ADDR per IP address (any port) and
 *    PETREL_FIRST_HELLO_TABLE_MAX in all, within a quarter of its
 *    fragment budget (the oldest makes room), each charged to that
 *    budget. They are not half-open
 *    handshakes: those come after a valid cookie, and forged addresses
 *    must not take a real address's half-open room;
 *  - a partial ClientHello lives PETREL_FIRST_HELLO_LIFETIME_MS from its
 *    first fragment, then starts again;
 *  - fragments that contradict it (another message_seq or length, or
 *    overlapping bytes that differ) discard it and start a new one (the
 *    newest wins, as dtls/reassembly.c does on epoch 0): genuine
 *    fragments of one ClientHello always agree, so one side is forged,
 *    and bytes of two hellos are never mixed into one. The client's
 *    retransmission brings the genuine one back whole.
 * The cookie (HelloVerifyRequest, RFC 6347 4.2.1; HelloRetryRequest, RFC
 * 9147 5.1) is checked only on the whole ClientHello. */
#ifndef PETREL_DTLS_FIRST_HELLO_H
#define PETREL_DTLS_FIRST_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/hs_header.h"
#include "dtls/peer_table.h"
#include "dtls/reassembly.h"
#include "petrel/petrel.h"
#include "record/record.h"

/* Largest fragmented ClientHello assembled before the cookie. A DTLS 1.2
 * ClientHello with every suite, a 1 KiB ticket and its extensions stays
 * under 1.5 KiB; a DTLS 1.3 one with X25519 and P-256 shares plus a
 * hybrid ML-KEM-768 share (1,216 bytes), a ticket identity and its
 * binder stays under 3 KiB. 4 KiB leaves room, and bounds what a forged
 * flood holds (about 4.6 KiB per partial ClientHello with its bitmap). */
#define PETREL_FIRST_HELLO_MAX_LEN 4096u
/* A partial ClientHello starts again this long after its first fragment:
 * it spans the first transmission and the retransmissions at 0.4, 1.2
 * and 2.8 s (the default 400 ms timer doubling, dtls/rto.h; 1 and 3 s
 * with RFC 6347 4.2.4.1's 1 s), so fragments lost in one transmission
 * are filled from the next. */
#define PETREL_FIRST_HELLO_LIFETIME_MS 5000u
/* An endpoint's partial ClientHellos: per IP address (two clients behind
 * one NAT may start at once; a third from the address replaces its
 * oldest) and in all (at most about 1.2 MiB; 223 with the default 4 MiB
 * fragment budget, a quarter of it). A forger must send that many
 * partial ClientHellos while one client's fragments arrive (a burst) to
 * push its ClientHello out, and then only delays it to the next
 * retransmission. */
#define PETREL_FIRST_HELLO_PER_ADDR 2u
#define PETREL_FIRST_HELLO_TABLE_MAX 256u

/* A whole ClientHello, as the handshake sees it. */
struct petrel_first_hello_msg {
	/* As if sent unfragmented: fragment_offset 0, fragment_length =
	 * length (the form the handshake hash covers, RFC 6347 4.2.6). */
	struct petrel_hs_header h;
	const uint8_t *body; /* h.length bytes */
	/* The record that carried its first byte: what the
	 * HelloVerifyRequest echoes (RFC 6347 4.2.1 names "the" record of
	 * the ClientHello; a client fragmenting in order, as Petrel's does,
	 * sends it first and times that transmission by it). */
	uint64_t first_record_seq;
	/* Fragments that brought new bytes (1: unfragmented). The client's
	 * first answer to a HelloVerifyRequest starts at most this many
	 * records after the one the HelloVerifyRequest echoed. */
	unsigned records;
};

struct petrel_first_hello;

/* ---- For a server session (both versions) ----------------------------
 *
 * int petrel_first_hello_take(s, rec, now_ms, out)
 *   rec: a record of epoch 0 from a session with no handshake state yet
 *   (the dispatcher's first_record). Returns 1 when a whole ClientHello
 *   is available: *out filled; out->body points into rec (a ClientHello
 *   whole in one record) or into the session's partial state, valid
 *   until petrel_first_hello_release(s), the next take or the session's
 *   end. Returns 0 when more fragments are needed or the record was
 *   dropped (not a ClientHello, malformed, over the caps); never an error:
 *   bad input is dropped silently (RFC 6347 4.1.2.7). Taking the same
 *   record again gives the same hello, so a version router may take to
 *   look, then hand the record to the version's first_record, which
 *   takes again. A partial state charges s->frag_budget (the endpoint's)
 *   when set.
 *
 * void petrel_first_hello_release(s)
 *   Forget the partial state: once the cookie was answered (the next
 *   ClientHello comes whole again or in new fragments) or the handshake
 *   started with the hello (its bytes are in the transcript). */
int petrel_first_hello_take(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms,
			    struct petrel_first_hello_msg *out);
void petrel_first_hello_release(petrel_session *s);
/* For a version's first_record that reads whole records (the DTLS 1.3
 * server, dtls13/engine13.c): 1 when rec completed a fragmented
 * ClientHello, *out then a record holding it as one unfragmented message,
 * numbered as its first fragment's record (RFC 9147 5.1: the
 * HelloRetryRequest takes that number), valid until the release; 0 when
 * there is none or it came whole in rec. */
int petrel_first_hello_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms,
			      struct petrel_record *out);

/* ---- For an endpoint: peers without a session -------------------------
 * Keyed by the address key (with port) and grouped by the IP address
 * without port (group key); the endpoint makes both. */
struct petrel_first_hello_table {
	struct petrel_table groups; /* by IP address */
	struct petrel_first_hello *oldest, *newest;
	unsigned count, max_count;
	uint64_t next_order; /* arrival stamps: a group's oldest entry */
	struct petrel_frag_budget *budget; /* may be NULL */
	uint64_t evicted; /* partial ClientHellos dropped for room */
};

/* 0 or PETREL_E_MEMORY. budget may be NULL; max_count 0: the default. */
int petrel_fh_table_init(struct petrel_first_hello_table *t, struct petrel_frag_budget *budget,
			 unsigned max_count);
void petrel_fh_table_free(struct petrel_first_hello_table *t);
/* Offer one handshake fragment (h, frag as petrel_hs_header_read gives
 * them) that arrived in the record numbered record_seq from key. 1: the
 * ClientHello is whole, *out filled (body valid while the entry stays);
 * 0: kept or dropped. */
int petrel_fh_table_offer(struct petrel_first_hello_table *t, const uint8_t *key, size_t key_len,
			  const uint8_t *group_key, size_t group_key_len,
			  const struct petrel_hs_header *h, const uint8_t *frag, uint64_t record_seq,
			  uint64_t now_ms, struct petrel_first_hello_msg *out);
/* The entry for key out of the table (NULL: none): for the session the
 * endpoint makes once its cookie checks (petrel_first_hello_adopt). */
struct petrel_first_hello *petrel_fh_table_detach(struct petrel_first_hello_table *t,
						  const uint8_t *key, size_t key_len,
						  const uint8_t *group_key, size_t group_key_len);
void petrel_fh_table_drop(struct petrel_first_hello_table *t, const uint8_t *key, size_t key_len,
			  const uint8_t *group_key, size_t group_key_len);
/* Drop what expired by now_ms (from the oldest end: O(expired)). */
void petrel_fh_table_expire(struct petrel_first_hello_table *t, uint64_t now_ms);
/* Give a detached entry to a session (it replaces the session's own); its
 * budget charge goes with it. */
void petrel_first_hello_adopt(petrel_session *s, struct petrel_first_hello *fh);
/* What one partial ClientHello holds (and charges to a budget). */
size_t petrel_first_hello_bytes(void);

#endif
