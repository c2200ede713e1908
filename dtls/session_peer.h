/* dtls/session_peer.c: what a session keeps about its peer. */
#ifndef PETREL_DTLS_SESSION_PEER_H
#define PETREL_DTLS_SESSION_PEER_H

#include "dtls/session.h"

/* Both roles, just before petrel_hs_done: keep the peer's whole chain
 * (not only the leaf) for petrel_session_get_peer_certificates. */
void petrel_keep_peer_chain(petrel_session *s);

/* DTLS 1.3 (dtls13/peer13.c): a copy of the chain the peer sent, der[0]
 * the leaf, into the session in that same layout, replacing what it
 * held; count 0 keeps what it had. The caller keeps and frees its copy.
 * Out of memory: the leaf alone, else nothing and PETREL_E_MEMORY. */
int petrel_session_keep_chain(petrel_session *s, const uint8_t *const *der, const size_t *len,
			      size_t count);

#endif
