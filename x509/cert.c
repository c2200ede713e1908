/* X.509 v3 certificate parsing (RFC 5280 4.1, 4.2). Zero-copy: the parsed
 * struct points into the caller's DER. */
#include <string.h>

#include "petrel/petrel.h"
#include "x509/der.h"
#include "x509/oid.h"
#include "x509/x509.h"
#include "x509/x509_internal.h"

#define PARSE_ERR PETREL_E_CERT_PARSE
#define TRY(expr)                       \
	do {                            \
		if ((expr) < 0)         \
			return PARSE_ERR; \
	} while (0)

int petrel_x509_name_check(const uint8_t *body, size_t len)
{
	/* Name ::= SEQUENCE OF RelativeDistinguishedName (SET SIZE (1..MAX) OF
	 * AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }). */
	struct petrel_reader rdns;
	petrel_reader_init(&rdns, body, len);
	while (petrel_reader_left(&rdns) > 0) {
		struct petrel_reader set;
		TRY(petrel_der_enter(&rdns, PETREL_DER_SET, &set));
		if (petrel_reader_left(&set) == 0)
			return PARSE_ERR;
		while (petrel_reader_left(&set) > 0) {
			struct petrel_reader atv;
			const uint8_t *oid;
			size_t oid_len;
			struct petrel_der_tlv value;
			TRY(petrel_der_enter(&set, PETREL_DER_SEQUENCE, &atv));
			TRY(petrel_der_get_oid(&atv, &oid, &oid_len));
			TRY(petrel_der_get(&atv, &value));
			if (!petrel_reader_done(&atv))
				return PARSE_ERR;
		}
	}
	return petrel_reader_ok(&rdns) ? 0 : PARSE_ERR;
}

static int get_name(struct petrel_reader *r, const uint8_t **raw, size_t *raw_len)
{
	struct petrel_der_tlv name;
	TRY(petrel_der_expect(r, PETREL_DER_SEQUENCE, &name));
	TRY(petrel_x509_name_check(name.body, name.len));
	*raw = name.raw;
	*raw_len = name.raw_len;
	return 0;
}

/* RFC 5280 4.2.1.9 */
static int ext_basic_constraints(struct petrel_x509_cert *c, struct petrel_reader *v)
{
	struct petrel_reader seq;
	TRY(petrel_der_enter(v, PETREL_DER_SEQUENCE, &seq));
	c->has_basic_constraints = true;
	c->is_ca = false;
	c->path_len = -1;
	if (petrel_der_peek(&seq, PETREL_DER_BOOLEAN))
		TRY(petrel_der_get_bool(&seq, &c->is_ca));
	if (petrel_der_peek(&seq, PETREL_DER_INTEGER)) {
		uint32_t path_len;
		TRY(petrel_der_get_small_uint(&seq, &path_len));
		if (path_len > 255)
			path_len = 255; /* far beyond any depth we walk */
		c->path_len = (int)path_len;
	}
	return petrel_reader_done(&seq) ? 0 : PARSE_ERR;
}

/* RFC 5280 4.2.1.3: a named BIT STRING, trailing zero bits may be cut. */
static int ext_key_usage(struct petrel_x509_cert *c, struct petrel_reader *v)
{
	struct petrel_der_tlv bits;
	TRY(petrel_der_expect(v, PETREL_DER_BIT_STRING, &bits));
	if (bits.len < 2 || bits.len > 3 || bits.body[0] > 7)
		return PARSE_ERR;
	uint16_t ku = 0;
	for (size_t i = 0; i < (bits.len - 1) * 8; i++)
		if (bits.body[1 + i / 8] & (0x80u >> (i % 8)))
			ku = (uint16_t)(ku | (1u << i));
	c->has_key_usage = true;
	c->key_usage = ku;
	return 0;
}

/* RFC 5280 4.2.1.12 */
static int ext_ext_key_usage(struct petrel_x509_cert *c, struct petrel_reader *v)
{
	struct petrel_reader seq;
	TRY(petrel_der_enter(v, PETREL_DER_SEQUENCE, &seq));
	if (petrel_reader_left(&seq) == 0)
		return PARSE_ERR;
	c->has_ext_key_usage = true;
	while (petrel_reader_left(&seq) > 0) {
		const uint8_t *oid;
		size_t oid_len;
		TRY(petrel_der_get_oid(&seq, &oid, &oid_len));
		if (PETREL_OID_EQ(oid, oid_len, petrel_oid_kp_server_auth))
			c->ext_key_usage |= PETREL_EKU_SERVER_AUTH;
		else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_kp_client_auth))
			c->ext_key_usage |= PETREL_EKU_CLIENT_AUTH;
		else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_any_ext_key_usage))
			c->ext_key_usage |= PETREL_EKU_ANY;
		else
			c->ext_key_usage |= PETREL_EKU_OTHER;
	}
	return 0;
}

/* RFC 5280 4.2.1.6: GeneralNames; each entry must be a well-formed TLV. */
static int ext_subject_alt_name(struct petrel_x509_cert *c, struct petrel_reader *v)
{
	struct petrel_der_tlv seq;
	TRY(petrel_der_expect(v, PETREL_DER_SEQUENCE, &seq));
	if (seq.len == 0)
		return PARSE_ERR;
	struct petrel_reader names;
	petrel_reader_init(&names, seq.body, seq.len);
	while (petrel_reader_left(&names) > 0) {
		struct petrel_der_tlv gn;
		TRY(petrel_der_get(&names, &gn));
		if ((gn.tag & 0xc0) != PETREL_DER_CONTEXT || (gn.tag & 0x1f) > 8)
			return PARSE_ERR;
		if (gn.tag == PETREL_X509_SAN_IP && gn.len != 4 && gn.len != 16)
			return PARSE_ERR;
	}
	c->san = seq.body;
	c->san_len = seq.len;
	return 0;
}

static int ext_subject_key_id(struct petrel_x509_cert *c, struct petrel_reader *v)
{
	struct petrel_der_tlv id;
	TRY(petrel_der_expect(v, PETREL_DER_OCTET_STRING, &id));
	c->ski = id.body;
	c->ski_len = id.len;
	return 0;
}

/* RFC 5280 4.2.1.1: we keep only keyIdentifier [0]. */
static int ext_authority_key_id(struct petrel_x509_cert *c, struct petrel_reader *v)
{
	struct petrel_reader seq;
	struct petrel_der_tlv id, other;
	TRY(petrel_der_enter(v, PETREL_DER_SEQUENCE, &seq));
	int have = petrel_der_optional(&seq, PETREL_DER_CTX_PRIM(0), &id);
	TRY(have);
	TRY(petrel_der_optional(&seq, PETREL_DER_CTX_CONS(1), &other));
	TRY(petrel_der_optional(&seq, PETREL_DER_CTX_PRIM(2), &other));
	if (!petrel_reader_done(&seq))
		return PARSE_ERR;
	if (have) {
		c->aki = id.body;
		c->aki_len = id.len;
	}
	return 0;
}

/* RFC 5280 4.2.1.10: validated here, applied during path validation. */
static int ext_name_constraints(struct petrel_x509_cert *c, struct petrel_reader *v)
{
	struct petrel_der_tlv seq;
	TRY(petrel_der_expect(v, PETREL_DER_SEQUENCE, &seq));
	TRY(petrel_x509_nc_parse(seq.body, seq.len));
	c->name_constraints = seq.body;
	c->name_constraints_len = seq.len;
	return 0;
}

enum {
	SEEN_BC = 1 << 0,
	SEEN_KU = 1 << 1,
	SEEN_EKU = 1 << 2,
	SEEN_SAN = 1 << 3,
	SEEN_SKI = 1 << 4,
	SEEN_AKI = 1 << 5,
	SEEN_POLICIES = 1 << 6,
	SEEN_NC = 1 << 7,
	SEEN_PC = 1 << 8,
};

static int parse_extension(struct petrel_x509_cert *c, struct petrel_reader *ext, unsigned *seen)
{
	const uint8_t *oid;
	size_t oid_len;
	bool critical = false;
	struct petrel_der_tlv value;
	TRY(petrel_der_get_oid(ext, &oid, &oid_len));
	if (petrel_der_peek(ext, PETREL_DER_BOOLEAN))
		TRY(petrel_der_get_bool(ext, &critical));
	TRY(petrel_der_expect(ext, PETREL_DER_OCTET_STRING, &value));
	if (!petrel_reader_done(ext))
		return PARSE_ERR;

	struct petrel_reader v;
	petrel_reader_init(&v, value.body, value.len);
	int (*handler)(struct petrel_x509_cert *, struct petrel_reader *) = NULL;
	unsigned bit = 0;
	if (PETREL_OID_EQ(oid, oid_len, petrel_oid_basic_constraints)) {
		handler = ext_basic_constraints;
		bit = SEEN_BC;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_key_usage)) {
		handler = ext_key_usage;
		bit = SEEN_KU;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_ext_key_usage)) {
		handler = ext_ext_key_usage;
		bit = SEEN_EKU;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_subject_alt_name)) {
		handler = ext_subject_alt_name;
		bit = SEEN_SAN;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_subject_key_id)) {
		handler = ext_subject_key_id;
		bit = SEEN_SKI;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_authority_key_id)) {
		handler = ext_authority_key_id;
		bit = SEEN_AKI;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_certificate_policies)) {
		/* Recognised so a critical policies extension (common on some
		 * roots) does not fail; we do no policy processing. */
		bit = SEEN_POLICIES;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_name_constraints)) {
		handler = ext_name_constraints;
		bit = SEEN_NC;
	} else if (PETREL_OID_EQ(oid, oid_len, petrel_oid_policy_constraints)) {
		/* Recorded only: path validation rejects it, as we do no policy
		 * processing (RFC 5280 4.2.1.11, 6.1.4 (i)). */
		c->has_policy_constraints = true;
		c->pc_critical = critical;
		bit = SEEN_PC;
	} else {
		/* RFC 5280 4.2: an unrecognised critical extension must fail. */
		return critical ? PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION : 0;
	}
	/* RFC 5280 4.2: at most one instance of a given extension. */
	if (*seen & bit)
		return PARSE_ERR;
	*seen |= bit;
	/* RFC 5280 4.2.1.1, 4.2.1.2: conforming CAs mark AKI and SKI
	 * non-critical. */
	if (critical && (bit == SEEN_AKI || bit == SEEN_SKI))
		return PARSE_ERR;
	if (bit == SEEN_BC)
		c->bc_critical = critical;
	if (bit == SEEN_SAN)
		c->san_critical = critical;
	if (bit == SEEN_NC)
		c->nc_critical = critical;
	if (handler == NULL)
		return 0;
	TRY(handler(c, &v));
	return petrel_reader_done(&v) ? 0 : PARSE_ERR;
}

static int parse_extensions(struct petrel_x509_cert *c, struct petrel_reader *tbs)
{
	struct petrel_reader wrapper, list;
	TRY(petrel_der_enter(tbs, PETREL_DER_CTX_CONS(3), &wrapper));
	TRY(petrel_der_enter(&wrapper, PETREL_DER_SEQUENCE, &list));
	if (!petrel_reader_done(&wrapper) || petrel_reader_left(&list) == 0)
		return PARSE_ERR;
	unsigned seen = 0;
	int unknown_critical = 0;
	while (petrel_reader_left(&list) > 0) {
		struct petrel_reader ext;
		TRY(petrel_der_enter(&list, PETREL_DER_SEQUENCE, &ext));
		int rc = parse_extension(c, &ext, &seen);
		/* Finish parsing first so malformed input reports PARSE. */
		if (rc == PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION) {
			unknown_critical = rc;
			c->unknown_critical = true;
		} else if (rc < 0)
			return rc;
	}
	return unknown_critical;
}

int petrel_x509_parse(const uint8_t *der, size_t der_len, struct petrel_x509_cert *out)
{
	memset(out, 0, sizeof(*out));
	out->path_len = -1;
	/* Whole-structure walk first: size, depth and trailing-byte rules. */
	if (der_len > PETREL_DER_MAX_LEN)
		return PARSE_ERR;
	TRY(petrel_der_check(der, der_len));

	struct petrel_reader top, cert, tbs;
	struct petrel_der_tlv tbs_tlv, tbs_sig_alg, sig_alg, tlv;
	petrel_reader_init(&top, der, der_len);
	TRY(petrel_der_enter(&top, PETREL_DER_SEQUENCE, &cert));
	if (!petrel_reader_done(&top))
		return PARSE_ERR;
	TRY(petrel_der_expect(&cert, PETREL_DER_SEQUENCE, &tbs_tlv));
	TRY(petrel_der_expect(&cert, PETREL_DER_SEQUENCE, &sig_alg));
	TRY(petrel_der_get_bits(&cert, &out->sig, &out->sig_len));
	if (!petrel_reader_done(&cert))
		return PARSE_ERR;
	out->der = der;
	out->der_len = der_len;
	out->tbs = tbs_tlv.raw;
	out->tbs_len = tbs_tlv.raw_len;

	petrel_reader_init(&tbs, tbs_tlv.body, tbs_tlv.len);
	/* version [0] EXPLICIT INTEGER DEFAULT v1 */
	out->version = 1;
	if (petrel_der_peek(&tbs, PETREL_DER_CTX_CONS(0))) {
		struct petrel_reader ver;
		uint32_t v;
		TRY(petrel_der_enter(&tbs, PETREL_DER_CTX_CONS(0), &ver));
		TRY(petrel_der_get_small_uint(&ver, &v));
		if (!petrel_reader_done(&ver) || v > 2)
			return PARSE_ERR;
		out->version = v + 1;
	}
	/* serialNumber: RFC 5280 4.1.2.2 caps it at 20 octets; some CAs
	 * emitted negative serials, which we tolerate as opaque bytes. */
	TRY(petrel_der_expect(&tbs, PETREL_DER_INTEGER, &tlv));
	if (tlv.len == 0 || tlv.len > 21)
		return PARSE_ERR;
	/* RFC 5280 4.1.2.2: "MUST be a positive integer"; zero is not. */
	if (tlv.len == 1 && tlv.body[0] == 0)
		return PARSE_ERR;
	out->serial = tlv.body;
	out->serial_len = tlv.len;
	/* RFC 5280 4.1.1.2: signature must equal the outer signatureAlgorithm. */
	TRY(petrel_der_expect(&tbs, PETREL_DER_SEQUENCE, &tbs_sig_alg));
	if (tbs_sig_alg.raw_len != sig_alg.raw_len ||
	    memcmp(tbs_sig_alg.raw, sig_alg.raw, sig_alg.raw_len) != 0)
		return PARSE_ERR;
	TRY(petrel_x509_sig_alg_parse(sig_alg.raw, sig_alg.raw_len, &out->sig_alg));
	TRY(get_name(&tbs, &out->issuer, &out->issuer_len));
	struct petrel_reader validity;
	TRY(petrel_der_enter(&tbs, PETREL_DER_SEQUENCE, &validity));
	TRY(petrel_der_get_time(&validity, &out->not_before));
	TRY(petrel_der_get_time(&validity, &out->not_after));
	if (!petrel_reader_done(&validity))
		return PARSE_ERR;
	TRY(get_name(&tbs, &out->subject, &out->subject_len));
	struct petrel_der_tlv spki;
	TRY(petrel_der_expect(&tbs, PETREL_DER_SEQUENCE, &spki));
	out->spki = spki.raw;
	out->spki_len = spki.raw_len;
	int rc = petrel_x509_spki_parse(spki.raw, spki.raw_len, &out->pubkey);
	if (rc == PETREL_E_CERT_UNSUPPORTED_ALGORITHM)
		memset(&out->pubkey, 0, sizeof(out->pubkey)); /* reported at use */
	else if (rc < 0)
		return PARSE_ERR;
	/* issuerUniqueID [1] / subjectUniqueID [2]: v2+ only, ignored. */
	if (out->version >= 2) {
		TRY(petrel_der_optional(&tbs, PETREL_DER_CTX_PRIM(1), &tlv));
		TRY(petrel_der_optional(&tbs, PETREL_DER_CTX_PRIM(2), &tlv));
	}
	rc = 0;
	if (out->version == 3 && petrel_der_peek(&tbs, PETREL_DER_CTX_CONS(3)))
		rc = parse_extensions(out, &tbs);
	if (rc < 0 && rc != PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION)
		return rc;
	if (!petrel_reader_done(&tbs))
		return PARSE_ERR;
	return rc;
}

void petrel_x509_san_begin(const struct petrel_x509_cert *cert, struct petrel_x509_san_iter *it)
{
	it->p = cert->san;
	it->end = cert->san ? cert->san + cert->san_len : NULL;
}

int petrel_x509_san_next(struct petrel_x509_san_iter *it, uint8_t *tag, const uint8_t **value,
			 size_t *len)
{
	if (it->p == NULL || it->p == it->end)
		return 0;
	struct petrel_reader r;
	struct petrel_der_tlv gn;
	petrel_reader_init(&r, it->p, (size_t)(it->end - it->p));
	if (petrel_der_get(&r, &gn) < 0)
		return PARSE_ERR; /* cannot happen: checked at parse time */
	it->p = r.p;
	*tag = gn.tag;
	*value = gn.body;
	*len = gn.len;
	return 1;
}
