/* Host names compared as DNS compares them: ASCII letters without case
 * (RFC 4343 3; RFC 6066 3: a host_name is a DNS hostname in ASCII), every
 * other byte exactly. No locale: tolower() and strcasecmp() follow
 * LC_CTYPE, so a Turkish locale would fold 'I' elsewhere. Used by the
 * resumption binding (dtls13/ticket13.c), the clients' offer checks and
 * the certificate name checks (x509/name.c, x509/constraints.c). */
#ifndef PETREL_COMMON_NAME_FOLD_H
#define PETREL_COMMON_NAME_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 'A'..'Z' to 'a'..'z'; any other byte unchanged. */
static inline uint8_t petrel_ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Whether a[0..len) and b[0..len) are equal up to ASCII case. */
bool petrel_ascii_eq_nocase(const uint8_t *a, const uint8_t *b, size_t len);

/* Whether two host names (NULL / 0: none) are the same name: equal
 * lengths, equal up to ASCII case. A trailing dot is a byte like any
 * other: RFC 6066 3 sends HostName "without a trailing dot", and a name
 * written with one is kept apart (a full handshake, never a session of
 * the other spelling). */
bool petrel_host_name_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

/* name[0..len) in lower case into out (room for len bytes). */
void petrel_host_name_fold(const uint8_t *name, size_t len, uint8_t *out);

#endif
