/* The session's version range (petrel_session_set_versions) as the
 * handshake sees it: which internal versions (enum petrel_dtls_version,
 * dtls/dispatch.h) it may offer or accept, and the public numbers they
 * map to (enum petrel_version, petrel.h). */
#ifndef PETREL_DTLS_VERSION_H
#define PETREL_DTLS_VERSION_H

#include <stdbool.h>

#include "dtls/session.h"

/* Whether the dispatcher has operations for version in both roles: the
 * build speaks it (a 1.3 slot stays empty until dtls13/ is wired). */
bool petrel_version_built(unsigned version);
/* Whether s may use version: inside [version_min, version_max] and built. */
bool petrel_session_version_allowed(const petrel_session *s, unsigned version);
/* enum petrel_dtls_version -> enum petrel_version; 0 for an unknown one. */
int petrel_version_public(unsigned version);

#endif
