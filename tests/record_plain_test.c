/* Record layer in epoch 0 (null cipher): framing, several records per
 * datagram, malformed input, replay window, sequence limits. */
#include <criterion/criterion.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/record.h"

static struct petrel_record_layer tx, rx;

static void setup(void)
{
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
}

static void teardown(void)
{
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

TestSuite(record_plain, .init = setup, .fini = teardown);

/* Writes one record with payload "<byte repeated len>" into buf. */
static size_t write_one(struct petrel_record_layer *rl, uint8_t type, uint8_t fill, size_t len,
			uint8_t *buf, size_t cap)
{
	uint8_t payload[256];
	memset(payload, fill, len);
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	cr_assert_eq(petrel_rl_write(rl, 0, type, payload, len, &w), 0);
	return petrel_writer_len(&w);
}

Test(record_plain, idle_layer_is_small)
{
	cr_assert_lt(sizeof(struct petrel_record_layer), 1024, "size %zu",
		     sizeof(struct petrel_record_layer));
}

Test(record_plain, epoch0_record_is_plaintext_on_the_wire)
{
	uint8_t buf[64];
	size_t n = write_one(&tx, PETREL_CT_HANDSHAKE, 0xab, 3, buf, sizeof(buf));
	const uint8_t expect[16] = {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0xab, 0xab, 0xab};
	cr_assert_eq(n, 16);
	cr_assert_arr_eq(buf, expect, 16);
	n = write_one(&tx, PETREL_CT_HANDSHAKE, 0xab, 3, buf, sizeof(buf));
	cr_assert_eq(buf[10], 1, "second record has seq 1");
	cr_assert_eq(petrel_rl_next_write_seq(&tx, 0), 2);
	cr_assert_eq(petrel_rl_stats(&tx)->records_out, 2);
}

Test(record_plain, several_records_per_datagram_are_read_in_order)
{
	uint8_t dgram[256];
	size_t len = 0;
	len += write_one(&tx, PETREL_CT_HANDSHAKE, 1, 10, dgram + len, sizeof(dgram) - len);
	len += write_one(&tx, PETREL_CT_CHANGE_CIPHER_SPEC, 2, 1, dgram + len, sizeof(dgram) - len);
	len += write_one(&tx, PETREL_CT_ALERT, 3, 2, dgram + len, sizeof(dgram) - len);
	cr_assert_eq(len, 23 + 14 + 15);

	size_t off = 0;
	struct petrel_record rec;
	const uint8_t types[3] = {22, 20, 21};
	const size_t lens[3] = {10, 1, 2};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
		cr_assert_eq(rec.content_type, types[i]);
		cr_assert_eq(rec.epoch, 0);
		cr_assert_eq(rec.seq, (uint64_t)i);
		cr_assert_eq(rec.length, lens[i]);
		cr_assert_eq(rec.fragment[0], i + 1);
	}
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 0);
	cr_assert_eq(off, len);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 3);
}

Test(record_plain, truncated_record_drops_the_rest_of_the_datagram)
{
	uint8_t dgram[256];
	size_t len = write_one(&tx, PETREL_CT_HANDSHAKE, 1, 10, dgram, sizeof(dgram));
	len += write_one(&tx, PETREL_CT_HANDSHAKE, 2, 10, dgram + len, sizeof(dgram) - len);
	size_t off = 0;
	struct petrel_record rec;
	/* Cut the second record one byte short. */
	cr_assert_eq(petrel_rl_read(&rx, dgram, len - 1, &off, &rec), 1);
	cr_assert_eq(petrel_rl_read(&rx, dgram, len - 1, &off, &rec), 0);
	cr_assert_eq(off, len - 1);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 1);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 1);
}

Test(record_plain, record_split_across_datagrams_is_refused)
{
	uint8_t rec_bytes[64];
	size_t len = write_one(&tx, PETREL_CT_HANDSHAKE, 7, 20, rec_bytes, sizeof(rec_bytes));
	uint8_t first[64], second[64];
	memcpy(first, rec_bytes, 20);
	memcpy(second, rec_bytes + 20, len - 20);
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, first, 20, &off, &rec), 0);
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, second, len - 20, &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 2);
}

Test(record_plain, short_header_and_empty_datagram)
{
	uint8_t dgram[12] = {0x16, 0xfe, 0xfd};
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, dgram, 0, &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 0);
	cr_assert_eq(petrel_rl_read(&rx, dgram, sizeof(dgram), &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 1);
}

Test(record_plain, oversized_length_field_drops_the_datagram)
{
	/* 2^14 + 2048 + 1 = 18433 = 0x4801 */
	static uint8_t dgram[13 + 18433];
	const uint8_t hdr[13] = {0x17, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x48, 0x01};
	memcpy(dgram, hdr, 13);
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, dgram, sizeof(dgram), &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 1);
}

Test(record_plain, plaintext_over_2_14_is_dropped)
{
	/* A null-cipher record may not carry more than 2^14 bytes (RFC 5246 6.2.1). */
	static uint8_t dgram[13 + 16385];
	const uint8_t hdr[13] = {0x17, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x01};
	memcpy(dgram, hdr, 13);
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, dgram, sizeof(dgram), &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 1);
	cr_assert_eq(off, sizeof(dgram));
}

Test(record_plain, unknown_content_type_drops_the_rest_but_bad_version_only_the_record)
{
	uint8_t dgram[128];
	size_t len = write_one(&tx, PETREL_CT_HANDSHAKE, 1, 4, dgram, sizeof(dgram));
	len += write_one(&tx, PETREL_CT_HANDSHAKE, 2, 4, dgram + len, sizeof(dgram) - len);
	len += write_one(&tx, PETREL_CT_HANDSHAKE, 3, 4, dgram + len, sizeof(dgram) - len);
	dgram[1] = 0x03; /* record 0: TLS version */
	dgram[17] = 0x63; /* record 1: content type 99 */
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 2);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 0);

	/* A DTLS 1.0 version (first flight, HelloVerifyRequest) is accepted. */
	len = write_one(&tx, PETREL_CT_HANDSHAKE, 1, 4, dgram, sizeof(dgram));
	dgram[2] = 0xff;
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
}

Test(record_plain, first_byte_decides_the_framing)
{
	uint8_t dgram[128];
	size_t off = 0;
	struct petrel_record rec;
	/* A framed record of a type DTLS 1.2 does not use (26, the 1.3 ACK)
	 * is skipped alone: the handshake record after it is read. */
	size_t len = write_one(&tx, PETREL_CT_HANDSHAKE, 1, 4, dgram, sizeof(dgram));
	len += write_one(&tx, PETREL_CT_HANDSHAKE, 2, 4, dgram + len, sizeof(dgram) - len);
	dgram[0] = 26;
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
	cr_assert_eq(rec.fragment[0], 2);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 1);

	/* A DTLS 1.3 unified header (001CSLEE) and tls12_cid without a CID
	 * of ours cannot be framed: the rest of the datagram goes. */
	len = write_one(&tx, PETREL_CT_HANDSHAKE, 3, 4, dgram, sizeof(dgram));
	len += write_one(&tx, PETREL_CT_HANDSHAKE, 4, 4, dgram + len, sizeof(dgram) - len);
	dgram[0] = 0x2c;
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 0);
	cr_assert_eq(off, len);
	dgram[0] = PETREL_CT_TLS12_CID;
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_malformed, 3);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 1);
}

Test(record_plain, epoch0_duplicates_go_on_to_the_handshake_layer)
{
	/* Epoch 0 has no MAC: a window there would be the forger's to fill
	 * (64 spoofed records just ahead would make the next 64 genuine ones
	 * "replays"). Duplicates pass; the handshake layer drops them. */
	uint8_t dgram[64], copy[64];
	size_t len = write_one(&tx, PETREL_CT_HANDSHAKE, 1, 5, dgram, sizeof(dgram));
	memcpy(copy, dgram, len);
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, dgram, len, &off, &rec), 1);
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, copy, len, &off, &rec), 1);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_replay, 0);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 2);
}

Test(record_plain, epoch0_record_numbers_never_drop_a_record)
{
	/* 70 records, each in its own datagram. */
	uint8_t dgrams[70][32];
	size_t lens[70];
	for (int i = 0; i < 70; i++)
		lens[i] = write_one(&tx, PETREL_CT_APPLICATION_DATA, (uint8_t)i, 1, dgrams[i], 32);
	struct petrel_record rec;
	size_t off;
	/* Deliver 69 first, then 6 (63 behind), then 5 (64 behind), then 68
	 * and 6 again. Epoch 0 is unauthenticated: no record number a forger
	 * could have sent first makes a genuine record drop (issue #17 item
	 * 21); duplicates are the handshake layer's to drop. */
	const int order[] = {69, 6, 5, 68, 6};
	const int expect[] = {1, 1, 1, 1, 1};
	for (int k = 0; k < 5; k++) {
		off = 0;
		cr_assert_eq(petrel_rl_read(&rx, dgrams[order[k]], lens[order[k]], &off, &rec),
			     expect[k], "record %d", order[k]);
		if (expect[k])
			cr_assert_eq(rec.seq, (uint64_t)order[k]);
	}
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 5);
	cr_assert_eq(petrel_rl_stats(&rx)->dropped_replay, 0);
}

Test(record_plain, sequence_numbers_refuse_to_wrap)
{
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_rl_set_next_write_seq(&tx, 0, PETREL_MAX_SEQ);
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_rl_write(&tx, 0, 22, (const uint8_t *)"x", 1, &w), 0);
	cr_assert_eq(buf[5], 0xff);
	cr_assert_eq(buf[10], 0xff);
	cr_assert_eq(petrel_rl_write(&tx, 0, 22, (const uint8_t *)"x", 1, &w), PETREL_E_SEQ_EXHAUSTED);
	cr_assert_eq(petrel_writer_len(&w), 14, "nothing written by the refused call");
	cr_assert_eq(petrel_rl_stats(&tx)->records_out, 1);
}

Test(record_plain, write_errors_leave_the_writer_usable)
{
	uint8_t buf[20];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof(buf));
	uint8_t big[8] = {0};
	cr_assert_eq(petrel_rl_write(&tx, 0, 22, big, 8, &w), PETREL_E_SHORT_BUFFER);
	cr_assert(petrel_writer_ok(&w));
	cr_assert_eq(petrel_rl_write(&tx, 0, 22, big, 7, &w), 0);
	cr_assert_eq(petrel_writer_len(&w), 20);
	cr_assert_eq(petrel_rl_write(&tx, 1, 22, big, 1, &w), PETREL_E_INVALID_REQUEST, "no epoch 1");
	static uint8_t huge[PETREL_MAX_PLAINTEXT + 1];
	static uint8_t out[PETREL_MAX_PLAINTEXT + 64];
	petrel_writer_init(&w, out, sizeof(out));
	cr_assert_eq(petrel_rl_write(&tx, 0, 23, huge, sizeof(huge), &w), PETREL_E_RECORD_OVERFLOW);
	cr_assert_eq(petrel_rl_write(&tx, 0, 23, huge, PETREL_MAX_PLAINTEXT, &w), 0);
}

Test(record_plain, keys_must_be_aead_and_epochs_only_advance)
{
	struct petrel_epoch_keys keys = {.aead = PETREL_AEAD_AES128_GCM};
	struct petrel_epoch_keys null_keys = {.aead = PETREL_RL_NULL_CIPHER};
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 0, &keys), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &null_keys), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, NULL), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &keys), 0);
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 1, &keys), PETREL_E_INVALID_REQUEST, "not again");
	cr_assert_eq(petrel_rl_write_epoch(&tx), 1);
	cr_assert_eq(petrel_rl_read_epoch(&tx), 0);
	cr_assert_eq(petrel_rl_write_overhead(&tx, 1), 37);
	cr_assert_eq(petrel_rl_write_overhead(&tx, 0), 13);
}

/* The epoch table (issue #18): an epoch may be skipped (DTLS 1.3 goes
 * from 0 to 2 without early data), the newest PETREL_RL_EPOCH_SLOTS stay
 * writable, the oldest leaves; record numbers name (epoch, seq). */
Test(record_plain, epoch_table_keeps_the_newest_epochs)
{
	struct petrel_epoch_keys keys = {.aead = PETREL_AEAD_AES128_GCM};
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 2, &keys), 0, "epoch 1 skipped");
	cr_assert_eq(petrel_rl_set_write_keys(&tx, 3, &keys), 0);
	cr_assert_eq(petrel_rl_write_epoch(&tx), 3);
	struct petrel_record_number next = petrel_rl_next_write_number(&tx);
	cr_assert_eq(next.epoch, 3);
	cr_assert_eq(next.seq, 0);
	uint8_t buf[128];
	static const uint8_t data[4] = {1, 2, 3, 4};
	struct petrel_writer w;
	for (uint16_t epoch = 0; epoch <= 3; epoch++) {
		petrel_writer_init(&w, buf, sizeof buf);
		bool kept = epoch + PETREL_RL_EPOCH_SLOTS > 3;
		cr_assert_eq(petrel_rl_write(&tx, epoch, PETREL_CT_APPLICATION_DATA, data, 4, &w) == 0,
			     kept, "epoch %u", epoch);
	}
	next = petrel_rl_next_write_number(&tx);
	cr_assert_eq(petrel_record_number_cmp(next, (struct petrel_record_number){3, 1}), 0);
	cr_assert_lt(petrel_record_number_cmp((struct petrel_record_number){2, 99}, next), 0);
}
