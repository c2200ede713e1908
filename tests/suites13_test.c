/* DTLS 1.3 suites in petrel_session_set_ciphers (issue #20 item 2): the
 * five RFC 8446 B.4 suites each chosen on both sides, lists of 1.3 names
 * only (1.3 only), mixed lists (1.3, or 1.2 with its 1.2 suites against
 * a 1.2 server), the server's order winning, unknown names refused. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dtls/dispatch.h"
#include "dtls/first_record.h"
#include "dtls/session.h"
#include "tests/dtls_harness.h"

/* The harness pins its clients to 1.2 (tests/dtls_harness.h): back to
 * the library's default range, as petrel_session_new leaves it. */
static void library_default(petrel_session *s)
{
	s->versions_set = false;
	s->version_min = PETREL_V_DTLS12;
	s->version_max = PETREL_V_DTLS13;
}

/* A certificate pair (ECDSA P-256, no verification: the suites are the
 * point) with these cipher lists (NULL: none set); server_max 0 keeps the
 * server's default range. */
static void pair(struct harness *h, const char *client_list, const char *server_list,
		 int server_max)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(h, 13, 0, 0, cc, sc);
	library_default(h->client.session);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_session_set_verify(h->server.session, PETREL_VERIFY_NONE, NULL, 0);
	if (client_list)
		cr_assert_eq(petrel_session_set_ciphers(h->client.session, client_list), 0);
	if (server_list)
		cr_assert_eq(petrel_session_set_ciphers(h->server.session, server_list), 0);
	if (server_max)
		cr_assert_eq(petrel_session_set_versions(h->server.session, PETREL_DTLS1_2, server_max),
			     0);
}

/* Handshake and echo; both sides agree on version and suite. */
static void complete(struct harness *h, int version, const char *suite)
{
	cr_assert_eq(harness_run_handshake(h, 60000), 0, "client %d server %d",
		     h->client.handshake_rc, h->server.handshake_rc);
	cr_assert_eq(harness_echo(h, "suites13", 60000), 0);
	cr_assert_eq(petrel_session_get_version(h->client.session), version);
	cr_assert_eq(petrel_session_get_version(h->server.session), version);
	cr_assert_str_eq(petrel_session_get_cipher_name(h->client.session), suite);
	cr_assert_str_eq(petrel_session_get_cipher_name(h->server.session), suite);
}

static void one_suite(const char *suite)
{
	struct harness h;
	pair(&h, suite, suite, 0);
	complete(&h, PETREL_DTLS1_3, suite);
	harness_free_all(&h);
}

Test(suites13, aes_128_gcm) { one_suite("TLS_AES_128_GCM_SHA256"); }
Test(suites13, aes_256_gcm) { one_suite("TLS_AES_256_GCM_SHA384"); }
Test(suites13, chacha20_poly1305) { one_suite("TLS_CHACHA20_POLY1305_SHA256"); }
Test(suites13, aes_128_ccm) { one_suite("TLS_AES_128_CCM_SHA256"); }
Test(suites13, aes_128_ccm_8) { one_suite("TLS_AES_128_CCM_8_SHA256"); }

Test(suites13, list_of_dtls13_names_allows_dtls13_only)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	cr_assert_eq(petrel_session_set_ciphers(s, "TLS_AES_128_CCM_8_SHA256"), 0);
	cr_assert(petrel_session_allows_dtls13(s));
	cr_assert_not(petrel_session_allows_dtls12(s));
	/* Mixed: both; 1.2 names only: 1.2 only (as before). */
	cr_assert_eq(petrel_session_set_ciphers(s, "TLS_AES_128_CCM_8_SHA256,TLS_PSK_WITH_AES_128_CCM_8"),
		     0);
	cr_assert(petrel_session_allows_dtls13(s));
	cr_assert(petrel_session_allows_dtls12(s));
	cr_assert_eq(petrel_session_set_ciphers(s, "TLS_PSK_WITH_AES_128_CCM_8"), 0);
	cr_assert_not(petrel_session_allows_dtls13(s));
	cr_assert(petrel_session_allows_dtls12(s));
	petrel_session_free(s);
}

Test(suites13, dtls13_list_gets_dtls13_from_a_default_server)
{
	struct harness h;
	pair(&h, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0);
	complete(&h, PETREL_DTLS1_3, "TLS_AES_128_CCM_SHA256");
	harness_free_all(&h);
}

Test(suites13, dtls13_only_client_does_not_fall_back_to_a_dtls12_server)
{
	struct harness h;
	pair(&h, "TLS_AES_128_GCM_SHA256", NULL, PETREL_DTLS1_2);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_not(h.client.done && h.server.done);
	harness_free_all(&h);
}

Test(suites13, dtls13_only_server_refuses_a_dtls12_client)
{
	struct harness h;
	pair(&h, NULL, "TLS_AES_128_GCM_SHA256", 0);
	harness_pin_dtls12(h.client.session);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	harness_free_all(&h);
}

Test(suites13, mixed_list_falls_back_with_its_dtls12_suite)
{
	struct harness h;
	pair(&h, "TLS_AES_128_CCM_8_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", NULL, PETREL_DTLS1_2);
	complete(&h, PETREL_DTLS1_2, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
	harness_free_all(&h);
}

Test(suites13, mixed_list_gets_dtls13_with_its_dtls13_suite)
{
	struct harness h;
	pair(&h, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,TLS_AES_128_CCM_8_SHA256",
	     "TLS_AES_128_CCM_8_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", 0);
	complete(&h, PETREL_DTLS1_3, "TLS_AES_128_CCM_8_SHA256");
	harness_free_all(&h);
}

Test(suites13, server_order_wins)
{
	struct harness h;
	pair(&h, "TLS_AES_128_GCM_SHA256,TLS_AES_128_CCM_SHA256,TLS_CHACHA20_POLY1305_SHA256",
	     "TLS_CHACHA20_POLY1305_SHA256,TLS_AES_128_CCM_SHA256,TLS_AES_128_GCM_SHA256", 0);
	complete(&h, PETREL_DTLS1_3, "TLS_CHACHA20_POLY1305_SHA256");
	harness_free_all(&h);
}

Test(suites13, no_common_dtls13_suite_fails)
{
	struct harness h;
	pair(&h, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_256_GCM_SHA384", 0);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	harness_free_all(&h);
}

Test(suites13, unknown_names_are_refused_and_the_list_kept)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_SERVER), 0);
	cr_assert_eq(petrel_session_set_ciphers(s, "TLS_AES_128_CCM_8_SHA256"), 0);
	cr_assert_eq(petrel_session_set_ciphers(s, "TLS_AES_128_CCM_8_SHA256,TLS_AES_128_CCM_8"),
		     PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_session_set_ciphers(s, "tls_aes_128_gcm_sha256"), PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_session_set_ciphers(s, ",,"), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(s->cipher13_count, 1);
	cr_assert_eq(s->ciphers13[0], 0x1305);
	cr_assert_eq(s->cipher_count, 0);
	petrel_session_free(s);
}

Test(suites13, listing_names_the_dtls13_suites)
{
	uint16_t id = 0;
	cr_assert_str_eq(petrel_cipher_suite13_info(0, &id), "TLS_AES_128_GCM_SHA256");
	cr_assert_eq(id, 0x1301);
	cr_assert_str_eq(petrel_cipher_suite13_info(4, &id), "TLS_AES_128_CCM_8_SHA256");
	cr_assert_eq(id, 0x1305);
	cr_assert_null(petrel_cipher_suite13_info(5, NULL));
}

/* ---- the endpoint's stateless HelloRetryRequest (petrel_endpoint_set_hello_ciphers) ---- */

#define EP_LOG_MAX 16
static uint64_t ep_now = 100000;
struct ep_log {
	unsigned count;
	uint8_t d[EP_LOG_MAX][2048];
	size_t len[EP_LOG_MAX];
};

static uint64_t ep_clock(void *ptr)
{
	(void)ptr;
	return ep_now;
}

static long ep_log_push(void *ptr, const uint8_t *data, size_t len)
{
	struct ep_log *l = ptr;
	if (l->count < EP_LOG_MAX && len <= sizeof l->d[0]) {
		memcpy(l->d[l->count], data, len);
		l->len[l->count++] = len;
	}
	return (long)len;
}

static const char *ep_session_list;

static void ep_configure(void *ptr, petrel_session *s)
{
	(void)ptr;
	cr_assert_eq(petrel_session_set_ciphers(s, ep_session_list), 0);
}

/* Runs c's handshake through ep (sans I/O) from one address: its result. */
static int ep_connect(petrel_endpoint *ep, petrel_session *c, struct ep_log *log)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5684)};
	a.sin_addr.s_addr = htonl(0x0a000013);
	static uint8_t buf[17 * 1024];
	int rc = petrel_handshake(c);
	for (int i = 0; i < 20; i++) {
		for (unsigned j = 0; j < log->count; j++) {
			memcpy(buf, log->d[j], log->len[j]);
			cr_assert_eq(petrel_endpoint_feed(ep, buf, log->len[j], &a, sizeof a, ep_now), 0);
		}
		log->count = 0;
		struct sockaddr_storage to;
		unsigned to_len = sizeof to;
		long n;
		while ((n = petrel_endpoint_next_datagram(ep, buf, sizeof buf, &to, &to_len)) > 0) {
			to_len = sizeof to;
			(void)petrel_engine_feed(c, buf, (size_t)n, ep_now);
		}
		if (rc == 0)
			break;
		rc = petrel_handshake(c);
	}
	return rc;
}

static const char *through_endpoint(const char *client_list, const char *server_list,
				    const char *ep_list)
{
	static char name[64];
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct petrel_endpoint_callbacks cb = {.on_new_session = ep_configure};
	ep_session_list = server_list;
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, &cb), 0);
	if (ep_list)
		cr_assert_eq(petrel_endpoint_set_hello_ciphers(ep, ep_list), 0);
	static struct ep_log log;
	memset(&log, 0, sizeof log);
	petrel_session *c;
	cr_assert_eq(petrel_session_new(&c, PETREL_CLIENT), 0);
	petrel_session_set_credentials(c, cc);
	cr_assert_eq(petrel_session_set_ciphers(c, client_list), 0);
	petrel_transport_set_ptr(c, &log);
	petrel_transport_set_push_function(c, ep_log_push);
	petrel_transport_set_pull_function(c, harness_nothing_pull);
	petrel_transport_set_clock_function(c, ep_clock, NULL);
	name[0] = '\0';
	if (ep_connect(ep, c, &log) == 0) {
		cr_assert_eq(petrel_session_get_version(c), PETREL_DTLS1_3);
		strncpy(name, petrel_session_get_cipher_name(c), sizeof name - 1);
	}
	petrel_session_free(c);
	petrel_endpoint_free(ep);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
	return name;
}

Test(suites13, endpoint_hello_ciphers_let_a_ccm_only_client_in)
{
	/* Without them the stateless HelloRetryRequest knows only the
	 * default suites, and a CCM-only ClientHello is dropped. */
	cr_assert_str_eq(through_endpoint("TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256",
					  "TLS_AES_128_CCM_SHA256"),
			 "TLS_AES_128_CCM_SHA256");
	cr_assert_str_eq(through_endpoint("TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", NULL),
			 "");
}

Test(suites13, endpoint_hello_ciphers_follow_the_server_order)
{
	cr_assert_str_eq(through_endpoint("TLS_AES_128_GCM_SHA256,TLS_AES_128_CCM_8_SHA256",
					  "TLS_AES_128_CCM_8_SHA256,TLS_AES_128_GCM_SHA256",
					  "TLS_AES_128_CCM_8_SHA256,TLS_AES_128_GCM_SHA256"),
			 "TLS_AES_128_CCM_8_SHA256");
}

Test(suites13, endpoint_hello_ciphers_refuse_unknown_names)
{
	petrel_credentials *sc = harness_psk_creds();
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, NULL), 0);
	cr_assert_eq(petrel_endpoint_set_hello_ciphers(ep, "TLS_NOPE"), PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_endpoint_set_hello_ciphers(ep, ""), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_endpoint_set_hello_ciphers(ep, NULL), 0);
	cr_assert_eq(petrel_endpoint_set_hello_ciphers(NULL, "TLS_AES_128_GCM_SHA256"),
		     PETREL_E_INVALID_REQUEST);
	petrel_endpoint_free(ep);
	petrel_credentials_free(sc);
}

Test(suites13, session_refuses_a_cookie_suite_outside_its_list)
{
	/* The endpoint's HRR picks from the defaults (AES-128-GCM); the
	 * session's list has CCM only: no handshake on a suite it excludes. */
	cr_assert_str_eq(through_endpoint("TLS_AES_128_GCM_SHA256,TLS_AES_128_CCM_SHA256",
					  "TLS_AES_128_CCM_SHA256", NULL),
			 "");
}
