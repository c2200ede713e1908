/* PSK for many devices (issue #21 item 4): a lookup callback, the
 * identity a client used, an identity hint. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

static const uint8_t device_key[16] = {0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

struct lookup_log {
	unsigned calls;
	char last[64];
};

/* "sensor-N" for any N gets device_key; everything else is unknown. */
static long lookup(void *ptr, const uint8_t *identity, size_t len, uint8_t *key, size_t cap)
{
	struct lookup_log *log = ptr;
	log->calls++;
	size_t n = len < sizeof log->last - 1 ? len : sizeof log->last - 1;
	memcpy(log->last, identity, n);
	log->last[n] = '\0';
	if (len < 7 || memcmp(identity, "sensor-", 7) != 0 || cap < sizeof device_key)
		return -1;
	memcpy(key, device_key, sizeof device_key);
	return (long)sizeof device_key;
}

static petrel_credentials *client_creds(const char *identity)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_psk(c, identity, device_key, sizeof device_key), 0);
	return c;
}

static petrel_credentials *lookup_server(struct lookup_log *log)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	petrel_credentials_set_psk_function(c, lookup, log);
	return c;
}

static void lookup_case(const char *suite, uint64_t seed)
{
	struct lookup_log log = {0};
	petrel_credentials *sc = lookup_server(&log), *cc = client_creds("sensor-4711");
	struct harness h;
	harness_init(&h, seed, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, suite), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0, "client %s, server %s",
		     petrel_strerror_name(h.client.handshake_rc), petrel_strerror_name(h.server.handshake_rc));
	cr_assert_eq(log.calls, 1);
	cr_assert_str_eq(log.last, "sensor-4711");
	cr_assert_str_eq(petrel_session_get_psk_identity(h.server.session), "sensor-4711");
	cr_assert_str_eq(petrel_session_get_psk_identity(h.client.session), "sensor-4711");
	/* The session keeps the identity, not the key. */
	cr_assert_eq(h.server.session->psk_used.key_len, 0);
	static const uint8_t zero[PETREL_MAX_PSK_LEN] = {0};
	cr_assert_arr_eq(h.server.session->psk_used.key, zero, sizeof zero);
	cr_assert_eq(harness_echo(&h, "from a device", 60000), 0);
	harness_free_all(&h);
}

Test(psk, lookup_callback_gives_the_key_for_an_identity)
{
	lookup_case("TLS_PSK_WITH_AES_128_CCM_8", 301);
}

Test(psk, lookup_callback_with_ecdhe_psk)
{
	lookup_case("TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", 302);
}

Test(psk, unknown_identity_gets_unknown_psk_identity)
{
	struct lookup_log log = {0};
	petrel_credentials *sc = lookup_server(&log), *cc = client_creds("camera-1");
	struct harness h;
	harness_init(&h, 303, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, "TLS_PSK_WITH_AES_128_GCM_SHA256"), 0);
	/* The epoch-0 ClientKeyExchange may be forged: dropped, the refusal
	 * reported at the server's timeout (dtls/hs_drop.c); each
	 * retransmission of it asks the callback again. */
	petrel_dtls_set_timeouts(h.server.session, 0, 3000);
	cr_assert_neq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_UNKNOWN_PSK_IDENTITY);
	cr_assert_geq(log.calls, 1);
	cr_assert_null(petrel_session_get_psk_identity(h.server.session));
	harness_free_all(&h);
}

Test(psk, configured_keys_are_found_before_the_callback)
{
	struct lookup_log log = {0};
	petrel_credentials *sc = lookup_server(&log), *cc = client_creds("gateway");
	cr_assert_eq(petrel_credentials_set_psk(sc, "gateway", device_key, sizeof device_key), 0);
	struct harness h;
	harness_init(&h, 304, 0, 0, cc, sc);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_eq(log.calls, 0);
	cr_assert_str_eq(petrel_session_get_psk_identity(h.server.session), "gateway");
	harness_free_all(&h);
}

static uint8_t server_flight[4096];
static size_t server_flight_len;
static void keep_server(struct harness_end *end, const uint8_t *data, size_t len)
{
	(void)end;
	if (server_flight_len + len <= sizeof server_flight) {
		memcpy(server_flight + server_flight_len, data, len);
		server_flight_len += len;
	}
}

static bool flight_has(const char *text)
{
	size_t n = strlen(text);
	for (size_t i = 0; i + n <= server_flight_len; i++)
		if (memcmp(server_flight + i, text, n) == 0)
			return true;
	return false;
}

static void hint_case(const char *suite, uint64_t seed)
{
	petrel_credentials *sc = client_creds("sensor-1"), *cc = client_creds("sensor-1");
	cr_assert_eq(petrel_credentials_set_psk_hint(sc, "petrel-hint-xyz"), 0);
	struct harness h;
	harness_init(&h, seed, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, suite), 0);
	server_flight_len = 0;
	h.server.on_send = keep_server;
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert(flight_has("petrel-hint-xyz"), "ServerKeyExchange carries the hint");
	harness_free_all(&h);
}

Test(psk, identity_hint_is_sent_with_plain_psk)
{
	hint_case("TLS_PSK_WITH_AES_128_CCM_8", 305);
}

Test(psk, identity_hint_is_sent_with_ecdhe_psk)
{
	hint_case("TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", 306);
}

Test(psk, no_identity_for_certificate_suites)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 307, 0, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_null(petrel_session_get_psk_identity(h.server.session));
	cr_assert_null(petrel_session_get_psk_identity(h.client.session));
	harness_free_all(&h);
}
