/* Handshakes on bad networks (issue #11), on the simulated network with
 * fixed seeds: completion rate and virtual time under 30% / 50% loss at
 * 50 ms and 300 ms one-way delay, no spurious retransmissions, stable
 * fragment boundaries on retransmission. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "record/record.h"
#include "tests/dtls_harness.h"

#define SEEDS 200

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct loss_result {
	unsigned done;
	uint64_t median_ms, p90_ms;
	uint64_t retransmissions;
};

/* Initial retransmission timer of run_cell's sessions; 0: the default. */
static unsigned cell_initial_ms;

static void run_cell(uint32_t loss_ppm, uint64_t delay_ms, unsigned seeds, struct loss_result *out)
{
	seeds = harness_seeds(seeds);
	static uint64_t times[SEEDS];
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_psk_creds();
	unsigned done = 0;
	uint64_t retrans = 0;
	for (unsigned seed = 1; seed <= seeds; seed++) {
		struct harness h;
		harness_init(&h, 1000 + seed, 0, 0, cc, sc);
		petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
		petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
		struct simnet_rules r = {.drop_per_million = loss_ppm, .delay_ms = delay_ms,
					 .jitter_ms = delay_ms / 10};
		simnet_set_rules(h.net, 0, &r);
		simnet_set_rules(h.net, 1, &r);
		if (cell_initial_ms != 0) {
			petrel_dtls_set_timeouts(h.client.session, cell_initial_ms, 60000);
			petrel_dtls_set_timeouts(h.server.session, cell_initial_ms, 60000);
		}
		if (harness_run_handshake(&h, 60000) == 0)
			times[done++] = h.completed_ms;
		struct petrel_stats st;
		petrel_session_get_stats(h.client.session, &st);
		retrans += st.retransmissions;
		petrel_session_get_stats(h.server.session, &st);
		retrans += st.retransmissions;
		harness_free(&h);
	}
	qsort(times, done, sizeof times[0], cmp_u64);
	out->done = done;
	out->median_ms = done ? times[(done - 1) / 2] : UINT64_MAX;
	out->p90_ms = done ? times[done * 9 / 10 < done ? done * 9 / 10 : done - 1] : UINT64_MAX;
	out->retransmissions = retrans;
	cr_log_info("loss %u%% delay %llu ms: %u/%u done, median %llu ms, p90 %llu ms",
		    loss_ppm / 10000, (unsigned long long)delay_ms, done, seeds,
		    (unsigned long long)out->median_ms, (unsigned long long)out->p90_ms);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* Issue #11's goals were measured on loopback: <= 2.5 s median and all
 * done at 30% loss, >= 13/15 done at 50%. With a real path delay the
 * median grows by the handshake's three round trips' worth of delay plus
 * the RTT-scaled timeouts; the bounds below keep that proportion. */
Test(loss, thirty_percent_50ms, .timeout = 60)
{
	struct loss_result r;
	run_cell(300000, 50, SEEDS, &r);
	unsigned n = harness_seeds(SEEDS);
	cr_assert_eq(r.done, n, "%u of %u completed within 60 s", r.done, n);
	if (n == SEEDS) /* a median of a tenth of the seeds says little */
		cr_assert_leq(r.median_ms, 2500);
}

Test(loss, thirty_percent_300ms, .timeout = 60)
{
	struct loss_result r;
	run_cell(300000, 300, SEEDS, &r);
	unsigned n = harness_seeds(SEEDS);
	cr_assert_geq(r.done, n * 99 / 100, "%u of %u completed within 60 s", r.done, n);
	/* RFC 6298's first timeout is 3 RTT (RTTVAR = R/2), so each loss on a
	 * 600 ms round trip costs ~1.8 s before back-off; 3 rounds of it. */
	if (n == SEEDS)
		cr_assert_leq(r.median_ms, 8000);
}

Test(loss, fifty_percent_50ms, .timeout = 60)
{
	struct loss_result r;
	run_cell(500000, 50, SEEDS, &r);
	unsigned n = harness_seeds(SEEDS);
	cr_assert_geq(r.done, n * 13 / 15, "%u of %u completed within 60 s", r.done, n);
}

Test(loss, fifty_percent_300ms, .timeout = 60)
{
	struct loss_result r;
	run_cell(500000, 300, SEEDS, &r);
	unsigned n = harness_seeds(SEEDS);
	cr_assert_geq(r.done, n * 13 / 15, "%u of %u completed within 60 s", r.done, n);
}

Test(loss, no_retransmission_before_the_rtt_allows, .timeout = 60)
{
	/* Without loss nothing may be retransmitted: every timer waits at
	 * least the RTT plus its variance (RFC 6298 2), even on a 300 ms
	 * path with jitter. The first flight has no sample: the initial
	 * timer (400 ms by default) must exceed the round trip, so the
	 * 600 ms path runs with the RFC's 1 s. */
	struct loss_result r;
	run_cell(0, 50, 50, &r);
	cr_assert_eq(r.done, harness_seeds(50));
	cr_assert_eq(r.retransmissions, 0);
	cell_initial_ms = 1000;
	run_cell(0, 300, 50, &r);
	cell_initial_ms = 0;
	cr_assert_eq(r.done, harness_seeds(50));
	cr_assert_eq(r.retransmissions, 0, "%llu spurious retransmissions at 300 ms",
		     (unsigned long long)r.retransmissions);
	cr_assert_leq(r.median_ms, 3 * 600 + 200, "three round trips and crypto, no idle waits");
	/* With the default the first flight is resent before its answer
	 * can come, and each side answers the duplicates it gets (224
	 * retransmissions in the 50 runs, ~4.5 each): bytes, not time. */
	run_cell(0, 300, 50, &r);
	cr_assert_eq(r.done, harness_seeds(50));
	cr_assert_leq(r.median_ms, 3 * 600 + 200, "no slower than with 1 s");
	cr_log_info("default initial timer, 300 ms each way, no loss: %llu retransmissions",
		    (unsigned long long)r.retransmissions);
}

Test(loss, zero_delay_lossless_handshake_takes_no_time)
{
	struct loss_result r;
	run_cell(0, 0, 20, &r);
	cr_assert_eq(r.done, harness_seeds(20));
	cr_assert_eq(r.median_ms, 0, "no stall anywhere in the handshake path");
}

/* ---- stable fragment boundaries ---- */

#define MAX_SENDS 256
struct boundary_log {
	unsigned count;
	/* Per datagram: the (message_seq, fragment_offset, fragment_length)
	 * of each epoch-0 handshake record, flattened, and the datagram size. */
	uint32_t frags[MAX_SENDS][24];
	unsigned nfrags[MAX_SENDS];
	size_t len[MAX_SENDS];
};

static void log_send(struct harness_end *end, const uint8_t *d, size_t len)
{
	struct boundary_log *log = end->on_send_ctx;
	if (log->count >= MAX_SENDS)
		return;
	unsigned i = log->count++, n = 0;
	log->len[i] = len;
	struct petrel_reader r;
	struct petrel_record_header rh;
	petrel_reader_init(&r, d, len);
	while (petrel_record_header_read(&r, &rh)) {
		struct petrel_reader body;
		if (!petrel_get_sub(&r, rh.length, &body))
			break;
		struct petrel_hs_header h;
		const uint8_t *frag;
		if (rh.content_type == PETREL_CT_HANDSHAKE && rh.epoch == 0 && n + 3 <= 24 &&
		    petrel_hs_header_read(&body, &h, &frag) == 0) {
			log->frags[i][n++] = h.message_seq;
			log->frags[i][n++] = h.fragment_offset;
			log->frags[i][n++] = h.fragment_length;
		}
	}
	log->nfrags[i] = n;
}

Test(loss, retransmissions_keep_fragment_boundaries_and_packing)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_psk_creds();
	unsigned compared = 0;
	for (uint64_t seed = 1; seed <= 30; seed++) {
		struct harness h;
		harness_init(&h, 500 + seed, 0, 0, cc, sc);
		petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
		petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
		petrel_dtls_set_mtu(h.server.session, 300); /* every message fragments */
		static struct boundary_log log;
		memset(&log, 0, sizeof log);
		h.server.on_send = log_send;
		h.server.on_send_ctx = &log;
		struct simnet_rules r = {.drop_per_million = 300000, .delay_ms = 20};
		simnet_set_rules(h.net, 0, &r);
		simnet_set_rules(h.net, 1, &r);
		(void)harness_run_handshake(&h, 60000); /* boundaries matter, not the outcome */
		/* Every datagram carrying handshake fragments of epoch 0 that was
		 * sent again must repeat an earlier datagram's fragments exactly:
		 * same messages, offsets, lengths, and the same packing. */
		for (unsigned i = 0; i < log.count; i++) {
			if (log.nfrags[i] == 0)
				continue;
			for (unsigned j = 0; j < i; j++) {
				if (log.nfrags[j] == 0 || log.frags[j][0] != log.frags[i][0] ||
				    log.frags[j][1] != log.frags[i][1])
					continue;
				/* Same first fragment: a retransmission of that datagram. */
				cr_assert_eq(log.nfrags[j], log.nfrags[i]);
				cr_assert_arr_eq(log.frags[j], log.frags[i], log.nfrags[i] * sizeof(uint32_t));
				cr_assert_eq(log.len[j], log.len[i], "same packing, same size");
				compared++;
				break;
			}
		}
		harness_free(&h);
	}
	cr_assert_gt(compared, 20, "the scenario must actually retransmit fragmented flights");
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
