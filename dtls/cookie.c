/* Stateless HelloVerifyRequest cookies (RFC 6347 4.2.1).
 * cookie = issue_time_ms (4) || hvr_seq (2) || HMAC-SHA256(secret, time ||
 * hvr_seq || peer address || ClientHello client_version, random,
 * cipher_suites)[0..15].
 * Bound to what a peer has no reason to change between its two
 * ClientHellos, and not to the session ID: mbedTLS 2.28 puts a fresh
 * random session ID in the ClientHello that answers the
 * HelloVerifyRequest when it presents a ticket (RFC 5077 3.4), and a MAC
 * over it would send it HelloVerifyRequests forever (issue #17 item 3).
 * Time and the HelloVerifyRequest's record sequence number let the server
 * take an RTT sample from the cookie round trip without per-client state
 * (issue #11): the sample counts only when the ClientHello that carries
 * the cookie is the client's very next record, i.e. its first answer to
 * that HelloVerifyRequest (Karn's rule, RFC 6298 3). */
#include <string.h>

#include "dtls/session.h"

#define COOKIE_MAX_AGE_MS 60000u

static void cookie_mac(const uint8_t secret[32], const uint8_t *peer, size_t peer_len,
		       const struct petrel_client_hello *ch, uint32_t issued_ms, uint16_t hvr_seq,
		       uint8_t out[16])
{
	uint8_t buf[4 + 2 + 1 + 32 + 2 + PETREL_RANDOM_LEN + 2 + 512];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	petrel_put_u32(&w, issued_ms);
	petrel_put_u16(&w, hvr_seq);
	petrel_put_opaque8(&w, peer, peer_len > 32 ? 32 : peer_len);
	petrel_put_u16(&w, ch->client_version);
	petrel_put_bytes(&w, ch->random, PETREL_RANDOM_LEN);
	size_t suites_len = ch->cipher_suites_len > 512 ? 512 : ch->cipher_suites_len;
	petrel_put_opaque16(&w, ch->cipher_suites, suites_len);
	uint8_t mac[32];
	petrel_hmac(PETREL_HASH_SHA256, secret, 32, buf, petrel_writer_len(&w), mac);
	memcpy(out, mac, 16);
}

size_t petrel_cookie_make(const struct petrel_credentials *creds, const uint8_t *peer, size_t peer_len,
			  const struct petrel_client_hello *ch, uint32_t now_ms, uint16_t hvr_seq,
			  uint8_t out[PETREL_COOKIE_LEN])
{
	petrel_store_u16(out, (uint16_t)(now_ms >> 16));
	petrel_store_u16(out + 2, (uint16_t)now_ms);
	petrel_store_u16(out + 4, hvr_seq);
	cookie_mac(creds->cookie_secret, peer, peer_len, ch, now_ms, hvr_seq, out + 6);
	return PETREL_COOKIE_LEN;
}

int petrel_cookie_check(const struct petrel_credentials *creds, const uint8_t *peer, size_t peer_len,
			const struct petrel_client_hello *ch, uint32_t now_ms, uint32_t *age_ms,
			uint16_t *hvr_seq)
{
	if (ch->cookie_len != PETREL_COOKIE_LEN)
		return PETREL_E_BAD_COOKIE;
	uint32_t issued = (uint32_t)ch->cookie[0] << 24 | (uint32_t)ch->cookie[1] << 16 |
			  (uint32_t)ch->cookie[2] << 8 | ch->cookie[3];
	uint32_t age = now_ms - issued; /* modular: the clock may wrap 32 bits */
	if (age > COOKIE_MAX_AGE_MS)
		return PETREL_E_BAD_COOKIE;
	uint16_t seq = (uint16_t)(ch->cookie[4] << 8 | ch->cookie[5]);
	uint8_t mac[16];
	cookie_mac(creds->cookie_secret, peer, peer_len, ch, issued, seq, mac);
	if (!petrel_ct_equal(mac, ch->cookie + 6, 16)) {
		cookie_mac(creds->cookie_secret_prev, peer, peer_len, ch, issued, seq, mac);
		if (!petrel_ct_equal(mac, ch->cookie + 6, 16))
			return PETREL_E_BAD_COOKIE;
	}
	*age_ms = age;
	*hvr_seq = seq;
	return 0;
}
