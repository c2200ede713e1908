/* The signature check of one certificate against its issuer's key
 * (RFC 5280 6.1.3 (a)(1)), through the crypto layer. */
#include "petrel/petrel.h"
#include "x509/x509.h"

int petrel_x509_check_signature(const struct petrel_x509_cert *cert,
				const struct petrel_pubkey *issuer_key)
{
	enum petrel_hash_alg hash = PETREL_HASH_SHA256;
	uint16_t scheme = 0;
	enum petrel_key_type kt = issuer_key->type;
	switch (cert->sig_alg) {
	case PETREL_X509_SIG_ECDSA_SHA256:
	case PETREL_X509_SIG_ECDSA_SHA384:
		/* The crypto layer knows the TLS pairings only (P-256 with
		 * SHA-256, P-384 with SHA-384); X.509 allows others, which
		 * we report as unsupported. */
		hash = cert->sig_alg == PETREL_X509_SIG_ECDSA_SHA256 ? PETREL_HASH_SHA256
								     : PETREL_HASH_SHA384;
		if (kt == PETREL_KEY_EC_P256 && hash == PETREL_HASH_SHA256)
			scheme = PETREL_SIG_ECDSA_SECP256R1_SHA256;
		else if (kt == PETREL_KEY_EC_P384 && hash == PETREL_HASH_SHA384)
			scheme = PETREL_SIG_ECDSA_SECP384R1_SHA384;
		break;
	case PETREL_X509_SIG_RSA_PKCS1_SHA256:
		scheme = kt == PETREL_KEY_RSA ? PETREL_SIG_RSA_PKCS1_SHA256 : 0;
		break;
	case PETREL_X509_SIG_RSA_PKCS1_SHA384:
		hash = PETREL_HASH_SHA384;
		scheme = kt == PETREL_KEY_RSA ? PETREL_SIG_RSA_PKCS1_SHA384 : 0;
		break;
	case PETREL_X509_SIG_RSA_PSS_SHA256:
		scheme = kt == PETREL_KEY_RSA ? PETREL_SIG_RSA_PSS_RSAE_SHA256 : 0;
		break;
	case PETREL_X509_SIG_RSA_PSS_SHA384:
		hash = PETREL_HASH_SHA384;
		scheme = kt == PETREL_KEY_RSA ? PETREL_SIG_RSA_PSS_RSAE_SHA384 : 0;
		break;
	case PETREL_X509_SIG_ED25519:
		if (kt != PETREL_KEY_ED25519)
			return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
		/* Ed25519 signs the message itself (RFC 8410 6). */
		return petrel_verify(PETREL_SIG_ED25519, issuer_key, cert->tbs, cert->tbs_len, cert->sig,
				     cert->sig_len) == 0
			       ? 0
			       : PETREL_E_CERT_BAD_SIGNATURE;
	default:
		break;
	}
	if (scheme == 0)
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	uint8_t digest[PETREL_MAX_HASH_LEN];
	petrel_hash(hash, cert->tbs, cert->tbs_len, digest);
	int rc = petrel_verify_digest(scheme, issuer_key, digest, petrel_hash_len(hash), cert->sig,
				      cert->sig_len);
	if (rc == 0)
		return 0;
	return rc == PETREL_E_UNSUPPORTED ? PETREL_E_CERT_UNSUPPORTED_ALGORITHM
					  : PETREL_E_CERT_BAD_SIGNATURE;
}
