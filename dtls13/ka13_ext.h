/* The heartbeat extension (RFC 6520 2) in the DTLS 1.3 ClientHello
 * (issue #20): offered for keepalive or path MTU probing
 * (dtls/keepalive.h petrel_keepalive_offers_heartbeat) so that a DTLS 1.2
 * server that takes the same ClientHello can give the fallen-back session
 * heartbeats, as a 1.2-only ClientHello would. RFC 8446 4.2 lists
 * heartbeat for ClientHello and EncryptedExtensions; a 1.3 server that
 * does not do heartbeats ignores it (RFC 8446 4.2), and Petrel's 1.3
 * session never sends heartbeat records (it pings with KeyUpdate,
 * dtls13/ka13.h). */
#ifndef PETREL_DTLS13_KA13_EXT_H
#define PETREL_DTLS13_KA13_EXT_H

#include <stdbool.h>

#include "common/reader.h"

/* Writes the whole extension (type, length, mode peer_allowed_to_send)
 * when offer; 0, or PETREL_E_SHORT_BUFFER. */
int petrel_ka13_heartbeat_offer_write(struct petrel_writer *w, bool offer);

#endif
