#include <criterion/criterion.h>
#include <string.h>

#include "dtls/flight.h"
#include "dtls/reassembly.h"
#include "petrel/petrel.h"
#include "record/record.h"

/* Test double of the record layer: epoch 0 is the 13-byte plaintext
 * header, later epochs add 8 explicit nonce + 16 tag bytes like AES-GCM
 * (zeros here). Sequence numbers count per epoch. */
struct fake_rl {
	uint64_t next_seq[4];
};

static size_t fake_overhead(void *ctx, uint16_t epoch)
{
	(void)ctx;
	return epoch == 0 ? 13 : 13 + 8 + 16;
}

static int fake_write(void *ctx, uint16_t epoch, uint8_t content_type, const uint8_t *payload,
		      size_t len, struct petrel_writer *w)
{
	struct fake_rl *rl = ctx;
	size_t extra = epoch == 0 ? 0 : 8 + 16;
	if (petrel_writer_left(w) < 13 + extra + len)
		return PETREL_E_SHORT_BUFFER;
	petrel_put_u8(w, content_type);
	petrel_put_u16(w, 0xfefd);
	petrel_put_u16(w, epoch);
	petrel_put_u48(w, rl->next_seq[epoch]++);
	petrel_put_u16(w, (uint16_t)(len + extra));
	if (extra) {
		uint8_t zeros[8] = {0};
		petrel_put_bytes(w, zeros, 8);
	}
	petrel_put_bytes(w, payload, len);
	if (extra) {
		uint8_t tag[16] = {0};
		petrel_put_bytes(w, tag, 16);
	}
	return 0;
}

/* What a receiver sees: every record of every datagram, in order. */
struct seen_record {
	size_t dgram;
	uint8_t content_type;
	uint16_t epoch;
	uint64_t seq;
	struct petrel_hs_header h; /* handshake only */
	uint8_t payload[2048];
	size_t payload_len;
};

#define MAX_SEEN 1024
struct capture {
	size_t dgrams;
	size_t dgram_len[MAX_SEEN];
	struct seen_record rec[MAX_SEEN];
	size_t nrec;
	int fail_at; /* return -1234 for this datagram index (-1: never) */
};

static int capture_send(void *ctx, const uint8_t *dgram, size_t len)
{
	struct capture *c = ctx;
	if (c->fail_at >= 0 && (size_t)c->fail_at == c->dgrams)
		return -1234;
	cr_assert_lt(c->dgrams, MAX_SEEN);
	c->dgram_len[c->dgrams] = len;
	struct petrel_reader r;
	petrel_reader_init(&r, dgram, len);
	while (petrel_reader_left(&r) > 0) {
		cr_assert_lt(c->nrec, MAX_SEEN);
		struct seen_record *s = &c->rec[c->nrec++];
		uint16_t version, rlen;
		cr_assert(petrel_get_u8(&r, &s->content_type));
		cr_assert(petrel_get_u16(&r, &version));
		cr_assert(petrel_get_u16(&r, &s->epoch));
		cr_assert(petrel_get_u48(&r, &s->seq));
		cr_assert(petrel_get_u16(&r, &rlen));
		struct petrel_reader body;
		cr_assert(petrel_get_sub(&r, rlen, &body));
		if (s->epoch != 0)
			cr_assert(petrel_skip(&body, 8));
		size_t plen = petrel_reader_left(&body) - (s->epoch != 0 ? 16 : 0);
		cr_assert_leq(plen, sizeof s->payload);
		cr_assert(petrel_get_copy(&body, s->payload, plen));
		s->payload_len = plen;
		s->dgram = c->dgrams;
		if (s->content_type == PETREL_FLIGHT_CT_HANDSHAKE) {
			struct petrel_reader pr;
			const uint8_t *frag;
			petrel_reader_init(&pr, s->payload, plen);
			cr_assert_eq(petrel_hs_header_read(&pr, &s->h, &frag), 0);
			cr_assert(petrel_reader_done(&pr), "one fragment per record");
		}
	}
	c->dgrams++;
	return 0;
}

static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
}

static struct fake_rl frl;
static struct petrel_flight_records recs;
static struct petrel_flight fl;
static uint8_t body[4][4000];
static uint8_t dgram_buf[2000];
static struct capture cap;

static void setup(void)
{
	memset(&frl, 0, sizeof frl);
	recs = (struct petrel_flight_records){fake_overhead, fake_write, &frl, 0};
	petrel_flight_init(&fl);
	for (uint32_t i = 0; i < 4; i++)
		fill(body[i], sizeof body[i], 100 + i);
}
static void teardown(void) { petrel_flight_reset(&fl); }
TestSuite(dtls_flight, .init = setup, .fini = teardown);

static int send_flight(void)
{
	memset(&cap, 0, sizeof cap);
	cap.fail_at = -1;
	return petrel_flight_send(&fl, &recs, dgram_buf, sizeof dgram_buf, capture_send, &cap);
}

/* A server flight: ServerHello 90, Certificate 3000, ServerKeyExchange 300,
 * ServerHelloDone 0, all epoch 0. */
static void add_server_flight(void)
{
	cr_assert_eq(petrel_flight_add_handshake(&fl, PETREL_HS_SERVER_HELLO, 1, 0, body[0], 90), 0);
	cr_assert_eq(petrel_flight_add_handshake(&fl, PETREL_HS_CERTIFICATE, 2, 0, body[1], 3000), 0);
	cr_assert_eq(
		petrel_flight_add_handshake(&fl, PETREL_HS_SERVER_KEY_EXCHANGE, 3, 0, body[2], 300), 0);
	cr_assert_eq(petrel_flight_add_handshake(&fl, PETREL_HS_SERVER_HELLO_DONE, 4, 0, NULL, 0), 0);
}

Test(dtls_flight, small_messages_share_one_datagram)
{
	for (uint16_t i = 0; i < 3; i++)
		cr_assert_eq(petrel_flight_add_handshake(&fl, 1, i, 0, body[i], 100u * (i + 1u)), 0);
	cr_assert_eq(petrel_flight_plan(&fl, 1400, &recs), 0);
	cr_assert_eq(petrel_flight_datagram_count(&fl), 1);
	cr_assert_eq(fl.datagrams[0].length, 3 * (13 + 12) + 600);
	cr_assert_eq(send_flight(), 1);
	cr_assert_eq(cap.dgram_len[0], 675);
	cr_assert_eq(cap.nrec, 3);
}

Test(dtls_flight, server_flight_packs_into_minimal_datagrams)
{
	add_server_flight();
	cr_assert_eq(petrel_flight_plan(&fl, 1000, &recs), 0);
	/* 3390 body bytes in at least 7 records of 25 bytes overhead: at least
	 * 3565 bytes, so 4 datagrams of 1000 is the minimum. */
	cr_assert_eq(petrel_flight_datagram_count(&fl), 4);
	/* Certificate starts in the tail of the first datagram. */
	cr_assert_eq(fl.datagrams[0].fragment_count, 2);
	cr_assert_eq(fl.datagrams[0].length, 1000);
	cr_assert_eq(fl.fragments[1].entry, 1);
	cr_assert_eq(fl.fragments[1].offset, 0);
	cr_assert_eq(fl.fragments[1].length, 1000 - 115 - 25);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 0), 1);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 1), 4);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 2), 1);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 3), 1);
	cr_assert_eq(send_flight(), 4);
	for (size_t d = 0; d < 4; d++) {
		cr_assert_leq(cap.dgram_len[d], 1000);
		cr_assert_eq(cap.dgram_len[d], fl.datagrams[d].length);
	}
	/* The last datagram carries the Certificate tail, SKE and SHD. */
	cr_assert_eq(fl.datagrams[3].fragment_count, 3);
}

Test(dtls_flight, tail_smaller_than_min_split_starts_new_datagram)
{
	/* 1000-byte datagrams: a 940-byte message leaves 35 bytes, too few
	 * to start the next message's fragment there. */
	cr_assert_eq(petrel_flight_add_handshake(&fl, 1, 0, 0, body[0], 940), 0);
	cr_assert_eq(petrel_flight_add_handshake(&fl, 11, 1, 0, body[1], 500), 0);
	cr_assert_eq(petrel_flight_plan(&fl, 1000, &recs), 0);
	cr_assert_eq(petrel_flight_datagram_count(&fl), 2);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 1), 1);
}

struct boundary {
	size_t dgram;
	uint16_t message_seq;
	uint32_t offset, length;
};

static size_t boundaries(struct boundary *out)
{
	size_t n = 0;
	for (size_t i = 0; i < cap.nrec; i++) {
		if (cap.rec[i].content_type != PETREL_FLIGHT_CT_HANDSHAKE)
			continue;
		/* Field by field on a zeroed struct: memcmp also sees the padding. */
		memset(&out[n], 0, sizeof out[n]);
		out[n].dgram = cap.rec[i].dgram;
		out[n].message_seq = cap.rec[i].h.message_seq;
		out[n].offset = cap.rec[i].h.fragment_offset;
		out[n].length = cap.rec[i].h.fragment_length;
		n++;
	}
	return n;
}

Test(dtls_flight, retransmissions_reuse_fragment_boundaries_and_packing)
{
	add_server_flight();
	cr_assert_eq(petrel_flight_plan(&fl, 700, &recs), 0);
	struct boundary first[MAX_SEEN], again[MAX_SEEN];
	cr_assert_gt(send_flight(), 0);
	size_t n = boundaries(first);
	size_t dgrams = cap.dgrams;
	uint64_t last_seq = cap.rec[cap.nrec - 1].seq;
	for (int t = 0; t < 3; t++) {
		/* A replan call with the same size is a no-op; plan() never moves. */
		cr_assert_eq(petrel_flight_plan(&fl, 300, &recs), 0);
		cr_assert_gt(send_flight(), 0);
		cr_assert_eq(cap.dgrams, dgrams);
		cr_assert_eq(boundaries(again), n);
		cr_assert_eq(memcmp(first, again, n * sizeof first[0]), 0, "transmission %d", t + 2);
		cr_assert_gt(cap.rec[0].seq, last_seq, "new record sequence numbers");
		last_seq = cap.rec[cap.nrec - 1].seq;
	}
	cr_assert_eq(fl.transmissions, 4);
}

/* Feed every captured handshake record to a reassembler and check each
 * message comes out intact. */
static void check_reassembles(const uint16_t *seqs, const uint8_t *const *bodies,
			      const uint32_t *lens, size_t count)
{
	struct petrel_reasm ra;
	petrel_reasm_init(&ra);
	petrel_reasm_set_next_seq(&ra, seqs[0]);
	for (size_t i = 0; i < cap.nrec; i++)
		if (cap.rec[i].content_type == PETREL_FLIGHT_CT_HANDSHAKE)
			cr_assert_eq(petrel_reasm_add_record(&ra, cap.rec[i].payload,
							     cap.rec[i].payload_len, NULL),
				     0);
	for (size_t m = 0; m < count; m++) {
		struct petrel_hs_message msg;
		cr_assert_eq(petrel_reasm_pop(&ra, &msg), 1);
		cr_assert_eq(msg.message_seq, seqs[m]);
		cr_assert_eq(msg.length, lens[m]);
		if (lens[m])
			cr_assert_arr_eq(msg.body, bodies[m], lens[m]);
	}
	cr_assert_eq(ra.stats.dropped_conflict + ra.stats.dropped_inconsistent, 0);
	petrel_reasm_clear(&ra);
}

Test(dtls_flight, replan_for_smaller_mtu_changes_fragments_within_new_max)
{
	add_server_flight();
	cr_assert_eq(petrel_flight_plan(&fl, 1000, &recs), 0);
	cr_assert_eq(send_flight(), 4);
	struct boundary big[MAX_SEEN], small[MAX_SEEN];
	size_t nbig = boundaries(big);
	cr_assert_eq(petrel_flight_replan(&fl, 400, &recs), 0);
	int sent = send_flight();
	cr_assert_gt(sent, 4);
	cr_assert_eq((size_t)sent, petrel_flight_datagram_count(&fl));
	size_t nsmall = boundaries(small);
	cr_assert_gt(nsmall, nbig);
	for (size_t d = 0; d < cap.dgrams; d++)
		cr_assert_leq(cap.dgram_len[d], 400, "datagram %zu", d);
	/* Minimum: 3390 bytes + at least 12 records * 25 in 400-byte datagrams. */
	cr_assert_eq(petrel_flight_datagram_count(&fl), 10);
	const uint16_t seqs[] = {1, 2, 3, 4};
	const uint8_t *bodies[] = {body[0], body[1], body[2], NULL};
	const uint32_t lens[] = {90, 3000, 300, 0};
	check_reassembles(seqs, bodies, lens, 4);
}

Test(dtls_flight, per_epoch_overhead_limits_fragments)
{
	/* The same 2000-byte message in epoch 0 (13 bytes overhead) and epoch 1
	 * (37): fragments of 500-25 and 500-49 body bytes. */
	cr_assert_eq(petrel_flight_add_handshake(&fl, 11, 0, 0, body[0], 2000), 0);
	cr_assert_eq(petrel_flight_plan(&fl, 500, &recs), 0);
	cr_assert_eq(fl.fragments[0].length, 475);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 0), 5);
	petrel_flight_reset(&fl);
	cr_assert_eq(petrel_flight_add_handshake(&fl, 11, 0, 1, body[0], 2000), 0);
	cr_assert_eq(petrel_flight_plan(&fl, 500, &recs), 0);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 0), 5);
	for (size_t f = 0; f < 4; f++) {
		cr_assert_eq(fl.fragments[f].length, 451);
		cr_assert_eq(fl.fragments[f].offset, 451 * f);
	}
	cr_assert_eq(fl.fragments[4].length, 2000 - 4 * 451);
	cr_assert_eq(send_flight(), 5);
	for (size_t d = 0; d < 4; d++)
		cr_assert_eq(cap.dgram_len[d], 500);
	cr_assert_eq(cap.rec[0].epoch, 1);
}

Test(dtls_flight, ccs_and_finished_in_next_epoch_share_a_datagram)
{
	/* Client flight: ClientKeyExchange (epoch 0), CCS (epoch 0),
	 * Finished (epoch 1). */
	cr_assert_eq(petrel_flight_add_handshake(&fl, PETREL_HS_CLIENT_KEY_EXCHANGE, 3, 0, body[0],
						 33),
		     0);
	cr_assert_eq(petrel_flight_add_ccs(&fl, 0), 0);
	cr_assert_eq(petrel_flight_add_handshake(&fl, PETREL_HS_FINISHED, 4, 1, body[1], 12), 0);
	cr_assert_eq(petrel_flight_plan(&fl, 1200, &recs), 0);
	cr_assert_eq(petrel_flight_datagram_count(&fl), 1);
	cr_assert_eq(fl.datagrams[0].length, (13 + 12 + 33) + (13 + 1) + (37 + 12 + 12));
	cr_assert_eq(send_flight(), 1);
	cr_assert_eq(cap.nrec, 3);
	cr_assert_eq(cap.rec[1].content_type, PETREL_FLIGHT_CT_CCS);
	cr_assert_eq(cap.rec[1].epoch, 0);
	cr_assert_eq(cap.rec[1].payload_len, 1);
	cr_assert_eq(cap.rec[1].payload[0], 0x01);
	cr_assert_eq(cap.rec[2].epoch, 1);
	cr_assert_eq(cap.rec[2].h.msg_type, PETREL_HS_FINISHED);
	cr_assert_eq(cap.rec[2].h.message_seq, 4);
	cr_assert_arr_eq(cap.rec[2].payload + 12, body[1], 12);
}

Test(dtls_flight, transcript_bytes_are_unfragmented_message)
{
	add_server_flight();
	cr_assert_eq(petrel_flight_add_ccs(&fl, 0), 0);
	cr_assert_eq(petrel_flight_plan(&fl, 300, &recs), 0); /* fragmenting changes nothing */
	const uint8_t *p;
	size_t len;
	cr_assert_eq(petrel_flight_transcript(&fl, 1, &p, &len), 1);
	cr_assert_eq(len, 12 + 3000);
	const uint8_t hdr[12] = {11, 0x00, 0x0b, 0xb8, 0, 2, 0, 0, 0, 0x00, 0x0b, 0xb8};
	cr_assert_arr_eq(p, hdr, 12);
	cr_assert_arr_eq(p + 12, body[1], 3000);
	cr_assert_eq(petrel_flight_transcript(&fl, 3, &p, &len), 1);
	cr_assert_eq(len, 12);
	cr_assert_eq(petrel_flight_transcript(&fl, 4, &p, &len), 0, "CCS is not hashed");
	cr_assert_eq(petrel_flight_transcript(&fl, 5, &p, &len), PETREL_E_INVALID_REQUEST);
}

Test(dtls_flight, send_error_aborts_and_is_returned)
{
	add_server_flight();
	cr_assert_eq(petrel_flight_plan(&fl, 1000, &recs), 0);
	memset(&cap, 0, sizeof cap);
	cap.fail_at = 2;
	cr_assert_eq(petrel_flight_send(&fl, &recs, dgram_buf, sizeof dgram_buf, capture_send, &cap),
		     -1234);
	cr_assert_eq(cap.dgrams, 2);
	cr_assert_eq(fl.transmissions, 1, "datagrams went out: counts for Karn");
	cr_assert_eq(petrel_flight_send(&fl, &recs, dgram_buf, 999, capture_send, &cap),
		     PETREL_E_SHORT_BUFFER);
}

Test(dtls_flight, unusable_sizes_and_misuse_are_rejected)
{
	cr_assert_eq(petrel_flight_plan(&fl, 1000, &recs), PETREL_E_INVALID_REQUEST, "empty");
	cr_assert_eq(send_flight(), PETREL_E_INVALID_REQUEST, "not planned");
	cr_assert_eq(petrel_flight_add_handshake(&fl, 11, 0, 1, body[0], 100), 0);
	/* Epoch 1: 37 + 12 bytes before the first body byte. */
	cr_assert_eq(petrel_flight_plan(&fl, 49, &recs), PETREL_E_INVALID_REQUEST);
	cr_assert_not(fl.planned);
	cr_assert_eq(petrel_flight_plan(&fl, 50, &recs), 0);
	cr_assert_eq(petrel_flight_entry_fragment_count(&fl, 0), 100);
	cr_assert_eq(petrel_flight_add_ccs(&fl, 1), PETREL_E_INVALID_REQUEST, "planned");
	petrel_flight_reset(&fl);
	for (uint16_t i = 0; i < PETREL_FLIGHT_MAX_ENTRIES; i++)
		cr_assert_eq(petrel_flight_add_handshake(&fl, 1, i, 0, body[0], 10), 0);
	cr_assert_eq(petrel_flight_add_ccs(&fl, 0), PETREL_E_LIMIT_EXCEEDED);
	petrel_flight_reset(&fl);
	cr_assert_eq(petrel_flight_add_handshake(&fl, 1, 0, 0, body[0], 0x1000000),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(fl.bytes_len, 0);
}

Test(dtls_flight, byte_cap_is_enforced)
{
	static uint8_t big[PETREL_FLIGHT_MAX_BYTES];
	cr_assert_eq(petrel_flight_add_handshake(&fl, 11, 0, 0, big, PETREL_FLIGHT_MAX_BYTES - 12),
		     0);
	cr_assert_eq(petrel_flight_add_ccs(&fl, 0), PETREL_E_LIMIT_EXCEEDED);
	cr_assert_eq(fl.entry_count, 1);
}

Test(dtls_flight, random_flights_fit_and_reassemble_fixed_seeds)
{
	uint32_t x = 42;
	for (int round = 0; round < 100; round++) {
		petrel_flight_reset(&fl);
		x = x * 1664525u + 1013904223u;
		size_t n = 1 + (x >> 8) % 4;
		uint16_t seqs[4];
		const uint8_t *bodies[4];
		uint32_t lens[4];
		for (size_t i = 0; i < n; i++) {
			x = x * 1664525u + 1013904223u;
			lens[i] = (x >> 8) % 3500;
			seqs[i] = (uint16_t)(5 + i);
			bodies[i] = body[i];
			cr_assert_eq(petrel_flight_add_handshake(&fl, 11, seqs[i], (uint16_t)(i >= 2),
								 body[i], lens[i]),
				     0);
		}
		x = x * 1664525u + 1013904223u;
		size_t mtu = 200 + (x >> 8) % 1260;
		cr_assert_eq(petrel_flight_plan(&fl, mtu, &recs), 0);
		cr_assert_eq((size_t)send_flight(), petrel_flight_datagram_count(&fl));
		size_t total = 0;
		for (size_t d = 0; d < cap.dgrams; d++) {
			cr_assert_leq(cap.dgram_len[d], mtu);
			total += cap.dgram_len[d];
		}
		/* Greedy filling: every datagram but the last is nearly full. */
		for (size_t d = 0; d + 1 < cap.dgrams; d++)
			cr_assert_gt(cap.dgram_len[d] + 37 + 12 + PETREL_FLIGHT_MIN_SPLIT, mtu,
				     "round %d datagram %zu", round, d);
		check_reassembles(seqs, bodies, lens, n);
	}
}

/* ---- Through the real record layer (dtls/flight_rl.c). ---- */

struct rl_sink {
	struct petrel_record_layer *rx;
	struct petrel_reasm *ra;
	size_t dgrams, max_len, ccs, records;
	uint64_t first_seq_epoch0;
};

static int rl_sink_send(void *ctx, const uint8_t *dgram, size_t len)
{
	struct rl_sink *s = ctx;
	uint8_t copy[2000];
	cr_assert_leq(len, sizeof copy);
	memcpy(copy, dgram, len);
	if (len > s->max_len)
		s->max_len = len;
	s->dgrams++;
	size_t off = 0;
	struct petrel_record rec;
	int rc;
	while ((rc = petrel_rl_read(s->rx, copy, len, &off, &rec)) == 1) {
		s->records++;
		if (rec.content_type == PETREL_CT_CHANGE_CIPHER_SPEC) {
			cr_assert_eq(rec.length, 1);
			cr_assert_eq(rec.fragment[0], 1);
			cr_assert_eq(rec.epoch, 0);
			s->ccs++;
			continue;
		}
		cr_assert_eq(rec.content_type, PETREL_CT_HANDSHAKE);
		struct petrel_reasm_record_result res;
		cr_assert_eq(petrel_reasm_add_record(s->ra, rec.fragment, rec.length, &res), 0);
		cr_assert_not(res.malformed);
		cr_assert_eq(res.dropped, 0);
	}
	cr_assert_eq(rc, 0);
	return 0;
}

Test(dtls_flight, emits_through_record_layer_in_each_entrys_epoch)
{
	struct petrel_record_layer tx, rx;
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
	struct petrel_epoch_keys k;
	memset(&k, 0, sizeof k);
	k.aead = PETREL_AEAD_AES128_GCM;
	for (size_t i = 0; i < sizeof k.key; i++)
		k.key[i] = (uint8_t)(0x20 + i);
	for (size_t i = 0; i < sizeof k.fixed_iv; i++)
		k.fixed_iv[i] = (uint8_t)(0x70 + i);

	/* Client flight: Certificate, ClientKeyExchange, CCS in epoch 0;
	 * Finished in epoch 1, whose keys exist before the flight is planned. */
	cr_assert_eq(petrel_flight_add_handshake(&fl, PETREL_HS_CERTIFICATE, 1, 0, body[0], 2500), 0);
	cr_assert_eq(
		petrel_flight_add_handshake(&fl, PETREL_HS_CLIENT_KEY_EXCHANGE, 2, 0, body[1], 65), 0);
	cr_assert_eq(petrel_flight_add_ccs(&fl, 0), 0);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &k), 0);
	cr_assert_eq(petrel_flight_add_handshake(&fl, PETREL_HS_FINISHED, 3, 1, body[2], 12), 0);

	struct petrel_flight_records rl_recs;
	petrel_flight_records_rl(&rl_recs, &tx);
	cr_assert_eq(rl_recs.overhead(rl_recs.ctx, 0), 13);
	cr_assert_eq(rl_recs.overhead(rl_recs.ctx, 1), 13 + 8 + 16);
	cr_assert_eq(petrel_flight_plan(&fl, 600, &rl_recs), 0);

	cr_assert_eq(petrel_rl_set_read_keys(&rx, 1, &k), 0);
	struct petrel_reasm ra;
	petrel_reasm_init(&ra);
	petrel_reasm_set_next_seq(&ra, 1);
	struct rl_sink sink = {.rx = &rx, .ra = &ra};
	int n = petrel_flight_send(&fl, &rl_recs, dgram_buf, sizeof dgram_buf, rl_sink_send, &sink);
	cr_assert_eq((size_t)n, petrel_flight_datagram_count(&fl));
	cr_assert_leq(sink.max_len, 600);
	cr_assert_eq(sink.records, fl.fragment_count, "every record authenticated");
	cr_assert_eq(sink.ccs, 1);
	const uint8_t *bodies[] = {body[0], body[1], body[2]};
	const uint32_t lens[] = {2500, 65, 12};
	for (int m = 0; m < 3; m++) {
		struct petrel_hs_message msg;
		cr_assert_eq(petrel_reasm_pop(&ra, &msg), 1);
		cr_assert_eq(msg.message_seq, m + 1);
		cr_assert_arr_eq(msg.body, bodies[m], lens[m]);
	}
	/* Retransmission: fresh record sequence numbers (not replays), same
	 * fragments, so the receiver sees only old messages. */
	size_t records_before = sink.records;
	n = petrel_flight_send(&fl, &rl_recs, dgram_buf, sizeof dgram_buf, rl_sink_send, &sink);
	cr_assert_eq(sink.records - records_before, fl.fragment_count);
	cr_assert_eq(ra.stats.old, fl.fragment_count - 1);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_replay, 0);
	cr_assert_eq(fl.transmissions, 2);
	petrel_reasm_clear(&ra);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}
