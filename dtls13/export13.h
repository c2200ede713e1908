/* What a DTLS 1.3 session keeps for its applications once the handshake
 * cores are gone: the exporter (RFC 8446 7.5) behind the public
 * petrel_prf_export, and the DTLS-SRTP outcome behind the public SRTP
 * getters; and the session settings the cores take (use_srtp offer, PSK
 * key exchange modes). The engine (engine13.c) calls the two hooks. */
#ifndef PETREL_DTLS13_EXPORT13_H
#define PETREL_DTLS13_EXPORT13_H

#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

struct petrel_hs13_config;

/* Engine hook, after the configuration is built from the session: the
 * SRTP offer / accepted profiles and the PSK key exchange modes. */
void petrel_export13_config(petrel_session *s, struct petrel_hs13_config *cfg);
/* Engine hook, when the handshake completes (the cores still exist): the
 * exporter_master_secret is kept, the SRTP outcome goes to the session. */
void petrel_export13_established(petrel_session *s);

/* TLS-Exporter(label, context_value, out_len) (RFC 8446 7.5) with the
 * "dtls13" label prefix (RFC 9147 5.9). No context and an empty context
 * give the same value in TLS 1.3: pass context_len 0 for both.
 * PETREL_E_INVALID_REQUEST before the handshake completes, for a label
 * over 249 bytes or more than 255 * HashLen bytes of output. */
int petrel_export13(const petrel_session *s, const char *label, const uint8_t *context,
		    size_t context_len, uint8_t *out, size_t out_len);

#endif
