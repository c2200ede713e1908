/* Shared pieces of the DTLS 1.3 handshake cores (see hs13.h). */
#include <stdlib.h>
#include <string.h>

#include "dtls13/hs13.h"
#include "petrel/petrel.h"
#include "x509/x509.h"

static const uint16_t default_suites[] = {PETREL_TLS13_AES_128_GCM_SHA256,
					  PETREL_TLS13_CHACHA20_POLY1305_SHA256,
					  PETREL_TLS13_AES_256_GCM_SHA384};
static const uint16_t default_groups[] = {PETREL_GROUP_X25519, PETREL_GROUP_SECP256R1};

const uint16_t *petrel_hs13_suites(const struct petrel_hs13_config *cfg, size_t *count)
{
	if (cfg->suites != NULL && cfg->suite_count > 0) {
		*count = cfg->suite_count > PETREL_HS13_MAX_SUITES ? PETREL_HS13_MAX_SUITES
								   : cfg->suite_count;
		return cfg->suites;
	}
	*count = sizeof default_suites / sizeof default_suites[0];
	return default_suites;
}

const uint16_t *petrel_hs13_groups(const struct petrel_hs13_config *cfg, size_t *count)
{
	if (cfg->groups != NULL && cfg->group_count > 0) {
		*count = cfg->group_count > PETREL_HS13_MAX_GROUPS ? PETREL_HS13_MAX_GROUPS
								   : cfg->group_count;
		return cfg->groups;
	}
	*count = sizeof default_groups / sizeof default_groups[0];
	return default_groups;
}

void petrel_hs13_output_init(struct petrel_hs13_output *out)
{
	memset(out, 0, sizeof *out);
}

void petrel_hs13_output_reset(struct petrel_hs13_output *out)
{
	for (size_t i = 0; i < out->msg_count; i++) {
		/* CertificateVerify and Finished are public, but wipe anyway:
		 * cheap and keeps the rule simple. */
		petrel_wipe(out->msgs[i].body, out->msgs[i].len);
		free(out->msgs[i].body);
	}
	petrel_wipe(out->keys, sizeof out->keys);
	memset(out, 0, sizeof *out);
}

int petrel_hs13_out_begin(struct petrel_hs13_output *out, size_t cap, struct petrel_writer *w)
{
	if (out->msg_count >= PETREL_HS13_MAX_OUT_MSGS)
		return PETREL_E_LIMIT_EXCEEDED;
	uint8_t *buf = malloc(cap ? cap : 1);
	if (buf == NULL)
		return PETREL_E_MEMORY;
	petrel_writer_init(w, buf, cap);
	return 0;
}

int petrel_hs13_out_commit(struct petrel_hs13_output *out, uint8_t type, uint16_t epoch,
			   struct petrel_writer *w)
{
	if (!petrel_writer_ok(w)) {
		free(w->start);
		return PETREL_E_SHORT_BUFFER;
	}
	struct petrel_hs13_out_msg *m = &out->msgs[out->msg_count++];
	m->type = type;
	m->epoch = epoch;
	m->body = w->start;
	m->len = petrel_writer_len(w);
	return 0;
}

void petrel_hs13_out_key(struct petrel_hs13_output *out, bool write, uint16_t epoch,
			 const uint8_t *secret, size_t len)
{
	if (out->key_count >= PETREL_HS13_MAX_KEY_CHANGES || len > PETREL_MAX_HASH_LEN)
		return; /* bounded by construction: at most 4 per step */
	struct petrel_hs13_key_change *k = &out->keys[out->key_count++];
	k->write = write;
	k->epoch = epoch;
	k->write_before = out->msg_count;
	memcpy(k->secret, secret, len);
	k->secret_len = len;
}

uint8_t petrel_hs13_alert_for(int rc)
{
	switch (rc) {
	case PETREL_E_DECODE_ERROR:
		return PETREL_ALERT13_DECODE_ERROR;
	case PETREL_E_ILLEGAL_PARAMETER:
	case PETREL_E_BAD_COOKIE:
		return PETREL_ALERT13_ILLEGAL_PARAMETER;
	case PETREL_E_UNEXPECTED_MESSAGE:
		return PETREL_ALERT13_UNEXPECTED_MESSAGE;
	case PETREL_E_DECRYPTION_FAILED:
	case PETREL_E_SIGNATURE_INVALID:
		return PETREL_ALERT13_DECRYPT_ERROR; /* RFC 8446 4.4.3, 4.4.4 */
	case PETREL_E_PROTOCOL_VERSION:
		return PETREL_ALERT13_PROTOCOL_VERSION;
	case PETREL_E_UNKNOWN_PSK_IDENTITY:
		return PETREL_ALERT13_UNKNOWN_PSK_IDENTITY;
	case PETREL_E_NO_CERTIFICATE:
		return PETREL_ALERT13_CERTIFICATE_REQUIRED;
	case PETREL_E_CERT_EXPIRED:
	case PETREL_E_CERT_NOT_YET_VALID:
		return PETREL_ALERT13_CERTIFICATE_EXPIRED;
	case PETREL_E_CERT_UNKNOWN_ISSUER:
	case PETREL_E_CERT_UNTRUSTED:
		return PETREL_ALERT13_UNKNOWN_CA;
	case PETREL_E_CERT_PIN_MISMATCH:
	case PETREL_E_CERT_NAME_MISMATCH:
		return PETREL_ALERT13_CERTIFICATE_UNKNOWN;
	case PETREL_E_HANDSHAKE_FAILURE:
	case PETREL_E_NO_COMMON_CIPHER:
	case PETREL_E_NO_COMMON_GROUP:
		return PETREL_ALERT13_HANDSHAKE_FAILURE;
	default:
		if (rc <= PETREL_E_CERT_PARSE && rc >= PETREL_E_CERT_UNTRUSTED)
			return PETREL_ALERT13_BAD_CERTIFICATE;
		return PETREL_ALERT13_INTERNAL_ERROR;
	}
}

int petrel_hs13_fail(struct petrel_hs13_output *out, int rc, uint8_t alert)
{
	if (out->alert == 0)
		out->alert = alert ? alert : petrel_hs13_alert_for(rc);
	return rc;
}

int petrel_hs13_u16_list_write(struct petrel_writer *w, const uint16_t *v, size_t n)
{
	struct petrel_len_scope s;
	petrel_put_len_open(w, 2, &s);
	for (size_t i = 0; i < n; i++)
		petrel_put_u16(w, v[i]);
	petrel_put_len_close(w, &s);
	return petrel_writer_ok(w) ? 0 : PETREL_E_SHORT_BUFFER;
}

int petrel_hs13_u16_list_parse(const uint8_t *body, size_t len, uint16_t *v, size_t cap,
			       size_t *n)
{
	struct petrel_reader r, list;
	petrel_reader_init(&r, body, len);
	if (!petrel_get_sub16(&r, &list) || !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	size_t left = petrel_reader_left(&list);
	if (left < 2 || left % 2 != 0)
		return PETREL_E_DECODE_ERROR;
	*n = 0;
	uint16_t x;
	while (petrel_get_u16(&list, &x))
		if (*n < cap)
			v[(*n)++] = x;
	return 0;
}

bool petrel_hs13_u16_in(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

const uint16_t petrel_hs13_sig_schemes[] = {
	PETREL_SIG_ED25519,          PETREL_SIG_ECDSA_SECP256R1_SHA256,
	PETREL_SIG_ECDSA_SECP384R1_SHA384, PETREL_SIG_RSA_PSS_RSAE_SHA256,
	PETREL_SIG_RSA_PSS_RSAE_SHA384,
};
const size_t petrel_hs13_sig_scheme_count =
	sizeof petrel_hs13_sig_schemes / sizeof petrel_hs13_sig_schemes[0];

bool petrel_hs13_scheme_fits(uint16_t scheme, enum petrel_key_type key)
{
	switch (scheme) {
	case PETREL_SIG_ED25519:
		return key == PETREL_KEY_ED25519;
	case PETREL_SIG_ECDSA_SECP256R1_SHA256: /* RFC 8446 4.2.3: curve fixed */
		return key == PETREL_KEY_EC_P256;
	case PETREL_SIG_ECDSA_SECP384R1_SHA384:
		return key == PETREL_KEY_EC_P384;
	case PETREL_SIG_RSA_PSS_RSAE_SHA256:
	case PETREL_SIG_RSA_PSS_RSAE_SHA384:
		return key == PETREL_KEY_RSA;
	default:
		return false; /* PKCS#1 v1.5 is not for CertificateVerify */
	}
}

int petrel_hs13_pick_scheme(const struct petrel_privkey *key, const uint16_t *peer, size_t n,
			    uint16_t *scheme)
{
	uint16_t mine[8];
	size_t m = petrel_privkey_schemes(key, mine, 8);
	enum petrel_key_type type = petrel_privkey_type(key);
	for (size_t i = 0; i < m; i++)
		if (petrel_hs13_scheme_fits(mine[i], type) && petrel_hs13_u16_in(peer, n, mine[i])) {
			*scheme = mine[i];
			return 0;
		}
	return PETREL_E_HANDSHAKE_FAILURE;
}

int petrel_hs13_verify_chain(const struct petrel_hs13_verifier *v, bool peer_is_server,
			     const uint8_t *const *chain, const size_t *lens, size_t count,
			     struct petrel_pubkey *leaf_key)
{
	if (count == 0)
		return PETREL_E_NO_CERTIFICATE;
	struct petrel_x509_cert leaf;
	int rc = petrel_x509_parse(chain[0], lens[0], &leaf);
	if (rc < 0)
		return rc;
	if (leaf.pubkey.type == PETREL_KEY_NONE)
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	*leaf_key = leaf.pubkey;
	switch (v->mode) {
	case PETREL_HS13_VERIFY_NONE:
		return 0;
	case PETREL_HS13_VERIFY_PIN_CERT:
		return petrel_x509_check_pin_cert(chain[0], lens[0], v->pin);
	case PETREL_HS13_VERIFY_PIN_SPKI:
		return petrel_x509_check_pin_spki(&leaf, v->pin);
	case PETREL_HS13_VERIFY_CHAIN:
		break;
	}
	if (v->store == NULL)
		return PETREL_E_CERT_UNTRUSTED;
	struct petrel_x509_verify_params params = {
		.now = v->now_s,
		.host = peer_is_server ? v->host : NULL,
		.purpose = peer_is_server ? PETREL_X509_PURPOSE_SERVER : PETREL_X509_PURPOSE_CLIENT,
	};
	return petrel_x509_verify_chain_der(chain, lens, count, v->store, &params);
}

int petrel_hs13_write_certificate(struct petrel_hs13_output *out, uint16_t epoch,
				  const uint8_t *context, size_t context_len,
				  const uint8_t *const *chain, const size_t *lens, size_t count)
{
	if (count > PETREL_HS13_MAX_CHAIN)
		return PETREL_E_LIMIT_EXCEEDED;
	size_t cap = 1 + context_len + 3;
	for (size_t i = 0; i < count; i++) {
		if (lens[i] > PETREL_HS13_MAX_CERT_LEN)
			return PETREL_E_LIMIT_EXCEEDED;
		cap += 3 + lens[i] + 2;
	}
	struct petrel_writer w;
	int rc = petrel_hs13_out_begin(out, cap, &w);
	if (rc < 0)
		return rc;
	rc = petrel_certificate13_write(&w, context, context_len, chain, lens, count);
	if (rc < 0) {
		free(w.start);
		return rc;
	}
	return petrel_hs13_out_commit(out, PETREL_HT13_CERTIFICATE, epoch, &w);
}

int petrel_hs13_write_cert_verify(struct petrel_hs13_output *out, uint16_t epoch, bool server,
				  const struct petrel_privkey *key, uint16_t scheme,
				  const uint8_t *th, size_t th_len)
{
	uint8_t content[PETREL_CV_CONTENT_MAX];
	size_t clen = petrel_cert_verify_content(server, th, th_len, content);
	if (clen == 0)
		return PETREL_E_INTERNAL;
	uint8_t sig[PETREL_MAX_SIG_LEN];
	size_t sig_len;
	int rc = petrel_sign(key, scheme, content, clen, sig, sizeof sig, &sig_len);
	if (rc < 0)
		return rc;
	struct petrel_writer w;
	rc = petrel_hs13_out_begin(out, 4 + sig_len, &w);
	if (rc < 0)
		return rc;
	rc = petrel_cert_verify_write(&w, scheme, sig, sig_len);
	if (rc < 0) {
		free(w.start);
		return rc;
	}
	return petrel_hs13_out_commit(out, PETREL_HT13_CERTIFICATE_VERIFY, epoch, &w);
}

int petrel_hs13_check_cert_verify(const uint8_t *body, size_t len, bool from_server,
				  const struct petrel_pubkey *key, const uint16_t *offered,
				  size_t offered_n, const uint8_t *th, size_t th_len)
{
	uint16_t scheme;
	const uint8_t *sig;
	size_t sig_len;
	int rc = petrel_cert_verify_parse(body, len, &scheme, &sig, &sig_len);
	if (rc < 0)
		return rc;
	/* RFC 8446 4.4.3: a scheme we did not offer is illegal_parameter. */
	if (!petrel_hs13_u16_in(offered, offered_n, scheme) ||
	    !petrel_hs13_scheme_fits(scheme, key->type))
		return PETREL_E_ILLEGAL_PARAMETER;
	uint8_t content[PETREL_CV_CONTENT_MAX];
	size_t clen = petrel_cert_verify_content(from_server, th, th_len, content);
	if (clen == 0)
		return PETREL_E_INTERNAL;
	rc = petrel_verify(scheme, key, content, clen, sig, sig_len);
	return rc < 0 ? PETREL_E_SIGNATURE_INVALID : 0;
}

void petrel_hs13_peer_chain_free(struct petrel_hs13_peer_chain *pc)
{
	for (size_t i = 0; i < pc->count; i++)
		free(pc->der[i]);
	memset(pc, 0, sizeof *pc);
}

int petrel_hs13_certificate_open(const uint8_t *body, size_t len, const uint8_t *context,
				 size_t context_len, struct petrel_certificate13 *c)
{
	int rc = petrel_certificate13_parse(body, len, c);
	if (rc < 0)
		return rc;
	/* RFC 8446 4.4.2: the context echoes the CertificateRequest's (empty
	 * in the main handshake). */
	if (c->request_context_len != context_len ||
	    (context_len && memcmp(c->request_context, context, context_len) != 0))
		return PETREL_E_ILLEGAL_PARAMETER;
	return c->count == 0 ? PETREL_E_NO_CERTIFICATE : 0;
}

int petrel_hs13_take_certificate(struct petrel_hs13_peer_chain *pc, const uint8_t *body, size_t len,
				 const uint8_t *context, size_t context_len,
				 const struct petrel_hs13_verifier *v, bool peer_is_server)
{
	struct petrel_certificate13 c;
	int rc = petrel_hs13_certificate_open(body, len, context, context_len, &c);
	if (rc < 0)
		return rc;
	if (c.count > PETREL_HS13_MAX_CHAIN)
		return PETREL_E_CERT_CHAIN_TOO_LONG;
	petrel_hs13_peer_chain_free(pc);
	for (size_t i = 0; i < c.count; i++) {
		const uint8_t *der, *exts;
		size_t der_len, exts_len;
		if (!petrel_certificate13_entry(&c, i, &der, &der_len, &exts, &exts_len))
			return PETREL_E_DECODE_ERROR;
		if (der_len > PETREL_HS13_MAX_CERT_LEN)
			return PETREL_E_LIMIT_EXCEEDED;
		pc->der[i] = malloc(der_len);
		if (pc->der[i] == NULL)
			return PETREL_E_MEMORY;
		memcpy(pc->der[i], der, der_len);
		pc->len[i] = der_len;
		pc->count = i + 1;
	}
	return petrel_hs13_verify_chain(v, peer_is_server, (const uint8_t *const *)pc->der, pc->len,
					pc->count, &pc->key);
}

void petrel_hs13_truncated_hash(const struct petrel_dtls13_transcript *t, enum petrel_hash_alg hash,
				const uint8_t *ch_body, size_t ch_len, size_t truncated_len,
				uint8_t *out)
{
	struct petrel_hash_ctx ctx;
	if (t != NULL)
		ctx = t->hash; /* snapshot: the transcript itself is unchanged */
	else
		petrel_hash_init(&ctx, hash);
	uint8_t hdr[4] = {PETREL_HT13_CLIENT_HELLO, (uint8_t)(ch_len >> 16), (uint8_t)(ch_len >> 8),
			  (uint8_t)ch_len};
	petrel_hash_update(&ctx, hdr, 4);
	petrel_hash_update(&ctx, ch_body, truncated_len);
	petrel_hash_peek(&ctx, out);
	petrel_wipe(&ctx, sizeof ctx);
}
