/* Raw public keys (RFC 7250) for DTLS 1.2: the session settings, the
 * certificate-type negotiation (4.1, 4.2) and the Certificate message
 * with a bare SubjectPublicKeyInfo (3). A raw key has no issuer and no
 * name: it is authenticated by pinning, never by a chain (RFC 7250 6). */
#include <stdlib.h>
#include <string.h>

#include "dtls/rpk.h"
#include "x509/x509.h"

int petrel_session_set_raw_public_keys(petrel_session *s, unsigned flags)
{
	if (s == NULL || (flags & ~(unsigned)(PETREL_RPK_SERVER | PETREL_RPK_CLIENT | PETREL_RPK_ONLY)))
		return PETREL_E_INVALID_REQUEST;
	s->rpk_flags = flags;
	return 0;
}

int petrel_session_set_verify_spki(petrel_session *s, const uint8_t *spki, size_t len)
{
	struct petrel_pubkey key;
	uint8_t pin[32];
	if (s == NULL || spki == NULL || len == 0)
		return PETREL_E_INVALID_REQUEST;
	/* A pin that can never match is a caller bug: check it is an SPKI. */
	int rc = petrel_x509_spki_parse(spki, len, &key);
	if (rc < 0 && rc != PETREL_E_CERT_UNSUPPORTED_ALGORITHM)
		return PETREL_E_DECODE_ERROR;
	petrel_hash(PETREL_HASH_SHA256, spki, len, pin);
	return petrel_session_set_verify(s, PETREL_VERIFY_PIN_SPKI, pin, sizeof pin);
}

int petrel_session_peer_uses_raw_key(const petrel_session *s)
{
	uint8_t type = s->role == PETREL_CLIENT ? s->server_cert_type : s->client_cert_type;
	return s->established && type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY && s->peer_cert != NULL;
}

/* Whether a role's key may be raw, and whether X.509 is still allowed. */
static bool rpk_for(const struct petrel_rpk_policy *p, unsigned role_flag)
{
	return (p->flags & role_flag) != 0;
}
static bool x509_for(const struct petrel_rpk_policy *p, unsigned role_flag)
{
	return !(rpk_for(p, role_flag) && (p->flags & PETREL_RPK_ONLY));
}

void petrel_rpk_policy_of(const petrel_session *s, struct petrel_rpk_policy *p)
{
	const struct petrel_credentials *c = s->creds;
	p->flags = s->rpk_flags;
	p->have_creds = c != NULL;
	p->have_key = c != NULL && c->key != NULL;
	p->have_raw = c != NULL && c->rpk_spki != NULL;
	p->have_chain = c != NULL && c->chain_count > 0;
	p->asks_client_key =
		(s->flags & (PETREL_FLAG_REQUEST_CLIENT_CERT | PETREL_FLAG_REQUIRE_CLIENT_CERT)) != 0;
}

void petrel_rpk_policy_offer(const struct petrel_rpk_policy *p, struct petrel_rpk_offer *offer,
			     struct petrel_extensions *ext)
{
	size_t n;
	/* RFC 7250 4.1: types in preference order. Only sent when we take
	 * a raw key: a list of X.509 alone says nothing new. */
	if (rpk_for(p, PETREL_RPK_SERVER)) {
		n = 0;
		offer->server_types[n++] = PETREL_CERT_TYPE_RAW_PUBLIC_KEY;
		if (x509_for(p, PETREL_RPK_SERVER))
			offer->server_types[n++] = PETREL_CERT_TYPE_X509;
		ext->has_server_cert_type = true;
		ext->server_cert_types = offer->server_types;
		ext->server_cert_types_len = n;
	}
	/* Our own key raw: only if we have one to send. */
	if (rpk_for(p, PETREL_RPK_CLIENT) && p->have_raw) {
		n = 0;
		offer->client_types[n++] = PETREL_CERT_TYPE_RAW_PUBLIC_KEY;
		if (x509_for(p, PETREL_RPK_CLIENT) && p->have_chain)
			offer->client_types[n++] = PETREL_CERT_TYPE_X509;
		ext->has_client_cert_type = true;
		ext->client_cert_types = offer->client_types;
		ext->client_cert_types_len = n;
	}
}

void petrel_rpk_client_offer(const petrel_session *s, struct petrel_rpk_offer *offer,
			     struct petrel_extensions *ext)
{
	struct petrel_rpk_policy p;
	petrel_rpk_policy_of(s, &p);
	petrel_rpk_policy_offer(&p, offer, ext);
}

/* One type answered by the server: one of those we offered. Without the
 * extension the type is X.509 (RFC 7250 4.2). */
static int check_answer(bool answered, const uint8_t *answer, bool offered, bool x509_ok,
			uint8_t *type)
{
	if (!answered) {
		*type = PETREL_CERT_TYPE_X509;
		return 0;
	}
	if (!offered)
		return PETREL_E_ILLEGAL_PARAMETER; /* an answer to nothing */
	if (answer[0] == PETREL_CERT_TYPE_RAW_PUBLIC_KEY || (answer[0] == PETREL_CERT_TYPE_X509 && x509_ok)) {
		*type = answer[0];
		return 0;
	}
	return PETREL_E_ILLEGAL_PARAMETER;
}

int petrel_rpk_policy_check_answer(const struct petrel_rpk_policy *p,
				   const struct petrel_extensions *answer, bool server_certifies,
				   uint8_t *server_type, uint8_t *client_type)
{
	struct petrel_rpk_offer offer;
	struct petrel_extensions ours;
	memset(&ours, 0, sizeof ours);
	petrel_rpk_policy_offer(p, &offer, &ours);
	int rc = check_answer(answer->has_server_cert_type, answer->server_cert_types,
			      ours.has_server_cert_type, x509_for(p, PETREL_RPK_SERVER), server_type);
	if (rc == 0)
		rc = check_answer(answer->has_client_cert_type, answer->client_cert_types,
				  ours.has_client_cert_type,
				  x509_for(p, PETREL_RPK_CLIENT) && (!p->have_creds || p->have_chain),
				  client_type);
	if (rc < 0)
		return rc;
	/* A server without the extension sends X.509, which PETREL_RPK_ONLY
	 * refuses: say so now rather than at its Certificate. */
	if (server_certifies && *server_type == PETREL_CERT_TYPE_X509 && !x509_for(p, PETREL_RPK_SERVER))
		return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
	return 0;
}

int petrel_rpk_client_on_server_hello(petrel_session *s, const struct petrel_extensions *sh)
{
	struct petrel_rpk_policy p;
	petrel_rpk_policy_of(s, &p);
	return petrel_rpk_policy_check_answer(&p, sh, true, &s->server_cert_type, &s->client_cert_type);
}

int petrel_rpk_policy_choose(const struct petrel_rpk_policy *p, const struct petrel_extensions *ch,
			     uint8_t *server_type, uint8_t *client_type)
{
	int rc;
	*server_type = PETREL_CERT_TYPE_X509;
	*client_type = PETREL_CERT_TYPE_X509;
	if (ch->has_server_cert_type) {
		rc = petrel_cert_type_choose(ch->server_cert_types, ch->server_cert_types_len,
					     rpk_for(p, PETREL_RPK_SERVER) && p->have_key && p->have_raw,
					     x509_for(p, PETREL_RPK_SERVER) && p->have_key && p->have_chain,
					     server_type);
		/* A PSK-only server has no key of any type: the suite decides. */
		if (rc < 0 && p->have_key)
			return rc;
	}
	if (ch->has_client_cert_type) {
		rc = petrel_cert_type_choose(ch->client_cert_types, ch->client_cert_types_len,
					     rpk_for(p, PETREL_RPK_CLIENT), x509_for(p, PETREL_RPK_CLIENT),
					     client_type);
		if (rc < 0 && p->asks_client_key)
			return rc;
	}
	return 0;
}

int petrel_rpk_server_choose(petrel_session *s, const struct petrel_client_hello *ch)
{
	struct petrel_rpk_policy p;
	petrel_rpk_policy_of(s, &p);
	return petrel_rpk_policy_choose(&p, &ch->ext, &s->server_cert_type, &s->client_cert_type);
}

void petrel_rpk_server_answer(const petrel_session *s, const struct petrel_client_hello *ch,
			      bool requesting_cert, struct petrel_rpk_offer *offer,
			      struct petrel_extensions *sh)
{
	/* RFC 7250 4.2: the type of the Certificate we send, when asked. */
	if (ch->ext.has_server_cert_type && s->creds != NULL && s->creds->key != NULL) {
		offer->server_types[0] = s->server_cert_type;
		sh->has_server_cert_type = true;
		sh->server_cert_types = offer->server_types;
		sh->server_cert_types_len = 1;
	}
	/* Only with a CertificateRequest (RFC 7250 4.2). */
	if (ch->ext.has_client_cert_type && requesting_cert) {
		offer->client_types[0] = s->client_cert_type;
		sh->has_client_cert_type = true;
		sh->client_cert_types = offer->client_types;
		sh->client_cert_types_len = 1;
	}
}

int petrel_rpk_append_certificate(petrel_session *s, bool *sent)
{
	const struct petrel_credentials *c = s->creds;
	const uint8_t *spki = NULL;
	size_t len = 0;
	if (c != NULL && c->key != NULL && c->rpk_spki != NULL) {
		spki = c->rpk_spki;
		len = c->rpk_spki_len;
	}
	size_t cap = len + 3;
	uint8_t *body = malloc(cap);
	if (body == NULL)
		return PETREL_E_MEMORY;
	struct petrel_writer w;
	petrel_writer_init(&w, body, cap);
	int rc = petrel_rpk_certificate_write(&w, spki, len);
	if (rc == 0)
		rc = petrel_hs_append_message(s, PETREL_HS_CERTIFICATE, body, petrel_writer_len(&w), 0);
	free(body);
	*sent = rc == 0 && len > 0;
	return rc;
}

int petrel_rpk_handle_certificate(petrel_session *s, const struct petrel_hs_message *m, bool *empty)
{
	struct petrel_hs *hs = s->hs;
	const uint8_t *spki;
	size_t spki_len;
	int rc = petrel_rpk_certificate_parse(m->body, m->length, &spki, &spki_len);
	if (rc < 0)
		return rc;
	*empty = spki_len == 0;
	if (spki_len == 0)
		return s->role == PETREL_CLIENT ? PETREL_E_NO_CERTIFICATE : 0;
	/* Kept like a one-certificate chain: petrel_session_get_peer_certificate
	 * hands out the SPKI, and hs->peer_key points into the copy. */
	struct petrel_certificate_msg one = {.count = 1};
	one.certs[0].der = spki;
	one.certs[0].der_len = spki_len;
	rc = petrel_store_peer_chain(hs, &one);
	if (rc < 0)
		return rc;
	struct petrel_rpk rpk;
	rc = petrel_rpk_parse(hs->peer_chain[0], hs->peer_chain_len[0], &rpk);
	if (rc < 0)
		return rc == PETREL_E_CERT_UNSUPPORTED_ALGORITHM ? rc : PETREL_E_BAD_CERTIFICATE;
	hs->peer_key = rpk.pubkey;
	return petrel_rpk_verify(&rpk, s->verify_mode, s->pin);
}

int petrel_rpk_verify(const struct petrel_rpk *rpk, int verify_mode, const uint8_t pin[32])
{
	switch (verify_mode) {
	case PETREL_VERIFY_NONE:
		return 0;
	case PETREL_VERIFY_PIN_SPKI:
		return petrel_rpk_check_pin(rpk, pin);
	case PETREL_VERIFY_PIN:
		/* A certificate pin cannot match a key without a certificate. */
		return PETREL_E_CERT_PIN_MISMATCH;
	default:
		/* RFC 7250 6: no chain to check; only a pin authenticates it. */
		return PETREL_E_CERT_UNTRUSTED;
	}
}
