/* DTLS-SRTP (RFC 5764) in a DTLS 1.3 handshake: use_srtp goes in the
 * ClientHello and comes back in the server's EncryptedExtensions (RFC
 * 8446 4.2 table), chosen by the same rules as on 1.2 (dtls/msg_srtp.c).
 * The handshake cores keep the outcome in a struct petrel_srtp13 and the
 * engine copies it into the session's SRTP block when the handshake ends,
 * so the public getters of dtls/srtp.c answer for 1.3 as for 1.2; the
 * keying material then comes from the 1.3 exporter (dtls/exporter.c). */
#ifndef PETREL_DTLS13_SRTP13_H
#define PETREL_DTLS13_SRTP13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"

struct petrel_srtp_state; /* dtls/session.h: the session's configuration */

/* What was negotiated: profile 0 = none. The MKI in use is the client's
 * (RFC 5764 4.1.1), kept here when the server echoed it. */
struct petrel_srtp13 {
	uint16_t selected;
	bool mki_used;
	uint8_t mki_len;
	uint8_t mki[255];
};

/* EncryptedExtensions body with use_srtp: u16 block length, type, length,
 * one profile, MKI (at most 255 bytes). */
#define PETREL_SRTP13_EE_MAX (2 + 4 + 2 + 2 + 1 + 255)

/* Client: the whole use_srtp extension (type, length, body) into a
 * ClientHello's extension block when cfg offers profiles; nothing when cfg
 * is NULL or lists none. 0 or PETREL_E_SHORT_BUFFER. */
int petrel_srtp13_client_hello_ext(struct petrel_writer *w, const struct petrel_srtp_state *cfg);

/* Server: the client's use_srtp (if any) in the ClientHello extension
 * block against our profiles (cfg NULL: no SRTP); fills res. 0, or
 * PETREL_E_DECODE_ERROR for a malformed use_srtp. */
int petrel_srtp13_server_select(struct petrel_srtp13 *res, const struct petrel_srtp_state *cfg,
				const uint8_t *exts, size_t exts_len);

/* Server: the EncryptedExtensions body: use_srtp when a profile was
 * selected, else the empty block. */
int petrel_srtp13_encrypted_extensions(const struct petrel_srtp13 *res, uint8_t *body, size_t cap,
				       size_t *len);

/* Client: the server's EncryptedExtensions block against our offer;
 * fills res. <0 with *alert set: use_srtp we did not offer
 * (unsupported_extension, RFC 8446 4.2), a profile we did not offer or
 * another MKI (illegal_parameter, RFC 5764 4.1.1), or a malformed one
 * (decode_error). No use_srtp answer is fine: the session goes on
 * without SRTP (RFC 5764 4.1.1). */
int petrel_srtp13_client_check(struct petrel_srtp13 *res, const struct petrel_srtp_state *cfg,
			       const uint8_t *exts, size_t exts_len, uint8_t *alert);

/* The handshake is over: the outcome into the session's SRTP block (a
 * no-op without one: nothing was offered or accepted). */
void petrel_srtp13_apply(struct petrel_srtp_state *st, const struct petrel_srtp13 *res);

#endif
