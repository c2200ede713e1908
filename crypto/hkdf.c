/* HKDF (RFC 5869) and the TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1), which
 * DTLS 1.3 uses with the "dtls13" prefix instead of "tls13 " (RFC 9147 5.9). */
#include <string.h>

#include "common/reader.h"
#include "crypto/crypto.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

void petrel_hkdf_extract(enum petrel_hash_alg alg, const uint8_t *salt, size_t salt_len,
			 const uint8_t *ikm, size_t ikm_len, uint8_t *prk_out)
{
	static const uint8_t zeros[PETREL_MAX_HASH_LEN];
	struct petrel_hmac_ctx mac;

	/* RFC 5869 2.2: a missing salt is HashLen zero bytes. */
	if (salt == NULL) {
		salt = zeros;
		salt_len = petrel_hash_len(alg);
	}
	if (petrel_hmac_init(&mac, alg, salt, salt_len) != 0)
		return;
	petrel_hmac_update(&mac, ikm, ikm_len);
	petrel_hmac_final(&mac, prk_out);
	petrel_wipe(&mac, sizeof mac);
}

int petrel_hkdf_expand(enum petrel_hash_alg alg, const uint8_t *prk, size_t prk_len,
		       const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	struct petrel_hmac_ctx mac;
	uint8_t t[PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(alg);
	uint8_t counter = 1;

	if (hash_len == 0 || (out == NULL && out_len > 0))
		return PETREL_E_INVALID_REQUEST;
	/* RFC 5869 2.3: L <= 255 * HashLen. */
	if (out_len > 255 * hash_len)
		return PETREL_E_INVALID_REQUEST;
	if (petrel_hmac_init(&mac, alg, prk, prk_len) != 0)
		return PETREL_E_INVALID_REQUEST;

	/* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
	while (out_len > 0) {
		size_t n = out_len < hash_len ? out_len : hash_len;

		if (counter > 1)
			petrel_hmac_update(&mac, t, hash_len);
		if (info != NULL)
			petrel_hmac_update(&mac, info, info_len);
		petrel_hmac_update(&mac, &counter, 1);
		petrel_hmac_final(&mac, t);
		memcpy(out, t, n);
		out += n;
		out_len -= n;
		counter++;
	}
	petrel_wipe(&mac, sizeof mac);
	petrel_wipe(t, sizeof t);
	return 0;
}

int petrel_hkdf_expand_label(enum petrel_hash_alg alg, const uint8_t *secret, size_t secret_len,
			     const char *prefix, const char *label, const uint8_t *context,
			     size_t context_len, uint8_t *out, size_t out_len)
{
	/* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; }
	 * HkdfLabel (RFC 8446 7.1): at most 2 + 1 + 255 + 1 + 255 bytes. */
	uint8_t info[2 + 1 + 255 + 1 + 255];
	struct petrel_writer w;
	struct petrel_len_scope scope;
	size_t prefix_len = prefix != NULL ? strlen(prefix) : 0;
	size_t label_len = label != NULL ? strlen(label) : 0;
	int rc;

	if (out_len > UINT16_MAX || prefix_len + label_len > 255 || context_len > 255 ||
	    (context == NULL && context_len > 0))
		return PETREL_E_INVALID_REQUEST;

	petrel_writer_init(&w, info, sizeof info);
	petrel_put_u16(&w, (uint16_t)out_len);
	petrel_put_len_open(&w, 1, &scope);
	petrel_put_bytes(&w, (const uint8_t *)prefix, prefix_len);
	petrel_put_bytes(&w, (const uint8_t *)label, label_len);
	petrel_put_len_close(&w, &scope);
	petrel_put_opaque8(&w, context, context_len);
	if (!petrel_writer_ok(&w))
		return PETREL_E_INTERNAL;

	rc = petrel_hkdf_expand(alg, secret, secret_len, info, petrel_writer_len(&w), out, out_len);
	petrel_wipe(info, sizeof info);
	return rc;
}
