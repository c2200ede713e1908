/* The exporter and SRTP outcome of DTLS 1.3 sessions (see export13.h). */
#include "dtls13/export13.h"

#include <string.h>

#include "dtls13/engine13_internal.h"
#include "dtls13/export13_psk.h"
#include "dtls13/peer13.h"
#include "dtls13/rpk13_session.h"
#include "dtls13/srtp13.h"

void petrel_export13_config(petrel_session *s, struct petrel_hs13_config *cfg)
{
	cfg->srtp = s->srtp;
	petrel_psk13_configure(cfg, s->role == PETREL_SERVER, s->psk_modes13);
	petrel_rpk13_config(s, cfg); /* raw public keys (RFC 7250) */
}

void petrel_export13_established(petrel_session *s)
{
	struct petrel_d13 *d = s->d13;
	const struct petrel_dtls13_ks *ks = d->cl ? &d->cl->ks : d->sv ? &d->sv->ks : NULL;
	const struct petrel_srtp13 *srtp = d->cl ? &d->cl->srtp : d->sv ? &d->sv->srtp : NULL;
	if (ks == NULL)
		return;
	/* Derived with the master secret over CH..server Finished (RFC 8446
	 * 7.1); the cores wipe theirs when they go. */
	memcpy(d->exporter_master, ks->exporter_master, ks->hash_len);
	d->exporter_len = ks->hash_len;
	petrel_srtp13_apply(s->srtp, srtp);
	(void)petrel_rpk13_established(s); /* out of memory: no peer key to show */
	(void)petrel_peer13_established(s); /* the peer's X.509 chain (peer13.h) */
}

int petrel_export13(const petrel_session *s, const char *label, const uint8_t *context,
		    size_t context_len, uint8_t *out, size_t out_len)
{
	const struct petrel_d13 *d = s->d13;
	if (!s->established || d == NULL || d->exporter_len == 0 || label == NULL ||
	    (out == NULL && out_len > 0) || (context == NULL && context_len > 0))
		return PETREL_E_INVALID_REQUEST;
	/* HkdfLabel.label is "dtls13" + label, at most 255 bytes (RFC 8446 7.1). */
	if (strlen(label) > 255 - strlen(PETREL_DTLS13_LABEL_PREFIX))
		return PETREL_E_INVALID_REQUEST;
	return petrel_dtls13_export(d->hash, PETREL_DTLS13_LABEL_PREFIX, d->exporter_master, label,
				    context, context_len, out, out_len);
}

int petrel_session_set_psk_modes(petrel_session *s, unsigned modes)
{
	const unsigned all = PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN;
	if (s == NULL || modes == 0 || (modes & ~all) != 0)
		return PETREL_E_INVALID_REQUEST;
	/* The modes shape the first flight: fixed once the handshake began. */
	if (s->hs != NULL || s->d13 != NULL || s->established || s->fatal_error)
		return PETREL_E_INVALID_REQUEST;
	s->psk_modes13 = (uint8_t)modes;
	return 0;
}
