/* Records of one flight share datagrams up to the MTU, on the first
 * sending and on every retransmission (issue #17 item 4; RFC 6347 4.1.1
 * lets several records share a datagram, and fewer datagrams mean fewer
 * chances to lose one). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

#define MAX_LOG 64
struct send_log {
	size_t count;
	size_t len[MAX_LOG];
	uint64_t at_ms[MAX_LOG];
};

static void log_send(struct harness_end *end, const uint8_t *data, size_t len)
{
	(void)data;
	struct send_log *log = end->on_send_ctx;
	if (log->count < MAX_LOG) {
		log->len[log->count] = len;
		log->at_ms[log->count] = simnet_now(end->h->net);
		log->count++;
	}
}

/* Datagrams sent at one instant by one side: one flight (or its
 * retransmission), since the network delays every answer. */
static size_t largest_burst(const struct send_log *log, size_t *bursts)
{
	size_t largest = 0, run = 0;
	*bursts = 0;
	for (size_t i = 0; i < log->count; i++) {
		if (i == 0 || log->at_ms[i] != log->at_ms[i - 1]) {
			run = 0;
			(*bursts)++;
		}
		run++;
		if (run > largest)
			largest = run;
	}
	return largest;
}

struct packing_case {
	const char *label;
	int keytype; /* 0: PSK */
	unsigned server_flags;
	uint16_t record_limit; /* the client's record_size_limit at the server */
	uint32_t drop_per_million;
};

static void run_packing(const struct packing_case *pc, uint64_t seed, size_t *retransmitted)
{
	petrel_credentials *sc = pc->keytype ? harness_cert_creds(pc->keytype) : harness_psk_creds();
	petrel_credentials *cc = pc->keytype ? harness_cert_creds(pc->keytype) : harness_psk_creds();
	struct harness h;
	harness_init(&h, seed, 0, pc->server_flags, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_session_set_verify(h.server.session, PETREL_VERIFY_NONE, NULL, 0);
	h.server.session->peer_record_limit = pc->record_limit;
	struct simnet_rules rules = {.delay_ms = 10, .drop_per_million = pc->drop_per_million};
	simnet_set_rules(h.net, 0, &rules);
	simnet_set_rules(h.net, 1, &rules);
	struct send_log cl = {0}, sl = {0};
	h.client.on_send = log_send;
	h.client.on_send_ctx = &cl;
	h.server.on_send = log_send;
	h.server.on_send_ctx = &sl;
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "%s seed %llu", pc->label,
		     (unsigned long long)seed);
	size_t cb, sb;
	size_t cmax = largest_burst(&cl, &cb), smax = largest_burst(&sl, &sb);
	cr_assert_eq(cmax, 1, "%s: a client flight took %zu datagrams", pc->label, cmax);
	cr_assert_eq(smax, 1, "%s: a server flight took %zu datagrams", pc->label, smax);
	cr_assert_geq(cb, 3);
	cr_assert_geq(sb, 3);
	struct petrel_stats cs, ss;
	petrel_session_get_stats(h.client.session, &cs);
	petrel_session_get_stats(h.server.session, &ss);
	*retransmitted += cs.retransmissions + ss.retransmissions;
	harness_free_all(&h);
}

static const struct packing_case cases[] = {
	{"ecdsa", PETREL_KEYTYPE_ECDSA_P256, 0, 0, 0},
	{"client-cert", PETREL_KEYTYPE_ECDSA_P256, PETREL_FLAG_REQUIRE_CLIENT_CERT, 0, 0},
	{"psk", 0, 0, 0, 0},
	/* A small record limit bounds records, not datagrams. */
	{"psk, record_size_limit 64", 0, 0, 64, 0},
	{"ecdsa, record_size_limit 64", PETREL_KEYTYPE_ECDSA_P256, 0, 64, 0},
};

Test(packing, each_flight_is_one_datagram_when_it_fits)
{
	size_t retransmitted = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_packing(&cases[i], 5, &retransmitted);
	cr_assert_eq(retransmitted, 0);
}

Test(packing, retransmissions_stay_one_datagram)
{
	size_t retransmitted = 0;
	for (uint64_t seed = 1; seed <= 10; seed++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct packing_case lossy = cases[i];
			lossy.drop_per_million = 300000;
			run_packing(&lossy, seed, &retransmitted);
		}
	cr_assert_gt(retransmitted, 10, "the loss made retransmissions");
}
