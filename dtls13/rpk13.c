/* Raw public keys (RFC 7250) in the DTLS 1.3 handshake cores (see
 * rpk13.h). */
#include "dtls13/rpk13.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/messages.h"
#include "dtls/rpk.h"
#include "dtls13/hs13.h"

/* RFC 8446 6.2 alert descriptions not in hs13.h's list. */
#define ALERT_UNSUPPORTED_CERTIFICATE 43u
#define ALERT_UNSUPPORTED_EXTENSION 110u

int petrel_rpk13_client_hello_ext(const struct petrel_rpk13 *r, struct petrel_writer *w)
{
	struct petrel_rpk_offer offer;
	struct petrel_extensions ext;
	memset(&ext, 0, sizeof ext);
	petrel_rpk_policy_offer(&r->policy, &offer, &ext);
	/* In the 1.2 writer's order (dtls/msg_extensions.c): 19, then 20. */
	if (ext.has_client_cert_type &&
	    !petrel_cert_type_ext_write(w, PETREL_EXT_CLIENT_CERTIFICATE_TYPE, PETREL_FROM_CLIENT,
					ext.client_cert_types, ext.client_cert_types_len))
		return PETREL_E_SHORT_BUFFER;
	if (ext.has_server_cert_type &&
	    !petrel_cert_type_ext_write(w, PETREL_EXT_SERVER_CERTIFICATE_TYPE, PETREL_FROM_CLIENT,
					ext.server_cert_types, ext.server_cert_types_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

/* One certificate-type extension of a block, through the one reader
 * (dtls/msg_certtype.c): *has false when absent. */
static int read_types(const uint8_t *block, size_t len, uint16_t type,
		      enum petrel_msg_origin origin, bool *has, const uint8_t **types,
		      size_t *types_len)
{
	const uint8_t *body;
	size_t body_len;
	struct petrel_reader r;
	*has = false;
	if (len == 0)
		return 0;
	int rc = petrel_ext_find(block, len, type, &body, &body_len);
	if (rc <= 0)
		return rc;
	petrel_reader_init(&r, body, body_len);
	rc = petrel_cert_type_ext_parse(&r, origin, types, types_len);
	if (rc == 0 && !petrel_reader_done(&r))
		rc = PETREL_E_DECODE_ERROR;
	*has = rc == 0;
	return rc;
}

static int read_both(const uint8_t *block, size_t len, enum petrel_msg_origin origin,
		     struct petrel_extensions *e)
{
	memset(e, 0, sizeof *e);
	int rc = read_types(block, len, PETREL_EXT_CLIENT_CERTIFICATE_TYPE, origin,
			    &e->has_client_cert_type, &e->client_cert_types,
			    &e->client_cert_types_len);
	if (rc == 0)
		rc = read_types(block, len, PETREL_EXT_SERVER_CERTIFICATE_TYPE, origin,
				&e->has_server_cert_type, &e->server_cert_types,
				&e->server_cert_types_len);
	return rc;
}

/* Our key goes out raw: cfg's chain becomes the one SPKI. */
static void present_raw(struct petrel_hs13_config *cfg)
{
	struct petrel_rpk13 *r = &cfg->rpk;
	r->raw_chain[0] = r->spki;
	r->raw_chain_len[0] = r->spki_len;
	cfg->chain = r->raw_chain;
	cfg->chain_lens = r->raw_chain_len;
	cfg->chain_count = r->spki != NULL ? 1 : 0;
}

int petrel_rpk13_server_choose(struct petrel_hs13_config *cfg, const uint8_t *exts,
			       size_t exts_len)
{
	struct petrel_rpk13 *r = &cfg->rpk;
	struct petrel_extensions ch;
	int rc = read_both(exts, exts_len, PETREL_FROM_CLIENT, &ch);
	if (rc < 0)
		return rc;
	rc = petrel_rpk_policy_choose(&r->policy, &ch, &r->server_type, &r->client_type);
	if (rc < 0)
		return rc;
	/* As on 1.2 (dtls/rpk.c petrel_rpk_server_answer): the type of the
	 * Certificate we send when asked; the client's only along with a
	 * CertificateRequest (RFC 7250 4.2). */
	r->answer_server = ch.has_server_cert_type && r->policy.have_key;
	r->answer_client = ch.has_client_cert_type && r->policy.asks_client_key;
	if (r->server_type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY)
		present_raw(cfg);
	return 0;
}

int petrel_rpk13_server_answer(const struct petrel_rpk13 *r, struct petrel_hs13_out_msg *ee)
{
	if (!r->answer_server && !r->answer_client)
		return 0;
	const uint8_t *block;
	size_t block_len;
	if (petrel_encrypted_extensions_parse(ee->body, ee->len, &block, &block_len) < 0)
		return PETREL_E_INTERNAL;
	size_t cap = 2 + block_len + 2 * 5;
	uint8_t *body = malloc(cap);
	if (body == NULL)
		return PETREL_E_MEMORY;
	struct petrel_writer w;
	struct petrel_len_scope exts;
	petrel_writer_init(&w, body, cap);
	petrel_put_len_open(&w, 2, &exts);
	petrel_put_bytes(&w, block, block_len);
	if (r->answer_client)
		petrel_cert_type_ext_write(&w, PETREL_EXT_CLIENT_CERTIFICATE_TYPE, PETREL_FROM_SERVER,
					   &r->client_type, 1);
	if (r->answer_server)
		petrel_cert_type_ext_write(&w, PETREL_EXT_SERVER_CERTIFICATE_TYPE, PETREL_FROM_SERVER,
					   &r->server_type, 1);
	petrel_put_len_close(&w, &exts);
	if (!petrel_writer_ok(&w)) {
		free(body);
		return PETREL_E_INTERNAL;
	}
	free(ee->body);
	ee->body = body;
	ee->len = petrel_writer_len(&w);
	return 0;
}

int petrel_rpk13_client_check(struct petrel_hs13_config *cfg, const uint8_t *block, size_t len,
			      bool server_certifies)
{
	struct petrel_rpk13 *r = &cfg->rpk;
	struct petrel_extensions ee;
	int rc = read_both(block, len, PETREL_FROM_SERVER, &ee);
	if (rc < 0)
		return rc;
	rc = petrel_rpk_policy_check_answer(&r->policy, &ee, server_certifies, &r->server_type,
					    &r->client_type);
	if (rc < 0)
		return rc;
	if (r->client_type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY)
		present_raw(cfg);
	return 0;
}

/* RFC 8446 4.4.2 with RawPublicKey: one CertificateEntry at most, its
 * cert_data the SubjectPublicKeyInfo (RFC 7250 3). */
static int take_raw(const struct petrel_rpk13 *r, struct petrel_hs13_peer_chain *pc,
		    const uint8_t *body, size_t len, const uint8_t *context, size_t context_len,
		    const struct petrel_hs13_verifier *v)
{
	struct petrel_certificate13 c;
	int rc = petrel_hs13_certificate_open(body, len, context, context_len, &c);
	if (rc < 0)
		return rc;
	const uint8_t *spki, *exts;
	size_t spki_len, exts_len;
	if (c.count != 1)
		return PETREL_E_BAD_CERTIFICATE;
	if (!petrel_certificate13_entry(&c, 0, &spki, &spki_len, &exts, &exts_len))
		return PETREL_E_DECODE_ERROR;
	/* We ask for no per-entry extension (RFC 8446 4.4.2). */
	if (exts_len != 0)
		return PETREL_E_UNSUPPORTED_EXTENSION;
	if (spki_len > PETREL_HS13_MAX_CERT_LEN)
		return PETREL_E_LIMIT_EXCEEDED;
	petrel_hs13_peer_chain_free(pc);
	pc->der[0] = malloc(spki_len);
	if (pc->der[0] == NULL)
		return PETREL_E_MEMORY;
	memcpy(pc->der[0], spki, spki_len);
	pc->len[0] = spki_len;
	pc->count = 1;
	/* Then as the 1.2 path (dtls/rpk.c petrel_rpk_handle_certificate). */
	struct petrel_rpk rpk;
	rc = petrel_rpk_parse(pc->der[0], pc->len[0], &rpk);
	if (rc < 0)
		return rc == PETREL_E_CERT_UNSUPPORTED_ALGORITHM ? rc : PETREL_E_BAD_CERTIFICATE;
	pc->key = rpk.pubkey; /* points into pc->der[0] */
	return petrel_rpk_verify(&rpk, r->verify_mode, v->pin);
}

int petrel_rpk13_take_certificate(const struct petrel_rpk13 *r, bool peer_is_server,
				  struct petrel_hs13_peer_chain *pc, const uint8_t *body,
				  size_t len, const uint8_t *context, size_t context_len,
				  const struct petrel_hs13_verifier *v)
{
	uint8_t type = peer_is_server ? r->server_type : r->client_type;
	if (type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY)
		return take_raw(r, pc, body, len, context, context_len, v);
	return petrel_hs13_take_certificate(pc, body, len, context, context_len, v, peer_is_server);
}

uint8_t petrel_rpk13_alert(int rc)
{
	switch (rc) {
	case PETREL_E_CERT_UNSUPPORTED_ALGORITHM:
		return ALERT_UNSUPPORTED_CERTIFICATE; /* RFC 7250 4.2 */
	case PETREL_E_UNSUPPORTED_EXTENSION:
		return ALERT_UNSUPPORTED_EXTENSION;
	default:
		return 0;
	}
}
