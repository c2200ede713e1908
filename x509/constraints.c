/* Name constraints (RFC 5280 4.2.1.10) and the name syntax they rely on.
 * Forms processed: dNSName, iPAddress, rfc822Name, directoryName. A
 * constraint of any other form rejects a certificate that carries a name
 * of that form (RFC 5280 4.2.1.10: process it or reject) and is a no-op
 * otherwise. */
#include <string.h>

#include "common/name_fold.h"
#include "petrel/petrel.h"
#include "x509/der.h"
#include "x509/x509.h"
#include "x509/x509_internal.h"

#define PARSE_ERR PETREL_E_CERT_PARSE
#define REJECT PETREL_E_CERT_NAME_MISMATCH

static bool ldh(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* RFC 5280 4.2.1.6 / RFC 1034 3.5 preferred name syntax: non-empty LDH
 * labels of at most 63 octets, no hyphen at either end; a left-most "*"
 * label when wildcard is allowed. */
bool petrel_x509_dns_syntax_ok(const uint8_t *name, size_t len, bool wildcard)
{
	if (len == 0 || len > 253)
		return false;
	size_t start = 0;
	if (wildcard && len >= 2 && name[0] == '*' && name[1] == '.')
		start = 2;
	size_t label = 0;
	for (size_t i = start; i <= len; i++) {
		if (i == len || name[i] == '.') {
			if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!ldh(name[i]))
			return false;
		label++;
	}
	return true;
}

/* name equals base or ends with "." + base (RFC 5280 4.2.1.10: labels
 * added on the left). An empty base covers every name. */
static bool dns_within(const uint8_t *name, size_t len, const uint8_t *base, size_t base_len)
{
	if (base_len == 0)
		return true;
	if (len == base_len)
		return petrel_ascii_eq_nocase(name, base, len);
	return len > base_len && name[len - base_len - 1] == '.' &&
	       petrel_ascii_eq_nocase(name + len - base_len, base, base_len);
}

/* A wildcard SAN "*.b" is permitted only if all it can match is ("b"
 * itself never is, but every "x.b" must be); it is excluded if any name
 * it can match is. */
static bool dns_permitted(const uint8_t *name, size_t len, const uint8_t *c, size_t c_len)
{
	if (len >= 2 && name[0] == '*')
		return dns_within(name + 2, len - 2, c, c_len);
	return dns_within(name, len, c, c_len);
}

static bool dns_excluded(const uint8_t *name, size_t len, const uint8_t *c, size_t c_len)
{
	if (len >= 2 && name[0] == '*') {
		const uint8_t *base = name + 2;
		size_t base_len = len - 2;
		if (dns_within(base, base_len, c, c_len))
			return true;
		/* c = "x.base" with one label x: the wildcard matches c. */
		return c_len > base_len + 1 && dns_within(c, c_len, base, base_len) &&
		       memchr(c, '.', c_len - base_len - 1) == NULL;
	}
	return dns_within(name, len, c, c_len);
}

/* A contiguous netmask: ones, then zeros. */
static bool mask_ok(const uint8_t *mask, size_t len)
{
	bool zeros = false;
	for (size_t i = 0; i < len; i++)
		for (int b = 7; b >= 0; b--) {
			bool one = (mask[i] >> b) & 1;
			if (one && zeros)
				return false;
			if (!one)
				zeros = true;
		}
	return true;
}

static bool ip_within(const uint8_t *ip, size_t len, const uint8_t *c, size_t c_len)
{
	if (c_len != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((ip[i] & c[len + i]) != (c[i] & c[len + i]))
			return false;
	return true;
}

/* rfc822Name: one "@" with a non-empty local part and host. */
static bool email_ok(const uint8_t *v, size_t len)
{
	const uint8_t *at = memchr(v, '@', len);
	if (at == NULL || at == v || at == v + len - 1)
		return false;
	size_t host_len = len - (size_t)(at - v) - 1;
	return memchr(at + 1, '@', host_len) == NULL &&
	       petrel_x509_dns_syntax_ok(at + 1, host_len, false);
}

/* RFC 5280 4.2.1.10: a mailbox ("user@host", exact), a host ("host",
 * every mailbox there) or a domain (".domain", every host below it). */
static bool email_constraint_ok(const uint8_t *c, size_t len)
{
	if (memchr(c, '@', len) != NULL)
		return email_ok(c, len);
	if (len > 0 && c[0] == '.')
		return petrel_x509_dns_syntax_ok(c + 1, len - 1, false);
	return petrel_x509_dns_syntax_ok(c, len, false);
}

static bool email_within(const uint8_t *v, size_t len, const uint8_t *c, size_t c_len)
{
	const uint8_t *at = memchr(v, '@', len);
	const uint8_t *host = at + 1;
	size_t host_len = len - (size_t)(host - v);
	const uint8_t *c_at = memchr(c, '@', c_len);
	if (c_at != NULL) {
		/* local parts compare exactly, hosts without case */
		size_t local = (size_t)(at - v);
		return (size_t)(c_at - c) == local && memcmp(v, c, local) == 0 &&
		       c_len - local - 1 == host_len &&
		       petrel_ascii_eq_nocase(host, c_at + 1, host_len);
	}
	if (c[0] == '.')
		return host_len > c_len && petrel_ascii_eq_nocase(host + host_len - c_len, c, c_len);
	return host_len == c_len && petrel_ascii_eq_nocase(host, c, c_len);
}

/* directoryName: the constraint's RDNs are a prefix of the name's
 * (RFC 5280 7.1; compared as encoded). Both are Name contents. */
static bool dn_within(const uint8_t *name, size_t len, const uint8_t *c, size_t c_len)
{
	struct petrel_reader nr, cr;
	petrel_reader_init(&nr, name, len);
	petrel_reader_init(&cr, c, c_len);
	while (petrel_reader_left(&cr) > 0) {
		struct petrel_der_tlv a, b;
		if (petrel_der_get(&cr, &b) < 0 || petrel_der_get(&nr, &a) < 0)
			return false;
		if (a.raw_len != b.raw_len || memcmp(a.raw, b.raw, a.raw_len) != 0)
			return false;
	}
	return true;
}

/* A GeneralName's comparable value: the contents, or for directoryName
 * the inner Name's contents. */
static int general_name_value(const struct petrel_der_tlv *gn, const uint8_t **v, size_t *len)
{
	if (gn->tag == PETREL_X509_SAN_DIRNAME) {
		struct petrel_reader r;
		struct petrel_der_tlv name;
		petrel_reader_init(&r, gn->body, gn->len);
		if (petrel_der_expect(&r, PETREL_DER_SEQUENCE, &name) < 0 || !petrel_reader_done(&r))
			return PARSE_ERR;
		*v = name.body;
		*len = name.len;
		return 0;
	}
	*v = gn->body;
	*len = gn->len;
	return 0;
}

/* GeneralSubtrees: SEQUENCE SIZE (1..MAX) OF GeneralSubtree { base,
 * minimum [0] DEFAULT 0, maximum [1] OPTIONAL }; this profile uses
 * neither minimum nor maximum (RFC 5280 4.2.1.10). */
static int subtrees_check(const uint8_t *body, size_t len)
{
	struct petrel_reader list;
	petrel_reader_init(&list, body, len);
	if (len == 0)
		return PARSE_ERR;
	while (petrel_reader_left(&list) > 0) {
		struct petrel_reader sub;
		struct petrel_der_tlv base;
		const uint8_t *v;
		size_t v_len;
		if (petrel_der_enter(&list, PETREL_DER_SEQUENCE, &sub) < 0 ||
		    petrel_der_get(&sub, &base) < 0 || !petrel_reader_done(&sub) ||
		    general_name_value(&base, &v, &v_len) < 0)
			return PARSE_ERR;
		switch (base.tag) {
		case PETREL_X509_SAN_DNS:
			if (v_len != 0 && !petrel_x509_dns_syntax_ok(v, v_len, false))
				return PARSE_ERR;
			break;
		case PETREL_X509_SAN_IP:
			if ((v_len != 8 && v_len != 32) || !mask_ok(v + v_len / 2, v_len / 2))
				return PARSE_ERR;
			break;
		case PETREL_X509_SAN_EMAIL:
			if (!email_constraint_ok(v, v_len))
				return PARSE_ERR;
			break;
		case PETREL_X509_SAN_DIRNAME:
			if (petrel_x509_name_check(v, v_len) < 0)
				return PARSE_ERR;
			break;
		default:
			break;
		}
	}
	return 0;
}

int petrel_x509_nc_parse(const uint8_t *body, size_t len)
{
	struct petrel_reader r;
	struct petrel_der_tlv permitted, excluded;
	petrel_reader_init(&r, body, len);
	int have_p = petrel_der_optional(&r, PETREL_DER_CTX_CONS(0), &permitted);
	int have_e = petrel_der_optional(&r, PETREL_DER_CTX_CONS(1), &excluded);
	if (have_p < 0 || have_e < 0 || !petrel_reader_done(&r))
		return PARSE_ERR;
	/* "MUST NOT be an empty sequence": at least one of the two. */
	if (!have_p && !have_e)
		return PARSE_ERR;
	if (have_p && subtrees_check(permitted.body, permitted.len) < 0)
		return PARSE_ERR;
	if (have_e && subtrees_check(excluded.body, excluded.len) < 0)
		return PARSE_ERR;
	return 0;
}

static bool form_known(uint8_t tag)
{
	return tag == PETREL_X509_SAN_DNS || tag == PETREL_X509_SAN_IP ||
	       tag == PETREL_X509_SAN_EMAIL || tag == PETREL_X509_SAN_DIRNAME;
}

static bool within(uint8_t tag, const uint8_t *v, size_t len, const uint8_t *c, size_t c_len,
		   bool excluded)
{
	switch (tag) {
	case PETREL_X509_SAN_DNS:
		return excluded ? dns_excluded(v, len, c, c_len) : dns_permitted(v, len, c, c_len);
	case PETREL_X509_SAN_IP:
		return ip_within(v, len, c, c_len);
	case PETREL_X509_SAN_EMAIL:
		return email_within(v, len, c, c_len);
	case PETREL_X509_SAN_DIRNAME:
		return dn_within(v, len, c, c_len);
	default:
		return false;
	}
}

/* One name against one GeneralSubtrees list: *seen tells whether the
 * list has a constraint of the name's form, the result whether one
 * matched. */
static bool subtrees_match(const struct petrel_der_tlv *subtrees, uint8_t tag, const uint8_t *v,
			   size_t len, bool excluded, bool judge, bool *seen)
{
	struct petrel_reader list;
	petrel_reader_init(&list, subtrees->body, subtrees->len);
	*seen = false;
	while (petrel_reader_left(&list) > 0) {
		struct petrel_reader sub;
		struct petrel_der_tlv base;
		const uint8_t *c;
		size_t c_len;
		if (petrel_der_enter(&list, PETREL_DER_SEQUENCE, &sub) < 0 ||
		    petrel_der_get(&sub, &base) < 0 || general_name_value(&base, &c, &c_len) < 0)
			return excluded; /* cannot happen: checked at parse */
		if (base.tag != tag)
			continue;
		*seen = true;
		if (judge && within(tag, v, len, c, c_len, excluded))
			return true;
	}
	return false;
}

static int check_name(const struct petrel_der_tlv *permitted, const struct petrel_der_tlv *excluded,
		      uint8_t tag, const uint8_t *v, size_t len)
{
	bool seen_p = false, seen_e = false;
	/* Only well-formed names of a processed form are compared; the
	 * matchers rely on it. */
	bool judge = form_known(tag);
	if (tag == PETREL_X509_SAN_DNS && !petrel_x509_dns_syntax_ok(v, len, true))
		judge = false;
	if (tag == PETREL_X509_SAN_EMAIL && !email_ok(v, len))
		judge = false;
	bool in_p = permitted != NULL && subtrees_match(permitted, tag, v, len, false, judge, &seen_p);
	bool in_e = excluded != NULL && subtrees_match(excluded, tag, v, len, true, judge, &seen_e);
	if (!seen_p && !seen_e)
		return 0;
	/* A constraint applies to this name but cannot judge it. */
	if (!judge)
		return REJECT;
	if (in_e || (seen_p && !in_p))
		return REJECT;
	return 0;
}

static size_t count_tlvs(const uint8_t *body, size_t len)
{
	struct petrel_reader r;
	struct petrel_der_tlv tlv;
	size_t n = 0;
	petrel_reader_init(&r, body, len);
	while (petrel_reader_left(&r) > 0 && petrel_der_get(&r, &tlv) == 0)
		n++;
	return n;
}

int petrel_x509_nc_check(const struct petrel_x509_cert *ca, const struct petrel_x509_cert *cert,
			 size_t *work_left)
{
	struct petrel_reader r;
	struct petrel_der_tlv permitted, excluded;
	petrel_reader_init(&r, ca->name_constraints, ca->name_constraints_len);
	int have_p = petrel_der_optional(&r, PETREL_DER_CTX_CONS(0), &permitted);
	int have_e = petrel_der_optional(&r, PETREL_DER_CTX_CONS(1), &excluded);
	if (have_p < 0 || have_e < 0)
		return PARSE_ERR;
	const struct petrel_der_tlv *p = have_p ? &permitted : NULL;
	const struct petrel_der_tlv *e = have_e ? &excluded : NULL;
	size_t constraints = (p ? count_tlvs(p->body, p->len) : 0) + (e ? count_tlvs(e->body, e->len) : 0);
	size_t name_count = 1 + (cert->san ? count_tlvs(cert->san, cert->san_len) : 0);
	/* Hostile sets of thousands of names and constraints cost their
	 * product; past the caller's budget the certificate is refused. */
	if (constraints > *work_left / name_count)
		return REJECT;
	*work_left -= constraints * name_count;

	/* The subject, when not empty, is a directoryName. */
	struct petrel_reader sr;
	struct petrel_der_tlv subject;
	petrel_reader_init(&sr, cert->subject, cert->subject_len);
	if (petrel_der_get(&sr, &subject) < 0)
		return PARSE_ERR;
	if (subject.len > 0) {
		int rc = check_name(p, e, PETREL_X509_SAN_DIRNAME, subject.body, subject.len);
		if (rc < 0)
			return rc;
	}
	struct petrel_reader names;
	petrel_reader_init(&names, cert->san, cert->san_len);
	while (cert->san != NULL && petrel_reader_left(&names) > 0) {
		struct petrel_der_tlv gn;
		const uint8_t *v;
		size_t len;
		if (petrel_der_get(&names, &gn) < 0)
			return PARSE_ERR;
		if (general_name_value(&gn, &v, &len) < 0)
			return REJECT;
		int rc = check_name(p, e, gn.tag, v, len);
		if (rc < 0)
			return rc;
	}
	return 0;
}
