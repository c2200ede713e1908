/* Protected epochs: every AEAD, nonces, tampering, bad-record limit,
 * next-epoch buffering, previous epochs, lazy AEAD contexts, and a lossy
 * simulated network. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/record.h"
#include "tests/record_testutil.h"
#include "tests/simnet.h"

/* tx writes epoch 1 with keys; rx reads epoch 1 with the same keys. */
static void pair_epoch1(struct petrel_record_layer *tx, struct petrel_record_layer *rx,
			enum petrel_aead_alg alg)
{
	struct petrel_epoch_keys k = test_keys(alg, 0x10);
	petrel_rl_init(tx);
	petrel_rl_init(rx);
	cr_assert_eq(petrel_rl_set_write_keys(tx, 1, &k), 0);
	cr_assert_eq(petrel_rl_set_read_keys(rx, 1, &k), 0);
}

static size_t seal(struct petrel_record_layer *rl, uint16_t epoch, const char *text, uint8_t *buf,
		   size_t cap)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	cr_assert_eq(petrel_rl_write(rl, epoch, PETREL_CT_APPLICATION_DATA, (const uint8_t *)text,
				     strlen(text), &w), 0);
	return petrel_writer_len(&w);
}

static int open_one(struct petrel_record_layer *rl, uint8_t *buf, size_t len,
		    struct petrel_record *rec)
{
	size_t off = 0;
	return petrel_rl_read(rl, buf, len, &off, rec);
}

Test(record_aead, every_aead_round_trips_and_hides_the_plaintext)
{
	for (size_t a = 0; a < sizeof(all_aeads) / sizeof(all_aeads[0]); a++) {
		struct petrel_record_layer tx, rx;
		pair_epoch1(&tx, &rx, all_aeads[a]);
		uint8_t buf[128];
		const char *msg = "attack at dawn, bring snacks";
		size_t n = seal(&tx, 1, msg, buf, sizeof(buf));
		cr_assert_eq(n, petrel_record_overhead(all_aeads[a]) + strlen(msg));
		cr_assert_eq(buf[3], 0);
		cr_assert_eq(buf[4], 1, "epoch 1 in the header");
		cr_assert_eq(((size_t)buf[11] << 8 | buf[12]), n - 13);
		cr_assert(memmem(buf, n, msg, strlen(msg)) == NULL, "plaintext visible (alg %d)",
			  all_aeads[a]);
		struct petrel_record rec;
		cr_assert_eq(open_one(&rx, buf, n, &rec), 1, "alg %d", all_aeads[a]);
		cr_assert_eq(rec.epoch, 1);
		cr_assert_eq(rec.seq, 0);
		cr_assert_eq(rec.content_type, PETREL_CT_APPLICATION_DATA);
		cr_assert_eq(rec.length, strlen(msg));
		cr_assert_arr_eq(rec.fragment, msg, strlen(msg));
		petrel_rl_clear(&tx);
		petrel_rl_clear(&rx);
	}
}

Test(record_aead, gcm_and_ccm_carry_epoch_and_seq_as_explicit_nonce)
{
	struct petrel_record_layer tx, rx;
	pair_epoch1(&tx, &rx, PETREL_AEAD_AES128_CCM8);
	petrel_rl_set_next_write_seq(&tx, 1, UINT64_C(0x0000a1b2c3d4));
	uint8_t buf[64];
	seal(&tx, 1, "x", buf, sizeof(buf));
	const uint8_t expect[8] = {0x00, 0x01, 0x00, 0x00, 0xa1, 0xb2, 0xc3, 0xd4};
	cr_assert_arr_eq(buf + 13, expect, 8, "RFC 5288 3 explicit nonce = epoch||seq");
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, chacha_nonce_is_iv_xor_epoch_seq)
{
	/* Sealing with the record layer must equal a raw AEAD seal with the
	 * RFC 7905 nonce: iv XOR (0^4 || epoch(2) || seq(6)), and AD
	 * epoch||seq||type||version||length. */
	struct petrel_record_layer tx, rx;
	pair_epoch1(&tx, &rx, PETREL_AEAD_CHACHA20_POLY1305);
	petrel_rl_set_next_write_seq(&tx, 1, 0x0102030405);
	uint8_t buf[64];
	size_t n = seal(&tx, 1, "hello", buf, sizeof(buf));
	cr_assert_eq(n, 13 + 5 + 16);

	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_CHACHA20_POLY1305, 0x10);
	uint8_t nonce[12];
	memcpy(nonce, k.fixed_iv, 12);
	const uint8_t pad[12] = {0, 0, 0, 0, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05};
	for (int i = 0; i < 12; i++)
		nonce[i] ^= pad[i];
	const uint8_t ad[13] = {0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
				23, 0xfe, 0xfd, 0x00, 0x05};
	uint8_t ctxbuf[8192] __attribute__((aligned(16)));
	cr_assert_leq(petrel_aead_ctx_size(), sizeof(ctxbuf));
	struct petrel_aead_ctx *ctx = (struct petrel_aead_ctx *)ctxbuf;
	cr_assert_eq(petrel_aead_init(ctx, k.aead, k.key), 0);
	uint8_t raw[5 + 16] = {'h', 'e', 'l', 'l', 'o'};
	cr_assert_eq(petrel_aead_seal(ctx, nonce, ad, sizeof(ad), raw, 5), 0);
	cr_assert_arr_eq(buf + 13, raw, sizeof(raw));
	petrel_aead_wipe(ctx);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, tampered_records_are_dropped_counted_and_the_layer_continues)
{
	for (size_t a = 0; a < sizeof(all_aeads) / sizeof(all_aeads[0]); a++) {
		struct petrel_record_layer tx, rx;
		pair_epoch1(&tx, &rx, all_aeads[a]);
		uint8_t buf[128];
		struct petrel_record rec;
		/* Flip a bit in: ciphertext, tag (last byte), header seq, header
		 * type. Each must fail authentication. */
		size_t positions[4];
		size_t n = seal(&tx, 1, "payload!", buf, sizeof(buf));
		positions[0] = 13 + petrel_record_explicit_nonce_len(all_aeads[a]) + 2;
		positions[1] = n - 1;
		positions[2] = 10;
		positions[3] = 0;
		for (int p = 0; p < 4; p++) {
			n = seal(&tx, 1, "payload!", buf, sizeof(buf));
			buf[positions[p]] ^= (p == 3) ? 0x03 : 0x01; /* type 23 -> 20 */
			cr_assert_eq(open_one(&rx, buf, n, &rec), 0, "alg %d pos %zu", all_aeads[a],
				     positions[p]);
		}
		cr_assert_eq(petrel_rl_stats(&rx)->dropped_bad_mac, 4);
		/* A good record after the bad ones still gets through, and the
		 * window was not moved by them. */
		petrel_rl_set_next_write_seq(&tx, 1, 1);
		n = seal(&tx, 1, "still here", buf, sizeof(buf));
		cr_assert_eq(open_one(&rx, buf, n, &rec), 1);
		cr_assert_eq(rec.seq, 1);
		cr_assert_arr_eq(rec.fragment, "still here", 10);
		petrel_rl_clear(&tx);
		petrel_rl_clear(&rx);
	}
}

Test(record_aead, record_shorter_than_nonce_and_tag_is_malformed)
{
	struct petrel_record_layer tx, rx;
	pair_epoch1(&tx, &rx, PETREL_AEAD_AES128_GCM);
	/* epoch 1, length 23 < 8 + 16 */
	uint8_t buf[13 + 23] = {0x17, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23};
	struct petrel_record rec;
	cr_assert_eq(open_one(&rx, buf, sizeof(buf), &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 1);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_bad_mac, 0);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, bad_record_limit_ends_the_session)
{
	struct petrel_record_layer tx, rx;
	pair_epoch1(&tx, &rx, PETREL_AEAD_AES128_GCM);
	petrel_rl_set_bad_record_limit(&rx, 3);
	uint8_t buf[64];
	struct petrel_record rec;
	for (int i = 0; i < 3; i++) {
		size_t n = seal(&tx, 1, "zz", buf, sizeof(buf));
		buf[n - 1] ^= 0x80;
		cr_assert_eq(open_one(&rx, buf, n, &rec), 0);
	}
	size_t n = seal(&tx, 1, "zz", buf, sizeof(buf));
	buf[n - 1] ^= 0x80;
	cr_assert_eq(open_one(&rx, buf, n, &rec), PETREL_E_TOO_MANY_BAD_RECORDS);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_bad_mac, 4);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, next_epoch_records_are_buffered_until_keys_arrive)
{
	struct petrel_record_layer tx, rx;
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES256_GCM, 0x33);
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &k), 0);
	/* One datagram: an epoch-0 record (previous write epoch: a
	 * retransmitted flight) followed by two epoch-1 records. */
	uint8_t dgram[256];
	size_t len = seal(&tx, 0, "finished-flight", dgram, sizeof(dgram));
	len += seal(&tx, 1, "early-1", dgram + len, sizeof(dgram) - len);
	len += seal(&tx, 1, "early-2", dgram + len, sizeof(dgram) - len);
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
	cr_assert_eq(rec.epoch, 0);
	cr_assert_arr_eq(rec.fragment, "finished-flight", 15);
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->buffered_next_epoch, 2);
	cr_assert_eq(petrel_rl_buffered_count(&rx), 2);
	cr_assert_eq(petrel_rl_take_buffered(&rx, &rec), 0, "no keys yet");
	memset(dgram, 0, sizeof(dgram)); /* the buffer holds copies */

	cr_assert_eq(petrel_rl_set_read_keys(&rx, 1, &k), 0);
	cr_assert_eq(petrel_rl_take_buffered(&rx, &rec), 1);
	cr_assert_eq(rec.epoch, 1);
	cr_assert_eq(rec.seq, 0);
	cr_assert_arr_eq(rec.fragment, "early-1", 7);
	cr_assert_eq(petrel_rl_take_buffered(&rx, &rec), 1);
	cr_assert_eq(rec.seq, 1);
	cr_assert_arr_eq(rec.fragment, "early-2", 7);
	cr_assert_eq(petrel_rl_take_buffered(&rx, &rec), 0);
	cr_assert_eq(petrel_rl_buffered_count(&rx), 0);

	/* The previous read epoch (0) is still accepted, reported as such;
	 * once retired it is dropped as a bad epoch. */
	len = seal(&tx, 0, "retransmit", dgram, sizeof(dgram));
	cr_assert_eq(open_one(&rx, dgram, len, &rec), 1);
	cr_assert_eq(rec.epoch, 0);
	petrel_rl_retire_previous_read(&rx);
	len = seal(&tx, 0, "retransmit", dgram, sizeof(dgram));
	cr_assert_eq(open_one(&rx, dgram, len, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_bad_epoch, 1);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, buffer_caps_are_enforced)
{
	struct petrel_record_layer tx, rx;
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES128_GCM, 0x44);
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &k), 0);
	uint8_t dgram[1200];
	struct petrel_record rec;
	/* Count cap: 10 small records, 8 fit. */
	for (int i = 0; i < 10; i++) {
		size_t n = seal(&tx, 1, "s", dgram, sizeof(dgram));
		cr_assert_eq(open_one(&rx, dgram, n, &rec), 0);
	}
	cr_assert_eq(petrel_rl_stats(&rx)->buffered_next_epoch, PETREL_RL_MAX_BUFFERED_RECORDS);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_buffer_full, 2);
	petrel_rl_clear(&rx);

	/* Byte cap: records of 13 + 8 + 1000 + 16 = 1037 bytes; 3 fit in
	 * 4096 (3111), the 4th (4148) does not. */
	petrel_rl_init(&rx);
	static char big[1001];
	memset(big, 'b', 1000);
	for (int i = 0; i < 5; i++) {
		size_t n = seal(&tx, 1, big, dgram, sizeof(dgram));
		cr_assert_eq(n, 1037);
		cr_assert_eq(open_one(&rx, dgram, n, &rec), 0);
	}
	cr_assert_eq(petrel_rl_stats(&rx)->buffered_next_epoch, 3);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_buffer_full, 2);
	cr_assert_eq(petrel_rl_set_read_keys(&rx, 1, &k), 0);
	int got = 0;
	while (petrel_rl_take_buffered(&rx, &rec) == 1) {
		cr_assert_eq(rec.length, 1000);
		got++;
	}
	cr_assert_eq(got, 3);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, epochs_beyond_next_are_dropped)
{
	struct petrel_record_layer tx, rx;
	struct petrel_epoch_keys k1 = test_keys(PETREL_AEAD_AES128_GCM, 1);
	struct petrel_epoch_keys k2 = test_keys(PETREL_AEAD_AES128_GCM, 2);
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &k1), 0);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 2, &k2), 0);
	cr_assert_eq(petrel_rl_write_epoch(&tx), 2);
	uint8_t dgram[64];
	struct petrel_record rec;
	size_t n = seal(&tx, 2, "two", dgram, sizeof(dgram));
	cr_assert_eq(open_one(&rx, dgram, n, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_bad_epoch, 1);
	cr_assert_eq(petrel_rl_stats(&rx)->buffered_next_epoch, 0);
	/* Epoch 0 was retired from the write side (only current + previous). */
	struct petrel_writer w;
	petrel_writer_init(&w, dgram, sizeof(dgram));
	cr_assert_eq(petrel_rl_write(&tx, 0, 22, (const uint8_t *)"x", 1, &w), PETREL_E_INVALID_REQUEST);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, release_cache_keeps_the_session_working)
{
	struct petrel_record_layer tx, rx;
	pair_epoch1(&tx, &rx, PETREL_AEAD_AES128_GCM);
	uint8_t buf[64];
	struct petrel_record rec;
	size_t n = seal(&tx, 1, "one", buf, sizeof(buf));
	cr_assert_eq(open_one(&rx, buf, n, &rec), 1);
	cr_assert_not_null(tx.write[0].aead);
	cr_assert_not_null(rx.read[0].aead);
	petrel_rl_release_cache(&tx);
	petrel_rl_release_cache(&rx);
	cr_assert_null(tx.write[0].aead);
	cr_assert_null(rx.read[0].aead);
	n = seal(&tx, 1, "two", buf, sizeof(buf));
	cr_assert_eq(open_one(&rx, buf, n, &rec), 1);
	cr_assert_eq(rec.seq, 1);
	cr_assert_arr_eq(rec.fragment, "two", 3);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

/* Client (endpoint 0) sends 400 numbered records, two per datagram, over
 * a network with 20% loss, 10% duplication, reorder window 4 and jitter.
 * Every record that arrives is delivered exactly once, intact. */
static void lossy_round_trip(enum petrel_aead_alg alg, uint64_t seed)
{
	struct petrel_record_layer tx, rx;
	pair_epoch1(&tx, &rx, alg);
	struct simnet *net = simnet_new(seed);
	struct simnet_rules ru = {.drop_per_million = 200000, .duplicate_per_million = 100000,
				  .reorder_window = 4, .delay_ms = 20, .jitter_ms = 15};
	simnet_set_rules(net, 0, &ru);
	enum { N = 400 };
	bool seen[N] = {false};
	uint64_t delivered = 0, received_records = 0;
	uint8_t dgram[1500];
	for (int i = 0; i < N; i += 2) {
		struct petrel_writer w;
		petrel_writer_init(&w, dgram, sizeof(dgram));
		for (int j = i; j < i + 2; j++) {
			uint8_t payload[100];
			memset(payload, (uint8_t)j, sizeof(payload));
			payload[0] = (uint8_t)(j >> 8);
			payload[1] = (uint8_t)j;
			cr_assert_eq(petrel_rl_write(&tx, 1, 23, payload, sizeof(payload), &w), 0);
		}
		cr_assert_gt(simnet_send(net, 0, dgram, petrel_writer_len(&w)), 0);
		simnet_advance_to(net, simnet_now(net) + 3);
		for (;;) {
			int len = simnet_recv(net, 1, dgram, sizeof(dgram));
			if (len <= 0) {
				uint64_t t = simnet_next_event_for(net, 1);
				if (i + 2 < N || t == UINT64_MAX)
					break;
				simnet_advance_to(net, t);
				continue;
			}
			size_t off = 0;
			struct petrel_record rec;
			received_records += 2;
			int rc;
			while ((rc = petrel_rl_read(&rx, dgram, (size_t)len, &off, &rec)) == 1) {
				int idx = rec.fragment[0] << 8 | rec.fragment[1];
				cr_assert_eq(rec.seq, (uint64_t)idx);
				cr_assert_eq(rec.length, 100);
				cr_assert_eq(rec.fragment[99], (uint8_t)idx);
				cr_assert(!seen[idx], "record %d delivered twice", idx);
				seen[idx] = true;
				delivered++;
			}
			cr_assert_eq(rc, 0);
		}
	}
	const struct simnet_stats *ns = simnet_stats(net, 0);
	const struct petrel_record_stats *rs = petrel_rl_stats(&rx);
	cr_assert_eq(ns->delivered * 2, received_records);
	cr_assert_eq(rs->records_in, delivered);
	cr_assert_eq(rs->dropped_bad_mac, 0);
	cr_assert_eq(rs->records_in + rs->dropped_replay, received_records);
	/* Lost datagrams are the only records missing. */
	cr_assert_eq(delivered, (uint64_t)N - 2 * ns->dropped);
	cr_assert_gt(ns->dropped, 0);
	cr_assert_gt(ns->duplicated, 0);
	cr_assert_gt(rs->dropped_replay, 0);
	simnet_free(net);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_aead, aes128gcm_over_lossy_network) { lossy_round_trip(PETREL_AEAD_AES128_GCM, 101); }
Test(record_aead, aes256gcm_over_lossy_network) { lossy_round_trip(PETREL_AEAD_AES256_GCM, 102); }
Test(record_aead, aes128ccm_over_lossy_network) { lossy_round_trip(PETREL_AEAD_AES128_CCM, 103); }
Test(record_aead, aes128ccm8_over_lossy_network) { lossy_round_trip(PETREL_AEAD_AES128_CCM8, 104); }
Test(record_aead, chacha20poly1305_over_lossy_network)
{
	lossy_round_trip(PETREL_AEAD_CHACHA20_POLY1305, 105);
}

/* petrel_rl_set_app_dst: the first application_data record opens straight
 * into the lent buffer, once; the next one in the same datagram opens in
 * place; a record too big for the buffer, or a forged one, does not land
 * there. */
Test(record_aead, app_dst_takes_one_record_and_only_a_genuine_one)
{
	for (size_t a = 0; a < sizeof(all_aeads) / sizeof(all_aeads[0]); a++) {
		struct petrel_record_layer tx, rx;
		pair_epoch1(&tx, &rx, all_aeads[a]);
		uint8_t dgram[512];
		size_t len = seal(&tx, 1, "first record", dgram, sizeof dgram);
		len += seal(&tx, 1, "second", dgram + len, sizeof dgram - len);
		uint8_t dst[64];
		memset(dst, 0, sizeof dst);
		petrel_rl_set_app_dst(&rx, dst, sizeof dst);
		struct petrel_record rec;
		size_t off = 0;
		cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
		cr_assert_eq(rec.fragment, dst, "the first record opens into the lent buffer");
		cr_assert_eq(rec.length, 12);
		cr_assert_arr_eq(dst, "first record", 12);
		cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
		cr_assert_neq(rec.fragment, dst, "only one record per lent buffer");
		cr_assert_arr_eq(rec.fragment, "second", 6);
		cr_assert_arr_eq(dst, "first record", 12, "the first record's bytes stay put");

		/* Too big for the buffer: opens in place. */
		len = seal(&tx, 1, "does not fit in four", dgram, sizeof dgram);
		petrel_rl_set_app_dst(&rx, dst, 4);
		off = 0;
		cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
		cr_assert_neq(rec.fragment, dst);

		/* A lent buffer overlapping the record itself is not used. */
		len = seal(&tx, 1, "overlap", dgram, sizeof dgram);
		petrel_rl_set_app_dst(&rx, dgram + 20, sizeof dgram - 20);
		off = 0;
		cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
		cr_assert_neq(rec.fragment, dgram + 20);
		cr_assert_arr_eq(rec.fragment, "overlap", 7);

		/* Forged: dropped, and nothing of it is left in the buffer. */
		len = seal(&tx, 1, "forged?", dgram, sizeof dgram);
		dgram[len - 1] ^= 0x80;
		memset(dst, 0x5a, sizeof dst);
		petrel_rl_set_app_dst(&rx, dst, sizeof dst);
		off = 0;
		cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 0);
		for (size_t i = 0; i < 7; i++)
			cr_assert(dst[i] == 0 || dst[i] == 0x5a, "unauthenticated plaintext left behind");
		petrel_rl_set_app_dst(&rx, NULL, 0);
		petrel_rl_clear(&tx);
		petrel_rl_clear(&rx);
	}
}

/* A payload is sealed in place (already where the record's text goes) or
 * from apart; one lying under the record's header is refused, not garbled. */
Test(record_aead, payload_in_place_or_apart_but_never_under_the_header)
{
	static const char text[] = "a payload long enough to overlap its own record";
	for (size_t a = 0; a < sizeof(all_aeads) / sizeof(all_aeads[0]); a++) {
		struct petrel_record_layer tx, rx;
		pair_epoch1(&tx, &rx, all_aeads[a]);
		uint8_t dgram[256];
		struct petrel_writer w;
		size_t at = PETREL_RECORD_HEADER_LEN + petrel_record_explicit_nonce_len(all_aeads[a]);
		memcpy(dgram + at, text, sizeof text - 1);
		petrel_writer_init(&w, dgram, sizeof dgram);
		cr_assert_eq(petrel_rl_write(&tx, 1, PETREL_CT_APPLICATION_DATA, dgram + at,
					     sizeof text - 1, &w), 0, "in place");
		struct petrel_record rec;
		cr_assert_eq(open_one(&rx, dgram, petrel_writer_len(&w), &rec), 1);
		cr_assert_arr_eq(rec.fragment, text, sizeof text - 1);

		memcpy(dgram + 4, text, sizeof text - 1);
		petrel_writer_init(&w, dgram, sizeof dgram);
		cr_assert_eq(petrel_rl_write(&tx, 1, PETREL_CT_APPLICATION_DATA, dgram + 4,
					     sizeof text - 1, &w), PETREL_E_INVALID_REQUEST);
		cr_assert_eq(petrel_writer_len(&w), 0, "nothing written");
		petrel_rl_clear(&tx);
		petrel_rl_clear(&rx);
	}
}
