/* The connection_id extension in DTLS 1.3 hellos (see dtls13/cid13_ext.h). */
#include "dtls13/cid13_ext.h"

#include <string.h>

#include "dtls/messages.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

int petrel_cid13_write_offer(const struct petrel_cid13_config *c, struct petrel_writer *w)
{
	if (c == NULL || !c->enabled)
		return 0;
	return petrel_cid_ext_write(w, c->ours, c->ours_len);
}

/* The extension's CID in exts: 1 found (*cid into exts), 0 absent. */
static int find_cid(const uint8_t *exts, size_t exts_len, const uint8_t **cid, size_t *cid_len)
{
	const uint8_t *body;
	size_t body_len;
	int rc = petrel_ext_find(exts, exts_len, PETREL_EXT_CONNECTION_ID, &body, &body_len);
	if (rc != 1)
		return rc;
	rc = petrel_cid_ext_parse(body, body_len, cid, cid_len);
	return rc < 0 ? rc : 1;
}

int petrel_cid13_client_on_server_hello(const struct petrel_cid13_config *c, const uint8_t *exts,
					size_t exts_len)
{
	const uint8_t *cid = NULL;
	size_t cid_len = 0;
	if (c != NULL && c->result != NULL)
		memset(c->result, 0, sizeof *c->result); /* nothing negotiated until this succeeds */
	int found = find_cid(exts, exts_len, &cid, &cid_len);
	if (found < 0)
		return found;
	bool offered = c != NULL && c->enabled;
	if (found == 1 && !offered)
		return PETREL_E_UNSUPPORTED;
	if (!offered || c->result == NULL)
		return 0;
	return petrel_cid_client_result(true, c->ours, c->ours_len, found == 1, cid, cid_len,
					c->result);
}

int petrel_cid13_server_on_client_hello(const struct petrel_cid13_config *c, const uint8_t *exts,
					size_t exts_len)
{
	if (c == NULL || !c->enabled || c->result == NULL)
		return 0;
	memset(c->result, 0, sizeof *c->result); /* nothing negotiated until this succeeds */
	const uint8_t *cid = NULL;
	size_t cid_len = 0;
	int found = find_cid(exts, exts_len, &cid, &cid_len);
	if (found < 0)
		return found;
	/* RFC 9146 3: the server answers only a client that offered. */
	return petrel_cid_server_result(true, c->ours, c->ours_len, found == 1, cid, cid_len,
					c->result)
		       ? 1
		       : 0;
}

int petrel_cid13_write_answer(const struct petrel_cid13_config *c, struct petrel_writer *w)
{
	if (c == NULL || !c->enabled || c->result == NULL || !c->result->negotiated)
		return 0;
	return petrel_cid_ext_write(w, c->ours, c->ours_len);
}
