/* Private key loading and export: PKCS#8 (RFC 5958), SEC1 ECPrivateKey
 * (RFC 5915), PKCS#1 RSAPrivateKey (RFC 8017 A.1.2), Ed25519 (RFC 8410 7).
 * Key material goes straight to the crypto layer; local copies are wiped. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "x509/der.h"
#include "x509/oid.h"
#include "x509/x509.h"

#define DEC PETREL_E_DECODE_ERROR

static enum petrel_key_type curve_from_oid(const uint8_t *oid, size_t len)
{
	if (PETREL_OID_EQ(oid, len, petrel_oid_prime256v1))
		return PETREL_KEY_EC_P256;
	if (PETREL_OID_EQ(oid, len, petrel_oid_secp384r1))
		return PETREL_KEY_EC_P384;
	return PETREL_KEY_NONE;
}

/* SEC1 ECPrivateKey. known_curve: the PKCS#8 algorithm already named the
 * curve (PETREL_KEY_NONE if not), so [0] parameters may be absent. */
static int ec_private_key(const uint8_t *der, size_t len, enum petrel_key_type known_curve,
			  struct petrel_privkey **out)
{
	struct petrel_reader outer, seq;
	uint32_t version;
	struct petrel_der_tlv d_tlv, params, pub;
	petrel_reader_init(&outer, der, len);
	if (petrel_der_enter(&outer, PETREL_DER_SEQUENCE, &seq) < 0 || !petrel_reader_done(&outer) ||
	    petrel_der_get_small_uint(&seq, &version) < 0 || version != 1 ||
	    petrel_der_expect(&seq, PETREL_DER_OCTET_STRING, &d_tlv) < 0)
		return DEC;
	int have_params = petrel_der_optional(&seq, PETREL_DER_CTX_CONS(0), &params);
	int have_pub = have_params < 0 ? -1 : petrel_der_optional(&seq, PETREL_DER_CTX_CONS(1), &pub);
	if (have_params < 0 || have_pub < 0 || !petrel_reader_done(&seq))
		return DEC;
	enum petrel_key_type curve_type = known_curve;
	if (have_params) {
		struct petrel_reader pr;
		const uint8_t *curve;
		size_t curve_len;
		petrel_reader_init(&pr, params.body, params.len);
		if (petrel_der_get_oid(&pr, &curve, &curve_len) < 0 || !petrel_reader_done(&pr))
			return DEC;
		enum petrel_key_type named = curve_from_oid(curve, curve_len);
		if (named == PETREL_KEY_NONE)
			return PETREL_E_UNSUPPORTED;
		if (known_curve != PETREL_KEY_NONE && named != known_curve)
			return DEC;
		curve_type = named;
	}
	if (curve_type == PETREL_KEY_NONE)
		return DEC;
	/* RFC 5915 3: the scalar is fixed-length; tolerate shorter encodings. */
	size_t d_len = curve_type == PETREL_KEY_EC_P256 ? 32 : 48;
	if (d_tlv.len == 0 || d_tlv.len > d_len)
		return DEC;
	uint8_t d[48] = { 0 };
	memcpy(d + d_len - d_tlv.len, d_tlv.body, d_tlv.len);
	int rc = curve_type == PETREL_KEY_EC_P256 ? petrel_privkey_from_p256(d, out)
						  : petrel_privkey_from_p384(d, out);
	petrel_wipe(d, sizeof(d));
	if (rc < 0)
		return rc;
	if (have_pub) {
		/* A stored public key must match the scalar: catches corrupt files. */
		struct petrel_reader p;
		const uint8_t *bits;
		size_t bits_len;
		struct petrel_pubkey derived;
		petrel_reader_init(&p, pub.body, pub.len);
		petrel_privkey_public(*out, &derived);
		if (petrel_der_get_bits(&p, &bits, &bits_len) < 0 || !petrel_reader_done(&p) ||
		    bits_len != derived.point_len || memcmp(bits, derived.point, bits_len) != 0) {
			petrel_privkey_free(*out);
			*out = NULL;
			return PETREL_E_INVALID_KEY;
		}
	}
	return 0;
}

/* PKCS#1 RSAPrivateKey, two-prime only. */
static int rsa_private_key(const uint8_t *der, size_t len, struct petrel_privkey **out)
{
	struct petrel_reader outer, seq;
	uint32_t version;
	const uint8_t *v[8];
	size_t l[8];
	petrel_reader_init(&outer, der, len);
	if (petrel_der_enter(&outer, PETREL_DER_SEQUENCE, &seq) < 0 || !petrel_reader_done(&outer) ||
	    petrel_der_get_small_uint(&seq, &version) < 0)
		return DEC;
	if (version != 0)
		return PETREL_E_UNSUPPORTED; /* multi-prime */
	for (size_t i = 0; i < 8; i++)
		if (petrel_der_get_uint(&seq, &v[i], &l[i]) < 0)
			return DEC;
	if (!petrel_reader_done(&seq))
		return DEC;
	return petrel_privkey_from_rsa(v[0], l[0], v[1], l[1], v[2], l[2], v[3], l[3], v[4], l[4],
				       v[5], l[5], v[6], l[6], v[7], l[7], out);
}

/* RFC 5958 2 OneAsymmetricKey (v1 PrivateKeyInfo or v2). */
static int pkcs8(const uint8_t *der, size_t len, struct petrel_privkey **out)
{
	struct petrel_reader outer, seq, alg;
	uint32_t version;
	const uint8_t *oid;
	size_t oid_len;
	struct petrel_der_tlv key, attrs, pub;
	petrel_reader_init(&outer, der, len);
	if (petrel_der_enter(&outer, PETREL_DER_SEQUENCE, &seq) < 0 || !petrel_reader_done(&outer) ||
	    petrel_der_get_small_uint(&seq, &version) < 0 || version > 1 ||
	    petrel_der_enter(&seq, PETREL_DER_SEQUENCE, &alg) < 0 ||
	    petrel_der_get_oid(&alg, &oid, &oid_len) < 0 ||
	    petrel_der_expect(&seq, PETREL_DER_OCTET_STRING, &key) < 0 ||
	    petrel_der_optional(&seq, PETREL_DER_CTX_CONS(0), &attrs) < 0 ||
	    petrel_der_optional(&seq, PETREL_DER_CTX_PRIM(1), &pub) < 0 || !petrel_reader_done(&seq))
		return DEC;
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_ec_public_key)) {
		const uint8_t *curve;
		size_t curve_len;
		if (petrel_der_get_oid(&alg, &curve, &curve_len) < 0 || !petrel_reader_done(&alg))
			return DEC;
		enum petrel_key_type named = curve_from_oid(curve, curve_len);
		if (named == PETREL_KEY_NONE)
			return PETREL_E_UNSUPPORTED;
		return ec_private_key(key.body, key.len, named, out);
	}
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_ed25519)) {
		/* RFC 8410 7: CurvePrivateKey ::= OCTET STRING (the 32-byte seed). */
		struct petrel_reader k;
		struct petrel_der_tlv seed;
		petrel_reader_init(&k, key.body, key.len);
		if (!petrel_reader_done(&alg) ||
		    petrel_der_expect(&k, PETREL_DER_OCTET_STRING, &seed) < 0 ||
		    !petrel_reader_done(&k) || seed.len != 32)
			return DEC;
		return petrel_privkey_from_ed25519_seed(seed.body, out);
	}
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_rsa_encryption)) {
		struct petrel_der_tlv null_param;
		if (petrel_der_optional(&alg, PETREL_DER_NULL, &null_param) < 0 ||
		    !petrel_reader_done(&alg))
			return DEC;
		return rsa_private_key(key.body, key.len, out);
	}
	return PETREL_E_UNSUPPORTED;
}

int petrel_x509_privkey_from_der(const uint8_t *der, size_t len, struct petrel_privkey **out)
{
	*out = NULL;
	/* The second element tells the format apart: AlgorithmIdentifier
	 * (PKCS#8), OCTET STRING (SEC1) or INTEGER (PKCS#1 modulus). */
	struct petrel_reader outer, seq;
	struct petrel_der_tlv version;
	petrel_reader_init(&outer, der, len);
	if (len > PETREL_DER_MAX_LEN || petrel_der_enter(&outer, PETREL_DER_SEQUENCE, &seq) < 0 ||
	    !petrel_reader_done(&outer) || petrel_der_expect(&seq, PETREL_DER_INTEGER, &version) < 0)
		return DEC;
	if (petrel_der_peek(&seq, PETREL_DER_SEQUENCE))
		return pkcs8(der, len, out);
	if (petrel_der_peek(&seq, PETREL_DER_OCTET_STRING))
		return ec_private_key(der, len, PETREL_KEY_NONE, out);
	if (petrel_der_peek(&seq, PETREL_DER_INTEGER))
		return rsa_private_key(der, len, out);
	return DEC;
}

int petrel_x509_privkey_from_pem(const char *text, size_t len, struct petrel_privkey **out)
{
	size_t pos = 0;
	*out = NULL;
	for (;;) {
		char label[PETREL_PEM_LABEL_MAX];
		uint8_t *der;
		size_t der_len;
		int rc = petrel_pem_next(text, len, &pos, label, &der, &der_len);
		if (rc <= 0)
			return rc == 0 ? PETREL_E_DECODE_ERROR : rc;
		if (strcmp(label, "PRIVATE KEY") == 0 || strcmp(label, "EC PRIVATE KEY") == 0 ||
		    strcmp(label, "RSA PRIVATE KEY") == 0)
			rc = petrel_x509_privkey_from_der(der, der_len, out);
		else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0)
			rc = PETREL_E_UNSUPPORTED;
		else
			rc = 1; /* e.g. "EC PARAMETERS" before the key: skip */
		petrel_wipe(der, der_len);
		free(der);
		if (rc <= 0)
			return rc;
	}
}

int petrel_x509_privkey_to_pkcs8(const struct petrel_privkey *key, uint8_t *out, size_t cap,
				 size_t *out_len)
{
	enum petrel_key_type type = petrel_privkey_type(key);
	if (type != PETREL_KEY_EC_P256 && type != PETREL_KEY_ED25519)
		return PETREL_E_UNSUPPORTED;
	uint8_t raw[32];
	int rc = petrel_privkey_export_raw(key, raw);
	if (rc < 0)
		return rc;
	struct petrel_writer w;
	struct petrel_der_scope info, alg, octets, ec, pub;
	petrel_writer_init(&w, out, cap);
	petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &info);
	petrel_der_put_small_uint(&w, 0);
	petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &alg);
	if (type == PETREL_KEY_EC_P256) {
		struct petrel_pubkey pk;
		petrel_privkey_public(key, &pk);
		petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_ec_public_key,
				   sizeof(petrel_oid_ec_public_key));
		petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_prime256v1,
				   sizeof(petrel_oid_prime256v1));
		petrel_der_put_close(&w, &alg);
		/* RFC 5915 3 inside PKCS#8: curve given by the algorithm, so no [0]. */
		petrel_der_put_open(&w, PETREL_DER_OCTET_STRING, &octets);
		petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &ec);
		petrel_der_put_small_uint(&w, 1);
		petrel_der_put_tlv(&w, PETREL_DER_OCTET_STRING, raw, sizeof(raw));
		petrel_der_put_open(&w, PETREL_DER_CTX_CONS(1), &pub);
		petrel_der_put_bits(&w, pk.point, pk.point_len);
		petrel_der_put_close(&w, &pub);
		petrel_der_put_close(&w, &ec);
		petrel_der_put_close(&w, &octets);
	} else {
		petrel_der_put_tlv(&w, PETREL_DER_OID, petrel_oid_ed25519, sizeof(petrel_oid_ed25519));
		petrel_der_put_close(&w, &alg);
		petrel_der_put_open(&w, PETREL_DER_OCTET_STRING, &octets);
		petrel_der_put_tlv(&w, PETREL_DER_OCTET_STRING, raw, sizeof(raw));
		petrel_der_put_close(&w, &octets);
	}
	petrel_wipe(raw, sizeof(raw));
	if (!petrel_der_put_close(&w, &info)) {
		petrel_wipe(out, cap);
		return PETREL_E_SHORT_BUFFER;
	}
	*out_len = petrel_writer_len(&w);
	return 0;
}
