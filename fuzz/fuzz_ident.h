/* A self-signed identity for the DTLS 1.3 handshake fuzz targets, made
 * once per process (key generation per input would dominate). */
#ifndef PETREL_FUZZ_IDENT_H
#define PETREL_FUZZ_IDENT_H

#include <stdbool.h>

#include "fuzz/fuzz_check.h"
#include "petrel/petrel.h"
#include "x509/x509.h"

#define NOW_S 1760000000

/* wolfSSL's example PSK (the recorded psk sessions use it). */
static const uint8_t psk_identity[] = "Client_identity";
static const uint8_t psk_key[4] = {0x1a, 0x2b, 0x3c, 0x4d};

struct ident {
	struct petrel_privkey *key;
	uint8_t der[PETREL_X509_SELFSIGN_MAX];
	size_t der_len;
	const uint8_t *chain[1];
	size_t chain_len[1];
};

/* P-256 or Ed25519, named common_name on its first call. */
static struct ident *fuzz_ident(bool ed25519, const char *common_name)
{
	static struct ident ids[2];
	static bool made[2];
	struct ident *id = &ids[ed25519];
	if (!made[ed25519]) {
		CHECK(petrel_privkey_generate(ed25519 ? PETREL_KEY_ED25519 : PETREL_KEY_EC_P256,
					      &id->key) == 0);
		struct petrel_x509_selfsign_params p = {
			.common_name = common_name,
			.not_before = NOW_S - 86400,
			.not_after = NOW_S + 30 * 86400,
		};
		CHECK(petrel_x509_selfsign(id->key, &p, id->der, sizeof id->der, &id->der_len) == 0);
		id->chain[0] = id->der;
		id->chain_len[0] = id->der_len;
		made[ed25519] = true;
	}
	return id;
}

#endif
