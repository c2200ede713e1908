/* The peer's X.509 chain on DTLS 1.3 (see peer13.h). */
#include "dtls13/peer13.h"

#include "dtls/session_peer.h"
#include "dtls13/engine13_internal.h"

int petrel_peer13_established(petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	if (d == NULL)
		return 0;
	const struct petrel_hs13_config *cfg = d->cl ? &d->cl->cfg : d->sv ? &d->sv->cfg : NULL;
	const struct petrel_hs13_peer_chain *peer = d->cl ? &d->cl->peer : d->sv ? &d->sv->peer : NULL;
	if (cfg == NULL || peer->count == 0)
		return 0; /* PSK or resumption (RFC 8446 2.2): no Certificate */
	uint8_t peer_type = s->role == PETREL_CLIENT ? cfg->rpk.server_type : cfg->rpk.client_type;
	if (peer_type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY)
		return 0; /* an SPKI, kept by petrel_rpk13_established */
	/* RFC 8446 4.4.2: the sender's certificate first; the rest as sent.
	 * The core verified them (petrel_hs13_take_certificate) and the
	 * CertificateVerify before Finished, so the session shows only a
	 * chain the handshake accepted. */
	return petrel_session_keep_chain(s, (const uint8_t *const *)peer->der, peer->len,
					 peer->count);
}
