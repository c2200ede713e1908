/* Test-only helpers for the crypto tests: hex decoding into caller buffers. */
#ifndef PETREL_TESTS_CRYPTO_TESTUTIL_H
#define PETREL_TESTS_CRYPTO_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int crypto_test_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex (spaces allowed) into out; returns the byte count, or
 * (size_t)-1 on bad hex or overflow. */
static inline size_t crypto_test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		int v;
		if (*hex == ' ' || *hex == '\n' || *hex == ':')
			continue;
		v = crypto_test_nibble(*hex);
		if (v < 0)
			return (size_t)-1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return (size_t)-1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? n : (size_t)-1;
}

#endif
