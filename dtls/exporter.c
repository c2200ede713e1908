/* Keying material exporter (RFC 5705), the public call: below
 * dtls/session.c so that dtls/srtp.c, which session.c frees, takes its
 * SRTP keys from it without calling back up. */
#include "dtls/session.h"

int petrel_prf_export(petrel_session *s, const char *label, const uint8_t *context,
		      size_t context_len, int use_context, uint8_t *out, size_t out_len)
{
	if (!s->established || label == NULL || out == NULL)
		return PETREL_E_INVALID_REQUEST;
	return petrel_export_keying_material(s->suite->prf_hash, s->master, s->client_random,
					     s->server_random, label, context, context_len,
					     use_context != 0, out, out_len);
}
