/* The connection_id extension codec and negotiation (RFC 9146 3). */
#include "dtls/msg_cid.h"

#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "petrel/petrel.h"

int petrel_cid_ext_parse(const uint8_t *body, size_t len, const uint8_t **cid, size_t *cid_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_opaque8(&r, cid, cid_len) || !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

int petrel_cid_ext_write_body(struct petrel_writer *w, const uint8_t *cid, size_t cid_len)
{
	if (cid_len > PETREL_CID_EXT_MAX_LEN || (cid == NULL && cid_len > 0))
		return PETREL_E_INVALID_REQUEST;
	return petrel_put_opaque8(w, cid, cid_len) ? 0 : PETREL_E_SHORT_BUFFER;
}

int petrel_cid_ext_write(struct petrel_writer *w, const uint8_t *cid, size_t cid_len)
{
	struct petrel_len_scope scope;
	if (cid_len > PETREL_CID_EXT_MAX_LEN || (cid == NULL && cid_len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u16(w, PETREL_EXT_CONNECTION_ID) || !petrel_put_len_open(w, 2, &scope) ||
	    !petrel_put_opaque8(w, cid, cid_len) || !petrel_put_len_close(w, &scope))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

static void fill(struct petrel_cid_params *out, const uint8_t *tx, size_t tx_len,
		 const uint8_t *rx, size_t rx_len)
{
	out->negotiated = true;
	if (tx_len > 0)
		memcpy(out->tx_cid, tx, tx_len);
	out->tx_cid_len = tx_len;
	if (rx_len > 0)
		memcpy(out->rx_cid, rx, rx_len);
	out->rx_cid_len = rx_len;
}

int petrel_cid_client_result(bool offered, const uint8_t *our_cid, size_t our_cid_len,
			     bool server_sent, const uint8_t *server_cid, size_t server_cid_len,
			     struct petrel_cid_params *out)
{
	memset(out, 0, sizeof *out);
	if (server_sent && !offered)
		return PETREL_E_UNSUPPORTED;
	if (our_cid_len > PETREL_CID_EXT_MAX_LEN || server_cid_len > PETREL_CID_EXT_MAX_LEN ||
	    (our_cid == NULL && our_cid_len > 0) || (server_cid == NULL && server_cid_len > 0))
		return PETREL_E_INVALID_REQUEST;
	/* A server that ignores the extension leaves the session without CIDs. */
	if (offered && server_sent)
		fill(out, server_cid, server_cid_len, our_cid, our_cid_len);
	return 0;
}

bool petrel_cid_server_result(bool enabled, const uint8_t *our_cid, size_t our_cid_len,
			      bool client_sent, const uint8_t *client_cid, size_t client_cid_len,
			      struct petrel_cid_params *out)
{
	memset(out, 0, sizeof *out);
	if (!enabled || !client_sent || our_cid_len > PETREL_CID_EXT_MAX_LEN ||
	    client_cid_len > PETREL_CID_EXT_MAX_LEN || (our_cid == NULL && our_cid_len > 0) ||
	    (client_cid == NULL && client_cid_len > 0))
		return false;
	fill(out, client_cid, client_cid_len, our_cid, our_cid_len);
	return true;
}
