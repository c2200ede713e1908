/* The connection_id extension (RFC 9146 3) and what it negotiates.
 *
 *   struct { opaque cid<0..2^8-1>; } ConnectionId;
 *
 * Each side's extension names the CID it wants to RECEIVE: the peer puts
 * it in the records it sends. An empty cid means "I can send CIDs but need
 * none": records towards that side keep the plain DTLS 1.2 format. A
 * server sends the extension only when the client did. */
#ifndef PETREL_DTLS_MSG_CID_H
#define PETREL_DTLS_MSG_CID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"

#define PETREL_CID_EXT_MAX_LEN 255

/* Parses an extension body (extension_data): *cid points into body.
 * PETREL_E_DECODE_ERROR on truncation or trailing bytes. */
int petrel_cid_ext_parse(const uint8_t *body, size_t len, const uint8_t **cid, size_t *cid_len);
/* Writes the body only (u8 length + cid). PETREL_E_INVALID_REQUEST for a
 * CID over 255 bytes, PETREL_E_SHORT_BUFFER when w is full. */
int petrel_cid_ext_write_body(struct petrel_writer *w, const uint8_t *cid, size_t cid_len);
/* Writes the whole extension: type 54, u16 length, body; for appending to
 * an extensions block. Same codes. */
int petrel_cid_ext_write(struct petrel_writer *w, const uint8_t *cid, size_t cid_len);

/* The outcome for one session. CIDs are copied (the hello buffers go). */
struct petrel_cid_params {
	bool negotiated;        /* both hellos carried the extension */
	uint8_t tx_cid[PETREL_CID_EXT_MAX_LEN]; /* the peer's: in records we send */
	size_t tx_cid_len;
	uint8_t rx_cid[PETREL_CID_EXT_MAX_LEN]; /* ours: in records we receive */
	size_t rx_cid_len;
};

/* Client side, after the ServerHello. offered: we sent the extension with
 * our_cid; server_sent: the ServerHello carried server_cid.
 * An answer to an extension we never sent is PETREL_E_UNSUPPORTED (the
 * caller sends unsupported_extension, RFC 5246 7.4.1.4). */
int petrel_cid_client_result(bool offered, const uint8_t *our_cid, size_t our_cid_len,
			     bool server_sent, const uint8_t *server_cid, size_t server_cid_len,
			     struct petrel_cid_params *out);

/* Server side, after the ClientHello. enabled: the server uses CIDs at
 * all; our_cid: the CID it issues to this client (may be empty). Returns
 * whether the ServerHello must carry the extension with our_cid (only
 * when the client sent one and the server is enabled). */
bool petrel_cid_server_result(bool enabled, const uint8_t *our_cid, size_t our_cid_len,
			      bool client_sent, const uint8_t *client_cid, size_t client_cid_len,
			      struct petrel_cid_params *out);

/* Whether records we send (tx) / receive (rx) use the tls12_cid format
 * once encrypted: negotiated and the CID of that direction is non-empty
 * (RFC 9146 3). */
static inline bool petrel_cid_tx_uses_cid(const struct petrel_cid_params *p)
{
	return p->negotiated && p->tx_cid_len > 0;
}
static inline bool petrel_cid_rx_uses_cid(const struct petrel_cid_params *p)
{
	return p->negotiated && p->rx_cid_len > 0;
}

#endif
