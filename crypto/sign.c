/* Signing with a parsed private key: ECDSA (DER output, RFC 8422 5.4),
 * RSA PKCS#1 v1.5 and RSA-PSS with salt = hash length (RFC 8446 4.2.3),
 * Ed25519 (RFC 8032, pure). RSA blinding and ECDSA nonces draw on
 * libsodium's CSPRNG. */
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

static int sign_ecdsa(const struct petrel_privkey *key, const uint8_t *digest, size_t digest_len,
		      uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
	size_t coord_len = key->u.ec.coord_len;
	uint8_t r[PETREL_EC_MAX_COORD_LEN], s[PETREL_EC_MAX_COORD_LEN];
	struct dsa_signature rs;

	dsa_signature_init(&rs);
	ecdsa_sign(&key->u.ec.d, NULL, petrel_nettle_random, digest_len, digest, &rs);
	nettle_mpz_get_str_256(coord_len, r, rs.r);
	nettle_mpz_get_str_256(coord_len, s, rs.s);
	dsa_signature_clear(&rs);
	return petrel_ecdsa_sig_encode(r, s, coord_len, sig, sig_cap, sig_len);
}

static int sign_rsa(const struct petrel_privkey *key, enum petrel_sig_kind kind,
		    enum petrel_hash_alg hash, const uint8_t *digest, uint8_t *sig, size_t sig_cap,
		    size_t *sig_len)
{
	const struct rsa_public_key *pub = &key->u.rsa.pub;
	const struct rsa_private_key *priv = &key->u.rsa.priv;
	mpz_t s;
	int ok;

	if (sig_cap < pub->size)
		return PETREL_E_SHORT_BUFFER;
	mpz_init(s);
	if (kind == PETREL_SIG_KIND_RSA_PKCS1) {
		uint8_t info[PETREL_DIGEST_INFO_MAX_LEN];
		size_t info_len = petrel_rsa_digest_info(hash, digest, info);
		ok = rsa_pkcs1_sign_tr(pub, priv, NULL, petrel_nettle_random, info_len, info, s);
	} else {
		uint8_t salt[PETREL_MAX_HASH_LEN];
		size_t salt_len = petrel_hash_len(hash);
		petrel_random(salt, salt_len);
		if (hash == PETREL_HASH_SHA384)
			ok = rsa_pss_sha384_sign_digest_tr(pub, priv, NULL, petrel_nettle_random,
							   salt_len, salt, digest, s);
		else
			ok = rsa_pss_sha256_sign_digest_tr(pub, priv, NULL, petrel_nettle_random,
							   salt_len, salt, digest, s);
	}
	if (ok) {
		/* Exactly k octets, left-padded (RFC 8017 5.2.1 I2OSP). */
		nettle_mpz_get_str_256(pub->size, sig, s);
		*sig_len = pub->size;
	}
	mpz_clear(s);
	return ok ? 0 : PETREL_E_CRYPTO;
}

int petrel_sign(const struct petrel_privkey *key, uint16_t scheme, const uint8_t *msg,
		size_t msg_len, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
	enum petrel_sig_kind kind;
	enum petrel_hash_alg hash;
	uint8_t digest[PETREL_MAX_HASH_LEN];

	if (key == NULL || sig == NULL || sig_len == NULL || (msg == NULL && msg_len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (petrel_sig_scheme_info(scheme, &kind, &hash) != 0 ||
	    !petrel_sig_kind_fits_key(kind, key->type))
		return PETREL_E_UNSUPPORTED;
	if (kind == PETREL_SIG_KIND_ED25519) {
		if (sig_cap < crypto_sign_BYTES)
			return PETREL_E_SHORT_BUFFER;
		petrel_crypto_init();
		if (crypto_sign_detached(sig, NULL, msg_len > 0 ? msg : (const uint8_t *)"", msg_len,
					 key->u.ed25519.sk) != 0)
			return PETREL_E_CRYPTO;
		*sig_len = crypto_sign_BYTES;
		return 0;
	}
	petrel_hash(hash, msg, msg_len, digest);
	if (kind == PETREL_SIG_KIND_ECDSA)
		return sign_ecdsa(key, digest, petrel_hash_len(hash), sig, sig_cap, sig_len);
	return sign_rsa(key, kind, hash, digest, sig, sig_cap, sig_len);
}
