#include "dtls/suites.h"

#include <string.h>

/* Preference order: ECDHE with AES-GCM first (hardware AES), ChaCha next,
 * CCM-8 for constrained peers (RFC 7925), PSK last. */
static const struct petrel_suite suites[] = {
	{0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", PETREL_KX_ECDHE_ECDSA, PETREL_AEAD_AES128_GCM, PETREL_HASH_SHA256, 16, 4},
	{0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", PETREL_KX_ECDHE_ECDSA, PETREL_AEAD_AES256_GCM, PETREL_HASH_SHA384, 32, 4},
	{0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", PETREL_KX_ECDHE_ECDSA, PETREL_AEAD_CHACHA20_POLY1305, PETREL_HASH_SHA256, 32, 12},
	{0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", PETREL_KX_ECDHE_ECDSA, PETREL_AEAD_AES128_CCM8, PETREL_HASH_SHA256, 16, 4},
	{0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", PETREL_KX_ECDHE_ECDSA, PETREL_AEAD_AES128_CCM, PETREL_HASH_SHA256, 16, 4},
	{0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", PETREL_KX_ECDHE_RSA, PETREL_AEAD_AES128_GCM, PETREL_HASH_SHA256, 16, 4},
	{0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", PETREL_KX_ECDHE_RSA, PETREL_AEAD_AES256_GCM, PETREL_HASH_SHA384, 32, 4},
	{0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", PETREL_KX_ECDHE_RSA, PETREL_AEAD_CHACHA20_POLY1305, PETREL_HASH_SHA256, 32, 12},
	{0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", PETREL_KX_ECDHE_PSK, PETREL_AEAD_CHACHA20_POLY1305, PETREL_HASH_SHA256, 32, 12},
	{0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", PETREL_KX_ECDHE_PSK, PETREL_AEAD_AES128_GCM, PETREL_HASH_SHA256, 16, 4},
	{0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", PETREL_KX_PSK, PETREL_AEAD_AES128_GCM, PETREL_HASH_SHA256, 16, 4},
	{0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", PETREL_KX_PSK, PETREL_AEAD_AES256_GCM, PETREL_HASH_SHA384, 32, 4},
	{0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", PETREL_KX_PSK, PETREL_AEAD_CHACHA20_POLY1305, PETREL_HASH_SHA256, 32, 12},
	{0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", PETREL_KX_PSK, PETREL_AEAD_AES128_CCM8, PETREL_HASH_SHA256, 16, 4},
	{0xC0A4, "TLS_PSK_WITH_AES_128_CCM", PETREL_KX_PSK, PETREL_AEAD_AES128_CCM, PETREL_HASH_SHA256, 16, 4},
};

const struct petrel_suite *petrel_suite_list(size_t *count)
{
	*count = sizeof suites / sizeof suites[0];
	return suites;
}

const struct petrel_suite *petrel_suite_by_id(uint16_t id)
{
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

const struct petrel_suite *petrel_suite_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (strcmp(suites[i].name, name) == 0)
			return &suites[i];
	return NULL;
}

bool petrel_suite_uses_certificate(const struct petrel_suite *suite)
{
	return suite->kx == PETREL_KX_ECDHE_ECDSA || suite->kx == PETREL_KX_ECDHE_RSA;
}

bool petrel_suite_uses_psk(const struct petrel_suite *suite)
{
	return suite->kx == PETREL_KX_PSK || suite->kx == PETREL_KX_ECDHE_PSK;
}

bool petrel_suite_uses_ecdhe(const struct petrel_suite *suite)
{
	return suite->kx != PETREL_KX_PSK;
}

/* Default preference: X25519 (fast, constant time by construction), then
 * the NIST curves (RFC 8422 5.1.1). */
static const struct petrel_group_info groups[] = {
	{PETREL_GROUP_X25519, "x25519", "X25519"},
	{PETREL_GROUP_SECP256R1, "secp256r1", "P-256"},
	{PETREL_GROUP_SECP384R1, "secp384r1", "P-384"},
};

const struct petrel_group_info *petrel_group_list(size_t *count)
{
	*count = sizeof groups / sizeof groups[0];
	return groups;
}

uint16_t petrel_group_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (strcmp(groups[i].name, name) == 0 ||
		    (groups[i].alias && strcmp(groups[i].alias, name) == 0))
			return groups[i].id;
	/* OpenSSL's names for the NIST curves. */
	if (strcmp(name, "prime256v1") == 0)
		return PETREL_GROUP_SECP256R1;
	return 0;
}

const char *petrel_group_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		if (groups[i].id == id)
			return groups[i].name;
	return NULL;
}
