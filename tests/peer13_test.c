/* The peer's X.509 chain on DTLS 1.3 sessions (issue #20: 1.3 does what
 * 1.2 does): a 1.3 client keeps the server's leaf and whole chain, a
 * server that required a client certificate keeps the client's, the
 * leaf's fingerprint is the one the peer's credentials announce (the
 * WebRTC check after the handshake), a KeyUpdate leaves it alone, and
 * PSK or resumed sessions have none, on 1.3 as on 1.2. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "petrel/petrel.h"
#include "tests/dtls_harness.h"
#include "tests/fixture_creds.h"

static const uint8_t ticket_master[PETREL_TICKET_KEY_LEN] = {
	0x50, 0x13, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

static void only(petrel_session *s, uint8_t version)
{
	s->version_min = version;
	s->version_max = version;
}

/* P-256 leaf + its intermediate (tests/fixtures/x509/ec-*). */
static petrel_credentials *ec_chain_creds(void)
{
	size_t leaf_len, int_len, key_len;
	char chain[16384];
	const char *leaf = fixture_read("ec-leaf.pem", &leaf_len);
	memcpy(chain, leaf, leaf_len);
	const char *inter = fixture_read("ec-int.pem", &int_len);
	memcpy(chain + leaf_len, inter, int_len);
	const char *key = fixture_read("ec-leaf.key", &key_len);
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_key_mem(c, chain, leaf_len + int_len, key, key_len), 0);
	return c;
}

static void pin_to(petrel_session *s, const petrel_credentials *peer)
{
	uint8_t fp[32];
	cr_assert_eq(petrel_credentials_get_fingerprint(peer, fp), 0);
	cr_assert_eq(petrel_session_set_verify(s, PETREL_VERIFY_PIN, fp, 32), 0);
}

/* s holds exactly the chain peer's credentials send, leaf first, through
 * both queries; the leaf's fingerprint is the peer's announced one. */
static void expect_chain_of(const petrel_session *s, const petrel_credentials *peer)
{
	size_t want = peer->chain_count;
	cr_assert_geq(want, 2, "a fixture with an intermediate");
	const uint8_t *der[4];
	size_t len[4], n = 4;
	cr_assert_eq(petrel_session_get_peer_certificates(s, der, len, &n), 0);
	cr_assert_eq(n, want);
	for (size_t i = 0; i < want; i++) {
		cr_assert_eq(len[i], peer->chain_len[i], "certificate %zu", i);
		cr_assert_arr_eq(der[i], peer->chain_der[i], len[i], "certificate %zu as sent", i);
		const uint8_t *one;
		size_t one_len;
		cr_assert_eq(petrel_session_get_peer_certificate(s, i, &one, &one_len), 0);
		cr_assert_eq(one, der[i]);
		cr_assert_eq(one_len, len[i]);
	}
	const uint8_t *none;
	size_t none_len;
	cr_assert_lt(petrel_session_get_peer_certificate(s, want, &none, &none_len), 0);
	n = 1;
	cr_assert_eq(petrel_session_get_peer_certificates(s, der, len, &n), PETREL_E_SHORT_BUFFER);
	cr_assert_eq(n, want, "the count needed");
	cr_assert_eq(petrel_session_peer_uses_raw_key(s), 0);

	uint8_t fp[32], announced[32];
	petrel_hash(PETREL_HASH_SHA256, der[0], len[0], fp);
	cr_assert_eq(petrel_credentials_get_fingerprint(peer, announced), 0);
	cr_assert_arr_eq(fp, announced, 32, "the leaf's SHA-256 is the peer's fingerprint");
	char sdp[160], sdp_announced[160];
	cr_assert_eq(petrel_certificate_fingerprint_sdp(der[0], len[0], sdp, sizeof sdp), 0);
	cr_assert_eq(petrel_credentials_get_fingerprint_sdp(peer, sdp_announced, sizeof sdp_announced), 0);
	cr_assert_str_eq(sdp, sdp_announced, "the SDP line WebRTC compares");
}

static void expect_none(const petrel_session *s)
{
	const uint8_t *der[2];
	size_t len[2], n = 2;
	cr_assert_eq(petrel_session_get_peer_certificates(s, der, len, &n), PETREL_E_NO_CERTIFICATE);
	cr_assert_eq(petrel_session_get_peer_certificate(s, 0, der, len), PETREL_E_NO_CERTIFICATE);
}

Test(peer13, client_keeps_the_servers_whole_chain)
{
	petrel_credentials *sc = ec_chain_creds(), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct harness h;
	harness_init(&h, 1301, 0, 0, cc, sc);
	only(h.client.session, PETREL_V_DTLS13);
	pin_to(h.client.session, sc);
	expect_none(h.client.session); /* nothing before the handshake */
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_3);
	expect_chain_of(h.client.session, sc);
	expect_none(h.server.session); /* no CertificateRequest: no client chain */

	/* A KeyUpdate both ways and application data leave it alone. */
	const uint8_t *before;
	size_t before_len;
	cr_assert_eq(petrel_session_get_peer_certificate(h.client.session, 0, &before, &before_len), 0);
	cr_assert_eq(petrel_handshake(h.client.session), 0);
	cr_assert_eq(harness_echo(&h, "after key update", 60000), 0);
	cr_assert_eq(harness_echo(&h, "once more", 60000), 0);
	expect_chain_of(h.client.session, sc);
	const uint8_t *after;
	size_t after_len;
	cr_assert_eq(petrel_session_get_peer_certificate(h.client.session, 0, &after, &after_len), 0);
	cr_assert_eq(after, before, "the same copy, still valid");
	harness_free_all(&h);
}

Test(peer13, server_requiring_a_client_certificate_keeps_the_clients_chain)
{
	petrel_credentials *sc = ec_chain_creds(), *cc = fixture_rsa_chain_creds();
	struct harness h;
	harness_init(&h, 1302, 0, PETREL_FLAG_REQUIRE_CLIENT_CERT, cc, sc);
	only(h.client.session, PETREL_V_DTLS13);
	pin_to(h.client.session, sc);
	pin_to(h.server.session, cc);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(petrel_session_get_version(h.server.session), PETREL_DTLS1_3);
	expect_chain_of(h.server.session, cc);
	expect_chain_of(h.client.session, sc);
	cr_assert_eq(harness_echo(&h, "both authenticated", 60000), 0);
	expect_chain_of(h.server.session, cc);
	harness_free_all(&h);
}

/* CertificateRequest answered with an empty Certificate (RFC 8446
 * 4.4.2.4): the optional request goes on, the server holds none. */
Test(peer13, server_requesting_gets_none_from_a_client_without_certificate)
{
	petrel_credentials *sc = ec_chain_creds(), *cc;
	cr_assert_eq(petrel_credentials_new(&cc), 0);
	struct harness h;
	harness_init(&h, 1305, 0, PETREL_FLAG_REQUEST_CLIENT_CERT, cc, sc);
	only(h.client.session, PETREL_V_DTLS13);
	pin_to(h.client.session, sc);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(petrel_session_get_version(h.server.session), PETREL_DTLS1_3);
	expect_none(h.server.session);
	expect_chain_of(h.client.session, sc);
	harness_free_all(&h);
}

Test(peer13, psk_session_has_no_certificate)
{
	petrel_credentials *sc = harness_psk_creds(), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 1303, 0, 0, cc, sc);
	only(h.client.session, PETREL_V_DTLS13);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_3);
	expect_none(h.client.session);
	expect_none(h.server.session);
	harness_free_all(&h);
}

/* One connection of the resumption case: the client's session data
 * afterwards in blob (resuming from it when *blob_len was > 0 on entry). */
static void connect_once(petrel_credentials *cc, petrel_credentials *sc, uint8_t version,
			 uint64_t seed, uint8_t *blob, size_t *blob_len, bool expect_resumed)
{
	struct harness h;
	harness_init(&h, seed, 0, 0, cc, sc);
	only(h.client.session, version);
	pin_to(h.client.session, sc);
	if (*blob_len > 0)
		cr_assert_eq(petrel_session_set_data(h.client.session, blob, *blob_len), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(h.client.session->version, version);
	cr_assert_eq(harness_echo(&h, "first", 60000), 0); /* lets the ticket in */
	cr_assert_eq(harness_echo(&h, "second", 60000), 0);
	cr_assert_eq(petrel_session_is_resumed(h.client.session), expect_resumed);
	if (expect_resumed)
		expect_none(h.client.session); /* the resumed handshake carried none */
	else
		expect_chain_of(h.client.session, sc);
	*blob_len = 1024;
	cr_assert_eq(petrel_session_get_data(h.client.session, blob, blob_len), 0);
	harness_free(&h);
}

/* A resumed session answers PETREL_E_NO_CERTIFICATE on 1.3 as on 1.2:
 * the session data keeps no certificate (petrel.h). */
static void resumed_case(uint8_t version, uint64_t seed)
{
	petrel_credentials *sc = ec_chain_creds(), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	cr_assert_eq(petrel_credentials_set_ticket_key(sc, ticket_master, sizeof ticket_master, 3600), 0);
	uint8_t blob[1024];
	size_t blob_len = 0;
	connect_once(cc, sc, version, seed, blob, &blob_len, false);
	connect_once(cc, sc, version, seed + 1, blob, &blob_len, true);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(peer13, resumed_dtls13_session_has_no_certificate)
{
	resumed_case(PETREL_V_DTLS13, 1304);
}

Test(peer13, resumed_dtls12_session_has_no_certificate_either)
{
	resumed_case(PETREL_V_DTLS12, 1306);
}
