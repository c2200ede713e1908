/* DTLS 1.2 cipher suites Petrel implements: AEAD only (DESIGN.md security floor). */
#ifndef PETREL_DTLS_SUITES_H
#define PETREL_DTLS_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

enum petrel_kx {
	PETREL_KX_ECDHE_ECDSA = 1,
	PETREL_KX_ECDHE_RSA,
	PETREL_KX_PSK,
	PETREL_KX_ECDHE_PSK,
};

struct petrel_suite {
	uint16_t id;
	const char *name; /* IANA name */
	enum petrel_kx kx;
	enum petrel_aead_alg aead;
	enum petrel_hash_alg prf_hash;
	uint8_t key_len;
	uint8_t fixed_iv_len; /* 4 for GCM/CCM (RFC 5288/6655), 12 for ChaCha (RFC 7905) */
};

const struct petrel_suite *petrel_suite_by_id(uint16_t id);
const struct petrel_suite *petrel_suite_by_name(const char *name);
/* All suites, in Petrel's default preference order. */
const struct petrel_suite *petrel_suite_list(size_t *count);
bool petrel_suite_uses_certificate(const struct petrel_suite *suite);
bool petrel_suite_uses_psk(const struct petrel_suite *suite);
bool petrel_suite_uses_ecdhe(const struct petrel_suite *suite);

/* Key exchange groups Petrel implements (TLS NamedGroup codes), in
 * default preference order, with their IANA names. */
struct petrel_group_info {
	uint16_t id;
	const char *name;  /* IANA TLS Supported Groups name */
	const char *alias; /* another common spelling (OpenSSL, NIST), or NULL */
};
const struct petrel_group_info *petrel_group_list(size_t *count);
/* The group's code for a name or alias (case-sensitive), 0 if unknown. */
uint16_t petrel_group_by_name(const char *name);
/* The IANA name of a group code, NULL if Petrel does not implement it. */
const char *petrel_group_name(uint16_t id);

#endif
