/* What the DTLS 1.3 handshake cores (client13, server13) share: the
 * output list a handshake step fills, the configuration, the peer
 * certificate check, and small codec helpers. The cores work on whole
 * reassembled handshake messages (type, body); the engine frames them,
 * protects them with the epoch each output names, and installs the keys
 * each output names (RFC 9147 4, 5, 6.1). No I/O, no clock: the caller
 * passes "now" where a time is needed. */
#ifndef PETREL_DTLS13_HS13_H
#define PETREL_DTLS13_HS13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "crypto/crypto.h"
#include "dtls13/keyschedule.h"
#include "dtls13/messages13.h"
#include "dtls13/srtp13.h"
#include "dtls13/transcript13.h"
#include "dtls/ticket.h"
#include "dtls13/cid13_ext.h"
#include "dtls13/rpk13.h"

/* DTLS 1.3 epochs (RFC 9147 6.1): 0 plaintext, 1 early data (unused),
 * 2 handshake, 3 first application epoch, then one more per KeyUpdate. */
#define PETREL_EPOCH13_PLAINTEXT 0u
#define PETREL_EPOCH13_HANDSHAKE 2u
#define PETREL_EPOCH13_APPLICATION 3u

/* TLS alert descriptions the cores send (RFC 8446 6). */
enum petrel_alert13 {
	PETREL_ALERT13_UNEXPECTED_MESSAGE = 10,
	PETREL_ALERT13_HANDSHAKE_FAILURE = 40,
	PETREL_ALERT13_BAD_CERTIFICATE = 42,
	PETREL_ALERT13_CERTIFICATE_EXPIRED = 45,
	PETREL_ALERT13_CERTIFICATE_UNKNOWN = 46,
	PETREL_ALERT13_ILLEGAL_PARAMETER = 47,
	PETREL_ALERT13_UNKNOWN_CA = 48,
	PETREL_ALERT13_DECODE_ERROR = 50,
	PETREL_ALERT13_DECRYPT_ERROR = 51,
	PETREL_ALERT13_PROTOCOL_VERSION = 70,
	PETREL_ALERT13_INTERNAL_ERROR = 80,
	PETREL_ALERT13_MISSING_EXTENSION = 109,
	PETREL_ALERT13_UNKNOWN_PSK_IDENTITY = 115,
	PETREL_ALERT13_CERTIFICATE_REQUIRED = 116,
};

/* Handshake types used here (RFC 8446 4, B.3). */
#define PETREL_HT13_CLIENT_HELLO 1u
#define PETREL_HT13_SERVER_HELLO 2u
#define PETREL_HT13_NEW_SESSION_TICKET 4u
#define PETREL_HT13_ENCRYPTED_EXTENSIONS 8u
#define PETREL_HT13_CERTIFICATE 11u
#define PETREL_HT13_CERTIFICATE_REQUEST 13u
#define PETREL_HT13_CERTIFICATE_VERIFY 15u
#define PETREL_HT13_FINISHED 20u
#define PETREL_HT13_KEY_UPDATE 24u

/* Bounds. */
#define PETREL_HS13_MAX_OUT_MSGS 8
#define PETREL_HS13_MAX_KEY_CHANGES 4
#define PETREL_HS13_MAX_CHAIN 10
#define PETREL_HS13_MAX_CERT_LEN 16384
#define PETREL_HS13_MAX_GROUPS 4
#define PETREL_HS13_MAX_SUITES 5
#define PETREL_HS13_HELLO_MAX 2048
#define PETREL_HS13_MAX_PSK_IDENTITY 512
#define PETREL_HS13_COOKIE_MAX 128

/* One handshake message to send: its body and the epoch to protect it
 * with. The engine adds the DTLS header (message_seq) and fragments. */
struct petrel_hs13_out_msg {
	uint8_t type;
	uint16_t epoch;
	uint8_t *body; /* heap, owned by the output list */
	size_t len;
};

/* A key to install: the traffic secret of one direction for one epoch
 * (derive keys with petrel_dtls13_traffic_keys and the output's suite).
 * The order in the list is the order to install them in: a write key
 * applies to the messages after it in the message list (write_before). */
struct petrel_hs13_key_change {
	bool write; /* false: read direction */
	uint16_t epoch;
	size_t write_before; /* messages [0, write_before) use older epochs */
	uint8_t secret[PETREL_MAX_HASH_LEN];
	size_t secret_len;
};

enum petrel_hs13_event {
	PETREL_HS13_EV_NONE = 0,
	PETREL_HS13_EV_DONE,        /* handshake complete (keys for epoch 3 given) */
	PETREL_HS13_EV_FALLBACK_12, /* client: the server chose DTLS 1.2; hand the
				     * raw ServerHello (fallback_*) to the 1.2 client.
				     * server: the ClientHello has no DTLS 1.3; hand it
				     * to the 1.2 server */
	PETREL_HS13_EV_TICKET,      /* client: a NewSessionTicket was stored */
	PETREL_HS13_EV_STATELESS_HRR, /* server: HelloRetryRequest sent, state may be dropped */
};

struct petrel_hs13_output {
	struct petrel_hs13_out_msg msgs[PETREL_HS13_MAX_OUT_MSGS];
	size_t msg_count;
	struct petrel_hs13_key_change keys[PETREL_HS13_MAX_KEY_CHANGES];
	size_t key_count;
	enum petrel_hs13_event event;
	/* When a step fails: the alert to send (fatal), 0 = none. */
	uint8_t alert;
	const uint8_t *fallback_body; /* points at the input message */
	size_t fallback_len;
};

void petrel_hs13_output_init(struct petrel_hs13_output *out);
/* Frees the bodies and wipes the secrets; out can be used again. */
void petrel_hs13_output_reset(struct petrel_hs13_output *out);

/* ---- peer certificate check ---- */

enum petrel_hs13_verify_mode {
	PETREL_HS13_VERIFY_NONE = 0, /* parse the leaf, trust any */
	PETREL_HS13_VERIFY_PIN_CERT, /* SHA-256 of the leaf DER */
	PETREL_HS13_VERIFY_PIN_SPKI, /* SHA-256 of the leaf SPKI */
	PETREL_HS13_VERIFY_CHAIN,    /* RFC 5280 path to the store */
};
struct petrel_x509_store;
struct petrel_hs13_verifier {
	enum petrel_hs13_verify_mode mode;
	uint8_t pin[32];
	const struct petrel_x509_store *store;
	const char *host; /* name check (server's certificate) or NULL */
	int64_t now_s;    /* wall clock seconds for validity */
};
/* The same x509 calls as the 1.2 peer check (dtls/hs_common.c
 * petrel_verify_peer): leaf parsed, then pin or chain per mode. *leaf_key
 * points into chain[0]. */
int petrel_hs13_verify_chain(const struct petrel_hs13_verifier *v, bool peer_is_server,
			     const uint8_t *const *chain, const size_t *lens, size_t count,
			     struct petrel_pubkey *leaf_key);

/* ---- configuration (shared by both roles; unused fields are ignored) ---- */

/* Server's PSK lookup for external identities: copies the key into psk
 * (cap PETREL_MAX_HASH_LEN) and says its hash; 0 found, <0 unknown. */
typedef int (*petrel_hs13_psk_lookup_fn)(void *ctx, const uint8_t *identity, size_t identity_len,
					 uint8_t *psk, size_t *psk_len, enum petrel_hash_alg *hash);

struct petrel_hs13_config {
	/* Suites and groups in preference order (NULL = defaults: AES-128-GCM,
	 * ChaCha20, AES-256-GCM; X25519, P-256). */
	const uint16_t *suites;
	size_t suite_count;
	const uint16_t *groups;
	size_t group_count;
	/* client: how many of groups get a key_share in ClientHello1 (0 = 1). */
	size_t key_share_count;
	/* Our certificate: key and chain (leaf first); NULL key = none. */
	const struct petrel_privkey *key;
	const uint8_t *const *chain;
	const size_t *chain_lens;
	size_t chain_count;
	/* Peer certificate check. */
	struct petrel_hs13_verifier verifier;
	/* client: also offer DTLS 1.2 (fallback hook). */
	bool offer_dtls12;
	/* client, with offer_dtls12: what a DTLS 1.2 server needs in the same
	 * ClientHello: its suites (after ours), and the 1.2 signature schemes
	 * (RSA PKCS#1 v1.5) added to signature_algorithms. The 1.3 checks
	 * keep using the 1.3 lists. */
	const uint16_t *suites12;
	size_t suite12_count;
	const uint16_t *sig_schemes12;
	size_t sig_scheme12_count;
	/* client: PSK to offer (external, or a ticket's PSK for resumption). */
	const uint8_t *psk;
	size_t psk_len;
	enum petrel_hash_alg psk_hash;
	const uint8_t *psk_identity;
	size_t psk_identity_len;
	bool psk_resumption;           /* "res binder" (ticket) vs "ext binder" */
	uint32_t psk_obfuscated_age;   /* ticket age + age_add; 0 for external */
	bool psk_only;                 /* client offers psk_ke only; server allows psk_ke */
	/* client resuming: its external PSK (SHA-256), offered after the
	 * ticket so a server that cannot open the ticket can still take it
	 * (RFC 8446 4.2.11); NULL: the ticket alone. */
	const uint8_t *ext_psk;
	size_t ext_psk_len;
	const uint8_t *ext_psk_identity;
	size_t ext_psk_identity_len;
	/* server */
	bool require_client_cert;
	bool request_client_cert;
	bool force_hrr;                /* always HelloRetryRequest with a cookie first */
	bool send_ticket;              /* NewSessionTicket after the handshake */
	uint32_t ticket_lifetime_s;
	const uint8_t *cookie_secret;  /* 32 bytes (credentials' cookie_secret) */
	const uint8_t *cookie_secret_prev;
	const struct petrel_ticket_keys *ticket_keys; /* the credentials' (dtls/ticket.h) */
	const uint8_t *peer_addr;      /* cookie address binding */
	size_t peer_addr_len;
	petrel_hs13_psk_lookup_fn psk_lookup;
	void *psk_lookup_ctx;
	/* client, with offer_dtls12: a DTLS 1.2 session to resume if a 1.2
	 * server answers (RFC 5246 7.4.1.2 session ID, RFC 5077 3.4 ticket;
	 * a random session ID goes with a ticket), and whether to send the
	 * SessionTicket extension at all (empty: asking for a ticket). */
	const uint8_t *session_id12;
	size_t session_id12_len;
	const uint8_t *ticket12;
	size_t ticket12_len;
	bool offer_ticket12;
	/* DTLS-SRTP profiles / MKI to offer or accept (the session's block,
	 * dtls13/srtp13.h); NULL: no use_srtp. */
	const struct petrel_srtp_state *srtp;
	/* PSK key exchange modes, PETREL_PSK_MODE_* bits (0: from psk_only;
	 * dtls13/export13_psk.h). */
	uint8_t psk_modes;
	/* both: Connection IDs (RFC 9147 9, dtls13/cid13_ext.h) */
	struct petrel_cid13_config cid;
	/* server_name and ALPN (dtls13/ext13_names.h) */
	const char *server_name; /* client: SNI host_name to send, NULL: none */
	const char *alpn;        /* ALPN names "a,b" in preference order, NULL: none */
	/* both: raw public keys (RFC 7250; dtls13/rpk13.h), settings and outcome */
	struct petrel_rpk13 rpk;
	/* client: the heartbeat extension for a 1.2 server (dtls13/ka13_ext.h) */
	bool offer_heartbeat;
};

/* ---- helpers for both cores ---- */

/* cfg's suites / groups, or the defaults when it lists none. */
const uint16_t *petrel_hs13_suites(const struct petrel_hs13_config *cfg, size_t *count);
const uint16_t *petrel_hs13_groups(const struct petrel_hs13_config *cfg, size_t *count);

/* Appends a message: reserves cap bytes, the caller writes them through
 * *w and commits. */
int petrel_hs13_out_begin(struct petrel_hs13_output *out, size_t cap, struct petrel_writer *w);
int petrel_hs13_out_commit(struct petrel_hs13_output *out, uint8_t type, uint16_t epoch,
			   struct petrel_writer *w);
void petrel_hs13_out_key(struct petrel_hs13_output *out, bool write, uint16_t epoch,
			 const uint8_t *secret, size_t len);
/* Records the alert for an error (when none is set yet) and returns rc. */
int petrel_hs13_fail(struct petrel_hs13_output *out, int rc, uint8_t alert);
/* The alert matching an error code, for errors without an explicit one. */
uint8_t petrel_hs13_alert_for(int rc);

/* u16 list extension bodies (supported_groups, signature_algorithms). */
int petrel_hs13_u16_list_write(struct petrel_writer *w, const uint16_t *v, size_t n);
/* Parses a u16 list<2..2^16-2> body into v (at most cap, extra ignored). */
int petrel_hs13_u16_list_parse(const uint8_t *body, size_t len, uint16_t *v, size_t cap,
			       size_t *n);
bool petrel_hs13_u16_in(const uint16_t *v, size_t n, uint16_t x);

/* Signature schemes valid in TLS 1.3 CertificateVerify (RFC 8446 4.2.3:
 * no PKCS#1 v1.5, ECDSA curve tied to the scheme), our offer order. */
extern const uint16_t petrel_hs13_sig_schemes[];
extern const size_t petrel_hs13_sig_scheme_count;
/* Whether scheme suits a key in TLS 1.3. */
bool petrel_hs13_scheme_fits(uint16_t scheme, enum petrel_key_type key);
/* Our first scheme the peer lists; PETREL_E_HANDSHAKE_FAILURE if none. */
int petrel_hs13_pick_scheme(const struct petrel_privkey *key, const uint16_t *peer, size_t n,
			    uint16_t *scheme);

/* Certificate body (RFC 8446 4.4.2) from a chain. */
int petrel_hs13_write_certificate(struct petrel_hs13_output *out, uint16_t epoch,
				  const uint8_t *context, size_t context_len,
				  const uint8_t *const *chain, const size_t *lens, size_t count);
/* CertificateVerify over the transcript so far. */
int petrel_hs13_write_cert_verify(struct petrel_hs13_output *out, uint16_t epoch, bool server,
				  const struct petrel_privkey *key, uint16_t scheme,
				  const uint8_t *th, size_t th_len);
/* Checks a received CertificateVerify: scheme in offered and fitting the
 * key, signature good (else PETREL_E_SIGNATURE_INVALID, decrypt_error). */
int petrel_hs13_check_cert_verify(const uint8_t *body, size_t len, bool from_server,
				  const struct petrel_pubkey *key, const uint16_t *offered,
				  size_t offered_n, const uint8_t *th, size_t th_len);

/* A copy of the peer's chain, kept while its leaf key is used. */
struct petrel_hs13_peer_chain {
	uint8_t *der[PETREL_HS13_MAX_CHAIN];
	size_t len[PETREL_HS13_MAX_CHAIN];
	size_t count;
	struct petrel_pubkey key;
};
/* A Certificate parsed, its request context checked against ours:
 * 0, PETREL_E_NO_CERTIFICATE (empty), PETREL_E_ILLEGAL_PARAMETER, or the
 * parser's error. */
int petrel_hs13_certificate_open(const uint8_t *body, size_t len, const uint8_t *context,
				 size_t context_len, struct petrel_certificate13 *c);
/* Parses a Certificate body, checks the context, copies and verifies. */
int petrel_hs13_take_certificate(struct petrel_hs13_peer_chain *pc, const uint8_t *body, size_t len,
				 const uint8_t *context, size_t context_len,
				 const struct petrel_hs13_verifier *v, bool peer_is_server);
void petrel_hs13_peer_chain_free(struct petrel_hs13_peer_chain *pc);

/* Hash of the transcript so far followed by a ClientHello truncated before
 * its binders (RFC 8446 4.2.11.2): header with the full length, then
 * body[0..truncated_len). t may be NULL (first ClientHello: fresh hash). */
void petrel_hs13_truncated_hash(const struct petrel_dtls13_transcript *t, enum petrel_hash_alg hash,
				const uint8_t *ch_body, size_t ch_len, size_t truncated_len,
				uint8_t *out);

#endif
