/* DTLS 1.3 sessions end to end (issue #20): a Petrel client and server
 * over the simulated network through the public API, with certificates
 * and with an external PSK, application data both ways, KeyUpdate,
 * close_notify, and a lossy network (ACKs and retransmission). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/engine13.h"
#include "tests/dtls_harness.h"
#include "tests/fixture_creds.h"

static void only13(petrel_session *s)
{
	s->version_min = PETREL_V_DTLS13;
	s->version_max = PETREL_V_DTLS13;
}

static void run_pair(struct harness *h, bool verify_none)
{
	only13(h->client.session);
	if (verify_none)
		petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(h, 60000), 0, "client %d server %d",
		     h->client.handshake_rc, h->server.handshake_rc);
	cr_assert_eq(h->client.session->version, PETREL_V_DTLS13);
	cr_assert_eq(h->server.session->version, PETREL_V_DTLS13);
	cr_assert_str_eq(petrel_session_get_cipher_name(h->client.session), "TLS_AES_128_GCM_SHA256");
	cr_assert_eq(petrel_session_get_cipher_id(h->server.session), 0x1301);
	cr_assert_eq(harness_echo(h, "hello dtls 1.3", 60000), 0);
	cr_assert_eq(harness_echo(h, "and again", 60000), 0);
}

static void cert_case(int keytype, unsigned server_flags, uint64_t seed)
{
	struct harness h;
	petrel_credentials *sc = harness_cert_creds(keytype);
	petrel_credentials *cc = harness_cert_creds(keytype);
	harness_init(&h, seed, 0, server_flags, cc, sc);
	petrel_session_set_verify(h.server.session, PETREL_VERIFY_NONE, NULL, 0);
	run_pair(&h, true);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_engine, ecdsa_p256_with_cookie)
{
	cert_case(PETREL_KEYTYPE_ECDSA_P256, 0, 1);
}

Test(dtls13_engine, ecdsa_p256_no_cookie)
{
	cert_case(PETREL_KEYTYPE_ECDSA_P256, PETREL_FLAG_NO_COOKIE, 2);
}

Test(dtls13_engine, ed25519)
{
	cert_case(PETREL_KEYTYPE_ED25519, 0, 3);
}

Test(dtls13_engine, client_certificate_required)
{
	cert_case(PETREL_KEYTYPE_ECDSA_P256, PETREL_FLAG_REQUIRE_CLIENT_CERT, 4);
}

Test(dtls13_engine, external_psk)
{
	struct harness h;
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	harness_init(&h, 5, 0, 0, cc, sc);
	run_pair(&h, false);
	cr_assert_str_eq(petrel_session_get_psk_identity(h.server.session), "device-1");
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_engine, key_update_from_client_and_close)
{
	struct harness h;
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	harness_init(&h, 6, 0, 0, cc, sc);
	run_pair(&h, false);
	/* RFC 9147 8: the client's petrel_handshake is a KeyUpdate asking
	 * the server to update too; a server's call does nothing. */
	cr_assert_eq(petrel_handshake(h.server.session), 0);
	cr_assert_eq(petrel_handshake(h.client.session), 0);
	cr_assert_eq(harness_echo(&h, "after key update", 60000), 0);
	cr_assert_eq(harness_echo(&h, "once more", 60000), 0);
	cr_assert_eq(petrel_engine13_write_epoch(h.client.session), 4);
	cr_assert_eq(petrel_engine13_read_epoch(h.server.session), 4);
	cr_assert_eq(petrel_engine13_write_epoch(h.server.session), 4);
	cr_assert_eq(petrel_engine13_read_epoch(h.client.session), 4);
	cr_assert_eq(petrel_bye(h.client.session), 0);
	char buf[64];
	long n = PETREL_E_AGAIN;
	for (int i = 0; i < 100 && n == PETREL_E_AGAIN; i++) {
		simnet_advance_to(h.net, simnet_now(h.net) + 10);
		n = petrel_record_recv(h.server.session, buf, sizeof buf);
	}
	cr_assert_eq(n, 0, "server read %ld after close_notify", n);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_engine, lossy_network)
{
	unsigned seeds = harness_seeds(20);
	for (unsigned seed = 100; seed < 100 + seeds; seed++) {
		struct harness h;
		petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
		petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
		harness_init(&h, seed, 0, 0, cc, sc);
		struct simnet_rules rules = {.drop_per_million = 300000, .delay_ms = 20};
		simnet_set_rules(h.net, 0, &rules);
		simnet_set_rules(h.net, 1, &rules);
		run_pair(&h, true);
		harness_free(&h);
		petrel_credentials_free(sc);
		petrel_credentials_free(cc);
	}
}

Test(dtls13_engine, rsa_pss_small_mtu_lossy)
{
	unsigned seeds = harness_seeds(10);
	for (unsigned seed = 200; seed < 200 + seeds; seed++) {
		struct harness h;
		petrel_credentials *sc = fixture_rsa_chain_creds(), *cc = harness_psk_creds();
		harness_init(&h, seed, 0, 0, cc, sc);
		petrel_dtls_set_mtu(h.client.session, 500);
		petrel_dtls_set_mtu(h.server.session, 500);
		struct simnet_rules rules = {.drop_per_million = seed == 200 ? 0 : 200000,
					     .delay_ms = 10, .max_datagram = 500 - 28};
		simnet_set_rules(h.net, 0, &rules);
		simnet_set_rules(h.net, 1, &rules);
		run_pair(&h, true);
		cr_assert_leq(h.server.largest_sent, 500 - 28);
		harness_free(&h);
		petrel_credentials_free(sc);
		petrel_credentials_free(cc);
	}
}

/* A forged plaintext ServerHello (a DTLS 1.2 one, which this 1.3-only
 * client refuses) reaching the client before the genuine one must not
 * end the handshake: it is dropped like an invalid record. */
static void inject_forged_sh(struct harness_end *end, const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	if (end->datagrams_sent != 1)
		return;
	uint8_t d[13 + 12 + 38] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12 + 38,
				   2, 0, 0, 38, 0, 0, 0, 0, 0, 0, 0, 38, 0xfe, 0xfd};
	d[13 + 12 + 2 + 32] = 0;    /* legacy_session_id */
	d[13 + 12 + 2 + 33] = 0xc0; /* a DTLS 1.2 suite */
	d[13 + 12 + 2 + 34] = 0x2b;
	d[13 + 12 + 2 + 35] = 0;    /* compression */
	simnet_send(end->h->net, 1, d, sizeof d);
}

Test(dtls13_engine, forged_plaintext_server_hello_dropped)
{
	struct harness h;
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	harness_init(&h, 7, 0, 0, cc, sc);
	h.client.on_send = inject_forged_sh;
	run_pair(&h, false);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* A client allowing 1.2 and 1.3 offers both (supported_versions) and a
 * ClientHello a 1.2 server can take; it ends in the highest version the
 * server allows. */
static void fallback_case(unsigned server_flags, uint8_t server_max, uint64_t seed,
			  unsigned expect_version, bool psk)
{
	struct harness h;
	petrel_credentials *sc = psk ? harness_psk_creds() : harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = psk ? harness_psk_creds() : harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(&h, seed, 0, server_flags, cc, sc);
	h.client.session->version_min = PETREL_V_DTLS12;
	h.client.session->version_max = PETREL_V_DTLS13;
	h.server.session->version_max = server_max;
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(h.client.session->version, expect_version);
	cr_assert_eq(h.server.session->version, expect_version);
	cr_assert_eq(harness_echo(&h, "negotiated", 60000), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_engine, both_offered_to_13_server)
{
	fallback_case(0, PETREL_V_DTLS13, 20, PETREL_V_DTLS13, false);
}

Test(dtls13_engine, fallback_after_hello_verify_request)
{
	fallback_case(0, PETREL_V_DTLS12, 21, PETREL_V_DTLS12, false);
}

Test(dtls13_engine, fallback_on_server_hello)
{
	fallback_case(PETREL_FLAG_NO_COOKIE, PETREL_V_DTLS12, 22, PETREL_V_DTLS12, false);
}

Test(dtls13_engine, fallback_on_server_hello_psk)
{
	fallback_case(PETREL_FLAG_NO_COOKIE, PETREL_V_DTLS12, 23, PETREL_V_DTLS12, true);
}
