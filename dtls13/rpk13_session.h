/* Raw public keys on DTLS 1.3 (dtls13/rpk13.h) and the session: its
 * settings into the cores' configuration, and the outcome (the types,
 * the peer's key) into the session once the handshake is done, so that
 * petrel_session_peer_uses_raw_key and petrel_session_get_peer_certificate
 * answer as on 1.2. Called by the engine's configuration hooks
 * (dtls13/export13.c). */
#ifndef PETREL_DTLS13_RPK13_SESSION_H
#define PETREL_DTLS13_RPK13_SESSION_H

#include "dtls/session.h"

struct petrel_hs13_config;

/* The policy (flags, credentials), verify mode and own SPKI; a key kept
 * without a certificate (petrel_credentials_set_raw_key_file) becomes
 * cfg->key, to sign for it when it is sent raw. */
void petrel_rpk13_config(petrel_session *s, struct petrel_hs13_config *cfg);
/* The handshake completed (the cores still exist): the types in use and
 * a raw peer key (its SPKI as the peer certificate). PETREL_E_MEMORY. */
int petrel_rpk13_established(petrel_session *s);

#endif
