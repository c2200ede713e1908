/* TLS 1.3 cipher suites (RFC 8446 B.4) by IANA name, for cipher lists
 * that mix them with DTLS 1.2 suites (petrel_session_set_ciphers,
 * petrel_endpoint_set_hello_ciphers). */
#ifndef PETREL_DTLS_SUITES13_H
#define PETREL_DTLS_SUITES13_H

#include <stddef.h>
#include <stdint.h>

/* The code of a TLS 1.3 suite name (case-sensitive), 0 if not one. */
uint16_t petrel_suite13_by_name(const char *name);
/* Entry `index` of the 1.3 suites in default preference order: its name
 * and code in *id (may be NULL); NULL past the end. */
const char *petrel_suite13_info(size_t index, uint16_t *id);
/* Splits a comma/colon/space separated list of IANA names into its 1.2
 * suites (ids12, PETREL_MAX_CIPHERS room) and 1.3 suites (ids13, the
 * same), each in list order. 0, or PETREL_E_UNSUPPORTED (unknown name),
 * PETREL_E_INVALID_REQUEST (NULL, no names, 1024 bytes or more),
 * PETREL_E_LIMIT_EXCEEDED. */
int petrel_cipher_list_parse(const char *list, uint16_t *ids12, uint8_t *n12, uint16_t *ids13,
			     uint8_t *n13);

#endif
