/* Self-signed certificate generation for ECDSA P-256 and Ed25519 keys
 * (WebRTC peers and demos, where identity is the RFC 8122 fingerprint). */
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "x509/der.h"
#include "x509/oid.h"
#include "x509/x509.h"

#define CN_MAX 64 /* RFC 5280 A.1 ub-common-name */
#define SERIAL_LEN 16

/* Name ::= SEQUENCE { SET { SEQUENCE { id-at-commonName, UTF8String } } } */
static void put_cn_name(struct petrel_writer *w, const char *cn, size_t cn_len)
{
	struct petrel_der_scope name, rdn, atv;
	petrel_der_put_open(w, PETREL_DER_SEQUENCE, &name);
	petrel_der_put_open(w, PETREL_DER_SET, &rdn);
	petrel_der_put_open(w, PETREL_DER_SEQUENCE, &atv);
	petrel_der_put_tlv(w, PETREL_DER_OID, petrel_oid_common_name, sizeof(petrel_oid_common_name));
	petrel_der_put_tlv(w, PETREL_DER_UTF8_STRING, (const uint8_t *)cn, cn_len);
	petrel_der_put_close(w, &atv);
	petrel_der_put_close(w, &rdn);
	petrel_der_put_close(w, &name);
}

static void put_sig_alg(struct petrel_writer *w, enum petrel_key_type type)
{
	struct petrel_der_scope alg;
	petrel_der_put_open(w, PETREL_DER_SEQUENCE, &alg);
	/* RFC 5758 3.2 / RFC 8410 3: no parameters for either. */
	if (type == PETREL_KEY_EC_P256)
		petrel_der_put_tlv(w, PETREL_DER_OID, petrel_oid_ecdsa_sha256,
				   sizeof(petrel_oid_ecdsa_sha256));
	else
		petrel_der_put_tlv(w, PETREL_DER_OID, petrel_oid_ed25519, sizeof(petrel_oid_ed25519));
	petrel_der_put_close(w, &alg);
}

static void put_extensions(struct petrel_writer *w, const char *cn, size_t cn_len)
{
	struct petrel_der_scope wrap, list, ext, value, inner;
	static const uint8_t der_true = 0xff;
	petrel_der_put_open(w, PETREL_DER_CTX_CONS(3), &wrap);
	petrel_der_put_open(w, PETREL_DER_SEQUENCE, &list);
	/* basicConstraints, critical, cA FALSE (the DEFAULT, so an empty SEQUENCE). */
	petrel_der_put_open(w, PETREL_DER_SEQUENCE, &ext);
	petrel_der_put_tlv(w, PETREL_DER_OID, petrel_oid_basic_constraints,
			   sizeof(petrel_oid_basic_constraints));
	petrel_der_put_tlv(w, PETREL_DER_BOOLEAN, &der_true, 1);
	petrel_der_put_open(w, PETREL_DER_OCTET_STRING, &value);
	petrel_der_put_tlv(w, PETREL_DER_SEQUENCE, NULL, 0);
	petrel_der_put_close(w, &value);
	petrel_der_put_close(w, &ext);
	/* subjectAltName: the CN as dNSName (RFC 6125 wants names in SAN). */
	petrel_der_put_open(w, PETREL_DER_SEQUENCE, &ext);
	petrel_der_put_tlv(w, PETREL_DER_OID, petrel_oid_subject_alt_name,
			   sizeof(petrel_oid_subject_alt_name));
	petrel_der_put_open(w, PETREL_DER_OCTET_STRING, &value);
	petrel_der_put_open(w, PETREL_DER_SEQUENCE, &inner);
	petrel_der_put_tlv(w, PETREL_X509_SAN_DNS, (const uint8_t *)cn, cn_len);
	petrel_der_put_close(w, &inner);
	petrel_der_put_close(w, &value);
	petrel_der_put_close(w, &ext);
	petrel_der_put_close(w, &list);
	petrel_der_put_close(w, &wrap);
}

int petrel_x509_selfsign(const struct petrel_privkey *key,
			 const struct petrel_x509_selfsign_params *params, uint8_t *out, size_t cap,
			 size_t *out_len)
{
	enum petrel_key_type type = petrel_privkey_type(key);
	if (type != PETREL_KEY_EC_P256 && type != PETREL_KEY_ED25519)
		return PETREL_E_UNSUPPORTED;
	size_t cn_len = params->common_name ? strnlen(params->common_name, CN_MAX + 1) : 0;
	if (cn_len == 0 || cn_len > CN_MAX || params->not_after < params->not_before)
		return PETREL_E_INVALID_REQUEST;

	struct petrel_pubkey pub;
	uint8_t spki[128];
	size_t spki_len;
	petrel_privkey_public(key, &pub);
	int rc = petrel_x509_spki_encode(&pub, spki, sizeof(spki), &spki_len);
	if (rc < 0)
		return rc;

	/* RFC 5280 4.1.2.2: positive, at most 20 octets, unique per issuer;
	 * 126 random bits make collisions irrelevant. */
	uint8_t serial[SERIAL_LEN];
	petrel_random(serial, sizeof(serial));
	serial[0] = (uint8_t)((serial[0] & 0x3f) | 0x40);

	uint8_t tbs_buf[PETREL_X509_SELFSIGN_MAX];
	struct petrel_writer w;
	struct petrel_der_scope tbs, version, validity;
	petrel_writer_init(&w, tbs_buf, sizeof(tbs_buf));
	petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &tbs);
	petrel_der_put_open(&w, PETREL_DER_CTX_CONS(0), &version);
	petrel_der_put_small_uint(&w, 2); /* v3 */
	petrel_der_put_close(&w, &version);
	petrel_der_put_uint(&w, serial, sizeof(serial));
	put_sig_alg(&w, type);
	put_cn_name(&w, params->common_name, cn_len);
	petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &validity);
	petrel_der_put_time(&w, params->not_before);
	petrel_der_put_time(&w, params->not_after);
	petrel_der_put_close(&w, &validity);
	put_cn_name(&w, params->common_name, cn_len);
	petrel_put_bytes(&w, spki, spki_len);
	put_extensions(&w, params->common_name, cn_len);
	if (!petrel_der_put_close(&w, &tbs))
		return PETREL_E_INVALID_REQUEST;
	size_t tbs_len = petrel_writer_len(&w);

	uint8_t sig[PETREL_MAX_SIG_LEN];
	size_t sig_len;
	uint16_t scheme =
		type == PETREL_KEY_EC_P256 ? PETREL_SIG_ECDSA_SECP256R1_SHA256 : PETREL_SIG_ED25519;
	rc = petrel_sign(key, scheme, tbs_buf, tbs_len, sig, sizeof(sig), &sig_len);
	if (rc < 0)
		return rc;

	struct petrel_der_scope cert;
	petrel_writer_init(&w, out, cap);
	petrel_der_put_open(&w, PETREL_DER_SEQUENCE, &cert);
	petrel_put_bytes(&w, tbs_buf, tbs_len);
	put_sig_alg(&w, type);
	petrel_der_put_bits(&w, sig, sig_len);
	if (!petrel_der_put_close(&w, &cert))
		return PETREL_E_SHORT_BUFFER;
	*out_len = petrel_writer_len(&w);
	return 0;
}
