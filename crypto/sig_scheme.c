/* TLS SignatureScheme codes (RFC 8446 4.2.3; in TLS 1.2 the same code points
 * are the HashAlgorithm/SignatureAlgorithm pairs of RFC 5246 7.4.1.4.1). */
#include "crypto/sig.h"
#include "petrel/petrel.h"

int petrel_sig_scheme_info(uint16_t scheme, enum petrel_sig_kind *kind, enum petrel_hash_alg *hash)
{
	switch (scheme) {
	case PETREL_SIG_RSA_PKCS1_SHA256:
		*kind = PETREL_SIG_KIND_RSA_PKCS1;
		*hash = PETREL_HASH_SHA256;
		return 0;
	case PETREL_SIG_RSA_PKCS1_SHA384:
		*kind = PETREL_SIG_KIND_RSA_PKCS1;
		*hash = PETREL_HASH_SHA384;
		return 0;
	case PETREL_SIG_ECDSA_SECP256R1_SHA256:
		*kind = PETREL_SIG_KIND_ECDSA;
		*hash = PETREL_HASH_SHA256;
		return 0;
	case PETREL_SIG_ECDSA_SECP384R1_SHA384:
		*kind = PETREL_SIG_KIND_ECDSA;
		*hash = PETREL_HASH_SHA384;
		return 0;
	case PETREL_SIG_RSA_PSS_RSAE_SHA256:
	case PETREL_SIG_RSA_PSS_PSS_SHA256:
		*kind = PETREL_SIG_KIND_RSA_PSS;
		*hash = PETREL_HASH_SHA256;
		return 0;
	case PETREL_SIG_RSA_PSS_RSAE_SHA384:
		*kind = PETREL_SIG_KIND_RSA_PSS;
		*hash = PETREL_HASH_SHA384;
		return 0;
	case PETREL_SIG_ED25519:
		*kind = PETREL_SIG_KIND_ED25519;
		*hash = PETREL_HASH_SHA256;
		return 0;
	}
	return PETREL_E_UNSUPPORTED;
}

bool petrel_sig_kind_fits_key(enum petrel_sig_kind kind, enum petrel_key_type type)
{
	switch (kind) {
	case PETREL_SIG_KIND_ECDSA:
		/* The hash comes from the scheme and the curve from the key: TLS 1.2
		 * (RFC 5246 7.4.1.4.1) does not tie them; TLS 1.3 callers that must
		 * (RFC 8446 4.2.3) check the curve themselves. */
		return type == PETREL_KEY_EC_P256 || type == PETREL_KEY_EC_P384;
	case PETREL_SIG_KIND_RSA_PKCS1:
	case PETREL_SIG_KIND_RSA_PSS:
		return type == PETREL_KEY_RSA;
	case PETREL_SIG_KIND_ED25519:
		return type == PETREL_KEY_ED25519;
	}
	return false;
}
