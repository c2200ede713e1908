/* petrel_aead_seal_gather (the DTLS 1.3 record seal without a copy of the
 * content, RFC 8446 5.2's TLSInnerPlaintext): for every AEAD, every
 * content length around the GCM block and gather thresholds and every
 * alignment of the output, the same bytes as copying then sealing in
 * place. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"

static const enum petrel_aead_alg algs[] = {
	PETREL_AEAD_AES128_GCM, PETREL_AEAD_AES256_GCM, PETREL_AEAD_AES128_CCM,
	PETREL_AEAD_AES128_CCM8, PETREL_AEAD_CHACHA20_POLY1305,
};
static const size_t lengths[] = {0, 1, 15, 16, 17, 100, 255, 256, 257, 300, 1200, 1201, 4096};

Test(rec13_seal_gather, matches_copy_then_seal_for_every_aead_length_and_alignment)
{
	uint8_t key[32], nonce[PETREL_AEAD_NONCE_LEN], ad[5] = {0x2c, 0x01, 0x02, 0x03, 0x04};
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size());
	uint8_t *src = malloc(4096), *want = malloc(4096 + 64), *got = malloc(4096 + 64 + 8);
	cr_assert(ctx && src && want && got);
	for (size_t i = 0; i < 4096; i++)
		src[i] = (uint8_t)(i * 13 + 5);
	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		cr_assert_eq(petrel_aead_init(ctx, algs[a], key), 0);
		size_t tag = petrel_aead_tag_len(algs[a]);
		for (size_t l = 0; l < sizeof lengths / sizeof lengths[0]; l++)
			for (size_t shift = 0; shift < 8; shift++) {
				size_t len = lengths[l], tail = 1 + shift % 3; /* type + padding */
				uint8_t *dst = got + shift;
				memcpy(want, src, len);
				want[len] = 23;
				memset(want + len + 1, 0, tail - 1);
				cr_assert_eq(petrel_aead_seal(ctx, nonce, ad, sizeof ad, want, len + tail), 0);
				memset(got, 0xee, 4096 + 64 + 8);
				dst[len] = 23;
				memset(dst + len + 1, 0, tail - 1);
				cr_assert_eq(petrel_aead_seal_gather(ctx, nonce, ad, sizeof ad, dst, src, len,
								     tail),
					     0);
				cr_assert_eq(memcmp(dst, want, len + tail + tag), 0,
					     "alg %zu length %zu shift %zu", a, len, shift);
				cr_assert_eq(petrel_aead_open(ctx, nonce, ad, sizeof ad, dst, len + tail + tag),
					     0);
				cr_assert_eq(memcmp(dst, src, len), 0);
			}
		petrel_aead_wipe(ctx);
	}
	free(ctx);
	free(src);
	free(want);
	free(got);
}
