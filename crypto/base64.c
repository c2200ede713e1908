/* Base64 over libsodium's constant-time codec (keys travel in PEM too). */
#include <sodium.h>

#include "crypto/base64.h"
#include "petrel/petrel.h"

size_t petrel_base64_encoded_len(size_t len) { return (len + 2) / 3 * 4; }

int petrel_base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
	if (out_cap < petrel_base64_encoded_len(len) + 1)
		return PETREL_E_SHORT_BUFFER;
	sodium_bin2base64(out, out_cap, in, len, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

int petrel_base64_decode(const char *text, size_t text_len, const char *ignore, uint8_t *out,
			 size_t out_cap, size_t *out_len, const char **text_end)
{
	const char *end = NULL;
	*out_len = 0;
	if (sodium_base642bin(out, out_cap, text, text_len, ignore, out_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end == NULL)
		return PETREL_E_DECODE_ERROR;
	if (text_end != NULL)
		*text_end = end;
	return 0;
}
