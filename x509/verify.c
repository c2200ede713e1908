/* Certificate path validation (RFC 5280 6.1, the parts TLS needs): walk
 * from the leaf to a trust anchor, checking at each step validity time,
 * the issuer's CA flag, pathLen and keyUsage, and the signature. No policy
 * processing, name constraints or revocation. Each failure keeps its own
 * PETREL_E_CERT_* code so callers (and tests) can tell them apart. */
#include <string.h>

#include "petrel/petrel.h"
#include "x509/x509.h"

/* Hard cap on any path, whatever the caller asks. */
#define MAX_DEPTH_CAP 32

static bool same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a_len == b_len && memcmp(a, b, a_len) == 0;
}

static bool self_issued(const struct petrel_x509_cert *c)
{
	return same_bytes(c->issuer, c->issuer_len, c->subject, c->subject_len);
}

/* RFC 5280 6.1.3 (a)(2) */
static int check_time(const struct petrel_x509_cert *c, int64_t now)
{
	if (now < c->not_before)
		return PETREL_E_CERT_NOT_YET_VALID;
	if (now > c->not_after)
		return PETREL_E_CERT_EXPIRED;
	return 0;
}

/* Can `issuer` have issued `cert`, with `ca_below` non-self-issued
 * intermediates already between it and the leaf? */
static int check_issuer(const struct petrel_x509_cert *issuer, const struct petrel_x509_cert *cert,
			unsigned ca_below, bool is_anchor)
{
	if (issuer->pubkey.type == PETREL_KEY_NONE)
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	/* Signature first: a name match with the wrong key is not the issuer. */
	int rc = petrel_x509_check_signature(cert, &issuer->pubkey);
	if (rc < 0)
		return rc;
	/* RFC 5280 6.1.4 (k): intermediates must assert cA. v1 roots predate
	 * extensions and are accepted only as configured anchors. */
	if (!issuer->is_ca && !(is_anchor && issuer->version == 1))
		return PETREL_E_CERT_NOT_CA;
	/* RFC 5280 6.1.4 (l)/(m): pathLen counts non-self-issued
	 * intermediates below this CA. */
	if (issuer->path_len >= 0 && ca_below > (unsigned)issuer->path_len)
		return PETREL_E_CERT_PATHLEN_EXCEEDED;
	/* RFC 5280 6.1.4 (n) / 4.2.1.3 */
	if (issuer->has_key_usage && !(issuer->key_usage & PETREL_KU_KEY_CERT_SIGN))
		return PETREL_E_CERT_KEY_USAGE;
	return 0;
}

/* A signature failure says "not this one"; any other failure says "this
 * is the issuer, but it may not issue" and is the better report. */
static int better_error(int have, int rc)
{
	if (have == 0 || have == PETREL_E_CERT_BAD_SIGNATURE)
		return rc;
	return have;
}

static int check_leaf(const struct petrel_x509_cert *leaf,
		      const struct petrel_x509_verify_params *params)
{
	if (params->host != NULL) {
		int rc = petrel_x509_check_name(leaf, params->host);
		if (rc < 0)
			return rc;
	}
	/* RFC 5280 4.2.1.12: if EKU is present the purpose must be listed. */
	if (params->purpose != PETREL_X509_PURPOSE_ANY && leaf->has_ext_key_usage) {
		uint8_t want = params->purpose == PETREL_X509_PURPOSE_SERVER ? PETREL_EKU_SERVER_AUTH
									      : PETREL_EKU_CLIENT_AUTH;
		if (!(leaf->ext_key_usage & (want | PETREL_EKU_ANY)))
			return PETREL_E_CERT_KEY_USAGE;
	}
	return 0;
}

int petrel_x509_verify_chain(const struct petrel_x509_cert *chain, size_t count,
			     const struct petrel_x509_store *store,
			     const struct petrel_x509_verify_params *params)
{
	if (count == 0)
		return PETREL_E_NO_CERTIFICATE;
	size_t max_depth = params->max_depth ? params->max_depth : PETREL_X509_DEFAULT_MAX_DEPTH;
	if (max_depth > MAX_DEPTH_CAP)
		max_depth = MAX_DEPTH_CAP;
	if (count > max_depth)
		return PETREL_E_CERT_CHAIN_TOO_LONG;
	int rc = check_leaf(&chain[0], params);
	if (rc < 0)
		return rc;

	bool used[MAX_DEPTH_CAP] = { true };
	const struct petrel_x509_cert *cur = &chain[0];
	size_t depth = 1;      /* certificates in the path so far */
	unsigned ca_below = 0; /* non-self-issued intermediates above the leaf */
	for (;;) {
		rc = check_time(cur, params->now);
		if (rc < 0)
			return rc;
		/* A configured certificate is trusted as is (a pinned leaf or
		 * an anchor the peer also sent). */
		for (size_t i = 0; store && i < store->count; i++)
			if (same_bytes(store->entries[i].der, store->entries[i].der_len, cur->der,
				       cur->der_len))
				return 0;

		int err = 0;
		bool name_found = false;
		for (size_t i = 0; store && i < store->count; i++) {
			const struct petrel_x509_cert *anchor = &store->entries[i].cert;
			if (!same_bytes(anchor->subject, anchor->subject_len, cur->issuer,
					cur->issuer_len))
				continue;
			name_found = true;
			rc = check_issuer(anchor, cur, ca_below, true);
			if (rc == 0)
				rc = check_time(anchor, params->now);
			if (rc == 0)
				return depth + 1 > max_depth ? PETREL_E_CERT_CHAIN_TOO_LONG : 0;
			err = better_error(err, rc);
		}
		size_t next = 0;
		for (size_t i = 1; i < count && next == 0; i++) {
			if (used[i] || !same_bytes(chain[i].subject, chain[i].subject_len, cur->issuer,
						   cur->issuer_len))
				continue;
			name_found = true;
			rc = check_issuer(&chain[i], cur, ca_below, false);
			if (rc == 0)
				next = i;
			else
				err = better_error(err, rc);
		}
		if (next == 0) {
			if (name_found)
				return err;
			return self_issued(cur) ? PETREL_E_CERT_UNTRUSTED : PETREL_E_CERT_UNKNOWN_ISSUER;
		}
		if (++depth > max_depth)
			return PETREL_E_CERT_CHAIN_TOO_LONG;
		used[next] = true;
		cur = &chain[next];
		if (!self_issued(cur))
			ca_below++;
	}
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
		if (rc < 0)
			return rc;
	}
	return petrel_x509_verify_chain(certs, count, store, params);
}
