/* Certificate fingerprints as in SDP a=fingerprint (RFC 8122 5), pinning
 * by certificate or SPKI hash, and raw public key identities (RFC 7250). */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/hex.h"
#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "x509/x509.h"

static const char sdp_prefix[] = "sha-256 ";
#define SDP_PREFIX_LEN (sizeof(sdp_prefix) - 1)
static const char sdp_attribute[] = "a=fingerprint:";
#define SDP_ATTRIBUTE_LEN (sizeof(sdp_attribute) - 1)
_Static_assert(SDP_ATTRIBUTE_LEN == PETREL_SDP_FINGERPRINT_VALUE_OFFSET, "value offset");
_Static_assert(SDP_ATTRIBUTE_LEN + PETREL_X509_FINGERPRINT_SDP_LEN == PETREL_SDP_FINGERPRINT_SIZE,
	       "line size");

/* RFC 8122 5: hash-func token, SP, then UPPERCASE hex pairs joined by ':'. */
static void format_value(const uint8_t digest[32], char out[PETREL_X509_FINGERPRINT_SDP_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	memcpy(out, sdp_prefix, SDP_PREFIX_LEN);
	char *p = out + SDP_PREFIX_LEN;
	for (size_t i = 0; i < 32; i++) {
		*p++ = hex[digest[i] >> 4];
		*p++ = hex[digest[i] & 15];
		*p++ = i + 1 < 32 ? ':' : '\0';
	}
}

int petrel_x509_fingerprint_sdp(const uint8_t *der, size_t len,
				char out[PETREL_X509_FINGERPRINT_SDP_LEN])
{
	uint8_t digest[32];
	petrel_hash(PETREL_HASH_SHA256, der, len, digest);
	format_value(digest, out);
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

static int sdp_line(const uint8_t digest[32], char *out, size_t cap)
{
	if (out == NULL || cap < PETREL_SDP_FINGERPRINT_SIZE)
		return out == NULL ? PETREL_E_INVALID_REQUEST : PETREL_E_SHORT_BUFFER;
	memcpy(out, sdp_attribute, SDP_ATTRIBUTE_LEN);
	format_value(digest, out + SDP_ATTRIBUTE_LEN);
	return 0;
}

int petrel_credentials_get_fingerprint_sdp(const petrel_credentials *creds, char *out, size_t cap)
{
	uint8_t digest[32];
	int rc = petrel_credentials_get_fingerprint(creds, digest);
	return rc < 0 ? rc : sdp_line(digest, out, cap);
}

int petrel_certificate_fingerprint_sdp(const uint8_t *der, size_t der_len, char *out, size_t cap)
{
	if (der == NULL || der_len == 0)
		return PETREL_E_INVALID_REQUEST;
	uint8_t digest[32];
	petrel_hash(PETREL_HASH_SHA256, der, der_len, digest);
	return sdp_line(digest, out, cap);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 8122 5: fingerprint-attribute = "fingerprint" ":" hash-func SP fingerprint,
 * fingerprint = 2UHEX *(":" 2UHEX). Hex is taken in either case (RFC 4572
 * peers and hand-typed pins send lower case); the attribute name and the
 * hash-func token are case-insensitive. A line may still carry its CRLF. */
int petrel_fingerprint_parse_sdp(const char *text, uint8_t out[32])
{
	if (text == NULL || out == NULL)
		return PETREL_E_INVALID_REQUEST;
	const char *p = text;
	while (is_blank(*p))
		p++;
	if (strncasecmp(p, sdp_attribute, SDP_ATTRIBUTE_LEN) == 0)
		p += SDP_ATTRIBUTE_LEN;
	const char *token = p;
	while (*p != '\0' && !is_blank(*p) && *p != '\r' && *p != '\n')
		p++;
	size_t token_len = (size_t)(p - token);
	if (token_len == 0 || !is_blank(*p))
		return PETREL_E_DECODE_ERROR; /* no hash-func, or nothing after it */
	if (token_len != SDP_PREFIX_LEN - 1 || strncasecmp(token, sdp_prefix, token_len) != 0)
		return PETREL_E_UNSUPPORTED; /* sha-1, sha-384, ...: only SHA-256 pins exist */
	while (is_blank(*p))
		p++;
	uint8_t digest[32];
	size_t pairs = 0;
	for (;;) {
		int hi = petrel_hex_digit(p[0]);
		int lo = hi < 0 ? -1 : petrel_hex_digit(p[1]);
		if (lo < 0)
			return PETREL_E_DECODE_ERROR;
		if (pairs < sizeof(digest))
			digest[pairs] = (uint8_t)(hi << 4 | lo);
		pairs++; /* counted past 32 only to report the length, never stored */
		p += 2;
		if (*p != ':')
			break;
		p++;
	}
	while (is_blank(*p) || *p == '\r' || *p == '\n')
		p++;
	if (*p != '\0')
		return PETREL_E_DECODE_ERROR; /* "AB-CD", "ABCD", "AB::CD" and the like */
	if (pairs != sizeof(digest))
		return PETREL_E_ILLEGAL_PARAMETER;
	memcpy(out, digest, sizeof(digest));
	return 0;
}

int petrel_session_set_verify_sdp(petrel_session *session, const char *text)
{
	uint8_t pin[32];
	int rc = petrel_fingerprint_parse_sdp(text, pin);
	return rc < 0 ? rc : petrel_session_set_verify(session, PETREL_VERIFY_PIN, pin, sizeof(pin));
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
