/* A lone session's output queue (dtls/outq_session.c, issue #18): its
 * handshake flights leave only through the drain, straight out of the
 * queue on struct petrel_hs; EMSGSIZE met at the drain still lowers the
 * MTU and re-plans the flight; freeing the handshake with datagrams
 * queued sends them first; the queue never grows past its cap. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/outq_session.h"
#include "dtls/session.h"
#include "tests/dtls_harness.h"

/* A lone client whose push checks where each datagram comes from. */
struct watched {
	petrel_session *s;
	uint64_t now;
	unsigned pushed, from_queue;
	uint8_t last[64];
	size_t last_len;
	size_t refuse_over; /* push answers LARGE_PACKET above this, 0: never */
};

static bool inside_queue(const petrel_session *s, const uint8_t *data)
{
	const struct petrel_outq *q = s->hs ? &s->hs->outq : NULL;
	return q != NULL && q->bytes != NULL && data >= q->bytes + q->head && data < q->bytes + q->len;
}

static long watched_push(void *ptr, const uint8_t *data, size_t len)
{
	struct watched *w = ptr;
	if (w->refuse_over && len > w->refuse_over)
		return PETREL_E_LARGE_PACKET;
	w->pushed++;
	if (inside_queue(w->s, data))
		w->from_queue++;
	w->last_len = len < sizeof w->last ? len : sizeof w->last;
	memcpy(w->last, data, w->last_len);
	return (long)len;
}

static uint64_t watched_clock(void *ptr)
{
	return ((struct watched *)ptr)->now;
}

static void watched_init(struct watched *w, petrel_credentials *cc)
{
	memset(w, 0, sizeof *w);
	w->now = 1000;
	cr_assert_eq(petrel_session_new(&w->s, PETREL_CLIENT), 0);
	harness_pin_dtls12(w->s); /* a DTLS 1.2 test */
	petrel_session_set_credentials(w->s, cc);
	petrel_transport_set_ptr(w->s, w);
	petrel_transport_set_push_function(w->s, watched_push);
	petrel_transport_set_pull_function(w->s, harness_nothing_pull);
	petrel_transport_set_clock_function(w->s, watched_clock, w);
}

Test(dtls_outq_session, a_lone_flight_leaves_only_through_the_drain)
{
	petrel_credentials *cc = harness_psk_creds();
	struct watched w;
	watched_init(&w, cc);
	cr_assert_eq(petrel_handshake(w.s), PETREL_E_AGAIN, "nothing to read yet");
	cr_assert_geq(w.pushed, 1, "the ClientHello went out");
	cr_assert_eq(w.from_queue, w.pushed, "every datagram came out of the handshake's queue");
	cr_assert_not_null(w.s->hs);
	cr_assert(petrel_outq_empty(&w.s->hs->outq), "drained at the flight's end");
	cr_assert_null(w.s->hs->outq.bytes, "no buffer held while waiting for the peer");
	cr_assert_eq(w.s->stats.datagrams_sent, w.pushed);
	/* The retransmission leaves the same way. */
	unsigned before = w.pushed;
	w.now = petrel_engine_next_deadline(w.s); /* the retransmission timer */
	cr_assert_geq(petrel_engine_tick(w.s, w.now), 0);
	cr_assert_gt(w.pushed, before, "retransmitted");
	cr_assert_eq(w.from_queue, w.pushed);
	cr_assert_eq(w.s->stats.retransmissions, 1);
	petrel_session_free(w.s);
	petrel_credentials_free(cc);
}

static unsigned server_sent, server_from_queue;
static size_t server_largest;
static void count_server_send(struct harness_end *end, const uint8_t *data, size_t len)
{
	if (end->session->hs == NULL)
		return;
	server_sent++;
	if (inside_queue(end->session, data))
		server_from_queue++;
	if (len > server_largest)
		server_largest = len;
}

static void on_mtu(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	(void)old_mtu;
	(void)new_mtu;
	if (reason == PETREL_MTU_EMSGSIZE)
		++*(unsigned *)ptr;
}

Test(dtls_outq_session, emsgsize_at_the_drain_lowers_the_mtu_and_replans)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 31, 0, 0, cc, sc);
	petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	/* The path refuses datagrams over 600 bytes, as a socket with DF set
	 * and a small route MTU answers EMSGSIZE. */
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = 600, .size_mode = SIMNET_REJECT};
	simnet_set_rules(h.net, 0, &r);
	simnet_set_rules(h.net, 1, &r);
	unsigned emsgsize = 0;
	petrel_dtls_set_mtu_callback(h.server.session, on_mtu, &emsgsize);
	h.server.on_send = count_server_send;
	server_sent = server_from_queue = 0;
	server_largest = 0;
	unsigned mtu = petrel_dtls_get_mtu(h.server.session);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %s, server %s",
		     petrel_strerror(h.client.handshake_rc), petrel_strerror(h.server.handshake_rc));
	cr_assert_geq(emsgsize, 1, "EMSGSIZE met at the drain lowered the MTU");
	cr_assert_lt(petrel_dtls_get_mtu(h.server.session), mtu);
	cr_assert_geq(h.server.large_packet_count, 1, "and reached the caller");
	cr_assert_leq(h.server.largest_sent, 600, "the re-planned flight fits the path");
	cr_assert_gt(server_sent, 0);
	cr_assert_eq(server_from_queue, server_sent, "the handshake's datagrams came out of its queue");
	cr_assert_eq(harness_echo(&h, "after the re-plan", 60000), 0);
	harness_free_all(&h);
}

Test(dtls_outq_session, freeing_the_handshake_sends_what_is_queued_first)
{
	petrel_credentials *cc = harness_psk_creds();
	struct watched w;
	watched_init(&w, cc);
	cr_assert_eq(petrel_handshake(w.s), PETREL_E_AGAIN);
	unsigned before = w.pushed;
	cr_assert_eq(petrel_outq_session_queue(w.s, (const uint8_t *)"first", 5), 0);
	cr_assert_eq(petrel_outq_session_queue(w.s, (const uint8_t *)"second", 6), 0);
	cr_assert_eq(w.pushed, before, "queued, not sent");
	cr_assert_eq(w.s->hs->outq.count, 2);
	petrel_hs_free(w.s);
	cr_assert_null(w.s->hs);
	cr_assert_eq(w.pushed, before + 2, "both left before the queue went");
	cr_assert_eq(w.from_queue, before + 2);
	cr_assert_eq(w.last_len, 6, "in order: the second last");
	cr_assert_arr_eq(w.last, "second", 6);
	petrel_session_free(w.s);
	petrel_credentials_free(cc);
}

Test(dtls_outq_session, without_a_handshake_a_datagram_leaves_at_once)
{
	petrel_credentials *cc = harness_psk_creds();
	struct watched w;
	watched_init(&w, cc);
	cr_assert_null(w.s->hs, "an idle session keeps no queue");
	cr_assert_eq(petrel_outq_session_queue(w.s, (const uint8_t *)"now", 3), 0);
	cr_assert_eq(w.pushed, 1);
	cr_assert_eq(w.from_queue, 0, "from the producer's buffer: no copy");
	cr_assert_eq(petrel_outq_session_drain(w.s, (const uint8_t *)"tail", 4, NULL), 4);
	cr_assert_eq(w.pushed, 2);
	w.refuse_over = 3;
	cr_assert_eq(petrel_outq_session_drain(w.s, (const uint8_t *)"tail", 4, NULL),
		     PETREL_E_LARGE_PACKET, "the caller judges its own datagram's refusal");
	petrel_session_free(w.s);
	petrel_credentials_free(cc);
}

Test(dtls_outq_session, the_handshake_queue_is_bounded)
{
	petrel_credentials *cc = harness_psk_creds();
	struct watched w;
	watched_init(&w, cc);
	cr_assert_eq(petrel_handshake(w.s), PETREL_E_AGAIN);
	struct petrel_outq *q = &w.s->hs->outq;
	static uint8_t d[1400];
	memset(d, 0x5a, sizeof d);
	unsigned queued = 0, tries = 2 * PETREL_OUTQ_SESSION_MAX_BYTES / sizeof d;
	for (unsigned i = 0; i < tries; i++) {
		cr_assert_eq(petrel_outq_session_queue(w.s, d, sizeof d), 0, "a full queue is loss");
		if (q->count > queued)
			queued = q->count;
	}
	cr_assert_lt(queued, tries);
	cr_assert_leq(q->len, PETREL_OUTQ_SESSION_MAX_BYTES);
	cr_assert_leq(q->cap, PETREL_OUTQ_SESSION_MAX_BYTES, "never grows past the cap");
	cr_assert_eq(q->dropped, tries - queued, "every refused push counted");
	unsigned before = w.pushed, handed = 0;
	cr_assert_eq(petrel_outq_session_drain(w.s, NULL, 0, &handed), 0);
	cr_assert_eq(handed, queued);
	cr_assert_eq(w.pushed, before + queued);
	cr_assert(petrel_outq_empty(q));
	petrel_session_free(w.s);
	petrel_credentials_free(cc);
}
