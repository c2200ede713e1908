/* DTLS 1.2 resumption bound to the server name (RFC 6066 3: a server
 * MUST NOT resume a session under another server_name). The binding is
 * the one DTLS 1.3 tickets carry (dtls13/ticket13.h
 * petrel_ticket13_binding) with no ALPN: RFC 7301 does not tie a 1.2
 * session to its protocol, which is negotiated again on resumption. The
 * name is bound in lower case (RFC 4343 3: ASCII case does not count;
 * common/name_fold.h), a trailing dot is kept as sent. Apart
 * from dtls/ticket.c, which dtls13/ticket13.c calls: no cycle. */
#ifndef PETREL_DTLS_SNI12_TICKET_H
#define PETREL_DTLS_SNI12_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/ticket.h"

/* The binding of a ClientHello's host_name (NULL / 0: none). false when
 * the name cannot be bound (over 255 bytes, a NUL inside): such a
 * connection is never resumed (out is then all zero, which no hash
 * equals in practice, and the caller refuses it anyway). */
bool petrel_sni12_binding(const uint8_t *host, size_t host_len,
			  uint8_t out[PETREL_TICKET13_BINDING_LEN]);

#endif
