#include <criterion/criterion.h>

#include "dtls/rto.h"
#include "petrel/petrel.h"

Test(dtls_rto, first_timeout_is_initial)
{
	struct petrel_rto rto;
	cr_assert_eq(petrel_rto_init(&rto, 0, 0, 0), 0);
	cr_assert_eq(petrel_rto_current_ms(&rto), 400);
	cr_assert_eq(petrel_rto_init(&rto, 250, 0, 0), 0);
	cr_assert_eq(petrel_rto_current_ms(&rto), 250);
	cr_assert_eq(rto.floor_ms, PETREL_RTO_DEFAULT_FLOOR_MS);
	cr_assert_eq(rto.cap_ms, PETREL_RTO_DEFAULT_CAP_MS);
	cr_assert_eq(petrel_rto_stats(&rto)->rto_ms, 250);
}

Test(dtls_rto, init_rejects_floor_above_cap_or_values_above_max)
{
	struct petrel_rto rto;
	cr_assert_eq(petrel_rto_init(&rto, 0, 5000, 4000), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rto_current_ms(&rto), 400, "defaults on error");
	cr_assert_eq(petrel_rto_init(&rto, PETREL_RTO_MAX_MS + 1, 0, 0), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rto_init(&rto, 0, 0, PETREL_RTO_MAX_MS + 1), PETREL_E_INVALID_REQUEST);
	/* An initial timeout above the cap is used as is, never doubled. */
	cr_assert_eq(petrel_rto_init(&rto, 9000, 0, 4000), 0);
	cr_assert_eq(petrel_rto_current_ms(&rto), 9000);
	petrel_rto_on_timeout(&rto);
	cr_assert_eq(petrel_rto_current_ms(&rto), 9000);
}

Test(dtls_rto, first_sample_per_rfc6298)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	petrel_rto_on_sample(&rto, 200);
	/* SRTT 200, RTTVAR 100, RTO = 200 + 400 */
	cr_assert_eq(petrel_rto_current_ms(&rto), 600);
	cr_assert_eq(rto.stats.srtt_ms, 200);
	cr_assert_eq(rto.stats.rttvar_ms, 100);
	cr_assert_eq(rto.stats.samples, 1);
}

Test(dtls_rto, second_sample_updates_rttvar_then_srtt)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	petrel_rto_on_sample(&rto, 200);
	petrel_rto_on_sample(&rto, 120);
	/* RTTVAR = 3/4*100 + 1/4*80 = 95; SRTT = 7/8*200 + 1/8*120 = 190;
	 * RTO = 190 + 380 = 570 */
	cr_assert_eq(rto.stats.rttvar_ms, 95);
	cr_assert_eq(rto.stats.srtt_ms, 190);
	cr_assert_eq(petrel_rto_current_ms(&rto), 570);
}

Test(dtls_rto, converges_to_srtt_based_value)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	for (int i = 0; i < 100; i++)
		petrel_rto_on_sample(&rto, 300);
	/* RTTVAR decays to ~0: RTO = SRTT + G */
	cr_assert_eq(rto.stats.srtt_ms, 300);
	cr_assert_eq(rto.stats.rttvar_ms, 0);
	cr_assert_eq(petrel_rto_current_ms(&rto), 300 + PETREL_RTO_GRANULARITY_MS);
	cr_assert_eq(rto.stats.samples, 100);
}

Test(dtls_rto, floor_applies_to_computed_timeout)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	petrel_rto_on_sample(&rto, 1); /* loopback: 1 + 2 ms < floor */
	cr_assert_eq(petrel_rto_current_ms(&rto), PETREL_RTO_DEFAULT_FLOOR_MS);
	petrel_rto_init(&rto, 0, 40, 0);
	petrel_rto_on_sample(&rto, 1);
	cr_assert_eq(petrel_rto_current_ms(&rto), 40);
}

Test(dtls_rto, cap_bounds_backoff_not_a_slow_paths_own_timeout)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 5000);
	petrel_rto_on_sample(&rto, 4000); /* 4000 + 8000: slower than the cap */
	cr_assert_eq(petrel_rto_current_ms(&rto), 12000, "never retransmit faster than the RTT");
	petrel_rto_on_timeout(&rto);
	cr_assert_eq(petrel_rto_current_ms(&rto), 12000, "and no back-off above it either");
	petrel_rto_init(&rto, 0, 0, 0);
	petrel_rto_on_sample(&rto, 100000);
	cr_assert_eq(petrel_rto_current_ms(&rto), PETREL_RTO_MAX_MS);
}

Test(dtls_rto, backoff_doubles_up_to_cap_and_resets_on_answer)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	const uint32_t want[] = {400, 800, 1600, 3200, 4000, 4000};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		cr_assert_eq(petrel_rto_current_ms(&rto), want[i], "after %zu timeouts", i);
		petrel_rto_on_timeout(&rto);
	}
	cr_assert_eq(rto.stats.timeouts, 6);
	/* The RFC 6298 cap when asked for; many timeouts: no overflow. */
	petrel_rto_init(&rto, 0, 0, 60000);
	const uint32_t rfc[] = {400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000};
	for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
		cr_assert_eq(petrel_rto_current_ms(&rto), rfc[i], "after %zu timeouts", i);
		petrel_rto_on_timeout(&rto);
	}
	for (int i = 0; i < 1000; i++)
		petrel_rto_on_timeout(&rto);
	cr_assert_eq(petrel_rto_current_ms(&rto), 60000);
	petrel_rto_on_answer(&rto);
	cr_assert_eq(petrel_rto_current_ms(&rto), 400);
}

Test(dtls_rto, backoff_from_sampled_timeout)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	petrel_rto_on_sample(&rto, 50); /* 50 + 100 = 150 */
	cr_assert_eq(petrel_rto_current_ms(&rto), 150);
	petrel_rto_on_timeout(&rto);
	cr_assert_eq(petrel_rto_current_ms(&rto), 300);
	petrel_rto_on_timeout(&rto);
	cr_assert_eq(petrel_rto_current_ms(&rto), 600);
	cr_assert_eq(rto.stats.rto_ms, 600);
}

Test(dtls_rto, flight_sent_once_gives_sample)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	petrel_rto_flight_sent(&rto, 10000, false);
	petrel_rto_flight_answered(&rto, 10080);
	cr_assert_eq(rto.stats.samples, 1);
	cr_assert_eq(rto.stats.srtt_ms, 80);
	cr_assert_eq(petrel_rto_current_ms(&rto), 240);
	/* A second answer for the same flight is ignored. */
	petrel_rto_flight_answered(&rto, 20000);
	cr_assert_eq(rto.stats.samples, 1);
}

Test(dtls_rto, karn_retransmitted_flight_gives_no_sample)
{
	struct petrel_rto rto;
	petrel_rto_init(&rto, 0, 0, 0);
	petrel_rto_flight_sent(&rto, 0, false);
	petrel_rto_on_timeout(&rto);
	petrel_rto_flight_sent(&rto, 1000, true);
	cr_assert_eq(petrel_rto_current_ms(&rto), 800);
	petrel_rto_flight_answered(&rto, 1050);
	cr_assert_eq(rto.stats.samples, 0);
	cr_assert_eq(rto.stats.karn_skipped, 1);
	cr_assert_eq(rto.have_sample, false);
	cr_assert_eq(petrel_rto_current_ms(&rto), 400, "back-off reset, still initial");
	/* Retransmitted because the peer re-sent its flight (no timeout). */
	petrel_rto_flight_sent(&rto, 5000, false);
	petrel_rto_flight_sent(&rto, 5010, true);
	petrel_rto_flight_answered(&rto, 5100);
	cr_assert_eq(rto.stats.samples, 0);
	cr_assert_eq(rto.stats.karn_skipped, 2);
	/* The next flight sent once samples again. */
	petrel_rto_flight_sent(&rto, 6000, false);
	petrel_rto_flight_answered(&rto, 6100);
	cr_assert_eq(rto.stats.samples, 1);
	cr_assert_eq(petrel_rto_current_ms(&rto), 300);
}

Test(dtls_rto, timer_arms_expires_and_reports_remaining)
{
	struct petrel_timer t = {0};
	cr_assert_not(petrel_timer_expired(&t, 1000000));
	cr_assert_eq(petrel_timer_remaining_ms(&t, 5), UINT64_MAX);
	petrel_timer_arm(&t, 1000, 250);
	cr_assert_not(petrel_timer_expired(&t, 1249));
	cr_assert_eq(petrel_timer_remaining_ms(&t, 1200), 50);
	cr_assert(petrel_timer_expired(&t, 1250));
	cr_assert_eq(petrel_timer_remaining_ms(&t, 1300), 0);
	petrel_timer_stop(&t);
	cr_assert_not(petrel_timer_expired(&t, 5000));
}

/* Issue #17 item 5: a flight the peer must do public-key work to answer
 * waits at least PETREL_RTO_DEFAULT_PEER_WORK_MS once samples set the
 * timeout; other flights keep the RTT-derived one. */
Test(dtls_rto, flights_needing_peer_work_wait_for_it)
{
	struct petrel_rto rto;
	cr_assert_eq(petrel_rto_init(&rto, 0, 0, 0), 0);
	petrel_rto_next_flight_needs_work(&rto, true);
	cr_assert_eq(petrel_rto_current_ms(&rto), 400, "before a sample: the initial value");
	petrel_rto_on_sample(&rto, 1); /* a cookie exchange on loopback */
	petrel_rto_next_flight_needs_work(&rto, false);
	cr_assert_eq(petrel_rto_current_ms(&rto), 100);
	petrel_rto_next_flight_needs_work(&rto, true);
	cr_assert_eq(petrel_rto_current_ms(&rto), PETREL_RTO_DEFAULT_PEER_WORK_MS);
	petrel_rto_on_timeout(&rto);
	cr_assert_eq(petrel_rto_current_ms(&rto), 2 * PETREL_RTO_DEFAULT_PEER_WORK_MS, "backs off from the floor");
	petrel_rto_on_answer(&rto);
	/* A slow path's own timeout above the floor is used as is. */
	petrel_rto_on_sample(&rto, 600);
	cr_assert_gt(petrel_rto_current_ms(&rto), PETREL_RTO_DEFAULT_PEER_WORK_MS);
}
