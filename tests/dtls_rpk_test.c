/* Raw public keys (RFC 7250): the certificate-type extension and
 * Certificate codecs, the choice of a type, and whole handshakes in
 * memory with a raw server key, a raw client key, pins and refusals. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/messages.h"
#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

static int parse_ext(uint8_t type, const uint8_t *body, size_t len, enum petrel_msg_origin origin,
		     struct petrel_extensions *out)
{
	/* Static: the parsed extensions point into it after we return. */
	static uint8_t block[300];
	cr_assert_leq(len, sizeof block - 4);
	block[0] = 0;
	block[1] = type;
	block[2] = (uint8_t)(len >> 8);
	block[3] = (uint8_t)len;
	if (len > 0)
		memcpy(block + 4, body, len);
	return petrel_extensions_parse(block, len + 4, origin, out);
}

Test(rpk_codec, client_type_list_parses)
{
	static const uint8_t body[] = {2, 2, 0};
	struct petrel_extensions e;
	cr_assert_eq(parse_ext(20, body, sizeof body, PETREL_FROM_CLIENT, &e), 0);
	cr_assert(e.has_server_cert_type);
	cr_assert_eq(e.server_cert_types_len, 2);
	cr_assert_eq(e.server_cert_types[0], PETREL_CERT_TYPE_RAW_PUBLIC_KEY);
}

Test(rpk_codec, empty_client_type_list_is_decode_error)
{
	static const uint8_t body[] = {0};
	struct petrel_extensions e;
	cr_assert_eq(parse_ext(19, body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(rpk_codec, client_type_list_longer_than_body_is_decode_error)
{
	static const uint8_t body[] = {3, 2, 0};
	struct petrel_extensions e;
	cr_assert_eq(parse_ext(19, body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(rpk_codec, server_answer_is_exactly_one_type)
{
	static const uint8_t one[] = {2}, two[] = {2, 0};
	struct petrel_extensions e;
	cr_assert_eq(parse_ext(20, one, sizeof one, PETREL_FROM_SERVER, &e), 0);
	cr_assert_eq(e.server_cert_types_len, 1);
	cr_assert_eq(e.server_cert_types[0], 2);
	cr_assert_eq(parse_ext(20, two, sizeof two, PETREL_FROM_SERVER, &e), PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse_ext(20, NULL, 0, PETREL_FROM_SERVER, &e), PETREL_E_DECODE_ERROR);
}

Test(rpk_codec, extensions_round_trip_both_origins)
{
	static const uint8_t types[] = {2, 0};
	for (int origin = PETREL_FROM_CLIENT; origin <= PETREL_FROM_SERVER; origin++) {
		struct petrel_extensions e = {0}, back;
		e.has_client_cert_type = true;
		e.client_cert_types = types;
		e.client_cert_types_len = origin == PETREL_FROM_SERVER ? 1 : 2;
		e.has_server_cert_type = true;
		e.server_cert_types = types;
		e.server_cert_types_len = e.client_cert_types_len;
		uint8_t buf[64];
		struct petrel_writer w;
		petrel_writer_init(&w, buf, sizeof buf);
		cr_assert_eq(petrel_extensions_write(&w, (enum petrel_msg_origin)origin, &e), 0);
		cr_assert_eq(petrel_extensions_parse(buf + 2, petrel_writer_len(&w) - 2,
						     (enum petrel_msg_origin)origin, &back), 0);
		cr_assert_eq(back.client_cert_types_len, e.client_cert_types_len);
		cr_assert_arr_eq(back.server_cert_types, types, e.server_cert_types_len);
	}
}

Test(rpk_codec, certificate_is_one_spki_without_a_list)
{
	static const uint8_t spki[] = {0x30, 0x03, 0x01, 0x02, 0x03};
	uint8_t buf[16];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_rpk_certificate_write(&w, spki, sizeof spki), 0);
	cr_assert_eq(petrel_writer_len(&w), 3 + sizeof spki);
	cr_assert_eq(buf[2], sizeof spki);
	const uint8_t *got;
	size_t len;
	cr_assert_eq(petrel_rpk_certificate_parse(buf, petrel_writer_len(&w), &got, &len), 0);
	cr_assert_eq(len, sizeof spki);
	cr_assert_arr_eq(got, spki, len);
	cr_assert_eq(petrel_rpk_certificate_parse(buf, petrel_writer_len(&w) - 1, &got, &len),
		     PETREL_E_DECODE_ERROR);
	buf[petrel_writer_len(&w)] = 0;
	cr_assert_eq(petrel_rpk_certificate_parse(buf, petrel_writer_len(&w) + 1, &got, &len),
		     PETREL_E_DECODE_ERROR);
}

Test(rpk_codec, type_choice_prefers_raw_then_x509_else_unsupported_certificate)
{
	static const uint8_t both[] = {0, 2}, x509[] = {0}, raw[] = {2}, openpgp[] = {1};
	uint8_t t;
	cr_assert_eq(petrel_cert_type_choose(both, 2, true, true, &t), 0);
	cr_assert_eq(t, PETREL_CERT_TYPE_RAW_PUBLIC_KEY);
	cr_assert_eq(petrel_cert_type_choose(both, 2, false, true, &t), 0);
	cr_assert_eq(t, PETREL_CERT_TYPE_X509);
	cr_assert_eq(petrel_cert_type_choose(x509, 1, true, false, &t), PETREL_E_CERT_UNSUPPORTED_ALGORITHM);
	cr_assert_eq(petrel_cert_type_choose(raw, 1, false, true, &t), PETREL_E_CERT_UNSUPPORTED_ALGORITHM);
	cr_assert_eq(petrel_cert_type_choose(openpgp, 1, true, true, &t), PETREL_E_CERT_UNSUPPORTED_ALGORITHM);
}

/* ---- whole handshakes ---- */

static petrel_credentials *raw_key_creds(void)
{
	char path[512];
	petrel_credentials *c;
	snprintf(path, sizeof path, "%s/tests/fixtures/x509/ec-leaf.key", PETREL_SRCDIR);
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_raw_key_file(c, path), 0);
	return c;
}

static void pin_server_key(struct harness *h)
{
	uint8_t pin[32];
	cr_assert_eq(petrel_credentials_get_spki_sha256(h->server_creds, pin), 0);
	cr_assert_eq(petrel_session_set_verify(h->client.session, PETREL_VERIFY_PIN_SPKI, pin, 32), 0);
}

Test(rpk_handshake, raw_server_key_pinned_by_spki_sha256)
{
	struct harness h;
	harness_init(&h, 3, 0, 0, harness_psk_creds(), raw_key_creds());
	cr_assert_eq(petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER), 0);
	cr_assert_eq(petrel_session_set_raw_public_keys(h.server.session, PETREL_RPK_SERVER), 0);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), 0);
	pin_server_key(&h);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_peer_uses_raw_key(h.client.session), 1);
	const uint8_t *der, *ours;
	size_t len, ours_len;
	cr_assert_eq(petrel_session_get_peer_certificate(h.client.session, 0, &der, &len), 0);
	cr_assert_eq(petrel_credentials_get_spki(h.server_creds, &ours, &ours_len), 0);
	cr_assert_eq(len, ours_len);
	cr_assert_arr_eq(der, ours, len);
	cr_assert_eq(harness_echo(&h, "over a raw key", 60000), 0);
	harness_free_all(&h);
}

Test(rpk_handshake, full_spki_pin_works_like_its_hash)
{
	struct harness h;
	harness_init(&h, 4, 0, 0, harness_psk_creds(), harness_cert_creds(PETREL_KEYTYPE_ED25519));
	cr_assert_eq(petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER | PETREL_RPK_ONLY), 0);
	cr_assert_eq(petrel_session_set_raw_public_keys(h.server.session, PETREL_RPK_SERVER), 0);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), 0);
	const uint8_t *spki;
	size_t len;
	cr_assert_eq(petrel_credentials_get_spki(h.server_creds, &spki, &len), 0);
	cr_assert_eq(petrel_session_set_verify_spki(h.client.session, spki, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "a server with a certificate sends its key raw when asked");
	cr_assert_eq(petrel_session_peer_uses_raw_key(h.client.session), 1);
	harness_free_all(&h);
}

Test(rpk_handshake, wrong_pin_fails_with_pin_mismatch)
{
	struct harness h;
	harness_init(&h, 5, 0, 0, harness_psk_creds(), raw_key_creds());
	petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER);
	petrel_session_set_raw_public_keys(h.server.session, PETREL_RPK_SERVER);
	petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	uint8_t pin[32] = {1};
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_PIN_SPKI, pin, 32);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.client.handshake_rc, PETREL_E_CERT_PIN_MISMATCH);
	harness_free_all(&h);
}

Test(rpk_handshake, raw_key_without_pin_is_untrusted_under_chain_verification)
{
	struct harness h;
	harness_init(&h, 6, 0, 0, harness_psk_creds(), raw_key_creds());
	petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER);
	petrel_session_set_raw_public_keys(h.server.session, PETREL_RPK_SERVER);
	petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.client.handshake_rc, PETREL_E_CERT_UNTRUSTED);
	harness_free_all(&h);
}

Test(rpk_handshake, raw_only_client_against_x509_only_server_is_unsupported_certificate)
{
	struct harness h;
	harness_init(&h, 7, 0, 0, harness_psk_creds(), harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	petrel_session_set_raw_public_keys(h.client.session, PETREL_RPK_SERVER | PETREL_RPK_ONLY);
	petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_CERT_UNSUPPORTED_ALGORITHM);
	harness_free_all(&h);
}

Test(rpk_handshake, raw_key_only_server_cannot_serve_an_x509_client)
{
	struct harness h;
	harness_init(&h, 8, 0, 0, harness_psk_creds(), raw_key_creds());
	petrel_session_set_raw_public_keys(h.server.session, PETREL_RPK_SERVER);
	petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_NO_COMMON_CIPHER);
	harness_free_all(&h);
}

/* Raw keys both ways (RFC 7250): the server requires the client's, the
 * client pins the server's. */
static void client_raw_key_pair(struct harness *h, uint64_t seed)
{
	harness_init(h, seed, 0, PETREL_FLAG_REQUIRE_CLIENT_CERT, raw_key_creds(),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	petrel_session_set_raw_public_keys(h->client.session, PETREL_RPK_SERVER | PETREL_RPK_CLIENT);
	petrel_session_set_raw_public_keys(h->server.session, PETREL_RPK_SERVER | PETREL_RPK_CLIENT);
	petrel_session_set_ciphers(h->client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	pin_server_key(h);
}

Test(rpk_handshake, client_authenticates_with_a_raw_key)
{
	struct harness h;
	client_raw_key_pair(&h, 9);
	uint8_t client_pin[32];
	cr_assert_eq(petrel_credentials_get_spki_sha256(h.client_creds, client_pin), 0);
	petrel_session_set_verify(h.server.session, PETREL_VERIFY_PIN_SPKI, client_pin, 32);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_peer_uses_raw_key(h.server.session), 1);
	cr_assert_eq(petrel_session_peer_uses_raw_key(h.client.session), 1);
	harness_free_all(&h);
}

Test(rpk_handshake, server_refuses_a_client_key_with_another_pin)
{
	struct harness h;
	client_raw_key_pair(&h, 10);
	uint8_t other[32] = {7};
	petrel_session_set_verify(h.server.session, PETREL_VERIFY_PIN_SPKI, other, 32);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_CERT_PIN_MISMATCH);
	harness_free_all(&h);
}

Test(rpk_api, bad_arguments)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	cr_assert_eq(petrel_session_set_raw_public_keys(s, 8), PETREL_E_INVALID_REQUEST);
	static const uint8_t junk[] = {0x30, 0x01, 0x00};
	cr_assert_eq(petrel_session_set_verify_spki(s, junk, sizeof junk), PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_session_peer_uses_raw_key(s), 0);
	petrel_session_free(s);
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	uint8_t pin[32];
	cr_assert_eq(petrel_credentials_get_spki_sha256(c, pin), PETREL_E_NO_CERTIFICATE);
	cr_assert_eq(petrel_credentials_set_raw_key_mem(c, "junk", 4) < 0, 1);
	petrel_credentials_free(c);
}
