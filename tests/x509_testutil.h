/* Shared helpers for the x509 tests: fixture loading. */
#ifndef PETREL_TESTS_X509_TESTUTIL_H
#define PETREL_TESTS_X509_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x509/x509.h"

#define X509_FIXTURES PETREL_SRCDIR "/tests/fixtures/x509/"
/* 2030-01-01T00:00:00Z: inside every "valid" fixture's window. */
#define X509_TEST_NOW INT64_C(1893456000)

/* Reads a fixture file (NUL-terminated); the test fails if it is missing. */
static inline char *x509_fixture_text(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s%s", X509_FIXTURES, name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "missing fixture %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The first PEM block of a fixture, decoded; label checked. */
static inline uint8_t *x509_fixture_der(const char *name, const char *want_label, size_t *der_len)
{
	size_t len, pos = 0;
	char *text = x509_fixture_text(name, &len);
	char label[PETREL_PEM_LABEL_MAX];
	uint8_t *der = NULL;
	cr_assert_eq(petrel_pem_next(text, len, &pos, label, &der, der_len), 1, "%s", name);
	cr_assert_str_eq(label, want_label);
	free(text);
	return der;
}

/* A fixture certificate parsed; its DER stays allocated in *der. */
static inline void x509_fixture_cert(const char *name, uint8_t **der, struct petrel_x509_cert *cert)
{
	size_t len;
	*der = x509_fixture_der(name, "CERTIFICATE", &len);
	cr_assert_eq(petrel_x509_parse(*der, len, cert), 0, "parse %s", name);
}

#endif
