/* Known-answer tests for the record AEADs: McGrew-Viega GCM test cases
 * (AES-128 cases 2-4, AES-256 cases 14-16), SP 800-38C example 3 (AES-CCM,
 * 12-byte nonce, 8-byte tag), a Wycheproof AES-CCM vector with a 12-byte
 * nonce and 16-byte tag, and RFC 8439 2.8.2 (ChaCha20-Poly1305). Plus
 * rejection of a tampered tag, ciphertext, AD and a wrong key for every AEAD. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "tests/crypto_testutil.h"

struct aead_case {
	const char *name;
	enum petrel_aead_alg alg;
	const char *key, *nonce, *ad, *pt, *ct_tag;
};

#define MV_PT                                                                                      \
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"                         \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define MV_PT60                                                                                    \
	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"                         \
	"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define MV_AD "feedfacedeadbeeffeedfacedeadbeefabaddad2"

static const struct aead_case cases[] = {
	{"gcm128 case 2", PETREL_AEAD_AES128_GCM, "00000000000000000000000000000000",
	 "000000000000000000000000", "", "00000000000000000000000000000000",
	 "0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf"},
	{"gcm128 case 3", PETREL_AEAD_AES128_GCM, "feffe9928665731c6d6a8f9467308308",
	 "cafebabefacedbaddecaf888", "", MV_PT,
	 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
	 "4d5c2af327cd64a62cf35abd2ba6fab4"},
	{"gcm128 case 4", PETREL_AEAD_AES128_GCM, "feffe9928665731c6d6a8f9467308308",
	 "cafebabefacedbaddecaf888", MV_AD, MV_PT60,
	 "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	 "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
	 "5bc94fbc3221a5db94fae95ae7121a47"},
	{"gcm256 case 14", PETREL_AEAD_AES256_GCM,
	 "0000000000000000000000000000000000000000000000000000000000000000",
	 "000000000000000000000000", "", "00000000000000000000000000000000",
	 "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"},
	{"gcm256 case 15", PETREL_AEAD_AES256_GCM,
	 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	 "cafebabefacedbaddecaf888", "", MV_PT,
	 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
	 "b094dac5d93471bdec1a502270e3cc6c"},
	{"gcm256 case 16", PETREL_AEAD_AES256_GCM,
	 "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	 "cafebabefacedbaddecaf888", MV_AD, MV_PT60,
	 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
	 "76fc6ece0f4e1768cddf8853bb2d551b"},
	/* SP 800-38C C.3 Example 3: Nlen 96, Alen 160, Plen 192, Tlen 64. */
	{"ccm8 sp800-38c example 3", PETREL_AEAD_AES128_CCM8, "404142434445464748494a4b4c4d4e4f",
	 "101112131415161718191a1b", "000102030405060708090a0b0c0d0e0f10111213",
	 "202122232425262728292a2b2c2d2e2f3031323334353637",
	 "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951"},
	/* AES-128-CCM with a 16-byte tag has no RFC vector with a 12-byte nonce:
	 * Wycheproof aes_ccm_test.json tcId 3 (keySize 128, ivSize 96, tagSize 128). */
	{"ccm wycheproof tcId 3", PETREL_AEAD_AES128_CCM, "cae31cd9f55526eb038241fc44cac1e5",
	 "b5e006ded553110e6dc56529", "", "d10989f2c52e94ad",
	 "e64d0b64ebb381ec25409c795d491d804e583917227b73c7"},
	/* RFC 8439 2.8.2 */
	{"chacha20-poly1305 rfc8439 2.8.2", PETREL_AEAD_CHACHA20_POLY1305,
	 "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	 "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
	 "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
	 "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
	 "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
	 "637265656e20776f756c642062652069742e",
	 "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	 "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	 "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	 "3ff4def08e4b7a9de576d26586cec64b6116"
	 "1ae10b594f09e26a7e902ecbd0600691"},
};

struct aead_bufs {
	uint8_t key[32], nonce[12], ad[64], pt[160], ct[192], buf[192];
	size_t key_len, nonce_len, ad_len, pt_len, ct_len;
};

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = crypto_test_unhex(hex, out, cap);
	cr_assert_neq(n, (size_t)-1, "bad hex in test vector");
	return n;
}

static void load(const struct aead_case *c, struct aead_bufs *b)
{
	b->key_len = unhex(c->key, b->key, sizeof b->key);
	b->nonce_len = unhex(c->nonce, b->nonce, sizeof b->nonce);
	b->ad_len = unhex(c->ad, b->ad, sizeof b->ad);
	b->pt_len = unhex(c->pt, b->pt, sizeof b->pt);
	b->ct_len = unhex(c->ct_tag, b->ct, sizeof b->ct);
	cr_assert_eq(b->key_len, petrel_aead_key_len(c->alg), "%s", c->name);
	cr_assert_eq(b->nonce_len, PETREL_AEAD_NONCE_LEN, "%s", c->name);
	cr_assert_eq(b->ct_len, b->pt_len + petrel_aead_tag_len(c->alg), "%s", c->name);
}

static struct petrel_aead_ctx *new_ctx(void)
{
	struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size());
	cr_assert_not_null(ctx);
	return ctx;
}

Test(crypto_kat_aead, seal_and_open_match_published_vectors)
{
	struct petrel_aead_ctx *ctx = new_ctx();

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct aead_case *c = &cases[i];
		struct aead_bufs b;
		load(c, &b);
		cr_assert_eq(petrel_aead_init(ctx, c->alg, b.key), 0, "%s", c->name);

		memcpy(b.buf, b.pt, b.pt_len);
		cr_assert_eq(petrel_aead_seal(ctx, b.nonce, b.ad, b.ad_len, b.buf, b.pt_len), 0,
			     "%s", c->name);
		cr_assert_arr_eq(b.buf, b.ct, b.ct_len, "%s: sealed bytes differ", c->name);

		cr_assert_eq(petrel_aead_open(ctx, b.nonce, b.ad, b.ad_len, b.buf, b.ct_len), 0,
			     "%s", c->name);
		cr_assert_arr_eq(b.buf, b.pt, b.pt_len, "%s: opened bytes differ", c->name);
		petrel_aead_wipe(ctx);
	}
	free(ctx);
}

/* Every way a record can be forged must give PETREL_E_DECRYPTION_FAILED. */
Test(crypto_kat_aead, tampering_or_wrong_key_fails_for_every_aead)
{
	struct petrel_aead_ctx *ctx = new_ctx();
	unsigned checked = 0;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct aead_case *c = &cases[i];
		struct aead_bufs b;
		load(c, &b);
		cr_assert_eq(petrel_aead_init(ctx, c->alg, b.key), 0);

		/* flipped bit in the last tag byte, first ciphertext byte, AD, nonce */
		for (int what = 0; what < 4; what++) {
			uint8_t ad[64], nonce[12];
			memcpy(b.buf, b.ct, b.ct_len);
			memcpy(ad, b.ad, sizeof ad);
			memcpy(nonce, b.nonce, sizeof nonce);
			if (what == 0)
				b.buf[b.ct_len - 1] ^= 0x01;
			else if (what == 1)
				b.buf[0] ^= 0x80;
			else if (what == 2 && b.ad_len > 0)
				ad[0] ^= 0x01;
			else
				nonce[11] ^= 0x01;
			cr_assert_eq(petrel_aead_open(ctx, nonce, ad, b.ad_len, b.buf, b.ct_len),
				     PETREL_E_DECRYPTION_FAILED, "%s tamper %d", c->name, what);
			checked++;
		}

		/* truncated below the tag length */
		memcpy(b.buf, b.ct, b.ct_len);
		cr_assert_eq(petrel_aead_open(ctx, b.nonce, b.ad, b.ad_len, b.buf,
					      petrel_aead_tag_len(c->alg) - 1),
			     PETREL_E_DECRYPTION_FAILED, "%s truncated", c->name);

		/* wrong key */
		b.key[0] ^= 0x01;
		cr_assert_eq(petrel_aead_init(ctx, c->alg, b.key), 0);
		memcpy(b.buf, b.ct, b.ct_len);
		cr_assert_eq(petrel_aead_open(ctx, b.nonce, b.ad, b.ad_len, b.buf, b.ct_len),
			     PETREL_E_DECRYPTION_FAILED, "%s wrong key", c->name);
		checked++;
	}
	cr_assert_eq(checked, 5 * (sizeof cases / sizeof cases[0]));
	free(ctx);
}

/* Each AEAD round-trips every length from 0 to 100 with a fixed key, so
 * partial blocks and empty plaintexts are covered. */
Test(crypto_kat_aead, round_trip_all_short_lengths)
{
	static const enum petrel_aead_alg algs[] = {PETREL_AEAD_AES128_GCM, PETREL_AEAD_AES256_GCM,
						    PETREL_AEAD_AES128_CCM, PETREL_AEAD_AES128_CCM8,
						    PETREL_AEAD_CHACHA20_POLY1305};
	struct petrel_aead_ctx *ctx = new_ctx();
	uint8_t key[32], nonce[12], ad[13], pt[100], buf[116];
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof pt; i++)
		pt[i] = (uint8_t)(i * 13 + 5);
	memset(nonce, 0x42, sizeof nonce);
	memset(ad, 0x17, sizeof ad);

	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		size_t tag = petrel_aead_tag_len(algs[a]);
		cr_assert_eq(petrel_aead_init(ctx, algs[a], key), 0);
		for (size_t len = 0; len <= sizeof pt; len++) {
			memcpy(buf, pt, len);
			cr_assert_eq(petrel_aead_seal(ctx, nonce, ad, sizeof ad, buf, len), 0);
			cr_assert_eq(petrel_aead_open(ctx, nonce, ad, sizeof ad, buf, len + tag), 0);
			cr_assert_arr_eq(buf, pt, len);
		}
	}
	cr_assert_eq(petrel_aead_init(ctx, (enum petrel_aead_alg)99, key), PETREL_E_INVALID_REQUEST);
	free(ctx);
}

/* The record path seals from the caller's bytes into the datagram and opens
 * into the caller's buffer: the same vectors through separate buffers, at
 * every alignment of the output (nettle's CTR code has an aligned path),
 * in a context allocated at its algorithm's size only. */
Test(crypto_kat_aead, separate_buffers_match_published_vectors_at_every_alignment)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct aead_case *c = &cases[i];
		struct aead_bufs b;
		load(c, &b);
		struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size_for(c->alg));
		cr_assert_not_null(ctx);
		cr_assert_leq(petrel_aead_ctx_size_for(c->alg), petrel_aead_ctx_size());
		cr_assert_eq(petrel_aead_init(ctx, c->alg, b.key), 0, "%s", c->name);
		for (size_t align = 0; align < 8; align++) {
			_Alignas(16) uint8_t out[sizeof b.ct + 8], back[sizeof b.pt + 8];
			cr_assert_eq(petrel_aead_seal_from(ctx, b.nonce, b.ad, b.ad_len, out + align,
							   b.pt, b.pt_len), 0, "%s", c->name);
			cr_assert_arr_eq(out + align, b.ct, b.ct_len, "%s: sealed bytes differ at +%zu",
					 c->name, align);
			cr_assert_eq(petrel_aead_open_to(ctx, b.nonce, b.ad, b.ad_len, back + align,
							 out + align, b.ct_len), 0, "%s", c->name);
			cr_assert_arr_eq(back + align, b.pt, b.pt_len, "%s: opened bytes differ at +%zu",
					 c->name, align);
			if (b.pt_len == 0)
				continue;
			/* A bad tag leaves no plaintext in the destination. */
			out[align + b.ct_len - 1] ^= 1;
			memset(back, 0x5a, sizeof back);
			cr_assert_eq(petrel_aead_open_to(ctx, b.nonce, b.ad, b.ad_len, back + align,
							 out + align, b.ct_len),
				     PETREL_E_DECRYPTION_FAILED, "%s", c->name);
			for (size_t k = 0; k < b.pt_len; k++)
				cr_assert(back[align + k] == 0 || back[align + k] == 0x5a,
					  "%s: plaintext left behind after a bad tag", c->name);
		}
		petrel_aead_wipe(ctx);
		free(ctx);
	}
}
