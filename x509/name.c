/* Leaf identity check against subjectAltName (RFC 6125 6.4, RFC 5280
 * 4.2.1.6). The subject CN is deliberately not consulted (RFC 6125 6.4.4
 * allows it only without SAN; CAs have put names in SAN for years). */
#include <arpa/inet.h>
#include <string.h>

#include "common/name_fold.h"
#include "petrel/petrel.h"
#include "x509/x509.h"
#include "x509/x509_internal.h"

#define HOST_MAX 253

static bool eq_nocase(const uint8_t *a, const char *b, size_t len)
{
	return petrel_ascii_eq_nocase(a, (const uint8_t *)b, len); /* RFC 4343 3 */
}

/* A presented dNSName against the reference host (already without a
 * trailing dot). A wildcard is only the whole left-most label ("*.x.y"),
 * matches exactly one non-empty label, and needs two labels after it so
 * "*.com" style patterns never match (RFC 6125 6.4.3, CA/B BR 3.2.2.6). */
static bool dns_match(const uint8_t *pat, size_t pat_len, const char *host, size_t host_len)
{
	if (pat_len > 0 && pat[pat_len - 1] == '.')
		pat_len--;
	/* RFC 5280 4.2.1.6: a dNSName outside the preferred name syntax
	 * (underscores, non-ASCII, empty labels) never matches. */
	if (!petrel_x509_dns_syntax_ok(pat, pat_len, true))
		return false;
	if (pat_len >= 2 && pat[0] == '*' && pat[1] == '.') {
		const uint8_t *suffix = pat + 1; /* ".x.y" */
		size_t suffix_len = pat_len - 1;
		if (memchr(suffix + 1, '.', suffix_len - 1) == NULL)
			return false;
		if (memchr(suffix, '*', suffix_len) != NULL)
			return false;
		const char *dot = memchr(host, '.', host_len);
		if (dot == NULL || dot == host)
			return false;
		size_t rest = host_len - (size_t)(dot - host);
		return rest == suffix_len && eq_nocase(suffix, dot, rest);
	}
	if (memchr(pat, '*', pat_len) != NULL)
		return false; /* no partial-label or inner wildcards */
	return pat_len == host_len && eq_nocase(pat, host, host_len);
}

int petrel_x509_check_name(const struct petrel_x509_cert *cert, const char *host)
{
	size_t host_len = strnlen(host, HOST_MAX + 2);
	if (host_len == 0 || host_len > HOST_MAX + 1)
		return PETREL_E_CERT_NAME_MISMATCH;
	uint8_t ip[16];
	size_t ip_len = 0;
	char tmp[HOST_MAX + 2];
	memcpy(tmp, host, host_len);
	tmp[host_len] = '\0';
	if (inet_pton(AF_INET, tmp, ip) == 1)
		ip_len = 4;
	else if (inet_pton(AF_INET6, tmp, ip) == 1)
		ip_len = 16;
	if (ip_len == 0 && tmp[host_len - 1] == '.')
		host_len--; /* absolute name "a.b." equals "a.b" */
	if (host_len == 0)
		return PETREL_E_CERT_NAME_MISMATCH;

	struct petrel_x509_san_iter it;
	uint8_t tag;
	const uint8_t *value;
	size_t len;
	petrel_x509_san_begin(cert, &it);
	while (petrel_x509_san_next(&it, &tag, &value, &len) == 1) {
		if (ip_len != 0) {
			/* RFC 6125 6.2.1: IP literals match only iPAddress. */
			if (tag == PETREL_X509_SAN_IP && len == ip_len && memcmp(value, ip, ip_len) == 0)
				return 0;
		} else if (tag == PETREL_X509_SAN_DNS && dns_match(value, len, tmp, host_len)) {
			return 0;
		}
	}
	return PETREL_E_CERT_NAME_MISMATCH;
}
