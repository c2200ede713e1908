/* Chain validation against real openssl/certtool chains: the good chains
 * validate and every defect is reported with its own code. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "tests/x509_testutil.h"
#include "x509/x509.h"

#define MAX_CERTS 4

struct chain {
	uint8_t *der[MAX_CERTS];
	struct petrel_x509_cert cert[MAX_CERTS];
	size_t count;
	struct petrel_x509_store store;
};

/* names: leaf first, NULL-terminated; roots: a trust store fixture file. */
static void load(struct chain *c, const char *roots, const char *const *names)
{
	memset(c, 0, sizeof(*c));
	for (; names[c->count] != NULL; c->count++)
		x509_fixture_cert(names[c->count], &c->der[c->count], &c->cert[c->count]);
	petrel_x509_store_init(&c->store);
	char path[512];
	snprintf(path, sizeof(path), "%s%s", X509_FIXTURES, roots);
	cr_assert_gt(petrel_x509_store_load_file(&c->store, path), 0);
}

static void unload(struct chain *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->der[i]);
	petrel_x509_store_free(&c->store);
}

static int verify(struct chain *c, const char *host)
{
	struct petrel_x509_verify_params p = { .now = X509_TEST_NOW, .host = host };
	return petrel_x509_verify_chain(c->cert, c->count, &c->store, &p);
}

static int verify_files(const char *roots, const char *const *names, const char *host)
{
	struct chain c;
	load(&c, roots, names);
	int rc = verify(&c, host);
	unload(&c);
	return rc;
}

#define CHAIN(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test(x509_chain, ecdsa_chain_validates)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"), "leaf.petrel.test"), 0);
	/* The root may be sent too, and the order after the leaf is free. */
	cr_assert_eq(verify_files("roots.pem", CHAIN("ec-leaf.pem", "ec-root.pem", "ec-int.pem"),
				  "127.0.0.1"), 0);
}

Test(x509_chain, rsa_chain_with_pkcs1_and_pss_validates)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("rsa-leaf.pem", "rsa-int.pem"), "leaf.petrel.test"), 0);
}

Test(x509_chain, ed25519_chain_validates)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("ed-leaf.pem"), "leaf.petrel.test"), 0);
}

Test(x509_chain, der_entry_point_parses_and_validates)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	const uint8_t *ders[2] = { c.cert[0].der, c.cert[1].der };
	size_t lens[2] = { c.cert[0].der_len, c.cert[1].der_len };
	struct petrel_x509_verify_params p = { .now = X509_TEST_NOW, .purpose = PETREL_X509_PURPOSE_SERVER };
	cr_assert_eq(petrel_x509_verify_chain_der(ders, lens, 2, &c.store, &p), 0);
	cr_assert_eq(petrel_x509_verify_chain_der(ders, lens, 0, &c.store, &p), PETREL_E_NO_CERTIFICATE);
	unload(&c);
}

Test(x509_chain, expired_leaf)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("expired.pem", "ec-int.pem"), NULL),
		     PETREL_E_CERT_EXPIRED);
}

Test(x509_chain, not_yet_valid_leaf)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("notyet.pem", "ec-int.pem"), NULL),
		     PETREL_E_CERT_NOT_YET_VALID);
}

Test(x509_chain, clock_before_or_after_the_whole_chain)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ed-leaf.pem"));
	struct petrel_x509_verify_params p = { .now = INT64_C(946684799) }; /* 1999-12-31 */
	cr_assert_eq(petrel_x509_verify_chain(c.cert, 1, &c.store, &p), PETREL_E_CERT_NOT_YET_VALID);
	p.now = INT64_C(4102444800); /* 2100-01-01 */
	cr_assert_eq(petrel_x509_verify_chain(c.cert, 1, &c.store, &p), PETREL_E_CERT_EXPIRED);
	unload(&c);
}

Test(x509_chain, wrong_name)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"), "evil.petrel.test"),
		     PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(verify_files("roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"), "10.0.0.1"),
		     PETREL_E_CERT_NAME_MISMATCH);
}

Test(x509_chain, wrong_issuer)
{
	/* Intermediate missing: nothing in the store issued the leaf. */
	cr_assert_eq(verify_files("roots.pem", CHAIN("ec-leaf.pem"), NULL), PETREL_E_CERT_UNKNOWN_ISSUER);
	/* A store holding another hierarchy's root only. */
	cr_assert_eq(verify_files("rsa-root.pem", CHAIN("ec-leaf.pem", "ec-int.pem"), NULL),
		     PETREL_E_CERT_UNKNOWN_ISSUER);
	/* A self-signed certificate nobody configured. */
	cr_assert_eq(verify_files("rsa-root.pem", CHAIN("ec-root.pem"), NULL), PETREL_E_CERT_UNTRUSTED);
}

Test(x509_chain, bad_signature_flipped_byte)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	/* Flip a byte inside the leaf's TBS (in its public key): the issuer's
	 * signature no longer covers it. */
	uint8_t *spki_byte = (uint8_t *)c.cert[0].pubkey.point + 10;
	*spki_byte ^= 0x01;
	cr_assert_eq(verify(&c, NULL), PETREL_E_CERT_BAD_SIGNATURE);
	*spki_byte ^= 0x01;
	cr_assert_eq(verify(&c, NULL), 0);
	/* And in the intermediate's signature value. */
	uint8_t *sig_byte = (uint8_t *)c.cert[1].sig + c.cert[1].sig_len - 3;
	*sig_byte ^= 0x20;
	cr_assert_eq(verify(&c, NULL), PETREL_E_CERT_BAD_SIGNATURE);
	unload(&c);
}

Test(x509_chain, rsa_pss_bad_signature)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("rsa-leaf.pem", "rsa-int.pem"));
	((uint8_t *)c.cert[0].sig)[100] ^= 0x80;
	cr_assert_eq(verify(&c, NULL), PETREL_E_CERT_BAD_SIGNATURE);
	unload(&c);
}

Test(x509_chain, non_ca_intermediate)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("nonca-leaf.pem", "nonca-int.pem"), NULL),
		     PETREL_E_CERT_NOT_CA);
}

Test(x509_chain, pathlen_exceeded)
{
	cr_assert_eq(verify_files("pl-root.pem", CHAIN("pl-leaf.pem", "pl-int.pem"), NULL),
		     PETREL_E_CERT_PATHLEN_EXCEEDED);
}

Test(x509_chain, issuer_without_key_cert_sign)
{
	cr_assert_eq(verify_files("roots.pem", CHAIN("ku-leaf.pem", "ku-int.pem"), NULL),
		     PETREL_E_CERT_KEY_USAGE);
}

Test(x509_chain, unknown_critical_extension)
{
	size_t len;
	uint8_t *der = x509_fixture_der("critext.pem", "CERTIFICATE", &len);
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-int.pem"));
	const uint8_t *ders[2] = { der, c.cert[0].der };
	size_t lens[2] = { len, c.cert[0].der_len };
	struct petrel_x509_verify_params p = { .now = X509_TEST_NOW };
	cr_assert_eq(petrel_x509_verify_chain_der(ders, lens, 2, &c.store, &p),
		     PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION);
	unload(&c);
	free(der);
}

Test(x509_chain, too_long_chain)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	struct petrel_x509_verify_params p = { .now = X509_TEST_NOW, .max_depth = 3 };
	cr_assert_eq(petrel_x509_verify_chain(c.cert, 2, &c.store, &p), 0);
	p.max_depth = 2; /* leaf + intermediate + root needs 3 */
	cr_assert_eq(petrel_x509_verify_chain(c.cert, 2, &c.store, &p), PETREL_E_CERT_CHAIN_TOO_LONG);
	p.max_depth = 1; /* more certificates sent than allowed at all */
	cr_assert_eq(petrel_x509_verify_chain(c.cert, 2, &c.store, &p), PETREL_E_CERT_CHAIN_TOO_LONG);
	unload(&c);
}

Test(x509_chain, eku_purpose)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	struct petrel_x509_verify_params p = { .now = X509_TEST_NOW, .purpose = PETREL_X509_PURPOSE_CLIENT };
	cr_assert_eq(petrel_x509_verify_chain(c.cert, 2, &c.store, &p), 0);
	c.cert[0].ext_key_usage = PETREL_EKU_SERVER_AUTH;
	cr_assert_eq(petrel_x509_verify_chain(c.cert, 2, &c.store, &p), PETREL_E_CERT_KEY_USAGE);
	unload(&c);
}

Test(x509_store, bundle_and_system_store)
{
	struct petrel_x509_store s;
	petrel_x509_store_init(&s);
	cr_assert_eq(petrel_x509_store_load_file(&s, X509_FIXTURES "roots.pem"), 3);
	cr_assert_eq(s.count, 3);
	cr_assert_eq(s.skipped, 0);
	cr_assert_eq(petrel_x509_store_load_file(&s, X509_FIXTURES "no-such-file.pem"),
		     PETREL_E_FILE_ERROR);
	petrel_x509_store_free(&s);

	FILE *f = fopen(PETREL_X509_SYSTEM_BUNDLE, "r");
	if (f == NULL) {
		cr_log_info("no %s, system store part skipped", PETREL_X509_SYSTEM_BUNDLE);
		return;
	}
	fclose(f);
	petrel_x509_store_init(&s);
	int n = petrel_x509_store_load_file(&s, NULL);
	cr_assert_gt(n, 50, "loaded %d, skipped %zu", n, s.skipped);
	cr_assert_lt(s.skipped, (size_t)n / 10);
	petrel_x509_store_free(&s);
}

/* ---- issue #17 item 15: name constraints, EKU on CAs, path building ---- */

static int verify_purpose(struct chain *c, const char *host, enum petrel_x509_purpose purpose)
{
	struct petrel_x509_verify_params p = { .now = X509_TEST_NOW, .host = host, .purpose = purpose };
	return petrel_x509_verify_chain(c->cert, c->count, &c->store, &p);
}

Test(x509_chain, intermediate_eku_limits_what_it_vouches_for)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	/* RFC 5280 4.2.1.12 on a CA: limited to clientAuth, it cannot vouch
	 * for a server (the leaf itself allows both). */
	c.cert[1].has_ext_key_usage = true;
	c.cert[1].ext_key_usage = PETREL_EKU_CLIENT_AUTH;
	cr_assert_eq(verify_purpose(&c, "leaf.petrel.test", PETREL_X509_PURPOSE_SERVER),
		     PETREL_E_CERT_KEY_USAGE);
	cr_assert_eq(verify_purpose(&c, NULL, PETREL_X509_PURPOSE_CLIENT), 0);
	cr_assert_eq(verify_purpose(&c, "leaf.petrel.test", PETREL_X509_PURPOSE_ANY), 0);
	/* anyExtendedKeyUsage, or no EKU at all, limits nothing. */
	c.cert[1].ext_key_usage = PETREL_EKU_ANY;
	cr_assert_eq(verify_purpose(&c, "leaf.petrel.test", PETREL_X509_PURPOSE_SERVER), 0);
	c.cert[1].has_ext_key_usage = false;
	cr_assert_eq(verify_purpose(&c, "leaf.petrel.test", PETREL_X509_PURPOSE_SERVER), 0);
	unload(&c);
}

/* NameConstraints contents: permitted ([0]) or excluded ([1]) subtrees of
 * one dNSName. */
static size_t nc_dns(uint8_t *out, uint8_t which, const char *dns)
{
	size_t n = strlen(dns);
	out[0] = (uint8_t)(0xa0 | which);
	out[1] = (uint8_t)(n + 4);
	out[2] = 0x30;
	out[3] = (uint8_t)(n + 2);
	out[4] = 0x82;
	out[5] = (uint8_t)n;
	memcpy(out + 6, dns, n);
	return n + 6;
}

static int verify_with_nc(struct chain *c, const uint8_t *nc, size_t nc_len, bool critical)
{
	c->cert[1].name_constraints = nc;
	c->cert[1].name_constraints_len = nc_len;
	c->cert[1].nc_critical = critical;
	return verify(c, "leaf.petrel.test");
}

Test(x509_chain, name_constraints_on_intermediate)
{
	struct chain c;
	uint8_t nc[64];
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	/* leaf SANs: leaf.petrel.test, *.wild.petrel.test, 127.0.0.1, ::1 */
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 0, "petrel.test"), true), 0);
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 0, "PETREL.test"), true), 0);
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 0, "good.com"), true),
		     PETREL_E_CERT_NAME_MISMATCH);
	/* A narrower subtree does not cover leaf.petrel.test. */
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 0, "f.petrel.test"), true),
		     PETREL_E_CERT_NAME_MISMATCH);
	/* Excluded: the exact name, and a name the wildcard SAN could match. */
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 1, "leaf.petrel.test"), true),
		     PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 1, "x.wild.petrel.test"), true),
		     PETREL_E_CERT_NAME_MISMATCH);
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 1, "other.test"), true), 0);
	/* RFC 5280 4.2.1.10: MUST be critical; a non-critical one is not
	 * ignored, the CA is refused. */
	cr_assert_eq(verify_with_nc(&c, nc, nc_dns(nc, 0, "petrel.test"), false),
		     PETREL_E_BAD_CERTIFICATE);
	unload(&c);
}

Test(x509_chain, name_constraints_on_ip_addresses)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	/* permitted iPAddress 127.0.0.0/8: allows 127.0.0.1, and the leaf's
	 * ::1 is another form's length, so it fails the permitted list. */
	static const uint8_t v4_only[] = { 0xa0, 0x0c, 0x30, 0x0a, 0x87, 0x08, 127, 0, 0, 0, 255, 0, 0, 0 };
	cr_assert_eq(verify_with_nc(&c, v4_only, sizeof(v4_only), true), PETREL_E_CERT_NAME_MISMATCH);
	/* excluded 10.0.0.0/8: nothing of the leaf's is inside. */
	static const uint8_t ex_v4[] = { 0xa1, 0x0c, 0x30, 0x0a, 0x87, 0x08, 10, 0, 0, 0, 255, 0, 0, 0 };
	cr_assert_eq(verify_with_nc(&c, ex_v4, sizeof(ex_v4), true), 0);
	/* excluded 127.0.0.0/8 catches 127.0.0.1. */
	static const uint8_t ex_lo[] = { 0xa1, 0x0c, 0x30, 0x0a, 0x87, 0x08, 127, 0, 0, 0, 255, 0, 0, 0 };
	cr_assert_eq(verify_with_nc(&c, ex_lo, sizeof(ex_lo), true), PETREL_E_CERT_NAME_MISMATCH);
	unload(&c);
}

Test(x509_chain, name_constraint_of_unprocessed_form_rejects_only_names_of_that_form)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	/* permitted uniformResourceIdentifier [6] "x": the leaf has no URI
	 * name, so nothing to judge (RFC 5280 4.2.1.10). */
	static const uint8_t uri[] = { 0xa0, 0x05, 0x30, 0x03, 0x86, 0x01, 'x' };
	cr_assert_eq(verify_with_nc(&c, uri, sizeof(uri), true), 0);
	/* a form Petrel cannot judge ([8] registeredID) but the leaf's SAN
	 * has no such name either */
	static const uint8_t rid[] = { 0xa1, 0x06, 0x30, 0x04, 0x88, 0x02, 0x2a, 0x03 };
	cr_assert_eq(verify_with_nc(&c, rid, sizeof(rid), true), 0);
	unload(&c);
}

Test(x509_chain, path_building_skips_same_name_decoys)
{
	/* A certificate with the intermediate's name and key identifier but
	 * another key comes first: its signature fails, the builder moves on
	 * to the real intermediate. */
	struct chain c, rsa;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem", "ec-int.pem"));
	load(&rsa, "roots.pem", CHAIN("rsa-int.pem"));
	c.cert[1].pubkey = rsa.cert[0].pubkey;
	cr_assert_eq(verify(&c, "leaf.petrel.test"), 0);
	unload(&rsa);
	unload(&c);
}

Test(x509_chain, path_building_falls_back_when_key_ids_differ)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	/* The leaf's AKI names another key: the name match is still tried. */
	static const uint8_t other_id[4] = { 1, 2, 3, 4 };
	c.cert[1].ski = other_id;
	c.cert[1].ski_len = sizeof(other_id);
	cr_assert_eq(verify(&c, "leaf.petrel.test"), 0);
	unload(&c);
}

Test(x509_chain, rfc5280_profile_rules_on_the_path)
{
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	/* 4.2.1.1: the leaf needs an authorityKeyIdentifier. */
	const uint8_t *aki = c.cert[0].aki;
	c.cert[0].aki = NULL;
	cr_assert_eq(verify(&c, NULL), PETREL_E_BAD_CERTIFICATE);
	c.cert[0].aki = aki;
	/* 4.2.1.2: a CA needs a subjectKeyIdentifier. */
	const uint8_t *ski = c.cert[1].ski;
	c.cert[1].ski = NULL;
	cr_assert_eq(verify(&c, NULL), PETREL_E_BAD_CERTIFICATE);
	c.cert[1].ski = ski;
	/* 4.2.1.9: a CA's basicConstraints is critical. */
	c.cert[1].bc_critical = false;
	cr_assert_eq(verify(&c, NULL), PETREL_E_BAD_CERTIFICATE);
	c.cert[1].bc_critical = true;
	/* 4.2.1.9: keyCertSign without cA. */
	c.cert[0].has_key_usage = true;
	c.cert[0].key_usage = PETREL_KU_DIGITAL_SIGNATURE | PETREL_KU_KEY_CERT_SIGN;
	cr_assert_eq(verify(&c, NULL), PETREL_E_CERT_KEY_USAGE);
	unload(&c);
}

Test(x509_chain, unknown_critical_extension_matters_only_on_the_path)
{
	/* critext.pem (an unknown critical extension) sent as an extra,
	 * unused certificate: the path through ec-int still validates
	 * (RFC 5280 6.1.4 (o) applies to path certificates). */
	size_t len;
	uint8_t *der = x509_fixture_der("critext.pem", "CERTIFICATE", &len);
	struct chain c;
	load(&c, "roots.pem", CHAIN("ec-leaf.pem", "ec-int.pem"));
	const uint8_t *ders[3] = { c.cert[0].der, der, c.cert[1].der };
	size_t lens[3] = { c.cert[0].der_len, len, c.cert[1].der_len };
	struct petrel_x509_verify_params p = { .now = X509_TEST_NOW };
	cr_assert_eq(petrel_x509_verify_chain_der(ders, lens, 3, &c.store, &p), 0);
	unload(&c);
	free(der);
}
