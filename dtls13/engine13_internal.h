/* The DTLS 1.3 driver's state, shared by its files (engine13.c: records
 * and handshake; flight13.c: our flights, ACKs and retransmission;
 * rl13.c: the epoch table). Heap, one per 1.3 session (session->d13). */
#ifndef PETREL_DTLS13_ENGINE13_INTERNAL_H
#define PETREL_DTLS13_ENGINE13_INTERNAL_H

#include "dtls/reassembly.h"
#include "dtls/rto.h"
#include "dtls/session.h"
#include "dtls13/client13.h"
#include "dtls13/engine13.h"
#include "dtls13/epoch13.h"
#include "dtls13/keyupdate.h"
#include "dtls13/probe13.h"
#include "dtls13/server13.h"
#include "dtls13/ticket13.h"

/* Bounds of one flight: messages, fragments, and the record numbers we
 * remember sending them in (ACKs name record numbers, RFC 9147 7). */
#define D13_MAX_MSGS 8
#define D13_MAX_FRAGS 96
#define D13_MAX_SENT 64
/* Record numbers of the peer's flight we keep to acknowledge. */
#define D13_MAX_RCVD 32
/* Epoch table: slot = epoch mod 4 (epochs 0-3, then KeyUpdate epochs;
 * at most four are live: RFC 9147 4.2.2's window is current-2..current+1). */
#define D13_SLOTS 4

struct d13_msg {
	uint8_t type;
	uint16_t seq;
	uint16_t epoch;
	uint8_t *body;
	size_t len;
};

struct d13_frag {
	uint8_t msg;
	uint32_t off, len;
	bool acked;
};

struct d13_sent {
	uint64_t epoch, seq;
	uint16_t frag;
	bool used;
};

struct petrel_d13 {
	/* record layer: epoch table, epoch 0 is plaintext (no slot); each
	 * live epoch on the heap (rl13.c), NULL when the slot is free */
	struct petrel_dtls13_epoch *rd[D13_SLOTS], *wr[D13_SLOTS];
	uint64_t rd_epoch, wr_epoch;
	uint64_t plain_seq; /* our epoch-0 record numbers */
	enum petrel_hash_alg hash;
	enum petrel_aead_alg aead;
	enum petrel_rn_chacha_counter counter_order;
	bool counter_order_known; /* a ChaCha20 record opened: the peer's order is known */

	/* handshake */
	bool done;
	struct petrel_dtls13_client *cl;
	struct petrel_dtls13_server *sv;
	struct petrel_hs13_config cfg;
	uint16_t suites12[PETREL_MAX_CIPHERS], schemes12[16];
	/* the peer's handshake messages: on the heap only while a message
	 * is half received or just delivered (perf13_idle.c); at rest the
	 * numbering stays in rx_next_seq / rx_epoch */
	struct petrel_reasm *rx;
	uint16_t rx_next_seq, rx_epoch;
	uint16_t next_send_seq;
	uint64_t start_ms, deadline_total_ms;
	uint8_t app_rd[PETREL_MAX_HASH_LEN], app_wr[PETREL_MAX_HASH_LEN];
	size_t app_len;

	/* our current flight: one heap block while there is a flight
	 * (flight13.c), all NULL otherwise: D13_MAX_MSGS, _FRAGS, _SENT */
	struct d13_msg *msgs;
	size_t msg_count;
	struct d13_frag *frags;
	size_t frag_count;
	struct d13_sent *sent;
	size_t sent_next;
	bool flight_active;    /* retransmitted until answered or acknowledged */
	bool flight_is_ku;     /* it is our KeyUpdate: install on its ACK */
	uint64_t last_tx_ms;
	struct petrel_rto rto;
	struct petrel_timer retransmit;

	/* the peer's records to acknowledge: D13_MAX_RCVD on the heap once
	 * one is noted, freed when idle (flight13.c) */
	struct petrel_record_number *rcvd;
	size_t rcvd_count;
	struct petrel_timer ack_timer;

	/* after the handshake */
	struct petrel_dtls13_key_update ku;
	bool ku_ready;
	bool ku_answer_owed; /* the peer asked for an update while a flight of ours was out */
	uint64_t key_updates_sent, key_updates_received;
	uint16_t suite; /* negotiated (RFC 8446 B.4) */
	/* client: turns NewSessionTickets into resumption data (ticket13.h) */
	struct petrel_ticket13_keep ticket_keep;
	/* exporter_master_secret (RFC 8446 7.5), kept once the cores are
	 * gone (dtls13/export13.c); wiped with the rest. */
	uint8_t exporter_master[PETREL_MAX_HASH_LEN];
	size_t exporter_len;
	struct petrel_probe13 probe13; /* path MTU probe in flight (probe13.c) */
};

/* rl13.c: the epoch table */
int petrel_rl13_install(struct petrel_d13 *d, bool write, uint64_t epoch, const uint8_t *secret,
			size_t secret_len);
struct petrel_dtls13_epoch *petrel_rl13_read(struct petrel_d13 *d, uint64_t epoch);
struct petrel_dtls13_epoch *petrel_rl13_write(struct petrel_d13 *d, uint64_t epoch);
/* One record of content type ct in epoch into w: plaintext header for
 * epoch 0, else the unified header with length, 16-bit sequence number. */
int petrel_rl13_seal(struct petrel_d13 *d, uint64_t epoch, uint8_t ct, const uint8_t *payload,
		     size_t len, struct petrel_writer *w, uint64_t *seq);
size_t petrel_rl13_overhead(const struct petrel_d13 *d, uint64_t epoch);
void petrel_rl13_clear(struct petrel_d13 *d);
/* The ChaCha20 counter order of every live epoch (RFC 9147 4.2.3). */
void petrel_rl13_set_counter_order(struct petrel_d13 *d, enum petrel_rn_chacha_counter order);
/* Idle: drop every epoch's expanded contexts (raw keys stay); true if
 * any was held. Retire: free both directions' slots of one epoch. */
bool petrel_rl13_holds_cache(const struct petrel_d13 *d);
void petrel_rl13_release_cache(struct petrel_d13 *d);
void petrel_rl13_retire(struct petrel_d13 *d, uint64_t epoch);
/* Heap bytes of the epoch table (slots and expanded contexts). */
size_t petrel_rl13_heap_bytes(const struct petrel_d13 *d);

/* flight13.c */
/* Starts a new flight (the previous one is answered) from the core's
 * messages; the bodies move into the flight. */
int petrel_flight13_take(petrel_session *s, struct petrel_hs13_output *out, size_t from,
			 size_t to, uint64_t now_ms);
void petrel_flight13_clear(struct petrel_d13 *d);
/* Send the unacknowledged fragments of the flight. */
int petrel_flight13_send(petrel_session *s, uint64_t now_ms, bool retransmission);
/* An ACK from the peer: 1 when it completed the flight. */
int petrel_flight13_on_ack(petrel_session *s, const uint8_t *body, size_t len, uint64_t now_ms);
/* Remember a record of the peer's handshake to acknowledge. */
void petrel_flight13_note_rcvd(struct petrel_d13 *d, uint64_t epoch, uint64_t seq);
/* Send an ACK of what was noted (in our current write epoch). */
int petrel_flight13_send_ack(petrel_session *s);
/* Frees the list of records to acknowledge when it is empty; _free_:
 * whatever it holds (the session goes). */
void petrel_flight13_release_rcvd(struct petrel_d13 *d);
void petrel_flight13_free_rcvd(struct petrel_d13 *d);
/* Heap bytes of the flight and the ACK list. */
size_t petrel_flight13_heap_bytes(const struct petrel_d13 *d);

#endif
