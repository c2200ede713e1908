/* Pieces both handshake roles use: signature schemes, peer certificate
 * checks, ALPN encoding and the client's resumption data. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/name_fold.h"
#include "crypto/sig.h"
#include "dtls/session.h"
#include "dtls/dispatch.h"
#include "dtls13/ticket13.h"
#include "x509/x509.h"

static const uint16_t our_schemes[] = {
	PETREL_SIG_ED25519,
	PETREL_SIG_ECDSA_SECP256R1_SHA256,
	PETREL_SIG_ECDSA_SECP384R1_SHA384,
	PETREL_SIG_RSA_PSS_RSAE_SHA256,
	PETREL_SIG_RSA_PSS_RSAE_SHA384,
	PETREL_SIG_RSA_PKCS1_SHA256,
	PETREL_SIG_RSA_PKCS1_SHA384,
};

size_t petrel_our_sig_schemes(uint16_t *out, size_t cap)
{
	size_t n = sizeof our_schemes / sizeof our_schemes[0];
	if (n > cap)
		n = cap;
	memcpy(out, our_schemes, n * sizeof out[0]);
	return n;
}

enum petrel_msg_kx petrel_msg_kx_of(const struct petrel_suite *suite)
{
	switch (suite->kx) {
	case PETREL_KX_PSK: return PETREL_MSG_KX_PSK;
	case PETREL_KX_ECDHE_PSK: return PETREL_MSG_KX_ECDHE_PSK;
	default: return PETREL_MSG_KX_ECDHE;
	}
}

int petrel_store_peer_chain(struct petrel_hs *hs, const struct petrel_certificate_msg *msg)
{
	if (msg->count > PETREL_MAX_CHAIN)
		return PETREL_E_LIMIT_EXCEEDED;
	for (size_t i = 0; i < hs->peer_chain_count; i++)
		free(hs->peer_chain[i]);
	hs->peer_chain_count = 0;
	for (size_t i = 0; i < msg->count; i++) {
		uint8_t *copy = malloc(msg->certs[i].der_len);
		if (copy == NULL)
			return PETREL_E_MEMORY;
		memcpy(copy, msg->certs[i].der, msg->certs[i].der_len);
		hs->peer_chain[i] = copy;
		hs->peer_chain_len[i] = msg->certs[i].der_len;
		hs->peer_chain_count = i + 1;
	}
	return 0;
}

static int64_t wall_seconds(const petrel_session *s)
{
	return s->wall_clock ? s->wall_clock() : (int64_t)time(NULL);
}

int petrel_verify_peer(petrel_session *s, bool peer_is_server)
{
	struct petrel_hs *hs = s->hs;
	if (hs->peer_chain_count == 0)
		return PETREL_E_NO_CERTIFICATE;
	struct petrel_x509_cert leaf;
	int rc = petrel_x509_parse(hs->peer_chain[0], hs->peer_chain_len[0], &leaf);
	if (rc < 0)
		return rc;
	if (leaf.pubkey.type == PETREL_KEY_NONE)
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	hs->peer_key = leaf.pubkey; /* points into peer_chain[0] */
	switch (s->verify_mode) {
	case PETREL_VERIFY_NONE:
		return 0;
	case PETREL_VERIFY_PIN:
		return petrel_x509_check_pin_cert(hs->peer_chain[0], hs->peer_chain_len[0], s->pin);
	case PETREL_VERIFY_PIN_SPKI:
		return petrel_x509_check_pin_spki(&leaf, s->pin);
	default:
		break;
	}
	struct petrel_credentials *creds = s->creds;
	struct petrel_x509_store system_store;
	const struct petrel_x509_store *store = creds ? creds->trust : NULL;
	bool own_store = false;
	if (store == NULL) {
		petrel_x509_store_init(&system_store);
		if (petrel_x509_store_load_file(&system_store, NULL) < 0) {
			petrel_x509_store_free(&system_store);
			return PETREL_E_CERT_UNTRUSTED;
		}
		store = &system_store;
		own_store = true;
	}
	struct petrel_x509_verify_params params = {
		.now = wall_seconds(s),
		.host = peer_is_server ? s->server_name : NULL,
		.purpose = peer_is_server ? PETREL_X509_PURPOSE_SERVER : PETREL_X509_PURPOSE_CLIENT,
	};
	rc = petrel_x509_verify_chain_der((const uint8_t *const *)hs->peer_chain, hs->peer_chain_len,
					  hs->peer_chain_count, store, &params);
	if (own_store)
		petrel_x509_store_free(&system_store);
	return rc;
}

int petrel_pick_sig_scheme(const petrel_session *s, const uint16_t *peer_schemes, size_t count,
			   uint16_t *scheme)
{
	if (s->creds == NULL || s->creds->key == NULL)
		return PETREL_E_NO_CERTIFICATE;
	uint16_t mine[8];
	size_t n = petrel_privkey_schemes(s->creds->key, mine, 8);
	for (size_t i = 0; i < n; i++) {
		if (count == 0) {
			/* No signature_algorithms: RFC 5246 7.4.1.4.1 defaults to
			 * SHA-1, which we do not do; use our first choice. */
			*scheme = mine[i];
			return 0;
		}
		for (size_t j = 0; j < count; j++)
			if (peer_schemes[j] == mine[i]) {
				*scheme = mine[i];
				return 0;
			}
	}
	/* In TLS 1.2 an ECDSA code point names the hash, not the curve (RFC
	 * 5246 7.4.1.4.1; the curve is the key's): a P-256 key may answer a
	 * peer that offers only ecdsa_secp384r1_sha384 (OpenSSL -sigalgs
	 * ECDSA+SHA384), in the peer's order of preference. */
	for (size_t j = 0; j < count; j++) {
		enum petrel_sig_kind kind;
		enum petrel_hash_alg hash;
		if (petrel_sig_scheme_info(peer_schemes[j], &kind, &hash) == 0 &&
		    kind == PETREL_SIG_KIND_ECDSA &&
		    petrel_sig_kind_fits_key(kind, petrel_privkey_type(s->creds->key))) {
			*scheme = peer_schemes[j];
			return 0;
		}
	}
	return PETREL_E_HANDSHAKE_FAILURE;
}

int petrel_alpn_encode(const char *list, uint8_t *buf, size_t cap, size_t *len)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	const char *p = list;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n > 255)
			return PETREL_E_INVALID_REQUEST;
		if (!petrel_put_opaque8(&w, (const uint8_t *)p, n))
			return PETREL_E_INVALID_REQUEST;
		p += n;
		if (*p == ',')
			p++;
	}
	*len = petrel_writer_len(&w);
	return *len ? 0 : PETREL_E_INVALID_REQUEST;
}

void petrel_hs_random(struct petrel_hs *hs, void *out, size_t len)
{
	if (len > sizeof hs->rand_pool) {
		petrel_random(out, len);
		return;
	}
	if (len > hs->rand_left) {
		petrel_random(hs->rand_pool, sizeof hs->rand_pool);
		hs->rand_left = sizeof hs->rand_pool;
	}
	/* Taken from the end, and wiped there: no byte is handed out twice. */
	uint8_t *p = hs->rand_pool + hs->rand_left - len;
	memcpy(out, p, len);
	petrel_wipe(p, len);
	hs->rand_left = (uint8_t)(hs->rand_left - len);
}

/* Client resumption blob: version(1)=2 suite(2) ems(1) master(48)
 * session_id<0..32> ticket<0..2^16-1> server_name<0..2^16-1> (the name
 * the client connected to, empty: none; RFC 6066 3). Version 1 (no
 * server_name) is still read, so that petrel_session_set_data takes
 * it, but never offered: a full handshake, with or without a name. */
#define RESUME_BLOB_VERSION_OLD 1
#define RESUME_BLOB_VERSION 2
int petrel_resume_parse(const uint8_t *blob, size_t len, struct petrel_resume_data *out)
{
	struct petrel_reader r;
	petrel_reader_init(&r, blob, len);
	uint8_t version, ems;
	out->server_name = NULL;
	out->server_name_len = 0;
	out->name_recorded = false;
	if (!petrel_get_u8(&r, &version) ||
	    (version != RESUME_BLOB_VERSION_OLD && version != RESUME_BLOB_VERSION) ||
	    !petrel_get_u16(&r, &out->suite_id) ||
	    !petrel_get_u8(&r, &ems) || !petrel_get_copy(&r, out->master, PETREL_MASTER_SECRET_LEN) ||
	    !petrel_get_opaque8(&r, &out->session_id, &out->session_id_len) ||
	    !petrel_get_opaque16(&r, &out->ticket, &out->ticket_len))
		return PETREL_E_INVALID_REQUEST;
	if (version == RESUME_BLOB_VERSION &&
	    !petrel_get_opaque16(&r, &out->server_name, &out->server_name_len))
		return PETREL_E_INVALID_REQUEST;
	out->name_recorded = version == RESUME_BLOB_VERSION;
	if (!petrel_reader_done(&r))
		return PETREL_E_INVALID_REQUEST;
	if (out->session_id_len > PETREL_SESSION_ID_MAX || petrel_suite_by_id(out->suite_id) == NULL)
		return PETREL_E_INVALID_REQUEST;
	out->ems = ems != 0;
	return 0;
}

bool petrel_resume_offerable(const struct petrel_resume_data *d, const char *server_name)
{
	/* The same name up to ASCII case (RFC 4343 3), as the server's
	 * binding (dtls13/ticket13.c petrel_ticket13_binding). */
	size_t name_len = server_name ? strlen(server_name) : 0;
	return d->ems && d->name_recorded &&
	       petrel_host_name_equal((const uint8_t *)server_name, name_len, d->server_name,
				      d->server_name_len);
}

int petrel_session_get_data(const petrel_session *s, uint8_t *buf, size_t *len)
{
	if (s->version == PETREL_V_DTLS13) /* a ticket's blob (dtls13/ticket13.h) */
		return petrel_ticket13_session_data(s, buf, len);
	if (!s->established || s->suite == NULL || len == NULL)
		return PETREL_E_INVALID_REQUEST;
	size_t name_len = s->server_name ? strlen(s->server_name) : 0;
	if (name_len > 0xFFFF)
		return PETREL_E_INVALID_REQUEST;
	size_t need = 1 + 2 + 1 + PETREL_MASTER_SECRET_LEN + 1 + s->session_id_len + 2 +
		      s->ticket_len + 2 + name_len;
	if (buf == NULL) {
		*len = need;
		return 0;
	}
	if (*len < need) {
		*len = need;
		return PETREL_E_SHORT_BUFFER;
	}
	struct petrel_writer w;
	petrel_writer_init(&w, buf, *len);
	petrel_put_u8(&w, RESUME_BLOB_VERSION);
	petrel_put_u16(&w, s->suite->id);
	petrel_put_u8(&w, s->ems ? 1 : 0);
	petrel_put_bytes(&w, s->master, PETREL_MASTER_SECRET_LEN);
	petrel_put_opaque8(&w, s->session_id, s->session_id_len);
	petrel_put_opaque16(&w, s->ticket, s->ticket_len);
	petrel_put_opaque16(&w, (const uint8_t *)s->server_name, name_len);
	if (!petrel_writer_ok(&w))
		return PETREL_E_INTERNAL;
	*len = petrel_writer_len(&w);
	return 0;
}

int petrel_session_set_data(petrel_session *s, const uint8_t *buf, size_t len)
{
	struct petrel_resume_data data;
	if (s->role != PETREL_CLIENT || buf == NULL ||
	    (petrel_resume_parse(buf, len, &data) < 0 && !petrel_ticket13_is_blob(buf, len)))
		return PETREL_E_INVALID_REQUEST;
	uint8_t *copy = malloc(len);
	if (copy == NULL)
		return PETREL_E_MEMORY;
	memcpy(copy, buf, len);
	if (s->resume_blob) {
		petrel_wipe(s->resume_blob, s->resume_blob_len);
		free(s->resume_blob);
	}
	s->resume_blob = copy;
	s->resume_blob_len = len;
	return 0;
}

int petrel_hs_add_peer_message(struct petrel_hs *hs, const struct petrel_hs_message *m)
{
	return petrel_hs_transcript_add_message(hs, m->header, m->body, m->length);
}

int petrel_hs_derive_keys(struct petrel_hs *hs)
{
	int rc = petrel_prf_key_init(&hs->master_key, hs->suite->prf_hash, hs->master,
				     PETREL_MASTER_SECRET_LEN);
	if (rc < 0)
		return rc;
	return petrel_derive_epoch_keys(hs->suite, &hs->master_key, hs->client_random,
					hs->server_random, &hs->client_write, &hs->server_write);
}

static int append_finished(petrel_session *s, uint16_t epoch)
{
	struct petrel_hs *hs = s->hs;
	uint8_t hash[PETREL_MAX_HASH_LEN], verify[PETREL_VERIFY_DATA_LEN];
	petrel_hs_transcript_hash(hs, hs->suite->prf_hash, hash);
	int rc = petrel_finished_verify_data(&hs->master_key, s->role == PETREL_CLIENT, hash,
					     petrel_hash_len(hs->suite->prf_hash), verify);
	if (rc < 0)
		return rc;
	return petrel_hs_append_message(s, PETREL_HS_FINISHED, verify, sizeof verify, epoch);
}

/* CCS + Finished: the end of both roles' last flights. */
int petrel_hs_append_ccs_finished(petrel_session *s)
{
	struct petrel_hs *hs = s->hs;
	uint16_t epoch = petrel_rl_write_epoch(&s->rl);
	int rc = petrel_flight_add_ccs(&hs->flight, epoch);
	if (rc < 0)
		return rc;
	rc = petrel_install_keys(s, true);
	if (rc < 0)
		return rc;
	return append_finished(s, (uint16_t)(epoch + 1));
}

int petrel_hs_check_peer_finished(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	const uint8_t *verify;
	int rc = petrel_finished_parse(m->body, m->length, &verify);
	if (rc < 0)
		return rc;
	uint8_t hash[PETREL_MAX_HASH_LEN], expected[PETREL_VERIFY_DATA_LEN];
	petrel_hs_transcript_hash(hs, hs->suite->prf_hash, hash);
	/* The peer's verify_data: labelled by the peer's role (RFC 5246 7.4.9). */
	rc = petrel_finished_verify_data(&hs->master_key, s->role == PETREL_SERVER, hash,
					 petrel_hash_len(hs->suite->prf_hash), expected);
	if (rc < 0)
		return rc;
	if (!petrel_ct_equal(expected, verify, PETREL_VERIFY_DATA_LEN))
		return PETREL_E_DECRYPTION_FAILED;
	return petrel_hs_add_peer_message(hs, m);
}

int petrel_hs_send_ccs_finished(petrel_session *s, uint64_t now_ms)
{
	int rc = petrel_hs_append_ccs_finished(s);
	if (rc < 0)
		return rc;
	rc = petrel_hs_send_flight(s, now_ms, false);
	/* LARGE_PACKET: the flight stays pending and goes at the next call. */
	return rc == PETREL_E_LARGE_PACKET ? 0 : rc;
}

int petrel_hs_done(petrel_session *s, const struct petrel_hs_message *peer_finished, uint64_t now_ms)
{
	s->hs->state = HS_DONE;
	/* Whoever sent the last flight keeps it (RFC 6347 4.2.4); the engine
	 * resends it when the peer repeats a message up to its Finished, so
	 * it must know that message_seq. */
	uint16_t last_peer_seq = peer_finished->message_seq;
	int rc = petrel_hs_finish(s, now_ms);
	if (s->final)
		s->final->last_peer_seq = last_peer_seq;
	return rc;
}

int petrel_hs_compute_master(petrel_session *s)
{
	struct petrel_hs *hs = s->hs;
	uint8_t premaster[PETREL_MAX_PREMASTER_LEN];
	size_t premaster_len = hs->premaster_len;
	int rc = 0;
	if (petrel_suite_uses_psk(hs->suite)) {
		rc = petrel_psk_premaster(hs->suite->kx == PETREL_KX_ECDHE_PSK ? hs->premaster : NULL,
					  hs->premaster_len, hs->psk->key, hs->psk->key_len, premaster,
					  sizeof premaster, &premaster_len);
	} else {
		memcpy(premaster, hs->premaster, premaster_len);
	}
	if (rc == 0) {
		uint8_t session_hash[PETREL_MAX_HASH_LEN];
		/* RFC 7627 3: session_hash covers messages up to ClientKeyExchange. */
		petrel_hs_transcript_hash(hs, hs->suite->prf_hash, session_hash);
		rc = petrel_master_secret(hs->suite->prf_hash, premaster, premaster_len,
					  hs->ems ? session_hash : NULL, hs->client_random,
					  hs->server_random, hs->master);
	}
	petrel_wipe(premaster, sizeof premaster);
	petrel_wipe(hs->premaster, sizeof hs->premaster);
	if (rc == 0)
		rc = petrel_hs_derive_keys(hs);
	return rc;
}

