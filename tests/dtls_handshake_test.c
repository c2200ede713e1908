/* Whole DTLS 1.2 handshakes in memory over the simulated network. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/dtls_harness.h"

static void assert_same_keys(struct harness *h)
{
	uint8_t a[32], b[32];
	cr_assert_eq(petrel_prf_export(h->client.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, a, sizeof a), 0);
	cr_assert_eq(petrel_prf_export(h->server.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, b, sizeof b), 0);
	cr_assert_arr_eq(a, b, sizeof a);
	cr_assert_str_eq(petrel_session_get_cipher_name(h->client.session),
			 petrel_session_get_cipher_name(h->server.session));
	cr_assert(petrel_session_ems_negotiated(h->client.session));
}

struct suite_case {
	const char *name;
	int cert_keytype; /* 0 = PSK */
};

static const struct suite_case suite_cases[] = {
	{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", PETREL_KEYTYPE_ECDSA_P256},
	{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", PETREL_KEYTYPE_ECDSA_P256},
	{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", PETREL_KEYTYPE_ECDSA_P256},
	{"TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", PETREL_KEYTYPE_ECDSA_P256},
	{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", PETREL_KEYTYPE_ED25519},
	{"TLS_PSK_WITH_AES_128_CCM_8", 0},
	{"TLS_PSK_WITH_AES_128_GCM_SHA256", 0},
	{"TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", 0},
	{"TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", 0},
};

static int run_case(const struct suite_case *sc, uint64_t seed, const struct simnet_rules *rules,
		    unsigned mtu, uint64_t *completed_ms)
{
	petrel_credentials *server_creds = sc->cert_keytype ? harness_cert_creds(sc->cert_keytype)
							    : harness_psk_creds();
	petrel_credentials *client_creds = harness_psk_creds();
	struct harness h;
	harness_init(&h, seed, 0, 0, client_creds, server_creds);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, sc->name), 0);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	if (rules) {
		simnet_set_rules(h.net, 0, rules);
		simnet_set_rules(h.net, 1, rules);
	}
	if (mtu) {
		petrel_dtls_set_mtu(h.client.session, mtu);
		petrel_dtls_set_mtu(h.server.session, mtu);
	}
	int rc = harness_run_handshake(&h, 120000);
	if (rc == 0) {
		assert_same_keys(&h);
		cr_assert_str_eq(petrel_session_get_cipher_name(h.client.session), sc->name);
		rc = harness_echo(&h, "hello petrel", 600000);
		if (mtu)
			cr_assert_leq(h.client.largest_sent, mtu - 28);
		if (completed_ms)
			*completed_ms = h.completed_ms;
	}
	harness_free(&h);
	petrel_credentials_free(server_creds);
	petrel_credentials_free(client_creds);
	return rc;
}

Test(handshake, every_suite_completes_and_echoes)
{
	for (size_t i = 0; i < sizeof suite_cases / sizeof suite_cases[0]; i++)
		cr_assert_eq(run_case(&suite_cases[i], 1, NULL, 0, NULL), 0, "%s", suite_cases[i].name);
}

Test(handshake, no_loss_completes_without_waiting)
{
	uint64_t ms = 99;
	cr_assert_eq(run_case(&suite_cases[0], 7, NULL, 0, &ms), 0);
	cr_assert_eq(ms, 0, "a lossless zero-delay handshake must take no virtual time");
}

Test(handshake, tiny_mtu_fragments_every_message)
{
	for (size_t i = 0; i < sizeof suite_cases / sizeof suite_cases[0]; i++)
		cr_assert_eq(run_case(&suite_cases[i], 3, NULL, 300, NULL), 0, "%s", suite_cases[i].name);
}

static void loss_scenario(uint32_t loss_ppm, unsigned seeds, unsigned min_ok, unsigned mtu)
{
	struct simnet_rules rules = {.drop_per_million = loss_ppm, .duplicate_per_million = 20000,
				     .reorder_window = 3, .delay_ms = 10, .jitter_ms = 5};
	unsigned ok = 0, full = seeds;
	seeds = harness_seeds(full);
	min_ok = min_ok * seeds / full;
	for (unsigned seed = 1; seed <= seeds; seed++) {
		const struct suite_case *sc = &suite_cases[seed % (sizeof suite_cases / sizeof suite_cases[0])];
		if (run_case(sc, seed, &rules, mtu, NULL) == 0)
			ok++;
	}
	cr_assert_geq(ok, min_ok, "%u of %u completed at %u ppm loss", ok, seeds, loss_ppm);
}

Test(handshake, survives_10pct_loss_dup_reorder) { loss_scenario(100000, 100, 100, 0); }
Test(handshake, survives_30pct_loss, .timeout = 120) { loss_scenario(300000, 100, 100, 0); }
Test(handshake, survives_50pct_loss_most_seeds, .timeout = 120) { loss_scenario(500000, 60, 57, 0); }
Test(handshake, survives_30pct_loss_at_mtu_400, .timeout = 120) { loss_scenario(300000, 40, 40, 400); }

Test(handshake, cookie_exchange_can_be_disabled)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 5, 0, PETREL_FLAG_NO_COOKIE, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	struct petrel_stats st;
	petrel_session_get_stats(h.client.session, &st);
	cr_assert_eq(st.flights_sent, 2, "ClientHello and the key exchange flight, no cookie round");
	harness_free_all(&h);
}

Test(handshake, ticket_resumption_is_abbreviated)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 11, 0, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_not(petrel_session_is_resumed(h.client.session));
	size_t len = 0;
	cr_assert_eq(petrel_session_get_data(h.client.session, NULL, &len), 0);
	uint8_t blob[512];
	cr_assert_leq(len, sizeof blob);
	cr_assert_eq(petrel_session_get_data(h.client.session, blob, &len), 0);
	harness_free(&h);

	harness_init(&h, 12, 0, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert(petrel_session_is_resumed(h.client.session));
	cr_assert(petrel_session_is_resumed(h.server.session));
	assert_same_keys(&h);
	cr_assert_eq(harness_echo(&h, "resumed", 60000), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(handshake, pinned_fingerprint_accepts_right_and_rejects_wrong)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	uint8_t pin[32];
	cr_assert_eq(petrel_credentials_get_fingerprint(sc, pin), 0);
	struct harness h;
	harness_init(&h, 13, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_verify(h.client.session, PETREL_VERIFY_PIN, pin, 32), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	harness_free(&h);

	pin[0] ^= 1;
	harness_init(&h, 14, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_verify(h.client.session, PETREL_VERIFY_PIN, pin, 32), 0);
	/* An epoch-0 Certificate may be forged: the mismatch shows at the
	 * timeout (dtls/hs_drop.c), and so does the client's alert at the
	 * server, which cannot tell it from a forged one either. */
	petrel_dtls_set_timeouts(h.client.session, 0, 3000);
	petrel_dtls_set_timeouts(h.server.session, 0, 4000);
	cr_assert_neq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(h.client.handshake_rc, PETREL_E_CERT_PIN_MISMATCH);
	cr_assert_eq(petrel_alert_get(h.server.session), 42 /* bad_certificate */);
	cr_assert_eq(harness_tick_until_failed(h.server.session, 10000), PETREL_E_FATAL_ALERT_RECEIVED);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(handshake, client_certificate_both_ways)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ED25519);
	struct harness h;
	harness_init(&h, 15, 0, PETREL_FLAG_REQUIRE_CLIENT_CERT, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	uint8_t pin[32];
	petrel_credentials_get_fingerprint(cc, pin);
	petrel_session_set_verify(h.server.session, PETREL_VERIFY_PIN, pin, 32);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	const uint8_t *der;
	size_t der_len;
	cr_assert_eq(petrel_session_get_peer_certificate(h.server.session, 0, &der, &der_len), 0);
	cr_assert_gt(der_len, 100);
	assert_same_keys(&h);
	harness_free_all(&h);
}

/* A wrong PSK makes the client's Finished fail to authenticate at the
 * server. That alone must not end the handshake (a forged CCS + garbage
 * datagram looks the same: attack/forged_ccs_with_bad_record_...), so the
 * handshake ends at its timeout, but with an error that names the likely
 * cause rather than a plain timeout. */
Test(handshake, wrong_psk_fails_at_the_timeout_naming_a_key_mismatch)
{
	petrel_credentials *sc = harness_psk_creds(), *cc;
	cr_assert_eq(petrel_credentials_new(&cc), 0);
	static const uint8_t other[16] = {9};
	cr_assert_eq(petrel_credentials_set_psk(cc, "device-1", other, sizeof other), 0);
	struct harness h;
	harness_init(&h, 16, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, "TLS_PSK_WITH_AES_128_CCM_8"), 0);
	petrel_dtls_set_timeouts(h.client.session, 1000, 5000);
	petrel_dtls_set_timeouts(h.server.session, 1000, 5000);
	cr_assert_neq(harness_run_handshake(&h, 20000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_PEER_KEY_MISMATCH, "server rc %d (%s)",
		     h.server.handshake_rc, petrel_strerror(h.server.handshake_rc));
	cr_assert_geq(simnet_now(h.net), 5000, "at the timeout, not at once");
	cr_assert_not(petrel_handshake_is_complete(h.client.session));
	cr_assert_not(petrel_handshake_is_complete(h.server.session));
	harness_free_all(&h);
}

Test(handshake, alpn_negotiated)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 17, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_alpn(h.client.session, "coap,h3"), 0);
	cr_assert_eq(petrel_session_set_alpn(h.server.session, "h3,coap"), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_str_eq(petrel_session_get_alpn(h.client.session), "h3");
	cr_assert_str_eq(petrel_session_get_alpn(h.server.session), "h3");
	harness_free_all(&h);
}

/* A tiny in-memory session cache for the server. */
struct test_cache {
	uint8_t key[32], value[256];
	size_t key_len, value_len;
	unsigned stores, hits;
};
static int cache_store(void *ptr, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len)
{
	struct test_cache *c = ptr;
	cr_assert_leq(key_len, sizeof c->key);
	cr_assert_leq(len, sizeof c->value);
	memcpy(c->key, key, key_len);
	c->key_len = key_len;
	memcpy(c->value, data, len);
	c->value_len = len;
	c->stores++;
	return 0;
}
static long cache_retrieve(void *ptr, const uint8_t *key, size_t key_len, uint8_t *data, size_t cap)
{
	struct test_cache *c = ptr;
	if (key_len != c->key_len || memcmp(key, c->key, key_len) != 0 || cap < c->value_len)
		return -1;
	memcpy(data, c->value, c->value_len);
	c->hits++;
	return (long)c->value_len;
}
static int cache_remove(void *ptr, const uint8_t *key, size_t key_len)
{
	(void)key;
	(void)key_len;
	((struct test_cache *)ptr)->key_len = 0;
	return 0;
}

Test(handshake, session_id_resumption_through_the_server_cache)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	struct test_cache cache;
	memset(&cache, 0, sizeof cache);
	petrel_credentials_set_session_cache(sc, cache_store, cache_retrieve, cache_remove, &cache);
	struct harness h;
	harness_init(&h, 31, PETREL_FLAG_NO_TICKETS, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(cache.stores, 1, "the full handshake was cached under its session ID");
	cr_assert_eq(cache.key_len, 32);
	uint8_t blob[512];
	size_t len = sizeof blob;
	cr_assert_eq(petrel_session_get_data(h.client.session, blob, &len), 0);
	harness_free(&h);

	harness_init(&h, 32, PETREL_FLAG_NO_TICKETS, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(cache.hits, 1);
	cr_assert(petrel_session_is_resumed(h.client.session));
	cr_assert(petrel_session_is_resumed(h.server.session));
	assert_same_keys(&h);
	cr_assert_eq(harness_echo(&h, "resumed by id", 60000), 0);
	harness_free(&h);

	/* An unknown session ID falls back to a full handshake. */
	cache.key[0] ^= 1;
	harness_init(&h, 33, PETREL_FLAG_NO_TICKETS, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_not(petrel_session_is_resumed(h.client.session));
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

static uint8_t first_dgram[2048];
static size_t first_len;
static void keep_first(struct harness_end *end, const uint8_t *data, size_t len)
{
	(void)end;
	if (first_len == 0 && len <= sizeof first_dgram) {
		memcpy(first_dgram, data, len);
		first_len = len;
	}
}

Test(handshake, dtls10_only_client_gets_protocol_version)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 61, 0, PETREL_FLAG_NO_COOKIE, cc, sc);
	first_len = 0;
	h.client.on_send = keep_first;
	cr_assert_eq(petrel_handshake(h.client.session), PETREL_E_AGAIN);
	cr_assert_gt(first_len, 30);
	/* client_version right after the record (13) and handshake (12)
	 * headers: DTLS 1.0 is 0xfeff. */
	first_dgram[25] = 0xfe;
	first_dgram[26] = 0xff;
	int rc = petrel_engine_feed(h.server.session, first_dgram, first_len, 0);
	cr_assert_eq(rc, PETREL_E_PROTOCOL_VERSION, "%s", petrel_strerror_name(rc));
	/* The alert went out: protocol_version (70), fatal. */
	uint8_t buf[256];
	simnet_advance_to(h.net, 1000);
	int n = simnet_recv(h.net, 0, buf, sizeof buf);
	cr_assert_eq(n, 13 + 2);
	cr_assert_eq(buf[0], 21);
	cr_assert_eq(buf[13], 2);
	cr_assert_eq(buf[14], 70);
	harness_free_all(&h);
}
