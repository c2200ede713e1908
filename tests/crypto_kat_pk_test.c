/* Known-answer and behaviour tests for key exchange and signatures:
 * RFC 7748 X25519, P-256 ECDH with point validation, RFC 8032 Ed25519
 * tests 1-3, RFC 6979 A.2.5 ECDSA P-256 verify, strict DER signatures and
 * sign-then-verify round trips for P-256, P-384, Ed25519 and RSA. */
#include <criterion/criterion.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/crypto_rsa_test_key.h"
#include "tests/crypto_testutil.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = crypto_test_unhex(hex, out, cap);
	cr_assert_neq(n, (size_t)-1, "bad hex in test vector");
	return n;
}

static void assert_hex(const uint8_t *got, size_t got_len, const char *want_hex)
{
	uint8_t want[256];
	size_t n = unhex(want_hex, want, sizeof want);
	cr_assert_eq(got_len, n);
	cr_assert_arr_eq(got, want, n);
}

/* ---- X25519 ---- */

Test(crypto_kat_kx, x25519_rfc7748_5_2_vectors)
{
	static const char *const vec[][3] = {
		{"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		 "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		 "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
		{"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		 "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		 "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	};
	for (size_t i = 0; i < 2; i++) {
		uint8_t k[32], u[32], out[32];
		unhex(vec[i][0], k, 32);
		unhex(vec[i][1], u, 32);
		cr_assert_eq(petrel_kx_derive(PETREL_GROUP_X25519, k, u, 32, out), 0);
		assert_hex(out, 32, vec[i][2]);
	}
}

Test(crypto_kat_kx, x25519_rfc7748_6_1_diffie_hellman)
{
	uint8_t a[32], b[32], a_pub[32], b_pub[32], s1[32], s2[32];
	unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a, 32);
	unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", b, 32);
	unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", a_pub, 32);
	unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", b_pub, 32);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_X25519, a, b_pub, 32, s1), 0);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_X25519, b, a_pub, 32, s2), 0);
	assert_hex(s1, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	cr_assert_arr_eq(s1, s2, 32);
}

Test(crypto_kat_kx, x25519_rejects_small_order_point_and_bad_length)
{
	uint8_t priv[32], pub[32], zero[32] = {0}, one[32] = {1}, out[32];
	size_t pub_len;
	cr_assert_eq(petrel_kx_keygen(PETREL_GROUP_X25519, priv, pub, &pub_len), 0);
	cr_assert_eq(pub_len, 32);
	/* u = 0 and u = 1 are small-order: the shared secret would be all zero. */
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_X25519, priv, zero, 32, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_X25519, priv, one, 32, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_X25519, priv, pub, 31, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_X25519, priv, pub, 33, out),
		     PETREL_E_ILLEGAL_PARAMETER);
}

Test(crypto_kat_kx, keygen_then_derive_agrees_for_each_group)
{
	static const enum petrel_group groups[] = {PETREL_GROUP_X25519, PETREL_GROUP_SECP256R1,
						   PETREL_GROUP_SECP384R1};
	static const size_t pub_lens[] = {32, 65, 97}, shared_lens[] = {32, 32, 48};
	for (size_t g = 0; g < 3; g++) {
		uint8_t a[PETREL_KX_PRIV_LEN], b[PETREL_KX_PRIV_LEN];
		uint8_t a_pub[PETREL_KX_MAX_PUB_LEN], b_pub[PETREL_KX_MAX_PUB_LEN];
		uint8_t s1[PETREL_KX_SHARED_LEN], s2[PETREL_KX_SHARED_LEN];
		size_t a_len, b_len;
		cr_assert(petrel_group_supported(groups[g]));
		cr_assert_eq(petrel_kx_shared_len(groups[g]), shared_lens[g]);
		cr_assert_eq(petrel_kx_keygen(groups[g], a, a_pub, &a_len), 0);
		cr_assert_eq(petrel_kx_keygen(groups[g], b, b_pub, &b_len), 0);
		cr_assert_eq(a_len, pub_lens[g]);
		cr_assert_eq(petrel_kx_derive(groups[g], a, b_pub, b_len, s1), 0);
		cr_assert_eq(petrel_kx_derive(groups[g], b, a_pub, a_len, s2), 0);
		cr_assert_arr_eq(s1, s2, shared_lens[g]);
	}
	cr_assert_not(petrel_group_supported(0x0019)); /* secp521r1 */
	uint8_t priv[PETREL_KX_PRIV_LEN], pub[PETREL_KX_MAX_PUB_LEN];
	size_t len;
	cr_assert_eq(petrel_kx_keygen((enum petrel_group)0x0019, priv, pub, &len),
		     PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_kx_shared_len((enum petrel_group)0x0019), 0);
}

/* P-384 ECDH known answer, computed by OpenSSL 3.0 (openssl pkeyutl
 * -derive) for two keys it generated: d_A, Q_B and x(d_A * Q_B). */
Test(crypto_kat_kx, p384_shared_secret_matches_openssl)
{
	static const char d_hex[] = "3b910c0ef5e5af4b2495a3b03e5fc73b2c356b725562e9618652c1a7ed436867"
				    "a0c9f991f62d48e2b0f16c657fe81fb9";
	static const char q_hex[] = "043da364dc3f8497d07bd3330ac562077a2a90cb17ce4ce6fd350ec688f2b661"
				    "57110aa01d44656398d59a1948acf87157619d53bc2e57dc344e5fa338572e5b"
				    "1e14f2b598495d8bb76dc5aa1c8805520d55cad3ebf2de7acb162f773642eb0037";
	static const char z_hex[] = "dae7cb4566f7b88ebe4e7398e7730e3652b37966548352daa85d0f73ee89998d"
				    "4dfc3da924a17dd4868dd88d60a47552";
	uint8_t d[PETREL_KX_PRIV_LEN] = {0}, q[97], z[48], out[PETREL_KX_SHARED_LEN];
	size_t n;
	cr_assert_eq(petrel_hex_decode(d_hex, d, sizeof d, &n), 0);
	cr_assert_eq(n, 48);
	cr_assert_eq(petrel_hex_decode(q_hex, q, sizeof q, &n), 0);
	cr_assert_eq(n, 97);
	cr_assert_eq(petrel_hex_decode(z_hex, z, sizeof z, &n), 0);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP384R1, d, q, sizeof q, out), 0);
	cr_assert_arr_eq(out, z, 48);
	/* Off the curve, a P-256-sized point, the wrong prefix: refused. */
	q[96] ^= 1;
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP384R1, d, q, sizeof q, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	q[96] ^= 1;
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP384R1, d, q, 65, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	q[0] = 0x02;
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP384R1, d, q, sizeof q, out),
		     PETREL_E_ILLEGAL_PARAMETER);
}

/* The RFC 6979 A.2.5 key: its public point is Q = d * G. */
#define P256_D "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define P256_Q                                                                                     \
	"0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"                       \
	"7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"

Test(crypto_kat_kx, p256_ecdh_matches_known_public_point)
{
	/* d * G (as a peer point, with scalar 1... not allowed) is checked via the
	 * privkey path; here: ECDH(d, Q) == ECDH via two fresh keys is symmetric,
	 * and the x-coordinate of d * Q is 32 bytes. */
	uint8_t d[32], q[65], other[32], other_pub[65], s1[32], s2[32];
	size_t other_len;
	unhex(P256_D, d, 32);
	unhex(P256_Q, q, 65);
	cr_assert_eq(petrel_kx_keygen(PETREL_GROUP_SECP256R1, other, other_pub, &other_len), 0);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, other, q, 65, s1), 0);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, other_pub, other_len, s2), 0);
	cr_assert_arr_eq(s1, s2, 32);
}

Test(crypto_kat_kx, p256_rejects_invalid_peer_points)
{
	uint8_t d[32], q[65], bad[65], out[32];
	unhex(P256_D, d, 32);
	unhex(P256_Q, q, 65);

	/* off the curve: y + 1 */
	memcpy(bad, q, 65);
	bad[64] ^= 0x01;
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, bad, 65, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* compressed / hybrid prefixes and wrong lengths */
	memcpy(bad, q, 65);
	bad[0] = 0x02;
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, bad, 33, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	bad[0] = 0x06;
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, bad, 65, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, q, 64, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, NULL, 0, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* all-zero "point" (what some encoders send for infinity) */
	memset(bad, 0, 65);
	bad[0] = 0x04;
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, bad, 65, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* x = p (out of range), y anything */
	unhex("04ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
	      "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
	      bad, 65);
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, d, bad, 65, out),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* our own private scalar out of range: zero */
	uint8_t zero[32] = {0};
	cr_assert_eq(petrel_kx_derive(PETREL_GROUP_SECP256R1, zero, q, 65, out),
		     PETREL_E_INVALID_KEY);
}

/* ---- Ed25519 (RFC 8032 7.1 tests 1-3) ---- */

static const char *const ed25519_vec[][4] = {
	{"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	 "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701"
	 "cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	 "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d"
	 "0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	 "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	 "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7609"
	 "84dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

Test(crypto_kat_sig, ed25519_rfc8032_tests_1_to_3_sign_and_verify)
{
	for (size_t i = 0; i < 3; i++) {
		uint8_t seed[32], msg[2], sig[PETREL_MAX_SIG_LEN], raw[32];
		size_t msg_len = unhex(ed25519_vec[i][2], msg, sizeof msg), sig_len = 0;
		struct petrel_privkey *key = NULL;
		struct petrel_pubkey pub;

		unhex(ed25519_vec[i][0], seed, 32);
		cr_assert_eq(petrel_privkey_from_ed25519_seed(seed, &key), 0);
		cr_assert_eq(petrel_privkey_type(key), PETREL_KEY_ED25519);
		petrel_privkey_public(key, &pub);
		assert_hex(pub.point, pub.point_len, ed25519_vec[i][1]);
		cr_assert_eq(petrel_sign(key, PETREL_SIG_ED25519, msg, msg_len, sig, sizeof sig,
					 &sig_len),
			     0);
		assert_hex(sig, sig_len, ed25519_vec[i][3]);
		cr_assert_eq(petrel_verify(PETREL_SIG_ED25519, &pub, msg, msg_len, sig, sig_len), 0);
		sig[10] ^= 0x40;
		cr_assert_eq(petrel_verify(PETREL_SIG_ED25519, &pub, msg, msg_len, sig, sig_len),
			     PETREL_E_SIGNATURE_INVALID);
		cr_assert_eq(petrel_privkey_export_raw(key, raw), 0);
		cr_assert_arr_eq(raw, seed, 32);
		petrel_privkey_free(key);
	}
}

/* ---- ECDSA P-256 (RFC 6979 A.2.5, SHA-256 signatures) ---- */

static const char *const rfc6979_p256[][2] = {
	{"sample", "3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
		   "022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"},
	{"test", "3045022100f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
		 "0220019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"},
};

Test(crypto_kat_sig, ecdsa_p256_rfc6979_a25_signatures_verify)
{
	uint8_t q[65], sig[80];
	struct petrel_pubkey pub = {.type = PETREL_KEY_EC_P256, .point = q, .point_len = 65};
	unhex(P256_Q, q, 65);
	for (size_t i = 0; i < 2; i++) {
		const char *msg = rfc6979_p256[i][0];
		size_t sig_len = unhex(rfc6979_p256[i][1], sig, sizeof sig);
		cr_assert_eq(petrel_verify(PETREL_SIG_ECDSA_SECP256R1_SHA256, &pub,
					   (const uint8_t *)msg, strlen(msg), sig, sig_len),
			     0, "%s", msg);
		/* the other message's text must not verify */
		const char *other = rfc6979_p256[1 - i][0];
		cr_assert_eq(petrel_verify(PETREL_SIG_ECDSA_SECP256R1_SHA256, &pub,
					   (const uint8_t *)other, strlen(other), sig, sig_len),
			     PETREL_E_SIGNATURE_INVALID);
	}
}

Test(crypto_kat_sig, ecdsa_rejects_non_strict_der)
{
	uint8_t q[65], good[80], bad[90];
	struct petrel_pubkey pub = {.type = PETREL_KEY_EC_P256, .point = q, .point_len = 65};
	const uint8_t *msg = (const uint8_t *)"test";
	unhex(P256_Q, q, 65);
	size_t len = unhex(rfc6979_p256[1][1], good, sizeof good);
	cr_assert_eq(petrel_verify(0x0403, &pub, msg, 4, good, len), 0);

	/* trailing byte after the SEQUENCE */
	memcpy(bad, good, len);
	bad[len] = 0x00;
	cr_assert_eq(petrel_verify(0x0403, &pub, msg, 4, bad, len + 1), PETREL_E_SIGNATURE_INVALID);
	/* long-form length where short form is required */
	bad[0] = 0x30;
	bad[1] = 0x81;
	bad[2] = good[1];
	memcpy(bad + 3, good + 2, len - 2);
	cr_assert_eq(petrel_verify(0x0403, &pub, msg, 4, bad, len + 1), PETREL_E_SIGNATURE_INVALID);
	/* s = 0x0220 019f... padded with a superfluous 0x00 (non-minimal) */
	size_t r_end = 2 + 2 + good[3];
	memcpy(bad, good, r_end);
	bad[1] = (uint8_t)(good[1] + 1);
	bad[r_end] = 0x02;
	bad[r_end + 1] = (uint8_t)(good[r_end + 1] + 1);
	bad[r_end + 2] = 0x00;
	memcpy(bad + r_end + 3, good + r_end + 2, len - r_end - 2);
	cr_assert_eq(petrel_verify(0x0403, &pub, msg, 4, bad, len + 1), PETREL_E_SIGNATURE_INVALID);
	/* r with its sign byte removed reads as negative */
	memcpy(bad, good, len);
	bad[1] = (uint8_t)(good[1] - 1);
	bad[3] = 0x20;
	memmove(bad + 4, good + 5, len - 5);
	cr_assert_eq(petrel_verify(0x0403, &pub, msg, 4, bad, len - 1), PETREL_E_SIGNATURE_INVALID);
	/* truncated, empty */
	cr_assert_eq(petrel_verify(0x0403, &pub, msg, 4, good, len - 1), PETREL_E_SIGNATURE_INVALID);
	cr_assert_eq(petrel_verify(0x0403, &pub, msg, 4, good, 0), PETREL_E_SIGNATURE_INVALID);
}

Test(crypto_kat_sig, verify_refuses_scheme_that_does_not_fit_key)
{
	uint8_t q[65], sig[80];
	struct petrel_pubkey pub = {.type = PETREL_KEY_EC_P256, .point = q, .point_len = 65};
	unhex(P256_Q, q, 65);
	size_t len = unhex(rfc6979_p256[0][1], sig, sizeof sig);
	cr_assert_eq(petrel_verify(PETREL_SIG_ED25519, &pub, (const uint8_t *)"sample", 6, sig, len),
		     PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_verify(PETREL_SIG_RSA_PSS_RSAE_SHA256, &pub, (const uint8_t *)"sample",
				   6, sig, len),
		     PETREL_E_UNSUPPORTED);
	cr_assert_eq(petrel_verify(0x0201, &pub, (const uint8_t *)"sample", 6, sig, len),
		     PETREL_E_UNSUPPORTED);
}

/* ---- sign-then-verify ---- */

static void round_trip(struct petrel_privkey *key, unsigned expect_schemes)
{
	uint16_t schemes[8];
	size_t n = petrel_privkey_schemes(key, schemes, 8);
	struct petrel_pubkey pub;
	const uint8_t msg[] = "transcript hash input for CertificateVerify";

	cr_assert_eq(n, expect_schemes);
	petrel_privkey_public(key, &pub);
	cr_assert_eq(pub.type, petrel_privkey_type(key));
	for (size_t i = 0; i < n; i++) {
		uint8_t sig[PETREL_MAX_SIG_LEN];
		size_t sig_len = 0;
		cr_assert_eq(petrel_sign(key, schemes[i], msg, sizeof msg, sig, sizeof sig, &sig_len),
			     0, "scheme %04x", schemes[i]);
		cr_assert_eq(petrel_verify(schemes[i], &pub, msg, sizeof msg, sig, sig_len), 0,
			     "scheme %04x", schemes[i]);
		cr_assert_eq(petrel_verify(schemes[i], &pub, msg, sizeof msg - 1, sig, sig_len),
			     PETREL_E_SIGNATURE_INVALID, "scheme %04x", schemes[i]);
		sig[sig_len / 2] ^= 0x01;
		cr_assert_eq(petrel_verify(schemes[i], &pub, msg, sizeof msg, sig, sig_len),
			     PETREL_E_SIGNATURE_INVALID, "scheme %04x", schemes[i]);
		/* too small an output buffer is reported, not overrun */
		cr_assert_eq(petrel_sign(key, schemes[i], msg, sizeof msg, sig, 8, &sig_len),
			     PETREL_E_SHORT_BUFFER, "scheme %04x", schemes[i]);
	}
	/* a scheme of another key family is refused */
	uint8_t sig[PETREL_MAX_SIG_LEN];
	size_t sig_len;
	uint16_t foreign = pub.type == PETREL_KEY_ED25519 ? PETREL_SIG_ECDSA_SECP256R1_SHA256
							  : PETREL_SIG_ED25519;
	cr_assert_eq(petrel_sign(key, foreign, msg, sizeof msg, sig, sizeof sig, &sig_len),
		     PETREL_E_UNSUPPORTED);
}

Test(crypto_kat_sig, p256_known_key_signs_and_verifies)
{
	uint8_t d[32], raw[32];
	struct petrel_privkey *key = NULL;
	struct petrel_pubkey pub;
	unhex(P256_D, d, 32);
	cr_assert_eq(petrel_privkey_from_p256(d, &key), 0);
	petrel_privkey_public(key, &pub);
	assert_hex(pub.point, pub.point_len, P256_Q);
	cr_assert_eq(petrel_privkey_export_raw(key, raw), 0);
	cr_assert_arr_eq(raw, d, 32);
	round_trip(key, 1);
	petrel_privkey_free(key);

	uint8_t zero[32] = {0};
	key = NULL;
	cr_assert_eq(petrel_privkey_from_p256(zero, &key), PETREL_E_INVALID_KEY);
	cr_assert_null(key);
}

Test(crypto_kat_sig, generated_keys_round_trip_every_scheme)
{
	static const struct {
		enum petrel_key_type type;
		unsigned schemes;
	} kinds[] = {{PETREL_KEY_EC_P256, 1}, {PETREL_KEY_EC_P384, 1}, {PETREL_KEY_ED25519, 1}};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct petrel_privkey *key = NULL;
		cr_assert_eq(petrel_privkey_generate(kinds[i].type, &key), 0);
		cr_assert_eq(petrel_privkey_type(key), kinds[i].type);
		round_trip(key, kinds[i].schemes);
		petrel_privkey_free(key);
	}
}

struct rsa_parts {
	uint8_t n[512], e[8], d[512], p[256], q[256], dp[256], dq[256], qinv[256];
	size_t n_len, e_len, d_len, p_len, q_len, dp_len, dq_len, qinv_len;
};

static void load_rsa(struct rsa_parts *k)
{
	k->n_len = unhex(rsa_test_n, k->n, sizeof k->n);
	k->e_len = unhex(rsa_test_e, k->e, sizeof k->e);
	k->d_len = unhex(rsa_test_d, k->d, sizeof k->d);
	k->p_len = unhex(rsa_test_p, k->p, sizeof k->p);
	k->q_len = unhex(rsa_test_q, k->q, sizeof k->q);
	k->dp_len = unhex(rsa_test_dp, k->dp, sizeof k->dp);
	k->dq_len = unhex(rsa_test_dq, k->dq, sizeof k->dq);
	k->qinv_len = unhex(rsa_test_qinv, k->qinv, sizeof k->qinv);
}

static int rsa_from_parts(const struct rsa_parts *k, struct petrel_privkey **out)
{
	return petrel_privkey_from_rsa(k->n, k->n_len, k->e, k->e_len, k->d, k->d_len, k->p,
				       k->p_len, k->q, k->q_len, k->dp, k->dp_len, k->dq,
				       k->dq_len, k->qinv, k->qinv_len, out);
}

Test(crypto_kat_sig, rsa_fixed_key_signs_pkcs1_and_pss)
{
	struct rsa_parts k;
	struct petrel_privkey *key = NULL;
	struct petrel_pubkey pub;
	load_rsa(&k);
	cr_assert_eq(rsa_from_parts(&k, &key), 0);
	cr_assert_eq(petrel_privkey_type(key), PETREL_KEY_RSA);
	petrel_privkey_public(key, &pub);
	cr_assert_eq(pub.rsa_n_len, 256);
	cr_assert_arr_eq(pub.rsa_n, k.n, 256);
	round_trip(key, 4);

	/* PKCS#1 v1.5 is deterministic: signing twice gives the same bytes. */
	uint8_t s1[512], s2[512];
	size_t l1, l2;
	cr_assert_eq(petrel_sign(key, PETREL_SIG_RSA_PKCS1_SHA256, (const uint8_t *)"x", 1, s1,
				 sizeof s1, &l1),
		     0);
	cr_assert_eq(petrel_sign(key, PETREL_SIG_RSA_PKCS1_SHA256, (const uint8_t *)"x", 1, s2,
				 sizeof s2, &l2),
		     0);
	cr_assert_eq(l1, 256);
	cr_assert_arr_eq(s1, s2, l1);
	/* PKCS#1 and PSS signatures are not interchangeable. */
	cr_assert_eq(petrel_verify(PETREL_SIG_RSA_PSS_RSAE_SHA256, &pub, (const uint8_t *)"x", 1, s1,
				   l1),
		     PETREL_E_SIGNATURE_INVALID);
	/* wrong-length signature */
	cr_assert_eq(petrel_verify(PETREL_SIG_RSA_PKCS1_SHA256, &pub, (const uint8_t *)"x", 1, s1,
				   l1 - 1),
		     PETREL_E_SIGNATURE_INVALID);
	petrel_privkey_free(key);
}

Test(crypto_kat_sig, rsa_inconsistent_components_are_refused)
{
	struct rsa_parts k;
	struct petrel_privkey *key = NULL;
	load_rsa(&k);
	k.p[k.p_len - 1] ^= 0x02; /* p no longer divides n */
	cr_assert_eq(rsa_from_parts(&k, &key), PETREL_E_INVALID_KEY);
	cr_assert_null(key);
	load_rsa(&k);
	k.n[k.n_len - 1] ^= 0x01; /* even modulus */
	cr_assert_eq(rsa_from_parts(&k, &key), PETREL_E_INVALID_KEY);
	cr_assert_null(key);
}

Test(crypto_kat_sig, rsa_generated_key_round_trips)
{
	struct petrel_privkey *key = NULL;
	cr_assert_eq(petrel_privkey_generate(PETREL_KEY_RSA, &key), 0);
	round_trip(key, 4);
	petrel_privkey_free(key);
}
