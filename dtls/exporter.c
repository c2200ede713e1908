/* Keying material exporter (RFC 5705), the public call: below
 * dtls/session.c so that dtls/srtp.c, which session.c frees, takes its
 * SRTP keys from it without calling back up. A DTLS 1.3 session uses the
 * TLS 1.3 exporter (RFC 8446 7.5, dtls13/export13.c). */
#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/export13.h"

int petrel_prf_export(petrel_session *s, const char *label, const uint8_t *context,
		      size_t context_len, int use_context, uint8_t *out, size_t out_len)
{
	if (!s->established || label == NULL || out == NULL)
		return PETREL_E_INVALID_REQUEST;
	/* RFC 8446 7.5: no context is the empty context in TLS 1.3 (unlike
	 * RFC 5705, where the two give different values). */
	if (s->version == PETREL_V_DTLS13)
		return petrel_export13(s, label, use_context ? context : NULL,
				       use_context ? context_len : 0, out, out_len);
	return petrel_export_keying_material(s->suite->prf_hash, s->master, s->client_random,
					     s->server_random, label, context, context_len,
					     use_context != 0, out, out_len);
}
