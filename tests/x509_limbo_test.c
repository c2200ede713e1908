/* x509-limbo (C2SP/x509-limbo, tests/vectors/x509-limbo/): every case run
 * through petrel_x509_verify_chain with the case's roots as the store,
 * its intermediates as the peer's extra certificates, its peer name and
 * validation time. The verdict must match expected_result, except for the
 * cases listed in `differences` below, each with the reason Petrel
 * deliberately differs. A listed case that starts to agree fails the test
 * too, so the table stays exact. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "tests/crypto_json.h"
#include "x509/x509.h"

struct difference {
	const char *id;
	const char *reason;
};

#define NO_CN "Petrel never reads the subject CN (RFC 6125 6.4.4: SAN only), so a CN that " \
	"disagrees with the SAN (CA/B BR 7.1.4.3) cannot mislead it"
#define ROOT_AKI "CA/B BR 7.1.2.1.3 root AKI profile; RFC 5280 4.2.1.1 allows it on a trust " \
	"anchor, which is configured input (pyca/cryptography skips these too, its PR #11462)"
#define NO_CRL "no revocation checking: Petrel does not process CRLs"
#define NO_PSL "Petrel carries no Public Suffix List; wildcards need two labels after \"*.\" " \
	"(name.c), the RFC 6125 6.4.3 rule it can apply"

/* Deliberate differences. None may be in the rfc5280, pathlen or cve
 * families (checked below): where a webpki case contradicts an rfc5280
 * one, Petrel follows RFC 5280. */
static const struct difference differences[] = {
	{ "crl::revoked-certificate-with-crl", NO_CRL },
	{ "crl::crlnumber-missing", NO_CRL },
	{ "crl::crlnumber-critical", NO_CRL },
	{ "crl::issuer-missing-crlsign", NO_CRL },
	{ "webpki::aki::root-with-aki-missing-keyidentifier", ROOT_AKI },
	{ "webpki::aki::root-with-aki-authoritycertissuer", ROOT_AKI },
	{ "webpki::aki::root-with-aki-authoritycertserialnumber", ROOT_AKI },
	{ "webpki::aki::root-with-aki-all-fields", ROOT_AKI },
	{ "webpki::aki::root-with-aki-ski-mismatch", ROOT_AKI },
	{ "webpki::cn::ipv4-hex-mismatch", NO_CN },
	{ "webpki::cn::ipv4-leading-zeros-mismatch", NO_CN },
	{ "webpki::cn::ipv6-uppercase-mismatch", NO_CN },
	{ "webpki::cn::ipv6-uncompressed-mismatch", NO_CN },
	{ "webpki::cn::ipv6-non-rfc5952-mismatch", NO_CN },
	{ "webpki::cn::punycode-not-in-san", NO_CN },
	{ "webpki::cn::utf8-vs-punycode-mismatch", NO_CN },
	{ "webpki::cn::not-in-san", NO_CN },
	{ "webpki::cn::case-mismatch", NO_CN },
	{ "webpki::eku::ee-anyeku",
	  "RFC 5280 4.2.1.12 allows anyExtendedKeyUsage in a leaf; Petrel accepts it" },
	{ "webpki::eku::ee-critical-eku", "RFC 5280 4.2.1.12 lets EKU be critical" },
	{ "webpki::eku::ee-without-eku",
	  "contradicts rfc5280::eku::ee-without-eku: without EKU a leaf is unrestricted "
	  "(RFC 5280 4.2.1.12)" },
	{ "webpki::eku::root-has-eku",
	  "RFC 5280 allows EKU on a CA; Petrel honours it as a limit on what the CA vouches for "
	  "(here it includes the purpose)" },
	{ "webpki::nc::permitted-dns-match-noncritical",
	  "contradicts rfc5280::nc::permitted-dns-match-noncritical: RFC 5280 4.2.1.10 says "
	  "nameConstraints MUST be critical, and Petrel refuses a CA whose is not" },
	{ "webpki::san::public-suffix-multi-label-wildcard-san", NO_PSL },
	{ "webpki::san::public-suffix-private-namespace-wildcard-san", NO_PSL },
	{ "webpki::san::san-critical-with-nonempty-subject",
	  "RFC 5280 4.2.1.6 lets SAN be critical whatever the subject" },
	{ "webpki::malformed-aia",
	  "Petrel does not use authorityInfoAccess; a non-critical extension it does not "
	  "process is skipped (RFC 5280 4.2)" },
	{ "webpki::ee-basicconstraints-ca",
	  "RFC 5280 allows cA=TRUE in a leaf, and OpenSSL's default self-signed certificates "
	  "carry it" },
	{ "webpki::ca-as-leaf", "contradicts rfc5280::ca-as-leaf, which Petrel follows" },
	{ NULL, NULL },
};

/* Known failures: cases Petrel gets wrong for want of a rule that could
 * satisfy them without breaking another case. Each must still fail; fix
 * one and the test says so. */
static const struct difference known_failures[] = {
	{ "rfc5280::aki::cross-signed-root-missing-aki",
	  "its anchor (issued by another root, no AKI) has exactly the shape of "
	  "cve::cve-2024-0567's valid \"Root A\" anchor; nothing but the expected result tells "
	  "them apart (a conflict the suite itself records: C2SP/x509-limbo#598, "
	  "\"pedantic-rfc5280\"). Petrel does not hold trust anchors to the AKI rule, so the "
	  "CVE case passes and this one is accepted" },
	{ NULL, NULL },
};

static const struct difference *find_in(const struct difference *table, const char *id)
{
	for (const struct difference *d = table; d->id != NULL; d++)
		if (strcmp(d->id, id) == 0)
			return d;
	return NULL;
}

static const struct difference *find_difference(const char *id)
{
	const struct difference *d = find_in(differences, id);
	return d != NULL ? d : find_in(known_failures, id);
}

static bool in_cases(const struct crypto_json *cases, const char *id)
{
	for (size_t i = 0; i < crypto_json_len(cases); i++)
		if (strcmp(crypto_json_str(crypto_json_at(cases, i), "id"), id) == 0)
			return true;
	return false;
}

/* "YYYY-MM-DDTHH:MM:SS+00:00" to seconds since the epoch (proleptic
 * Gregorian, days-from-civil). */
static int64_t parse_time(const char *s)
{
	int y, mo, d, h, mi, sec;
	cr_assert_eq(sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec), 6, "%s", s);
	cr_assert(strstr(s, "+00:00") != NULL || strchr(s, 'Z') != NULL, "not UTC: %s", s);
	int64_t yy = mo <= 2 ? y - 1 : y;
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + sec;
}

/* A case without a validation time: inside every certificate's window
 * (the generator's certificates run 1970..2969). */
#define LIMBO_DEFAULT_NOW INT64_C(1704067200) /* 2024-01-01T00:00:00Z */

/* Decodes the single PEM certificate in text into *der (malloc'd). */
static void pem_cert(const char *text, uint8_t **der, size_t *len)
{
	size_t pos = 0;
	char label[PETREL_PEM_LABEL_MAX];
	cr_assert_eq(petrel_pem_next(text, strlen(text), &pos, label, der, len), 1);
	cr_assert_str_eq(label, "CERTIFICATE");
}

#define MAX_CERTS 32

/* Runs one case; returns Petrel's verdict (0 = accepted) in *rc. */
static void run_case(const struct crypto_json *tc, int *rc)
{
	struct petrel_x509_store store;
	petrel_x509_store_init(&store);
	const struct crypto_json *roots = crypto_json_get(tc, "trusted_certs");
	for (size_t i = 0; i < crypto_json_len(roots); i++) {
		const char *pem = crypto_json_at(roots, i)->string;
		int added = petrel_x509_store_add_pem(&store, pem, strlen(pem));
		cr_assert_geq(added, 0);
	}

	uint8_t *ders[MAX_CERTS];
	size_t lens[MAX_CERTS];
	size_t count = 0;
	pem_cert(crypto_json_str(tc, "peer_certificate"), &ders[count], &lens[count]);
	count++;
	const struct crypto_json *inter = crypto_json_get(tc, "untrusted_intermediates");
	for (size_t i = 0; i < crypto_json_len(inter) && count < MAX_CERTS; i++, count++)
		pem_cert(crypto_json_at(inter, i)->string, &ders[count], &lens[count]);

	struct petrel_x509_verify_params params = { .now = LIMBO_DEFAULT_NOW };
	const char *when = crypto_json_str(tc, "validation_time");
	if (when != NULL)
		params.now = parse_time(when);
	/* Only DNS and IP peer names are matched (RFC 6125); e-mail names
	 * still meet name constraints through the leaf's SAN. */
	const struct crypto_json *name = crypto_json_get(tc, "expected_peer_name");
	const char *kind = crypto_json_str(name, "kind");
	if (kind != NULL && (strcmp(kind, "DNS") == 0 || strcmp(kind, "IP") == 0))
		params.host = crypto_json_str(name, "value");
	const char *vkind = crypto_json_str(tc, "validation_kind");
	params.purpose = strcmp(vkind, "CLIENT") == 0 ? PETREL_X509_PURPOSE_CLIENT
						      : PETREL_X509_PURPOSE_SERVER;
	const struct crypto_json *ekus = crypto_json_get(tc, "extended_key_usage");
	for (size_t i = 0; i < crypto_json_len(ekus); i++) {
		const char *eku = crypto_json_at(ekus, i)->string;
		if (strcmp(eku, "serverAuth") == 0)
			params.purpose = PETREL_X509_PURPOSE_SERVER;
		else if (strcmp(eku, "clientAuth") == 0)
			params.purpose = PETREL_X509_PURPOSE_CLIENT;
	}
	/* limbo's max_chain_depth counts intermediates; ours counts every
	 * certificate in the path, leaf and anchor included. */
	const struct crypto_json *depth = crypto_json_get(tc, "max_chain_depth");
	if (depth != NULL && depth->type == CRYPTO_JSON_NUMBER)
		params.max_depth = (unsigned)depth->number + 2;

	*rc = petrel_x509_verify_chain_der((const uint8_t *const *)ders, lens, count, &store,
					   &params);
	for (size_t i = 0; i < count; i++)
		free(ders[i]);
	petrel_x509_store_free(&store);
}

Test(x509_limbo, every_case_matches_or_is_a_listed_difference)
{
	struct crypto_json *root =
		crypto_json_parse_file(PETREL_VECTORS_DIR "/x509-limbo/limbo.json");
	cr_assert_not_null(root, "cannot read limbo.json");
	const struct crypto_json *cases = crypto_json_get(root, "testcases");
	cr_assert_eq(crypto_json_len(cases), 193);

	for (const struct difference *d = differences; d->id != NULL; d++) {
		cr_assert(strncmp(d->id, "rfc5280::", 9) != 0 && strncmp(d->id, "pathlen::", 9) != 0 &&
				  strncmp(d->id, "cve::", 5) != 0,
			  "%s: no deliberate difference in rfc5280/pathlen/cve", d->id);
		cr_assert(in_cases(cases, d->id), "%s: listed but not in limbo.json", d->id);
		cr_assert_null(find_in(known_failures, d->id), "%s: listed twice", d->id);
	}
	for (const struct difference *d = known_failures; d->id != NULL; d++)
		cr_assert(in_cases(cases, d->id), "%s: listed but not in limbo.json", d->id);

	size_t wrong = 0, listed = 0;
	for (size_t i = 0; i < crypto_json_len(cases); i++) {
		const struct crypto_json *tc = crypto_json_at(cases, i);
		const char *id = crypto_json_str(tc, "id");
		bool want_ok = strcmp(crypto_json_str(tc, "expected_result"), "SUCCESS") == 0;
		int rc;
		run_case(tc, &rc);
		bool agrees = (rc == 0) == want_ok;
		const struct difference *d = find_difference(id);
		if (d != NULL) {
			listed++;
			if (agrees) {
				wrong++;
				cr_log_error("%s: listed (%s) but now agrees: remove it", id, d->reason);
			}
		} else if (!agrees) {
			wrong++;
			cr_log_error("%s: expected %s, got %s", id, want_ok ? "SUCCESS" : "FAILURE",
				     rc == 0 ? "accepted" : petrel_strerror_name(rc));
		}
	}
	crypto_json_free(root);
	cr_assert_eq(wrong, 0, "%zu limbo cases disagree (%zu listed differences)", wrong, listed);
}
