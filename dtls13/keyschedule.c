/* The TLS 1.3 key schedule with DTLS 1.3's labels (see dtls13/keyschedule.h). */
#include "dtls13/keyschedule.h"

#include <string.h>

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

/* Derive-Secret(secret, label, "") : the context is Hash of nothing. */
static int derive_empty(const struct petrel_dtls13_ks *ks, const uint8_t *secret,
			const char *label, uint8_t *out)
{
	uint8_t empty_hash[PETREL_MAX_HASH_LEN];
	petrel_hash(ks->hash, NULL, 0, empty_hash);
	return petrel_dtls13_derive_secret(ks->hash, ks->prefix, secret, label, empty_hash, out);
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
	/* RFC 8446 7.1: without a PSK the input is a string of HashLen zeros. */
	if (psk == NULL) {
		psk = zeros;
		psk_len = ks->hash_len;
	}
	petrel_hkdf_extract(hash, NULL, 0, psk, psk_len, ks->early_secret);
	ks->stage = PETREL_KS_EARLY;
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
	if (ks == NULL || ks->stage != PETREL_KS_EARLY || th_ch_sh == NULL ||
	    (ecdhe == NULL && ecdhe_len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (ecdhe == NULL) {
		ecdhe = zeros;
		ecdhe_len = ks->hash_len;
	}
	int rc = derive_empty(ks, ks->early_secret, "derived", salt);
	if (rc < 0)
		return rc;
	petrel_hkdf_extract(ks->hash, salt, ks->hash_len, ecdhe, ecdhe_len, ks->handshake_secret);
	petrel_wipe(salt, sizeof salt);
	rc = petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->handshake_secret,
					 "c hs traffic", th_ch_sh, ks->client_handshake_traffic);
	if (rc == 0)
		rc = petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->handshake_secret,
						 "s hs traffic", th_ch_sh,
						 ks->server_handshake_traffic);
	if (rc < 0)
		return rc;
	ks->stage = PETREL_KS_HANDSHAKE;
	return 0;
}

int petrel_dtls13_ks_master(struct petrel_dtls13_ks *ks, const uint8_t *th_ch_sf)
{
	static const uint8_t zeros[PETREL_MAX_HASH_LEN];
	uint8_t salt[PETREL_MAX_HASH_LEN];
	if (ks == NULL || ks->stage != PETREL_KS_HANDSHAKE || th_ch_sf == NULL)
		return PETREL_E_INVALID_REQUEST;
	int rc = derive_empty(ks, ks->handshake_secret, "derived", salt);
	if (rc < 0)
		return rc;
	petrel_hkdf_extract(ks->hash, salt, ks->hash_len, zeros, ks->hash_len, ks->master_secret);
	petrel_wipe(salt, sizeof salt);
	rc = petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->master_secret, "c ap traffic",
					 th_ch_sf, ks->client_application_traffic);
	if (rc == 0)
		rc = petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->master_secret,
						 "s ap traffic", th_ch_sf,
						 ks->server_application_traffic);
	if (rc == 0)
		rc = petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->master_secret,
						 "exp master", th_ch_sf, ks->exporter_master);
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
	int rc = petrel_dtls13_derive_secret(ks->hash, ks->prefix, ks->master_secret, "res master",
					     th_ch_cf, ks->resumption_master);
	if (rc < 0)
		return rc;
	/* The master secret has given all it gives. */
	petrel_wipe(ks->master_secret, sizeof ks->master_secret);
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
	/* RFC 8446 7.3 and RFC 9147 4.2.3: key, iv and sn from one secret. */
	int rc = petrel_dtls13_expand_label(hash, prefix, traffic_secret, "key", NULL, 0, out->key,
					    key_len);
	if (rc == 0)
		rc = petrel_dtls13_expand_label(hash, prefix, traffic_secret, "iv", NULL, 0, out->iv,
						PETREL_AEAD_NONCE_LEN);
	if (rc == 0)
		rc = petrel_dtls13_expand_label(hash, prefix, traffic_secret, "sn", NULL, 0,
						out->sn_key, key_len);
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
	uint8_t empty_hash[PETREL_MAX_HASH_LEN], context_hash[PETREL_MAX_HASH_LEN];
	uint8_t secret[PETREL_MAX_HASH_LEN];
	if (context == NULL && context_len > 0)
		return PETREL_E_INVALID_REQUEST;
	petrel_hash(hash, NULL, 0, empty_hash);
	petrel_hash(hash, context, context_len, context_hash);
	int rc = petrel_dtls13_derive_secret(hash, prefix, exporter_master, label, empty_hash,
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
