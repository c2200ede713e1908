/* libFuzzer target: the DTLS 1.3 server at the message level
 * (dtls13/server13.c, RFC 8446 4, RFC 9147 5) fed an arbitrary
 * ClientHello, the stateless path a server takes before any cookie: the
 * HelloRetryRequest with a cookie, a full first flight, or the hand-over
 * to DTLS 1.2; then, when the input holds one, a second message of any
 * type in whatever state that left.
 *
 * Input: byte 0 the configuration (bit 0 force a cookie HRR, bit 1 an
 * external PSK lookup, bit 2 psk_ke allowed, bits 3-4 client certificates
 * requested / required, bit 5 Ed25519 instead of ECDSA P-256, bit 6 send
 * tickets, bit 7 one suite and one group only), then [u16 length]
 * ClientHello body, then [type] body of the second message. The server
 * must end each step with progress (outputs within their bounds, in
 * epochs 0, 2 or 3) or an error with an alert, never crash or leak.
 * Seeds: fuzz/corpus/server13/ (fuzz/make-seeds13.py: the ClientHellos of
 * the recorded wolfSSL sessions). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/server13.h"
#include "petrel/petrel.h"
#include "x509/x509.h"
#include "fuzz/fuzz_ident.h"
#include "fuzz/hs13_check.h"


static const uint8_t cookie_secret[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const struct petrel_ticket_keys ticket_keys = {.prk = {9, 8, 7, 6, 5, 4, 3, 2, 1}};
static const uint8_t peer_addr[6] = {192, 0, 2, 1, 0x12, 0x34};
static int lookup(void *ctx, const uint8_t *identity, size_t identity_len, uint8_t *psk,
		  size_t *psk_len, enum petrel_hash_alg *hash)
{
	(void)ctx;
	CHECK(identity != NULL || identity_len == 0);
	if (identity_len != sizeof psk_identity - 1 ||
	    memcmp(identity, psk_identity, identity_len) != 0)
		return PETREL_E_UNKNOWN_PSK_IDENTITY;
	memcpy(psk, psk_key, sizeof psk_key);
	*psk_len = sizeof psk_key;
	*hash = PETREL_HASH_SHA256;
	return 0;
}

/* The shared checks, and a stateless HelloRetryRequest is one message
 * and no keys (RFC 9147 5.1: no state before the cookie). */
static void check_output(int rc, const struct petrel_hs13_output *out, const uint8_t *in,
			 size_t in_len)
{
	hs13_check_output(rc, out, in, in_len);
	if (rc >= 0 && out->event == PETREL_HS13_EV_STATELESS_HRR)
		CHECK(out->msg_count == 1 && out->key_count == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t one_suite[] = {0x1303}; /* TLS_CHACHA20_POLY1305_SHA256 */
	static const uint16_t one_group[] = {0x0017}; /* secp256r1 */
	if (size < 3 || size > 70000)
		return 0;
	uint8_t config = data[0];
	size_t ch_len = (size_t)data[1] << 8 | data[2];
	if (ch_len > size - 3)
		ch_len = size - 3;
	const struct ident *id = fuzz_ident(config & 0x20, "fuzz13.petrel.test");

	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.key = id->key;
	cfg.chain = id->chain;
	cfg.chain_lens = id->chain_len;
	cfg.chain_count = 1;
	cfg.verifier.mode = PETREL_HS13_VERIFY_NONE;
	cfg.verifier.now_s = NOW_S;
	cfg.cookie_secret = cookie_secret;
	cfg.ticket_keys = &ticket_keys;
	cfg.peer_addr = peer_addr;
	cfg.peer_addr_len = sizeof peer_addr;
	cfg.offer_dtls12 = true;
	cfg.force_hrr = config & 0x01;
	if (config & 0x02) {
		cfg.psk_lookup = lookup;
		cfg.psk_only = config & 0x04;
	}
	cfg.request_client_cert = config & 0x08;
	cfg.require_client_cert = config & 0x10;
	cfg.send_ticket = config & 0x40;
	cfg.ticket_lifetime_s = 3600;
	if (config & 0x80) {
		cfg.suites = one_suite;
		cfg.suite_count = 1;
		cfg.groups = one_group;
		cfg.group_count = 1;
	}

	/* Exact-size copies: ASan sees any read past a message. */
	uint8_t *ch = malloc(ch_len ? ch_len : 1);
	CHECK(ch != NULL);
	memcpy(ch, data + 3, ch_len);
	struct petrel_dtls13_server s;
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	int rc = petrel_dtls13_server_init(&s, &cfg);
	CHECK(rc == 0);
	rc = petrel_dtls13_server_handle(&s, PETREL_HT13_CLIENT_HELLO, ch, ch_len, 1000, &out);
	check_output(rc, &out, ch, ch_len);
	bool go_on = rc == 0 && out.event != PETREL_HS13_EV_FALLBACK_12 &&
		     out.event != PETREL_HS13_EV_STATELESS_HRR;
	petrel_hs13_output_reset(&out);

	size_t rest = size - 3 - ch_len;
	if (go_on && rest >= 1) {
		uint8_t type = data[3 + ch_len];
		size_t len = rest - 1;
		uint8_t *msg = malloc(len ? len : 1);
		CHECK(msg != NULL);
		memcpy(msg, data + 4 + ch_len, len);
		rc = petrel_dtls13_server_handle(&s, type, msg, len, 2000, &out);
		check_output(rc, &out, msg, len);
		petrel_hs13_output_reset(&out);
		free(msg);
	}
	petrel_dtls13_server_free(&s);
	free(ch);
	return 0;
}
