/* Listings of what Petrel implements (petrel_*_info): suites, groups and
 * signature schemes with their IANA names (issue #21 item 6). */
#include <stddef.h>

#include "dtls/session.h"

const char *petrel_cipher_suite_info(size_t index, uint16_t *id)
{
	size_t count;
	const struct petrel_suite *all = petrel_suite_list(&count);
	if (index >= count)
		return NULL;
	if (id)
		*id = all[index].id;
	return all[index].name;
}

const char *petrel_group_info(size_t index, uint16_t *id)
{
	size_t count;
	const struct petrel_group_info *all = petrel_group_list(&count);
	if (index >= count)
		return NULL;
	if (id)
		*id = all[index].id;
	return all[index].name;
}

/* IANA TLS SignatureScheme names. */
static const char *scheme_name(uint16_t scheme)
{
	switch (scheme) {
	case PETREL_SIG_ED25519: return "ed25519";
	case PETREL_SIG_ECDSA_SECP256R1_SHA256: return "ecdsa_secp256r1_sha256";
	case PETREL_SIG_ECDSA_SECP384R1_SHA384: return "ecdsa_secp384r1_sha384";
	case PETREL_SIG_RSA_PSS_RSAE_SHA256: return "rsa_pss_rsae_sha256";
	case PETREL_SIG_RSA_PSS_RSAE_SHA384: return "rsa_pss_rsae_sha384";
	case PETREL_SIG_RSA_PKCS1_SHA256: return "rsa_pkcs1_sha256";
	case PETREL_SIG_RSA_PKCS1_SHA384: return "rsa_pkcs1_sha384";
	default: return "unknown";
	}
}

const char *petrel_sign_algorithm_info(size_t index, uint16_t *id)
{
	uint16_t schemes[24];
	size_t count = petrel_our_sig_schemes(schemes, 24);
	if (index >= count)
		return NULL;
	if (id)
		*id = schemes[index];
	return scheme_name(schemes[index]);
}
