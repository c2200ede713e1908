/* The simulated network itself: determinism, loss, reorder, delay, size. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>



#include "tests/simnet.h"

static void send_numbered(struct simnet *net, int from, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		uint8_t d[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
		cr_assert_eq(simnet_send(net, from, d, sizeof(d)), 4);
	}
}

static uint32_t number(const uint8_t d[4])
{
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

Test(record_simnet, delivers_in_order_after_delay)
{
	struct simnet *net = simnet_new(1);
	struct simnet_rules ru = {.delay_ms = 30};
	simnet_set_rules(net, 0, &ru);
	send_numbered(net, 0, 3);
	uint8_t buf[16];
	cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 0, "nothing before the delay");
	cr_assert_eq(simnet_next_event_ms(net), 30);
	simnet_advance_to(net, 29);
	cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 0);
	simnet_advance_to(net, 30);
	for (uint32_t i = 0; i < 3; i++) {
		cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 4);
		cr_assert_eq(number(buf), i);
	}
	cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 0);
	cr_assert_eq(simnet_recv(net, 0, buf, sizeof(buf)), 0, "nothing goes back to the sender");
	cr_assert_eq(simnet_next_event_ms(net), UINT64_MAX);
	cr_assert_eq(simnet_stats(net, 0)->delivered, 3);
	cr_assert_eq(simnet_stats(net, 0)->bytes_delivered, 12);
	cr_assert_eq(simnet_stats(net, 0)->largest_delivered, 4);
	simnet_free(net);
}

Test(record_simnet, drop_rate_is_honoured_for_a_fixed_seed)
{
	struct simnet *net = simnet_new(42);
	struct simnet_rules ru = {.drop_per_million = 100000}; /* 10% */
	simnet_set_rules(net, 0, &ru);
	uint8_t buf[8];
	uint64_t got = 0;
	for (uint32_t i = 0; i < 10000; i++) {
		send_numbered(net, 0, 1);
		while (simnet_recv(net, 1, buf, sizeof(buf)) > 0)
			got++;
	}
	const struct simnet_stats *st = simnet_stats(net, 0);
	cr_assert_eq(st->sent, 10000);
	cr_assert_eq(st->dropped + got, 10000);
	/* Roughly 10%, and exactly this many for seed 42. */
	cr_assert(st->dropped > 900 && st->dropped < 1100, "dropped %llu",
		  (unsigned long long)st->dropped);
	cr_assert_eq(st->dropped, 1018, "dropped %llu",
		     (unsigned long long)st->dropped);
	simnet_free(net);
}

Test(record_simnet, same_seed_same_run)
{
	uint64_t drops[2];
	for (int run = 0; run < 2; run++) {
		struct simnet *net = simnet_new(7);
		struct simnet_rules ru = {.drop_per_million = 300000, .duplicate_per_million = 100000};
		simnet_set_rules(net, 0, &ru);
		send_numbered(net, 0, 500);
		drops[run] = simnet_stats(net, 0)->dropped * 1000 + simnet_stats(net, 0)->duplicated;
		simnet_free(net);
	}
	cr_assert_eq(drops[0], drops[1]);
}

Test(record_simnet, duplicates_are_delivered_twice)
{
	struct simnet *net = simnet_new(3);
	struct simnet_rules ru = {.duplicate_per_million = 1000000};
	simnet_set_rules(net, 0, &ru);
	send_numbered(net, 0, 5);
	uint8_t buf[8];
	uint32_t counts[5] = {0};
	int n;
	while ((n = simnet_recv(net, 1, buf, sizeof(buf))) > 0)
		counts[number(buf)]++;
	for (int i = 0; i < 5; i++)
		cr_assert_eq(counts[i], 2);
	cr_assert_eq(simnet_stats(net, 0)->duplicated, 5);
	simnet_free(net);
}

Test(record_simnet, reorder_window_bounds_how_far_a_datagram_moves)
{
	struct simnet *net = simnet_new(11);
	struct simnet_rules ru = {.reorder_window = 3};
	simnet_set_rules(net, 0, &ru);
	send_numbered(net, 0, 200);
	uint8_t buf[8];
	uint32_t position = 0, out_of_order = 0, last = 0;
	bool seen[200] = {false};
	while (simnet_recv(net, 1, buf, sizeof(buf)) > 0) {
		uint32_t v = number(buf);
		cr_assert(!seen[v]);
		seen[v] = true;
		/* Overtaken by at most 3 later ones, and overtaking at most 3. */
		cr_assert(v <= position + 3 && position <= v + 3, "%u at %u", v, position);
		if (position > 0 && v < last)
			out_of_order++;
		last = v;
		position++;
	}
	cr_assert_eq(position, 200);
	cr_assert(out_of_order > 10, "reordering happened: %u", out_of_order);
	simnet_free(net);
}

Test(record_simnet, jitter_reorders_across_time)
{
	struct simnet *net = simnet_new(5);
	struct simnet_rules ru = {.delay_ms = 10, .jitter_ms = 50};
	simnet_set_rules(net, 0, &ru);
	for (uint32_t i = 0; i < 50; i++) {
		uint8_t d[4] = {0, 0, 0, (uint8_t)i};
		cr_assert_eq(simnet_send(net, 0, d, sizeof(d)), 4);
		simnet_advance_to(net, simnet_now(net) + 5);
	}
	uint8_t buf[8];
	uint32_t got = 0, inversions = 0, last = 0;
	uint64_t t;
	while ((t = simnet_next_event_ms(net)) != UINT64_MAX) {
		simnet_advance_to(net, t);
		while (simnet_recv(net, 1, buf, sizeof(buf)) > 0) {
			if (got && number(buf) < last)
				inversions++;
			last = number(buf);
			got++;
		}
	}
	cr_assert_eq(got, 50);
	cr_assert(inversions > 0);
	cr_assert(simnet_now(net) <= 250 + 60);
	simnet_free(net);
}

Test(record_simnet, blackhole_swallows_large_datagrams)
{
	struct simnet *net = simnet_new(9);
	struct simnet_rules ru = {.max_datagram = 100, .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(net, 0, &ru);
	uint8_t big[101] = {0}, buf[200];
	cr_assert_eq(simnet_send(net, 0, big, 101), 101, "the sender cannot tell");
	cr_assert_eq(simnet_send(net, 0, big, 100), 100);
	cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 100);
	cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 0);
	cr_assert_eq(simnet_stats(net, 0)->blackholed, 1);
	cr_assert_eq(simnet_stats(net, 0)->largest_delivered, 100);
	simnet_free(net);
}

Test(record_simnet, reject_mode_returns_emsgsize)
{
	struct simnet *net = simnet_new(9);
	struct simnet_rules ru = {.max_datagram = 100, .size_mode = SIMNET_REJECT};
	simnet_set_rules(net, 1, &ru);
	uint8_t big[101] = {0}, buf[200];
	cr_assert_eq(simnet_send(net, 1, big, 101), SIMNET_EMSGSIZE);
	cr_assert_eq(simnet_send(net, 0, big, 101), 101, "the other direction has no limit");
	cr_assert_eq(simnet_recv(net, 0, buf, sizeof(buf)), 0);
	cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 101);
	cr_assert_eq(simnet_stats(net, 1)->rejected, 1);
	cr_assert_eq(simnet_stats(net, 1)->sent, 0);
	simnet_free(net);
}

Test(record_simnet, short_receive_buffer_truncates_like_udp)
{
	struct simnet *net = simnet_new(1);
	uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, buf[4];
	simnet_send(net, 0, data, sizeof(data));
	cr_assert_eq(simnet_recv(net, 1, buf, sizeof(buf)), 4);
	cr_assert_arr_eq(buf, data, 4);
	cr_assert_eq(simnet_stats(net, 0)->truncated, 1);
	cr_assert_eq(simnet_pending(net, 1), 0, "the rest is gone");
	simnet_free(net);
}

Test(record_simnet, queue_is_bounded)
{
	struct simnet *net = simnet_new(1);
	struct simnet_rules ru = {.delay_ms = 1000};
	simnet_set_rules(net, 0, &ru);
	send_numbered(net, 0, SIMNET_MAX_QUEUE + 10);
	cr_assert_eq(simnet_pending(net, 1), SIMNET_MAX_QUEUE);
	cr_assert_eq(simnet_stats(net, 0)->queue_overflow, 10);
	simnet_free(net);
}

Test(record_simnet, bad_arguments_are_refused)
{
	struct simnet *net = simnet_new(1);
	uint8_t b[1] = {0};
	cr_assert_eq(simnet_send(net, 2, b, 1), SIMNET_EINVAL);
	cr_assert_eq(simnet_recv(net, -1, b, 1), SIMNET_EINVAL);
	cr_assert_eq(simnet_set_rules(net, 5, &(struct simnet_rules){0}), SIMNET_EINVAL);
	simnet_advance_to(net, 100);
	simnet_advance_to(net, 50);
	cr_assert_eq(simnet_now(net), 100, "time never goes back");
	simnet_free(net);
}
