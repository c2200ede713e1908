/* Certificate path validation (RFC 5280 6.1, the parts TLS needs).
 *
 * Path building (RFC 4158): from the leaf, try every certificate whose
 * subject is the child's issuer, those whose subjectKeyIdentifier equals
 * the child's authorityKeyIdentifier first (RFC 5280 4.2.1.1), the rest as
 * fallback; backtrack when a path fails, within a fixed budget of
 * signature checks so hostile certificate sets cannot make it explode.
 * Each complete path (ending at a store certificate) is then validated as
 * a whole: validity times, cA, pathLen, keyUsage, extended key usage of
 * every CA, name constraints, and the RFC 5280 profile rules a path check
 * can see. No policy processing or revocation. Each failure keeps its own
 * PETREL_E_CERT_* code so callers (and tests) can tell them apart. */
#include <string.h>

#include "petrel/petrel.h"
#include "x509/x509.h"
#include "x509/x509_internal.h"

/* Hard cap on any path, whatever the caller asks. */
#define MAX_DEPTH_CAP 32
/* Signature checks one validation may spend on path building. */
#define SIG_BUDGET 256
/* Name x constraint comparisons one validation may spend, over all the
 * paths it tries (OpenSSL caps one certificate at the same). */
#define NC_BUDGET ((size_t)1 << 20)
/* RSA moduli below this many bits are refused (NIST SP 800-131A,
 * CA/B BR 6.1.5). */
#define RSA_MIN_BITS 2048
/* RFC 5280 profile violations a path check finds (missing AKI/SKI,
 * non-critical basicConstraints on a CA, ...). */
#define PROFILE_ERR PETREL_E_BAD_CERTIFICATE

static bool same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a_len == b_len && memcmp(a, b, a_len) == 0;
}

static bool self_issued(const struct petrel_x509_cert *c)
{
	return same_bytes(c->issuer, c->issuer_len, c->subject, c->subject_len);
}

/* Name is the empty SEQUENCE (30 00). */
static bool empty_subject(const struct petrel_x509_cert *c) { return c->subject_len <= 2; }

/* RFC 5280 6.1.3 (a)(2) */
static int check_time(const struct petrel_x509_cert *c, int64_t now)
{
	if (now < c->not_before)
		return PETREL_E_CERT_NOT_YET_VALID;
	if (now > c->not_after)
		return PETREL_E_CERT_EXPIRED;
	return 0;
}

static int check_key(const struct petrel_x509_cert *c)
{
	if (c->pubkey.type == PETREL_KEY_NONE)
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	if (c->pubkey.type == PETREL_KEY_RSA) {
		size_t len = c->pubkey.rsa_n_len;
		const uint8_t *n = c->pubkey.rsa_n;
		size_t bits = len * 8;
		for (uint8_t top = len ? n[0] : 0; bits > 0 && !(top & 0x80); top = (uint8_t)(top << 1))
			bits--;
		/* A modulus that is not a whole number of octets is a sign of a
		 * broken key generator (CA/B BR 6.1.5). */
		if (bits < RSA_MIN_BITS || bits % 8 != 0)
			return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	}
	return 0;
}

static uint8_t wanted_eku(enum petrel_x509_purpose purpose)
{
	return purpose == PETREL_X509_PURPOSE_SERVER ? PETREL_EKU_SERVER_AUTH : PETREL_EKU_CLIENT_AUTH;
}

/* RFC 5280 4.2.1.12: when EKU is present the purpose must be listed
 * (or anyExtendedKeyUsage). On a CA it limits what the CA may vouch for,
 * as CAs and browsers apply it. */
static int check_eku(const struct petrel_x509_cert *c, enum petrel_x509_purpose purpose)
{
	if (purpose == PETREL_X509_PURPOSE_ANY || !c->has_ext_key_usage)
		return 0;
	if (!(c->ext_key_usage & (wanted_eku(purpose) | PETREL_EKU_ANY)))
		return PETREL_E_CERT_KEY_USAGE;
	return 0;
}

/* Facts about one certificate alone, wherever it sits in a path
 * (is_anchor: a store certificate ending the path). */
static int check_any(const struct petrel_x509_cert *c, bool is_anchor)
{
	if (c->unknown_critical)
		return PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION;
	/* RFC 5280 4.2.1.11 requires policyConstraints to be critical, and
	 * a critical one needs the policy processing we do not do. */
	if (c->has_policy_constraints)
		return c->pc_critical ? PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION : PROFILE_ERR;
	/* RFC 5280 4.2.1.1: every certificate but a self-signed one carries
	 * an authorityKeyIdentifier with keyIdentifier. A configured anchor
	 * is trusted input (6.1.1 (d)) and is not held to it. */
	if (!is_anchor && !self_issued(c) && c->version == 3 && c->aki == NULL)
		return PROFILE_ERR;
	/* RFC 5280 4.2.1.6: an empty subject needs a critical SAN. */
	if (empty_subject(c) && (c->san == NULL || !c->san_critical))
		return PROFILE_ERR;
	return 0;
}

/* May `issuer` sign certificates, with `ca_below` non-self-issued
 * intermediates between it and the leaf? (RFC 5280 6.1.4) */
static int check_ca(const struct petrel_x509_cert *issuer, unsigned ca_below, bool is_anchor,
		    enum petrel_x509_purpose purpose)
{
	int rc = check_any(issuer, is_anchor);
	if (rc < 0)
		return rc;
	if (issuer->pubkey.type == PETREL_KEY_NONE)
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	/* (k): v1 roots predate extensions and are accepted only as
	 * configured anchors. */
	if (issuer->version == 1 && is_anchor)
		return 0;
	if (!issuer->is_ca)
		return PETREL_E_CERT_NOT_CA;
	/* (l)/(m): pathLen counts non-self-issued intermediates below. */
	if (issuer->path_len >= 0 && ca_below > (unsigned)issuer->path_len)
		return PETREL_E_CERT_PATHLEN_EXCEEDED;
	/* (n), 4.2.1.3 */
	if (issuer->has_key_usage && !(issuer->key_usage & PETREL_KU_KEY_CERT_SIGN))
		return PETREL_E_CERT_KEY_USAGE;
	rc = check_eku(issuer, purpose);
	if (rc < 0)
		return rc;
	/* RFC 5280 4.2.1.9: a CA's basicConstraints is critical; 4.2.1.2:
	 * it has a subjectKeyIdentifier; 4.1.2.6: a non-empty subject;
	 * 4.2.1.10: name constraints are critical. */
	if (!issuer->bc_critical || issuer->ski == NULL || empty_subject(issuer))
		return PROFILE_ERR;
	if (issuer->name_constraints != NULL && !issuer->nc_critical)
		return PROFILE_ERR;
	return 0;
}

static int check_leaf(const struct petrel_x509_cert *leaf,
		      const struct petrel_x509_verify_params *params)
{
	int rc = check_any(leaf, false);
	if (rc < 0)
		return rc;
	rc = check_key(leaf);
	if (rc < 0)
		return rc;
	/* RFC 5280 4.2.1.9: keyCertSign only with cA; 4.2.1.10: name
	 * constraints only in CA certificates. */
	if (!leaf->is_ca && leaf->has_key_usage && (leaf->key_usage & PETREL_KU_KEY_CERT_SIGN))
		return PETREL_E_CERT_KEY_USAGE;
	if (!leaf->is_ca && leaf->name_constraints != NULL)
		return PROFILE_ERR;
	if (params->host != NULL) {
		rc = petrel_x509_check_name(leaf, params->host);
		if (rc < 0)
			return rc;
	}
	return check_eku(leaf, params->purpose);
}

/* A signature failure says "not this one"; any other failure says "this
 * is the issuer, but it may not issue" and is the better report. */
static int better_error(int have, int rc)
{
	if (have == 0 || have == PETREL_E_CERT_BAD_SIGNATURE || have == PETREL_E_CERT_UNKNOWN_ISSUER)
		return rc;
	return have;
}

struct builder {
	const struct petrel_x509_cert *chain;
	size_t count;
	const struct petrel_x509_store *store;
	const struct petrel_x509_verify_params *params;
	size_t max_depth;
	const struct petrel_x509_cert *path[MAX_DEPTH_CAP + 1];
	bool used[MAX_DEPTH_CAP];
	unsigned sig_budget;
	size_t nc_budget;
	int err;
};

/* Certificates a path of n counts against max_depth: self-issued
 * intermediates are not counted, as for pathLen (RFC 5280 6.1.4 (l)). */
static size_t counted_depth(const struct builder *b, size_t n)
{
	size_t depth = n;
	for (size_t i = 1; i + 1 < n; i++)
		if (self_issued(b->path[i]))
			depth--;
	return depth;
}

/* path[0..n-1], path[n-1] a store certificate: the whole path check. */
static int validate_path(struct builder *b, size_t n)
{
	const struct petrel_x509_verify_params *params = b->params;
	if (counted_depth(b, n) > b->max_depth)
		return PETREL_E_CERT_CHAIN_TOO_LONG;
	int rc = check_leaf(b->path[0], params);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = check_time(b->path[i], params->now);
		if (rc < 0)
			return rc;
	}
	unsigned ca_below = 0;
	for (size_t i = 1; i < n; i++) {
		const struct petrel_x509_cert *ca = b->path[i];
		rc = check_ca(ca, ca_below, i == n - 1, params->purpose);
		if (rc < 0)
			return rc;
		rc = check_key(ca);
		if (rc < 0)
			return rc;
		/* RFC 5280 6.1.3 (b)/(c): constraints apply to every
		 * certificate below, except self-issued intermediates. */
		if (ca->name_constraints != NULL)
			for (size_t j = 0; j < i; j++) {
				if (j > 0 && self_issued(b->path[j]))
					continue;
				rc = petrel_x509_nc_check(ca, b->path[j], &b->nc_budget);
				if (rc < 0)
					return rc;
			}
		if (!self_issued(ca))
			ca_below++;
	}
	return 0;
}

static bool is_stored(const struct petrel_x509_store *store, const struct petrel_x509_cert *c)
{
	for (size_t i = 0; store && i < store->count; i++)
		if (same_bytes(store->entries[i].der, store->entries[i].der_len, c->der, c->der_len))
			return true;
	return false;
}

/* Does candidate's SKI match cur's AKI keyIdentifier? */
static bool key_id_matches(const struct petrel_x509_cert *cur, const struct petrel_x509_cert *cand)
{
	return cur->aki != NULL && cand->ski != NULL &&
	       same_bytes(cur->aki, cur->aki_len, cand->ski, cand->ski_len);
}

static int extend(struct builder *b, size_t n);

/* Tries cand as the issuer of path[n-1]; chain_index is 0 for anchors. */
static int try_issuer(struct builder *b, size_t n, const struct petrel_x509_cert *cand,
		      size_t chain_index)
{
	const struct petrel_x509_cert *cur = b->path[n - 1];
	if (b->sig_budget == 0) {
		b->err = better_error(b->err, PETREL_E_CERT_CHAIN_TOO_LONG);
		return -1;
	}
	b->sig_budget--;
	int rc = cand->pubkey.type == PETREL_KEY_NONE ? PETREL_E_CERT_UNSUPPORTED_ALGORITHM
						       : petrel_x509_check_signature(cur, &cand->pubkey);
	if (rc < 0) {
		b->err = better_error(b->err, rc);
		return -1;
	}
	b->path[n] = cand;
	if (chain_index == 0) {
		rc = validate_path(b, n + 1);
		b->err = better_error(b->err, rc);
		return rc;
	}
	if (counted_depth(b, n + 1) + 1 > b->max_depth || n + 1 >= MAX_DEPTH_CAP) {
		b->err = better_error(b->err, PETREL_E_CERT_CHAIN_TOO_LONG);
		return -1;
	}
	b->used[chain_index] = true;
	rc = extend(b, n + 1);
	b->used[chain_index] = false;
	return rc;
}

/* Finds a valid path continuing path[0..n-1]; 0 when one checks out. */
static int extend(struct builder *b, size_t n)
{
	const struct petrel_x509_cert *cur = b->path[n - 1];
	/* A configured certificate is trusted as is (a pinned leaf, or an
	 * anchor the peer also sent). */
	if (is_stored(b->store, cur)) {
		int rc = validate_path(b, n);
		b->err = better_error(b->err, rc);
		if (rc == 0)
			return 0;
	}
	/* Pass 0: issuers whose SKI matches cur's AKI; pass 1: the rest. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; b->store && i < b->store->count; i++) {
			const struct petrel_x509_cert *anchor = &b->store->entries[i].cert;
			if (!same_bytes(anchor->subject, anchor->subject_len, cur->issuer, cur->issuer_len) ||
			    key_id_matches(cur, anchor) != (pass == 0))
				continue;
			if (try_issuer(b, n, anchor, 0) == 0)
				return 0;
		}
		for (size_t i = 1; i < b->count; i++) {
			const struct petrel_x509_cert *cand = &b->chain[i];
			if (b->used[i] ||
			    !same_bytes(cand->subject, cand->subject_len, cur->issuer, cur->issuer_len) ||
			    key_id_matches(cur, cand) != (pass == 0))
				continue;
			if (try_issuer(b, n, cand, i) == 0)
				return 0;
		}
	}
	if (b->err == 0)
		b->err = self_issued(cur) ? PETREL_E_CERT_UNTRUSTED : PETREL_E_CERT_UNKNOWN_ISSUER;
	return b->err;
}

int petrel_x509_verify_chain(const struct petrel_x509_cert *chain, size_t count,
			     const struct petrel_x509_store *store,
			     const struct petrel_x509_verify_params *params)
{
	if (count == 0)
		return PETREL_E_NO_CERTIFICATE;
	if (count > MAX_DEPTH_CAP)
		return PETREL_E_CERT_CHAIN_TOO_LONG;
	struct builder b = { .chain = chain, .count = count, .store = store, .params = params };
	b.max_depth = params->max_depth ? params->max_depth : PETREL_X509_DEFAULT_MAX_DEPTH;
	if (b.max_depth > MAX_DEPTH_CAP)
		b.max_depth = MAX_DEPTH_CAP;
	b.sig_budget = SIG_BUDGET;
	b.nc_budget = NC_BUDGET;
	/* Leaf-only failures first: they hold whatever the path. */
	int rc = check_leaf(&chain[0], params);
	if (rc < 0)
		return rc;
	rc = check_time(&chain[0], params->now);
	if (rc < 0)
		return rc;
	b.path[0] = &chain[0];
	b.used[0] = true;
	rc = extend(&b, 1);
	return rc == 0 ? 0 : b.err;
}

int petrel_x509_verify_chain_der(const uint8_t *const *ders, const size_t *lens, size_t count,
				 const struct petrel_x509_store *store,
				 const struct petrel_x509_verify_params *params)
{
	struct petrel_x509_cert certs[MAX_DEPTH_CAP];
	if (count == 0)
		return PETREL_E_NO_CERTIFICATE;
	if (count > MAX_DEPTH_CAP)
		return PETREL_E_CERT_CHAIN_TOO_LONG;
	for (size_t i = 0; i < count; i++) {
		int rc = petrel_x509_parse(ders[i], lens[i], &certs[i]);
		/* An unknown critical extension matters only if the
		 * certificate ends up in the path (RFC 5280 6.1.4 (o)). */
		if (rc == PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION && i > 0)
			continue;
		if (rc < 0)
			return rc;
	}
	return petrel_x509_verify_chain(certs, count, store, params);
}
