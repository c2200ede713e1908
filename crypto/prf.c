/* The TLS 1.2 PRF (RFC 5246 5), also used by DTLS 1.2 (RFC 6347 4.2.6):
 *   PRF(secret, label, seed) = P_hash(secret, label || seed)
 *   P_hash = HMAC(secret, A(1) || label || seed) || HMAC(secret, A(2) || ...)
 *   A(0) = label || seed, A(i) = HMAC(secret, A(i-1)).
 * seed is passed in two pieces (e.g. client_random, server_random) so no
 * caller has to concatenate them. */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

static void absorb_label_seed(struct petrel_hmac_ctx *mac, const char *label, size_t label_len,
			      const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2,
			      size_t seed2_len)
{
	petrel_hmac_update(mac, (const uint8_t *)label, label_len);
	if (seed1 != NULL)
		petrel_hmac_update(mac, seed1, seed1_len);
	if (seed2 != NULL)
		petrel_hmac_update(mac, seed2, seed2_len);
}

int petrel_tls12_prf(enum petrel_hash_alg alg, const uint8_t *secret, size_t secret_len,
		     const char *label, const uint8_t *seed1, size_t seed1_len,
		     const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
	struct petrel_hmac_ctx mac;
	uint8_t a[PETREL_MAX_HASH_LEN];
	uint8_t block[PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(alg);
	size_t label_len = label != NULL ? strlen(label) : 0;

	if (hash_len == 0 || (out == NULL && out_len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (petrel_hmac_init(&mac, alg, secret, secret_len) != 0)
		return PETREL_E_INVALID_REQUEST;

	/* A(1) = HMAC(secret, label || seed) */
	absorb_label_seed(&mac, label, label_len, seed1, seed1_len, seed2, seed2_len);
	petrel_hmac_final(&mac, a);

	while (out_len > 0) {
		size_t n = out_len < hash_len ? out_len : hash_len;

		petrel_hmac_update(&mac, a, hash_len);
		absorb_label_seed(&mac, label, label_len, seed1, seed1_len, seed2, seed2_len);
		petrel_hmac_final(&mac, block);
		memcpy(out, block, n);
		out += n;
		out_len -= n;
		if (out_len > 0) {
			/* A(i+1) = HMAC(secret, A(i)) */
			petrel_hmac_update(&mac, a, hash_len);
			petrel_hmac_final(&mac, a);
		}
	}
	petrel_wipe(&mac, sizeof mac);
	petrel_wipe(a, sizeof a);
	petrel_wipe(block, sizeof block);
	return 0;
}
