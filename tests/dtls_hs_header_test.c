#include <criterion/criterion.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "petrel/petrel.h"

Test(dtls_hs_header, reads_fields_and_points_at_fragment)
{
	const uint8_t buf[] = {0x0b, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x00, 0x10, 0x00,
			       0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x99};
	struct petrel_reader r;
	petrel_reader_init(&r, buf, sizeof buf);
	struct petrel_hs_header h;
	const uint8_t *frag;
	cr_assert_eq(petrel_hs_header_read(&r, &h, &frag), 0);
	cr_assert_eq(h.msg_type, PETREL_HS_CERTIFICATE);
	cr_assert_eq(h.length, 0x100);
	cr_assert_eq(h.message_seq, 5);
	cr_assert_eq(h.fragment_offset, 0x10);
	cr_assert_eq(h.fragment_length, 3);
	cr_assert_eq(frag, buf + 12);
	cr_assert_eq(petrel_reader_left(&r), 1);
}

Test(dtls_hs_header, fragment_past_message_end_is_decode_error)
{
	/* length 16, offset 10, fragment_length 7: 17 > 16 */
	uint8_t buf[12 + 7] = {0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x07};
	struct petrel_reader r;
	petrel_reader_init(&r, buf, sizeof buf);
	struct petrel_hs_header h;
	const uint8_t *frag;
	cr_assert_eq(petrel_hs_header_read(&r, &h, &frag), PETREL_E_DECODE_ERROR);
	cr_assert_not(petrel_reader_ok(&r));
}

Test(dtls_hs_header, missing_body_bytes_is_decode_error)
{
	const uint8_t buf[] = {0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
			       0x00, 0x00, 0x00, 0x10, 0x01, 0x02};
	struct petrel_reader r;
	petrel_reader_init(&r, buf, sizeof buf);
	struct petrel_hs_header h;
	const uint8_t *frag;
	cr_assert_eq(petrel_hs_header_read(&r, &h, &frag), PETREL_E_DECODE_ERROR);
}

Test(dtls_hs_header, short_header_is_decode_error_at_every_length)
{
	const uint8_t buf[12] = {0x0e};
	for (size_t n = 0; n < sizeof buf; n++) {
		struct petrel_reader r;
		petrel_reader_init(&r, buf, n);
		struct petrel_hs_header h;
		const uint8_t *frag;
		cr_assert_eq(petrel_hs_header_read(&r, &h, &frag), PETREL_E_DECODE_ERROR, "n=%zu", n);
	}
}

Test(dtls_hs_header, write_then_read_round_trips)
{
	const struct petrel_hs_header in = {.msg_type = PETREL_HS_SERVER_KEY_EXCHANGE,
					    .length = 0xabcdef,
					    .message_seq = 0x1234,
					    .fragment_offset = 0x000100,
					    .fragment_length = 0x000002};
	uint8_t buf[14];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_hs_header_write(&w, &in), 0);
	const uint8_t want[12] = {0x0c, 0xab, 0xcd, 0xef, 0x12, 0x34, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02};
	cr_assert_arr_eq(buf, want, 12);
	buf[12] = 7;
	buf[13] = 8;
	struct petrel_reader r;
	petrel_reader_init(&r, buf, sizeof buf);
	struct petrel_hs_header out;
	const uint8_t *frag;
	cr_assert_eq(petrel_hs_header_read(&r, &out, &frag), 0);
	cr_assert_eq(out.msg_type, in.msg_type);
	cr_assert_eq(out.length, in.length);
	cr_assert_eq(out.message_seq, in.message_seq);
	cr_assert_eq(out.fragment_offset, in.fragment_offset);
	cr_assert_eq(out.fragment_length, in.fragment_length);
	cr_assert_eq(frag, buf + 12);
	cr_assert(petrel_reader_done(&r));
}

Test(dtls_hs_header, write_rejects_out_of_range_and_short_buffer)
{
	uint8_t buf[12];
	struct petrel_writer w;
	struct petrel_hs_header h = {.length = 0x1000000};
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_hs_header_write(&w, &h), PETREL_E_INVALID_REQUEST);
	h = (struct petrel_hs_header){.length = 10, .fragment_offset = 5, .fragment_length = 6};
	cr_assert_eq(petrel_hs_header_write(&w, &h), PETREL_E_INVALID_REQUEST);
	h.fragment_length = 5;
	petrel_writer_init(&w, buf, 11);
	cr_assert_eq(petrel_hs_header_write(&w, &h), PETREL_E_SHORT_BUFFER);
}

Test(dtls_hs_header, full_header_has_offset_zero_and_whole_length)
{
	uint8_t out[12];
	petrel_hs_header_encode_full(out, PETREL_HS_FINISHED, 7, 12);
	const uint8_t want[12] = {0x14, 0, 0, 12, 0, 7, 0, 0, 0, 0, 0, 12};
	cr_assert_arr_eq(out, want, 12);
}
