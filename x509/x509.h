/* Certificates and keys: PEM, X.509 v3 parsing (RFC 5280), chain
 * validation, private key loading, self-signed generation, fingerprints
 * (RFC 8122) and raw public keys (RFC 7250).
 *
 * Parsed structures are zero-copy: their pointers point into the DER the
 * caller passed in, which must outlive them. */
#ifndef PETREL_X509_X509_H
#define PETREL_X509_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* ---- PEM (RFC 7468) ---- */

#define PETREL_PEM_LABEL_MAX 64
/* Finds the next "-----BEGIN label-----" block at or after *pos, decodes its
 * base64 body into a fresh malloc'd buffer (*der, caller frees; wipe it
 * first if it held a key) and moves *pos past the END line.
 * Returns 1 for a block, 0 when no block is left, or PETREL_E_DECODE_ERROR
 * (bad base64, missing or mismatched END line), PETREL_E_MEMORY. */
int petrel_pem_next(const char *text, size_t text_len, size_t *pos, char label[PETREL_PEM_LABEL_MAX],
		    uint8_t **der, size_t *der_len);
/* Bytes needed by petrel_pem_encode (including the final NUL). */
size_t petrel_pem_encoded_len(const char *label, size_t der_len);
/* Writes a PEM block with 64-column lines, NUL-terminated; *out_len
 * excludes the NUL. */
int petrel_pem_encode(const char *label, const uint8_t *der, size_t der_len, char *out,
		      size_t out_cap, size_t *out_len);

/* ---- SubjectPublicKeyInfo (RFC 5280 4.1.2.7) ---- */

/* Parses an SPKI (a whole DER value, no trailing bytes) into a public key
 * pointing into it. EC P-256/P-384 (uncompressed points), Ed25519, RSA
 * (rsaEncryption or id-RSASSA-PSS). Errors: PETREL_E_CERT_PARSE, or
 * PETREL_E_CERT_UNSUPPORTED_ALGORITHM for a well-formed unknown key type. */
int petrel_x509_spki_parse(const uint8_t *spki, size_t spki_len, struct petrel_pubkey *out);
/* Encodes a public key as SPKI DER (EC P-256/P-384, Ed25519, RSA). */
int petrel_x509_spki_encode(const struct petrel_pubkey *key, uint8_t *out, size_t cap,
			    size_t *out_len);

/* ---- certificates ---- */

/* Signature algorithms on certificates. */
enum petrel_x509_sig_alg {
	PETREL_X509_SIG_UNKNOWN = 0,
	PETREL_X509_SIG_ECDSA_SHA256,
	PETREL_X509_SIG_ECDSA_SHA384,
	PETREL_X509_SIG_RSA_PKCS1_SHA256,
	PETREL_X509_SIG_RSA_PKCS1_SHA384,
	PETREL_X509_SIG_RSA_PSS_SHA256,
	PETREL_X509_SIG_RSA_PSS_SHA384,
	PETREL_X509_SIG_ED25519,
};

/* keyUsage bits (RFC 5280 4.2.1.3), numbered as in the BIT STRING. */
enum {
	PETREL_KU_DIGITAL_SIGNATURE = 1u << 0,
	PETREL_KU_NON_REPUDIATION = 1u << 1,
	PETREL_KU_KEY_ENCIPHERMENT = 1u << 2,
	PETREL_KU_DATA_ENCIPHERMENT = 1u << 3,
	PETREL_KU_KEY_AGREEMENT = 1u << 4,
	PETREL_KU_KEY_CERT_SIGN = 1u << 5,
	PETREL_KU_CRL_SIGN = 1u << 6,
	PETREL_KU_ENCIPHER_ONLY = 1u << 7,
	PETREL_KU_DECIPHER_ONLY = 1u << 8,
};

/* extendedKeyUsage purposes we recognise (RFC 5280 4.2.1.12). */
enum {
	PETREL_EKU_SERVER_AUTH = 1u << 0,
	PETREL_EKU_CLIENT_AUTH = 1u << 1,
	PETREL_EKU_ANY = 1u << 2,
	PETREL_EKU_OTHER = 1u << 3,
};

struct petrel_x509_cert {
	const uint8_t *der; size_t der_len;          /* the whole Certificate */
	const uint8_t *tbs; size_t tbs_len;          /* TBSCertificate, tag included */
	unsigned version;                            /* 1, 2 or 3 */
	const uint8_t *serial; size_t serial_len;    /* INTEGER contents */
	const uint8_t *issuer; size_t issuer_len;    /* Name, tag included */
	const uint8_t *subject; size_t subject_len;  /* Name, tag included */
	int64_t not_before;                          /* seconds since the epoch */
	int64_t not_after;
	const uint8_t *spki; size_t spki_len;        /* SPKI, tag included */
	struct petrel_pubkey pubkey;                 /* type NONE if unsupported */
	enum petrel_x509_sig_alg sig_alg;            /* UNKNOWN if unsupported */
	const uint8_t *sig; size_t sig_len;          /* signatureValue bits */

	bool has_basic_constraints;
	bool is_ca;
	int path_len;                                /* -1 when absent */
	bool has_key_usage;
	uint16_t key_usage;                          /* PETREL_KU_* */
	bool has_ext_key_usage;
	uint8_t ext_key_usage;                       /* PETREL_EKU_* */
	const uint8_t *san; size_t san_len;          /* GeneralNames contents */
	const uint8_t *ski; size_t ski_len;          /* keyIdentifier contents */
	const uint8_t *aki; size_t aki_len;          /* AKI keyIdentifier contents */

	/* Criticality and presence facts that RFC 5280 profile rules
	 * (4.2.1.1-4.2.1.11) check during path validation. */
	bool bc_critical;
	bool san_critical;
	bool has_policy_constraints;
	bool pc_critical;
	bool unknown_critical;                       /* an unrecognised critical extension */
	/* nameConstraints (RFC 5280 4.2.1.10): the NameConstraints SEQUENCE
	 * contents, NULL when absent. */
	const uint8_t *name_constraints; size_t name_constraints_len;
	bool nc_critical;
};

/* Parses one DER certificate (exactly; trailing bytes are an error).
 * Errors: PETREL_E_CERT_PARSE for malformed input,
 * PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION (RFC 5280 4.2). An unsupported
 * key or signature algorithm is not a parse error: pubkey.type stays
 * PETREL_KEY_NONE / sig_alg UNKNOWN and validation reports it. */
int petrel_x509_parse(const uint8_t *der, size_t der_len, struct petrel_x509_cert *out);

/* Iterates SAN entries: returns 1 with the next [tag] and contents, 0 at the end. */
struct petrel_x509_san_iter {
	const uint8_t *p, *end;
};
void petrel_x509_san_begin(const struct petrel_x509_cert *cert, struct petrel_x509_san_iter *it);
int petrel_x509_san_next(struct petrel_x509_san_iter *it, uint8_t *tag, const uint8_t **value,
			 size_t *len);
#define PETREL_X509_SAN_EMAIL 0x81 /* [1] IA5String */
#define PETREL_X509_SAN_DNS 0x82 /* [2] IA5String */
#define PETREL_X509_SAN_DIRNAME 0xa4 /* [4] EXPLICIT Name */
#define PETREL_X509_SAN_IP 0x87  /* [7] OCTET STRING */

/* RFC 6125 6.4 host name check against SAN dNSName (left-most "*" label
 * only, case-insensitive) or, for an IPv4/IPv6 literal, iPAddress.
 * 0 or PETREL_E_CERT_NAME_MISMATCH. The subject CN is not consulted. */
int petrel_x509_check_name(const struct petrel_x509_cert *cert, const char *host);

/* Checks cert's signature with the issuer's public key.
 * 0, PETREL_E_CERT_BAD_SIGNATURE or PETREL_E_CERT_UNSUPPORTED_ALGORITHM. */
int petrel_x509_check_signature(const struct petrel_x509_cert *cert,
				const struct petrel_pubkey *issuer_key);

/* ---- trust store ---- */

#define PETREL_X509_SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
struct petrel_x509_store_entry {
	uint8_t *der;
	size_t der_len;
	struct petrel_x509_cert cert; /* points into der */
};
struct petrel_x509_store {
	struct petrel_x509_store_entry *entries;
	size_t count, cap;
	size_t skipped; /* certificates in loaded bundles we could not parse */
};
void petrel_x509_store_init(struct petrel_x509_store *store);
void petrel_x509_store_free(struct petrel_x509_store *store);
/* Copies and adds one DER certificate. */
int petrel_x509_store_add_der(struct petrel_x509_store *store, const uint8_t *der, size_t len);
/* Adds every CERTIFICATE block of a PEM bundle; certificates we cannot
 * parse are counted in store->skipped. Returns the number added. */
int petrel_x509_store_add_pem(struct petrel_x509_store *store, const char *text, size_t len);
/* Loads a PEM bundle file (path NULL = PETREL_X509_SYSTEM_BUNDLE). */
int petrel_x509_store_load_file(struct petrel_x509_store *store, const char *path);

/* ---- chain validation (RFC 5280 6.1: path building with AKI/SKI and
 * backtracking, basicConstraints, pathLen, keyUsage, extended key usage
 * along the path, name constraints; no policies, no revocation) ---- */

enum petrel_x509_purpose {
	PETREL_X509_PURPOSE_ANY = 0,
	PETREL_X509_PURPOSE_SERVER, /* every EKU on the path, if present, must allow serverAuth */
	PETREL_X509_PURPOSE_CLIENT,
};
#define PETREL_X509_DEFAULT_MAX_DEPTH 8
struct petrel_x509_verify_params {
	int64_t now;                  /* seconds since the epoch, from the caller */
	const char *host;             /* NULL = no name check */
	unsigned max_depth;           /* certificates in the path incl. leaf and anchor, not
				       * counting self-issued intermediates; 0 = default */
	enum petrel_x509_purpose purpose;
};

/* chain[0] is the leaf; the rest may come in any order and may include
 * certificates no path uses. Returns 0 when a path from the leaf to a
 * certificate in store checks out, otherwise the most telling failure's
 * own code (or PETREL_E_NO_CERTIFICATE for an empty chain):
 * PETREL_E_CERT_NAME_MISMATCH also for a name outside a CA's name
 * constraints, PETREL_E_CERT_KEY_USAGE also for a CA whose EKU excludes
 * the purpose, PETREL_E_BAD_CERTIFICATE for RFC 5280 profile violations
 * (no AKI below the anchor, a CA without SKI or with non-critical
 * basicConstraints or nameConstraints, ...). Trust anchors' own
 * constraints (pathLen, keyUsage, EKU, name constraints) apply too. */
int petrel_x509_verify_chain(const struct petrel_x509_cert *chain, size_t count,
			     const struct petrel_x509_store *store,
			     const struct petrel_x509_verify_params *params);
/* Same over DER certificates; parses them first. */
int petrel_x509_verify_chain_der(const uint8_t *const *ders, const size_t *lens, size_t count,
				 const struct petrel_x509_store *store,
				 const struct petrel_x509_verify_params *params);

/* ---- private keys ---- */

/* Loads PKCS#8 PrivateKeyInfo (P-256, Ed25519, RSA), SEC1 ECPrivateKey
 * (P-256, P-384) or PKCS#1 RSAPrivateKey DER, whichever it is.
 * Errors: PETREL_E_DECODE_ERROR, PETREL_E_UNSUPPORTED (other key types),
 * crypto layer errors. */
int petrel_x509_privkey_from_der(const uint8_t *der, size_t len, struct petrel_privkey **out);
/* The first "PRIVATE KEY" / "EC PRIVATE KEY" / "RSA PRIVATE KEY" block of a
 * PEM text; "ENCRYPTED PRIVATE KEY" -> PETREL_E_UNSUPPORTED. */
int petrel_x509_privkey_from_pem(const char *text, size_t len, struct petrel_privkey **out);
/* PKCS#8 DER of a P-256 or Ed25519 key (RFC 5958, RFC 5915, RFC 8410). */
int petrel_x509_privkey_to_pkcs8(const struct petrel_privkey *key, uint8_t *out, size_t cap,
				 size_t *out_len);
/* Reads a file into a malloc'd buffer (+NUL); for tools and the store. */
int petrel_x509_read_file(const char *path, uint8_t **data, size_t *len);

/* ---- self-signed certificates ---- */

struct petrel_x509_selfsign_params {
	const char *common_name; /* subject/issuer CN, also the SAN dNSName */
	int64_t not_before;      /* seconds since the epoch */
	int64_t not_after;
};
#define PETREL_X509_SELFSIGN_MAX 1024
/* Builds a self-signed v3 certificate for an ECDSA P-256 or Ed25519 key:
 * random 16-byte serial, CN, validity, basicConstraints CA:FALSE, SAN. */
int petrel_x509_selfsign(const struct petrel_privkey *key,
			 const struct petrel_x509_selfsign_params *params, uint8_t *out, size_t cap,
			 size_t *out_len);

/* ---- fingerprints and pinning (RFC 8122 5) ---- */

/* "sha-256 " + 32 hex pairs joined by ':' + NUL */
#define PETREL_X509_FINGERPRINT_SDP_LEN (8 + 32 * 3)
/* SHA-256 of the DER certificate as SDP a=fingerprint value. */
int petrel_x509_fingerprint_sdp(const uint8_t *der, size_t len,
				char out[PETREL_X509_FINGERPRINT_SDP_LEN]);
/* Parses "sha-256 AB:CD:..." (case-insensitive) to 32 bytes. */
int petrel_x509_fingerprint_parse(const char *text, uint8_t out[32]);
/* 0 if SHA-256(der) equals pin, else PETREL_E_CERT_PIN_MISMATCH. */
int petrel_x509_check_pin_cert(const uint8_t *der, size_t len, const uint8_t pin[32]);
/* 0 if SHA-256(cert's SPKI DER) equals pin, else PETREL_E_CERT_PIN_MISMATCH. */
int petrel_x509_check_pin_spki(const struct petrel_x509_cert *cert, const uint8_t pin[32]);

/* ---- raw public keys (RFC 7250): an identity that is only an SPKI ---- */

struct petrel_rpk {
	const uint8_t *spki; size_t spki_len; /* points at caller memory */
	struct petrel_pubkey pubkey;
};
int petrel_rpk_parse(const uint8_t *spki, size_t len, struct petrel_rpk *out);
/* True when both carry byte-identical SPKIs. */
bool petrel_rpk_equal(const struct petrel_rpk *a, const struct petrel_rpk *b);
/* SHA-256 of the SPKI DER. */
void petrel_rpk_fingerprint(const struct petrel_rpk *rpk, uint8_t out[32]);
/* 0 if the SPKI hash equals pin, else PETREL_E_CERT_PIN_MISMATCH. */
int petrel_rpk_check_pin(const struct petrel_rpk *rpk, const uint8_t pin[32]);

#endif
