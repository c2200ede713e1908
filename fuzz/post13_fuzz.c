/* libFuzzer target: a DTLS 1.3 session after its handshake (the victim)
 * fed a hostile peer's post-handshake records (RFC 9147 5.8, 7, 8, 9;
 * RFC 8446 4.6): KeyUpdate, NewConnectionId, RequestConnectionId and any
 * other handshake message, ACKs naming any record numbers (of the
 * victim's KeyUpdates, path MTU probes, NewConnectionIds, or none),
 * alerts and application data, all protected with the genuine peer's
 * keys, between the victim's own KeyUpdates, NewConnectionIds and CID
 * rotations, genuine exchanges and timers. Helper "rcidtest": the
 * message codecs are fuzzed alone (msg13, ack, cid13); this is the
 * engine that acts on them.
 *
 * Input: byte 0 the configuration (bit 0 the victim is the server, bit 1
 * CIDs both ways, bit 2 ChaCha20-Poly1305), then operations, one byte
 * each followed by its operands (what runs out ends the input):
 *   0 [type][len][body]: a handshake message, whole, with the message_seq
 *     the victim expects next;  1 the same with the seq from one more
 *     byte;  2 [n][n x (epoch back, seq u16)]: an ACK;  3 [ms u16]: the
 *     clock advances, the victim's timers run;  4 [what]: the victim acts
 *     (a KeyUpdate, NewConnectionId, rotation, application data);  5
 *     genuine exchanges both ways;  6 [level][desc]: an alert;  7
 *     [len][bytes]: application data.
 * The victim must never crash or leak; once it fails it has a fatal
 * error code and nothing more is fed; while alive its CID lists keep
 * their caps and its epochs never go back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/session.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_update.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/messages13.h"
#include "dtls13/perf13_idle.h"
#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

#define QUEUE_MAX 32
#define DGRAM_MAX 2048

/* Datagrams one side sent, not yet delivered. */
struct queue {
	uint8_t data[QUEUE_MAX][DGRAM_MAX];
	size_t len[QUEUE_MAX];
	size_t count;
};

static struct queue queues[2]; /* [0]: the client's, [1]: the server's */
static uint64_t now_ms;

static uint64_t clock_fn(void *ptr)
{
	(void)ptr;
	return now_ms;
}

static long push(void *ptr, const uint8_t *data, size_t len)
{
	struct queue *q = ptr;
	if (q->count < QUEUE_MAX && len <= DGRAM_MAX) {
		memcpy(q->data[q->count], data, len);
		q->len[q->count++] = len;
	}
	return (long)len;
}

static long pull(void *ptr, uint8_t *buf, size_t cap)
{
	(void)ptr;
	(void)buf;
	(void)cap;
	return PETREL_E_AGAIN;
}

static petrel_credentials *creds(void)
{
	static petrel_credentials *c;
	if (c == NULL) {
		static const uint8_t key[32] = {7, 7, 7, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
						13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28};
		CHECK(petrel_credentials_new(&c) == 0);
		CHECK(petrel_credentials_set_psk(c, "post13", key, sizeof key) == 0);
	}
	return c;
}

static petrel_session *session(unsigned role, uint8_t config)
{
	petrel_session *s;
	CHECK(petrel_session_new(&s, role | PETREL_FLAG_NO_COOKIE) == 0);
	petrel_session_set_credentials(s, creds());
	CHECK(petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3) == 0);
	if (config & 4)
		CHECK(petrel_session_set_ciphers(s, "TLS_CHACHA20_POLY1305_SHA256") == 0);
	if (config & 2)
		CHECK(petrel_session_set_cid(s, (const uint8_t *)(role == PETREL_CLIENT ? "cl-c" : "sv-c"),
					     4) == 0);
	petrel_transport_set_ptr(s, &queues[role == PETREL_CLIENT ? 0 : 1]);
	petrel_transport_set_push_function(s, push);
	petrel_transport_set_pull_function(s, pull);
	petrel_transport_set_clock_function(s, clock_fn, NULL);
	return s;
}

/* Delivers what `from` queued to `to`. */
static void deliver(struct queue *from, petrel_session *to)
{
	static uint8_t dgram[DGRAM_MAX];
	size_t count = from->count;
	from->count = 0;
	for (size_t i = 0; i < count; i++) {
		memcpy(dgram, from->data[i], from->len[i]);
		(void)petrel_engine_feed(to, dgram, from->len[i], now_ms);
		uint8_t app[256];
		while (petrel_engine_read(to, app, sizeof app) > 0)
			;
	}
}

static bool failed(const petrel_session *s)
{
	return s->fatal_error != 0 || s->closed;
}

/* The genuine exchange for a few rounds (both timers run). */
static void exchange(petrel_session *cl, petrel_session *sv, int rounds)
{
	for (int i = 0; i < rounds && !failed(cl) && !failed(sv); i++) {
		deliver(&queues[0], sv);
		deliver(&queues[1], cl);
		now_ms += 50;
		(void)petrel_engine_tick(cl, now_ms);
		(void)petrel_engine_tick(sv, now_ms);
	}
}

/* One record from the peer in its current write epoch. */
static void peer_record(petrel_session *peer, petrel_session *victim, uint8_t ct,
			const uint8_t *payload, size_t len)
{
	static uint8_t dgram[DGRAM_MAX];
	struct petrel_d13 *d = peer->d13;
	if (d == NULL || petrel_rl13_write(d, d->wr_epoch) == NULL)
		return;
	struct petrel_writer w;
	petrel_writer_init(&w, dgram, sizeof dgram);
	if (petrel_rl13_seal(d, d->wr_epoch, ct, payload, len, &w, NULL) < 0)
		return;
	(void)petrel_engine_feed(victim, dgram, petrel_writer_len(&w), now_ms);
	uint8_t app[256];
	while (petrel_engine_read(victim, app, sizeof app) > 0)
		;
}

struct input {
	const uint8_t *p, *end;
};

static bool take(struct input *in, size_t n, const uint8_t **out)
{
	if ((size_t)(in->end - in->p) < n)
		return false;
	*out = in->p;
	in->p += n;
	return true;
}

static void check_alive(const petrel_session *v, uint64_t rd_before, uint64_t wr_before)
{
	const struct petrel_d13 *d = v->d13;
	CHECK(d != NULL && d->done);
	CHECK(d->rd_epoch >= rd_before && d->wr_epoch >= wr_before);
	if (v->cid != NULL && v->cid->issued13 != NULL) {
		const struct petrel_cid13_issued *st = v->cid->issued13;
		CHECK(st->count <= PETREL_CID13_ISSUE_MAX);
		CHECK(st->spare_count <= PETREL_CID13_SPARE_MAX);
		CHECK(st->requested <= PETREL_CID13_ISSUE_PER_MESSAGE);
	}
	CHECK(d->msg_count <= D13_MAX_MSGS && d->rcvd_count <= D13_MAX_RCVD);
}

static void run(petrel_session *victim, petrel_session *peer, petrel_session *cl,
		petrel_session *sv, struct input *in)
{
	const uint8_t *op;
	uint8_t msg[12 + 255];
	for (unsigned steps = 0; steps < 64 && take(in, 1, &op); steps++) {
		uint64_t rd = victim->d13->rd_epoch, wr = victim->d13->wr_epoch;
		const uint8_t *a, *b;
		switch (*op & 7) {
		case 0:
		case 1: {
			if (!take(in, 2, &a) || !take(in, a[1], &b))
				return;
			uint16_t seq = petrel_perf13_rx_next_seq(victim->d13);
			const uint8_t *s;
			if ((*op & 7) == 1) {
				if (!take(in, 1, &s))
					return;
				seq = (uint16_t)(seq + (int8_t)*s);
			}
			struct petrel_writer w;
			petrel_writer_init(&w, msg, sizeof msg);
			petrel_put_u8(&w, a[0]);
			petrel_put_u24(&w, a[1]);
			petrel_put_u16(&w, seq);
			petrel_put_u24(&w, 0);
			petrel_put_u24(&w, a[1]);
			petrel_put_bytes(&w, b, a[1]);
			CHECK(petrel_writer_ok(&w));
			peer_record(peer, victim, PETREL_CT_HANDSHAKE, msg, petrel_writer_len(&w));
			break;
		}
		case 2: {
			if (!take(in, 1, &a))
				return;
			size_t n = a[0] % 16;
			if (!take(in, 3 * n, &b))
				return;
			struct petrel_record_number rn[16];
			for (size_t i = 0; i < n; i++) {
				uint64_t back = b[3 * i] % 4;
				rn[i].epoch = wr >= back ? wr - back : 0;
				rn[i].seq = (uint64_t)b[3 * i + 1] << 8 | b[3 * i + 2];
			}
			uint8_t body[2 + 16 * PETREL_RECORD_NUMBER_LEN];
			struct petrel_writer w;
			petrel_writer_init(&w, body, sizeof body);
			petrel_put_u16(&w, (uint16_t)(n * PETREL_RECORD_NUMBER_LEN));
			for (size_t i = 0; i < n; i++) { /* any order: the peer may break RFC 9147 7 */
				petrel_put_u64(&w, rn[i].epoch);
				petrel_put_u64(&w, rn[i].seq);
			}
			CHECK(petrel_writer_ok(&w));
			peer_record(peer, victim, PETREL_CT_ACK, body, petrel_writer_len(&w));
			break;
		}
		case 3:
			if (!take(in, 2, &a))
				return;
			now_ms += (uint64_t)a[0] << 8 | a[1];
			(void)petrel_engine_tick(victim, now_ms);
			break;
		case 4:
			if (!take(in, 1, &a))
				return;
			switch (a[0] % 5) {
			case 0: /* a client's KeyUpdate(update_requested); a server: nothing */
				(void)petrel_handshake(victim);
				break;
			case 1:
				(void)petrel_session_new_cids(victim, 1u + (a[0] >> 3) % 4,
							      (a[0] & 0x80) ? PETREL_CID_USAGE_IMMEDIATE
									    : PETREL_CID_USAGE_SPARE);
				break;
			case 2:
				(void)petrel_session_rotate_cid(victim);
				break;
			default:
				(void)petrel_record_send(victim, "victim", 6);
				break;
			}
			break;
		case 5:
			exchange(cl, sv, 1 + (*op >> 3) % 4);
			break;
		case 6:
			if (!take(in, 2, &a))
				return;
			peer_record(peer, victim, PETREL_CT_ALERT, a, 2);
			break;
		default:
			if (!take(in, 1, &a) || !take(in, a[0], &b))
				return;
			peer_record(peer, victim, PETREL_CT_APPLICATION_DATA, b, a[0]);
			break;
		}
		if (failed(victim)) {
			CHECK(victim->closed || petrel_error_is_fatal(victim->fatal_error));
			return;
		}
		check_alive(victim, rd, wr);
		if (failed(peer))
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint8_t config = data[0];
	memset(queues, 0, sizeof queues);
	now_ms = 10000;
	petrel_session *cl = session(PETREL_CLIENT, config);
	petrel_session *sv = session(PETREL_SERVER, config);
	CHECK(petrel_handshake(cl) == PETREL_E_AGAIN);
	for (int i = 0; i < 40 && !(petrel_handshake_is_complete(cl) && petrel_handshake_is_complete(sv));
	     i++)
		exchange(cl, sv, 1);
	CHECK(petrel_handshake_is_complete(cl) && petrel_handshake_is_complete(sv));
	exchange(cl, sv, 3); /* the ticket and its ACK */
	petrel_session *victim = config & 1 ? sv : cl, *peer = config & 1 ? cl : sv;
	struct input in = {data + 1, data + size};
	run(victim, peer, cl, sv, &in);
	(void)petrel_engine_next_deadline(victim);
	petrel_session_free(cl);
	petrel_session_free(sv);
	return 0;
}
