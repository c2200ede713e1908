/* The TLS 1.3 key schedule with DTLS 1.3's labels (see dtls13/keyschedule.h). */
#include "dtls13/keyschedule.h"

#include <string.h>

#include "crypto/hkdf.h"
#include "petrel/petrel.h"

int petrel_tls13_suite_params(uint16_t suite, enum petrel_hash_alg *hash,
			      enum petrel_aead_alg *aead)
{
	switch (suite) {
	case PETREL_TLS13_AES_128_GCM_SHA256:
		*hash = PETREL_HASH_SHA256;
		*aead = PETREL_AEAD_AES128_GCM;
		return 0;
	case PETREL_TLS13_AES_256_GCM_SHA384:
		*hash = PETREL_HASH_SHA384;
		*aead = PETREL_AEAD_AES256_GCM;
		return 0;
	case PETREL_TLS13_CHACHA20_POLY1305_SHA256:
		*hash = PETREL_HASH_SHA256;
		*aead = PETREL_AEAD_CHACHA20_POLY1305;
		return 0;
	case PETREL_TLS13_AES_128_CCM_SHA256:
		*hash = PETREL_HASH_SHA256;
		*aead = PETREL_AEAD_AES128_CCM;
		return 0;
	case PETREL_TLS13_AES_128_CCM_8_SHA256:
		*hash = PETREL_HASH_SHA256;
		*aead = PETREL_AEAD_AES128_CCM8;
		return 0;
	default:
		return PETREL_E_UNSUPPORTED;
	}
}

int petrel_dtls13_expand_label(enum petrel_hash_alg hash, const char *prefix,
			       const uint8_t *secret, const char *label, const uint8_t *context,
			       size_t context_len, uint8_t *out, size_t out_len)
{
	size_t hash_len = petrel_hash_len(hash);
	if (hash_len == 0 || secret == NULL || label == NULL)
		return PETREL_E_INVALID_REQUEST;
	return petrel_hkdf_expand_label(hash, secret, hash_len,
					prefix != NULL ? prefix : PETREL_DTLS13_LABEL_PREFIX, label,
					context, context_len, out, out_len);
}

int petrel_dtls13_derive_secret(enum petrel_hash_alg hash, const char *prefix,
				const uint8_t *secret, const char *label,
				const uint8_t *transcript_hash, uint8_t *out)
{
	/* RFC 8446 7.1: Derive-Secret(Secret, Label, Messages) =
	 * HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length). */
	size_t hash_len = petrel_hash_len(hash);
	if (transcript_hash == NULL)
		return PETREL_E_INVALID_REQUEST;
	return petrel_dtls13_expand_label(hash, prefix, secret, label, transcript_hash, hash_len,
					  out, hash_len);
}

/* Hash("") (FIPS 180-4), the context of every Derive-Secret(., ., "")
 * (RFC 8446 7.1): constants, not hashed per call. */
static const uint8_t empty_sha256[32] = {
	0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8,
	0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
	0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};
static const uint8_t empty_sha384[48] = {
	0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e,
	0xb1, 0xb1, 0xe3, 0x6a, 0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43,
	0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda, 0x27, 0x4e, 0xde, 0xbf,
	0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b,
};

static const uint8_t *empty_hash(enum petrel_hash_alg hash)
{
	return hash == PETREL_HASH_SHA384 ? empty_sha384 : empty_sha256;
}

/* Derive-Secret(secret, label, "") : the context is Hash of nothing. */
static int derive_empty(const struct petrel_dtls13_ks *ks, const uint8_t *secret,
			const char *label, uint8_t *out)
{
	return petrel_dtls13_derive_secret(ks->hash, ks->prefix, secret, label, empty_hash(ks->hash),
					   out);
}

/* Without a PSK, the Early Secret = HKDF-Extract(0, 0) and the salt of the
 * Handshake Secret, Derive-Secret(Early Secret, "derived", ""), depend
 * on the hash and the label prefix only (RFC 8446 7.1): constants here
 * (the SHA-256 "tls13 " pair is RFC 8448 3's; tests/speed13_ks_test.c
 * recomputes all four with HKDF). */
struct no_psk_consts {
	enum petrel_hash_alg hash;
	const char *prefix;
	uint8_t early_secret[PETREL_MAX_HASH_LEN];
	uint8_t derived[PETREL_MAX_HASH_LEN];
};

static const struct no_psk_consts no_psk[] = {
	{PETREL_HASH_SHA256, PETREL_DTLS13_LABEL_PREFIX,
	 {
		0x33, 0xad, 0x0a, 0x1c, 0x60, 0x7e, 0xc0, 0x3b, 0x09, 0xe6, 0xcd, 0x98,
		0x93, 0x68, 0x0c, 0xe2, 0x10, 0xad, 0xf3, 0x00, 0xaa, 0x1f, 0x26, 0x60,
		0xe1, 0xb2, 0x2e, 0x10, 0xf1, 0x70, 0xf9, 0x2a,
	 },
	 {
		0xb1, 0x7b, 0xce, 0x94, 0x51, 0xee, 0x8b, 0xc6, 0xe8, 0xae, 0xbc, 0x0a,
		0xa9, 0xe9, 0x82, 0x95, 0x67, 0x7a, 0x4a, 0x6a, 0x91, 0xf7, 0x84, 0x40,
		0x83, 0x31, 0x46, 0xe4, 0x65, 0xf2, 0xff, 0x95,
	 }},
	{PETREL_HASH_SHA384, PETREL_DTLS13_LABEL_PREFIX,
	 {
		0x7e, 0xe8, 0x20, 0x6f, 0x55, 0x70, 0x02, 0x3e, 0x6d, 0xc7, 0x51, 0x9e,
		0xb1, 0x07, 0x3b, 0xc4, 0xe7, 0x91, 0xad, 0x37, 0xb5, 0xc3, 0x82, 0xaa,
		0x10, 0xba, 0x18, 0xe2, 0x35, 0x7e, 0x71, 0x69, 0x71, 0xf9, 0x36, 0x2f,
		0x2c, 0x2f, 0xe2, 0xa7, 0x6b, 0xfd, 0x78, 0xdf, 0xec, 0x4e, 0xa9, 0xb5,
	 },
	 {
		0x27, 0x00, 0x86, 0x05, 0xd3, 0x39, 0x6f, 0x88, 0x44, 0x19, 0x75, 0x65,
		0xca, 0xec, 0xc5, 0x92, 0xb3, 0xe5, 0x8f, 0x2e, 0xae, 0x55, 0xf8, 0x41,
		0xb5, 0x77, 0xcf, 0xbc, 0xab, 0xb4, 0x7e, 0x22, 0x1f, 0x67, 0x4e, 0xd3,
		0xa6, 0x8a, 0xa8, 0x93, 0x43, 0x9c, 0xf5, 0x57, 0xf1, 0x11, 0xc0, 0xfc,
	 }},
	{PETREL_HASH_SHA256, PETREL_TLS13_LABEL_PREFIX,
	 {
		0x33, 0xad, 0x0a, 0x1c, 0x60, 0x7e, 0xc0, 0x3b, 0x09, 0xe6, 0xcd, 0x98,
		0x93, 0x68, 0x0c, 0xe2, 0x10, 0xad, 0xf3, 0x00, 0xaa, 0x1f, 0x26, 0x60,
		0xe1, 0xb2, 0x2e, 0x10, 0xf1, 0x70, 0xf9, 0x2a,
	 },
	 {
		0x6f, 0x26, 0x15, 0xa1, 0x08, 0xc7, 0x02, 0xc5, 0x67, 0x8f, 0x54, 0xfc,
		0x9d, 0xba, 0xb6, 0x97, 0x16, 0xc0, 0x76, 0x18, 0x9c, 0x48, 0x25, 0x0c,
		0xeb, 0xea, 0xc3, 0x57, 0x6c, 0x36, 0x11, 0xba,
	 }},
	{PETREL_HASH_SHA384, PETREL_TLS13_LABEL_PREFIX,
	 {
		0x7e, 0xe8, 0x20, 0x6f, 0x55, 0x70, 0x02, 0x3e, 0x6d, 0xc7, 0x51, 0x9e,
		0xb1, 0x07, 0x3b, 0xc4, 0xe7, 0x91, 0xad, 0x37, 0xb5, 0xc3, 0x82, 0xaa,
		0x10, 0xba, 0x18, 0xe2, 0x35, 0x7e, 0x71, 0x69, 0x71, 0xf9, 0x36, 0x2f,
		0x2c, 0x2f, 0xe2, 0xa7, 0x6b, 0xfd, 0x78, 0xdf, 0xec, 0x4e, 0xa9, 0xb5,
	 },
	 {
		0x15, 0x91, 0xda, 0xc5, 0xcb, 0xbf, 0x03, 0x30, 0xa4, 0xa8, 0x4d, 0xe9,
		0xc7, 0x53, 0x33, 0x0e, 0x92, 0xd0, 0x1f, 0x0a, 0x88, 0x21, 0x4b, 0x44,
		0x64, 0x97, 0x2f, 0xd6, 0x68, 0x04, 0x9e, 0x93, 0xe5, 0x2f, 0x2b, 0x16,
		0xfa, 0xd9, 0x22, 0xfd, 0xc0, 0x58, 0x44, 0x78, 0x42, 0x8f, 0x28, 0x2b,
	 }},
};

static const struct no_psk_consts *no_psk_lookup(enum petrel_hash_alg hash, const char *prefix)
{
	for (size_t i = 0; i < sizeof no_psk / sizeof no_psk[0]; i++)
		if (no_psk[i].hash == hash && strcmp(no_psk[i].prefix, prefix) == 0)
			return &no_psk[i];
	return NULL;
}

/* Derive-Secret(secret, label, context) under a secret keyed once. */
static int derive_keyed(const struct petrel_dtls13_ks *ks, const struct petrel_hkdf_key *secret,
			const char *label, const uint8_t *context, uint8_t *out)
{
	return petrel_hkdf_expand_label_keyed(secret, ks->prefix, label, context, ks->hash_len, out,
					      ks->hash_len);
}

int petrel_dtls13_ks_init_prefix(struct petrel_dtls13_ks *ks, enum petrel_hash_alg hash,
				 const char *prefix, const uint8_t *psk, size_t psk_len)
{
	static const uint8_t zeros[PETREL_MAX_HASH_LEN];
	if (ks == NULL || petrel_hash_len(hash) == 0 || prefix == NULL ||
	    (psk == NULL && psk_len > 0))
		return PETREL_E_INVALID_REQUEST;
	memset(ks, 0, sizeof *ks);
	ks->hash = hash;
	ks->hash_len = petrel_hash_len(hash);
	ks->prefix = prefix;
	ks->stage = PETREL_KS_EARLY;
	/* RFC 8446 7.1: without a PSK the input is a string of HashLen zeros. */
	if (psk == NULL) {
		const struct no_psk_consts *c = no_psk_lookup(hash, prefix);
		if (c != NULL) {
			memcpy(ks->early_secret, c->early_secret, ks->hash_len);
			ks->no_psk = true;
			return 0;
		}
		psk = zeros;
		psk_len = ks->hash_len;
	}
	petrel_hkdf_extract(hash, NULL, 0, psk, psk_len, ks->early_secret);
	return 0;
}

int petrel_dtls13_ks_init(struct petrel_dtls13_ks *ks, enum petrel_hash_alg hash,
			  const uint8_t *psk, size_t psk_len)
{
	return petrel_dtls13_ks_init_prefix(ks, hash, PETREL_DTLS13_LABEL_PREFIX, psk, psk_len);
}

int petrel_dtls13_binder_key(const struct petrel_dtls13_ks *ks, bool resumption, uint8_t *out)
{
	if (ks == NULL || ks->stage != PETREL_KS_EARLY)
		return PETREL_E_INVALID_REQUEST;
	return derive_empty(ks, ks->early_secret, resumption ? "res binder" : "ext binder", out);
}

int petrel_dtls13_client_early_traffic(const struct petrel_dtls13_ks *ks,
				       const uint8_t *th_client_hello, uint8_t *out)
{
	if (ks == NULL || ks->stage != PETREL_KS_EARLY)
		return PETREL_E_INVALID_REQUEST;
	return petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->early_secret,
					   "c e traffic", th_client_hello, out);
}

int petrel_dtls13_ks_handshake(struct petrel_dtls13_ks *ks, const uint8_t *ecdhe,
			       size_t ecdhe_len, const uint8_t *th_ch_sh)
{
	static const uint8_t zeros[PETREL_MAX_HASH_LEN];
	uint8_t salt[PETREL_MAX_HASH_LEN];
	struct petrel_hkdf_key hs_key;
	const struct no_psk_consts *c;
	int rc = 0;
	if (ks == NULL || ks->stage != PETREL_KS_EARLY || th_ch_sh == NULL ||
	    (ecdhe == NULL && ecdhe_len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (ecdhe == NULL) {
		ecdhe = zeros;
		ecdhe_len = ks->hash_len;
	}
	if (ks->no_psk && (c = no_psk_lookup(ks->hash, ks->prefix)) != NULL)
		memcpy(salt, c->derived, ks->hash_len);
	else
		rc = derive_empty(ks, ks->early_secret, "derived", salt);
	if (rc < 0)
		return rc;
	petrel_hkdf_extract(ks->hash, salt, ks->hash_len, ecdhe, ecdhe_len, ks->handshake_secret);
	/* One keyed Handshake Secret gives both handshake traffic secrets and
	 * the salt of the Master Secret, which needs nothing else (RFC 8446
	 * 7.1), so that is taken here too. */
	rc = petrel_hkdf_key_init(&hs_key, ks->hash, ks->handshake_secret, ks->hash_len);
	if (rc == 0)
		rc = derive_keyed(ks, &hs_key, "c hs traffic", th_ch_sh, ks->client_handshake_traffic);
	if (rc == 0)
		rc = derive_keyed(ks, &hs_key, "s hs traffic", th_ch_sh, ks->server_handshake_traffic);
	if (rc == 0)
		rc = derive_keyed(ks, &hs_key, "derived", empty_hash(ks->hash), salt);
	if (rc == 0)
		petrel_hkdf_extract(ks->hash, salt, ks->hash_len, zeros, ks->hash_len,
				    ks->master_secret);
	petrel_hkdf_key_wipe(&hs_key);
	petrel_wipe(salt, sizeof salt);
	if (rc < 0)
		return rc;
	ks->stage = PETREL_KS_HANDSHAKE;
	return 0;
}

int petrel_dtls13_ks_master(struct petrel_dtls13_ks *ks, const uint8_t *th_ch_sf)
{
	if (ks == NULL || ks->stage != PETREL_KS_HANDSHAKE || th_ch_sf == NULL)
		return PETREL_E_INVALID_REQUEST;
	/* The Master Secret itself came with the handshake stage. */
	int rc = petrel_hkdf_key_init(&ks->master_key, ks->hash, ks->master_secret, ks->hash_len);
	ks->master_keyed = rc == 0;
	if (rc == 0)
		rc = derive_keyed(ks, &ks->master_key, "c ap traffic", th_ch_sf,
				  ks->client_application_traffic);
	if (rc == 0)
		rc = derive_keyed(ks, &ks->master_key, "s ap traffic", th_ch_sf,
				  ks->server_application_traffic);
	if (rc == 0)
		rc = derive_keyed(ks, &ks->master_key, "exp master", th_ch_sf, ks->exporter_master);
	if (rc < 0)
		return rc;
	/* Nothing later derives from these (RFC 8446 7.1). */
	petrel_wipe(ks->early_secret, sizeof ks->early_secret);
	petrel_wipe(ks->handshake_secret, sizeof ks->handshake_secret);
	ks->stage = PETREL_KS_MASTER;
	return 0;
}

int petrel_dtls13_ks_resumption(struct petrel_dtls13_ks *ks, const uint8_t *th_ch_cf)
{
	if (ks == NULL || ks->stage != PETREL_KS_MASTER || th_ch_cf == NULL)
		return PETREL_E_INVALID_REQUEST;
	int rc = ks->master_keyed
			 ? derive_keyed(ks, &ks->master_key, "res master", th_ch_cf,
					ks->resumption_master)
			 : petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->master_secret,
						       "res master", th_ch_cf, ks->resumption_master);
	if (rc < 0)
		return rc;
	/* The master secret has given all it gives. */
	petrel_wipe(ks->master_secret, sizeof ks->master_secret);
	petrel_hkdf_key_wipe(&ks->master_key);
	ks->master_keyed = false;
	return 0;
}

void petrel_dtls13_ks_forget_handshake(struct petrel_dtls13_ks *ks)
{
	petrel_wipe(ks->client_handshake_traffic, sizeof ks->client_handshake_traffic);
	petrel_wipe(ks->server_handshake_traffic, sizeof ks->server_handshake_traffic);
}

void petrel_dtls13_ks_wipe(struct petrel_dtls13_ks *ks)
{
	if (ks != NULL)
		petrel_wipe(ks, sizeof *ks);
}

int petrel_dtls13_traffic_keys(enum petrel_hash_alg hash, const char *prefix,
			       enum petrel_aead_alg aead, const uint8_t *traffic_secret,
			       struct petrel_dtls13_traffic_keys *out)
{
	size_t key_len = petrel_aead_key_len(aead);
	if (key_len == 0 || out == NULL)
		return PETREL_E_INVALID_REQUEST;
	memset(out, 0, sizeof *out);
	out->aead = aead;
	if (traffic_secret == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (prefix == NULL)
		prefix = PETREL_DTLS13_LABEL_PREFIX;
	/* RFC 8446 7.3 and RFC 9147 4.2.3: key, iv and sn from one secret,
	 * keyed once. */
	struct petrel_hkdf_key secret;
	int rc = petrel_hkdf_key_init(&secret, hash, traffic_secret, petrel_hash_len(hash));
	if (rc == 0)
		rc = petrel_hkdf_expand_label_keyed(&secret, prefix, "key", NULL, 0, out->key,
						    key_len);
	if (rc == 0)
		rc = petrel_hkdf_expand_label_keyed(&secret, prefix, "iv", NULL, 0, out->iv,
						    PETREL_AEAD_NONCE_LEN);
	if (rc == 0)
		rc = petrel_hkdf_expand_label_keyed(&secret, prefix, "sn", NULL, 0, out->sn_key,
						    key_len);
	petrel_hkdf_key_wipe(&secret);
	if (rc < 0)
		petrel_dtls13_traffic_keys_wipe(out);
	return rc;
}

void petrel_dtls13_traffic_keys_wipe(struct petrel_dtls13_traffic_keys *keys)
{
	if (keys != NULL)
		petrel_wipe(keys, sizeof *keys);
}

int petrel_dtls13_finished(enum petrel_hash_alg hash, const char *prefix,
			   const uint8_t *base_key, const uint8_t *transcript_hash,
			   uint8_t *verify_data)
{
	uint8_t finished_key[PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(hash);
	if (transcript_hash == NULL || verify_data == NULL)
		return PETREL_E_INVALID_REQUEST;
	int rc = petrel_dtls13_expand_label(hash, prefix, base_key, "finished", NULL, 0,
					    finished_key, hash_len);
	if (rc == 0)
		petrel_hmac(hash, finished_key, hash_len, transcript_hash, hash_len, verify_data);
	petrel_wipe(finished_key, sizeof finished_key);
	return rc;
}

int petrel_dtls13_finished_check(enum petrel_hash_alg hash, const char *prefix,
				 const uint8_t *base_key, const uint8_t *transcript_hash,
				 const uint8_t *received, size_t received_len)
{
	uint8_t expect[PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(hash);
	int rc = petrel_dtls13_finished(hash, prefix, base_key, transcript_hash, expect);
	if (rc < 0)
		return rc;
	/* RFC 8446 4.4.4: verify_data is exactly Hash.length bytes. */
	rc = received != NULL && received_len == hash_len &&
			     petrel_ct_equal(expect, received, hash_len)
		     ? 0
		     : PETREL_E_DECRYPTION_FAILED;
	petrel_wipe(expect, sizeof expect);
	return rc;
}

int petrel_dtls13_next_traffic_secret(enum petrel_hash_alg hash, const char *prefix,
				      uint8_t *secret)
{
	uint8_t next[PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(hash);
	int rc = petrel_dtls13_expand_label(hash, prefix, secret, "traffic upd", NULL, 0, next,
					    hash_len);
	if (rc == 0)
		memcpy(secret, next, hash_len);
	petrel_wipe(next, sizeof next);
	return rc;
}

int petrel_dtls13_export(enum petrel_hash_alg hash, const char *prefix,
			 const uint8_t *exporter_master, const char *label,
			 const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
	uint8_t context_hash[PETREL_MAX_HASH_LEN];
	uint8_t secret[PETREL_MAX_HASH_LEN];
	if ((context == NULL && context_len > 0) || petrel_hash_len(hash) == 0)
		return PETREL_E_INVALID_REQUEST;
	petrel_hash(hash, context, context_len, context_hash);
	int rc = petrel_dtls13_derive_secret(hash, prefix, exporter_master, label, empty_hash(hash),
					     secret);
	if (rc == 0)
		rc = petrel_dtls13_expand_label(hash, prefix, secret, "exporter", context_hash,
						petrel_hash_len(hash), out, out_len);
	petrel_wipe(secret, sizeof secret);
	return rc;
}

int petrel_dtls13_ticket_psk(enum petrel_hash_alg hash, const char *prefix,
			     const uint8_t *resumption_master, const uint8_t *nonce,
			     size_t nonce_len, uint8_t *psk)
{
	return petrel_dtls13_expand_label(hash, prefix, resumption_master, "resumption", nonce,
					  nonce_len, psk, petrel_hash_len(hash));
}
