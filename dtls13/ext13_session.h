/* The DTLS 1.3 cores' server_name / ALPN outcome handed to the session
 * (petrel_session_get_alpn, petrel_session_get_sni) once the handshake
 * is done (ext13_names.h). */
#ifndef PETREL_DTLS13_EXT13_SESSION_H
#define PETREL_DTLS13_EXT13_SESSION_H

#include "dtls/session.h"
#include "dtls13/ext13_names.h"

/* Copies the agreed protocol and (server) the client's host_name into the
 * session; PETREL_E_MEMORY when a copy fails. */
int petrel_ext13_names_publish(petrel_session *s, const struct petrel_ext13_names *n);

#endif
