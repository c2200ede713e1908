/* Signature-scheme table and the RSA/EC building blocks shared by
 * verify.c, privkey.c and sign.c (crypto/ internal). */
#ifndef PETREL_CRYPTO_SIG_H
#define PETREL_CRYPTO_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/ecc.h>
#include <nettle/rsa.h>

#include "crypto/crypto.h"

enum petrel_sig_kind {
	PETREL_SIG_KIND_ECDSA = 1,
	PETREL_SIG_KIND_RSA_PKCS1,
	PETREL_SIG_KIND_RSA_PSS,
	PETREL_SIG_KIND_ED25519,
};

/* Kind and hash of a TLS SignatureScheme; PETREL_E_UNSUPPORTED if unknown.
 * Ed25519 reports SHA-256 as a placeholder (it hashes internally). */
int petrel_sig_scheme_info(uint16_t scheme, enum petrel_sig_kind *kind, enum petrel_hash_alg *hash);
/* Whether a key type can make/check signatures of this kind. */
bool petrel_sig_kind_fits_key(enum petrel_sig_kind kind, enum petrel_key_type type);

/* RSA moduli accepted for verification and signing, in bits. */
#define PETREL_RSA_MIN_BITS 1024
#define PETREL_RSA_MAX_BITS 8192
/* Our own keys: the signature must fit PETREL_MAX_SIG_LEN. */
#define PETREL_RSA_MAX_SIGN_BITS (PETREL_MAX_SIG_LEN * 8)

/* PKCS#1 DigestInfo (RFC 8017 9.2 note 1) of a digest: prefix || digest. */
#define PETREL_DIGEST_INFO_MAX_LEN (19 + PETREL_MAX_HASH_LEN)
size_t petrel_rsa_digest_info(enum petrel_hash_alg hash, const uint8_t *digest, uint8_t *out);

/* Fills an initialised rsa_public_key from big-endian n and e and checks its
 * size: bad or out-of-policy key -> PETREL_E_INVALID_KEY. */
int petrel_rsa_public_import(struct rsa_public_key *pub, const uint8_t *n, size_t n_len,
			     const uint8_t *e, size_t e_len);

/* The private key, parsed once (struct is private to crypto/). */
struct petrel_privkey {
	enum petrel_key_type type;
	union {
		struct {
			struct ecc_scalar d;
			size_t coord_len;
			uint8_t point[1 + 2 * 48]; /* uncompressed public point */
			size_t point_len;
		} ec;
		struct {
			uint8_t sk[64]; /* libsodium's seed || public key form */
			uint8_t pk[32];
		} ed25519;
		struct {
			struct rsa_public_key pub;
			struct rsa_private_key priv;
			/* big-endian copies for petrel_privkey_public */
			uint8_t n[PETREL_RSA_MAX_SIGN_BITS / 8], e[8];
			size_t n_len, e_len;
		} rsa;
	} u;
};

#endif
