/* PSK key exchange modes of a DTLS 1.3 handshake (RFC 8446 4.2.9): which
 * modes a client offers, which one a server picks, and the client's check
 * that the server picked one it offered. Modes are the public
 * PETREL_PSK_MODE_* bits (petrel_session_set_psk_modes). */
#ifndef PETREL_DTLS13_EXPORT13_PSK_H
#define PETREL_DTLS13_EXPORT13_PSK_H

#include <stdbool.h>

#include "dtls13/hs13.h"
#include "dtls13/messages13.h"

/* The session's modes (0: not set, psk_dhe_ke only) into cfg: psk_modes,
 * and psk_only as the cores read it (a client offers psk_ke alone and
 * sends no key_share; a server may answer psk_ke). A client without a PSK
 * to offer is left as it is (certificates need (EC)DHE). */
void petrel_psk13_configure(struct petrel_hs13_config *cfg, bool server, unsigned modes);

/* Client: the psk_key_exchange_modes to send. */
void petrel_psk13_client_offer(const struct petrel_hs13_config *cfg,
			       struct petrel_psk_modes *offer);
/* Client: whether the server's choice is one we offered: with_dhe, it
 * answered a key_share (psk_dhe_ke), else psk_ke ("Servers MUST NOT
 * select a key exchange mode that is not listed by the client"). */
bool petrel_psk13_client_accepts(const struct petrel_hs13_config *cfg, bool with_dhe);

/* Server: with a known PSK (found) and the client's modes (dhe_ke as
 * offered, ke offered and allowed by psk_only), and whether a group is
 * available for (EC)DHE: use the PSK, and with (EC)DHE or not. Our
 * preference: psk_dhe_ke when both are allowed. */
void petrel_psk13_server_pick(const struct petrel_hs13_config *cfg, bool found, bool dhe_ke,
			      bool ke, bool have_group, bool *use_psk, bool *need_dhe);

#endif
