/* Known-answer tests for SHA-2, HMAC (RFC 4231), HKDF (RFC 5869), the TLS 1.2
 * PRF and HKDF-Expand-Label (RFC 8448 simple 1-RTT trace). */
#include <criterion/criterion.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/crypto_testutil.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = crypto_test_unhex(hex, out, cap);
	cr_assert_neq(n, (size_t)-1, "bad hex in test vector");
	return n;
}

static void assert_bytes(const uint8_t *got, const char *want_hex, size_t len)
{
	uint8_t want[512];
	size_t n = unhex(want_hex, want, sizeof want);
	cr_assert_eq(n, len, "length %zu, expected %zu", len, n);
	cr_assert_arr_eq(got, want, n);
}

Test(crypto_kat_hash, sha256_and_sha384_of_abc)
{
	uint8_t out[PETREL_MAX_HASH_LEN];
	petrel_hash(PETREL_HASH_SHA256, (const uint8_t *)"abc", 3, out);
	assert_bytes(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 32);
	petrel_hash(PETREL_HASH_SHA384, (const uint8_t *)"abc", 3, out);
	assert_bytes(out,
		     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		     "8086072ba1e7cc2358baeca134c825a7",
		     48);
	cr_assert_eq(petrel_hash_len(PETREL_HASH_SHA256), 32);
	cr_assert_eq(petrel_hash_len(PETREL_HASH_SHA384), 48);
}

Test(crypto_kat_hash, peek_snapshots_without_disturbing_running_hash)
{
	struct petrel_hash_ctx ctx, copy;
	uint8_t mid[32], full[32], one_shot[32];

	petrel_hash_init(&ctx, PETREL_HASH_SHA256);
	petrel_hash_update(&ctx, (const uint8_t *)"a", 1);
	copy = ctx;
	petrel_hash_peek(&ctx, mid);
	petrel_hash_update(&ctx, (const uint8_t *)"bc", 2);
	petrel_hash_peek(&ctx, full);
	assert_bytes(full, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 32);
	petrel_hash(PETREL_HASH_SHA256, (const uint8_t *)"a", 1, one_shot);
	cr_assert_arr_eq(mid, one_shot, 32);
	/* The struct copy taken earlier is an independent snapshot. */
	petrel_hash_peek(&copy, full);
	cr_assert_arr_eq(full, one_shot, 32);
}

Test(crypto_kat_hash, sha384_context_fits_and_snapshots)
{
	struct petrel_hash_ctx ctx;
	uint8_t out[48];
	petrel_hash_init(&ctx, PETREL_HASH_SHA384);
	petrel_hash_update(&ctx, (const uint8_t *)"ab", 2);
	petrel_hash_update(&ctx, (const uint8_t *)"c", 1);
	petrel_hash_peek(&ctx, out);
	assert_bytes(out,
		     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		     "8086072ba1e7cc2358baeca134c825a7",
		     48);
}

struct hmac_case {
	const char *key_hex;
	const char *data;
	const char *sha256;
	const char *sha384;
};

/* RFC 4231 4.2, 4.3, 4.7 (test cases 1, 2 and 6). */
static const struct hmac_case rfc4231[] = {
	{"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
	 "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	 "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	 "faea9ea9076ede7f4af152e8b2fa9cb6"},
	{"4a656665", "what do ya want for nothing?",
	 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	 "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	 "8e2240ca5e69e2c78b3239ecfab21649"},
	{NULL /* 131 bytes of 0xaa */, "Test Using Larger Than Block-Size Key - Hash Key First",
	 "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	 "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	 "0c2ef6ab4030fe8296248df163f44952"},
};

Test(crypto_kat_hash, hmac_rfc4231_sha256_and_sha384)
{
	for (size_t i = 0; i < sizeof rfc4231 / sizeof rfc4231[0]; i++) {
		uint8_t key[131], out[48];
		size_t key_len;
		if (rfc4231[i].key_hex != NULL) {
			key_len = unhex(rfc4231[i].key_hex, key, sizeof key);
		} else {
			memset(key, 0xaa, sizeof key);
			key_len = sizeof key;
		}
		const uint8_t *data = (const uint8_t *)rfc4231[i].data;
		size_t data_len = strlen(rfc4231[i].data);
		petrel_hmac(PETREL_HASH_SHA256, key, key_len, data, data_len, out);
		assert_bytes(out, rfc4231[i].sha256, 32);
		petrel_hmac(PETREL_HASH_SHA384, key, key_len, data, data_len, out);
		assert_bytes(out, rfc4231[i].sha384, 48);
	}
}

struct hkdf_case {
	const char *ikm, *salt, *info, *prk, *okm;
};

/* RFC 5869 A.1-A.3 (SHA-256). A.3 has an empty salt, which means HashLen zeros. */
static const struct hkdf_case rfc5869[] = {
	{"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
	 "f0f1f2f3f4f5f6f7f8f9", "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	 "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
	{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	 "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	 "404142434445464748494a4b4c4d4e4f",
	 "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	 "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	 "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	 "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
	 "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	 "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
	 "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
	 "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
	 "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
	{"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
	 "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	 "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
};

Test(crypto_kat_hash, hkdf_rfc5869_sha256)
{
	for (size_t i = 0; i < sizeof rfc5869 / sizeof rfc5869[0]; i++) {
		uint8_t ikm[80], salt[80], info[80], prk[32], okm[82];
		size_t ikm_len = unhex(rfc5869[i].ikm, ikm, sizeof ikm);
		size_t salt_len = unhex(rfc5869[i].salt, salt, sizeof salt);
		size_t info_len = unhex(rfc5869[i].info, info, sizeof info);
		size_t okm_len = strlen(rfc5869[i].okm) / 2;

		petrel_hkdf_extract(PETREL_HASH_SHA256, salt_len ? salt : NULL, salt_len, ikm,
				    ikm_len, prk);
		assert_bytes(prk, rfc5869[i].prk, 32);
		cr_assert_eq(petrel_hkdf_expand(PETREL_HASH_SHA256, prk, 32, info, info_len, okm,
						okm_len),
			     0);
		assert_bytes(okm, rfc5869[i].okm, okm_len);
	}
}

Test(crypto_kat_hash, hkdf_expand_rejects_output_longer_than_255_blocks)
{
	static uint8_t out[255 * 32 + 1];
	uint8_t prk[32] = {1};
	cr_assert_eq(petrel_hkdf_expand(PETREL_HASH_SHA256, prk, 32, NULL, 0, out, 255 * 32), 0);
	cr_assert_eq(petrel_hkdf_expand(PETREL_HASH_SHA256, prk, 32, NULL, 0, out, 255 * 32 + 1),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_hkdf_expand(0, prk, 32, NULL, 0, out, 16), PETREL_E_INVALID_REQUEST);
}

/* The TLS 1.2 PRF (SHA-256) vector circulated on the IETF TLS list: secret,
 * seed, label "test label", 100 bytes. The seed is split in two to exercise
 * the seed1/seed2 concatenation. */
Test(crypto_kat_hash, tls12_prf_sha256_published_vector)
{
	uint8_t secret[16], seed[16], out[100];
	unhex("9bbe436ba940f017b17652849a71db35", secret, sizeof secret);
	unhex("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof seed);
	const char *want = "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
			   "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
			   "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
			   "87347b66";
	cr_assert_eq(petrel_tls12_prf(PETREL_HASH_SHA256, secret, sizeof secret, "test label", seed,
				      sizeof seed, NULL, 0, out, sizeof out),
		     0);
	assert_bytes(out, want, 100);

	memset(out, 0, sizeof out);
	cr_assert_eq(petrel_tls12_prf(PETREL_HASH_SHA256, secret, sizeof secret, "test label", seed,
				      5, seed + 5, sizeof seed - 5, out, sizeof out),
		     0);
	assert_bytes(out, want, 100);

	/* A shorter output is a prefix of the longer one. */
	uint8_t short_out[33];
	cr_assert_eq(petrel_tls12_prf(PETREL_HASH_SHA256, secret, sizeof secret, "test label", seed,
				      sizeof seed, NULL, 0, short_out, sizeof short_out),
		     0);
	cr_assert_arr_eq(short_out, out, sizeof short_out);
}

/* RFC 8448 3 (simple 1-RTT): traffic keys and IVs from the handshake traffic
 * secrets, and the "derived" secret from the early secret. */
Test(crypto_kat_hash, hkdf_expand_label_rfc8448_handshake_keys)
{
	uint8_t secret[32], out[32], empty_hash[32];

	unhex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", secret, 32);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", "key", NULL,
					      0, out, 16),
		     0);
	assert_bytes(out, "dbfaa693d1762c5b666af5d950258d01", 16);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", "iv", NULL,
					      0, out, 12),
		     0);
	assert_bytes(out, "5bd3c71b836e0b76bb73265f", 12);

	unhex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", secret, 32);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", "key", NULL,
					      0, out, 16),
		     0);
	assert_bytes(out, "3fce516009c21727d0f2e4e86ee403bc", 16);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", "iv", NULL,
					      0, out, 12),
		     0);
	assert_bytes(out, "5d313eb2671276ee13000b30", 12);

	/* early secret = HKDF-Extract(0, 0) and Derive-Secret(., "derived", "") */
	uint8_t zeros[32] = {0};
	petrel_hkdf_extract(PETREL_HASH_SHA256, NULL, 0, zeros, 32, secret);
	assert_bytes(secret, "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a", 32);
	petrel_hash(PETREL_HASH_SHA256, NULL, 0, empty_hash);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", "derived",
					      empty_hash, 32, out, 32),
		     0);
	assert_bytes(out, "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba", 32);
}

/* RFC 9147 5.9 swaps the prefix for "dtls13"; no published vector exists, so
 * this value was computed with an independent HKDF (Python hmac module). */
Test(crypto_kat_hash, hkdf_expand_label_dtls13_prefix_changes_output)
{
	uint8_t secret[32], out[16];
	unhex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", secret, 32);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "dtls13", "key", NULL,
					      0, out, 16),
		     0);
	assert_bytes(out, "3a9324dc4d987f875fe7d1bfa5adb94c", 16);
}

Test(crypto_kat_hash, hkdf_expand_label_rejects_oversized_label_or_context)
{
	uint8_t secret[32] = {0}, out[16], ctx[256] = {0};
	char label[260];
	memset(label, 'a', sizeof label - 1);
	label[sizeof label - 1] = '\0';
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", label, NULL,
					      0, out, 16),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", "key", ctx,
					      256, out, 16),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_hkdf_expand_label(PETREL_HASH_SHA256, secret, 32, "tls13 ", "key", ctx,
					      255, out, 16),
		     0);
}

/* petrel_ct_equal: libsodium's fixed-size compares at 16/32/64 bytes,
 * sodium_memcmp otherwise; every length must see a difference anywhere. */
Test(crypto_kat_hash, ct_equal_sees_any_differing_byte_at_every_length)
{
	static const size_t lens[] = {1, 12, 15, 16, 17, 32, 48, 64, 65};
	uint8_t a[65], b[65];
	for (size_t i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)(i * 37 + 5);
	for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
		size_t len = lens[l];
		memcpy(b, a, sizeof b);
		cr_assert_eq(petrel_ct_equal(a, b, len), 1, "equal, %zu bytes", len);
		for (size_t at = 0; at < len; at++) {
			b[at] ^= 0x01;
			cr_assert_eq(petrel_ct_equal(a, b, len), 0, "byte %zu of %zu", at, len);
			b[at] ^= 0x01;
		}
		if (len < sizeof b) {
			b[len] ^= 0x80; /* past the compared length: ignored */
			cr_assert_eq(petrel_ct_equal(a, b, len), 1, "byte after %zu ignored", len);
		}
	}
}
