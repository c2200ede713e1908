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
