/* DTLS 1.3 record protection: seal/open with every AEAD, record number
 * encryption on the wire, sequence number reconstruction, tampering,
 * short and malformed records. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/record13.h"
#include "petrel/petrel.h"
#include "record/record.h"
#include "tests/record_testutil.h"

struct side {
	struct petrel_aead_ctx *aead;
	struct petrel_rn_key sn;
	struct petrel_dtls13_record_keys keys;
};

static void side_init(struct side *s, enum petrel_aead_alg alg, uint8_t seed)
{
	uint8_t key[32], sn_key[32];
	for (int i = 0; i < 32; i++) {
		key[i] = (uint8_t)(seed + i);
		sn_key[i] = (uint8_t)(seed * 3 + i);
	}
	s->aead = malloc(petrel_aead_ctx_size());
	cr_assert_not_null(s->aead);
	cr_assert_eq(petrel_aead_init(s->aead, alg, key), 0);
	cr_assert_eq(petrel_rn_key_init(&s->sn, alg, sn_key), 0);
	s->keys.aead = s->aead;
	s->keys.alg = alg;
	for (int i = 0; i < 12; i++)
		s->keys.iv[i] = (uint8_t)(seed ^ (0x40 + i));
	s->keys.sn = &s->sn;
	s->keys.counter_order = PETREL_RN_COUNTER_LE;
}

static void side_free(struct side *s)
{
	petrel_aead_wipe(s->aead);
	free(s->aead);
	petrel_rn_key_wipe(&s->sn);
}

static size_t seal(struct side *s, uint64_t epoch, uint64_t seq, const uint8_t *cid,
		   size_t cid_len, bool seq16, bool with_length, const char *msg, size_t pad,
		   uint8_t *buf, size_t cap)
{
	struct petrel_dtls13_header_params hp = {.epoch = epoch, .seq = seq, .cid = cid,
						 .cid_len = cid_len, .seq16 = seq16,
						 .with_length = with_length};
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	cr_assert_eq(petrel_dtls13_seal(&s->keys, &hp, PETREL_CT_APPLICATION_DATA,
				       (const uint8_t *)msg, strlen(msg), pad, &w),
		     0);
	return petrel_writer_len(&w);
}

static int open_rec(struct side *s, uint8_t *buf, size_t n, size_t cid_len, uint64_t expected,
		    uint64_t *seq, uint8_t *type, uint8_t **content, size_t *clen)
{
	struct petrel_reader r;
	struct petrel_dtls13_header h;
	const uint8_t *body;
	petrel_reader_init(&r, buf, n);
	cr_assert(petrel_dtls13_header_read(&r, cid_len, &h, &body));
	return petrel_dtls13_open(&s->keys, buf, &h, expected, NULL, seq, type, content, clen);
}

Test(dtls13_record, every_aead_round_trips_in_every_header_shape)
{
	const uint8_t cid[4] = {0xc1, 0xd2, 0xe3, 0xf4};
	for (size_t a = 0; a < N_AEADS; a++)
		for (int shape = 0; shape < 8; shape++) {
			bool with_cid = shape & 1, seq16 = shape & 2, with_length = shape & 4;
			struct side s;
			side_init(&s, all_aeads[a], 0x11);
			uint8_t buf[256];
			const char *msg = "attack at dawn";
			size_t n = seal(&s, 3, 300, with_cid ? cid : NULL, with_cid ? 4 : 0, seq16,
					with_length, msg, 0, buf, sizeof buf);
			size_t hlen = petrel_dtls13_header_len(with_cid ? 4 : 0, seq16, with_length);
			cr_assert_geq(n - hlen, 16, "16 ciphertext bytes to sample");
			cr_assert_eq(buf[0] & 3, 3);
			cr_assert(memmem(buf, n, msg, strlen(msg)) == NULL);
			uint64_t seq;
			uint8_t type, *content;
			size_t clen;
			cr_assert_eq(open_rec(&s, buf, n, with_cid ? 4 : 0, 299, &seq, &type,
					      &content, &clen),
				     0, "alg %d shape %d", all_aeads[a], shape);
			cr_assert_eq(seq, 300);
			cr_assert_eq(type, PETREL_CT_APPLICATION_DATA);
			cr_assert_eq(clen, strlen(msg));
			cr_assert_arr_eq(content, msg, clen);
			side_free(&s);
		}
}

Test(dtls13_record, sequence_number_is_encrypted_on_the_wire)
{
	struct side s;
	side_init(&s, PETREL_AEAD_AES128_GCM, 0x22);
	int differ = 0;
	for (uint64_t seq = 0; seq < 32; seq++) {
		uint8_t buf[128];
		seal(&s, 2, seq, NULL, 0, true, true, "x", 0, buf, sizeof buf);
		if (petrel_load_u16(buf + 1) != seq)
			differ++;
	}
	cr_assert_geq(differ, 30, "the clear sequence number showed %d times", 32 - differ);
	side_free(&s);
}

Test(dtls13_record, short_ccm8_records_are_padded_to_sixteen_ciphertext_bytes)
{
	struct side s;
	side_init(&s, PETREL_AEAD_AES128_CCM8, 0x33);
	uint8_t buf[64];
	size_t n = seal(&s, 3, 1, NULL, 0, false, true, "", 0, buf, sizeof buf);
	cr_assert_eq(n, 4 + 16);
	uint64_t seq;
	uint8_t type, *content;
	size_t clen;
	cr_assert_eq(open_rec(&s, buf, n, 0, 1, &seq, &type, &content, &clen), 0);
	cr_assert_eq(clen, 0);
	side_free(&s);
}

Test(dtls13_record, far_sequence_numbers_come_back_from_8_bits)
{
	struct side s;
	side_init(&s, PETREL_AEAD_CHACHA20_POLY1305, 0x44);
	uint8_t buf[128];
	size_t n = seal(&s, 3, 0x1234502, NULL, 0, false, true, "late", 0, buf, sizeof buf);
	uint64_t seq;
	uint8_t type, *content;
	size_t clen;
	cr_assert_eq(open_rec(&s, buf, n, 0, 0x12344f0, &seq, &type, &content, &clen), 0);
	cr_assert_eq(seq, 0x1234502);
	side_free(&s);
}

Test(dtls13_record, any_flipped_bit_fails_and_restores_the_header)
{
	const uint8_t cid[2] = {7, 7};
	for (size_t a = 0; a < N_AEADS; a++) {
		struct side s;
		side_init(&s, all_aeads[a], 0x55);
		uint8_t rec[128], copy[128];
		size_t n = seal(&s, 2, 5, cid, 2, true, true, "hello", 3, rec, sizeof rec);
		for (size_t i = 0; i < n; i++) {
			memcpy(copy, rec, n);
			copy[i] ^= 0x04;
			struct petrel_reader r;
			struct petrel_dtls13_header h;
			const uint8_t *body;
			petrel_reader_init(&r, copy, n);
			if (!petrel_dtls13_header_read(&r, 2, &h, &body) || !petrel_reader_done(&r))
				continue; /* flags or length broken: not this record */
			uint8_t before[8];
			memcpy(before, copy, h.header_len);
			uint64_t seq;
			uint8_t type, *content;
			size_t clen;
			int rc = petrel_dtls13_open(&s.keys, copy, &h, 5, NULL, &seq, &type, &content, &clen);
			cr_assert_lt(rc, 0, "alg %d byte %zu accepted", all_aeads[a], i);
			cr_assert_arr_eq(copy, before, h.header_len);
		}
		side_free(&s);
	}
}

Test(dtls13_record, open_refuses_records_too_short_to_sample)
{
	struct side s;
	side_init(&s, PETREL_AEAD_AES128_CCM8, 0x66);
	uint8_t rec[32] = {0x2c, 0x00, 0x01, 0x00, 15};
	uint64_t seq;
	uint8_t type, *content;
	size_t clen;
	cr_assert_eq(open_rec(&s, rec, 5 + 15, 0, 0, &seq, &type, &content, &clen),
		     PETREL_E_DECODE_ERROR);
	side_free(&s);
}

Test(dtls13_record, authentic_record_without_a_type_is_unexpected)
{
	struct side s;
	side_init(&s, PETREL_AEAD_AES256_GCM, 0x77);
	/* Build by hand: the sealer refuses type 0. */
	uint8_t rec[64] = {0x2f, 0x00, 0x09, 0x00, 20};
	memset(rec + 5, 0, 4);
	uint8_t nonce[12], mask[16];
	petrel_dtls13_nonce(s.keys.iv, 9, nonce);
	cr_assert_eq(petrel_aead_seal(s.aead, nonce, rec, 5, rec + 5, 4), 0);
	cr_assert_eq(petrel_rn_mask(&s.sn, rec + 5, PETREL_RN_COUNTER_LE, mask), 0);
	petrel_dtls13_mask_seq(rec + 1, true, mask);
	uint64_t seq;
	uint8_t type, *content;
	size_t clen;
	cr_assert_eq(open_rec(&s, rec, 25, 0, 9, &seq, &type, &content, &clen),
		     PETREL_E_UNEXPECTED_MESSAGE);
	side_free(&s);
}

Test(dtls13_record, seal_refuses_bad_arguments_and_leaves_the_writer_unchanged)
{
	struct side s;
	side_init(&s, PETREL_AEAD_AES128_GCM, 0x12);
	uint8_t buf[64];
	struct petrel_writer w;
	struct petrel_dtls13_header_params hp = {.epoch = 3, .seq = 1, .with_length = true};
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_dtls13_seal(&s.keys, &hp, 0, (const uint8_t *)"a", 1, 0, &w),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_seal(&s.keys, &hp, 23, buf + 2, 4, 0, &w),
		     PETREL_E_INVALID_REQUEST, "payload overlapping the record");
	cr_assert_eq(petrel_dtls13_seal(&s.keys, &hp, 23, (const uint8_t *)"a", 1, 16384, &w),
		     PETREL_E_RECORD_OVERFLOW);
	petrel_writer_init(&w, buf, 4 + 1 + 1 + 16 - 1);
	cr_assert_eq(petrel_dtls13_seal(&s.keys, &hp, 23, (const uint8_t *)"a", 1, 0, &w),
		     PETREL_E_SHORT_BUFFER);
	cr_assert_eq(petrel_writer_len(&w), 0);
	side_free(&s);
}
