/* Stateless HelloRetryRequest cookies for DTLS 1.3 (RFC 8446 4.2.2,
 * RFC 9147 5.1): everything the server needs to go on from the second
 * ClientHello, so it keeps no state after the HelloRetryRequest:
 * version(1)=2 || issued_ms(4) || suite(2) || group(2, 0 = none) ||
 * hash_len(1) || Hash(ClientHello1) || BLAKE2b-128 keyed with the cookie
 * secret (RFC 7693) over peer address || all before. Only the server
 * reads it, so the MAC is its choice: keyed BLAKE2b costs two
 * compressions, HMAC-SHA256 (version 1) five SHA-256 blocks. The secret
 * and its predecessor are the credentials' HelloVerifyRequest cookie
 * secrets (dtls/cookie.c), rotated by the endpoint; a cookie lives a
 * minute, like the 1.2 one. */
#ifndef PETREL_DTLS13_COOKIE13_H
#define PETREL_DTLS13_COOKIE13_H

#include "dtls13/hs13.h"

#define PETREL_HS13_COOKIE_LEN(hash_len) (1 + 4 + 2 + 2 + 1 + (hash_len) + 16)
#define PETREL_HS13_COOKIE_MAX_AGE_MS 60000u

struct petrel_hs13_cookie {
	uint16_t suite, group;
	const uint8_t *ch1_hash; /* into the cookie */
	size_t hash_len;
	uint32_t age_ms; /* now_ms less the time it was made (a round trip, RFC 9147 5.8.2) */
};

/* Writes PETREL_HS13_COOKIE_LEN(hash_len) bytes (cfg->cookie_secret,
 * cfg->peer_addr) and returns that length. */
size_t petrel_hs13_cookie_make(const struct petrel_hs13_config *cfg, uint32_t now_ms,
			       uint16_t suite, uint16_t group, const uint8_t *ch1_hash,
			       size_t hash_len, uint8_t *out);
/* 0 and *cd, or PETREL_E_BAD_COOKIE (malformed, wrong MAC under both
 * secrets or another address, older than a minute). */
int petrel_hs13_cookie_check(const struct petrel_hs13_config *cfg, const uint8_t *cookie,
			     size_t len, uint32_t now_ms, struct petrel_hs13_cookie *cd);

#endif
