/* RFC 9146 tls12_cid records: header, additional data, inner plaintext,
 * sealing and opening with every AEAD, malformed and tampered input, and
 * the record-layer entry points (replay, bad-record counting). */
#include <criterion/criterion.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/protect.h"
#include "record/record.h"
#include "tests/record_testutil.h"

/* An expanded AEAD context on the heap (freed by the caller). */
static struct petrel_aead_ctx *expand(const struct petrel_epoch_keys *k)
{
	struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size());
	cr_assert_not_null(ctx);
	cr_assert_eq(petrel_aead_init(ctx, k->aead, k->key), 0);
	return ctx;
}

static void release(struct petrel_aead_ctx *ctx)
{
	petrel_aead_wipe(ctx);
	free(ctx);
}

Test(record_cid, header_round_trip_puts_the_cid_before_the_length)
{
	const uint8_t cid[3] = {0xc1, 0xc2, 0xc3};
	struct petrel_cid_header h = {.version = PETREL_DTLS12_VERSION, .epoch = 0x0102,
				      .seq = UINT64_C(0x030405060708), .cid = cid, .cid_len = 3,
				      .length = 0x090a};
	uint8_t buf[32];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert(petrel_cid_header_write(&w, &h));
	const uint8_t expect[16] = {25,   0xfe, 0xfd, 0x01, 0x02, 0x03, 0x04, 0x05,
				    0x06, 0x07, 0x08, 0xc1, 0xc2, 0xc3, 0x09, 0x0a};
	cr_assert_eq(petrel_writer_len(&w), PETREL_CID_HEADER_LEN(3));
	cr_assert_arr_eq(buf, expect, sizeof expect);

	struct petrel_reader r;
	struct petrel_cid_header back;
	petrel_reader_init(&r, buf, 16);
	cr_assert(petrel_cid_header_read(&r, 3, &back));
	cr_assert(petrel_reader_done(&r));
	cr_assert_eq(back.version, h.version);
	cr_assert_eq(back.epoch, h.epoch);
	cr_assert_eq(back.seq, h.seq);
	cr_assert_eq(back.cid_len, 3);
	cr_assert_arr_eq(back.cid, cid, 3);
	cr_assert_eq(back.length, h.length);
}

Test(record_cid, header_read_fails_on_every_short_input_and_other_types)
{
	uint8_t buf[21] = {25, 0xfe, 0xfd};
	for (size_t n = 0; n < sizeof buf; n++) {
		struct petrel_reader r;
		struct petrel_cid_header h;
		petrel_reader_init(&r, buf, n);
		cr_assert(!petrel_cid_header_read(&r, 8, &h), "accepted %zu bytes", n);
	}
	struct petrel_reader r;
	struct petrel_cid_header h;
	petrel_reader_init(&r, buf, sizeof buf);
	cr_assert(petrel_cid_header_read(&r, 8, &h));
	buf[0] = PETREL_CT_APPLICATION_DATA;
	petrel_reader_init(&r, buf, sizeof buf);
	cr_assert(!petrel_cid_header_read(&r, 8, &h));
	buf[0] = 25;
	petrel_reader_init(&r, buf, sizeof buf);
	cr_assert(!petrel_cid_header_read(&r, 256, &h), "CIDs are at most 255 bytes");
}

Test(record_cid, header_write_refuses_seq_beyond_48_bits_and_long_cids)
{
	uint8_t cid[256] = {0}, buf[512];
	struct petrel_writer w;
	struct petrel_cid_header h = {.version = PETREL_DTLS12_VERSION, .seq = PETREL_MAX_SEQ + 1,
				      .cid = cid, .cid_len = 4};
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert(!petrel_cid_header_write(&w, &h));
	h.seq = 1;
	h.cid_len = 256;
	cr_assert(!petrel_cid_header_write(&w, &h));
	h.cid_len = 4;
	petrel_writer_init(&w, buf, PETREL_CID_HEADER_LEN(4) - 1);
	cr_assert(!petrel_cid_header_write(&w, &h));
}

Test(record_cid, additional_data_is_the_rfc9146_final_layout)
{
	const uint8_t cid[4] = {0xaa, 0xbb, 0xcc, 0xdd};
	uint8_t ad[PETREL_CID_AD_MAX];
	size_t n = petrel_cid_additional_data(ad, PETREL_DTLS12_VERSION, 0x0001,
					      UINT64_C(0x000000000005), cid, 4, 0x0123);
	/* 8 x 0xff, tls12_cid, cid_length, tls12_cid, version, epoch, seq48,
	 * cid, length_of_DTLSInnerPlaintext (RFC 9146 5). */
	const uint8_t expect[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 25,   4,
				  25,   0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
				  0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x23};
	cr_assert_eq(n, sizeof expect);
	cr_assert_eq(n, PETREL_CID_AD_LEN(4));
	cr_assert_arr_eq(ad, expect, sizeof expect);
}

Test(record_cid, inner_plaintext_round_trips_with_padding)
{
	const uint8_t content[] = {1, 0, 2, 0}; /* zeros inside the content stay */
	for (size_t pad = 0; pad < 40; pad += 13) {
		uint8_t buf[64];
		struct petrel_writer w;
		petrel_writer_init(&w, buf, sizeof buf);
		cr_assert_eq(petrel_cid_inner_write(&w, content, sizeof content,
						    PETREL_CT_APPLICATION_DATA, pad),
			     0);
		cr_assert_eq(petrel_writer_len(&w), sizeof content + 1 + pad);
		uint8_t type = 0;
		size_t len = 99;
		cr_assert_eq(petrel_cid_inner_parse(buf, petrel_writer_len(&w), &type, &len), 0);
		cr_assert_eq(type, PETREL_CT_APPLICATION_DATA);
		cr_assert_eq(len, sizeof content);
		cr_assert_arr_eq(buf, content, sizeof content);
	}
}

Test(record_cid, inner_plaintext_without_a_type_is_refused)
{
	uint8_t zeros[32] = {0}, type;
	size_t len;
	for (size_t n = 0; n <= sizeof zeros; n++)
		cr_assert_eq(petrel_cid_inner_parse(zeros, n, &type, &len),
			     PETREL_E_UNEXPECTED_MESSAGE, "all-zero length %zu", n);
	cr_assert_eq(petrel_cid_inner_parse(NULL, 0, &type, &len), PETREL_E_UNEXPECTED_MESSAGE);
	zeros[0] = PETREL_CT_ALERT;
	cr_assert_eq(petrel_cid_inner_parse(zeros, sizeof zeros, &type, &len), 0);
	cr_assert_eq(type, PETREL_CT_ALERT);
	cr_assert_eq(len, 0, "a record with only a type has empty content");
}

Test(record_cid, inner_write_refuses_type_zero_oversize_and_short_space)
{
	static uint8_t big[PETREL_MAX_PLAINTEXT + 8];
	uint8_t small[8];
	struct petrel_writer w;
	petrel_writer_init(&w, big, sizeof big);
	cr_assert_eq(petrel_cid_inner_write(&w, big, 4, 0, 0), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_cid_inner_write(&w, big, PETREL_CID_MAX_CONTENT, 23, 1),
		     PETREL_E_INVALID_REQUEST, "inner plaintext over 2^14");
	petrel_writer_init(&w, big, sizeof big);
	cr_assert_eq(petrel_cid_inner_write(&w, big, PETREL_CID_MAX_CONTENT, 23, 0), 0);
	cr_assert_eq(petrel_writer_len(&w), PETREL_MAX_PLAINTEXT);
	petrel_writer_init(&w, small, sizeof small);
	cr_assert_eq(petrel_cid_inner_write(&w, big, 4, 23, 4), PETREL_E_SHORT_BUFFER);
}

/* Seal one record, check its shape, open it back. */
static void round_trip(enum petrel_aead_alg alg, size_t cid_len, size_t pad)
{
	struct petrel_epoch_keys k = test_keys(alg, 0x21);
	struct petrel_aead_ctx *ctx = expand(&k);
	uint8_t cid[PETREL_CID_MAX_LEN];
	for (size_t i = 0; i < cid_len; i++)
		cid[i] = (uint8_t)(0x80 + i);
	const char *msg = "attack at dawn, bring snacks";
	size_t len = strlen(msg);
	static uint8_t buf[1024];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 3, 77, cid, cid_len, PETREL_CT_APPLICATION_DATA,
				     (const uint8_t *)msg, len, pad, &w),
		     0, "alg %d cid %zu pad %zu", alg, cid_len, pad);
	size_t n = petrel_writer_len(&w);
	cr_assert_eq(n, petrel_cid_record_overhead(alg, cid_len) + len + pad);
	cr_assert_eq(buf[0], PETREL_CT_TLS12_CID);
	cr_assert(memmem(buf, n, msg, len) == NULL, "plaintext visible");

	struct petrel_reader r;
	struct petrel_cid_header h;
	const uint8_t *body;
	petrel_reader_init(&r, buf, n);
	cr_assert(petrel_cid_header_read(&r, cid_len, &h));
	cr_assert(petrel_get_bytes(&r, h.length, &body));
	cr_assert(petrel_reader_done(&r));
	cr_assert_eq(h.epoch, 3);
	cr_assert_eq(h.seq, 77);
	cr_assert_arr_eq(h.cid, cid, cid_len);
	uint8_t type = 0, *content = NULL;
	size_t content_len = 0;
	cr_assert_eq(petrel_cid_open(&k, ctx, &h, buf + PETREL_CID_HEADER_LEN(cid_len), &type,
				     &content, &content_len),
		     0);
	cr_assert_eq(type, PETREL_CT_APPLICATION_DATA);
	cr_assert_eq(content_len, len);
	cr_assert_arr_eq(content, msg, len);
	release(ctx);
}

Test(record_cid, every_aead_round_trips_with_cids_of_0_1_8_and_255_bytes)
{
	const size_t cid_lens[] = {0, 1, 8, 255};
	for (size_t a = 0; a < N_AEADS; a++)
		for (size_t c = 0; c < 4; c++)
			for (size_t pad = 0; pad <= 100; pad += 50)
				round_trip(all_aeads[a], cid_lens[c], pad);
}

Test(record_cid, gcm_record_carries_epoch_and_seq_as_explicit_nonce)
{
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES128_GCM, 1);
	struct petrel_aead_ctx *ctx = expand(&k);
	const uint8_t cid[2] = {7, 8};
	uint8_t buf[128];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 0x0a0b, cid, 2, PETREL_CT_HANDSHAKE,
				     (const uint8_t *)"x", 1, 0, &w),
		     0);
	const uint8_t explicit_nonce[8] = {0, 1, 0, 0, 0, 0, 0x0a, 0x0b};
	cr_assert_arr_eq(buf + PETREL_CID_HEADER_LEN(2), explicit_nonce, 8);
	/* length = 8 (nonce) + 2 (content + type) + 16 (tag) */
	cr_assert_eq(buf[13], 0);
	cr_assert_eq(buf[14], 26);
	release(ctx);
}

Test(record_cid, any_flipped_bit_makes_the_record_fail)
{
	for (size_t a = 0; a < N_AEADS; a++) {
		struct petrel_epoch_keys k = test_keys(all_aeads[a], 9);
		struct petrel_aead_ctx *ctx = expand(&k);
		const uint8_t cid[4] = {1, 2, 3, 4};
		uint8_t rec[128], copy[128];
		struct petrel_writer w;
		petrel_writer_init(&w, rec, sizeof rec);
		cr_assert_eq(petrel_cid_seal(&k, ctx, 2, 5, cid, 4, PETREL_CT_APPLICATION_DATA,
					     (const uint8_t *)"hello", 5, 3, &w),
			     0);
		size_t n = petrel_writer_len(&w);
		for (size_t i = 0; i < n; i++) {
			memcpy(copy, rec, n);
			copy[i] ^= 0x10;
			struct petrel_reader r;
			struct petrel_cid_header h;
			const uint8_t *body;
			petrel_reader_init(&r, copy, n);
			if (!petrel_cid_header_read(&r, 4, &h) ||
			    !petrel_get_bytes(&r, h.length, &body) || !petrel_reader_done(&r))
				continue; /* outer type or length broken: no record */
			uint8_t type, *content;
			size_t clen;
			int rc = petrel_cid_open(&k, ctx, &h, copy + PETREL_CID_HEADER_LEN(4), &type,
						 &content, &clen);
			cr_assert_eq(rc, PETREL_E_DECRYPTION_FAILED, "alg %d byte %zu: %d",
				     all_aeads[a], i, rc);
		}
		release(ctx);
	}
}

Test(record_cid, open_refuses_short_and_oversize_bodies)
{
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES128_GCM, 3);
	struct petrel_aead_ctx *ctx = expand(&k);
	static uint8_t body[PETREL_MAX_RECORD_BODY];
	struct petrel_cid_header h = {.version = PETREL_DTLS12_VERSION, .epoch = 1, .seq = 1};
	uint8_t type, *content;
	size_t clen;
	/* 8 (explicit nonce) + 16 (tag): no room for the real type */
	h.length = 24;
	cr_assert_eq(petrel_cid_open(&k, ctx, &h, body, &type, &content, &clen),
		     PETREL_E_DECODE_ERROR);
	h.length = 0;
	cr_assert_eq(petrel_cid_open(&k, ctx, &h, body, &type, &content, &clen),
		     PETREL_E_DECODE_ERROR);
	h.length = (uint16_t)(8 + PETREL_CID_MAX_INNER + 1 + 16);
	cr_assert_eq(petrel_cid_open(&k, ctx, &h, body, &type, &content, &clen),
		     PETREL_E_RECORD_OVERFLOW);
	release(ctx);
}

/* An authentic record whose inner plaintext is all zeros (made by hand:
 * the sealer refuses to build one). */
static size_t seal_all_zero(const struct petrel_epoch_keys *k, const struct petrel_aead_ctx *ctx,
			    uint16_t epoch, uint64_t seq, uint8_t *buf)
{
	const uint8_t cid[2] = {5, 6};
	size_t inner_len = 6;
	struct petrel_cid_header h = {.version = PETREL_DTLS12_VERSION, .epoch = epoch, .seq = seq,
				      .cid = cid, .cid_len = 2,
				      .length = (uint16_t)(8 + inner_len + 16)};
	struct petrel_writer w;
	petrel_writer_init(&w, buf, 128);
	cr_assert(petrel_cid_header_write(&w, &h));
	uint8_t *explicit_nonce, *text;
	cr_assert(petrel_put_reserve(&w, 8, &explicit_nonce));
	petrel_store_u16(explicit_nonce, epoch);
	petrel_store_u48(explicit_nonce + 2, seq);
	cr_assert(petrel_put_reserve(&w, inner_len + 16, &text));
	memset(text, 0, inner_len);
	uint8_t nonce[12], ad[PETREL_CID_AD_MAX];
	petrel_rl_nonce(k, epoch, seq, explicit_nonce, nonce);
	size_t ad_len = petrel_cid_additional_data(ad, h.version, epoch, seq, cid, 2,
						   (uint16_t)inner_len);
	cr_assert_eq(petrel_aead_seal(ctx, nonce, ad, ad_len, text, inner_len), 0);
	return petrel_writer_len(&w);
}

Test(record_cid, authentic_record_without_real_type_is_refused)
{
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES128_GCM, 4);
	struct petrel_aead_ctx *ctx = expand(&k);
	uint8_t buf[128];
	seal_all_zero(&k, ctx, 1, 9, buf);
	struct petrel_reader r;
	struct petrel_cid_header h;
	petrel_reader_init(&r, buf, sizeof buf);
	cr_assert(petrel_cid_header_read(&r, 2, &h));
	uint8_t type, *content;
	size_t clen;
	cr_assert_eq(petrel_cid_open(&k, ctx, &h, buf + PETREL_CID_HEADER_LEN(2), &type, &content,
				     &clen),
		     PETREL_E_UNEXPECTED_MESSAGE);
	release(ctx);
}

Test(record_cid, seal_refuses_bad_arguments_and_leaves_the_writer_unchanged)
{
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_CHACHA20_POLY1305, 5);
	struct petrel_aead_ctx *ctx = expand(&k);
	uint8_t cid[256] = {0}, buf[256];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 0, cid, 256, 23, (const uint8_t *)"a", 1, 0, &w),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 0, cid, 4, 0, (const uint8_t *)"a", 1, 0, &w),
		     PETREL_E_INVALID_REQUEST, "type 0");
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, PETREL_MAX_SEQ + 1, cid, 4, 23,
				     (const uint8_t *)"a", 1, 0, &w),
		     PETREL_E_SEQ_EXHAUSTED);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 0, cid, 4, 23, (const uint8_t *)"a", 1,
				     PETREL_CID_MAX_CONTENT, &w),
		     PETREL_E_RECORD_OVERFLOW);
	struct petrel_epoch_keys null_keys = {.aead = PETREL_RL_NULL_CIPHER};
	cr_assert_eq(petrel_cid_seal(&null_keys, ctx, 0, 0, cid, 4, 23, (const uint8_t *)"a", 1,
				     0, &w),
		     PETREL_E_INVALID_REQUEST, "plaintext epochs never use the CID format");
	/* payload overlapping the record but not in place */
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 0, cid, 4, 23, buf + 3, 10, 0, &w),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_writer_len(&w), 0);
	petrel_writer_init(&w, buf, petrel_cid_record_overhead(k.aead, 4) + 4);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 0, cid, 4, 23, (const uint8_t *)"abcde", 5, 0,
				     &w),
		     PETREL_E_SHORT_BUFFER);
	cr_assert_eq(petrel_writer_len(&w), 0);
	release(ctx);
}

Test(record_cid, seal_takes_a_payload_already_in_place)
{
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES256_GCM, 6);
	struct petrel_aead_ctx *ctx = expand(&k);
	const uint8_t cid[5] = {9, 9, 9, 9, 9};
	uint8_t buf[128];
	size_t at = PETREL_CID_HEADER_LEN(5) + 8;
	memcpy(buf + at, "in place", 8);
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 1, cid, 5, 23, buf + at, 8, 2, &w), 0);
	struct petrel_reader r;
	struct petrel_cid_header h;
	petrel_reader_init(&r, buf, petrel_writer_len(&w));
	cr_assert(petrel_cid_header_read(&r, 5, &h));
	uint8_t type, *content;
	size_t clen;
	cr_assert_eq(petrel_cid_open(&k, ctx, &h, buf + PETREL_CID_HEADER_LEN(5), &type, &content,
				     &clen),
		     0);
	cr_assert_eq(clen, 8);
	cr_assert_arr_eq(content, "in place", 8);
	release(ctx);
}

/* ---- record layer entry points ---- */

/* The address-update flag of the last record read_one() opened. */
static bool last_newest;

static int read_one(struct petrel_record_layer *rl, uint8_t *buf, size_t n, size_t cid_len,
		    struct petrel_record *out)
{
	struct petrel_reader r;
	struct petrel_cid_header h;
	const uint8_t *body;
	petrel_reader_init(&r, buf, n);
	cr_assert(petrel_cid_header_read(&r, cid_len, &h));
	cr_assert(petrel_get_bytes(&r, h.length, &body));
	struct petrel_rl_epoch_state *st = NULL;
	for (int i = 0; i < 2; i++)
		if (rl->read[i].in_use && rl->read[i].epoch == h.epoch)
			st = &rl->read[i];
	cr_assert_not_null(st);
	return petrel_rl_unprotect_cid(rl, st, &h, buf + PETREL_CID_HEADER_LEN(cid_len), out,
				       &last_newest);
}

Test(record_cid, record_layer_round_trip_counts_and_drops_replays)
{
	for (size_t a = 0; a < N_AEADS; a++) {
		struct petrel_record_layer tx, rx;
		struct petrel_epoch_keys k = test_keys(all_aeads[a], 0x33);
		petrel_rl_init(&tx);
		petrel_rl_init(&rx);
		cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &k), 0);
		cr_assert_eq(petrel_rl_set_read_keys(&rx, 1, &k), 0);
		const uint8_t cid[6] = {1, 2, 3, 4, 5, 6};
		uint8_t rec[3][128], copy[128];
		size_t len[3];
		for (int i = 0; i < 3; i++) {
			struct petrel_writer w;
			petrel_writer_init(&w, rec[i], sizeof rec[i]);
			cr_assert_eq(petrel_rl_write_cid(&tx, 1, cid, 6, PETREL_CT_APPLICATION_DATA,
							 (const uint8_t *)"ping", 4, (size_t)i, &w),
				     0);
			len[i] = petrel_writer_len(&w);
		}
		cr_assert_eq(petrel_rl_next_write_seq(&tx, 1), 3);
		cr_assert_eq(petrel_rl_stats(&tx)->records_out, 3);
		struct petrel_record out;
		for (int i = 2; i >= 0; i--) { /* out of order is fine */
			memcpy(copy, rec[i], len[i]);
			cr_assert_eq(read_one(&rx, copy, len[i], 6, &out), 1);
			cr_assert_eq(out.content_type, PETREL_CT_APPLICATION_DATA);
			cr_assert_eq(out.seq, (uint64_t)i);
			cr_assert_eq(out.epoch, 1);
			cr_assert_eq(out.length, 4);
			cr_assert_arr_eq(out.fragment, "ping", 4);
		}
		memcpy(copy, rec[1], len[1]);
		cr_assert_eq(read_one(&rx, copy, len[1], 6, &out), 0);
		cr_assert_eq(petrel_rl_stats(&rx)->dropped_replay, 1);
		cr_assert_eq(petrel_rl_stats(&rx)->records_in, 3);
		petrel_rl_clear(&tx);
		petrel_rl_clear(&rx);
	}
}

Test(record_cid, record_layer_counts_forgeries_and_ends_at_the_limit)
{
	struct petrel_record_layer tx, rx;
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES128_CCM8, 0x44);
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
	petrel_rl_set_bad_record_limit(&rx, 2);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &k), 0);
	cr_assert_eq(petrel_rl_set_read_keys(&rx, 1, &k), 0);
	const uint8_t cid[1] = {0x42};
	uint8_t rec[64];
	struct petrel_writer w;
	petrel_writer_init(&w, rec, sizeof rec);
	cr_assert_eq(petrel_rl_write_cid(&tx, 1, cid, 1, PETREL_CT_APPLICATION_DATA,
					 (const uint8_t *)"data", 4, 0, &w),
		     0);
	size_t n = petrel_writer_len(&w);
	uint8_t copy[64];
	struct petrel_record out;
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		memcpy(copy, rec, n);
		copy[n - 1] ^= 1;
		rc = read_one(&rx, copy, n, 1, &out);
	}
	cr_assert_eq(rc, PETREL_E_TOO_MANY_BAD_RECORDS);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_bad_mac, 3);
	/* The forgeries never moved the window: the genuine record still reads. */
	petrel_rl_set_bad_record_limit(&rx, 0);
	memcpy(copy, rec, n);
	cr_assert_eq(read_one(&rx, copy, n, 1, &out), 1);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(record_cid, record_layer_drops_typeless_and_wrong_version_records_without_moving_the_window)
{
	struct petrel_record_layer rx;
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES128_GCM, 0x55);
	petrel_rl_init(&rx);
	cr_assert_eq(petrel_rl_set_read_keys(&rx, 1, &k), 0);
	struct petrel_aead_ctx *ctx = expand(&k);
	uint8_t buf[128];
	size_t n = seal_all_zero(&k, ctx, 1, 4, buf);
	struct petrel_record out;
	cr_assert_eq(read_one(&rx, buf, n, 2, &out), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 1);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 0);

	/* A genuine record with seq 4 still reads: the window did not move. */
	const uint8_t cid[2] = {5, 6};
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_seal(&k, ctx, 1, 4, cid, 2, 23, (const uint8_t *)"ok", 2, 0, &w),
		     0);
	n = petrel_writer_len(&w);
	uint8_t copy[128];
	memcpy(copy, buf, n);
	copy[1] = 0xfe;
	copy[2] = 0xff; /* DTLS 1.0 version: not a tls12_cid record */
	cr_assert_eq(read_one(&rx, copy, n, 2, &out), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 2);
	cr_assert_eq(read_one(&rx, buf, n, 2, &out), 1);
	cr_assert_arr_eq(out.fragment, "ok", 2);
	release(ctx);
	petrel_rl_clear(&rx);
}

Test(record_cid, record_layer_refuses_cid_records_in_plaintext_epochs)
{
	struct petrel_record_layer tx;
	petrel_rl_init(&tx);
	const uint8_t cid[1] = {1};
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_rl_write_cid(&tx, 0, cid, 1, 22, (const uint8_t *)"x", 1, 0, &w),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rl_write_cid(&tx, 7, cid, 1, 22, (const uint8_t *)"x", 1, 0, &w),
		     PETREL_E_INVALID_REQUEST, "no such epoch");
	petrel_rl_clear(&tx);
}

Test(record_cid, only_the_newest_authentic_record_may_move_the_peer)
{
	struct petrel_record_layer tx, rx;
	struct petrel_epoch_keys k = test_keys(PETREL_AEAD_AES128_GCM, 0x66);
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &k), 0);
	cr_assert_eq(petrel_rl_set_read_keys(&rx, 1, &k), 0);
	const uint8_t cid[2] = {0xab, 0xcd};
	uint8_t rec[3][64], copy[64];
	size_t len[3];
	for (int i = 0; i < 3; i++) {
		struct petrel_writer w;
		petrel_writer_init(&w, rec[i], sizeof rec[i]);
		cr_assert_eq(petrel_rl_write_cid(&tx, 1, cid, 2, PETREL_CT_APPLICATION_DATA,
						 (const uint8_t *)"move", 4, 0, &w),
			     0);
		len[i] = petrel_writer_len(&w);
	}
	struct petrel_record out;
	memcpy(copy, rec[1], len[1]);
	cr_assert_eq(read_one(&rx, copy, len[1], 2, &out), 1);
	cr_assert(last_newest, "first authentic record");
	memcpy(copy, rec[0], len[0]);
	cr_assert_eq(read_one(&rx, copy, len[0], 2, &out), 1);
	cr_assert(!last_newest, "older than one already seen (reordered)");
	memcpy(copy, rec[2], len[2]);
	copy[len[2] - 1] ^= 1;
	cr_assert_eq(read_one(&rx, copy, len[2], 2, &out), 0);
	cr_assert(!last_newest, "a forgery never moves the peer");
	memcpy(copy, rec[2], len[2]);
	cr_assert_eq(read_one(&rx, copy, len[2], 2, &out), 1);
	cr_assert(last_newest);
	memcpy(copy, rec[2], len[2]);
	cr_assert_eq(read_one(&rx, copy, len[2], 2, &out), 0);
	cr_assert(!last_newest, "a replay never moves the peer");
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}
