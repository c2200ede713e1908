/* The output queue (dtls/outq.c): datagrams come out in order with their
 * keys, the byte cap is enforced (loss, counted), a drained queue starts
 * over at the front of its one buffer, and it never grows past the cap. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/outq.h"
#include "petrel/petrel.h"

Test(outq, datagrams_come_out_in_order_with_their_keys)
{
	struct petrel_outq q;
	petrel_outq_init(&q, 4096);
	const uint8_t k1[] = {4, 0, 1, 10, 0, 0, 1}, k2[] = {4, 0, 2, 10, 0, 0, 2};
	cr_assert_eq(petrel_outq_push(&q, k1, sizeof k1, (const uint8_t *)"first", 5), 5);
	cr_assert_eq(petrel_outq_push(&q, k2, sizeof k2, (const uint8_t *)"second!", 7), 7);
	cr_assert_eq(q.count, 2);
	size_t pos = q.head;
	struct petrel_outq_item it;
	cr_assert(petrel_outq_next(&q, &pos, &it));
	cr_assert_eq(it.len, 5);
	cr_assert_arr_eq(it.data, "first", 5);
	cr_assert_eq(it.key_len, sizeof k1);
	cr_assert_arr_eq(it.key, k1, sizeof k1);
	petrel_outq_consume(&q, pos);
	cr_assert_eq(q.count, 1);
	pos = q.head;
	cr_assert(petrel_outq_next(&q, &pos, &it));
	cr_assert_arr_eq(it.data, "second!", 7);
	cr_assert_arr_eq(it.key, k2, sizeof k2);
	cr_assert_not(petrel_outq_next(&q, &pos, &it));
	petrel_outq_consume(&q, pos);
	cr_assert(petrel_outq_empty(&q));
	cr_assert_eq(q.len, 0, "drained: the next push starts at the front");
	cr_assert_eq(q.count, 0);
	petrel_outq_free(&q);
}

Test(outq, the_byte_cap_is_loss_and_counted)
{
	struct petrel_outq q;
	petrel_outq_init(&q, 2000);
	uint8_t d[1200];
	memset(d, 0xab, sizeof d);
	cr_assert_eq(petrel_outq_push(&q, NULL, 0, d, sizeof d), (long)sizeof d);
	cr_assert_eq(petrel_outq_push(&q, NULL, 0, d, sizeof d), PETREL_E_AGAIN);
	cr_assert_eq(q.dropped, 1);
	cr_assert_leq(q.cap, 2000, "never grows past the cap");
	cr_assert_eq(petrel_outq_push(&q, NULL, 0, d, 100), 100, "what fits still goes");
	petrel_outq_free(&q);
}

Test(outq, steady_state_reuses_one_buffer)
{
	struct petrel_outq q;
	petrel_outq_init(&q, 1u << 20);
	cr_assert_eq(petrel_outq_reserve(&q, 64u * 1024u), 0);
	const uint8_t *buf = q.bytes;
	uint8_t d[1400] = {0};
	for (int round = 0; round < 1000; round++) {
		for (int i = 0; i < 32; i++)
			cr_assert_eq(petrel_outq_push(&q, NULL, 0, d, sizeof d), (long)sizeof d);
		petrel_outq_consume(&q, q.len);
	}
	cr_assert_eq(q.bytes, buf, "no reallocation once reserved");
	cr_assert_eq(q.cap, 64u * 1024u);
	petrel_outq_free(&q);
	cr_assert_null(q.bytes);
}

Test(outq, oversized_datagrams_and_keys_are_refused)
{
	struct petrel_outq q;
	petrel_outq_init(&q, 1u << 20);
	static uint8_t big[70000];
	uint8_t key[PETREL_OUTQ_KEY_MAX + 1] = {0};
	cr_assert_eq(petrel_outq_push(&q, NULL, 0, big, sizeof big), PETREL_E_LARGE_PACKET);
	cr_assert_eq(petrel_outq_push(&q, key, sizeof key, big, 10), PETREL_E_INVALID_REQUEST);
	cr_assert(petrel_outq_empty(&q));
	petrel_outq_free(&q);
}
