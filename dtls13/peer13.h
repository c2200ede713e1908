/* The peer's X.509 chain on DTLS 1.3 (issue #20): once the handshake is
 * done, the chain the peer sent and the core verified goes into the
 * session, leaf first, as the 1.2 handshake keeps it (dtls/session_peer.c),
 * so petrel_session_get_peer_certificate(s) and the CLI report answer on
 * 1.3 as on 1.2. Raw public keys go through dtls13/rpk13_session.c. */
#ifndef PETREL_DTLS13_PEER13_H
#define PETREL_DTLS13_PEER13_H

#include "dtls/session.h"

/* The handshake completed (the cores still exist): copy the peer's
 * certificate chain, if it sent one, into the session. A PSK or resumed
 * handshake carries none and leaves the session without one. 0 or
 * PETREL_E_MEMORY (the session then keeps the leaf alone, or nothing). */
int petrel_peer13_established(petrel_session *s);

#endif
