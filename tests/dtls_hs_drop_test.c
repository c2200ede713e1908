/* What dropping an unauthenticated handshake message relies on
 * (dtls/hs_drop.c): the transcript grows without losing bytes, and
 * taking a message back out of it wipes those bytes and leaves the hash
 * as if it never came. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"

static struct petrel_hs *new_hs(void)
{
	struct petrel_hs *hs = calloc(1, sizeof *hs);
	cr_assert_not_null(hs);
	hs->version = PETREL_V_DTLS12;
	return hs;
}

static void free_hs(struct petrel_hs *hs)
{
	free(hs->transcript);
	free(hs);
}

Test(hs_drop, transcript_growth_keeps_every_byte_and_the_running_hash)
{
	struct petrel_hs *hs = new_hs();
	static uint8_t all[9000];
	for (size_t i = 0; i < sizeof all; i++)
		all[i] = (uint8_t)(i * 7 + 1);
	uint8_t early[PETREL_MAX_HASH_LEN], want[PETREL_MAX_HASH_LEN], got[PETREL_MAX_HASH_LEN];
	size_t at = 0;
	/* 300-byte steps pass the first capacity (2048) and several doublings;
	 * the running hash starts early, so it is updated across each move. */
	while (at < sizeof all) {
		size_t n = sizeof all - at < 300 ? sizeof all - at : 300;
		cr_assert_eq(petrel_hs_transcript_add(hs, all + at, n), 0);
		at += n;
		if (at == 600)
			petrel_hs_transcript_hash(hs, PETREL_HASH_SHA256, early);
	}
	cr_assert_eq(hs->transcript_len, sizeof all);
	cr_assert_geq(hs->transcript_cap, sizeof all);
	cr_assert_arr_eq(hs->transcript, all, sizeof all);
	petrel_hs_transcript_hash(hs, PETREL_HASH_SHA256, got);
	petrel_hash(PETREL_HASH_SHA256, all, sizeof all, want);
	cr_assert_arr_eq(got, want, 32);
	free_hs(hs);
}

Test(hs_drop, truncated_transcript_is_wiped_and_hashes_as_before)
{
	struct petrel_hs *hs = new_hs();
	static const uint8_t first[40] = {1, 2, 3}, dropped[100] = {0xee, 0xee, 0xee};
	cr_assert_eq(petrel_hs_transcript_add(hs, first, sizeof first), 0);
	uint8_t before[PETREL_MAX_HASH_LEN], after[PETREL_MAX_HASH_LEN];
	petrel_hs_transcript_hash(hs, PETREL_HASH_SHA256, before);
	cr_assert_eq(petrel_hs_transcript_add(hs, dropped, sizeof dropped), 0);
	petrel_hs_transcript_truncate(hs, sizeof first);
	cr_assert_eq(hs->transcript_len, sizeof first);
	for (size_t i = 0; i < sizeof dropped; i++)
		cr_assert_eq(hs->transcript[sizeof first + i], 0, "byte %zu of the dropped message kept", i);
	petrel_hs_transcript_hash(hs, PETREL_HASH_SHA256, after);
	cr_assert_arr_eq(after, before, 32, "the running hash still has the dropped message");
	/* Truncating to the length or beyond changes nothing. */
	petrel_hs_transcript_truncate(hs, sizeof first + 10);
	cr_assert_eq(hs->transcript_len, sizeof first);
	free_hs(hs);
}
