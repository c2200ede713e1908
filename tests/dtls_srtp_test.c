/* DTLS-SRTP (RFC 5764): the use_srtp codec's bounds, the negotiation rules
 * of dtls/msg_srtp.c, the public configuration calls, and whole handshakes
 * in memory agreeing on a profile and on the SRTP keys. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/messages.h"
#include "dtls/session.h"
#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

/* Parse one use_srtp extension (type 14) with the given body. The parsed
 * fields point into block, so it outlives the call (static). */
static int parse_srtp_body(const uint8_t *body, size_t len, enum petrel_msg_origin origin,
			   struct petrel_extensions *out)
{
	static uint8_t block[300];
	cr_assert_leq(len, sizeof block - 4);
	block[0] = 0x00;
	block[1] = 14;
	block[2] = (uint8_t)(len >> 8);
	block[3] = (uint8_t)len;
	memcpy(block + 4, body, len);
	return petrel_extensions_parse(block, len + 4, origin, out);
}

Test(srtp_codec, client_offer_with_mki_parses)
{
	static const uint8_t body[] = {0x00, 0x04, 0x00, 0x07, 0x00, 0x01, 0x02, 0xab, 0xcd};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_CLIENT, &e), 0);
	cr_assert(e.has_use_srtp);
	cr_assert_eq(e.srtp_profiles_len, 4);
	cr_assert(petrel_u16_list_contains(e.srtp_profiles, e.srtp_profiles_len, 0x0001));
	cr_assert_eq(e.srtp_mki_len, 2);
	cr_assert_eq(e.srtp_mki[1], 0xcd);
}

Test(srtp_codec, empty_profile_list_is_decode_error)
{
	/* SRTPProtectionProfiles<2..2^16-1>. */
	static const uint8_t body[] = {0x00, 0x00, 0x00};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(srtp_codec, odd_profile_list_length_is_decode_error)
{
	static const uint8_t body[] = {0x00, 0x03, 0x00, 0x01, 0x00, 0x00};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(srtp_codec, profile_list_longer_than_body_is_decode_error)
{
	static const uint8_t body[] = {0x00, 0x06, 0x00, 0x01, 0x00, 0x02, 0x00};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(srtp_codec, missing_mki_field_is_decode_error)
{
	static const uint8_t body[] = {0x00, 0x02, 0x00, 0x01};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(srtp_codec, mki_longer_than_body_is_decode_error)
{
	static const uint8_t body[] = {0x00, 0x02, 0x00, 0x01, 0x03, 0xaa};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(srtp_codec, trailing_byte_is_decode_error)
{
	static const uint8_t body[] = {0x00, 0x02, 0x00, 0x01, 0x00, 0xff};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_CLIENT, &e), PETREL_E_DECODE_ERROR);
}

Test(srtp_codec, server_answer_with_two_profiles_is_illegal_parameter)
{
	/* RFC 5764 4.1.1: the server's list holds the single profile it chose. */
	static const uint8_t body[] = {0x00, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00};
	struct petrel_extensions e;
	cr_assert_eq(parse_srtp_body(body, sizeof body, PETREL_FROM_SERVER, &e),
		     PETREL_E_ILLEGAL_PARAMETER);
}

Test(srtp_codec, write_then_parse_round_trips)
{
	static const uint8_t profiles[] = {0x00, 0x08, 0x00, 0x02};
	static const uint8_t mki[] = {1, 2, 3};
	struct petrel_extensions e = {0}, back;
	e.has_use_srtp = true;
	e.srtp_profiles = profiles;
	e.srtp_profiles_len = sizeof profiles;
	e.srtp_mki = mki;
	e.srtp_mki_len = sizeof mki;
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_CLIENT, &e), 0);
	cr_assert_eq(petrel_extensions_parse(buf + 2, petrel_writer_len(&w) - 2, PETREL_FROM_CLIENT, &back), 0);
	cr_assert_eq(back.srtp_profiles_len, sizeof profiles);
	cr_assert_arr_eq(back.srtp_profiles, profiles, sizeof profiles);
	cr_assert_eq(back.srtp_mki_len, sizeof mki);
	cr_assert_arr_eq(back.srtp_mki, mki, sizeof mki);
}

Test(srtp_codec, writer_refuses_odd_profile_list)
{
	static const uint8_t profiles[] = {0x00, 0x01, 0x00};
	struct petrel_extensions e = {0};
	e.has_use_srtp = true;
	e.srtp_profiles = profiles;
	e.srtp_profiles_len = sizeof profiles;
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_CLIENT, &e), PETREL_E_INVALID_REQUEST);
}

/* ---- negotiation rules ---- */

static struct petrel_extensions offer(const uint8_t *profiles, size_t len, const uint8_t *mki,
				      size_t mki_len)
{
	struct petrel_extensions e = {0};
	e.has_use_srtp = true;
	e.srtp_profiles = profiles;
	e.srtp_profiles_len = len;
	e.srtp_mki = mki;
	e.srtp_mki_len = mki_len;
	return e;
}

Test(srtp_negotiation, server_picks_its_preference_among_offered)
{
	static const uint8_t client[] = {0x00, 0x01, 0x00, 0x07};
	const uint16_t ours[] = {0x0008, 0x0007, 0x0001};
	struct petrel_extensions e = offer(client, sizeof client, NULL, 0);
	uint16_t profile;
	bool echo;
	petrel_srtp_server_select(ours, 3, NULL, 0, &e, &profile, &echo);
	cr_assert_eq(profile, 0x0007);
	cr_assert_not(echo);
}

Test(srtp_negotiation, server_with_no_common_profile_selects_none)
{
	static const uint8_t client[] = {0x00, 0x01};
	const uint16_t ours[] = {0x0008};
	struct petrel_extensions e = offer(client, sizeof client, NULL, 0);
	uint16_t profile = 99;
	bool echo = true;
	petrel_srtp_server_select(ours, 1, NULL, 0, &e, &profile, &echo);
	cr_assert_eq(profile, 0);
	cr_assert_not(echo);
}

Test(srtp_negotiation, server_ignores_unknown_client_profiles)
{
	static const uint8_t client[] = {0x00, 0x05, 0xff, 0xff, 0x00, 0x02};
	const uint16_t ours[] = {0x0001, 0x0002};
	struct petrel_extensions e = offer(client, sizeof client, NULL, 0);
	uint16_t profile;
	bool echo;
	petrel_srtp_server_select(ours, 2, NULL, 0, &e, &profile, &echo);
	cr_assert_eq(profile, 0x0002);
}

Test(srtp_negotiation, server_echoes_client_mki_unless_it_has_another)
{
	static const uint8_t client[] = {0x00, 0x01};
	static const uint8_t mki[] = {0xaa, 0xbb}, other[] = {0xcc};
	const uint16_t ours[] = {0x0001};
	struct petrel_extensions e = offer(client, sizeof client, mki, sizeof mki);
	uint16_t profile;
	bool echo;
	petrel_srtp_server_select(ours, 1, NULL, 0, &e, &profile, &echo);
	cr_assert(echo);
	petrel_srtp_server_select(ours, 1, mki, sizeof mki, &e, &profile, &echo);
	cr_assert(echo);
	petrel_srtp_server_select(ours, 1, other, sizeof other, &e, &profile, &echo);
	cr_assert_not(echo, "a different MKI of our own: answer an empty one");
	cr_assert_eq(profile, 0x0001);
}

Test(srtp_negotiation, client_accepts_an_offered_profile)
{
	static const uint8_t answer[] = {0x00, 0x07};
	const uint16_t offered[] = {0x0001, 0x0007};
	struct petrel_extensions e = offer(answer, sizeof answer, NULL, 0);
	uint16_t profile;
	bool mki_used;
	cr_assert_eq(petrel_srtp_client_check(offered, 2, NULL, 0, &e, &profile, &mki_used), 0);
	cr_assert_eq(profile, 0x0007);
	cr_assert_not(mki_used);
}

Test(srtp_negotiation, client_rejects_a_profile_it_did_not_offer)
{
	static const uint8_t answer[] = {0x00, 0x08};
	const uint16_t offered[] = {0x0001, 0x0007};
	struct petrel_extensions e = offer(answer, sizeof answer, NULL, 0);
	uint16_t profile;
	bool mki_used;
	cr_assert_eq(petrel_srtp_client_check(offered, 2, NULL, 0, &e, &profile, &mki_used),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(profile, 0);
}

Test(srtp_negotiation, client_rejects_use_srtp_it_never_offered)
{
	static const uint8_t answer[] = {0x00, 0x01};
	struct petrel_extensions e = offer(answer, sizeof answer, NULL, 0);
	uint16_t profile;
	bool mki_used;
	cr_assert_eq(petrel_srtp_client_check(NULL, 0, NULL, 0, &e, &profile, &mki_used),
		     PETREL_E_ILLEGAL_PARAMETER);
}

Test(srtp_negotiation, client_rejects_more_than_one_profile)
{
	static const uint8_t answer[] = {0x00, 0x01, 0x00, 0x07};
	const uint16_t offered[] = {0x0001, 0x0007};
	struct petrel_extensions e = offer(answer, sizeof answer, NULL, 0);
	uint16_t profile;
	bool mki_used;
	cr_assert_eq(petrel_srtp_client_check(offered, 2, NULL, 0, &e, &profile, &mki_used),
		     PETREL_E_ILLEGAL_PARAMETER);
}

Test(srtp_negotiation, client_rejects_a_different_nonempty_mki)
{
	static const uint8_t answer[] = {0x00, 0x01};
	static const uint8_t ours[] = {0x01, 0x02}, theirs[] = {0x01, 0x03};
	const uint16_t offered[] = {0x0001};
	struct petrel_extensions e = offer(answer, sizeof answer, theirs, sizeof theirs);
	uint16_t profile;
	bool mki_used;
	cr_assert_eq(petrel_srtp_client_check(offered, 1, ours, sizeof ours, &e, &profile, &mki_used),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* An MKI when we offered none is just as different. */
	cr_assert_eq(petrel_srtp_client_check(offered, 1, NULL, 0, &e, &profile, &mki_used),
		     PETREL_E_ILLEGAL_PARAMETER);
}

Test(srtp_negotiation, client_takes_an_empty_or_matching_mki)
{
	static const uint8_t answer[] = {0x00, 0x01};
	static const uint8_t ours[] = {0x01, 0x02};
	const uint16_t offered[] = {0x0001};
	struct petrel_extensions e = offer(answer, sizeof answer, NULL, 0);
	uint16_t profile;
	bool mki_used;
	cr_assert_eq(petrel_srtp_client_check(offered, 1, ours, sizeof ours, &e, &profile, &mki_used), 0);
	cr_assert_not(mki_used, "an empty answer: the server will not use the MKI");
	e = offer(answer, sizeof answer, ours, sizeof ours);
	cr_assert_eq(petrel_srtp_client_check(offered, 1, ours, sizeof ours, &e, &profile, &mki_used), 0);
	cr_assert(mki_used);
}

/* ---- public configuration ---- */

Test(srtp_api, profile_names_and_errors)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	cr_assert_eq(petrel_srtp_set_profiles(s, "SRTP_AES128_CM_HMAC_SHA1_80:SRTP_AEAD_AES_256_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(s, "SRTP_AES128_CM_SHA1_32,SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(s, "SRTP_NULL_HMAC_SHA1_80"), PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_srtp_set_profiles(s, "SRTP_AEAD_AES_128_GCM,,SRTP_AEAD_AES_256_GCM"),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_srtp_set_profiles(s, "SRTP_AEAD_AES_128_GCM,"), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_srtp_set_profiles(s, "SRTP_AEAD_AES_128_GCM,SRTP_AEAD_AES_128_GCM,"
						 "SRTP_AEAD_AES_128_GCM,SRTP_AEAD_AES_128_GCM,"
						 "SRTP_AEAD_AES_128_GCM,SRTP_AEAD_AES_128_GCM,"
						 "SRTP_AEAD_AES_128_GCM,SRTP_AEAD_AES_128_GCM,"
						 "SRTP_AEAD_AES_128_GCM"),
		     PETREL_E_LIMIT_EXCEEDED);
	uint8_t mki[256] = {0};
	cr_assert_eq(petrel_srtp_set_mki(s, mki, 255), 0);
	cr_assert_eq(petrel_srtp_set_mki(s, mki, 256), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_srtp_get_selected_profile(s), 0);
	struct petrel_srtp_keys keys;
	cr_assert_eq(petrel_srtp_get_keys(s, &keys), PETREL_E_INVALID_REQUEST);
	cr_assert_str_eq(petrel_srtp_get_profile_name(PETREL_SRTP_AEAD_AES_256_GCM), "SRTP_AEAD_AES_256_GCM");
	cr_assert_null(petrel_srtp_get_profile_name(0x0003));
	petrel_session_free(s);
}

/* The SRTP state is a heap block made by the first real configuration:
 * sessions without SRTP carry a NULL pointer (idle sessions stay small). */
Test(srtp_api, state_exists_only_once_configured)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_SERVER), 0);
	cr_assert_null(s->srtp);
	cr_assert_eq(petrel_srtp_set_profiles(s, ""), 0);
	cr_assert_eq(petrel_srtp_set_mki(s, NULL, 0), 0);
	cr_assert_null(s->srtp, "no profiles and no MKI: nothing to keep");
	const uint8_t mki[3] = {1, 2, 3};
	cr_assert_eq(petrel_srtp_set_mki(s, mki, sizeof mki), 0);
	cr_assert_not_null(s->srtp);
	cr_assert_eq(s->srtp->mki_len, 3);
	cr_assert_eq(petrel_srtp_set_profiles(s, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(s->srtp->profile_count, 1);
	cr_assert_eq(s->srtp->profiles[0], PETREL_SRTP_AEAD_AES_128_GCM);
	cr_assert_eq(petrel_srtp_set_profiles(s, ""), 0);
	cr_assert_eq(s->srtp->profile_count, 0, "\"\" clears the list of a configured session");
	petrel_session_free(s); /* frees the block: valgrind and ASan check it */
}

/* ---- whole handshakes ---- */

static void run(struct harness *h, const char *client_list, const char *server_list,
		const uint8_t *client_mki, size_t client_mki_len)
{
	harness_init(h, 7, 0, 0, harness_psk_creds(), harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	if (client_list)
		cr_assert_eq(petrel_srtp_set_profiles(h->client.session, client_list), 0);
	if (server_list)
		cr_assert_eq(petrel_srtp_set_profiles(h->server.session, server_list), 0);
	if (client_mki_len)
		cr_assert_eq(petrel_srtp_set_mki(h->client.session, client_mki, client_mki_len), 0);
	cr_assert_eq(harness_run_handshake(h, 60000), 0);
}

Test(srtp_handshake, both_sides_agree_on_profile_and_keys)
{
	const struct {
		const char *name;
		uint16_t id;
		size_t key_len, salt_len;
	} cases[] = {
		{"SRTP_AES128_CM_HMAC_SHA1_80", PETREL_SRTP_AES128_CM_HMAC_SHA1_80, 16, 14},
		{"SRTP_AES128_CM_HMAC_SHA1_32", PETREL_SRTP_AES128_CM_HMAC_SHA1_32, 16, 14},
		{"SRTP_AEAD_AES_128_GCM", PETREL_SRTP_AEAD_AES_128_GCM, 16, 12},
		{"SRTP_AEAD_AES_256_GCM", PETREL_SRTP_AEAD_AES_256_GCM, 32, 12},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct harness h;
		run(&h, "SRTP_AES128_CM_HMAC_SHA1_80,SRTP_AES128_CM_HMAC_SHA1_32,SRTP_AEAD_AES_128_GCM,"
			"SRTP_AEAD_AES_256_GCM",
		    cases[i].name, NULL, 0);
		cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), cases[i].id);
		cr_assert_eq(petrel_srtp_get_selected_profile(h.server.session), cases[i].id);
		struct petrel_srtp_keys c, s;
		cr_assert_eq(petrel_srtp_get_keys(h.client.session, &c), 0);
		cr_assert_eq(petrel_srtp_get_keys(h.server.session, &s), 0);
		cr_assert_eq(c.key_len, cases[i].key_len);
		cr_assert_eq(c.salt_len, cases[i].salt_len);
		cr_assert_eq(memcmp(&c, &s, sizeof c), 0);
		/* RFC 5764 4.2: the split of the exporter's output, in order
		 * client key, server key, client salt, server salt. */
		uint8_t raw[88], want[88];
		size_t len;
		cr_assert_eq(petrel_srtp_get_keying_material(h.client.session, raw, sizeof raw, &len), 0);
		cr_assert_eq(len, 2 * (cases[i].key_len + cases[i].salt_len));
		cr_assert_eq(petrel_prf_export(h.server.session, "EXTRACTOR-dtls_srtp", NULL, 0, 0, want, len), 0);
		cr_assert_arr_eq(raw, want, len);
		size_t k = c.key_len, n = c.salt_len;
		cr_assert_arr_eq(c.client_key, raw, k);
		cr_assert_arr_eq(c.server_key, raw + k, k);
		cr_assert_arr_eq(c.client_salt, raw + 2 * k, n);
		cr_assert_arr_eq(c.server_salt, raw + 2 * k + n, n);
		cr_assert_eq(petrel_srtp_get_keying_material(h.client.session, raw, len - 1, &len),
			     PETREL_E_SHORT_BUFFER);
		harness_free_all(&h);
	}
}

Test(srtp_handshake, no_common_profile_completes_without_srtp)
{
	struct harness h;
	run(&h, "SRTP_AES128_CM_HMAC_SHA1_80", "SRTP_AEAD_AES_256_GCM", NULL, 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.server.session), 0);
	struct petrel_srtp_keys keys;
	cr_assert_eq(petrel_srtp_get_keys(h.client.session, &keys), PETREL_E_INVALID_REQUEST);
	harness_free_all(&h);
}

Test(srtp_handshake, server_without_srtp_ignores_the_offer)
{
	struct harness h;
	run(&h, "SRTP_AES128_CM_HMAC_SHA1_80", NULL, NULL, 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.server.session), 0);
	harness_free_all(&h);
}

Test(srtp_handshake, unconfigured_sessions_never_make_the_srtp_state)
{
	struct harness h;
	run(&h, NULL, NULL, NULL, 0);
	cr_assert_null(h.client.session->srtp);
	cr_assert_null(h.server.session->srtp);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), 0);
	const uint8_t *mki;
	size_t mki_len;
	cr_assert_eq(petrel_srtp_get_mki(h.server.session, &mki, &mki_len), PETREL_E_INVALID_REQUEST);
	struct petrel_srtp_keys keys;
	cr_assert_eq(petrel_srtp_get_keys(h.server.session, &keys), PETREL_E_INVALID_REQUEST);
	harness_free_all(&h);
}

Test(srtp_handshake, client_with_only_an_mki_offers_nothing)
{
	struct harness h;
	const uint8_t mki[2] = {7, 7};
	run(&h, NULL, "SRTP_AES128_CM_HMAC_SHA1_80", mki, sizeof mki);
	cr_assert_not_null(h.client.session->srtp);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.server.session), 0);
	harness_free_all(&h);
}

Test(srtp_handshake, server_echoes_the_client_mki)
{
	static const uint8_t mki[] = {0xde, 0xad, 0x01};
	struct harness h;
	run(&h, "SRTP_AEAD_AES_128_GCM", "SRTP_AEAD_AES_128_GCM", mki, sizeof mki);
	const uint8_t *got;
	size_t len;
	cr_assert_eq(petrel_srtp_get_mki(h.client.session, &got, &len), 0);
	cr_assert_eq(len, sizeof mki);
	cr_assert_arr_eq(got, mki, sizeof mki);
	cr_assert_eq(petrel_srtp_get_mki(h.server.session, &got, &len), 0);
	cr_assert_eq(len, sizeof mki);
	cr_assert_arr_eq(got, mki, sizeof mki);
	harness_free_all(&h);
}

Test(srtp_handshake, server_with_another_mki_answers_empty)
{
	static const uint8_t mki[] = {0x01}, other[] = {0x02, 0x03};
	struct harness h;
	harness_init(&h, 7, 0, 0, harness_psk_creds(), harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AES128_CM_HMAC_SHA1_80"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session, "SRTP_AES128_CM_HMAC_SHA1_80"), 0);
	cr_assert_eq(petrel_srtp_set_mki(h.client.session, mki, sizeof mki), 0);
	cr_assert_eq(petrel_srtp_set_mki(h.server.session, other, sizeof other), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	const uint8_t *got;
	size_t len = 99;
	cr_assert_eq(petrel_srtp_get_mki(h.client.session, &got, &len), 0);
	cr_assert_eq(len, 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(h.client.session), PETREL_SRTP_AES128_CM_HMAC_SHA1_80);
	harness_free_all(&h);
}

Test(srtp_handshake, resumed_session_negotiates_srtp_again)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256), *cc = harness_psk_creds();
	struct harness h;
	harness_init(&h, 21, 0, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	struct petrel_srtp_keys first;
	cr_assert_eq(petrel_srtp_get_keys(h.client.session, &first), 0);
	uint8_t blob[512];
	size_t len = sizeof blob;
	cr_assert_eq(petrel_session_get_data(h.client.session, blob, &len), 0);
	harness_free(&h);

	harness_init(&h, 22, 0, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.client.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_srtp_set_profiles(h.server.session, "SRTP_AEAD_AES_128_GCM"), 0);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert(petrel_session_is_resumed(h.client.session));
	cr_assert_eq(petrel_srtp_get_selected_profile(h.server.session), PETREL_SRTP_AEAD_AES_128_GCM);
	struct petrel_srtp_keys c, s;
	cr_assert_eq(petrel_srtp_get_keys(h.client.session, &c), 0);
	cr_assert_eq(petrel_srtp_get_keys(h.server.session, &s), 0);
	cr_assert_eq(memcmp(&c, &s, sizeof c), 0);
	/* New randoms: new SRTP keys (RFC 5705 exporter over this handshake). */
	cr_assert_neq(memcmp(c.client_key, first.client_key, c.key_len), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
