/* DTLS 1.3 unified header (RFC 9147 4), record number reconstruction
 * (4.2.2), first-byte dispatch (4.1) and the record number masks (4.2.3). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "crypto/rn_mask.h"
#include "petrel/petrel.h"
#include "record/header13.h"

Test(record_header13, first_byte_dispatch_follows_rfc9147_figure_4)
{
	for (unsigned b = 0; b < 256; b++) {
		enum petrel_record_kind k = petrel_record_kind((uint8_t)b);
		enum petrel_record_kind want = PETREL_REC_INVALID;
		if (b >= 0x20 && b <= 0x3f)
			want = PETREL_REC_UNIFIED;
		else if ((b >= 20 && b <= 24) || b == 26)
			want = PETREL_REC_PLAINTEXT;
		else if (b == 25)
			want = PETREL_REC_TLS12_CID;
		cr_assert_eq(k, want, "byte 0x%02x", b);
	}
}

Test(record_header13, short_header_without_cid_or_length_round_trips)
{
	struct petrel_dtls13_header_params p = {.epoch = 3, .seq = 0x1234, .seq16 = false,
						.with_length = false};
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	size_t seq_offset = 99;
	cr_assert(petrel_dtls13_header_write(&w, &p, &seq_offset));
	cr_assert_eq(petrel_writer_len(&w), 2);
	cr_assert_eq(buf[0], 0x23, "001 C=0 S=0 L=0 EE=11");
	cr_assert_eq(buf[1], 0x34, "low 8 bits of the sequence number");
	cr_assert_eq(seq_offset, 1);
	memset(buf + 2, 0xab, 20);
	struct petrel_reader r;
	struct petrel_dtls13_header h;
	const uint8_t *body;
	petrel_reader_init(&r, buf, 22);
	cr_assert(petrel_dtls13_header_read(&r, 0, &h, &body));
	cr_assert(petrel_reader_done(&r), "without L the record runs to the end");
	cr_assert_eq(h.epoch_bits, 3);
	cr_assert(!h.seq16 && !h.has_length && h.cid == NULL);
	cr_assert_eq(h.seq_wire, 0x34);
	cr_assert_eq(h.header_len, 2);
	cr_assert_eq(h.length, 20);
	cr_assert_eq(body, buf + 2);
}

Test(record_header13, full_header_with_cid_seq16_and_length_round_trips)
{
	const uint8_t cid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct petrel_dtls13_header_params p = {.epoch = 6, .seq = 0xabcdef, .cid = cid,
						.cid_len = 8, .seq16 = true, .with_length = true,
						.length = 5};
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	size_t seq_offset;
	cr_assert(petrel_dtls13_header_write(&w, &p, &seq_offset));
	const uint8_t expect[] = {0x3e, 1, 2, 3, 4, 5, 6, 7, 8, 0xcd, 0xef, 0x00, 0x05};
	cr_assert_eq(petrel_writer_len(&w), sizeof expect);
	cr_assert_eq(petrel_dtls13_header_len(8, true, true), sizeof expect);
	cr_assert_arr_eq(buf, expect, sizeof expect);
	cr_assert_eq(seq_offset, 9);
	/* A second record follows in the same datagram. */
	memcpy(buf + 13, "hello", 5);
	buf[18] = 0x20;
	buf[19] = 0x00;
	struct petrel_reader r;
	struct petrel_dtls13_header h;
	const uint8_t *body;
	petrel_reader_init(&r, buf, 20);
	cr_assert(petrel_dtls13_header_read(&r, 8, &h, &body));
	cr_assert_eq(h.epoch_bits, 2);
	cr_assert(h.seq16 && h.has_length);
	cr_assert_eq(h.cid_len, 8);
	cr_assert_arr_eq(h.cid, cid, 8);
	cr_assert_eq(h.seq_wire, 0xcdef);
	cr_assert_eq(h.seq_offset, 9);
	cr_assert_eq(h.length, 5);
	cr_assert_arr_eq(body, "hello", 5);
	cr_assert_eq(petrel_reader_left(&r), 2);
	cr_assert(petrel_dtls13_header_read(&r, 8, &h, &body));
	cr_assert_eq(h.length, 0);
}

Test(record_header13, read_refuses_truncation_unknown_cids_and_other_first_bytes)
{
	const uint8_t rec[] = {0x3c, 9, 9, 9, 9, 0x00, 0x01, 0x00, 0x02, 0xaa, 0xbb};
	for (size_t n = 0; n < sizeof rec; n++) {
		struct petrel_reader r;
		struct petrel_dtls13_header h;
		const uint8_t *body;
		petrel_reader_init(&r, rec, n);
		cr_assert(!petrel_dtls13_header_read(&r, 4, &h, &body), "accepted %zu bytes", n);
	}
	struct petrel_reader r;
	struct petrel_dtls13_header h;
	const uint8_t *body;
	petrel_reader_init(&r, rec, sizeof rec);
	cr_assert(petrel_dtls13_header_read(&r, 4, &h, &body));
	petrel_reader_init(&r, rec, sizeof rec);
	cr_assert(!petrel_dtls13_header_read(&r, 0, &h, &body), "C set but we issued no CID");
	uint8_t other[sizeof rec];
	memcpy(other, rec, sizeof rec);
	other[0] = 0x17;
	petrel_reader_init(&r, other, sizeof other);
	cr_assert(!petrel_dtls13_header_read(&r, 4, &h, &body));
	other[0] = 0x40 | 0x1c;
	petrel_reader_init(&r, other, sizeof other);
	cr_assert(!petrel_dtls13_header_read(&r, 4, &h, &body));
}

Test(record_header13, write_refuses_long_cids_long_records_and_short_space)
{
	uint8_t cid[256] = {0}, buf[300];
	struct petrel_writer w;
	struct petrel_dtls13_header_params p = {.cid = cid, .cid_len = 256};
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert(!petrel_dtls13_header_write(&w, &p, NULL));
	p.cid_len = 4;
	p.with_length = true;
	p.length = 65536;
	cr_assert(!petrel_dtls13_header_write(&w, &p, NULL));
	p.length = 10;
	petrel_writer_init(&w, buf, petrel_dtls13_header_len(4, false, true) - 1);
	cr_assert(!petrel_dtls13_header_write(&w, &p, NULL));
}

Test(record_header13, sequence_number_is_the_one_closest_to_the_expected)
{
	/* 8-bit: window of 256 around expected */
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0, 0, 8), 0);
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0, 5, 8), 5);
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0, 0xff, 8), 0xff, "no numbers below 0");
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0x100, 0xff, 8), 0xff, "just before");
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0x1fe, 0x01, 8), 0x201, "just after a wrap");
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0x1fe, 0x80, 8), 0x180);
	/* 16-bit, RFC 9000 A.3's example shape */
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0xa82f30eb, 0x9b32, 16), 0xa82f9b32);
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0x10000, 0xffff, 16), 0xffff);
	cr_assert_eq(petrel_dtls13_seq_reconstruct(0xfffe, 0x0002, 16), 0x10002);
	cr_assert_eq(petrel_dtls13_seq_reconstruct(UINT64_MAX, 0xffff, 16), UINT64_MAX,
		     "never above 2^64 - 1");
}

Test(record_header13, epoch_comes_from_the_window_around_the_current_one)
{
	for (uint8_t bits = 0; bits < 4; bits++)
		cr_assert_eq(petrel_dtls13_epoch_reconstruct(0, bits), bits);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(1, 3), 3);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(3, 3), 3);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(3, 2), 2, "handshake retransmission");
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(3, 0), 4, "peer updated its keys first");
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(3, 1), 1);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(4, 0), 4);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(4, 1), 5);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(4, 2), 2);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(4, 3), 3);
	cr_assert_eq(petrel_dtls13_epoch_reconstruct(1001, 3), 999);
}

Test(record_header13, masking_twice_restores_the_sequence_number)
{
	uint8_t rec[] = {0x2c, 0x12, 0x34, 0x00, 0x10};
	const uint8_t mask[16] = {0xf0, 0x0f, 0xaa};
	petrel_dtls13_mask_seq(rec + 1, true, mask);
	cr_assert_eq(rec[1], 0xe2);
	cr_assert_eq(rec[2], 0x3b);
	cr_assert_eq(rec[3], 0x00, "the mask never reaches the length");
	struct petrel_dtls13_header h = {.seq16 = true, .seq_offset = 1, .seq_wire = 0xe23b};
	petrel_dtls13_unmask_seq(rec, &h, mask);
	cr_assert_eq(h.seq_wire, 0x1234);
	uint8_t short_rec[] = {0x20, 0x77, 0x99};
	petrel_dtls13_mask_seq(short_rec + 1, false, mask);
	cr_assert_eq(short_rec[1], 0x87);
	cr_assert_eq(short_rec[2], 0x99, "8-bit numbers take one mask byte");
}

/* ---- crypto/rn_mask ---- */

static void hex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v;
		cr_assert_eq(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

Test(record_header13, aes_masks_are_one_ecb_block_of_the_sample)
{
	/* FIPS-197 C.1 and C.3 */
	uint8_t key[32], sample[16], mask[16], want[16];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	hex("00112233445566778899aabbccddeeff", sample);
	struct petrel_rn_key k;
	cr_assert_eq(petrel_rn_key_init(&k, PETREL_AEAD_AES128_GCM, key), 0);
	cr_assert_eq(petrel_rn_mask(&k, sample, PETREL_RN_COUNTER_LE, mask), 0);
	hex("69c4e0d86a7b0430d8cdb78070b4c55a", want);
	cr_assert_arr_eq(mask, want, 16);
	cr_assert_eq(petrel_rn_key_init(&k, PETREL_AEAD_AES128_CCM8, key), 0);
	cr_assert_eq(petrel_rn_mask(&k, sample, PETREL_RN_COUNTER_BE, mask), 0);
	cr_assert_arr_eq(mask, want, 16, "CCM uses AES-128 too");
	cr_assert_eq(petrel_rn_key_init(&k, PETREL_AEAD_AES256_GCM, key), 0);
	cr_assert_eq(petrel_rn_mask(&k, sample, PETREL_RN_COUNTER_LE, mask), 0);
	hex("8ea2b7ca516745bfeafc49904b496089", want);
	cr_assert_arr_eq(mask, want, 16);
	petrel_rn_key_wipe(&k);
}

Test(record_header13, chacha20_mask_reads_the_counter_in_either_byte_order)
{
	/* RFC 8439 2.3.2: key 00..1f, nonce 000000090000004a00000000,
	 * block counter 1: the keystream starts 10f1e7e4... */
	uint8_t key[32], sample[16], mask[16], want[16];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	hex("10f1e7e4d13b5915500fdd1fa32071c4", want);
	struct petrel_rn_key k;
	cr_assert_eq(petrel_rn_key_init(&k, PETREL_AEAD_CHACHA20_POLY1305, key), 0);
	hex("01000000000000090000004a00000000", sample);
	cr_assert_eq(petrel_rn_mask(&k, sample, PETREL_RN_COUNTER_LE, mask), 0);
	cr_assert_arr_eq(mask, want, 16);
	hex("00000001000000090000004a00000000", sample);
	cr_assert_eq(petrel_rn_mask(&k, sample, PETREL_RN_COUNTER_BE, mask), 0);
	cr_assert_arr_eq(mask, want, 16);
	cr_assert_eq(petrel_rn_mask(&k, sample, PETREL_RN_COUNTER_LE, mask), 0);
	cr_assert(memcmp(mask, want, 16) != 0, "the orders differ");
	petrel_rn_key_wipe(&k);
}

Test(record_header13, rn_key_refuses_unknown_algorithms)
{
	uint8_t key[32] = {0}, sample[16] = {0}, mask[16];
	struct petrel_rn_key k;
	cr_assert_eq(petrel_rn_key_init(&k, (enum petrel_aead_alg)0, key), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rn_key_init(&k, (enum petrel_aead_alg)99, key),
		     PETREL_E_INVALID_REQUEST);
	memset(&k, 0, sizeof k);
	cr_assert_eq(petrel_rn_mask(&k, sample, PETREL_RN_COUNTER_LE, mask),
		     PETREL_E_INVALID_REQUEST);
}
