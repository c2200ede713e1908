#include <criterion/criterion.h>
#include <string.h>

#include "common/reader.h"
#include "petrel/petrel.h"

Test(reader, reads_integers_big_endian)
{
	const uint8_t buf[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
			       0x0d, 0x0e, 0x0f, 0x10};
	struct petrel_reader r;
	petrel_reader_init(&r, buf, sizeof buf);
	uint8_t a;
	uint16_t b;
	uint32_t c;
	uint64_t d;
	cr_assert(petrel_get_u8(&r, &a));
	cr_assert(petrel_get_u16(&r, &b));
	cr_assert(petrel_get_u24(&r, &c));
	cr_assert(petrel_get_u48(&r, &d));
	cr_assert_eq(a, 0x01);
	cr_assert_eq(b, 0x0203);
	cr_assert_eq(c, 0x040506);
	cr_assert_eq(d, 0x0708090a0b0cULL);
	cr_assert_eq(petrel_reader_left(&r), 4);
	uint32_t e;
	cr_assert(petrel_get_u32(&r, &e));
	cr_assert_eq(e, 0x0d0e0f10);
	cr_assert(petrel_reader_done(&r));
}

Test(reader, short_input_fails_and_sticks)
{
	const uint8_t buf[] = {0x00, 0x05, 0xaa, 0xbb};
	struct petrel_reader r;
	petrel_reader_init(&r, buf, sizeof buf);
	const uint8_t *body;
	size_t len;
	cr_assert_not(petrel_get_opaque16(&r, &body, &len));
	cr_assert_not(petrel_reader_ok(&r));
	uint8_t v;
	cr_assert_not(petrel_get_u8(&r, &v));
	cr_assert_eq(petrel_reader_left(&r), 0);
}

Test(reader, sub_readers_are_bounded)
{
	const uint8_t buf[] = {0x03, 0x11, 0x22, 0x33, 0x44};
	struct petrel_reader r, sub;
	petrel_reader_init(&r, buf, sizeof buf);
	cr_assert(petrel_get_sub8(&r, &sub));
	cr_assert_eq(petrel_reader_left(&sub), 3);
	uint32_t v;
	cr_assert_not(petrel_get_u32(&sub, &v));
	uint8_t last;
	cr_assert(petrel_get_u8(&r, &last));
	cr_assert_eq(last, 0x44);
	cr_assert(petrel_reader_done(&r));
}

Test(writer, writes_and_fills_length_scopes)
{
	uint8_t buf[16];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	struct petrel_len_scope scope;
	cr_assert(petrel_put_u8(&w, 0x16));
	cr_assert(petrel_put_len_open(&w, 2, &scope));
	cr_assert(petrel_put_u24(&w, 0xabcdef));
	cr_assert(petrel_put_opaque8(&w, (const uint8_t *)"hi", 2));
	cr_assert(petrel_put_len_close(&w, &scope));
	const uint8_t want[] = {0x16, 0x00, 0x06, 0xab, 0xcd, 0xef, 0x02, 'h', 'i'};
	cr_assert_eq(petrel_writer_len(&w), sizeof want);
	cr_assert_arr_eq(buf, want, sizeof want);
}

Test(writer, overflow_fails_and_value_range_checked)
{
	uint8_t buf[3];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_not(petrel_put_u24(&w, 0x1000000));
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert(petrel_put_u16(&w, 1));
	cr_assert_not(petrel_put_u16(&w, 2));
	cr_assert_not(petrel_writer_ok(&w));
	cr_assert_eq(petrel_writer_left(&w), 0);
}

Test(hex, decodes_plain_and_colon_forms_and_rejects_the_rest)
{
	uint8_t out[4];
	size_t n = 0;
	cr_assert_eq(petrel_hex_decode("0a1B2c", out, sizeof out, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_eq(out[0], 0x0a);
	cr_assert_eq(out[1], 0x1b);
	cr_assert_eq(out[2], 0x2c);
	cr_assert_eq(petrel_hex_decode("DE:AD:be:ef", out, sizeof out, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(out[3], 0xef);
	cr_assert_eq(petrel_hex_decode("0a1", out, sizeof out, &n), PETREL_E_DECODE_ERROR, "odd length");
	cr_assert_eq(petrel_hex_decode("0g", out, sizeof out, &n), PETREL_E_DECODE_ERROR, "bad digit");
	cr_assert_eq(petrel_hex_decode("", out, sizeof out, &n), PETREL_E_DECODE_ERROR, "empty");
	cr_assert_eq(petrel_hex_decode(":0a", out, sizeof out, &n), PETREL_E_DECODE_ERROR, "leading colon");
	cr_assert_eq(petrel_hex_decode("0a:1b2c", out, sizeof out, &n), PETREL_E_DECODE_ERROR, "mixed");
	cr_assert_eq(petrel_hex_decode("0a1b2c3d4e", out, sizeof out, &n), PETREL_E_SHORT_BUFFER);
}
