/* The DTLS 1.3 front door (issue #20 items 1 and 4):
 *  - a ClientHello offering 1.3 without a valid cookie gets a stateless
 *    HelloRetryRequest carrying a cookie (RFC 9147 5.1, RFC 8446 4.2.2):
 *    a flood of them leaves the endpoint with no session, no half-open
 *    entry, no partial hello and no buffered byte;
 *  - a cookie from another address, altered or expired is dropped
 *    without an answer; the real client completes through the HRR;
 *  - 1.3 ClientHellos in fragments (MTU 300) are assembled before the
 *    cookie, at the endpoint and at a lone server session. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/session.h"
#include "dtls13/messages13.h"
#include "tests/dtls_front_harness.h"
#include "tests/dtls_harness.h"
#include "tests/robust_alloc.h"

#define MTU 300

/* The clock starts at 100 s in this suite. */
static void start_clock(void)
{
	front_now = 100000;
}
TestSuite(front13, .init = start_clock);

/* A PSK of the longest identity: with a P-384 share first, a 1.3
 * ClientHello of about 450 bytes, two fragments at MTU 300. */
static petrel_credentials *big_psk_creds(void)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	char identity[PETREL_MAX_PSK_IDENTITY + 1];
	memset(identity, 'i', PETREL_MAX_PSK_IDENTITY - 1);
	identity[PETREL_MAX_PSK_IDENTITY - 1] = '\0';
	cr_assert_eq(petrel_credentials_set_psk(c, identity, key, sizeof key), 0);
	return c;
}

static petrel_session *client13(petrel_credentials *cc, struct dgram_log *log, unsigned mtu)
{
	petrel_session *c = front_client(cc, log);
	cr_assert_eq(petrel_session_set_versions(c, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	cr_assert_eq(petrel_session_set_groups(c, "secp384r1,x25519"), 0);
	if (mtu)
		petrel_dtls_set_mtu(c, mtu);
	return c;
}

/* The endpoint's queued datagrams: those to a kept in out (when given),
 * the rest counted in *others. */
static unsigned take_answers(petrel_endpoint *ep, const struct sockaddr_in *a,
			     struct dgram_log *out, unsigned *others)
{
	uint8_t buf[17 * 1024];
	unsigned mine = 0;
	long n;
	while ((n = front_next_answer(ep, a, buf, sizeof buf, others)) > 0) {
		mine++;
		if (out)
			dgram_log_push(out, buf, (size_t)n);
	}
	return mine;
}

/* A HelloRetryRequest record: a ServerHello whose random is the HRR's
 * (RFC 8446 4.1.3) with a cookie extension. */
static bool is_hrr(const uint8_t *d, size_t len)
{
	if (len < 13 + 12 + 2 + 32 || d[0] != PETREL_CT_HANDSHAKE || d[13] != 2)
		return false;
	if (memcmp(d + 13 + 12 + 2, petrel_hrr_random, 32) != 0)
		return false;
	for (size_t i = 13 + 12 + 34; i + 1 < len; i++)
		if (d[i] == 0x00 && d[i + 1] == PETREL_EXT13_COOKIE)
			return true;
	return false;
}

static bool hello_is_fragmented(const uint8_t *d, size_t len)
{
	/* One ClientHello fragment per datagram from our client: length vs
	 * fragment_length in the first record's handshake header. */
	cr_assert_geq(len, 25u);
	uint32_t length = (uint32_t)d[14] << 16 | (uint32_t)d[15] << 8 | d[16];
	uint32_t frag_len = (uint32_t)d[22] << 16 | (uint32_t)d[23] << 8 | d[24];
	return frag_len < length;
}

Test(front13, cookieless_hello_flood_makes_no_state)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, 0, NULL);
	static struct dgram_log log;
	memset(&log, 0, sizeof log);
	petrel_session *c = client13(cc, &log, 0);
	cr_assert_eq(petrel_handshake(c), PETREL_E_AGAIN);
	cr_assert_eq(log.count, 1, "one whole ClientHello");
	/* 2,000 copies from as many forged addresses (2 per port of 1,000
	 * addresses), each with its own record number. */
	unsigned answered = 0;
	size_t heap_before = 0;
	for (unsigned i = 0; i < 2000; i++) {
		if (i == 100)
			heap_before = robust_heap_in_use(); /* tables and queues grown */
		struct sockaddr_in a = front_v4(0xc6336400u + i / 2, (uint16_t)(1024 + i % 2));
		uint8_t d[2048];
		memcpy(d, log.d[0], log.len[0]);
		d[9] = (uint8_t)(i >> 8); /* the record number's low bytes */
		d[10] = (uint8_t)i;
		front_feed_ep(ep, d, log.len[0], &a);
		static struct dgram_log one;
		one.count = 0;
		answered += take_answers(ep, &a, &one, NULL);
		cr_assert_eq(one.count, 1);
		cr_assert(is_hrr(one.d[0], one.len[0]), "a HelloRetryRequest with a cookie");
		cr_assert_leq(one.len[0], log.len[0], "no amplification");
		/* RFC 9147 5.1: numbered as the ClientHello. */
		cr_assert_eq(memcmp(one.d[0] + 3, d + 3, 8), 0);
	}
	cr_assert_eq(answered, 2000);
	if (robust_heap_measurable()) {
		size_t heap_after = robust_heap_in_use();
		cr_assert_leq(heap_after, heap_before + 4096,
			      "1,900 more forged hellos kept nothing: %zu -> %zu bytes", heap_before,
			      heap_after);
	}
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 0, "no session before the cookie");
	cr_assert_eq(st.half_open, 0, "no half-open entry");
	cr_assert_eq(st.partial_hellos, 0);
	cr_assert_eq(st.fragment_bytes, 0);
	front_free(c, ep, cc, sc);
}

/* Gets c's second ClientHello (with the cookie) after ep's HRR to a. */
static void second_hello(petrel_endpoint *ep, petrel_session *c, struct dgram_log *log,
			 const struct sockaddr_in *a, struct dgram_log *hrr)
{
	unsigned sessions = front_ep_stats(ep).sessions;
	cr_assert_eq(petrel_handshake(c), PETREL_E_AGAIN);
	for (unsigned j = 0; j < log->count; j++)
		front_feed_ep(ep, log->d[j], log->len[j], a);
	log->count = 0;
	hrr->count = 0;
	cr_assert_eq(take_answers(ep, a, hrr, NULL), 1);
	cr_assert(is_hrr(hrr->d[0], hrr->len[0]));
	front_feed(c, hrr->d[0], hrr->len[0]);
	(void)petrel_handshake(c);
	cr_assert_geq(log->count, 1, "the second ClientHello");
	cr_assert_eq(front_ep_stats(ep).sessions, sessions);
	cr_assert_eq(front_ep_stats(ep).half_open, 0);
}

static void assert_dropped(petrel_endpoint *ep, const struct dgram_log *log,
			   const struct sockaddr_in *from)
{
	unsigned sessions = front_ep_stats(ep).sessions;
	for (unsigned j = 0; j < log->count; j++)
		front_feed_ep(ep, log->d[j], log->len[j], from);
	unsigned others = 0;
	cr_assert_eq(take_answers(ep, from, NULL, &others), 0, "no answer");
	cr_assert_eq(others, 0);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, sessions);
	cr_assert_eq(st.half_open, 0);
	cr_assert_eq(st.partial_hellos, 0);
}

Test(front13, wrong_other_address_and_expired_cookies_are_dropped_silently)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, 0, NULL);
	static struct dgram_log log, hrr, bad;
	memset(&log, 0, sizeof log);
	struct sockaddr_in a = front_v4(0x0a000001, 5684), b = front_v4(0x0a000002, 5684),
			   a2 = front_v4(0x0a000001, 5685);
	front_now = 200000;
	petrel_session *c = client13(cc, &log, 0);
	second_hello(ep, c, &log, &a, &hrr);
	/* From another address, or another port of the same one. */
	assert_dropped(ep, &log, &b);
	assert_dropped(ep, &log, &a2);
	/* The cookie's MAC altered: the HRR ends with the cookie, whose last
	 * 16 bytes are the MAC (dtls13/cookie13.h). */
	bad = log;
	const uint8_t *mac = hrr.d[0] + hrr.len[0] - 16;
	uint8_t *at = memmem(bad.d[0], bad.len[0], mac, 16);
	cr_assert_not_null(at, "the cookie echoed whole in the first datagram");
	at[5] ^= 0x01;
	assert_dropped(ep, &bad, &a);
	/* The hash of ClientHello1 in the cookie altered. */
	bad = log;
	at = memmem(bad.d[0], bad.len[0], mac, 16);
	at[-3] ^= 0x80;
	assert_dropped(ep, &bad, &a);
	/* The genuine one completes. */
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	cr_assert_eq(front_ep_stats(ep).sessions, 1);
	cr_assert_eq(front_ep_stats(ep).half_open, 0);
	petrel_session_free(c);

	/* Expired: a minute and a bit after the HRR. */
	struct sockaddr_in e = front_v4(0x0a000003, 5684);
	log.count = 0;
	c = client13(cc, &log, 0);
	second_hello(ep, c, &log, &e, &hrr);
	front_now += 61000;
	assert_dropped(ep, &log, &e);
	front_free(c, ep, cc, sc);
}

Test(front13, client_completes_through_the_stateless_hrr)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, 0, NULL);
	static struct dgram_log log;
	memset(&log, 0, sizeof log);
	struct sockaddr_in a = front_v4(0x0a000009, 40000);
	petrel_session *c = client13(cc, &log, 0);
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 1);
	cr_assert_eq(st.half_open, 0, "established");
	front_free(c, ep, cc, sc);
}

Test(front13, fragmented_hellos_at_mtu_300_through_the_endpoint)
{
	petrel_credentials *cc = big_psk_creds(), *sc = big_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, 0, NULL);
	static struct dgram_log log, hrr;
	memset(&log, 0, sizeof log);
	struct sockaddr_in a = front_v4(0x0a00000a, 5683);
	petrel_session *c = client13(cc, &log, MTU);
	cr_assert_eq(petrel_handshake(c), PETREL_E_AGAIN);
	unsigned k = log.count;
	cr_assert_geq(k, 2, "the ClientHello in fragments");
	for (unsigned i = 0; i < k; i++) {
		cr_assert_leq(log.len[i], MTU - 28u);
		cr_assert(hello_is_fragmented(log.d[i], log.len[i]));
	}
	/* All but the last fragment: held, no answer, no session. */
	for (unsigned i = 0; i + 1 < k; i++)
		front_feed_ep(ep, log.d[i], log.len[i], &a);
	cr_assert_eq(front_ep_stats(ep).partial_hellos, 1);
	cr_assert_eq(take_answers(ep, &a, NULL, NULL), 0);
	/* The last: a HelloRetryRequest, nothing kept. */
	front_feed_ep(ep, log.d[k - 1], log.len[k - 1], &a);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 0);
	cr_assert_eq(st.half_open, 0);
	cr_assert_eq(st.partial_hellos, 0);
	cr_assert_eq(st.fragment_bytes, 0);
	hrr.count = 0;
	cr_assert_eq(take_answers(ep, &a, &hrr, NULL), 1);
	cr_assert(is_hrr(hrr.d[0], hrr.len[0]));
	log.count = 0;
	front_feed(c, hrr.d[0], hrr.len[0]);
	int rc = petrel_handshake(c);
	cr_assert_geq(log.count, 2, "the second ClientHello in fragments too");
	cr_assert(hello_is_fragmented(log.d[0], log.len[0]));
	for (int i = 0; i < 20 && rc != 0; i++) {
		for (unsigned j = 0; j < log.count; j++)
			front_feed_ep(ep, log.d[j], log.len[j], &a);
		log.count = 0;
		static struct dgram_log back;
		back.count = 0;
		take_answers(ep, &a, &back, NULL);
		for (unsigned j = 0; j < back.count; j++)
			front_feed(c, back.d[j], back.len[j]);
		rc = petrel_handshake(c);
	}
	cr_assert_eq(rc, 0, "client: %s", petrel_strerror_name(rc));
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0); /* its last flight */
	st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 1);
	cr_assert_eq(st.half_open, 0);
	cr_assert_eq(st.partial_hellos, 0);
	front_free(c, ep, cc, sc);
}

/* Counts the client's datagrams holding a ClientHello fragment. */
static void count_fragments(struct harness_end *end, const uint8_t *data, size_t len)
{
	unsigned *n = end->on_send_ctx;
	if (len >= 25 && data[0] == PETREL_CT_HANDSHAKE && data[13] == PETREL_HS_CLIENT_HELLO &&
	    hello_is_fragmented(data, len))
		(*n)++;
}

Test(front13, lone_server_session_assembles_fragmented_13_hellos_at_mtu_300)
{
	static unsigned fragments;
	fragments = 0;
	petrel_credentials *cc = big_psk_creds(), *sc = big_psk_creds();
	struct harness h;
	harness_init(&h, 7, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	cr_assert_eq(petrel_session_set_groups(h.client.session, "secp384r1,x25519"), 0);
	petrel_dtls_set_mtu(h.client.session, MTU);
	petrel_dtls_set_mtu(h.server.session, MTU);
	h.client.on_send = count_fragments;
	h.client.on_send_ctx = &fragments;
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_geq(fragments, 4, "both ClientHellos in fragments");
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_3);
	cr_assert_eq(petrel_session_get_version(h.server.session), PETREL_DTLS1_3);
	harness_free_all(&h);
}

/* ---- petrel_endpoint_set_hello_policy --------------------------------- */

static const char *session_groups;
static int session_max_version;

static void configure(void *ptr, petrel_session *s)
{
	(void)ptr;
	if (session_max_version)
		cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, session_max_version), 0);
	if (session_groups)
		cr_assert_eq(petrel_session_set_groups(s, session_groups), 0);
}

Test(front13, hello_policy_12_answers_13_offers_with_the_12_cookie)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct petrel_endpoint_callbacks cb = {.on_new_session = configure};
	session_max_version = PETREL_DTLS1_2;
	session_groups = NULL;
	petrel_endpoint *ep = front_endpoint(sc, 0, &cb);
	cr_assert_eq(petrel_endpoint_set_hello_policy(ep, PETREL_DTLS1_2, NULL), 0);
	static struct dgram_log log, back;
	memset(&log, 0, sizeof log);
	struct sockaddr_in a = front_v4(0x0a000020, 6000);
	petrel_session *c = client13(cc, &log, 0);
	cr_assert_eq(petrel_handshake(c), PETREL_E_AGAIN);
	front_feed_ep(ep, log.d[0], log.len[0], &a);
	back.count = 0;
	cr_assert_eq(take_answers(ep, &a, &back, NULL), 1);
	cr_assert_eq(back.d[0][13], PETREL_HS_HELLO_VERIFY_REQUEST, "the 1.2 cookie exchange");
	cr_assert_eq(front_ep_stats(ep).sessions, 0);
	log.count = 0;
	front_feed(c, back.d[0], back.len[0]);
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_2);
	front_free(c, ep, cc, sc);
	session_max_version = 0;
}

Test(front13, hello_policy_groups_pick_the_group_the_hrr_asks_for)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct petrel_endpoint_callbacks cb = {.on_new_session = configure};
	session_max_version = 0;
	session_groups = "secp256r1";
	petrel_endpoint *ep = front_endpoint(sc, 0, &cb);
	cr_assert_eq(petrel_endpoint_set_hello_policy(ep, 0, "secp256r1"), 0);
	cr_assert_eq(petrel_endpoint_set_hello_policy(ep, 11, NULL), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_endpoint_set_hello_policy(ep, 0, "nogroup"), PETREL_E_UNSUPPORTED);
	static struct dgram_log log;
	memset(&log, 0, sizeof log);
	struct sockaddr_in a = front_v4(0x0a000021, 6001);
	petrel_session *c = front_client(cc, &log);
	cr_assert_eq(petrel_session_set_versions(c, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
	cr_assert_eq(petrel_session_set_groups(c, "x25519,secp256r1"), 0); /* an X25519 share */
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	cr_assert_eq(front_ep_stats(ep).sessions, 1);
	front_free(c, ep, cc, sc);
	session_groups = NULL;
}

Test(front13, restarted_client_on_the_same_address_replaces_its_association)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, 0, NULL);
	static struct dgram_log log, hrr;
	memset(&log, 0, sizeof log);
	struct sockaddr_in a = front_v4(0x0a000030, 7000);
	petrel_session *c = client13(cc, &log, 0);
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	petrel_session_free(c);
	/* RFC 6347 4.2.8 / RFC 9147 5.1: the new ClientHello gets a stateless
	 * HelloRetryRequest; the old association stays until the cookie. */
	log.count = 0;
	c = client13(cc, &log, 0);
	second_hello(ep, c, &log, &a, &hrr);
	cr_assert_eq(front_ep_stats(ep).sessions, 1, "the old association, untouched");
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 1, "the new association replaced the old one");
	cr_assert_eq(st.half_open, 0);
	front_free(c, ep, cc, sc);
}

Test(front13, endpoint_without_cookies_assembles_13_hellos_in_the_session)
{
	petrel_credentials *cc = big_psk_creds(), *sc = big_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, PETREL_FLAG_NO_COOKIE, NULL);
	static struct dgram_log log;
	memset(&log, 0, sizeof log);
	struct sockaddr_in a = front_v4(0x0a000031, 7001);
	petrel_session *c = client13(cc, &log, MTU);
	cr_assert_eq(petrel_handshake(c), PETREL_E_AGAIN);
	cr_assert_geq(log.count, 2);
	cr_assert(hello_is_fragmented(log.d[0], log.len[0]));
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 1);
	cr_assert_eq(st.half_open, 0);
	/* The partial hello (a fixed 4.7 KiB block) went with the handshake;
	 * what stays is the 1.3 engine's last message (engine13.c). */
	cr_assert_lt(st.fragment_bytes, 1024, "%zu bytes", st.fragment_bytes);
	front_free(c, ep, cc, sc);
}
