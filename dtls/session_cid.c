/* Connection IDs on a session (see dtls/session_cid.h). */
#include "dtls/session_cid.h"

#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "dtls13/cid13_ext.h"
#include "record/cid.h"

int petrel_session_cid_enable(petrel_session *s, const uint8_t *cid, size_t len)
{
	if (s == NULL || len > PETREL_CID_EXT_MAX_LEN || s->hs != NULL || s->established)
		return PETREL_E_INVALID_REQUEST;
	if (s->cid == NULL) {
		s->cid = calloc(1, sizeof *s->cid);
		if (s->cid == NULL)
			return PETREL_E_MEMORY;
	}
	if (cid != NULL && len > 0)
		memcpy(s->cid->ours, cid, len);
	else if (len > 0)
		petrel_random(s->cid->ours, len);
	s->cid->ours_len = len;
	return 0;
}

void petrel_session_cid_free(petrel_session *s)
{
	if (s->cid == NULL)
		return;
	(void)petrel_rl_set_cid(&s->rl, NULL, 0, NULL, 0);
	free(s->cid->issued13); /* tkt13 */
	free(s->cid);
	s->cid = NULL;
}

static int apply(petrel_session *s)
{
	const struct petrel_cid_params *p = &s->cid->params;
	return petrel_rl_set_cid(&s->rl, p->tx_cid, petrel_cid_tx_uses_cid(p) ? p->tx_cid_len : 0,
				 p->rx_cid, petrel_cid_rx_uses_cid(p) ? p->rx_cid_len : 0);
}

void petrel_cid_offer(petrel_session *s, struct petrel_extensions *ext)
{
	if (s->cid == NULL)
		return;
	ext->has_connection_id = true;
	ext->connection_id = s->cid->ours;
	ext->connection_id_len = s->cid->ours_len;
}

int petrel_cid_on_server_hello(petrel_session *s, const struct petrel_extensions *sh_ext)
{
	struct petrel_cid_params params;
	int rc = petrel_cid_client_result(s->cid != NULL, s->cid ? s->cid->ours : NULL,
					  s->cid ? s->cid->ours_len : 0, sh_ext->has_connection_id,
					  sh_ext->connection_id, sh_ext->connection_id_len, &params);
	if (rc < 0 || s->cid == NULL)
		return rc;
	s->cid->params = params;
	return apply(s);
}

int petrel_cid_on_client_hello(petrel_session *s, const struct petrel_extensions *ch_ext,
			       struct petrel_extensions *sh_ext)
{
	if (s->cid == NULL)
		return 0;
	/* RFC 9146 3: the server answers only a client that offered. */
	if (petrel_cid_server_result(true, s->cid->ours, s->cid->ours_len, ch_ext->has_connection_id,
				     ch_ext->connection_id, ch_ext->connection_id_len,
				     &s->cid->params)) {
		sh_ext->has_connection_id = true;
		sh_ext->connection_id = s->cid->ours;
		sh_ext->connection_id_len = s->cid->ours_len;
	}
	return apply(s);
}

int petrel_session_set_cid(petrel_session *s, const uint8_t *cid, size_t len)
{
	return petrel_session_cid_enable(s, cid, len);
}

int petrel_session_get_cid(const petrel_session *s, int which, const uint8_t **cid, size_t *len)
{
	if (s == NULL || len == NULL || (which != PETREL_CID_OURS && which != PETREL_CID_PEERS))
		return PETREL_E_INVALID_REQUEST;
	if (s->cid == NULL || !s->cid->params.negotiated)
		return PETREL_E_UNSUPPORTED;
	const struct petrel_cid_params *p = &s->cid->params;
	if (cid != NULL)
		*cid = which == PETREL_CID_OURS ? p->rx_cid : p->tx_cid;
	*len = which == PETREL_CID_OURS ? p->rx_cid_len : p->tx_cid_len;
	return 0;
}

void petrel_cid13_session_config(petrel_session *s, struct petrel_cid13_config *out)
{
	memset(out, 0, sizeof *out);
	if (s->cid == NULL)
		return;
	/* A new handshake negotiates afresh (a 1.3 session never resumes
	 * the 1.2 outcome). */
	memset(&s->cid->params, 0, sizeof s->cid->params);
	out->enabled = true;
	out->ours = s->cid->ours;
	out->ours_len = s->cid->ours_len;
	out->result = &s->cid->params;
	out->issued = &s->cid->issued13; /* tkt13 */
}
