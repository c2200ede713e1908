/* Base64 (RFC 4648 4, the standard alphabet with padding) for PEM; a thin
 * wrapper so that only crypto/ includes libsodium. */
#ifndef PETREL_CRYPTO_BASE64_H
#define PETREL_CRYPTO_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters petrel_base64_encode writes for len bytes, without a NUL. */
size_t petrel_base64_encoded_len(size_t len);
/* Writes petrel_base64_encoded_len(len) characters and a NUL; out_cap must
 * hold them. Returns 0 or PETREL_E_SHORT_BUFFER. */
int petrel_base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap);
/* Decodes text, skipping any character in `ignore` (may be NULL) between
 * base64 characters. Stops at the first character that is neither;
 * *text_end (may be NULL) tells where. Returns 0, or
 * PETREL_E_DECODE_ERROR (bad padding or trailing bits, output larger than
 * out_cap). */
int petrel_base64_decode(const char *text, size_t text_len, const char *ignore, uint8_t *out,
			 size_t out_cap, size_t *out_len, const char **text_end);

#endif
