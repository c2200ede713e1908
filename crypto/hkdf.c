/* HKDF (RFC 5869) and the TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1), which
 * DTLS 1.3 uses with the "dtls13" prefix instead of "tls13 " (RFC 9147 5.9).
 * Expand also runs under a PRK keyed once (crypto/hkdf.h). */
#include "crypto/hkdf.h"

#include <stddef.h>
#include <string.h>

#include "common/reader.h"
#include "crypto/crypto.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

_Static_assert(sizeof(struct petrel_hmac_ctx) <= PETREL_HKDF_KEY_BYTES, "PETREL_HKDF_KEY_BYTES");

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

/* RFC 5869 2.3 on a keyed context: T(i) = HMAC(PRK, T(i-1) || info || i),
 * T(0) empty. nettle's digest re-arms mac to the keyed state, so each
 * block starts from the absorbed pads. */
static int expand_with(struct petrel_hmac_ctx *mac, const uint8_t *info, size_t info_len,
		       uint8_t *out, size_t out_len)
{
	uint8_t t[PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(mac->alg);
	uint8_t counter = 1;

	while (out_len > 0) {
		size_t n = out_len < hash_len ? out_len : hash_len;

		if (counter > 1)
			petrel_hmac_update(mac, t, hash_len);
		if (info != NULL)
			petrel_hmac_update(mac, info, info_len);
		petrel_hmac_update(mac, &counter, 1);
		petrel_hmac_final(mac, t);
		memcpy(out, t, n);
		out += n;
		out_len -= n;
		counter++;
	}
	petrel_wipe(t, sizeof t);
	return 0;
}

/* RFC 5869 2.3: L <= 255 * HashLen. */
static bool expand_args_ok(enum petrel_hash_alg alg, const uint8_t *out, size_t out_len)
{
	size_t hash_len = petrel_hash_len(alg);
	return hash_len != 0 && (out != NULL || out_len == 0) && out_len <= 255 * hash_len;
}

int petrel_hkdf_expand(enum petrel_hash_alg alg, const uint8_t *prk, size_t prk_len,
		       const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	struct petrel_hmac_ctx mac;

	if (!expand_args_ok(alg, out, out_len) || petrel_hmac_init(&mac, alg, prk, prk_len) != 0)
		return PETREL_E_INVALID_REQUEST;
	int rc = expand_with(&mac, info, info_len, out, out_len);
	petrel_wipe(&mac, sizeof mac);
	return rc;
}

/* The key's context in and out by memcpy (the opaque bytes are never
 * read through another type), only the part its hash uses. */
static size_t key_load(const struct petrel_hkdf_key *key, struct petrel_hmac_ctx *mac)
{
	enum petrel_hash_alg alg;
	memcpy(&alg, key->opaque + offsetof(struct petrel_hmac_ctx, alg), sizeof alg);
	size_t used = petrel_hmac_ctx_used(alg);
	memcpy(mac, key->opaque, used);
	return used;
}

int petrel_hkdf_key_init(struct petrel_hkdf_key *key, enum petrel_hash_alg alg, const uint8_t *prk,
			 size_t prk_len)
{
	struct petrel_hmac_ctx mac;

	if (key == NULL || petrel_hash_len(alg) == 0 || (prk == NULL && prk_len > 0) ||
	    petrel_hmac_init(&mac, alg, prk, prk_len) != 0)
		return PETREL_E_INVALID_REQUEST;
	size_t used = petrel_hmac_ctx_used(alg);
	memcpy(key->opaque, &mac, used);
	petrel_wipe(&mac, used);
	return 0;
}

void petrel_hkdf_key_wipe(struct petrel_hkdf_key *key)
{
	if (key != NULL)
		petrel_wipe(key->opaque, sizeof(struct petrel_hmac_ctx));
}

int petrel_hkdf_expand_keyed(const struct petrel_hkdf_key *key, const uint8_t *info,
			     size_t info_len, uint8_t *out, size_t out_len)
{
	struct petrel_hmac_ctx mac;

	if (key == NULL)
		return PETREL_E_INVALID_REQUEST;
	size_t used = key_load(key, &mac);
	int rc = expand_args_ok(mac.alg, out, out_len)
			 ? expand_with(&mac, info, info_len, out, out_len)
			 : PETREL_E_INVALID_REQUEST;
	petrel_wipe(&mac, used);
	return rc;
}

/* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; }
 * HkdfLabel (RFC 8446 7.1): at most 2 + 1 + 255 + 1 + 255 bytes, and
 * room for Expand's counter byte after it. It holds labels, transcript
 * hashes, ticket nonces: nothing secret, so it is not wiped. */
#define HKDF_LABEL_MAX (2 + 1 + 255 + 1 + 255)

static int hkdf_label(const char *prefix, const char *label, const uint8_t *context,
		      size_t context_len, size_t out_len, uint8_t info[HKDF_LABEL_MAX],
		      size_t *info_len)
{
	struct petrel_writer w;
	struct petrel_len_scope scope;
	size_t prefix_len = prefix != NULL ? strlen(prefix) : 0;
	size_t label_len = label != NULL ? strlen(label) : 0;

	if (out_len > UINT16_MAX || prefix_len + label_len > 255 || context_len > 255 ||
	    (context == NULL && context_len > 0))
		return PETREL_E_INVALID_REQUEST;

	petrel_writer_init(&w, info, HKDF_LABEL_MAX);
	petrel_put_u16(&w, (uint16_t)out_len);
	petrel_put_len_open(&w, 1, &scope);
	petrel_put_bytes(&w, (const uint8_t *)prefix, prefix_len);
	petrel_put_bytes(&w, (const uint8_t *)label, label_len);
	petrel_put_len_close(&w, &scope);
	petrel_put_opaque8(&w, context, context_len);
	if (!petrel_writer_ok(&w))
		return PETREL_E_INTERNAL;
	*info_len = petrel_writer_len(&w);
	return 0;
}

/* Expand-Label on a keyed context. Every TLS 1.3 label asks for at most
 * HashLen bytes: T(1) = HMAC(PRK, HkdfLabel || 0x01), truncated, in one
 * HMAC update; longer outputs take the general loop. */
static int expand_label_with(struct petrel_hmac_ctx *mac, const char *prefix, const char *label,
			     const uint8_t *context, size_t context_len, uint8_t *out,
			     size_t out_len)
{
	uint8_t info[HKDF_LABEL_MAX + 1];
	size_t info_len = 0;
	int rc = hkdf_label(prefix, label, context, context_len, out_len, info, &info_len);

	if (rc < 0)
		return rc;
	if (!expand_args_ok(mac->alg, out, out_len))
		return PETREL_E_INVALID_REQUEST;
	if (out_len > petrel_hash_len(mac->alg))
		return expand_with(mac, info, info_len, out, out_len);
	info[info_len] = 1;
	petrel_hmac_update(mac, info, info_len + 1);
	petrel_hmac_final_truncated(mac, out, out_len);
	return 0;
}

int petrel_hkdf_expand_label(enum petrel_hash_alg alg, const uint8_t *secret, size_t secret_len,
			     const char *prefix, const char *label, const uint8_t *context,
			     size_t context_len, uint8_t *out, size_t out_len)
{
	struct petrel_hmac_ctx mac;

	if (petrel_hmac_init(&mac, alg, secret, secret_len) != 0)
		return PETREL_E_INVALID_REQUEST;
	int rc = expand_label_with(&mac, prefix, label, context, context_len, out, out_len);
	petrel_wipe(&mac, petrel_hmac_ctx_used(alg));
	return rc;
}

int petrel_hkdf_expand_label_keyed(const struct petrel_hkdf_key *key, const char *prefix,
				   const char *label, const uint8_t *context, size_t context_len,
				   uint8_t *out, size_t out_len)
{
	struct petrel_hmac_ctx mac;

	if (key == NULL)
		return PETREL_E_INVALID_REQUEST;
	size_t used = key_load(key, &mac);
	int rc = expand_label_with(&mac, prefix, label, context, context_len, out, out_len);
	petrel_wipe(&mac, used);
	return rc;
}
