/* Certificate signature AlgorithmIdentifiers (RFC 5280 4.1.1.2). */
#include <string.h>

#include "petrel/petrel.h"
#include "x509/der.h"
#include "x509/oid.h"
#include "x509/x509.h"
#include "x509/x509_internal.h"

/* A hash AlgorithmIdentifier: sha256/sha384 with absent or NULL parameters
 * (RFC 4055 2.1 allows both). Returns 256, 384, or 0 for other hashes. */
static int hash_alg(struct petrel_reader *r, unsigned *bits)
{
	struct petrel_reader alg;
	const uint8_t *oid;
	size_t oid_len;
	struct petrel_der_tlv null_param;
	if (petrel_der_enter(r, PETREL_DER_SEQUENCE, &alg) < 0 ||
	    petrel_der_get_oid(&alg, &oid, &oid_len) < 0 ||
	    petrel_der_optional(&alg, PETREL_DER_NULL, &null_param) < 0 || !petrel_reader_done(&alg))
		return PETREL_E_CERT_PARSE;
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_sha256))
		*bits = 256;
	else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_sha384))
		*bits = 384;
	else
		*bits = 0;
	return 0;
}

/* RFC 4055 3.1 RSASSA-PSS-params. We take the combinations TLS 1.3 uses
 * (RFC 8446 4.2.3): MGF1 with the same hash, salt length = hash length,
 * trailer 1. Anything else is well-formed but unsupported. */
static int pss_params(struct petrel_reader *alg, enum petrel_x509_sig_alg *out)
{
	struct petrel_reader params, field;
	if (petrel_der_enter(alg, PETREL_DER_SEQUENCE, &params) < 0 || !petrel_reader_done(alg))
		return PETREL_E_CERT_PARSE;
	unsigned hash_bits = 160, mgf_bits = 160; /* DEFAULT sha1 */
	uint32_t salt = 20, trailer = 1;
	if (petrel_der_peek(&params, PETREL_DER_CTX_CONS(0))) {
		if (petrel_der_enter(&params, PETREL_DER_CTX_CONS(0), &field) < 0 ||
		    hash_alg(&field, &hash_bits) < 0 || !petrel_reader_done(&field))
			return PETREL_E_CERT_PARSE;
	}
	if (petrel_der_peek(&params, PETREL_DER_CTX_CONS(1))) {
		struct petrel_reader mgf;
		const uint8_t *oid;
		size_t oid_len;
		if (petrel_der_enter(&params, PETREL_DER_CTX_CONS(1), &field) < 0 ||
		    petrel_der_enter(&field, PETREL_DER_SEQUENCE, &mgf) < 0 ||
		    !petrel_reader_done(&field) || petrel_der_get_oid(&mgf, &oid, &oid_len) < 0 ||
		    hash_alg(&mgf, &mgf_bits) < 0 || !petrel_reader_done(&mgf))
			return PETREL_E_CERT_PARSE;
		if (!PETREL_OID_EQ(oid, oid_len, petrel_oid_mgf1))
			mgf_bits = 0;
	}
	if (petrel_der_peek(&params, PETREL_DER_CTX_CONS(2))) {
		if (petrel_der_enter(&params, PETREL_DER_CTX_CONS(2), &field) < 0 ||
		    petrel_der_get_small_uint(&field, &salt) < 0 || !petrel_reader_done(&field))
			return PETREL_E_CERT_PARSE;
	}
	if (petrel_der_peek(&params, PETREL_DER_CTX_CONS(3))) {
		if (petrel_der_enter(&params, PETREL_DER_CTX_CONS(3), &field) < 0 ||
		    petrel_der_get_small_uint(&field, &trailer) < 0 || !petrel_reader_done(&field))
			return PETREL_E_CERT_PARSE;
	}
	if (!petrel_reader_done(&params))
		return PETREL_E_CERT_PARSE;
	*out = PETREL_X509_SIG_UNKNOWN;
	if (trailer != 1 || mgf_bits != hash_bits)
		return 0;
	if (hash_bits == 256 && salt == 32)
		*out = PETREL_X509_SIG_RSA_PSS_SHA256;
	else if (hash_bits == 384 && salt == 48)
		*out = PETREL_X509_SIG_RSA_PSS_SHA384;
	return 0;
}

int petrel_x509_sig_alg_parse(const uint8_t *der, size_t len, enum petrel_x509_sig_alg *out)
{
	struct petrel_reader outer, alg;
	const uint8_t *oid;
	size_t oid_len;
	petrel_reader_init(&outer, der, len);
	if (petrel_der_enter(&outer, PETREL_DER_SEQUENCE, &alg) < 0 || !petrel_reader_done(&outer) ||
	    petrel_der_get_oid(&alg, &oid, &oid_len) < 0)
		return PETREL_E_CERT_PARSE;
	*out = PETREL_X509_SIG_UNKNOWN;
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_rsassa_pss))
		return pss_params(&alg, out);

	bool params_null = false;
	if (petrel_der_peek(&alg, PETREL_DER_NULL)) {
		struct petrel_der_tlv null_param;
		if (petrel_der_get(&alg, &null_param) < 0 || null_param.len != 0)
			return PETREL_E_CERT_PARSE;
		params_null = true;
	}
	bool params_other = petrel_reader_left(&alg) != 0;
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_sha256_with_rsa) ||
	    PETREL_OID_EQ(oid, oid_len, petrel_oid_sha384_with_rsa)) {
		/* RFC 4055 5: parameters NULL (absent tolerated, as others do). */
		if (params_other)
			return PETREL_E_CERT_PARSE;
		*out = oid[8] == 0x0b ? PETREL_X509_SIG_RSA_PKCS1_SHA256 : PETREL_X509_SIG_RSA_PKCS1_SHA384;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_ecdsa_sha256) ||
		   PETREL_OID_EQ(oid, oid_len, petrel_oid_ecdsa_sha384)) {
		/* RFC 5758 3.2: parameters MUST be absent. */
		if (params_null || params_other)
			return PETREL_E_CERT_PARSE;
		*out = oid[7] == 0x02 ? PETREL_X509_SIG_ECDSA_SHA256 : PETREL_X509_SIG_ECDSA_SHA384;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_ed25519)) {
		/* RFC 8410 3: parameters MUST be absent. */
		if (params_null || params_other)
			return PETREL_E_CERT_PARSE;
		*out = PETREL_X509_SIG_ED25519;
	}
	return 0;
}
