/* P-384 end to end (issue #17 item 2): ECDHE on secp384r1 and ECDSA
 * P-384 / SHA-384 certificates, in both roles, over the simulated network. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

/* Self-signed, made with: openssl req -x509 -newkey ec -pkeyopt
 * ec_paramgen_curve:P-384 -sha384 -days 36500 -subj /CN=p384.petrel.test */
static const char p384_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIByzCCAVCgAwIBAgIUBD9Y44nWVGtB/maTyX11ZdPCAh0wCgYIKoZIzj0EAwMw\n"
	"GzEZMBcGA1UEAwwQcDM4NC5wZXRyZWwudGVzdDAgFw0yNjEyMDYwMDM5MDhaGA8y\n"
	"MTI2MTExMjAwMzkwOFowGzEZMBcGA1UEAwwQcDM4NC5wZXRyZWwudGVzdDB2MBAG\n"
	"ByqGSM49AgEGBSuBBAAiA2IABOW2Y50+qK/DrYc3vIq7lq8TWzgkurgHSG8+DbH7\n"
	"K2o45gmA1cZrgn2N1ZbkAm0Ta+4LZaOwKofx59RLIl2I5vL4FR4j4GdGzJV4bTuM\n"
	"2/Pb2LaVlVW2xBO8kB8C5zrPNKNTMFEwHQYDVR0OBBYEFImd9jpOe6Y75WRonvA0\n"
	"A2z1hR/yMB8GA1UdIwQYMBaAFImd9jpOe6Y75WRonvA0A2z1hR/yMA8GA1UdEwEB\n"
	"/wQFMAMBAf8wCgYIKoZIzj0EAwMDaQAwZgIxAKESLm9v3iZCtIPamWQwgMD4GUZT\n"
	"EThsK9FekOXEVEffq/PUBL5Ipg2Mow1KEFOj6AIxAMEvbtCUfWo9fVXc7/bKAlfS\n"
	"hNW66Vjr8KE7rozoGO0y0PlBmHPyEilBtY3/McUl8A==\n"
	"-----END CERTIFICATE-----\n";
static const char p384_key[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDCJqpAU3vaIIobNo/fg\n"
	"uHtABQMhmxpjQN7NzvLIQjWmVBQeZzE3YkChu4S/VjV+QCihZANiAATltmOdPqiv\n"
	"w62HN7yKu5avE1s4JLq4B0hvPg2x+ytqOOYJgNXGa4J9jdWW5AJtE2vuC2WjsCqH\n"
	"8efUSyJdiOby+BUeI+BnRsyVeG07jNvz29i2lZVVtsQTvJAfAuc6zzQ=\n"
	"-----END PRIVATE KEY-----\n";

static petrel_credentials *p384_creds(void)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_key_mem(c, p384_cert, strlen(p384_cert), p384_key,
						    strlen(p384_key)),
		     0);
	static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	cr_assert_eq(petrel_credentials_set_psk(c, "device-1", key, sizeof key), 0);
	return c;
}

/* Offer only secp384r1 (petrel_session_set_groups names arrive with the
 * session.c change; the field is what it sets). */
static void only_p384(petrel_session *s)
{
	s->groups[0] = PETREL_GROUP_SECP384R1;
	s->group_count = 1;
}

static void run(const char *suite, unsigned server_flags, bool client_cert, uint64_t seed)
{
	petrel_credentials *sc = p384_creds(), *cc = p384_creds();
	struct harness h;
	harness_init(&h, seed, 0, server_flags, cc, sc);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, suite), 0);
	only_p384(h.client.session);
	uint8_t pin[32];
	cr_assert_eq(petrel_credentials_get_fingerprint(sc, pin), 0);
	cr_assert_eq(petrel_session_set_verify(h.client.session, PETREL_VERIFY_PIN, pin, 32), 0);
	if (client_cert)
		cr_assert_eq(petrel_session_set_verify(h.server.session, PETREL_VERIFY_PIN, pin, 32), 0);
	cr_assert_eq(harness_run_handshake(&h, 20000), 0, "client %s, server %s",
		     petrel_strerror_name(h.client.handshake_rc), petrel_strerror_name(h.server.handshake_rc));
	cr_assert_str_eq(petrel_session_get_cipher_name(h.client.session), suite);
	cr_assert_eq(h.client.session->group, PETREL_GROUP_SECP384R1);
	cr_assert_eq(h.server.session->group, PETREL_GROUP_SECP384R1);
	uint8_t a[32], b[32];
	cr_assert_eq(petrel_prf_export(h.client.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, a, 32), 0);
	cr_assert_eq(petrel_prf_export(h.server.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, b, 32), 0);
	cr_assert_arr_eq(a, b, 32);
	if (strstr(suite, "ECDSA"))
		cr_assert_str_eq(petrel_session_get_signature_name(h.client.session),
				 "ecdsa_secp384r1_sha384");
	if (client_cert) {
		const uint8_t *der;
		size_t len;
		cr_assert_eq(petrel_session_get_peer_certificate(h.server.session, 0, &der, &len), 0);
	}
	cr_assert_eq(harness_echo(&h, "over P-384", 60000), 0);
	harness_free_all(&h);
}

Test(p384, ecdhe_ecdsa_aes256_gcm_sha384_with_a_p384_certificate)
{
	run("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0, false, 201);
}

Test(p384, ecdhe_ecdsa_aes128_gcm_over_p384)
{
	run("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0, false, 202);
}

Test(p384, client_certificate_signs_with_p384)
{
	run("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", PETREL_FLAG_REQUIRE_CLIENT_CERT, true, 203);
}

Test(p384, ecdhe_psk_over_p384)
{
	run("TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", 0, false, 204);
}

/* A server offered only P-384 by a default client picks it: the client
 * lists it among its groups (issue #17: mbedTLS picked it and failed). */
Test(p384, default_client_offers_p384)
{
	petrel_credentials *sc = p384_creds(), *cc = p384_creds();
	struct harness h;
	harness_init(&h, 205, 0, 0, cc, sc);
	only_p384(h.server.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(&h, 20000), 0);
	cr_assert_eq(h.client.session->group, PETREL_GROUP_SECP384R1);
	harness_free_all(&h);
}

/* ---- The peer's whole chain (issue #21 item 5) ---------------------- */

/* Any second certificate: the chain is sent as configured, and the client
 * below pins the leaf, so it need not have signed the leaf. */
static const char second_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBjDCCATOgAwIBAgIUEbCj8f0UnU6sVkr6C5KseNDfoJIwCgYIKoZIzj0EAwIw\n"
	"GzEZMBcGA1UEAwwQbGVhZi5wZXRyZWwudGVzdDAgFw0yNjEyMDYwMDQ2MjBaGA8y\n"
	"MTI2MTExMjAwNDYyMFowGzEZMBcGA1UEAwwQbGVhZi5wZXRyZWwudGVzdDBZMBMG\n"
	"ByqGSM49AgEGCCqGSM49AwEHA0IABGJ0zu5ZN0vF/A0w2j6akRVE8Lcl+sWR6cep\n"
	"lihbyJMZXB/NBbxvuk6ntgZ+YmSFHnXspH9KE7YmaPWOj8+ZtymjUzBRMB0GA1Ud\n"
	"DgQWBBSitbQfN9VHPLb2WSVPHIzjJeqvUzAfBgNVHSMEGDAWgBSitbQfN9VHPLb2\n"
	"WSVPHIzjJeqvUzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIEiS\n"
	"zBAFQaB67uv+uUpN6CZUaUxTD540TB/1pdAZ+onOAiBA8Sb+9imnu326silssSmb\n"
	"+qOvuPgM6K1EvXVzrutICg==\n"
	"-----END CERTIFICATE-----\n";

Test(peer_chain, client_gets_every_certificate_the_server_sent)
{
	char chain[4096];
	snprintf(chain, sizeof chain, "%s%s", p384_cert, second_cert);
	petrel_credentials *sc, *cc = p384_creds();
	cr_assert_eq(petrel_credentials_new(&sc), 0);
	cr_assert_eq(petrel_credentials_set_key_mem(sc, chain, strlen(chain), p384_key, strlen(p384_key)), 0);
	struct harness h;
	harness_init(&h, 210, 0, 0, cc, sc);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), 0);
	uint8_t pin[32];
	cr_assert_eq(petrel_credentials_get_fingerprint(sc, pin), 0);
	cr_assert_eq(petrel_session_set_verify(h.client.session, PETREL_VERIFY_PIN, pin, 32), 0);
	size_t n = 4;
	const uint8_t *der[4];
	size_t len[4];
	cr_assert_eq(petrel_session_get_peer_certificates(h.client.session, der, len, &n),
		     PETREL_E_NO_CERTIFICATE, "nothing before the handshake");
	cr_assert_eq(harness_run_handshake(&h, 20000), 0);
	n = 4;
	cr_assert_eq(petrel_session_get_peer_certificates(h.client.session, der, len, &n), 0);
	cr_assert_eq(n, 2);
	const uint8_t *leaf;
	size_t leaf_len;
	cr_assert_eq(petrel_session_get_peer_certificate(h.client.session, 0, &leaf, &leaf_len), 0);
	cr_assert_eq(der[0], leaf);
	cr_assert_eq(len[0], leaf_len);
	uint8_t fp[32];
	petrel_hash(PETREL_HASH_SHA256, der[0], len[0], fp);
	cr_assert_arr_eq(fp, pin, 32, "leaf first");
	cr_assert_eq(len[1], sc->chain_len[1]);
	cr_assert_arr_eq(der[1], sc->chain_der[1], len[1], "then the second certificate, unchanged");
	/* Too little room: the count needed. */
	n = 1;
	cr_assert_eq(petrel_session_get_peer_certificates(h.client.session, der, len, &n),
		     PETREL_E_SHORT_BUFFER);
	cr_assert_eq(n, 2);
	/* The server got no client certificate. */
	n = 4;
	cr_assert_eq(petrel_session_get_peer_certificates(h.server.session, der, len, &n),
		     PETREL_E_NO_CERTIFICATE);
	harness_free_all(&h);
}
