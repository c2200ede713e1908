/* server_name (RFC 6066 3) and ALPN (RFC 7301) in DTLS 1.3: both go in
 * ClientHello, the server's answers in EncryptedExtensions (RFC 8446
 * 4.2 table). Same policy as the 1.2 code (dtls12/client12.c,
 * server12.c): the client names the host unless it is an IP literal and
 * accepts exactly one protocol it offered; the server picks its first
 * preference the client offers, no overlap is no_application_protocol.
 * Pure: no session, no heap; the engine publishes the outcome
 * (ext13_session.c). */
#ifndef PETREL_DTLS13_EXT13_NAMES_H
#define PETREL_DTLS13_EXT13_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"

struct petrel_hs13_config;
struct petrel_hs13_out_msg;

#define PETREL_EXT13_SERVER_NAME 0u /* RFC 6066 3 */
#define PETREL_EXT13_ALPN 16u       /* RFC 7301 3.1 */
#define PETREL_ALERT13_UNSUPPORTED_EXTENSION 110
#define PETREL_ALERT13_NO_APPLICATION_PROTOCOL 120
/* A host_name longer than this is neither kept nor acknowledged (DNS
 * names are at most 253 bytes, RFC 1035 2.3.4). */
#define PETREL_EXT13_HOST_MAX 255
/* Encoded ProtocolNameList (petrel_session_set_alpn allows 255 chars). */
#define PETREL_EXT13_ALPN_LIST_MAX 256

struct petrel_ext13_names {
	/* client: what our ClientHello carried */
	bool sent_server_name;
	uint8_t alpn_offer[PETREL_EXT13_ALPN_LIST_MAX]; /* ProtocolNameList body */
	size_t alpn_offer_len;                           /* 0: no ALPN sent */
	/* outcome, both roles: the agreed protocol (NUL-terminated) */
	bool has_alpn;
	char alpn[256];
	/* server: the client's host_name (NUL-terminated), acknowledged in EE */
	bool has_host;
	char host[PETREL_EXT13_HOST_MAX + 1];
	/* sni12fix, server: a host_name too long to keep was sent. The
	 * connection is not one without a name: it resumes no ticket and
	 * its tickets resume nothing (RFC 6066 3; dtls13/ticket13.h). */
	bool host_unbound;
};

/* Client: appends the server_name (cfg->server_name, unless NULL or an IP
 * literal) and ALPN (cfg->alpn) extensions to a ClientHello's extension
 * block and notes them in n. PETREL_E_INVALID_REQUEST for an unusable
 * name or list, PETREL_E_SHORT_BUFFER when w is full. */
int petrel_ext13_names_client_write(struct petrel_ext13_names *n,
				    const struct petrel_hs13_config *cfg, struct petrel_writer *w);

/* Client: checks the EncryptedExtensions block's answers (RFC 6066 3: an
 * empty server_name; RFC 7301 3.2: one protocol we offered, else
 * PETREL_E_ALPN_MISMATCH) and keeps the protocol in n. An answer to what
 * we did not send: PETREL_E_UNSUPPORTED_EXTENSION (RFC 8446 4.2). */
int petrel_ext13_names_client_check(struct petrel_ext13_names *n, const uint8_t *block,
				    size_t len);

/* Server: reads the ClientHello extension block's server_name and ALPN;
 * picks our first protocol (cfg->alpn) the client lists. A client list
 * without any of ours while we have one: PETREL_E_ALPN_MISMATCH. */
int petrel_ext13_names_server_read(struct petrel_ext13_names *n,
				   const struct petrel_hs13_config *cfg, const uint8_t *block,
				   size_t len);

/* Server: adds the answers (empty server_name, the one ALPN name) to the
 * EncryptedExtensions message ee, rebuilding its body. */
int petrel_ext13_names_server_answer(const struct petrel_ext13_names *n,
				     struct petrel_hs13_out_msg *ee);

/* The alert for this file's errors (no_application_protocol,
 * unsupported_extension), 0 for the others (the core's default). */
uint8_t petrel_ext13_names_alert(int rc);

#endif
