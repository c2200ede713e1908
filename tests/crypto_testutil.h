/* Test-only helpers for the crypto tests: hex decoding into caller buffers. */
#ifndef PETREL_TESTS_CRYPTO_TESTUTIL_H
#define PETREL_TESTS_CRYPTO_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "petrel/petrel.h"

/* Decodes hex (spaces, newlines and colons allowed) into out with the
 * project's decoder; returns the byte count (0 for ""), or (size_t)-1 on
 * bad hex or overflow. */
static inline size_t crypto_test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	static char packed[65536];
	size_t n = 0;
	for (; *hex != '\0'; hex++) {
		if (*hex == ' ' || *hex == '\n' || *hex == ':')
			continue;
		if (n + 1 >= sizeof packed)
			return (size_t)-1;
		packed[n++] = *hex;
	}
	packed[n] = '\0';
	if (n == 0)
		return 0;
	size_t len;
	return petrel_hex_decode(packed, out, cap, &len) == 0 ? len : (size_t)-1;
}

#endif
