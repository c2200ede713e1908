/* Credentials: our key and chain (parsed once), trust anchors, PSKs, and
 * the server's cookie and ticket secrets. Shared by many sessions. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtls/session.h"
#include "x509/x509.h"

int petrel_credentials_new(petrel_credentials **out)
{
	if (out == NULL)
		return PETREL_E_INVALID_REQUEST;
	petrel_credentials *c = calloc(1, sizeof *c);
	if (c == NULL)
		return PETREL_E_MEMORY;
	petrel_random(c->cookie_secret, sizeof c->cookie_secret);
	petrel_random(c->cookie_secret_prev, sizeof c->cookie_secret_prev);
	petrel_ticket_keys_init_random(&c->ticket_keys);
	*out = c;
	return 0;
}

void petrel_credentials_set_session_cache(petrel_credentials *c, petrel_db_store_fn store,
					  petrel_db_retrieve_fn retrieve, petrel_db_remove_fn remove,
					  void *ptr)
{
	c->db_store = store;
	c->db_retrieve = retrieve;
	c->db_remove = remove;
	c->db_ptr = ptr;
}

void petrel_credentials_rotate_cookie_secret(petrel_credentials *c)
{
	memcpy(c->cookie_secret_prev, c->cookie_secret, sizeof c->cookie_secret);
	petrel_random(c->cookie_secret, sizeof c->cookie_secret);
}

static void clear_chain(petrel_credentials *c)
{
	for (size_t i = 0; i < c->chain_count; i++)
		free(c->chain_der[i]);
	c->chain_count = 0;
	petrel_privkey_free(c->key);
	c->key = NULL;
	free(c->rpk_spki);
	c->rpk_spki = NULL;
	c->rpk_spki_len = 0;
}

/* The own key as a SubjectPublicKeyInfo, made once per key: what a raw
 * public key Certificate carries (RFC 7250 3) and what peers pin. */
static int set_own_spki(petrel_credentials *c)
{
	uint8_t der[1200]; /* RSA-8192 fits */
	size_t len;
	struct petrel_pubkey pub;
	petrel_privkey_public(c->key, &pub);
	int rc = petrel_x509_spki_encode(&pub, der, sizeof der, &len);
	if (rc < 0)
		return rc;
	c->rpk_spki = malloc(len);
	if (c->rpk_spki == NULL)
		return PETREL_E_MEMORY;
	memcpy(c->rpk_spki, der, len);
	c->rpk_spki_len = len;
	return 0;
}

int petrel_credentials_set_raw_key_mem(petrel_credentials *c, const char *key_pem, size_t key_len)
{
	if (c == NULL || key_pem == NULL)
		return PETREL_E_INVALID_REQUEST;
	clear_chain(c);
	int rc = petrel_x509_privkey_from_pem(key_pem, key_len, &c->key);
	if (rc == 0)
		rc = set_own_spki(c);
	if (rc < 0)
		clear_chain(c);
	return rc;
}

int petrel_credentials_set_raw_key_file(petrel_credentials *c, const char *key_file)
{
	if (c == NULL || key_file == NULL)
		return PETREL_E_INVALID_REQUEST;
	uint8_t *key = NULL;
	size_t key_len = 0;
	int rc = petrel_x509_read_file(key_file, &key, &key_len);
	if (rc == 0)
		rc = petrel_credentials_set_raw_key_mem(c, (const char *)key, key_len);
	if (key) {
		petrel_wipe(key, key_len);
		free(key);
	}
	return rc;
}

int petrel_credentials_get_spki(const petrel_credentials *c, const uint8_t **der, size_t *len)
{
	if (c == NULL || der == NULL || len == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (c->rpk_spki == NULL)
		return PETREL_E_NO_CERTIFICATE;
	*der = c->rpk_spki;
	*len = c->rpk_spki_len;
	return 0;
}

int petrel_credentials_get_spki_sha256(const petrel_credentials *c, uint8_t out[32])
{
	const uint8_t *der;
	size_t len;
	int rc = petrel_credentials_get_spki(c, &der, &len);
	if (rc == 0)
		petrel_hash(PETREL_HASH_SHA256, der, len, out);
	return rc;
}

void petrel_credentials_free(petrel_credentials *c)
{
	if (c == NULL)
		return;
	clear_chain(c);
	if (c->trust) {
		petrel_x509_store_free(c->trust);
		free(c->trust);
	}
	petrel_wipe(c, sizeof *c);
	free(c);
}

static int add_chain_der(petrel_credentials *c, const uint8_t *der, size_t len)
{
	if (c->chain_count == PETREL_MAX_CHAIN)
		return PETREL_E_LIMIT_EXCEEDED;
	struct petrel_x509_cert cert;
	int rc = petrel_x509_parse(der, len, &cert);
	if (rc < 0)
		return rc;
	uint8_t *copy = malloc(len);
	if (copy == NULL)
		return PETREL_E_MEMORY;
	memcpy(copy, der, len);
	c->chain_der[c->chain_count] = copy;
	c->chain_len[c->chain_count] = len;
	c->chain_count++;
	return 0;
}

int petrel_credentials_set_key_mem(petrel_credentials *c, const char *cert_pem, size_t cert_len,
				   const char *key_pem, size_t key_len)
{
	if (c == NULL || cert_pem == NULL || key_pem == NULL)
		return PETREL_E_INVALID_REQUEST;
	clear_chain(c);
	struct petrel_privkey *key;
	int rc = petrel_x509_privkey_from_pem(key_pem, key_len, &key);
	if (rc < 0)
		return rc;
	c->key = key;
	size_t pos = 0;
	char label[PETREL_PEM_LABEL_MAX];
	for (;;) {
		uint8_t *der = NULL;
		size_t der_len = 0;
		rc = petrel_pem_next(cert_pem, cert_len, &pos, label, &der, &der_len);
		if (rc <= 0)
			break;
		if (strcmp(label, "CERTIFICATE") == 0)
			rc = add_chain_der(c, der, der_len);
		free(der);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		clear_chain(c);
		return rc;
	}
	if (c->chain_count == 0) {
		clear_chain(c);
		return PETREL_E_NO_CERTIFICATE;
	}
	if ((rc = set_own_spki(c)) < 0)
		clear_chain(c);
	return rc;
}

int petrel_credentials_set_key_file(petrel_credentials *c, const char *cert_file, const char *key_file)
{
	uint8_t *cert = NULL, *key = NULL;
	size_t cert_len, key_len;
	int rc = petrel_x509_read_file(cert_file, &cert, &cert_len);
	if (rc == 0)
		rc = petrel_x509_read_file(key_file, &key, &key_len);
	if (rc == 0)
		rc = petrel_credentials_set_key_mem(c, (const char *)cert, cert_len, (const char *)key, key_len);
	free(cert);
	if (key) {
		petrel_wipe(key, key_len);
		free(key);
	}
	return rc;
}

int petrel_credentials_generate(petrel_credentials *c, int keytype, const char *common_name)
{
	if (c == NULL || common_name == NULL)
		return PETREL_E_INVALID_REQUEST;
	enum petrel_key_type type;
	if (keytype == PETREL_KEYTYPE_ECDSA_P256)
		type = PETREL_KEY_EC_P256;
	else if (keytype == PETREL_KEYTYPE_ED25519)
		type = PETREL_KEY_ED25519;
	else
		return PETREL_E_UNSUPPORTED;
	clear_chain(c);
	int rc = petrel_privkey_generate(type, &c->key);
	if (rc < 0)
		return rc;
	int64_t now = (int64_t)time(NULL);
	/* Backdated a day against clock skew; WebRTC-style 30-day lifetime. */
	struct petrel_x509_selfsign_params params = {common_name, now - 86400, now + 30 * 86400};
	uint8_t der[PETREL_X509_SELFSIGN_MAX];
	size_t der_len;
	rc = petrel_x509_selfsign(c->key, &params, der, sizeof der, &der_len);
	if (rc == 0)
		rc = add_chain_der(c, der, der_len);
	if (rc == 0)
		rc = set_own_spki(c);
	if (rc < 0)
		clear_chain(c);
	return rc;
}

int petrel_credentials_get_fingerprint(const petrel_credentials *c, uint8_t out[32])
{
	if (c == NULL || c->chain_count == 0)
		return PETREL_E_NO_CERTIFICATE;
	petrel_hash(PETREL_HASH_SHA256, c->chain_der[0], c->chain_len[0], out);
	return 0;
}

int petrel_credentials_set_trust_file(petrel_credentials *c, const char *file)
{
	struct petrel_x509_store *store = calloc(1, sizeof *store);
	if (store == NULL)
		return PETREL_E_MEMORY;
	petrel_x509_store_init(store);
	int rc = petrel_x509_store_load_file(store, file);
	if (rc < 0 || store->count == 0) {
		/* A file that was read but held only certificates we could not
		 * parse is a certificate error, not a read error. */
		int err = rc < 0 ? rc : store->skipped ? PETREL_E_BAD_CERTIFICATE : PETREL_E_FILE_ERROR;
		petrel_x509_store_free(store);
		free(store);
		return err;
	}
	if (c->trust) {
		petrel_x509_store_free(c->trust);
		free(c->trust);
	}
	c->trust = store;
	return 0;
}

int petrel_credentials_set_psk(petrel_credentials *c, const char *identity, const uint8_t *key,
			       size_t key_len)
{
	if (c == NULL || identity == NULL || key == NULL || key_len == 0 || key_len > PETREL_MAX_PSK_LEN)
		return PETREL_E_INVALID_REQUEST;
	size_t id_len = strlen(identity);
	/* Below PETREL_MAX_PSK_IDENTITY: room for the NUL that
	 * petrel_session_get_psk_identity hands out. */
	if (id_len == 0 || id_len >= PETREL_MAX_PSK_IDENTITY)
		return PETREL_E_INVALID_REQUEST;
	if (c->psk_count == PETREL_MAX_PSKS)
		return PETREL_E_LIMIT_EXCEEDED;
	struct petrel_psk_entry *e = &c->psks[c->psk_count++];
	memcpy(e->identity, identity, id_len);
	e->identity_len = id_len;
	memcpy(e->key, key, key_len);
	e->key_len = key_len;
	return 0;
}

void petrel_credentials_set_psk_function(petrel_credentials *c, petrel_psk_lookup_fn lookup, void *ptr)
{
	if (c == NULL)
		return;
	c->psk_lookup = lookup;
	c->psk_lookup_ptr = ptr;
}

int petrel_credentials_set_psk_hint(petrel_credentials *c, const char *hint)
{
	if (c == NULL)
		return PETREL_E_INVALID_REQUEST;
	size_t len = hint ? strlen(hint) : 0;
	if (len > sizeof c->psk_hint)
		return PETREL_E_INVALID_REQUEST;
	if (len)
		memcpy(c->psk_hint, hint, len);
	c->psk_hint_len = len;
	return 0;
}
