/* Certificate fingerprints as in SDP a=fingerprint (RFC 8122 5), pinning
 * by certificate or SPKI hash, and raw public key identities (RFC 7250). */
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "x509/x509.h"

static const char sdp_prefix[] = "sha-256 ";
#define SDP_PREFIX_LEN (sizeof(sdp_prefix) - 1)

int petrel_x509_fingerprint_sdp(const uint8_t *der, size_t len,
				char out[PETREL_X509_FINGERPRINT_SDP_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t digest[32];
	petrel_hash(PETREL_HASH_SHA256, der, len, digest);
	/* RFC 8122 5: hash-func token, then UPPERCASE hex pairs joined by ':'. */
	memcpy(out, sdp_prefix, SDP_PREFIX_LEN);
	char *p = out + SDP_PREFIX_LEN;
	for (size_t i = 0; i < sizeof(digest); i++) {
		*p++ = hex[digest[i] >> 4];
		*p++ = hex[digest[i] & 15];
		*p++ = i + 1 < sizeof(digest) ? ':' : '\0';
	}
	return 0;
}

int petrel_x509_fingerprint_parse(const char *text, uint8_t out[32])
{
	/* RFC 8122 5: the hash-func token is case-insensitive. */
	if (strncasecmp(text, sdp_prefix, SDP_PREFIX_LEN) != 0)
		return PETREL_E_DECODE_ERROR;
	size_t n = 0;
	if (petrel_hex_decode(text + SDP_PREFIX_LEN, out, 32, &n) < 0 || n != 32)
		return PETREL_E_DECODE_ERROR;
	return 0;
}

static int check_pin(const uint8_t *data, size_t len, const uint8_t pin[32])
{
	uint8_t digest[32];
	petrel_hash(PETREL_HASH_SHA256, data, len, digest);
	return petrel_ct_equal(digest, pin, sizeof(digest)) ? 0 : PETREL_E_CERT_PIN_MISMATCH;
}

int petrel_x509_check_pin_cert(const uint8_t *der, size_t len, const uint8_t pin[32])
{
	return check_pin(der, len, pin);
}

int petrel_x509_check_pin_spki(const struct petrel_x509_cert *cert, const uint8_t pin[32])
{
	return check_pin(cert->spki, cert->spki_len, pin);
}

int petrel_rpk_parse(const uint8_t *spki, size_t len, struct petrel_rpk *out)
{
	memset(out, 0, sizeof(*out));
	int rc = petrel_x509_spki_parse(spki, len, &out->pubkey);
	if (rc < 0)
		return rc;
	out->spki = spki;
	out->spki_len = len;
	return 0;
}

bool petrel_rpk_equal(const struct petrel_rpk *a, const struct petrel_rpk *b)
{
	return a->spki_len == b->spki_len && memcmp(a->spki, b->spki, a->spki_len) == 0;
}

void petrel_rpk_fingerprint(const struct petrel_rpk *rpk, uint8_t out[32])
{
	petrel_hash(PETREL_HASH_SHA256, rpk->spki, rpk->spki_len, out);
}

int petrel_rpk_check_pin(const struct petrel_rpk *rpk, const uint8_t pin[32])
{
	return check_pin(rpk->spki, rpk->spki_len, pin);
}
