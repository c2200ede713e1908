/* Raw public keys (RFC 7250) in the DTLS 1.3 handshake cores:
 * client_certificate_type (19) and server_certificate_type (20) go in
 * the ClientHello and come back in EncryptedExtensions (RFC 8446 4.2
 * table), chosen by the DTLS 1.2 rules (dtls/rpk.h policy); a raw key
 * travels as the one CertificateEntry of a Certificate, its cert_data
 * the SubjectPublicKeyInfo, extensions empty (RFC 8446 4.4.2, RFC 7250
 * 3), signed for by CertificateVerify as usual; the peer's is checked
 * against the session's pin as on 1.2 (petrel_rpk_verify). The state
 * lives in the cores' copy of the configuration (cfg->rpk); the session
 * settings come in and the outcome goes out through rpk13_session.h. */
#ifndef PETREL_DTLS13_RPK13_H
#define PETREL_DTLS13_RPK13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "dtls/rpk_policy.h"

struct petrel_hs13_config;
struct petrel_hs13_out_msg;
struct petrel_hs13_peer_chain;
struct petrel_hs13_verifier;

struct petrel_rpk13 {
	struct petrel_rpk_policy policy; /* the session's (petrel_rpk_policy_of) */
	int verify_mode;                 /* the session's PETREL_VERIFY_* */
	/* Outcome: the types in use (PETREL_CERT_TYPE_*, X.509 unless
	 * negotiated), and the server's answers to put in EncryptedExtensions. */
	uint8_t server_type, client_type;
	bool answer_server, answer_client;
	/* Our key presented raw: a one-entry chain (cfg->chain points here
	 * then, inside the core's own configuration). */
	const uint8_t *raw_chain[1];
	size_t raw_chain_len[1];
	const uint8_t *spki; /* our SubjectPublicKeyInfo (credentials), NULL: none */
	size_t spki_len;
};

/* Client: the two extensions of our ClientHello, the lists the 1.2
 * client would send (so a 1.2 server's answer after a fallback matches
 * what the 1.2 client expects); nothing without a raw key to take or
 * give. 0 or PETREL_E_SHORT_BUFFER. */
int petrel_rpk13_client_hello_ext(const struct petrel_rpk13 *r, struct petrel_writer *w);

/* Server, full (certificate) handshake: the types for the ClientHello
 * extension block; a raw server key then becomes cfg's chain.
 * PETREL_E_CERT_UNSUPPORTED_ALGORITHM when the client offers none we
 * take (RFC 7250 4.2), PETREL_E_DECODE_ERROR for a malformed list. */
int petrel_rpk13_server_choose(struct petrel_hs13_config *cfg, const uint8_t *exts,
			       size_t exts_len);

/* Server: our answers appended to the EncryptedExtensions message ee
 * (its body rebuilt); nothing when there are none. */
int petrel_rpk13_server_answer(const struct petrel_rpk13 *r, struct petrel_hs13_out_msg *ee);

/* Client: the server's EncryptedExtensions block against our offer;
 * server_certifies: not a PSK handshake. A raw client key then becomes
 * cfg's chain. */
int petrel_rpk13_client_check(struct petrel_hs13_config *cfg, const uint8_t *block, size_t len,
			      bool server_certifies);

/* The peer's Certificate, raw when its type says so (else the X.509 path,
 * petrel_hs13_take_certificate): exactly one entry, no extensions, an
 * SPKI we can use, checked against the pin; pc->key set. */
int petrel_rpk13_take_certificate(const struct petrel_rpk13 *r, bool peer_is_server,
				  struct petrel_hs13_peer_chain *pc, const uint8_t *body,
				  size_t len, const uint8_t *context, size_t context_len,
				  const struct petrel_hs13_verifier *v);

/* The alert for this file's errors (unsupported_certificate,
 * unsupported_extension), 0 for the others (the core's default). */
uint8_t petrel_rpk13_alert(int rc);

#endif
