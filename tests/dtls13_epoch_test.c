/* One DTLS 1.3 epoch (dtls13/epoch13): sequence numbers, replay window,
 * forgeries against the AEAD limits, idle release, and a recorded wolfSSL
 * session's application records opened through it. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls13/epoch13.h"
#include "dtls13/limits.h"
#include "petrel/petrel.h"
#include "record/record.h"
#include "tests/dtls13_replay.h"
#include "tests/record_testutil.h"

static void pair(struct petrel_dtls13_epoch *tx, struct petrel_dtls13_epoch *rx,
		 enum petrel_aead_alg alg, uint64_t epoch)
{
	uint8_t secret[32];
	for (int i = 0; i < 32; i++)
		secret[i] = (uint8_t)(0x30 + i);
	struct petrel_dtls13_traffic_keys tk;
	cr_assert_eq(petrel_dtls13_traffic_keys(PETREL_HASH_SHA256, NULL, alg, secret, &tk), 0);
	cr_assert_eq(petrel_dtls13_epoch_init(tx, epoch, &tk, PETREL_RN_COUNTER_LE), 0);
	cr_assert_eq(petrel_dtls13_epoch_init(rx, epoch, &tk, PETREL_RN_COUNTER_LE), 0);
	petrel_dtls13_traffic_keys_wipe(&tk);
}

static size_t seal(struct petrel_dtls13_epoch *tx, const char *msg, uint8_t *buf, size_t cap)
{
	struct petrel_writer w;
	struct petrel_dtls13_send_opts o = {.seq16 = true, .with_length = true};
	petrel_writer_init(&w, buf, cap);
	cr_assert_eq(petrel_dtls13_epoch_seal(tx, &o, PETREL_CT_APPLICATION_DATA,
					      (const uint8_t *)msg, strlen(msg), &w, NULL),
		     0);
	return petrel_writer_len(&w);
}

static int open_one(struct petrel_dtls13_epoch *rx, uint8_t *buf, size_t n,
		    struct petrel_dtls13_record *out)
{
	struct petrel_reader r;
	struct petrel_dtls13_header h;
	const uint8_t *body;
	petrel_reader_init(&r, buf, n);
	cr_assert(petrel_dtls13_header_read(&r, 0, &h, &body));
	return petrel_dtls13_epoch_open(rx, buf, &h, out);
}

Test(dtls13_epoch, records_round_trip_out_of_order_and_replays_are_dropped)
{
	for (size_t a = 0; a < sizeof all_aeads / sizeof all_aeads[0]; a++) {
		struct petrel_dtls13_epoch tx, rx;
		pair(&tx, &rx, all_aeads[a], 3);
		uint8_t rec[3][128], copy[128];
		size_t len[3];
		for (int i = 0; i < 3; i++)
			len[i] = seal(&tx, "ping", rec[i], sizeof rec[i]);
		cr_assert_eq(tx.next_seq, 3);
		struct petrel_dtls13_record out;
		const int order[3] = {1, 0, 2};
		const bool newest[3] = {true, false, true};
		for (int k = 0; k < 3; k++) {
			int i = order[k];
			memcpy(copy, rec[i], len[i]);
			cr_assert_eq(open_one(&rx, copy, len[i], &out), 1, "alg %d", all_aeads[a]);
			cr_assert_eq(out.seq, (uint64_t)i);
			cr_assert_eq(out.epoch, 3);
			cr_assert_eq(out.newest, newest[k], "record %d", i);
			cr_assert_arr_eq(out.fragment, "ping", 4);
		}
		memcpy(copy, rec[0], len[0]);
		cr_assert_eq(open_one(&rx, copy, len[0], &out), 0);
		cr_assert_eq(rx.dropped_replay, 1);
		petrel_dtls13_epoch_clear(&tx);
		petrel_dtls13_epoch_clear(&rx);
	}
}

Test(dtls13_epoch, forgeries_end_the_key_at_its_integrity_limit)
{
	struct petrel_dtls13_epoch tx, rx;
	pair(&tx, &rx, PETREL_AEAD_AES128_CCM8, 3);
	uint8_t rec[64], copy[64];
	size_t n = seal(&tx, "data", rec, sizeof rec);
	struct petrel_dtls13_record out;
	uint64_t limit = petrel_dtls13_aead_limits(PETREL_AEAD_AES128_CCM8).integrity;
	int rc = 0;
	for (uint64_t i = 0; i < limit; i++) {
		memcpy(copy, rec, n);
		copy[n - 1] ^= 1;
		rc = open_one(&rx, copy, n, &out);
		if (i + 1 < limit)
			cr_assert_eq(rc, 0);
		if (i + 1 == limit / 4 * 3)
			cr_assert(petrel_dtls13_epoch_update_due(&rx));
	}
	cr_assert_eq(rc, PETREL_E_LIMIT_EXCEEDED);
	cr_assert_eq(rx.records_failed, limit);
	petrel_dtls13_epoch_clear(&tx);
	petrel_dtls13_epoch_clear(&rx);
}

Test(dtls13_epoch, sealing_stops_at_the_confidentiality_limit)
{
	struct petrel_dtls13_epoch tx, rx;
	pair(&tx, &rx, PETREL_AEAD_AES128_GCM, 3);
	uint64_t limit = petrel_dtls13_aead_limits(PETREL_AEAD_AES128_GCM).confidentiality;
	tx.records_protected = limit - 1;
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert(petrel_dtls13_epoch_update_due(&tx));
	cr_assert_eq(petrel_dtls13_epoch_seal(&tx, NULL, 23, (const uint8_t *)"x", 1, &w, NULL), 0);
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_dtls13_epoch_seal(&tx, NULL, 23, (const uint8_t *)"x", 1, &w, NULL),
		     PETREL_E_LIMIT_EXCEEDED);
	petrel_dtls13_epoch_clear(&tx);
	petrel_dtls13_epoch_clear(&rx);
}

Test(dtls13_epoch, idle_epochs_keep_only_raw_keys)
{
	struct petrel_dtls13_epoch tx, rx;
	pair(&tx, &rx, PETREL_AEAD_AES256_GCM, 4);
	cr_assert(!petrel_dtls13_epoch_holds_cache(&tx));
	uint8_t rec[64];
	size_t n = seal(&tx, "one", rec, sizeof rec);
	cr_assert(petrel_dtls13_epoch_holds_cache(&tx));
	petrel_dtls13_epoch_release(&tx);
	cr_assert(!petrel_dtls13_epoch_holds_cache(&tx));
	uint8_t rec2[64];
	size_t n2 = seal(&tx, "two", rec2, sizeof rec2);
	struct petrel_dtls13_record out;
	cr_assert_eq(open_one(&rx, rec, n, &out), 1);
	cr_assert_eq(open_one(&rx, rec2, n2, &out), 1);
	cr_assert_eq(out.seq, 1);
	petrel_dtls13_epoch_clear(&tx);
	static const uint8_t zero[sizeof tx];
	cr_assert_arr_eq(&tx, zero, sizeof tx, "clear wipes the raw keys");
	petrel_dtls13_epoch_clear(&rx);
}

Test(dtls13_epoch, recorded_server_application_records_open_through_the_epoch)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-x25519-ecdsa-aes256gcm", &rp, PETREL_RN_COUNTER_LE);
	struct petrel_dtls13_traffic_keys tk;
	cr_assert_eq(petrel_dtls13_traffic_keys(rp.hash, NULL, rp.aead, rp.s.secret[STS0], &tk), 0);
	struct petrel_dtls13_epoch e;
	cr_assert_eq(petrel_dtls13_epoch_init(&e, 3, &tk, PETREL_RN_COUNTER_LE), 0);
	size_t opened = 0;
	bool saw_reply = false;
	for (size_t i = 0; i < rp.s.count; i++) {
		if (rp.s.dg[i].dir != S2C)
			continue;
		uint8_t *d = rp.s.dg[i].data;
		struct petrel_reader r;
		petrel_reader_init(&r, d, rp.s.dg[i].len);
		while (petrel_reader_left(&r) > 0) {
			uint8_t *start = d + (rp.s.dg[i].len - petrel_reader_left(&r));
			if (petrel_record_kind(*start) != PETREL_REC_UNIFIED)
				break; /* plaintext ServerHello datagram */
			struct petrel_dtls13_header h;
			const uint8_t *body;
			cr_assert(petrel_dtls13_header_read(&r, 0, &h, &body));
			if (petrel_dtls13_epoch_reconstruct(3, h.epoch_bits) != 3)
				continue; /* handshake epoch */
			struct petrel_dtls13_record out;
			cr_assert_eq(petrel_dtls13_epoch_open(&e, start, &h, &out), 1);
			opened++;
			if (out.content_type == PETREL_CT_APPLICATION_DATA &&
			    out.length == strlen("I hear you fa shizzle!") &&
			    memcmp(out.fragment, "I hear you fa shizzle!", out.length) == 0)
				saw_reply = true;
		}
	}
	cr_assert_geq(opened, 2);
	cr_assert(saw_reply);
	petrel_dtls13_epoch_clear(&e);
	petrel_dtls13_traffic_keys_wipe(&tk);
	dtls13_replay_free(&rp);
}
