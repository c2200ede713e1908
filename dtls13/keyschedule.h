/* The TLS 1.3 key schedule (RFC 8446 7.1-7.5) as DTLS 1.3 uses it: every
 * HKDF-Expand-Label carries the "dtls13" prefix instead of "tls13 "
 * (RFC 9147 5.9), and each traffic secret also gives the record number
 * key "sn" (RFC 9147 4.2.3).
 *
 *              0
 *              |
 *    PSK ->  HKDF-Extract = Early Secret --> binder_key, c e traffic
 *              |
 *        Derive-Secret(., "derived", "")
 *              |
 *  (EC)DHE -> HKDF-Extract = Handshake Secret --> c/s hs traffic (CH..SH)
 *              |
 *        Derive-Secret(., "derived", "")
 *              |
 *     0 -> HKDF-Extract = Master Secret --> c/s ap traffic, exp master (CH..server Finished)
 *                                       --> res master (CH..client Finished)
 *
 * Transcript hashes are the caller's (the transcript service hashes the
 * messages, with HelloRetryRequest's message_hash rule, RFC 8446 4.4.1).
 * Every secret is a fixed array wiped by petrel_dtls13_ks_wipe. */
#ifndef PETREL_DTLS13_KEYSCHEDULE_H
#define PETREL_DTLS13_KEYSCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/hkdf.h"

#define PETREL_DTLS13_LABEL_PREFIX "dtls13"
#define PETREL_TLS13_LABEL_PREFIX "tls13 " /* for RFC 8448 test vectors */

/* TLS 1.3 cipher suites (RFC 8446 B.4). */
#define PETREL_TLS13_AES_128_GCM_SHA256 0x1301u
#define PETREL_TLS13_AES_256_GCM_SHA384 0x1302u
#define PETREL_TLS13_CHACHA20_POLY1305_SHA256 0x1303u
#define PETREL_TLS13_AES_128_CCM_SHA256 0x1304u
#define PETREL_TLS13_AES_128_CCM_8_SHA256 0x1305u

/* Hash and AEAD of a TLS 1.3 suite; PETREL_E_UNSUPPORTED for others. */
int petrel_tls13_suite_params(uint16_t suite, enum petrel_hash_alg *hash,
			      enum petrel_aead_alg *aead);

/* HKDF-Expand-Label and Derive-Secret with the schedule's prefix.
 * transcript_hash is Hash(messages), hash length bytes. */
int petrel_dtls13_expand_label(enum petrel_hash_alg hash, const char *prefix,
			       const uint8_t *secret, const char *label, const uint8_t *context,
			       size_t context_len, uint8_t *out, size_t out_len);
int petrel_dtls13_derive_secret(enum petrel_hash_alg hash, const char *prefix,
				const uint8_t *secret, const char *label,
				const uint8_t *transcript_hash, uint8_t *out);

enum petrel_dtls13_ks_stage {
	PETREL_KS_NONE = 0,
	PETREL_KS_EARLY,
	PETREL_KS_HANDSHAKE,
	PETREL_KS_MASTER,
};

struct petrel_dtls13_ks {
	enum petrel_hash_alg hash;
	size_t hash_len;
	const char *prefix; /* "dtls13" unless a test sets "tls13 " */
	enum petrel_dtls13_ks_stage stage;
	bool no_psk; /* Early Secret from no PSK: a constant, and so is "derived" */
	uint8_t early_secret[PETREL_MAX_HASH_LEN];
	uint8_t handshake_secret[PETREL_MAX_HASH_LEN];
	uint8_t master_secret[PETREL_MAX_HASH_LEN];
	uint8_t client_handshake_traffic[PETREL_MAX_HASH_LEN];
	uint8_t server_handshake_traffic[PETREL_MAX_HASH_LEN];
	uint8_t client_application_traffic[PETREL_MAX_HASH_LEN]; /* _0 */
	uint8_t server_application_traffic[PETREL_MAX_HASH_LEN]; /* _0 */
	uint8_t exporter_master[PETREL_MAX_HASH_LEN];
	uint8_t resumption_master[PETREL_MAX_HASH_LEN];
	/* The Master Secret keyed for HMAC from ks_master to ks_resumption
	 * (res master comes from it one flight later, no second keying). */
	bool master_keyed;
	struct petrel_hkdf_key master_key;
};

/* Early Secret = HKDF-Extract(0, PSK); psk NULL (no PSK) = HashLen zeros.
 * Starts the schedule (prefix "dtls13"). */
int petrel_dtls13_ks_init(struct petrel_dtls13_ks *ks, enum petrel_hash_alg hash,
			  const uint8_t *psk, size_t psk_len);
/* Same with another label prefix (RFC 8448 vectors use "tls13 "). */
int petrel_dtls13_ks_init_prefix(struct petrel_dtls13_ks *ks, enum petrel_hash_alg hash,
				 const char *prefix, const uint8_t *psk, size_t psk_len);

/* binder_key = Derive-Secret(Early Secret, "ext binder" | "res binder", "")
 * (RFC 8446 4.2.11.2, 7.1). */
int petrel_dtls13_binder_key(const struct petrel_dtls13_ks *ks, bool resumption, uint8_t *out);
/* client_early_traffic_secret over ClientHello (0-RTT; not used by Petrel
 * yet, here for completeness and key logs). */
int petrel_dtls13_client_early_traffic(const struct petrel_dtls13_ks *ks,
				       const uint8_t *th_client_hello, uint8_t *out);

/* Handshake Secret from the (EC)DHE shared secret (NULL: psk_ke, HashLen
 * zeros), then both handshake traffic secrets over CH..SH. */
int petrel_dtls13_ks_handshake(struct petrel_dtls13_ks *ks, const uint8_t *ecdhe,
			       size_t ecdhe_len, const uint8_t *th_ch_sh);
/* Master Secret, then c/s ap traffic and exp master over CH..server
 * Finished. The early and handshake secrets are wiped (no longer needed;
 * the handshake traffic secrets stay for Finished and retransmissions). */
int petrel_dtls13_ks_master(struct petrel_dtls13_ks *ks, const uint8_t *th_ch_sf);
/* res master over CH..client Finished. */
int petrel_dtls13_ks_resumption(struct petrel_dtls13_ks *ks, const uint8_t *th_ch_cf);
/* Once the handshake is over: wipe the handshake traffic secrets. */
void petrel_dtls13_ks_forget_handshake(struct petrel_dtls13_ks *ks);
void petrel_dtls13_ks_wipe(struct petrel_dtls13_ks *ks);

/* ---- From one traffic secret ---- */

/* write_key, write_iv, sn_key of one direction and epoch (RFC 8446 7.3,
 * RFC 9147 4.2.3). */
struct petrel_dtls13_traffic_keys {
	enum petrel_aead_alg aead;
	uint8_t key[PETREL_AEAD_MAX_KEY_LEN];
	uint8_t iv[PETREL_AEAD_NONCE_LEN];
	uint8_t sn_key[PETREL_AEAD_MAX_KEY_LEN];
};
int petrel_dtls13_traffic_keys(enum petrel_hash_alg hash, const char *prefix,
			       enum petrel_aead_alg aead, const uint8_t *traffic_secret,
			       struct petrel_dtls13_traffic_keys *out);
void petrel_dtls13_traffic_keys_wipe(struct petrel_dtls13_traffic_keys *keys);

/* finished_key = HKDF-Expand-Label(base_key, "finished", "", HashLen);
 * verify_data = HMAC(finished_key, transcript_hash) (RFC 8446 4.4.4). */
int petrel_dtls13_finished(enum petrel_hash_alg hash, const char *prefix,
			   const uint8_t *base_key, const uint8_t *transcript_hash,
			   uint8_t *verify_data);
/* Constant-time check of a received Finished: 0 or PETREL_E_DECRYPTION_FAILED
 * (the caller sends decrypt_error). */
int petrel_dtls13_finished_check(enum petrel_hash_alg hash, const char *prefix,
				 const uint8_t *base_key, const uint8_t *transcript_hash,
				 const uint8_t *received, size_t received_len);

/* application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N,
 * "traffic upd", "", HashLen) (RFC 8446 7.2); in place. */
int petrel_dtls13_next_traffic_secret(enum petrel_hash_alg hash, const char *prefix,
				      uint8_t *secret);

/* RFC 8446 7.5: TLS-Exporter(label, context, length) =
 * HKDF-Expand-Label(Derive-Secret(exporter_master, label, ""), "exporter",
 * Hash(context), length). context NULL = no context (hashed as empty, as
 * RFC 8446 treats both alike). label is at most 249 bytes with "dtls13". */
int petrel_dtls13_export(enum petrel_hash_alg hash, const char *prefix,
			 const uint8_t *exporter_master, const char *label,
			 const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len);

/* The PSK of a ticket: HKDF-Expand-Label(res master, "resumption",
 * ticket_nonce, HashLen) (RFC 8446 4.6.1). */
int petrel_dtls13_ticket_psk(enum petrel_hash_alg hash, const char *prefix,
			     const uint8_t *resumption_master, const uint8_t *nonce,
			     size_t nonce_len, uint8_t *psk);

#endif
