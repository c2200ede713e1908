/* DTLS 1.3 suites in petrel_session_set_ciphers (issue #20 item 2): the
 * five RFC 8446 B.4 suites each chosen on both sides, lists of 1.3 names
 * only (1.3 only), mixed lists (1.3, or 1.2 with its 1.2 suites against
 * a 1.2 server), the server's order winning, unknown names refused. */
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
