/* SubjectPublicKeyInfo (RFC 5280 4.1.2.7) for the key types Petrel signs
 * and verifies with: EC (RFC 5480), Ed25519 (RFC 8410), RSA (RFC 8017). */
#include <string.h>

#include "petrel/petrel.h"
#include "x509/der.h"
#include "x509/oid.h"
#include "x509/x509.h"
#include "x509/x509_internal.h"

/* Biggest RSA modulus we accept, 8192 bits. */
#define RSA_MAX_MODULUS_BYTES 1024

int petrel_x509_rsa_pubkey_parse(const uint8_t *der, size_t len, struct petrel_pubkey *out)
{
	/* RFC 8017 A.1.1: RSAPublicKey ::= SEQUENCE { modulus, publicExponent } */
	struct petrel_reader outer, seq;
	petrel_reader_init(&outer, der, len);
	if (petrel_der_enter(&outer, PETREL_DER_SEQUENCE, &seq) < 0 || !petrel_reader_done(&outer))
		return PETREL_E_CERT_PARSE;
	const uint8_t *n, *e;
	size_t n_len, e_len;
	if (petrel_der_get_uint(&seq, &n, &n_len) < 0 || petrel_der_get_uint(&seq, &e, &e_len) < 0 ||
	    !petrel_reader_done(&seq))
		return PETREL_E_CERT_PARSE;
	if (n_len > RSA_MAX_MODULUS_BYTES || n_len < 64 || e_len > 8 || (e_len == 1 && e[0] < 3))
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	memset(out, 0, sizeof(*out));
	out->type = PETREL_KEY_RSA;
	out->rsa_n = n;
	out->rsa_n_len = n_len;
	out->rsa_e = e;
	out->rsa_e_len = e_len;
	return 0;
}

int petrel_x509_spki_parse(const uint8_t *spki, size_t spki_len, struct petrel_pubkey *out)
{
	struct petrel_reader outer, seq, alg;
	petrel_reader_init(&outer, spki, spki_len);
	if (petrel_der_enter(&outer, PETREL_DER_SEQUENCE, &seq) < 0 || !petrel_reader_done(&outer) ||
	    petrel_der_enter(&seq, PETREL_DER_SEQUENCE, &alg) < 0)
		return PETREL_E_CERT_PARSE;
	const uint8_t *oid, *bits;
	size_t oid_len, bits_len;
	if (petrel_der_get_oid(&alg, &oid, &oid_len) < 0 ||
	    petrel_der_get_bits(&seq, &bits, &bits_len) < 0 || !petrel_reader_done(&seq))
		return PETREL_E_CERT_PARSE;

	memset(out, 0, sizeof(*out));
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_ec_public_key)) {
		/* RFC 5480 2.1.1: parameters are a namedCurve OID. */
		const uint8_t *curve;
		size_t curve_len;
		if (petrel_der_get_oid(&alg, &curve, &curve_len) < 0 || !petrel_reader_done(&alg))
			return PETREL_E_CERT_PARSE;
		size_t coord;
		if (PETREL_OID_EQ(curve, curve_len, petrel_oid_prime256v1)) {
			out->type = PETREL_KEY_EC_P256;
			coord = 32;
		} else if (PETREL_OID_EQ(curve, curve_len, petrel_oid_secp384r1)) {
			out->type = PETREL_KEY_EC_P384;
			coord = 48;
		} else {
			return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
		}
		/* Uncompressed points only (RFC 8422 5.1.2 dropped the others). */
		if (bits_len != 1 + 2 * coord || bits[0] != 0x04) {
			out->type = PETREL_KEY_NONE;
			return PETREL_E_CERT_PARSE;
		}
		out->point = bits;
		out->point_len = bits_len;
		return 0;
	}
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_ed25519)) {
		/* RFC 8410 3: parameters MUST be absent. */
		if (!petrel_reader_done(&alg) || bits_len != 32)
			return PETREL_E_CERT_PARSE;
		out->type = PETREL_KEY_ED25519;
		out->point = bits;
		out->point_len = bits_len;
		return 0;
	}
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_rsa_encryption)) {
		/* RFC 3279 2.3.1: parameters MUST be NULL. */
		struct petrel_der_tlv null_param;
		if (petrel_der_expect(&alg, PETREL_DER_NULL, &null_param) < 0 || null_param.len != 0 ||
		    !petrel_reader_done(&alg))
			return PETREL_E_CERT_PARSE;
		return petrel_x509_rsa_pubkey_parse(bits, bits_len, out);
	}
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_rsassa_pss)) {
		/* RFC 4055 3.1: optional RSASSA-PSS-params restricting the key;
		 * the signature's own parameters are what we check. */
		struct petrel_der_tlv params;
		if (petrel_der_optional(&alg, PETREL_DER_SEQUENCE, &params) < 0 ||
		    !petrel_reader_done(&alg))
			return PETREL_E_CERT_PARSE;
		return petrel_x509_rsa_pubkey_parse(bits, bits_len, out);
	}
	return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
}

int petrel_x509_spki_encode(const struct petrel_pubkey *key, uint8_t *out, size_t cap,
			    size_t *out_len)
{
	struct petrel_writer w;
	struct petrel_der_scope spki, alg, bits, rsa;
	petrel_writer_init(&w, out, cap);
	petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &spki);
	petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &alg);
	switch (key->type) {
	case PETREL_KEY_EC_P256:
	case PETREL_KEY_EC_P384:
		petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_ec_public_key,
				   sizeof(petrel_oid_ec_public_key));
		if (key->type == PETREL_KEY_EC_P256)
			petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_prime256v1,
					   sizeof(petrel_oid_prime256v1));
		else
			petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_secp384r1,
					   sizeof(petrel_oid_secp384r1));
		petrel_der_put_close(&w, &alg);
		petrel_der_put_bits(&w, key->point, key->point_len);
		break;
	case PETREL_KEY_ED25519:
		petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_ed25519, sizeof(petrel_oid_ed25519));
		petrel_der_put_close(&w, &alg);
		petrel_der_put_bits(&w, key->point, key->point_len);
		break;
	case PETREL_KEY_RSA:
		petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_rsa_encryption,
				   sizeof(petrel_oid_rsa_encryption));
		petrel_der_put_tlv(&w, PETREL_DER_NULL, NULL, 0);
		petrel_der_put_close(&w, &alg);
		petrel_der_put_open(&w, PETREL_DER_BIT_STRING, &bits);
		petrel_put_u8(&w, 0);
		petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &rsa);
		petrel_der_put_uint(&w, key->rsa_n, key->rsa_n_len);
		petrel_der_put_uint(&w, key->rsa_e, key->rsa_e_len);
		petrel_der_put_close(&w, &rsa);
		petrel_der_put_close(&w, &bits);
		break;
	default:
		return PETREL_E_UNSUPPORTED;
	}
	if (!petrel_der_put_close(&w, &spki))
		return PETREL_E_SHORT_BUFFER;
	*out_len = petrel_writer_len(&w);
	return 0;
}
