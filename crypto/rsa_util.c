/* RSA helpers: PKCS#1 DigestInfo and public-key import over hogweed. */
#include <string.h>

#include <nettle/bignum.h>

#include "crypto/sig.h"
#include "petrel/petrel.h"

/* DER of DigestInfo up to the digest bytes (RFC 8017 9.2 note 1). */
static const uint8_t sha256_prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					  0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					  0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t sha384_prefix[19] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
					  0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					  0x02, 0x05, 0x00, 0x04, 0x30};

size_t petrel_rsa_digest_info(enum petrel_hash_alg hash, const uint8_t *digest, uint8_t *out)
{
	const uint8_t *prefix = hash == PETREL_HASH_SHA384 ? sha384_prefix : sha256_prefix;
	size_t digest_len = petrel_hash_len(hash);

	memcpy(out, prefix, sizeof sha256_prefix);
	memcpy(out + sizeof sha256_prefix, digest, digest_len);
	return sizeof sha256_prefix + digest_len;
}

int petrel_rsa_public_import(struct rsa_public_key *pub, const uint8_t *n, size_t n_len,
			     const uint8_t *e, size_t e_len)
{
	size_t bits;

	if (n == NULL || e == NULL || n_len == 0 || e_len == 0 || n_len > PETREL_RSA_MAX_BITS / 8 + 1 ||
	    e_len > 8)
		return PETREL_E_INVALID_KEY;
	nettle_mpz_set_str_256_u(pub->n, n_len, n);
	nettle_mpz_set_str_256_u(pub->e, e_len, e);
	bits = mpz_sizeinbase(pub->n, 2);
	/* An even modulus or exponent, or e < 3, is never a real RSA key. */
	if (bits < PETREL_RSA_MIN_BITS || bits > PETREL_RSA_MAX_BITS || mpz_even_p(pub->n) ||
	    mpz_even_p(pub->e) || mpz_cmp_ui(pub->e, 3) < 0)
		return PETREL_E_INVALID_KEY;
	if (!rsa_public_key_prepare(pub))
		return PETREL_E_INVALID_KEY;
	return 0;
}
