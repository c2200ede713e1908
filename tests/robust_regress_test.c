/* Regression tests for fuzzer findings (the targets in fuzz/), one per finding,
 * each built from the minimised input's essential bytes. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/reassembly.h"
#include "petrel/petrel.h"

/* fuzz/reassembly: a second fragment of a zero-length message computed
 * the bitmap pointer as NULL + 0 (UB) before noticing there was nothing
 * to store. It must count as a duplicate and leave nothing buffered. */
Test(robust_regress, reassembly_repeated_empty_message_is_duplicate)
{
	struct petrel_reasm ra;
	petrel_reasm_init(&ra);
	struct petrel_hs_header h = {.msg_type = 14, .length = 0, .message_seq = 1};
	/* Buffered ahead of next_seq 0 (inside the window), then repeated. */
	cr_assert_eq(petrel_reasm_add(&ra, &h, NULL), PETREL_REASM_ACCEPTED);
	cr_assert_eq(petrel_reasm_add(&ra, &h, NULL), PETREL_REASM_DUPLICATE);
	cr_assert_eq(ra.total_bytes, 0);
	petrel_reasm_set_next_seq(&ra, 1);
	cr_assert_eq(petrel_reasm_add(&ra, &h, NULL), PETREL_REASM_ACCEPTED);
	cr_assert_eq(petrel_reasm_add(&ra, &h, NULL), PETREL_REASM_DUPLICATE);
	struct petrel_hs_message m;
	cr_assert_eq(petrel_reasm_pop(&ra, &m), 1);
	cr_assert_eq(m.msg_type, 14);
	cr_assert_eq(m.length, 0);
	cr_assert_null(m.body);
	cr_assert_eq(petrel_reasm_pop(&ra, &m), 0);
	petrel_reasm_clear(&ra);
}

/* Lowering the total cap below what is already buffered must not let the
 * next message through on an unsigned underflow of the free space. */
Test(robust_regress, reassembly_total_cap_lowered_below_live_bytes)
{
	struct petrel_reasm ra;
	petrel_reasm_init(&ra);
	uint8_t frag[100] = {0};
	struct petrel_hs_header h = {.msg_type = 11, .length = 1000, .message_seq = 1,
				     .fragment_offset = 0, .fragment_length = 100};
	cr_assert_eq(petrel_reasm_add(&ra, &h, frag), PETREL_REASM_ACCEPTED);
	size_t live = ra.total_bytes;
	cr_assert_gt(live, 1000);
	/* The API refuses max_message_len > max_total_bytes, so lower both. */
	cr_assert_eq(petrel_reasm_configure(&ra, 0, 500, 600), 0);
	struct petrel_hs_header h2 = {.msg_type = 12, .length = 10, .message_seq = 2,
				      .fragment_offset = 0, .fragment_length = 10};
	cr_assert_eq(petrel_reasm_add(&ra, &h2, frag), PETREL_REASM_DROP_TOTAL_CAP);
	cr_assert_eq(ra.total_bytes, live);
	petrel_reasm_clear(&ra);
}
