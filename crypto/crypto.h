/* Petrel's internal crypto interface: the only layer that includes libsodium
 * or nettle headers (those stay in the crypto/ .c files). Everything returns 0 or a
 * negative PETREL_E_* code. Fixed-size secrets live in caller arrays. */
#ifndef PETREL_CRYPTO_CRYPTO_H
#define PETREL_CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- randomness, compare, wipe ---- */
void petrel_random(void *buf, size_t len);
/* Constant-time: 1 if equal, 0 if not. */
int petrel_ct_equal(const void *a, const void *b, size_t len);
void petrel_wipe(void *buf, size_t len);

/* ---- hashes ---- */
enum petrel_hash_alg { PETREL_HASH_SHA256 = 1, PETREL_HASH_SHA384 = 2 };
#define PETREL_MAX_HASH_LEN 48
size_t petrel_hash_len(enum petrel_hash_alg alg);

/* Opaque storage big enough for nettle's sha256_ctx / sha384 (sha512) ctx.
 * Plain struct copy snapshots a running hash (used for transcripts). */
struct petrel_hash_ctx {
	enum petrel_hash_alg alg;
	union {
		uint64_t align;
		uint8_t bytes[224];
	} state;
};
void petrel_hash_init(struct petrel_hash_ctx *ctx, enum petrel_hash_alg alg);
void petrel_hash_update(struct petrel_hash_ctx *ctx, const uint8_t *data, size_t len);
/* Writes petrel_hash_len() bytes; does not disturb ctx (works on a copy). */
void petrel_hash_peek(const struct petrel_hash_ctx *ctx, uint8_t *out);
void petrel_hash(enum petrel_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out);
/* hrrperf: BLAKE2b in keyed mode (RFC 7693 2.5; libsodium's
 * crypto_generichash) as a MAC: a 32-byte key, out_len 16..64 bytes. One
 * compression for the key block and one per 128 data bytes, where
 * HMAC-SHA256 takes four plus one per 64 (server cookies, dtls13/cookie13.c). */
void petrel_keyed_hash(const uint8_t key[32], const uint8_t *data, size_t len, uint8_t *out,
		       size_t out_len);

/* ---- HMAC, TLS 1.2 PRF, HKDF ---- */
void petrel_hmac(enum petrel_hash_alg alg, const uint8_t *key, size_t key_len,
		 const uint8_t *data, size_t data_len, uint8_t *out);
/* RFC 5246 5: P_hash(secret, label || seed1 || seed2); seed2 may be NULL. */
int petrel_tls12_prf(enum petrel_hash_alg alg, const uint8_t *secret, size_t secret_len,
		     const char *label, const uint8_t *seed1, size_t seed1_len,
		     const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len);
/* A PRF secret with its HMAC pads absorbed once, for several PRF calls
 * under one secret (the master secret keys the key block and both
 * Finished: two SHA-256 blocks saved per call). Opaque; wipe after use. */
#define PETREL_PRF_KEY_BYTES 704
struct petrel_prf_key {
	_Alignas(16) unsigned char opaque[PETREL_PRF_KEY_BYTES];
};
int petrel_prf_key_init(struct petrel_prf_key *key, enum petrel_hash_alg alg,
			const uint8_t *secret, size_t secret_len);
/* petrel_tls12_prf under a keyed secret. */
int petrel_tls12_prf_keyed(const struct petrel_prf_key *key, const char *label,
			   const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2,
			   size_t seed2_len, uint8_t *out, size_t out_len);
/* RFC 5869. salt may be NULL (zeros of hash length). */
void petrel_hkdf_extract(enum petrel_hash_alg alg, const uint8_t *salt, size_t salt_len,
			 const uint8_t *ikm, size_t ikm_len, uint8_t *prk_out);
int petrel_hkdf_expand(enum petrel_hash_alg alg, const uint8_t *prk, size_t prk_len,
		       const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);
/* RFC 8446 7.1 HKDF-Expand-Label; prefix is "tls13 " or, for DTLS 1.3
 * (RFC 9147 5.9), "dtls13". */
int petrel_hkdf_expand_label(enum petrel_hash_alg alg, const uint8_t *secret, size_t secret_len,
			     const char *prefix, const char *label, const uint8_t *context,
			     size_t context_len, uint8_t *out, size_t out_len);

/* ---- AEAD ---- */
enum petrel_aead_alg {
	PETREL_AEAD_AES128_GCM = 1,
	PETREL_AEAD_AES256_GCM,
	PETREL_AEAD_AES128_CCM,
	PETREL_AEAD_AES128_CCM8,
	PETREL_AEAD_CHACHA20_POLY1305,
};
#define PETREL_AEAD_NONCE_LEN 12
#define PETREL_AEAD_MAX_KEY_LEN 32
#define PETREL_AEAD_MAX_TAG_LEN 16
size_t petrel_aead_key_len(enum petrel_aead_alg alg);
size_t petrel_aead_tag_len(enum petrel_aead_alg alg);

/* An expanded AEAD key (for AES-GCM this holds nettle's 4 KB GHASH table):
 * sessions keep only raw keys and expand into one of these while active. */
struct petrel_aead_ctx;
size_t petrel_aead_ctx_size(void);
/* Enough for a context of that algorithm only (a CCM one is ~200 bytes). */
size_t petrel_aead_ctx_size_for(enum petrel_aead_alg alg);
/* ctx points at petrel_aead_ctx_size() bytes, or petrel_aead_ctx_size_for(alg)
 * when only ever initialised with alg (suitably aligned, e.g. malloc). */
int petrel_aead_init(struct petrel_aead_ctx *ctx, enum petrel_aead_alg alg, const uint8_t *key);
void petrel_aead_wipe(struct petrel_aead_ctx *ctx);
/* In place: buf holds len plaintext bytes; on return it holds len ciphertext
 * bytes followed by the tag (caller guarantees room for tag_len more). */
int petrel_aead_seal(const struct petrel_aead_ctx *ctx, const uint8_t nonce[PETREL_AEAD_NONCE_LEN],
		     const uint8_t *ad, size_t ad_len, uint8_t *buf, size_t len);
/* The same from src into dst (len ciphertext bytes, then the tag), so a
 * record is sealed straight from the caller's data without a copy. src and
 * dst are the same buffer or do not overlap. */
int petrel_aead_seal_from(const struct petrel_aead_ctx *ctx,
			  const uint8_t nonce[PETREL_AEAD_NONCE_LEN], const uint8_t *ad,
			  size_t ad_len, uint8_t *dst, const uint8_t *src, size_t len);
/* Seals src_len bytes of src followed by the tail_len bytes already at
 * dst + src_len (a TLSInnerPlaintext's type and padding, RFC 8446 5.2)
 * into dst, tag after: as copying src to dst and sealing in place, with
 * the copy left out where the AEAD streams (GCM). src must not overlap
 * dst. */
int petrel_aead_seal_gather(const struct petrel_aead_ctx *ctx,
			    const uint8_t nonce[PETREL_AEAD_NONCE_LEN], const uint8_t *ad,
			    size_t ad_len, uint8_t *dst, const uint8_t *src, size_t src_len,
			    size_t tail_len);
/* In place: buf holds ciphertext||tag of len bytes; on success the first
 * len - tag_len bytes are plaintext. Bad tag -> PETREL_E_DECRYPTION_FAILED. */
int petrel_aead_open(const struct petrel_aead_ctx *ctx, const uint8_t nonce[PETREL_AEAD_NONCE_LEN],
		     const uint8_t *ad, size_t ad_len, uint8_t *buf, size_t len);
/* The same from src (ciphertext||tag, len bytes) into dst (len - tag_len
 * bytes): a record opens straight into the caller's buffer. dst is src or
 * does not overlap it; on a bad tag dst is wiped. */
int petrel_aead_open_to(const struct petrel_aead_ctx *ctx,
			const uint8_t nonce[PETREL_AEAD_NONCE_LEN], const uint8_t *ad,
			size_t ad_len, uint8_t *dst, const uint8_t *src, size_t len);

/* ---- key exchange (TLS NamedGroup codes) ---- */
enum petrel_group {
	PETREL_GROUP_SECP256R1 = 0x0017,
	PETREL_GROUP_SECP384R1 = 0x0018,
	PETREL_GROUP_X25519 = 0x001d,
};
#define PETREL_KX_PRIV_LEN 48     /* room for a P-384 scalar; X25519/P-256 use 32 */
#define PETREL_KX_MAX_PUB_LEN 97  /* uncompressed P-384 point */
#define PETREL_KX_SHARED_LEN 48   /* largest shared secret (P-384's x) */
bool petrel_group_supported(uint16_t group);
/* Bytes of the shared secret for a group: 32 (X25519, P-256), 48 (P-384),
 * 0 for an unsupported group. */
size_t petrel_kx_shared_len(enum petrel_group group);
/* priv: 32 bytes for X25519 and P-256, 48 for P-384 (PETREL_KX_PRIV_LEN fits all).
 * Fresh ephemeral key pair; pub is X25519's 32 bytes or the NIST curve's
 * uncompressed 04||x||y (65 bytes for P-256, 97 for P-384). */
int petrel_kx_keygen(enum petrel_group group, uint8_t *priv,
		     uint8_t *pub, size_t *pub_len);
/* Validates peer_pub (on curve, not identity, right length; X25519 all-zero
 * output rejected) -> PETREL_E_ILLEGAL_PARAMETER on bad input. Writes
 * petrel_kx_shared_len(group) bytes. */
int petrel_kx_derive(enum petrel_group group, const uint8_t *priv,
		     const uint8_t *peer_pub, size_t peer_pub_len,
		     uint8_t *shared);

/* ---- signatures (TLS SignatureScheme codes) ---- */
enum petrel_sig_scheme {
	PETREL_SIG_RSA_PKCS1_SHA256 = 0x0401,
	PETREL_SIG_RSA_PKCS1_SHA384 = 0x0501,
	PETREL_SIG_ECDSA_SECP256R1_SHA256 = 0x0403,
	PETREL_SIG_ECDSA_SECP384R1_SHA384 = 0x0503,
	PETREL_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
	PETREL_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
	PETREL_SIG_ED25519 = 0x0807,
	PETREL_SIG_RSA_PSS_PSS_SHA256 = 0x0809,
};

enum petrel_key_type {
	PETREL_KEY_NONE = 0,
	PETREL_KEY_EC_P256,
	PETREL_KEY_EC_P384,
	PETREL_KEY_ED25519,
	PETREL_KEY_RSA,
};

/* A public key as bytes that point into memory the caller keeps alive
 * (usually the certificate DER): EC = uncompressed point, Ed25519 = 32
 * bytes, RSA = big-endian modulus and exponent. */
struct petrel_pubkey {
	enum petrel_key_type type;
	const uint8_t *point; size_t point_len;     /* EC, Ed25519 */
	const uint8_t *rsa_n; size_t rsa_n_len;     /* RSA */
	const uint8_t *rsa_e; size_t rsa_e_len;
};

/* Verifies sig over msg (hashing inside; Ed25519 is pure). ECDSA signatures
 * are DER (Ecdsa-Sig-Value), as in TLS. Failure -> PETREL_E_SIGNATURE_INVALID;
 * scheme not matching the key -> PETREL_E_UNSUPPORTED. */
int petrel_verify(uint16_t scheme, const struct petrel_pubkey *key, const uint8_t *msg,
		  size_t msg_len, const uint8_t *sig, size_t sig_len);
/* Same, over a precomputed digest (not for Ed25519): used by X.509. */
int petrel_verify_digest(uint16_t scheme, const struct petrel_pubkey *key, const uint8_t *digest,
			 size_t digest_len, const uint8_t *sig, size_t sig_len);

/* A private key, parsed once and kept expanded (no re-decoding per handshake). */
struct petrel_privkey;
int petrel_privkey_from_p256(const uint8_t d[32], struct petrel_privkey **out);
/* Added: P-384 scalar (48 bytes big-endian). */
int petrel_privkey_from_p384(const uint8_t d[48], struct petrel_privkey **out);
int petrel_privkey_from_ed25519_seed(const uint8_t seed[32], struct petrel_privkey **out);
/* RSA from big-endian components (PKCS#1 RSAPrivateKey fields). */
int petrel_privkey_from_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
			    const uint8_t *d, size_t d_len, const uint8_t *p, size_t p_len,
			    const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
			    const uint8_t *dq, size_t dq_len, const uint8_t *qinv, size_t qinv_len,
			    struct petrel_privkey **out);
int petrel_privkey_generate(enum petrel_key_type type, struct petrel_privkey **out);
void petrel_privkey_free(struct petrel_privkey *key);
enum petrel_key_type petrel_privkey_type(const struct petrel_privkey *key);
/* The matching public key; its pointers live as long as the private key. */
void petrel_privkey_public(const struct petrel_privkey *key, struct petrel_pubkey *pub);
/* Raw private scalar/seed export (32 bytes) for P-256/Ed25519, to write keys. */
int petrel_privkey_export_raw(const struct petrel_privkey *key, uint8_t out[32]);
#define PETREL_MAX_SIG_LEN 512
/* Signs msg with scheme (must suit the key); ECDSA output is DER. */
int petrel_sign(const struct petrel_privkey *key, uint16_t scheme, const uint8_t *msg,
		size_t msg_len, uint8_t *sig, size_t sig_cap, size_t *sig_len);
/* Schemes this key can sign with, best first; returns how many (<= cap). */
size_t petrel_privkey_schemes(const struct petrel_privkey *key, uint16_t *schemes, size_t cap);

#endif
