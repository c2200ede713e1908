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

_Static_assert(sizeof(struct petrel_hmac_ctx) <= PETREL_PRF_KEY_BYTES, "PETREL_PRF_KEY_BYTES");

int petrel_prf_key_init(struct petrel_prf_key *key, enum petrel_hash_alg alg,
			const uint8_t *secret, size_t secret_len)
{
	struct petrel_hmac_ctx mac;
	if (petrel_hash_len(alg) == 0 || petrel_hmac_init(&mac, alg, secret, secret_len) != 0)
		return PETREL_E_INVALID_REQUEST;
	/* Copied in and out with memcpy: the opaque bytes are never accessed
	 * through another type. */
	memcpy(key->opaque, &mac, sizeof mac);
	petrel_wipe(&mac, sizeof mac);
	return 0;
}

int petrel_tls12_prf_keyed(const struct petrel_prf_key *key, const char *label,
			   const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2,
			   size_t seed2_len, uint8_t *out, size_t out_len)
{
	/* A copy of the keyed context: nettle's digest re-arms it to the
	 * keyed inner state, so no HMAC key set-up per call. */
	struct petrel_hmac_ctx mac;
	memcpy(&mac, key->opaque, sizeof mac);
	uint8_t a[PETREL_MAX_HASH_LEN];
	uint8_t block[PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(mac.alg);
	size_t label_len = label != NULL ? strlen(label) : 0;

	if (hash_len == 0 || (out == NULL && out_len > 0))
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

int petrel_tls12_prf(enum petrel_hash_alg alg, const uint8_t *secret, size_t secret_len,
		     const char *label, const uint8_t *seed1, size_t seed1_len,
		     const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
	struct petrel_prf_key key;
	if (petrel_hash_len(alg) == 0 || (out == NULL && out_len > 0))
		return PETREL_E_INVALID_REQUEST;
	int rc = petrel_prf_key_init(&key, alg, secret, secret_len);
	if (rc == 0)
		rc = petrel_tls12_prf_keyed(&key, label, seed1, seed1_len, seed2, seed2_len, out,
					    out_len);
	petrel_wipe(&key, sizeof(struct petrel_hmac_ctx));
	return rc;
}
