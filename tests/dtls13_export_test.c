/* What WebRTC needs from a DTLS 1.3 session, as it has it on 1.2: the
 * exporter (RFC 8446 7.5) through petrel_prf_export, DTLS-SRTP (RFC 5764:
 * use_srtp in ClientHello and EncryptedExtensions, SRTP keys from the 1.3
 * exporter), and the PSK key exchange modes (RFC 8446 4.2.9). Known
 * answers come from an independent HKDF (Python hmac/hashlib) with the
 * "dtls13" label prefix (RFC 9147 5.9); whole sessions run in memory over
 * the simulated network with fixed seeds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/messages.h"
#include "dtls/session.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/export13_psk.h"
#include "dtls13/keyschedule.h"
#include "dtls13/messages13.h"
#include "dtls13/srtp13.h"
#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

static void unhex(const char *h, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		cr_assert_eq(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	cr_assert_eq(strlen(h), 2 * len);
}

static void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t w[128];
	cr_assert_leq(len, sizeof w);
	unhex(want, w, len);
	cr_assert_arr_eq(got, w, len);
}

/* ---- sessions ---- */

static void only13(petrel_session *s)
{
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
}

static void cert_pair(struct harness *h, uint64_t seed)
{
	harness_init(h, seed, 0, 0, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	only13(h->client.session);
	only13(h->server.session);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_session_set_verify(h->server.session, PETREL_VERIFY_NONE, NULL, 0);
}

static void psk_pair(struct harness *h, uint64_t seed)
{
	harness_init(h, seed, 0, 0, harness_psk_creds(), harness_psk_creds());
	only13(h->client.session);
	only13(h->server.session);
}

static void handshake(struct harness *h)
{
	cr_assert_eq(harness_run_handshake(h, 60000), 0, "client %d server %d",
		     h->client.handshake_rc, h->server.handshake_rc);
	cr_assert_eq(petrel_session_get_version(h->client.session), PETREL_DTLS1_3);
	cr_assert_eq(petrel_session_get_version(h->server.session), PETREL_DTLS1_3);
}

/* ---- exporter ---- */

#define EM256 "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
#define EM384                                                                                      \
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"                         \
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"

/* One known answer: 32 bytes of EXPORTER-Test from secret em, context
 * ctx (NULL: none). */
static void assert_export(enum petrel_hash_alg hash, const uint8_t *em, const char *ctx, const char *want)
{
	uint8_t out[32];
	cr_assert_eq(petrel_dtls13_export(hash, PETREL_DTLS13_LABEL_PREFIX, em, "EXPORTER-Test",
					  (const uint8_t *)ctx, ctx ? strlen(ctx) : 0, out, 32),
		     0);
	assert_hex(out, 32, want);
}

Test(dtls13_export, known_answers_sha256_and_sha384_dtls13_prefix)
{
	uint8_t em[48];
	unhex(EM256, em, 32);
	assert_export(PETREL_HASH_SHA256, em, NULL,
		      "7c81f5b395d5ed6fbbc4872d315193bfd50ea94e2fe0785f648d9abaff9eed3e");
	assert_export(PETREL_HASH_SHA256, em, "petrel",
		      "3d359002a8d439ae14f433147b285fa3a2bf55b7536930554fd648f623bf8e38");
	unhex(EM384, em, 48);
	assert_export(PETREL_HASH_SHA384, em, NULL,
		      "2607c212d07acbe4066a4c02dc10374e4705e519e2af9ebc0d0f9c8988aabcae");
	assert_export(PETREL_HASH_SHA384, em, "petrel",
		      "0a3643d4075241cb307837702e2bb43d3edd3d2ea279bb9e00014576a5861f79");
}

/* The public call on an established 1.3 session, its exporter secret
 * replaced by the known one: the whole path (petrel_prf_export ->
 * dtls13) gives the known answers, with RFC 8446 7.5's context rule. */
Test(dtls13_export, public_call_gives_known_answers_on_a_13_session)
{
	struct harness h;
	cert_pair(&h, 101);
	handshake(&h);
	petrel_session *s = h.client.session;
	cr_assert_eq(s->d13->exporter_len, 32);
	unhex(EM256, s->d13->exporter_master, 32);
	uint8_t out[64], again[64];
	cr_assert_eq(petrel_prf_export(s, "EXPORTER-Test", NULL, 0, 0, out, 32), 0);
	assert_hex(out, 32, "7c81f5b395d5ed6fbbc4872d315193bfd50ea94e2fe0785f648d9abaff9eed3e");
	/* No context and an empty context are the same in TLS 1.3. */
	cr_assert_eq(petrel_prf_export(s, "EXPORTER-Test", (const uint8_t *)"", 0, 1, again, 32), 0);
	cr_assert_arr_eq(out, again, 32);
	/* use_context 0 ignores a context given anyway. */
	cr_assert_eq(petrel_prf_export(s, "EXPORTER-Test", (const uint8_t *)"petrel", 6, 0, again, 32),
		     0);
	cr_assert_arr_eq(out, again, 32);
	cr_assert_eq(petrel_prf_export(s, "EXPORTER-Test", (const uint8_t *)"petrel", 6, 1, out, 32),
		     0);
	assert_hex(out, 32, "3d359002a8d439ae14f433147b285fa3a2bf55b7536930554fd648f623bf8e38");
	/* DTLS-SRTP's material is this exporter with its label, no context. */
	s->srtp = NULL;
	cr_assert_eq(petrel_prf_export(s, "EXTRACTOR-dtls_srtp", NULL, 0, 0, out, 60), 0);
	assert_hex(out, 60,
		   "90266e6f984f2085943d2899501ad50d06b7e1d74f2647d8f4c849982d86c32a8a9e425b8e1f"
		   "ac6ae2498e253a234ca8b5ddfa0f9bdac7e539cd47f9");
	harness_free_all(&h);
}

static void assert_both_export_equal(struct harness *h)
{
	uint8_t c[100], sv[100], other[100];
	static const size_t lens[] = {1, 32, 100};
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(petrel_prf_export(h->client.session, "EXPORTER-Test", NULL, 0, 0, c,
					       lens[i]),
			     0);
		cr_assert_eq(petrel_prf_export(h->server.session, "EXPORTER-Test", NULL, 0, 0, sv,
					       lens[i]),
			     0);
		cr_assert_arr_eq(c, sv, lens[i], "length %zu", lens[i]);
	}
	cr_assert_eq(petrel_prf_export(h->client.session, "EXPORTER-Test",
				       (const uint8_t *)"ctx", 3, 1, c, 32),
		     0);
	cr_assert_eq(petrel_prf_export(h->server.session, "EXPORTER-Test",
				       (const uint8_t *)"ctx", 3, 1, sv, 32),
		     0);
	cr_assert_arr_eq(c, sv, 32);
	/* Context and label each change the value. */
	cr_assert_eq(petrel_prf_export(h->server.session, "EXPORTER-Test", NULL, 0, 0, other, 32), 0);
	cr_assert(memcmp(other, sv, 32) != 0);
	cr_assert_eq(petrel_prf_export(h->server.session, "EXPORTER-Other", (const uint8_t *)"ctx", 3,
				       1, other, 32),
		     0);
	cr_assert(memcmp(other, sv, 32) != 0);
}

Test(dtls13_export, both_ends_export_the_same_values_certificates)
{
	struct harness h;
	cert_pair(&h, 102);
	handshake(&h);
	assert_both_export_equal(&h);
	/* The session still carries data after exporting. */
	cr_assert_eq(harness_echo(&h, "after export", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_export, both_ends_export_the_same_values_psk)
{
	struct harness h;
	psk_pair(&h, 103);
	handshake(&h);
	assert_both_export_equal(&h);
	harness_free_all(&h);
}

Test(dtls13_export, refused_before_the_handshake_and_for_bad_arguments)
{
	struct harness h;
	cert_pair(&h, 105);
	uint8_t out[32];
	cr_assert_eq(petrel_prf_export(h.client.session, "EXPORTER-Test", NULL, 0, 0, out, 32),
		     PETREL_E_INVALID_REQUEST);
	handshake(&h);
	/* HkdfLabel.label: "dtls13" + label, at most 255 bytes. */
	char label[251];
	memset(label, 'a', sizeof label - 1);
	label[250] = '\0';
	cr_assert_eq(petrel_prf_export(h.client.session, label, NULL, 0, 0, out, 32),
		     PETREL_E_INVALID_REQUEST);
	label[249] = '\0';
	cr_assert_eq(petrel_prf_export(h.client.session, label, NULL, 0, 0, out, 32), 0);
	/* HKDF-Expand: at most 255 * HashLen bytes. */
	static uint8_t big[255 * 32 + 1];
	cr_assert_eq(petrel_prf_export(h.client.session, "EXPORTER-Test", NULL, 0, 0, big,
				       sizeof big),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_prf_export(h.client.session, "EXPORTER-Test", NULL, 0, 0, big,
				       sizeof big - 1),
		     0);
	cr_assert_eq(petrel_prf_export(h.client.session, NULL, NULL, 0, 0, out, 32),
		     PETREL_E_INVALID_REQUEST);
	harness_free_all(&h);
}

/* ---- use_srtp codec (msg_ext13.c) ---- */

Test(dtls13_srtp_codec, client_offer_round_trips)
{
	static const uint16_t profiles[] = {0x0007, 0x0001};
	static const uint8_t mki[] = {0xab, 0xcd};
	uint8_t buf[32];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_use_srtp_write(&w, profiles, 2, mki, 2), 0);
	static const uint8_t want[] = {0x00, 0x04, 0x00, 0x07, 0x00, 0x01, 0x02, 0xab, 0xcd};
	cr_assert_eq(petrel_writer_len(&w), sizeof want);
	cr_assert_arr_eq(buf, want, sizeof want);
	struct petrel_extensions e;
	memset(&e, 0, sizeof e);
	cr_assert_eq(petrel_ext13_use_srtp_parse(buf, sizeof want, false, &e), 0);
	cr_assert(e.has_use_srtp);
	cr_assert_eq(e.srtp_profiles_len, 4);
	cr_assert_eq(e.srtp_mki_len, 2);
	/* A server answers one profile only. */
	memset(&e, 0, sizeof e);
	cr_assert_eq(petrel_ext13_use_srtp_parse(buf, sizeof want, true, &e),
		     PETREL_E_ILLEGAL_PARAMETER);
}

Test(dtls13_srtp_codec, malformed_bodies_are_decode_errors)
{
	static const uint8_t empty_list[] = {0x00, 0x00, 0x00};
	static const uint8_t odd_list[] = {0x00, 0x03, 0x00, 0x01, 0x00, 0x00};
	static const uint8_t short_list[] = {0x00, 0x06, 0x00, 0x01, 0x00};
	static const uint8_t no_mki[] = {0x00, 0x02, 0x00, 0x01};
	static const uint8_t short_mki[] = {0x00, 0x02, 0x00, 0x01, 0x03, 0xaa};
	static const uint8_t trailing[] = {0x00, 0x02, 0x00, 0x01, 0x00, 0x00};
	const struct {
		const uint8_t *p;
		size_t n;
	} cases[] = {{empty_list, sizeof empty_list}, {odd_list, sizeof odd_list},
		     {short_list, sizeof short_list}, {no_mki, sizeof no_mki},
		     {short_mki, sizeof short_mki},   {trailing, sizeof trailing},
		     {NULL, 0}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct petrel_extensions e;
		memset(&e, 0, sizeof e);
		cr_assert_eq(petrel_ext13_use_srtp_parse(cases[i].p, cases[i].n, false, &e),
			     PETREL_E_DECODE_ERROR, "case %zu", i);
		cr_assert(!e.has_use_srtp);
	}
}

Test(dtls13_srtp_codec, writer_refuses_out_of_bounds_arguments)
{
	uint8_t buf[8];
	struct petrel_writer w;
	static const uint16_t one = 1;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_use_srtp_write(&w, &one, 0, NULL, 0), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_ext13_use_srtp_write(&w, &one, 1, NULL, 3), PETREL_E_INVALID_REQUEST);
	static const uint8_t mki[16] = {0};
	cr_assert_eq(petrel_ext13_use_srtp_write(&w, &one, 1, mki, sizeof mki),
		     PETREL_E_SHORT_BUFFER);
}

/* ---- use_srtp rules of the 1.3 handshake (srtp13.c) ---- */

/* An extension block holding one use_srtp with the given body. */
static size_t srtp_block(const uint8_t *body, size_t len, uint8_t *out)
{
	out[0] = 0x00;
	out[1] = 14;
	out[2] = 0;
	out[3] = (uint8_t)len;
	memcpy(out + 4, body, len);
	return len + 4;
}

Test(dtls13_srtp_rules, client_refuses_what_it_did_not_offer)
{
	struct petrel_srtp_state cfg = {.profiles = {0x0001, 0x0007}, .profile_count = 2,
					.mki_len = 1, .mki = {0x42}};
	struct petrel_srtp13 res;
	uint8_t alert, block[64];
	static const uint8_t chosen_7[] = {0x00, 0x02, 0x00, 0x07, 0x00};
	static const uint8_t chosen_2[] = {0x00, 0x02, 0x00, 0x02, 0x00};
	static const uint8_t other_mki[] = {0x00, 0x02, 0x00, 0x01, 0x01, 0x43};
	static const uint8_t same_mki[] = {0x00, 0x02, 0x00, 0x01, 0x01, 0x42};
	static const uint8_t two[] = {0x00, 0x04, 0x00, 0x01, 0x00, 0x07, 0x00};
	size_t n = srtp_block(chosen_7, sizeof chosen_7, block);
	cr_assert_eq(petrel_srtp13_client_check(&res, &cfg, block, n, &alert), 0);
	cr_assert_eq(res.selected, 0x0007);
	cr_assert(!res.mki_used);
	n = srtp_block(same_mki, sizeof same_mki, block);
	cr_assert_eq(petrel_srtp13_client_check(&res, &cfg, block, n, &alert), 0);
	cr_assert(res.mki_used);
	cr_assert_eq(res.mki[0], 0x42);
	/* RFC 5764 4.1.1: a profile not offered, another MKI. */
	n = srtp_block(chosen_2, sizeof chosen_2, block);
	cr_assert_eq(petrel_srtp13_client_check(&res, &cfg, block, n, &alert),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(alert, 47);
	n = srtp_block(other_mki, sizeof other_mki, block);
	cr_assert_eq(petrel_srtp13_client_check(&res, &cfg, block, n, &alert),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(alert, 47);
	n = srtp_block(two, sizeof two, block);
	cr_assert_eq(petrel_srtp13_client_check(&res, &cfg, block, n, &alert),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* RFC 8446 4.2: a response to an extension we did not send. */
	n = srtp_block(chosen_7, sizeof chosen_7, block);
	cr_assert_eq(petrel_srtp13_client_check(&res, NULL, block, n, &alert),
		     PETREL_E_UNSUPPORTED_EXTENSION);
	cr_assert_eq(alert, 110);
	/* No answer: the session goes on without SRTP. */
	cr_assert_eq(petrel_srtp13_client_check(&res, &cfg, NULL, 0, &alert), 0);
	cr_assert_eq(res.selected, 0);
}

Test(dtls13_srtp_rules, server_picks_its_preference_and_echoes_the_mki)
{
	struct petrel_srtp_state cfg = {.profiles = {0x0008, 0x0001}, .profile_count = 2};
	struct petrel_srtp13 res;
	uint8_t block[64], ee[PETREL_SRTP13_EE_MAX];
	static const uint8_t offer[] = {0x00, 0x06, 0x00, 0x01, 0x00, 0x07, 0x00,
					0x08, 0x02, 0x0a, 0x0b};
	size_t n = srtp_block(offer, sizeof offer, block), ee_len;
	cr_assert_eq(petrel_srtp13_server_select(&res, &cfg, block, n), 0);
	cr_assert_eq(res.selected, 0x0008);
	cr_assert(res.mki_used);
	cr_assert_eq(petrel_srtp13_encrypted_extensions(&res, ee, sizeof ee, &ee_len), 0);
	static const uint8_t want[] = {0x00, 0x0b, 0x00, 0x0e, 0x00, 0x07, 0x00,
				       0x02, 0x00, 0x08, 0x02, 0x0a, 0x0b};
	cr_assert_eq(ee_len, sizeof want);
	cr_assert_arr_eq(ee, want, sizeof want);
	/* Without SRTP configured the offer is ignored: empty EncryptedExtensions. */
	cr_assert_eq(petrel_srtp13_server_select(&res, NULL, block, n), 0);
	cr_assert_eq(res.selected, 0);
	cr_assert_eq(petrel_srtp13_encrypted_extensions(&res, ee, sizeof ee, &ee_len), 0);
	cr_assert_eq(ee_len, 2);
	/* A malformed offer is a decode error. */
	static const uint8_t bad[] = {0x00, 0x03, 0x00, 0x01, 0x00};
	n = srtp_block(bad, sizeof bad, block);
	cr_assert_eq(petrel_srtp13_server_select(&res, &cfg, block, n), PETREL_E_DECODE_ERROR);
}

/* ---- DTLS-SRTP over whole 1.3 sessions ---- */

static void assert_same_srtp_keys(struct harness *h, uint16_t profile)
{
	struct petrel_srtp_keys ck, sk;
	cr_assert_eq(petrel_srtp_get_selected_profile(h->client.session), profile);
	cr_assert_eq(petrel_srtp_get_selected_profile(h->server.session), profile);
	cr_assert_eq(petrel_srtp_get_keys(h->client.session, &ck), 0);
	cr_assert_eq(petrel_srtp_get_keys(h->server.session, &sk), 0);
	cr_assert_eq(ck.profile, profile);
	cr_assert_eq(memcmp(&ck, &sk, sizeof ck), 0);
	cr_assert(memcmp(ck.client_key, ck.server_key, ck.key_len) != 0);
	/* The material is the 1.3 exporter's (RFC 5764 4.2 over RFC 8446 7.5). */
	uint8_t km[2 * (PETREL_SRTP_MAX_KEY_LEN + PETREL_SRTP_MAX_SALT_LEN)], ex[sizeof km];
	size_t len;
	cr_assert_eq(petrel_srtp_get_keying_material(h->server.session, km, sizeof km, &len), 0);
	cr_assert_eq(len, 2 * (ck.key_len + ck.salt_len));
	cr_assert_eq(petrel_prf_export(h->client.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, ex, len),
		     0);
	cr_assert_arr_eq(km, ex, len);
	cr_assert_arr_eq(km, ck.client_key, ck.key_len);
}

Test(dtls13_srtp, profile_negotiated_and_keys_equal_certificates)
{
	struct harness h;
	cert_pair(&h, 201);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session,
					      "SRTP_AEAD_AES_128_GCM,SRTP_AES128_CM_HMAC_SHA1_80"),
		     0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session,
					      "SRTP_AES128_CM_HMAC_SHA1_80,SRTP_AEAD_AES_128_GCM"),
		     0);
	handshake(&h);
	/* The server's preference among the client's offer. */
	assert_same_srtp_keys(&h, PETREL_SRTP_AES128_CM_HMAC_SHA1_80);
	const uint8_t *mki;
	size_t mki_len = 9;
	cr_assert_eq(petrel_srtp_get_mki(h.client.session, &mki, &mki_len), 0);
	cr_assert_eq(mki_len, 0);
	cr_assert_eq(harness_echo(&h, "rtp soon", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_srtp, profile_negotiated_and_keys_equal_psk_aes256_gcm)
{
	struct harness h;
	psk_pair(&h, 202);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AEAD_AES_256_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session,
					      "SRTP_AES128_CM_HMAC_SHA1_80:SRTP_AEAD_AES_256_GCM"),
		     0);
	handshake(&h);
	assert_same_srtp_keys(&h, PETREL_SRTP_AEAD_AES_256_GCM);
	harness_free_all(&h);
}

Test(dtls13_srtp, client_mki_echoed_by_a_server_without_one)
{
	struct harness h;
	static const uint8_t mki[] = {0xde, 0xad, 0xbe, 0xef};
	cert_pair(&h, 203);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AES128_CM_HMAC_SHA1_32"), 0);
	cr_assert_eq(petrel_srtp_set_mki(h.client.session, mki, sizeof mki), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session, "SRTP_AES128_CM_HMAC_SHA1_32"), 0);
	handshake(&h);
	assert_same_srtp_keys(&h, PETREL_SRTP_AES128_CM_HMAC_SHA1_32);
	const petrel_session *ends[2] = {h.client.session, h.server.session};
	for (int i = 0; i < 2; i++) {
		const uint8_t *got;
		size_t len;
		cr_assert_eq(petrel_srtp_get_mki(ends[i], &got, &len), 0);
		cr_assert_eq(len, sizeof mki, "end %d", i);
		cr_assert_arr_eq(got, mki, sizeof mki);
	}
	harness_free_all(&h);
}

Test(dtls13_srtp, server_with_another_mki_answers_none)
{
	struct harness h;
	static const uint8_t cm[] = {1, 2}, sm[] = {3};
	cert_pair(&h, 204);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_mki(h.client.session, cm, sizeof cm), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_mki(h.server.session, sm, sizeof sm), 0);
	handshake(&h);
	assert_same_srtp_keys(&h, PETREL_SRTP_AEAD_AES_128_GCM);
	const uint8_t *got;
	size_t len = 7;
	cr_assert_eq(petrel_srtp_get_mki(h.client.session, &got, &len), 0);
	cr_assert_eq(len, 0);
	harness_free_all(&h);
}

Test(dtls13_srtp, no_common_profile_goes_on_without_srtp)
{
	struct harness h;
	cert_pair(&h, 205);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session, "SRTP_AES128_CM_HMAC_SHA1_80"), 0);
	handshake(&h);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.server.session), 0);
	struct petrel_srtp_keys k;
	cr_assert_eq(petrel_srtp_get_keys(h.client.session, &k), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(harness_echo(&h, "no srtp", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_srtp, server_without_srtp_ignores_the_offer)
{
	struct harness h;
	cert_pair(&h, 206);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AEAD_AES_128_GCM"), 0);
	handshake(&h);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.server.session), 0);
	harness_free_all(&h);
}

/* A client offering 1.2 and 1.3 puts use_srtp in its one ClientHello; a
 * 1.2 server answers it in ServerHello and the 1.2 client takes over. */
Test(dtls13_srtp, offer_in_a_13_hello_serves_a_12_server)
{
	struct harness h;
	harness_init(&h, 207, 0, PETREL_FLAG_NO_COOKIE, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_2);
	assert_same_srtp_keys(&h, PETREL_SRTP_AEAD_AES_128_GCM);
	harness_free_all(&h);
}

/* ---- PSK key exchange modes ---- */

static void psk_modes_case(unsigned client_modes, unsigned server_modes, uint64_t seed,
			   bool expect_dhe)
{
	struct harness h;
	psk_pair(&h, seed);
	if (client_modes)
		cr_assert_eq(petrel_session_set_psk_modes(h.client.session, client_modes), 0);
	if (server_modes)
		cr_assert_eq(petrel_session_set_psk_modes(h.server.session, server_modes), 0);
	handshake(&h);
	cr_assert_str_eq(petrel_session_get_psk_identity(h.server.session), "device-1");
	/* psk_ke: no (EC)DHE group (RFC 8446 4.2.9). */
	cr_assert_eq(h.server.session->group != 0, expect_dhe);
	assert_both_export_equal(&h);
	cr_assert_eq(harness_echo(&h, "psk modes", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_psk_modes, default_is_psk_dhe_ke)
{
	psk_modes_case(0, 0, 301, true);
}

Test(dtls13_psk_modes, plain_both_sides_uses_psk_ke)
{
	psk_modes_case(PETREL_PSK_MODE_PLAIN, PETREL_PSK_MODE_PLAIN, 302, false);
}

Test(dtls13_psk_modes, client_both_server_plain_uses_psk_ke)
{
	psk_modes_case(PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN, PETREL_PSK_MODE_PLAIN, 303,
		       false);
}

Test(dtls13_psk_modes, client_both_server_both_prefers_dhe)
{
	psk_modes_case(PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN,
		       PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN, 304, true);
}

Test(dtls13_psk_modes, client_plain_server_both_uses_psk_ke)
{
	psk_modes_case(PETREL_PSK_MODE_PLAIN, PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN, 305,
		       false);
}

Test(dtls13_psk_modes, client_plain_to_a_dhe_only_server_fails)
{
	struct harness h;
	psk_pair(&h, 306);
	cr_assert_eq(petrel_session_set_psk_modes(h.client.session, PETREL_PSK_MODE_PLAIN), 0);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0);
	cr_assert(!h.client.session->established);
	cr_assert(!h.server.session->established);
	harness_free_all(&h);
}

Test(dtls13_psk_modes, client_refuses_a_mode_it_did_not_offer)
{
	/* The rule the client core applies to the ServerHello. */
	struct petrel_hs13_config dhe = {0}, plain = {.psk_only = true},
				  both = {.psk_modes = PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN};
	cr_assert(petrel_psk13_client_accepts(&dhe, true));
	cr_assert(!petrel_psk13_client_accepts(&dhe, false));
	cr_assert(petrel_psk13_client_accepts(&plain, false));
	cr_assert(!petrel_psk13_client_accepts(&plain, true));
	cr_assert(petrel_psk13_client_accepts(&both, true));
	cr_assert(petrel_psk13_client_accepts(&both, false));
	struct petrel_psk_modes offer;
	petrel_psk13_client_offer(&both, &offer);
	cr_assert(offer.psk_ke && offer.psk_dhe_ke);
	petrel_psk13_client_offer(&plain, &offer);
	cr_assert(offer.psk_ke && !offer.psk_dhe_ke);
}

Test(dtls13_psk_modes, server_pick_table)
{
	struct petrel_hs13_config plain = {.psk_modes = PETREL_PSK_MODE_PLAIN, .psk_only = true};
	struct petrel_hs13_config dhe = {.psk_modes = PETREL_PSK_MODE_DHE};
	bool use, need_dhe;
	/* plain only: psk_ke even when the client offers both with a share. */
	petrel_psk13_server_pick(&plain, true, true, true, true, &use, &need_dhe);
	cr_assert(use && !need_dhe);
	petrel_psk13_server_pick(&plain, true, true, false, true, &use, &need_dhe);
	cr_assert(!use);
	/* dhe only: never psk_ke. */
	petrel_psk13_server_pick(&dhe, true, false, true, true, &use, &need_dhe);
	cr_assert(!use);
	petrel_psk13_server_pick(&dhe, true, true, false, false, &use, &need_dhe);
	cr_assert(!use);
	petrel_psk13_server_pick(&dhe, false, true, true, true, &use, &need_dhe);
	cr_assert(!use);
}

Test(dtls13_psk_modes, setter_refuses_bad_values_and_late_calls)
{
	struct harness h;
	psk_pair(&h, 307);
	cr_assert_eq(petrel_session_set_psk_modes(h.client.session, 0), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_psk_modes(h.client.session, 4), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_psk_modes(NULL, 1), PETREL_E_INVALID_REQUEST);
	handshake(&h);
	cr_assert_eq(petrel_session_set_psk_modes(h.client.session, PETREL_PSK_MODE_PLAIN),
		     PETREL_E_INVALID_REQUEST);
	harness_free_all(&h);
}
