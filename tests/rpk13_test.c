/* Raw public keys (RFC 7250) on DTLS 1.3 sessions (issue #20): whole
 * handshakes in memory with a raw server key (Ed25519, P-256) pinned by
 * the client, raw keys both ways, a wrong pin, a client that takes raw
 * keys only against a server without them, X.509 still chosen when both
 * are offered, the default-version client on 1.3 and falling back to 1.2
 * against a 1.2 server; and the Certificate rules of the 1.3 core. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/messages.h"
#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/hs13.h"
#include "dtls13/rpk13.h"
#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

/* The harness pins its clients to 1.2 (tests/dtls_harness.h): back to
 * the library's default range, decided at the handshake's start. */
static void library_default(petrel_session *s)
{
	s->versions_set = false;
	s->version_min = PETREL_V_DTLS12;
	s->version_max = PETREL_V_DTLS13;
}

static petrel_credentials *raw_key_creds(const char *key_name)
{
	char path[512];
	petrel_credentials *c;
	snprintf(path, sizeof path, "%s/tests/fixtures/x509/%s", PETREL_SRCDIR, key_name);
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_raw_key_file(c, path), 0);
	return c;
}

static petrel_credentials *no_creds(void)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	return c;
}

static void pin_spki_of(petrel_session *s, const petrel_credentials *peer)
{
	uint8_t pin[32];
	cr_assert_eq(petrel_credentials_get_spki_sha256(peer, pin), 0);
	cr_assert_eq(petrel_session_set_verify(s, PETREL_VERIFY_PIN_SPKI, pin, 32), 0);
}

/* A pair whose client keeps the default versions; the server's key is
 * raw (RPK_SERVER on both sides) and pinned by the client. */
static void raw_server_pair(struct harness *h, uint64_t seed, const char *key_name)
{
	harness_init(h, seed, 0, 0, no_creds(), raw_key_creds(key_name));
	library_default(h->client.session);
	cr_assert_eq(petrel_session_set_raw_public_keys(h->client.session, PETREL_RPK_SERVER), 0);
	cr_assert_eq(petrel_session_set_raw_public_keys(h->server.session, PETREL_RPK_SERVER), 0);
	pin_spki_of(h->client.session, h->server_creds);
}

static void expect_version(const struct harness *h, int version)
{
	cr_assert_eq(petrel_session_get_version(h->client.session), version);
	cr_assert_eq(petrel_session_get_version(h->server.session), version);
}

static void expect_peer_spki(petrel_session *s, const petrel_credentials *peer)
{
	const uint8_t *der, *ours;
	size_t len, ours_len;
	cr_assert_eq(petrel_session_peer_uses_raw_key(s), 1);
	cr_assert_eq(petrel_session_get_peer_certificate(s, 0, &der, &len), 0);
	cr_assert_eq(petrel_credentials_get_spki(peer, &ours, &ours_len), 0);
	cr_assert_eq(len, ours_len);
	cr_assert_arr_eq(der, ours, len);
}

static void raw_server_key_case(uint64_t seed, const char *key_name, const char *scheme)
{
	struct harness h;
	raw_server_pair(&h, seed, key_name);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d", h.client.handshake_rc,
		     h.server.handshake_rc);
	expect_version(&h, PETREL_DTLS1_3);
	expect_peer_spki(h.client.session, h.server_creds);
	cr_assert_str_eq(petrel_session_get_signature_name(h.client.session), scheme);
	cr_assert_eq(petrel_session_peer_uses_raw_key(h.server.session), 0);
	cr_assert_eq(harness_echo(&h, "over a raw key on dtls 1.3", 60000), 0);
	harness_free_all(&h);
}

Test(rpk13_handshake, ed25519_server_key_pinned_by_spki_sha256)
{
	raw_server_key_case(1, "ed-leaf.key", "ed25519");
}

Test(rpk13_handshake, p256_server_key_pinned_by_spki_sha256)
{
	raw_server_key_case(2, "ec-leaf.key", "ecdsa_secp256r1_sha256");
}

Test(rpk13_handshake, rsa_server_key_signs_with_rsa_pss)
{
	raw_server_key_case(13, "rsa-leaf.key", "rsa_pss_rsae_sha256");
}

Test(rpk13_handshake, whole_spki_pin_and_raw_only_client)
{
	struct harness h;
	harness_init(&h, 3, 0, 0, no_creds(), harness_cert_creds(PETREL_KEYTYPE_ED25519));
	library_default(h.client.session);
	petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER | PETREL_RPK_ONLY);
	petrel_session_set_raw_public_keys(h.server.session, PETREL_RPK_SERVER);
	const uint8_t *spki;
	size_t len;
	cr_assert_eq(petrel_credentials_get_spki(h.server_creds, &spki, &len), 0);
	cr_assert_eq(petrel_session_set_verify_spki(h.client.session, spki, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0,
		     "a server with a certificate sends its key raw when asked");
	expect_version(&h, PETREL_DTLS1_3);
	expect_peer_spki(h.client.session, h.server_creds);
	harness_free_all(&h);
}

/* Raw keys both ways: the server requires the client's and pins it. */
static void mutual_pair(struct harness *h, uint64_t seed)
{
	harness_init(h, seed, 0, PETREL_FLAG_REQUIRE_CLIENT_CERT, raw_key_creds("ed-leaf.key"),
		     raw_key_creds("ec-leaf.key"));
	library_default(h->client.session);
	unsigned both = PETREL_RPK_SERVER | PETREL_RPK_CLIENT;
	petrel_session_set_raw_public_keys(h->client.session, both);
	petrel_session_set_raw_public_keys(h->server.session, both);
	pin_spki_of(h->client.session, h->server_creds);
	pin_spki_of(h->server.session, h->client_creds);
}

Test(rpk13_handshake, client_authenticates_with_a_raw_key)
{
	struct harness h;
	mutual_pair(&h, 4);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d", h.client.handshake_rc,
		     h.server.handshake_rc);
	expect_version(&h, PETREL_DTLS1_3);
	expect_peer_spki(h.client.session, h.server_creds);
	expect_peer_spki(h.server.session, h.client_creds);
	cr_assert_eq(harness_echo(&h, "raw keys both ways", 60000), 0);
	harness_free_all(&h);
}

Test(rpk13_handshake, server_refuses_a_client_key_with_another_pin)
{
	struct harness h;
	mutual_pair(&h, 5);
	uint8_t other[32] = {7};
	petrel_session_set_verify(h.server.session, PETREL_VERIFY_PIN_SPKI, other, 32);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_CERT_PIN_MISMATCH);
	harness_free_all(&h);
}

Test(rpk13_handshake, wrong_pin_fails_with_pin_mismatch_as_on_dtls12)
{
	struct harness h;
	raw_server_pair(&h, 6, "ec-leaf.key");
	uint8_t pin[32] = {1};
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_PIN_SPKI, pin, 32);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.client.handshake_rc, PETREL_E_CERT_PIN_MISMATCH);
	cr_assert_eq(h.client.session->version, PETREL_V_DTLS13);
	harness_free_all(&h);
}

Test(rpk13_handshake, raw_key_without_pin_is_untrusted_under_chain_verification)
{
	struct harness h;
	raw_server_pair(&h, 7, "ec-leaf.key");
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_CHAIN, NULL, 0);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.client.handshake_rc, PETREL_E_CERT_UNTRUSTED);
	harness_free_all(&h);
}

Test(rpk13_handshake, raw_only_client_against_x509_only_server_is_unsupported_certificate)
{
	struct harness h;
	harness_init(&h, 8, 0, 0, no_creds(), harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	library_default(h.client.session);
	petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER | PETREL_RPK_ONLY);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	/* RFC 7250 4.2: the server aborts with unsupported_certificate (43,
	 * rpk13_core below), in the clear after its cookie exchange; the
	 * client names that unprotected alert at its timeout only (as
	 * no_application_protocol, tests/dtls13_ext13_test.c). */
	cr_assert_eq(h.server.handshake_rc, PETREL_E_CERT_UNSUPPORTED_ALGORITHM);
	cr_assert(!h.client.done && !h.server.done);
	cr_assert_eq(h.client.session->version, PETREL_V_DTLS13);
	harness_free_all(&h);
}

Test(rpk13_handshake, client_offering_both_gets_x509_from_an_x509_only_server)
{
	struct harness h;
	harness_init(&h, 9, 0, 0, no_creds(), harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	library_default(h.client.session);
	petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER);
	pin_spki_of(h.client.session, h.server_creds); /* a certificate's SPKI pins too */
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d", h.client.handshake_rc,
		     h.server.handshake_rc);
	expect_version(&h, PETREL_DTLS1_3);
	cr_assert_eq(petrel_session_peer_uses_raw_key(h.client.session), 0);
	cr_assert_eq(h.client.session->server_cert_type, PETREL_CERT_TYPE_X509);
	harness_free_all(&h);
}

/* A PSK handshake sends no Certificate: a raw-keys-only client does not
 * miss the server's answer then (RFC 8446 2.2). */
Test(rpk13_handshake, psk_handshake_needs_no_certificate_type)
{
	struct harness h;
	petrel_credentials *sc = harness_psk_creds();
	char path[512];
	snprintf(path, sizeof path, "%s/tests/fixtures/x509/ec-leaf.key", PETREL_SRCDIR);
	cr_assert_eq(petrel_credentials_set_raw_key_file(sc, path), 0);
	harness_init(&h, 14, 0, 0, harness_psk_creds(), sc);
	library_default(h.client.session);
	petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER | PETREL_RPK_ONLY);
	petrel_session_set_raw_public_keys(h.server.session, PETREL_RPK_SERVER);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d", h.client.handshake_rc,
		     h.server.handshake_rc);
	expect_version(&h, PETREL_DTLS1_3);
	cr_assert_not_null(petrel_session_get_psk_identity(h.server.session));
	cr_assert_eq(petrel_session_peer_uses_raw_key(h.client.session), 0);
	harness_free_all(&h);
}

Test(rpk13_versions, default_client_falls_back_to_dtls12_against_a_dtls12_server)
{
	struct harness h;
	raw_server_pair(&h, 10, "ec-leaf.key");
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d", h.client.handshake_rc,
		     h.server.handshake_rc);
	expect_version(&h, PETREL_DTLS1_2);
	expect_peer_spki(h.client.session, h.server_creds);
	cr_assert_eq(harness_echo(&h, "fell back with a raw key", 60000), 0);
	harness_free_all(&h);
}

Test(rpk13_versions, mutual_raw_keys_fall_back_to_dtls12_too)
{
	struct harness h;
	mutual_pair(&h, 11);
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d", h.client.handshake_rc,
		     h.server.handshake_rc);
	expect_version(&h, PETREL_DTLS1_2);
	expect_peer_spki(h.client.session, h.server_creds);
	expect_peer_spki(h.server.session, h.client_creds);
	harness_free_all(&h);
}

Test(rpk13_versions, dtls13_only_server_serves_a_default_raw_key_client)
{
	struct harness h;
	raw_server_pair(&h, 12, "ed-leaf.key");
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	expect_version(&h, PETREL_DTLS1_3);
	expect_peer_spki(h.client.session, h.server_creds);
	harness_free_all(&h);
}

/* ---- the core's rules ---- */

static struct petrel_rpk13 raw_peer_state(void)
{
	struct petrel_rpk13 r;
	memset(&r, 0, sizeof r);
	r.server_type = PETREL_CERT_TYPE_RAW_PUBLIC_KEY;
	r.verify_mode = PETREL_VERIFY_NONE;
	return r;
}

static size_t certificate_body(uint8_t *buf, size_t cap, const uint8_t *const *certs,
			       const size_t *lens, size_t count)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	cr_assert_eq(petrel_certificate13_write(&w, NULL, 0, certs, lens, count), 0);
	return petrel_writer_len(&w);
}

Test(rpk13_core, raw_certificate_is_one_entry_without_extensions)
{
	petrel_credentials *c = raw_key_creds("ec-leaf.key");
	const uint8_t *spki;
	size_t spki_len;
	cr_assert_eq(petrel_credentials_get_spki(c, &spki, &spki_len), 0);
	struct petrel_rpk13 r = raw_peer_state();
	struct petrel_hs13_verifier v = {0};
	struct petrel_hs13_peer_chain pc = {0};
	const uint8_t *certs[2] = {spki, spki};
	size_t lens[2] = {spki_len, spki_len};
	uint8_t body[600];
	size_t n = certificate_body(body, sizeof body, certs, lens, 1);
	cr_assert_eq(petrel_rpk13_take_certificate(&r, true, &pc, body, n, NULL, 0, &v), 0);
	cr_assert_eq(pc.count, 1);
	cr_assert_eq(pc.key.type, PETREL_KEY_EC_P256);
	n = certificate_body(body, sizeof body, certs, lens, 2);
	cr_assert_eq(petrel_rpk13_take_certificate(&r, true, &pc, body, n, NULL, 0, &v),
		     PETREL_E_BAD_CERTIFICATE);
	n = certificate_body(body, sizeof body, certs, lens, 0);
	cr_assert_eq(petrel_rpk13_take_certificate(&r, true, &pc, body, n, NULL, 0, &v),
		     PETREL_E_NO_CERTIFICATE);
	/* One entry whose extensions are not empty: context 0, list length,
	 * cert_data, then a 4-byte extension block. */
	struct petrel_writer w;
	struct petrel_len_scope list;
	petrel_writer_init(&w, body, sizeof body);
	petrel_put_u8(&w, 0);
	petrel_put_len_open(&w, 3, &list);
	petrel_put_opaque24(&w, spki, spki_len);
	static const uint8_t ext[] = {0, 4, 0, 0, 0, 0};
	petrel_put_bytes(&w, ext, sizeof ext);
	petrel_put_len_close(&w, &list);
	cr_assert(petrel_writer_ok(&w));
	cr_assert_eq(petrel_rpk13_take_certificate(&r, true, &pc, body, petrel_writer_len(&w), NULL,
						   0, &v),
		     PETREL_E_UNSUPPORTED_EXTENSION);
	/* Not an SPKI. */
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
	const uint8_t *junk_cert[1] = {junk};
	size_t junk_len[1] = {sizeof junk};
	n = certificate_body(body, sizeof body, junk_cert, junk_len, 1);
	cr_assert_lt(petrel_rpk13_take_certificate(&r, true, &pc, body, n, NULL, 0, &v), 0);
	petrel_hs13_peer_chain_free(&pc);
	petrel_credentials_free(c);
}

Test(rpk13_core, raw_only_client_refuses_encrypted_extensions_without_an_answer)
{
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.rpk.policy.flags = PETREL_RPK_SERVER | PETREL_RPK_ONLY;
	/* A server that ignored server_certificate_type sends X.509. */
	cr_assert_eq(petrel_rpk13_client_check(&cfg, NULL, 0, true), PETREL_E_CERT_UNSUPPORTED_ALGORITHM);
	cr_assert_eq(petrel_rpk13_alert(PETREL_E_CERT_UNSUPPORTED_ALGORITHM), 43);
	/* A PSK handshake sends no Certificate: nothing to refuse. */
	cr_assert_eq(petrel_rpk13_client_check(&cfg, NULL, 0, false), 0);
	/* An answer we never asked for (no RPK_CLIENT offer). */
	static const uint8_t client_answer[] = {0, 19, 0, 1, 2};
	cr_assert_eq(petrel_rpk13_client_check(&cfg, client_answer, sizeof client_answer, true),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* A raw answer. */
	static const uint8_t server_answer[] = {0, 20, 0, 1, 2};
	cr_assert_eq(petrel_rpk13_client_check(&cfg, server_answer, sizeof server_answer, true), 0);
	cr_assert_eq(cfg.rpk.server_type, PETREL_CERT_TYPE_RAW_PUBLIC_KEY);
}

Test(rpk13_core, client_hello_lists_are_the_dtls12_clients)
{
	struct petrel_rpk13 r;
	memset(&r, 0, sizeof r);
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_rpk13_client_hello_ext(&r, &w), 0);
	cr_assert_eq(petrel_writer_len(&w), 0, "no raw keys: no extension");
	r.policy.flags = PETREL_RPK_SERVER | PETREL_RPK_CLIENT;
	r.policy.have_creds = r.policy.have_key = r.policy.have_raw = true;
	cr_assert_eq(petrel_rpk13_client_hello_ext(&r, &w), 0);
	/* client_certificate_type [RawPublicKey] (no chain for X.509), then
	 * server_certificate_type [RawPublicKey, X.509]. */
	static const uint8_t want[] = {0, 19, 0, 2, 1, 2, 0, 20, 0, 3, 2, 2, 0};
	cr_assert_eq(petrel_writer_len(&w), sizeof want);
	cr_assert_arr_eq(buf, want, sizeof want);
}
