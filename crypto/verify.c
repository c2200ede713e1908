/* Signature verification for every TLS SignatureScheme Petrel accepts:
 * ECDSA P-256/P-384 (DER signatures), RSA PKCS#1 v1.5 and RSA-PSS (hogweed),
 * Ed25519 (libsodium). Any failure of the signature itself, malformed or
 * wrong, is PETREL_E_SIGNATURE_INVALID. */
#include <nettle/bignum.h>
#include <nettle/dsa.h>
#include <nettle/ecdsa.h>
#include <nettle/rsa.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/der_sig.h"
#include "crypto/ec.h"
#include "crypto/internal.h"
#include "crypto/sig.h"
#include "petrel/petrel.h"

static int verify_ecdsa(const struct petrel_pubkey *key, const uint8_t *digest, size_t digest_len,
			const uint8_t *sig, size_t sig_len)
{
	const struct ecc_curve *curve = petrel_ec_curve(key->type);
	size_t coord_len = petrel_ec_coord_len(curve);
	uint8_t r[PETREL_EC_MAX_COORD_LEN], s[PETREL_EC_MAX_COORD_LEN];
	struct ecc_point pub;
	struct dsa_signature rs;
	int rc;

	ecc_point_init(&pub, curve);
	rc = petrel_ec_point_decode(curve, key->point, key->point_len, &pub);
	if (rc != 0) {
		ecc_point_clear(&pub);
		return PETREL_E_INVALID_KEY;
	}
	if (petrel_ecdsa_sig_decode(sig, sig_len, coord_len, r, s) != 0) {
		ecc_point_clear(&pub);
		return PETREL_E_SIGNATURE_INVALID;
	}
	dsa_signature_init(&rs);
	nettle_mpz_set_str_256_u(rs.r, coord_len, r);
	nettle_mpz_set_str_256_u(rs.s, coord_len, s);
	/* ecdsa_verify checks 0 < r, s < n and truncates the digest to the
	 * curve order's length (FIPS 186-4 6.4). */
	rc = ecdsa_verify(&pub, digest_len, digest, &rs) ? 0 : PETREL_E_SIGNATURE_INVALID;
	dsa_signature_clear(&rs);
	ecc_point_clear(&pub);
	return rc;
}

static int verify_rsa(enum petrel_sig_kind kind, enum petrel_hash_alg hash,
		      const struct petrel_pubkey *key, const uint8_t *digest, const uint8_t *sig,
		      size_t sig_len)
{
	struct rsa_public_key pub;
	mpz_t s;
	int rc, ok;

	rsa_public_key_init(&pub);
	rc = petrel_rsa_public_import(&pub, key->rsa_n, key->rsa_n_len, key->rsa_e, key->rsa_e_len);
	if (rc != 0) {
		rsa_public_key_clear(&pub);
		return rc;
	}
	/* RFC 8017 8.2.2 step 1 / 8.1.2 step 1: the signature is exactly k octets. */
	if (sig == NULL || sig_len != pub.size) {
		rsa_public_key_clear(&pub);
		return PETREL_E_SIGNATURE_INVALID;
	}
	nettle_mpz_init_set_str_256_u(s, sig_len, sig);
	if (kind == PETREL_SIG_KIND_RSA_PKCS1) {
		uint8_t info[PETREL_DIGEST_INFO_MAX_LEN];
		size_t info_len = petrel_rsa_digest_info(hash, digest, info);
		ok = rsa_pkcs1_verify(&pub, info_len, info, s);
	} else if (hash == PETREL_HASH_SHA384) {
		/* TLS fixes the PSS salt length to the hash length (RFC 8446 4.2.3). */
		ok = rsa_pss_sha384_verify_digest(&pub, 48, digest, s);
	} else {
		ok = rsa_pss_sha256_verify_digest(&pub, 32, digest, s);
	}
	mpz_clear(s);
	rsa_public_key_clear(&pub);
	return ok ? 0 : PETREL_E_SIGNATURE_INVALID;
}

int petrel_verify_digest(uint16_t scheme, const struct petrel_pubkey *key, const uint8_t *digest,
			 size_t digest_len, const uint8_t *sig, size_t sig_len)
{
	enum petrel_sig_kind kind;
	enum petrel_hash_alg hash;

	if (key == NULL || digest == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (petrel_sig_scheme_info(scheme, &kind, &hash) != 0 ||
	    !petrel_sig_kind_fits_key(kind, key->type) || kind == PETREL_SIG_KIND_ED25519)
		return PETREL_E_UNSUPPORTED;
	if (digest_len != petrel_hash_len(hash))
		return PETREL_E_INVALID_REQUEST;
	if (kind == PETREL_SIG_KIND_ECDSA)
		return verify_ecdsa(key, digest, digest_len, sig, sig_len);
	return verify_rsa(kind, hash, key, digest, sig, sig_len);
}

int petrel_verify(uint16_t scheme, const struct petrel_pubkey *key, const uint8_t *msg,
		  size_t msg_len, const uint8_t *sig, size_t sig_len)
{
	enum petrel_sig_kind kind;
	enum petrel_hash_alg hash;
	uint8_t digest[PETREL_MAX_HASH_LEN];

	if (key == NULL || (msg == NULL && msg_len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (petrel_sig_scheme_info(scheme, &kind, &hash) != 0 ||
	    !petrel_sig_kind_fits_key(kind, key->type))
		return PETREL_E_UNSUPPORTED;
	if (kind == PETREL_SIG_KIND_ED25519) {
		petrel_crypto_init();
		if (key->point == NULL || key->point_len != crypto_sign_PUBLICKEYBYTES)
			return PETREL_E_INVALID_KEY;
		if (sig == NULL || sig_len != crypto_sign_BYTES)
			return PETREL_E_SIGNATURE_INVALID;
		/* Pure Ed25519 (RFC 8032 5.1.7); libsodium rejects non-canonical S
		 * and small-order keys. */
		if (crypto_sign_verify_detached(sig, msg_len > 0 ? msg : (const uint8_t *)"",
						msg_len, key->point) != 0)
			return PETREL_E_SIGNATURE_INVALID;
		return 0;
	}
	petrel_hash(hash, msg, msg_len, digest);
	return petrel_verify_digest(scheme, key, digest, petrel_hash_len(hash), sig, sig_len);
}
