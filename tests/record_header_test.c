/* DTLS 1.2 record header codec (RFC 6347 4.1). */
#include <criterion/criterion.h>

#include "record/record.h"

Test(record_header, round_trip_matches_wire_bytes)
{
	struct petrel_record_header h = {
		.content_type = PETREL_CT_HANDSHAKE,
		.version = PETREL_DTLS12_VERSION,
		.epoch = 0x0102,
		.seq = UINT64_C(0x030405060708),
		.length = 0x090a,
	};
	uint8_t buf[PETREL_RECORD_HEADER_LEN];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert(petrel_record_header_write(&w, &h));
	cr_assert_eq(petrel_writer_len(&w), 13);
	const uint8_t expect[13] = {0x16, 0xfe, 0xfd, 0x01, 0x02, 0x03, 0x04,
				    0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
	cr_assert_arr_eq(buf, expect, 13);

	struct petrel_reader r;
	struct petrel_record_header back;
	petrel_reader_init(&r, buf, sizeof(buf));
	cr_assert(petrel_record_header_read(&r, &back));
	cr_assert(petrel_reader_done(&r));
	cr_assert_eq(back.content_type, h.content_type);
	cr_assert_eq(back.version, h.version);
	cr_assert_eq(back.epoch, h.epoch);
	cr_assert_eq(back.seq, h.seq);
	cr_assert_eq(back.length, h.length);
}

Test(record_header, short_input_fails_at_every_length)
{
	uint8_t buf[13] = {0x17, 0xfe, 0xfd};
	for (size_t n = 0; n < 13; n++) {
		struct petrel_reader r;
		struct petrel_record_header h;
		petrel_reader_init(&r, buf, n);
		cr_assert(!petrel_record_header_read(&r, &h), "accepted %zu bytes", n);
	}
}

Test(record_header, write_refuses_seq_beyond_48_bits_and_short_space)
{
	uint8_t buf[13];
	struct petrel_writer w;
	struct petrel_record_header h = {.content_type = 23, .version = PETREL_DTLS12_VERSION,
					 .seq = PETREL_MAX_SEQ + 1};
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert(!petrel_record_header_write(&w, &h));
	h.seq = PETREL_MAX_SEQ;
	petrel_writer_init(&w, buf, 12);
	cr_assert(!petrel_record_header_write(&w, &h));
	petrel_writer_init(&w, buf, 13);
	cr_assert(petrel_record_header_write(&w, &h));
	cr_assert_eq(buf[5], 0xff);
	cr_assert_eq(buf[10], 0xff);
}

Test(record_header, overhead_per_cipher)
{
	/* header 13 + explicit nonce 8 + tag 16 = 37 (GCM, CCM) */
	cr_assert_eq(petrel_record_overhead(PETREL_AEAD_AES128_GCM), 37);
	cr_assert_eq(petrel_record_overhead(PETREL_AEAD_AES256_GCM), 37);
	cr_assert_eq(petrel_record_overhead(PETREL_AEAD_AES128_CCM), 37);
	/* 13 + 8 + 8 = 29 (CCM-8) */
	cr_assert_eq(petrel_record_overhead(PETREL_AEAD_AES128_CCM8), 29);
	/* 13 + 0 + 16 = 29 (ChaCha20-Poly1305: implicit nonce) */
	cr_assert_eq(petrel_record_overhead(PETREL_AEAD_CHACHA20_POLY1305), 29);
	cr_assert_eq(petrel_record_overhead(PETREL_RL_NULL_CIPHER), 13);
}
