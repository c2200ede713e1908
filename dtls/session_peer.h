/* dtls/session_peer.c: what a session keeps about its peer. */
#ifndef PETREL_DTLS_SESSION_PEER_H
#define PETREL_DTLS_SESSION_PEER_H

#include "dtls/session.h"

/* Both roles, just before petrel_hs_done: keep the peer's whole chain
 * (not only the leaf) for petrel_session_get_peer_certificates. */
void petrel_keep_peer_chain(petrel_session *s);

#endif
