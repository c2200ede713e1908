/* Stateless HelloRetryRequest cookies for DTLS 1.3 (see cookie13.h). */
#include <string.h>

#include "dtls13/cookie13.h"
#include "petrel/petrel.h"

/* Keyed BLAKE2b (crypto.h petrel_keyed_hash) over the address and the
 * cookie before its tag: two compressions, no key schedule per call. */
static void cookie_mac(const uint8_t *secret, const struct petrel_hs13_config *cfg,
		       const uint8_t *data, size_t len, uint8_t out[16])
{
	uint8_t buf[1 + 64 + PETREL_HS13_COOKIE_LEN(PETREL_MAX_HASH_LEN)];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	size_t addr_len = cfg->peer_addr_len > 64 ? 64 : cfg->peer_addr_len;
	petrel_put_opaque8(&w, cfg->peer_addr, cfg->peer_addr ? addr_len : 0);
	petrel_put_bytes(&w, data, len);
	petrel_keyed_hash(secret, buf, petrel_writer_len(&w), out, 16);
}

size_t petrel_hs13_cookie_make(const struct petrel_hs13_config *cfg, uint32_t now_ms,
			       uint16_t suite, uint16_t group, const uint8_t *ch1_hash, size_t hl,
			       uint8_t *out)
{
	struct petrel_writer w;
	petrel_writer_init(&w, out, PETREL_HS13_COOKIE_LEN(hl));
	petrel_put_u8(&w, 2);
	petrel_put_u32(&w, now_ms);
	petrel_put_u16(&w, suite);
	petrel_put_u16(&w, group);
	petrel_put_u8(&w, (uint8_t)hl);
	petrel_put_bytes(&w, ch1_hash, hl);
	uint8_t *mac = NULL;
	if (!petrel_put_reserve(&w, 16, &mac))
		return 0; /* cannot happen: out is sized for it */
	cookie_mac(cfg->cookie_secret, cfg, out, PETREL_HS13_COOKIE_LEN(hl) - 16, mac);
	return petrel_writer_len(&w);
}

int petrel_hs13_cookie_check(const struct petrel_hs13_config *cfg, const uint8_t *cookie,
			     size_t len, uint32_t now_ms, struct petrel_hs13_cookie *cd)
{
	struct petrel_reader r;
	uint8_t version, hl;
	uint32_t issued;
	const uint8_t *mac;
	petrel_reader_init(&r, cookie, len);
	if (!petrel_get_u8(&r, &version) || version != 2 || !petrel_get_u32(&r, &issued) ||
	    !petrel_get_u16(&r, &cd->suite) || !petrel_get_u16(&r, &cd->group) ||
	    !petrel_get_u8(&r, &hl) || (hl != 32 && hl != 48) ||
	    !petrel_get_bytes(&r, hl, &cd->ch1_hash) || !petrel_get_bytes(&r, 16, &mac) ||
	    !petrel_reader_done(&r) || cfg->cookie_secret == NULL)
		return PETREL_E_BAD_COOKIE;
	cd->hash_len = hl;
	uint8_t expect[16];
	cookie_mac(cfg->cookie_secret, cfg, cookie, len - 16, expect);
	bool ok = petrel_ct_equal(expect, mac, 16);
	if (!ok && cfg->cookie_secret_prev != NULL) { /* rotated since (dtls/cookie.c) */
		cookie_mac(cfg->cookie_secret_prev, cfg, cookie, len - 16, expect);
		ok = petrel_ct_equal(expect, mac, 16);
	}
	if (!ok || now_ms - issued > PETREL_HS13_COOKIE_MAX_AGE_MS) /* modular age */
		return PETREL_E_BAD_COOKIE;
	cd->age_ms = now_ms - issued;
	return 0;
}
