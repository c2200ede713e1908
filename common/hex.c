/* Hex text to bytes: PSK keys and pinned fingerprints on command lines and
 * in configuration, "0a1b..." or colon-separated "0A:1B:..." (RFC 8122's
 * fingerprint form). The one hex decoder of the project. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hex.h"
#include "petrel/petrel.h"

int petrel_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int petrel_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	if (hex == NULL || len == NULL || (cap > 0 && out == NULL))
		return PETREL_E_INVALID_REQUEST;
	size_t n = 0;
	bool colons = false;
	for (const char *p = hex; *p;) {
		if (n > 0 && *p == ':') {
			colons = true;
			p++;
		} else if (colons) {
			return PETREL_E_DECODE_ERROR; /* separators all the way or not at all */
		}
		int hi = petrel_hex_digit(p[0]);
		int lo = hi < 0 ? -1 : petrel_hex_digit(p[1]);
		if (lo < 0)
			return PETREL_E_DECODE_ERROR;
		if (n == cap)
			return PETREL_E_SHORT_BUFFER;
		out[n++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	if (n == 0)
		return PETREL_E_DECODE_ERROR;
	*len = n;
	return 0;
}
