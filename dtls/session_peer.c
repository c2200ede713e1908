/* What a session learnt about its peer beyond dtls/session.c's queries:
 * the whole certificate chain (issue #21 item 5) and the PSK identity
 * (item 4). */
#include <stdlib.h>
#include <string.h>

#include "dtls/session_peer.h"

/* Called by either role just before petrel_hs_done: the engine keeps
 * hs->peer_chain[0] as the session's peer_cert (peer_cert_len = the
 * leaf's length) and frees the rest, so the rest goes after the leaf in
 * that one buffer, each certificate behind a u24 length. */
void petrel_keep_peer_chain(petrel_session *s)
{
	struct petrel_hs *hs = s->hs;
	if (hs->peer_chain_count == 0)
		return; /* nothing new: the session keeps what it had */
	size_t extra = 0;
	for (size_t i = 1; i < hs->peer_chain_count; i++)
		extra += 3 + hs->peer_chain_len[i];
	s->peer_chain_extra_len = 0;
	if (extra == 0)
		return;
	uint8_t *grown = realloc(hs->peer_chain[0], hs->peer_chain_len[0] + extra);
	if (grown == NULL)
		return; /* the leaf alone: petrel_session_get_peer_certificates gives 1 */
	hs->peer_chain[0] = grown;
	uint8_t *p = grown + hs->peer_chain_len[0];
	for (size_t i = 1; i < hs->peer_chain_count; i++) {
		size_t n = hs->peer_chain_len[i];
		p[0] = (uint8_t)(n >> 16);
		p[1] = (uint8_t)(n >> 8);
		p[2] = (uint8_t)n;
		memcpy(p + 3, hs->peer_chain[i], n);
		p += 3 + n;
	}
	s->peer_chain_extra_len = extra;
}

int petrel_session_keep_chain(petrel_session *s, const uint8_t *const *der, const size_t *len,
			      size_t count)
{
	if (count == 0)
		return 0; /* nothing new: the session keeps what it had */
	size_t extra = 0;
	for (size_t i = 1; i < count; i++)
		extra += 3 + len[i];
	uint8_t *copy = malloc(len[0] + extra);
	if (copy == NULL && extra > 0) {
		extra = 0; /* the leaf alone, as petrel_keep_peer_chain falls back */
		copy = malloc(len[0]);
	}
	if (copy == NULL)
		return PETREL_E_MEMORY;
	memcpy(copy, der[0], len[0]);
	uint8_t *p = copy + len[0];
	for (size_t i = 1; extra > 0 && i < count; i++) {
		p[0] = (uint8_t)(len[i] >> 16);
		p[1] = (uint8_t)(len[i] >> 8);
		p[2] = (uint8_t)len[i];
		memcpy(p + 3, der[i], len[i]);
		p += 3 + len[i];
	}
	free(s->peer_cert);
	s->peer_cert = copy;
	s->peer_cert_len = len[0];
	s->peer_chain_extra_len = extra;
	return 0;
}

int petrel_session_get_peer_certificates(const petrel_session *s, const uint8_t **der, size_t *len,
					 size_t *count)
{
	if (s == NULL || count == NULL || (*count > 0 && (der == NULL || len == NULL)))
		return PETREL_E_INVALID_REQUEST;
	if (s->peer_cert == NULL)
		return PETREL_E_NO_CERTIFICATE;
	size_t room = *count, n = 0;
	if (n < room) {
		der[n] = s->peer_cert;
		len[n] = s->peer_cert_len;
	}
	n++;
	struct petrel_reader r;
	petrel_reader_init(&r, s->peer_cert + s->peer_cert_len, s->peer_chain_extra_len);
	while (petrel_reader_left(&r) > 0) {
		const uint8_t *cert;
		size_t cert_len;
		if (!petrel_get_opaque24(&r, &cert, &cert_len))
			return PETREL_E_INTERNAL; /* we wrote it: cannot happen */
		if (n < room) {
			der[n] = cert;
			len[n] = cert_len;
		}
		n++;
	}
	*count = n;
	return n > room ? PETREL_E_SHORT_BUFFER : 0;
}

const char *petrel_session_get_psk_identity(const petrel_session *s)
{
	/* find_psk and the client keep the identity NUL terminated. */
	if (s == NULL || !s->psk_used_set || s->resumed)
		return NULL;
	return (const char *)s->psk_used.identity;
}
