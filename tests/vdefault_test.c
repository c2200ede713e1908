/* A client's default versions (issue #20 item 3): with no range set it
 * offers DTLS 1.3 and 1.2, unless it uses a 1.2-only feature
 * (renegotiation, a 1.2 cipher list), decided when the
 * handshake starts; a range set explicitly always wins. And the RFC 8446
 * 4.1.3 downgrade sentinel stops a default client's fallback to 1.2. */
#include <string.h>

#include <criterion/criterion.h>

#include "dtls/dispatch.h"
#include "dtls/first_record.h"
#include "dtls/session.h"
#include "tests/dtls_harness.h"
#include "tests/ep13_harness.h"

static petrel_credentials *creds(void)
{
	static petrel_credentials *c;
	if (c == NULL)
		c = harness_psk_creds();
	return c;
}

/* The harness pins its clients to 1.2 (tests/dtls_harness.h): back to
 * the library's default, as petrel_session_new leaves it. */
static void library_default(petrel_session *s)
{
	s->versions_set = false;
	s->version_min = PETREL_V_DTLS12;
	s->version_max = PETREL_V_DTLS13;
}

static void hand_init(struct hand_client *c)
{
	hand_client_init(c, creds(), 1000);
	library_default(c->s);
}

/* Sends the first ClientHello of c; whether it offers DTLS 1.3. */
static bool first_hello_offers_dtls13(struct hand_client *c)
{
	cr_assert_eq(petrel_handshake(c->s), PETREL_E_AGAIN);
	cr_assert_geq(c->sent_count, 1);
	return petrel_dgram_offers_dtls13(c->sent[0], c->sent_len[0]);
}

Test(vdefault, fresh_client_offers_dtls13_and_dtls12)
{
	petrel_session *fresh;
	cr_assert_eq(petrel_session_new(&fresh, PETREL_CLIENT), 0);
	cr_assert_eq(fresh->version_min, PETREL_V_DTLS12);
	cr_assert_eq(fresh->version_max, PETREL_V_DTLS13);
	cr_assert_not(fresh->versions_set);
	petrel_session_free(fresh);
	struct hand_client c;
	hand_init(&c);
	cr_assert(first_hello_offers_dtls13(&c));
	cr_assert_eq(c.s->version_min, PETREL_V_DTLS12);
	cr_assert_eq(c.s->version_max, PETREL_V_DTLS13);
	petrel_session_free(c.s);
}

enum feature { HEARTBEAT_KEEPALIVE, HEARTBEAT_PMTU_PROBE, RPK, CIPHERS, RENEGOTIATION };

static void use(petrel_session *s, enum feature f)
{
	switch (f) {
	case HEARTBEAT_KEEPALIVE: cr_assert_eq(petrel_session_set_keepalive(s, 1000, 5000), 0); break;
	case HEARTBEAT_PMTU_PROBE: s->flags |= PETREL_FLAG_PMTU_PROBE; break;
	case RPK: cr_assert_eq(petrel_session_set_raw_public_keys(s, PETREL_RPK_SERVER), 0); break;
	case CIPHERS:
		cr_assert_eq(petrel_session_set_ciphers(s, "TLS_PSK_WITH_AES_128_GCM_SHA256"), 0);
		break;
	case RENEGOTIATION: cr_assert_eq(petrel_session_set_renegotiation(s, 1), 0); break;
	}
}

static void expect_dtls12_only(enum feature f)
{
	struct hand_client c;
	hand_init(&c);
	use(c.s, f);
	cr_assert_not(first_hello_offers_dtls13(&c));
	cr_assert_eq(c.s->version_max, PETREL_V_DTLS12);
	cr_assert_eq(c.s->version, PETREL_V_DTLS12);
	petrel_session_free(c.s);
}

/* ka13: 1.3 sessions ping with KeyUpdates (dtls13/ka13.h), and the 1.3
 * ClientHello offers heartbeat for a 1.2 server. */
Test(vdefault, heartbeat_keepalive_offers_dtls13_too)
{
	struct hand_client c;
	hand_init(&c);
	use(c.s, HEARTBEAT_KEEPALIVE);
	cr_assert(first_hello_offers_dtls13(&c));
	petrel_session_free(c.s);
}
/* probe13: 1.3 sessions probe with padded KeyUpdates (dtls13/probe13.h). */
Test(vdefault, pmtu_probe_offers_dtls13_too)
{
	struct hand_client c;
	hand_init(&c);
	use(c.s, HEARTBEAT_PMTU_PROBE);
	cr_assert(first_hello_offers_dtls13(&c));
	petrel_session_free(c.s);
}
/* rpk13: DTLS 1.3 carries raw public keys (dtls13/rpk13.h). */
Test(vdefault, raw_public_keys_offer_dtls13_too)
{
	struct hand_client c;
	hand_init(&c);
	use(c.s, RPK);
	cr_assert(first_hello_offers_dtls13(&c));
	petrel_session_free(c.s);
}
Test(vdefault, cipher_list_keeps_dtls12_only) { expect_dtls12_only(CIPHERS); }
Test(vdefault, renegotiation_keeps_dtls12_only) { expect_dtls12_only(RENEGOTIATION); }

Test(vdefault, settings_in_any_order_are_seen_at_handshake_start)
{
	struct hand_client c;
	hand_init(&c);
	use(c.s, RENEGOTIATION);
	cr_assert_eq(c.s->version_max, PETREL_V_DTLS13); /* not decided yet */
	cr_assert_not(first_hello_offers_dtls13(&c));
	petrel_session_free(c.s);
}

Test(vdefault, explicit_range_wins_over_the_default)
{
	struct hand_client c;
	/* 1.2 to 1.3 asked: offered even with renegotiation enabled. */
	hand_init(&c);
	use(c.s, RENEGOTIATION);
	cr_assert_eq(petrel_session_set_versions(c.s, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	cr_assert(first_hello_offers_dtls13(&c));
	petrel_session_free(c.s);
	/* 1.2 only asked by a client with nothing 1.2-only. */
	hand_init(&c);
	cr_assert_eq(petrel_session_set_versions(c.s, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	cr_assert_not(first_hello_offers_dtls13(&c));
	petrel_session_free(c.s);
	/* 1.3 only with a raw public key: the range stays 1.3 only. */
	hand_init(&c);
	use(c.s, RPK);
	cr_assert_eq(petrel_session_set_versions(c.s, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
	(void)petrel_handshake(c.s);
	cr_assert_eq(c.s->version_min, PETREL_V_DTLS13);
	cr_assert_eq(c.s->version_max, PETREL_V_DTLS13);
	petrel_session_free(c.s);
}

static int negotiated(bool keepalive, int server_max)
{
	struct harness h;
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	harness_init(&h, 5, 0, 0, cc, sc);
	library_default(h.client.session);
	if (keepalive)
		use(h.client.session, HEARTBEAT_KEEPALIVE);
	if (server_max)
		cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, server_max), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(harness_echo(&h, "vdefault", 60000), 0);
	int v = petrel_session_get_version(h.client.session);
	cr_assert_eq(petrel_session_get_version(h.server.session), v);
	if (keepalive) /* heartbeats on 1.2 (offered in the 1.3 ClientHello), none on 1.3 */
		cr_assert_eq(petrel_session_keepalive_uses_heartbeat(h.client.session),
			     v == PETREL_DTLS1_2 ? 1 : 0);
	harness_free_all(&h);
	return v;
}

Test(vdefault, default_client_gets_dtls13_from_a_default_server)
{
	cr_assert_eq(negotiated(false, 0), PETREL_DTLS1_3);
}

Test(vdefault, default_client_falls_back_to_a_dtls12_server)
{
	cr_assert_eq(negotiated(false, PETREL_DTLS1_2), PETREL_DTLS1_2);
}

Test(vdefault, default_client_with_keepalive_gets_dtls13)
{
	cr_assert_eq(negotiated(true, 0), PETREL_DTLS1_3);
}

Test(vdefault, default_client_with_keepalive_keeps_heartbeats_on_fallback_to_dtls12)
{
	cr_assert_eq(negotiated(true, PETREL_DTLS1_2), PETREL_DTLS1_2);
}

/* ---- RFC 8446 4.1.3: a 1.2 ServerHello carrying "DOWNGRD" 01 ---- */

struct capture {
	uint8_t dgram[4][2048];
	size_t len[4];
	unsigned count;
	uint64_t now;
};

static long capture_push(void *ptr, const uint8_t *data, size_t len)
{
	struct capture *c = ptr;
	if (c->count < 4 && len <= sizeof c->dgram[0]) {
		memcpy(c->dgram[c->count], data, len);
		c->len[c->count++] = len;
	}
	return (long)len;
}

static uint64_t capture_clock(void *ptr)
{
	return ((struct capture *)ptr)->now;
}

Test(vdefault, downgrade_sentinel_stops_the_fallback)
{
	struct hand_client c;
	hand_init(&c);
	cr_assert(first_hello_offers_dtls13(&c));
	/* A 1.2-only server, no cookie exchange: its first flight opens
	 * with the ServerHello. */
	struct capture sv = {.now = 1000};
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_SERVER | PETREL_FLAG_NO_COOKIE), 0);
	petrel_session_set_credentials(s, creds());
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	petrel_transport_set_ptr(s, &sv);
	petrel_transport_set_push_function(s, capture_push);
	petrel_transport_set_pull_function(s, harness_nothing_pull);
	petrel_transport_set_clock_function(s, capture_clock, &sv);
	cr_assert_geq(petrel_engine_feed(s, c.sent[0], c.sent_len[0], 1000), 0);
	cr_assert_geq(sv.count, 1);
	/* Record header 13, handshake header 12, server_version 2: the
	 * random's last 8 bytes are at 13 + 12 + 2 + 24. */
	uint8_t *sh = sv.dgram[0];
	cr_assert_eq(sh[0], 22);
	cr_assert_eq(sh[13], 2); /* server_hello */
	uint8_t forged[2048];
	memcpy(forged, sh, sv.len[0]);
	memcpy(forged + 13 + 12 + 2 + 24, "DOWNGRD\x01", 8);
	/* The forged answer is refused (an unauthenticated hello is
	 * dropped, dtls13/engine13.c on_message): no fallback. */
	(void)petrel_engine_feed(c.s, forged, sv.len[0], 1000);
	cr_assert_eq(c.s->version, PETREL_V_DTLS13);
	cr_assert_not_null(c.s->d13);
	/* The genuine one hands the handshake to the 1.2 client. */
	cr_assert_geq(petrel_engine_feed(c.s, sh, sv.len[0], 1000), 0);
	cr_assert_eq(c.s->version, PETREL_V_DTLS12);
	petrel_session_free(s);
	petrel_session_free(c.s);
}

/* The server side of 4.1.3: a server that allows 1.3, answering a
 * ClientHello without it, marks its random "DOWNGRD" 01; one limited to
 * 1.2 does not (the test above: its genuine answer falls back). */
Test(vdefault, server_allowing_dtls13_marks_a_dtls12_answer)
{
	for (int limit12 = 0; limit12 <= 1; limit12++) {
		struct hand_client c;
		hand_client_init(&c, creds(), 1000); /* pinned to 1.2 by the harness */
		cr_assert_not(first_hello_offers_dtls13(&c));
		struct capture sv = {.now = 1000};
		petrel_session *s;
		cr_assert_eq(petrel_session_new(&s, PETREL_SERVER | PETREL_FLAG_NO_COOKIE), 0);
		petrel_session_set_credentials(s, creds());
		if (limit12)
			cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
		petrel_transport_set_ptr(s, &sv);
		petrel_transport_set_push_function(s, capture_push);
		petrel_transport_set_pull_function(s, harness_nothing_pull);
		petrel_transport_set_clock_function(s, capture_clock, &sv);
		cr_assert_geq(petrel_engine_feed(s, c.sent[0], c.sent_len[0], 1000), 0);
		cr_assert_geq(sv.count, 1);
		uint8_t *sh = sv.dgram[0];
		cr_assert_eq(sh[13], 2); /* server_hello */
		bool marked = memcmp(sh + 13 + 12 + 2 + 24, "DOWNGRD\x01", 8) == 0;
		cr_assert_eq(marked, !limit12, "limit12=%d", limit12);
		/* The 1.2 client, which offered no 1.3, goes on regardless. */
		cr_assert_geq(petrel_engine_feed(c.s, sh, sv.len[0], 1000), 0);
		cr_assert_eq(c.s->version, PETREL_V_DTLS12);
		petrel_session_free(s);
		petrel_session_free(c.s);
	}
}

/* An endpoint whose on_new_session makes 1.2-only sessions without a
 * hello policy saying so: its first default client, past the stateless
 * HelloRetryRequest, hears protocol_version at once instead of waiting
 * out its timeout; later clients get the 1.2 cookie exchange and fall
 * back to 1.2 (dtls/endpoint.c refuse_13_after_hrr). */
static void sessions_12_only(void *ptr, petrel_session *s)
{
	(void)ptr;
	cr_assert_eq(petrel_session_set_ciphers(s, "TLS_PSK_WITH_AES_128_GCM_SHA256"), 0);
}

Test(vdefault, endpoint_with_dtls12_sessions_refuses_then_answers_in_dtls12)
{
	petrel_credentials *sc = ep13_psk("vdefault"), *cc = ep13_psk("vdefault");
	petrel_endpoint *ep;
	struct petrel_endpoint_callbacks cb = {.on_new_session = sessions_12_only,
					       .on_data = harness_echo_record};
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, &cb), 0);
	struct sockaddr_in a = ep13_addr4("198.51.100.7", 40000), b = ep13_addr4("198.51.100.8", 40001);
	struct hand_client c1;
	hand_client_init(&c1, cc, 5000000);
	library_default(c1.s);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(petrel_handshake(c1.s), PETREL_E_AGAIN);
		ep13_exchange_from(ep, &c1, &a);
	}
	cr_assert_eq(petrel_alert_get(c1.s), 70, "protocol_version: %d", petrel_alert_get(c1.s));
	struct petrel_endpoint_stats st;
	petrel_endpoint_get_stats(ep, &st);
	cr_assert_eq(st.sessions, 0);
	struct hand_client c2;
	hand_client_init(&c2, cc, 5000000);
	library_default(c2.s);
	int rc = ep13_handshake(ep, &c2, &b);
	cr_assert_eq(rc, 0, "%s", petrel_strerror(rc));
	cr_assert_eq(petrel_session_get_version(c2.s), PETREL_DTLS1_2);
	cr_assert(ep13_echo_from(ep, &c2, &b, "hello"));
	petrel_session_free(c1.s);
	petrel_session_free(c2.s);
	petrel_endpoint_free(ep);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
