/* libFuzzer target: the DTLS 1.3 client at the message level
 * (dtls13/client13.c, RFC 8446 4, RFC 9147 5) after its ClientHello, fed
 * a hostile server's messages one after the other: ServerHello or
 * HelloRetryRequest (then ServerHello), EncryptedExtensions,
 * CertificateRequest, Certificate, CertificateVerify, Finished, and
 * NewSessionTicket / KeyUpdate or anything else in whatever state that
 * left. A ServerHello with any valid key share takes the client to the
 * encrypted messages (the record layer is not involved here), so every
 * parser and check up to the signature is reached.
 *
 * Input: byte 0 the configuration (bit 0 offer an external PSK, bit 1
 * psk_ke only, bit 2 offer DTLS 1.2 too, bit 3 a client certificate, bit
 * 4 two key shares, bit 5 Ed25519 instead of ECDSA P-256, bit 6 one suite
 * and one group only), then messages as [type u8][length u16][body]. The
 * client must end each step with progress (outputs within their bounds,
 * in epochs 0, 2 or 3) or an error with an alert, never crash or leak;
 * after an error nothing more is fed (the engine drops the session).
 * Seeds: fuzz/corpus/client13/ (fuzz/make-seeds13.py). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/client13.h"
#include "petrel/petrel.h"
#include "x509/x509.h"
#include "fuzz/fuzz_ident.h"
#include "fuzz/hs13_check.h"

#define MAX_MESSAGES 12


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t one_suite[] = {0x1301}; /* TLS_AES_128_GCM_SHA256 */
	static const uint16_t one_group[] = {0x001d}; /* x25519 */
	if (size < 1 || size > 70000)
		return 0;
	uint8_t config = data[0];
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.verifier.mode = PETREL_HS13_VERIFY_NONE;
	cfg.verifier.now_s = NOW_S;
	if (config & 0x01) {
		cfg.psk = psk_key;
		cfg.psk_len = sizeof psk_key;
		cfg.psk_hash = PETREL_HASH_SHA256;
		cfg.psk_identity = psk_identity;
		cfg.psk_identity_len = sizeof psk_identity - 1;
		cfg.psk_only = config & 0x02;
	}
	cfg.offer_dtls12 = config & 0x04;
	if (config & 0x08) {
		const struct ident *id = fuzz_ident(config & 0x20, "client13.fuzz.petrel.test");
		cfg.key = id->key;
		cfg.chain = id->chain;
		cfg.chain_lens = id->chain_len;
		cfg.chain_count = 1;
	}
	cfg.key_share_count = config & 0x10 ? 2 : 1;
	if (config & 0x40) {
		cfg.suites = one_suite;
		cfg.suite_count = 1;
		cfg.groups = one_group;
		cfg.group_count = 1;
	}

	struct petrel_dtls13_client *c = malloc(sizeof *c);
	CHECK(c != NULL);
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	CHECK(petrel_dtls13_client_init(c, &cfg) == 0);
	int rc = petrel_dtls13_client_start(c, &out);
	/* Two key shares with one group is a configuration the engine never
	 * makes: refused with an error code, which is all that is asked. */
	CHECK(rc < 0 || out.msg_count == 1);
	petrel_hs13_output_reset(&out);
	if (rc < 0) {
		petrel_dtls13_client_free(c);
		free(c);
		return 0;
	}

	size_t pos = 1;
	for (int i = 0; i < MAX_MESSAGES && size - pos >= 3; i++) {
		uint8_t type = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		/* Exact-size copies: ASan sees any read past a message. */
		uint8_t *msg = malloc(len ? len : 1);
		CHECK(msg != NULL);
		memcpy(msg, data + pos, len);
		pos += len;
		rc = petrel_dtls13_client_handle(c, type, msg, len, 1000 + (uint64_t)i, &out);
		hs13_check_output(rc, &out, msg, len);
		bool stop = rc < 0 || out.event == PETREL_HS13_EV_FALLBACK_12;
		petrel_hs13_output_reset(&out);
		free(msg);
		if (stop)
			break;
	}
	petrel_dtls13_client_free(c);
	free(c);
	return 0;
}
