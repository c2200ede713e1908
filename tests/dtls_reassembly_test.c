#include <criterion/criterion.h>
#include <string.h>

#include "dtls/reassembly.h"
#include "petrel/petrel.h"

/* Deterministic body bytes: a fixed-seed LCG. */
static void fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
}

static int add(struct petrel_reasm *ra, uint8_t type, uint16_t seq, const uint8_t *msg,
	       uint32_t length, uint32_t off, uint32_t n)
{
	struct petrel_hs_header h = {.msg_type = type,
				     .length = length,
				     .message_seq = seq,
				     .fragment_offset = off,
				     .fragment_length = n};
	return petrel_reasm_add(ra, &h, msg + off);
}

static struct petrel_reasm ra;
static void setup(void) { petrel_reasm_init(&ra); }
static void teardown(void) { petrel_reasm_clear(&ra); }
TestSuite(dtls_reassembly, .init = setup, .fini = teardown);

static void expect_message(uint8_t type, uint16_t seq, const uint8_t *body, uint32_t length)
{
	struct petrel_hs_message m;
	cr_assert_eq(petrel_reasm_pop(&ra, &m), 1, "seq %u not ready", seq);
	cr_assert_eq(m.msg_type, type);
	cr_assert_eq(m.message_seq, seq);
	cr_assert_eq(m.length, length);
	if (length > 0)
		cr_assert_arr_eq(m.body, body, length);
	else
		cr_assert_null(m.body);
	uint8_t want[12];
	petrel_hs_header_encode_full(want, type, seq, length);
	cr_assert_arr_eq(m.header, want, 12);
}

static bool next_permutation(int *a, int n)
{
	int i = n - 2;
	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	int j = n - 1;
	while (a[j] <= a[i])
		j--;
	int t = a[i];
	a[i] = a[j];
	a[j] = t;
	for (int l = i + 1, r = n - 1; l < r; l++, r--) {
		t = a[l];
		a[l] = a[r];
		a[r] = t;
	}
	return true;
}

Test(dtls_reassembly, five_fragments_in_all_120_orders)
{
	uint8_t msg[500];
	fill(msg, sizeof msg, 1);
	const uint32_t bounds[6] = {0, 100, 230, 300, 450, 500};
	int order[5] = {0, 1, 2, 3, 4};
	int orders = 0;
	do {
		petrel_reasm_reset(&ra);
		for (int k = 0; k < 5; k++) {
			int f = order[k];
			cr_assert_eq(add(&ra, PETREL_HS_CERTIFICATE, 0, msg, 500, bounds[f],
					 bounds[f + 1] - bounds[f]),
				     PETREL_REASM_ACCEPTED);
			if (k < 4)
				cr_assert_not(petrel_reasm_ready(&ra));
		}
		expect_message(PETREL_HS_CERTIFICATE, 0, msg, 500);
		struct petrel_hs_message m;
		cr_assert_eq(petrel_reasm_pop(&ra, &m), 0, "a message is popped once");
		orders++;
	} while (next_permutation(order, 5));
	cr_assert_eq(orders, 120);
	cr_assert_eq(ra.stats.accepted, 600);
	cr_assert_eq(ra.stats.messages_out, 120);
}

Test(dtls_reassembly, overlapping_and_duplicated_fragments)
{
	uint8_t msg[500];
	fill(msg, sizeof msg, 2);
	cr_assert_eq(add(&ra, 11, 0, msg, 500, 0, 300), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 11, 0, msg, 500, 0, 300), PETREL_REASM_DUPLICATE);
	cr_assert_eq(add(&ra, 11, 0, msg, 500, 100, 200), PETREL_REASM_DUPLICATE);
	cr_assert_eq(add(&ra, 11, 0, msg, 500, 250, 100), PETREL_REASM_ACCEPTED);
	cr_assert_not(petrel_reasm_ready(&ra));
	cr_assert_eq(add(&ra, 11, 0, msg, 500, 340, 160), PETREL_REASM_ACCEPTED);
	expect_message(11, 0, msg, 500);
	cr_assert_eq(ra.stats.accepted, 3);
	cr_assert_eq(ra.stats.duplicate, 2);
	cr_assert_eq(ra.stats.dropped_conflict, 0);
}

Test(dtls_reassembly, conflicting_overlap_is_dropped_and_leaves_no_trace)
{
	petrel_reasm_set_epoch(&ra, 1); /* authenticated: first seen stays */
	uint8_t msg[500], bad[500];
	fill(msg, sizeof msg, 3);
	memcpy(bad, msg, sizeof bad);
	bad[250] ^= 0x01;
	bad[450] ^= 0x80; /* in a range not yet received: must not be stored */
	cr_assert_eq(add(&ra, 11, 0, msg, 500, 0, 300), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 11, 0, bad, 500, 200, 300), PETREL_REASM_DROP_CONFLICT);
	cr_assert_not(petrel_reasm_ready(&ra));
	cr_assert_eq(add(&ra, 11, 0, msg, 500, 200, 300), PETREL_REASM_ACCEPTED);
	expect_message(11, 0, msg, 500);
	cr_assert_eq(ra.stats.dropped_conflict, 1);
}

Test(dtls_reassembly, inconsistent_length_or_type_is_dropped)
{
	petrel_reasm_set_epoch(&ra, 1); /* authenticated: first seen stays */
	uint8_t msg[600];
	fill(msg, sizeof msg, 4);
	cr_assert_eq(add(&ra, 2, 0, msg, 500, 0, 250), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 2, 0, msg, 600, 250, 250), PETREL_REASM_DROP_INCONSISTENT);
	cr_assert_eq(add(&ra, 12, 0, msg, 500, 250, 250), PETREL_REASM_DROP_INCONSISTENT);
	cr_assert_not(petrel_reasm_ready(&ra));
	cr_assert_eq(add(&ra, 2, 0, msg, 500, 250, 250), PETREL_REASM_ACCEPTED);
	expect_message(2, 0, msg, 500);
	cr_assert_eq(ra.stats.dropped_inconsistent, 2);
}

Test(dtls_reassembly, future_messages_buffered_and_delivered_in_order)
{
	uint8_t msgs[5][200];
	for (int s = 0; s < 5; s++)
		fill(msgs[s], 200, (uint32_t)(10 + s));
	/* Each message in two halves, newest first, second halves before first. */
	for (int s = 4; s >= 0; s--)
		cr_assert_eq(add(&ra, (uint8_t)(s + 1), (uint16_t)s, msgs[s], 200, 120, 80),
			     PETREL_REASM_ACCEPTED);
	for (int s = 4; s >= 1; s--)
		cr_assert_eq(add(&ra, (uint8_t)(s + 1), (uint16_t)s, msgs[s], 200, 0, 120),
			     PETREL_REASM_ACCEPTED);
	cr_assert_not(petrel_reasm_ready(&ra), "seq 0 is still incomplete");
	cr_assert_eq(petrel_reasm_buffered_count(&ra), 5);
	cr_assert_eq(add(&ra, 1, 0, msgs[0], 200, 0, 120), PETREL_REASM_ACCEPTED);
	for (int s = 0; s < 5; s++)
		expect_message((uint8_t)(s + 1), (uint16_t)s, msgs[s], 200);
	struct petrel_hs_message m;
	cr_assert_eq(petrel_reasm_pop(&ra, &m), 0);
	cr_assert_eq(ra.next_seq, 5);
}

Test(dtls_reassembly, old_messages_are_reported)
{
	uint8_t msg[40];
	fill(msg, sizeof msg, 5);
	cr_assert_eq(add(&ra, 1, 0, msg, 40, 0, 40), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 2, 1, msg, 40, 0, 40), PETREL_REASM_ACCEPTED);
	expect_message(1, 0, msg, 40);
	expect_message(2, 1, msg, 40);
	cr_assert_eq(add(&ra, 1, 0, msg, 40, 0, 40), PETREL_REASM_OLD);
	cr_assert_eq(add(&ra, 2, 1, msg, 40, 0, 20), PETREL_REASM_OLD);
	cr_assert_eq(ra.stats.old, 2);
	cr_assert_eq(petrel_reasm_buffered_count(&ra), 0);
}

Test(dtls_reassembly, huge_declared_length_is_rejected_without_allocation)
{
	uint8_t frag[16] = {0};
	struct petrel_hs_header h = {.msg_type = 11, .length = 0xffffff, .message_seq = 0,
				     .fragment_offset = 0, .fragment_length = 16};
	cr_assert_eq(petrel_reasm_add(&ra, &h, frag), PETREL_REASM_DROP_TOO_LONG);
	h.length = PETREL_REASM_DEFAULT_MAX_MESSAGE_LEN + 1;
	cr_assert_eq(petrel_reasm_add(&ra, &h, frag), PETREL_REASM_DROP_TOO_LONG);
	cr_assert_eq(ra.total_bytes, 0);
	cr_assert_eq(petrel_reasm_buffered_count(&ra), 0);
	h.length = PETREL_REASM_DEFAULT_MAX_MESSAGE_LEN;
	cr_assert_eq(petrel_reasm_add(&ra, &h, frag), PETREL_REASM_ACCEPTED);
	cr_assert_eq(ra.stats.dropped_too_long, 2);
}

Test(dtls_reassembly, messages_beyond_window_are_dropped)
{
	uint8_t msg[10] = {0};
	for (uint16_t s = 0; s < 12; s++) {
		int rc = add(&ra, 1, s, msg, 10, 0, 5);
		cr_assert_eq(rc, s < PETREL_REASM_DEFAULT_WINDOW ? PETREL_REASM_ACCEPTED
								 : PETREL_REASM_DROP_FUTURE,
			     "seq %u", s);
	}
	cr_assert_eq(ra.stats.dropped_future, 4);
	cr_assert_eq(petrel_reasm_buffered_count(&ra), 8);
	cr_assert_eq(add(&ra, 1, 60000, msg, 10, 0, 5), PETREL_REASM_DROP_FUTURE);
	cr_assert_eq(ra.stats.dropped_future, 5);
}

Test(dtls_reassembly, total_byte_cap_drops_exactly_the_excess)
{
	/* 4000-byte messages cost 4000 + 500 bitmap bytes: two fit in 10000. */
	cr_assert_eq(petrel_reasm_configure(&ra, 0, 4000, 10000), 0);
	uint8_t msg[4000];
	fill(msg, sizeof msg, 6);
	cr_assert_eq(add(&ra, 1, 0, msg, 4000, 0, 10), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 1, 1, msg, 4000, 0, 10), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 1, 2, msg, 4000, 0, 10), PETREL_REASM_DROP_TOTAL_CAP);
	cr_assert_eq(add(&ra, 1, 3, msg, 4000, 0, 10), PETREL_REASM_DROP_TOTAL_CAP);
	cr_assert_eq(add(&ra, 1, 2, msg, 800, 0, 10), PETREL_REASM_ACCEPTED, "900 bytes still fit");
	cr_assert_eq(ra.total_bytes, 4500 + 4500 + 900);
	cr_assert_eq(ra.stats.dropped_total_cap, 2);
	cr_assert_eq(add(&ra, 1, 0, msg, 4000, 0, 4000), PETREL_REASM_ACCEPTED);
	expect_message(1, 0, msg, 4000);
	/* Delivered buffer is held until the next pop, then freed. */
	cr_assert_eq(ra.total_bytes, 4500 + 4500 + 900);
	cr_assert_eq(add(&ra, 1, 1, msg, 4000, 0, 4000), PETREL_REASM_ACCEPTED);
	expect_message(1, 1, msg, 4000);
	cr_assert_eq(ra.total_bytes, 4500 + 900);
	petrel_reasm_reset(&ra);
	cr_assert_eq(ra.total_bytes, 0);
	cr_assert_eq(ra.next_seq, 0);
}

Test(dtls_reassembly, configure_rejects_bad_limits)
{
	cr_assert_eq(petrel_reasm_configure(&ra, PETREL_REASM_MAX_WINDOW + 1, 0, 0),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_reasm_configure(&ra, 0, 5000, 4000), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(ra.window, PETREL_REASM_DEFAULT_WINDOW);
	cr_assert_eq(petrel_reasm_configure(&ra, PETREL_REASM_MAX_WINDOW, 0, 0), 0);
	uint8_t msg[4] = {0};
	cr_assert_eq(add(&ra, 1, PETREL_REASM_MAX_WINDOW - 1, msg, 4, 0, 4),
		     PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 1, PETREL_REASM_MAX_WINDOW, msg, 4, 0, 4), PETREL_REASM_DROP_FUTURE);
}

Test(dtls_reassembly, zero_length_message_is_delivered)
{
	/* ServerHelloDone: empty body. */
	struct petrel_hs_header h = {.msg_type = PETREL_HS_SERVER_HELLO_DONE, .message_seq = 0};
	cr_assert_eq(petrel_reasm_add(&ra, &h, NULL), PETREL_REASM_ACCEPTED);
	cr_assert_eq(petrel_reasm_add(&ra, &h, NULL), PETREL_REASM_DUPLICATE);
	cr_assert_eq(ra.total_bytes, 0);
	expect_message(PETREL_HS_SERVER_HELLO_DONE, 0, NULL, 0);
	cr_assert_eq(petrel_reasm_add(&ra, &h, NULL), PETREL_REASM_OLD);
}

Test(dtls_reassembly, empty_fragment_does_not_claim_a_message)
{
	uint8_t msg[100];
	fill(msg, sizeof msg, 7);
	/* A spoofed empty fragment with a bogus length must not fix the length. */
	cr_assert_eq(add(&ra, 1, 0, msg, 5000, 0, 0), PETREL_REASM_DUPLICATE);
	cr_assert_eq(petrel_reasm_buffered_count(&ra), 0);
	cr_assert_eq(add(&ra, 1, 0, msg, 100, 0, 100), PETREL_REASM_ACCEPTED);
	expect_message(1, 0, msg, 100);
}

Test(dtls_reassembly, record_with_several_fragments_and_bad_tail)
{
	uint8_t rec[12 + 3 + 12 + 2 + 12 + 5 + 4];
	struct petrel_writer w;
	petrel_writer_init(&w, rec, sizeof rec);
	struct petrel_hs_header a = {.msg_type = 2, .length = 3, .message_seq = 0,
				     .fragment_length = 3};
	struct petrel_hs_header b = {.msg_type = 14, .length = 0, .message_seq = 1};
	struct petrel_hs_header c = {.msg_type = 11, .length = 5, .message_seq = 2,
				     .fragment_length = 5};
	cr_assert_eq(petrel_hs_header_write(&w, &a), 0);
	cr_assert(petrel_put_bytes(&w, (const uint8_t *)"abc", 3));
	cr_assert_eq(petrel_hs_header_write(&w, &b), 0);
	cr_assert_eq(petrel_hs_header_write(&w, &c), 0);
	cr_assert(petrel_put_bytes(&w, (const uint8_t *)"hello", 5));
	cr_assert(petrel_put_bytes(&w, (const uint8_t *)"\x01\x02\x03\x04", 4)); /* short header */
	struct petrel_reasm_record_result res;
	cr_assert_eq(petrel_reasm_add_record(&ra, rec, petrel_writer_len(&w), &res), 0);
	cr_assert_eq(res.accepted, 3);
	cr_assert(res.malformed);
	cr_assert_eq(ra.stats.dropped_malformed, 1);
	expect_message(2, 0, (const uint8_t *)"abc", 3);
	expect_message(14, 1, NULL, 0);
	expect_message(11, 2, (const uint8_t *)"hello", 5);
	/* The same record again: every fragment is old now. */
	cr_assert_eq(petrel_reasm_add_record(&ra, rec, 12 + 3 + 12 + 12 + 5, &res), 0);
	cr_assert_eq(res.old, 3);
	cr_assert_eq(res.max_old_seq, 2);
	cr_assert_not(res.malformed);
}

Test(dtls_reassembly, set_next_seq_discards_buffered_messages)
{
	uint8_t msg[64];
	fill(msg, sizeof msg, 8);
	cr_assert_eq(add(&ra, 1, 0, msg, 64, 0, 10), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 1, 3, msg, 64, 0, 10), PETREL_REASM_ACCEPTED);
	petrel_reasm_set_next_seq(&ra, 1);
	cr_assert_eq(petrel_reasm_buffered_count(&ra), 0);
	cr_assert_eq(ra.total_bytes, 0);
	cr_assert_eq(add(&ra, 1, 0, msg, 64, 0, 64), PETREL_REASM_OLD);
	cr_assert_eq(add(&ra, 3, 1, msg, 64, 0, 64), PETREL_REASM_ACCEPTED);
	expect_message(3, 1, msg, 64);
}

/* Fixed-seed random fragmentation with duplicates, over many seeds: the
 * message always comes out once and intact. */
Test(dtls_reassembly, random_fragments_fixed_seeds)
{
	uint8_t msg[3000];
	fill(msg, sizeof msg, 9);
	for (uint32_t seed = 1; seed <= 200; seed++) {
		petrel_reasm_reset(&ra);
		uint32_t x = seed;
		int guard = 0;
		while (!petrel_reasm_ready(&ra)) {
			x = x * 1664525u + 1013904223u;
			uint32_t off = (x >> 8) % 3000;
			x = x * 1664525u + 1013904223u;
			uint32_t n = 1 + (x >> 8) % 400;
			if (off + n > 3000)
				n = 3000 - off;
			int rc = add(&ra, 11, 0, msg, 3000, off, n);
			cr_assert(rc == PETREL_REASM_ACCEPTED || rc == PETREL_REASM_DUPLICATE);
			cr_assert_lt(++guard, 100000);
		}
		expect_message(11, 0, msg, 3000);
	}
}

/* Epoch 0 is unauthenticated: a forged fragment that contradicts the
 * genuine message must not pin its slot (issue #17 item 21). The newest
 * wins, so the peer's retransmission restores the genuine message. */
Test(dtls_reassembly, epoch0_forgery_is_replaced_by_the_genuine_message)
{
	uint8_t msg[500], forged[600];
	fill(msg, sizeof msg, 30);
	fill(forged, sizeof forged, 31);
	/* Other type, other length, other bytes: each is displaced. */
	cr_assert_eq(add(&ra, 11, 1, forged, 600, 0, 600), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 12, 1, msg, 500, 0, 300), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 12, 1, forged, 500, 0, 100), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 12, 1, msg, 500, 0, 500), PETREL_REASM_ACCEPTED);
	cr_assert_eq(ra.stats.replaced, 3);
	cr_assert_eq(add(&ra, 2, 0, msg, 10, 0, 10), PETREL_REASM_ACCEPTED);
	expect_message(2, 0, msg, 10);
	expect_message(12, 1, msg, 500);
	cr_assert_eq(ra.total_bytes, 500 + 63, "only the delivered message is held");
}

/* Issue #17 item 10: a spoofed epoch-0 fragment claiming the Finished's
 * message_seq must not keep out the genuine epoch-1 Finished. */
Test(dtls_reassembly, higher_epoch_wins_and_epoch_change_drops_leftovers)
{
	uint8_t fin[12], spoof[40];
	fill(fin, sizeof fin, 40);
	fill(spoof, sizeof spoof, 41);
	petrel_reasm_set_next_seq(&ra, 5);
	cr_assert_eq(add(&ra, 20, 5, spoof, 40, 0, 20), PETREL_REASM_ACCEPTED);
	cr_assert_eq(add(&ra, 20, 6, spoof, 40, 0, 40), PETREL_REASM_ACCEPTED);
	petrel_reasm_set_epoch(&ra, 1);
	cr_assert_eq(petrel_reasm_buffered_count(&ra), 0, "epoch-0 leftovers freed");
	cr_assert_eq(ra.total_bytes, 0);
	cr_assert_eq(add(&ra, 20, 5, fin, 12, 0, 12), PETREL_REASM_ACCEPTED);
	expect_message(20, 5, fin, 12);

	/* Without the epoch change in between, the higher epoch replaces. */
	petrel_reasm_reset(&ra);
	cr_assert_eq(add(&ra, 20, 0, spoof, 40, 0, 20), PETREL_REASM_ACCEPTED);
	ra.epoch = 1; /* as if the caller had moved on without set_epoch */
	cr_assert_eq(add(&ra, 20, 0, fin, 12, 0, 12), PETREL_REASM_ACCEPTED);
	ra.epoch = 0;
	cr_assert_eq(add(&ra, 20, 0, spoof, 40, 0, 40), PETREL_REASM_DROP_OLD_EPOCH);
	expect_message(20, 0, fin, 12);
	cr_assert_eq(ra.stats.dropped_old_epoch, 1);
}

Test(dtls_reassembly, unpop_expects_the_message_again)
{
	uint8_t a[30], b[30];
	fill(a, sizeof a, 50);
	fill(b, sizeof b, 51);
	cr_assert_eq(add(&ra, 14, 0, a, 30, 0, 30), PETREL_REASM_ACCEPTED);
	struct petrel_hs_message m;
	cr_assert_eq(petrel_reasm_pop(&ra, &m), 1);
	cr_assert_eq(petrel_reasm_unpop(&ra), 1);
	cr_assert_eq(petrel_reasm_unpop(&ra), 0, "only the last pop");
	cr_assert_eq(ra.next_seq, 0);
	cr_assert_eq(ra.total_bytes, 0);
	cr_assert_eq(add(&ra, 11, 0, b, 30, 0, 30), PETREL_REASM_ACCEPTED);
	expect_message(11, 0, b, 30);
}

/* Issue #17 item 8: every buffered allocation is charged to the shared
 * budget as well, refused past its cap, and released on free and reset. */
Test(dtls_reassembly, shared_budget_charged_capped_and_released)
{
	struct petrel_frag_budget budget = {.used_bytes = 0, .cap_bytes = 2000};
	struct petrel_reasm other;
	petrel_reasm_init(&other);
	petrel_reasm_set_budget(&ra, &budget);
	petrel_reasm_set_budget(&other, &budget);
	uint8_t msg[1000];
	fill(msg, sizeof msg, 60);
	const size_t cost = 1000 + 125; /* body + bitmap */
	cr_assert_eq(add(&ra, 11, 0, msg, 1000, 0, 10), PETREL_REASM_ACCEPTED);
	cr_assert_eq(budget.used_bytes, cost);
	struct petrel_hs_header h = {.msg_type = 11, .length = 1000, .message_seq = 0,
				     .fragment_offset = 0, .fragment_length = 10};
	/* The second reassembler's own cap (256 KiB) allows it; the shared
	 * budget does not. */
	cr_assert_eq(petrel_reasm_add(&other, &h, msg), PETREL_REASM_DROP_TOTAL_CAP);
	cr_assert_eq(other.stats.dropped_total_cap, 1);
	cr_assert_eq(other.total_bytes, 0);
	h.length = 500;
	cr_assert_eq(petrel_reasm_add(&other, &h, msg), PETREL_REASM_ACCEPTED);
	cr_assert_eq(budget.used_bytes, cost + 500 + 63);
	/* Pop keeps the charge while the delivered body lives; reset frees. */
	cr_assert_eq(add(&ra, 11, 0, msg, 1000, 10, 990), PETREL_REASM_ACCEPTED);
	expect_message(11, 0, msg, 1000);
	cr_assert_eq(budget.used_bytes, cost + 500 + 63);
	petrel_reasm_reset(&ra);
	cr_assert_eq(budget.used_bytes, 500 + 63);
	petrel_reasm_clear(&other);
	cr_assert_eq(budget.used_bytes, 0);
	/* Freed room is usable again. */
	cr_assert_eq(add(&ra, 11, 0, msg, 1000, 0, 1000), PETREL_REASM_ACCEPTED);
	cr_assert_eq(budget.used_bytes, cost);
	petrel_reasm_clear(&ra);
	cr_assert_eq(budget.used_bytes, 0);
}
