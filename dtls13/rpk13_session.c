/* Raw public keys on DTLS 1.3: the session's side (see rpk13_session.h). */
#include "dtls13/rpk13_session.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/rpk.h"
#include "dtls13/engine13_internal.h"

void petrel_rpk13_config(petrel_session *s, struct petrel_hs13_config *cfg)
{
	struct petrel_rpk13 *r = &cfg->rpk;
	const struct petrel_credentials *c = s->creds;
	memset(r, 0, sizeof *r);
	petrel_rpk_policy_of(s, &r->policy);
	r->verify_mode = s->verify_mode;
	if (c != NULL && c->key != NULL && c->rpk_spki != NULL) {
		r->spki = c->rpk_spki;
		r->spki_len = c->rpk_spki_len;
		if (cfg->key == NULL)
			cfg->key = c->key; /* a raw key alone: no chain to go with it */
	}
}

int petrel_rpk13_established(petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	const struct petrel_hs13_config *cfg = d->cl ? &d->cl->cfg : d->sv ? &d->sv->cfg : NULL;
	const struct petrel_hs13_peer_chain *peer = d->cl ? &d->cl->peer : d->sv ? &d->sv->peer : NULL;
	if (cfg == NULL)
		return 0;
	s->server_cert_type = cfg->rpk.server_type;
	s->client_cert_type = cfg->rpk.client_type;
	uint8_t peer_type = s->role == PETREL_CLIENT ? cfg->rpk.server_type : cfg->rpk.client_type;
	if (peer_type != PETREL_CERT_TYPE_RAW_PUBLIC_KEY || peer->count != 1)
		return 0;
	/* Kept like a one-certificate chain, as the 1.2 path keeps it
	 * (dtls/rpk.c): petrel_session_get_peer_certificate's entry 0. */
	uint8_t *copy = malloc(peer->len[0]);
	if (copy == NULL)
		return PETREL_E_MEMORY;
	memcpy(copy, peer->der[0], peer->len[0]);
	free(s->peer_cert);
	s->peer_cert = copy;
	s->peer_cert_len = peer->len[0];
	s->peer_chain_extra_len = 0;
	return 0;
}
