/* DTLS-SRTP negotiation in the DTLS 1.3 handshake (see srtp13.h). */
#include "dtls13/srtp13.h"

#include <string.h>

#include "dtls/messages.h"
#include "dtls/session.h"
#include "dtls13/hs13.h"
#include "dtls13/messages13.h"

/* RFC 8446 6.2 alert descriptions not in hs13.h's list. */
#define ALERT_UNSUPPORTED_EXTENSION 110u

static bool offers(const struct petrel_srtp_state *cfg)
{
	return cfg != NULL && cfg->profile_count > 0;
}

int petrel_srtp13_client_hello_ext(struct petrel_writer *w, const struct petrel_srtp_state *cfg)
{
	struct petrel_len_scope scope;
	if (!offers(cfg))
		return 0;
	if (!petrel_put_u16(w, PETREL_EXT_USE_SRTP) || !petrel_put_len_open(w, 2, &scope))
		return PETREL_E_SHORT_BUFFER;
	int rc = petrel_ext13_use_srtp_write(w, cfg->profiles, cfg->profile_count, cfg->mki,
					     cfg->mki_len);
	if (rc == 0 && !petrel_put_len_close(w, &scope))
		rc = PETREL_E_SHORT_BUFFER;
	return rc;
}

/* The use_srtp extension of a block, parsed into e (has_use_srtp false
 * when there is none). */
static int find_use_srtp(const uint8_t *exts, size_t exts_len, bool from_server,
			 struct petrel_extensions *e)
{
	const uint8_t *body;
	size_t body_len;
	memset(e, 0, sizeof *e);
	if (exts_len == 0)
		return 0;
	int rc = petrel_ext_find(exts, exts_len, PETREL_EXT_USE_SRTP, &body, &body_len);
	if (rc <= 0)
		return rc;
	return petrel_ext13_use_srtp_parse(body, body_len, from_server, e);
}

int petrel_srtp13_server_select(struct petrel_srtp13 *res, const struct petrel_srtp_state *cfg,
				const uint8_t *exts, size_t exts_len)
{
	struct petrel_extensions client;
	bool echo_mki;
	memset(res, 0, sizeof *res);
	if (!offers(cfg))
		return 0; /* not configured: a client's use_srtp is ignored (RFC 8446 4.2) */
	int rc = find_use_srtp(exts, exts_len, false, &client);
	if (rc < 0)
		return rc;
	/* RFC 5764 4.1.1: one of our profiles the client offered, our order;
	 * none in common: no use_srtp (the client decides whether to go on). */
	petrel_srtp_server_select(cfg->profiles, cfg->profile_count, cfg->mki, cfg->mki_len,
				  &client, &res->selected, &echo_mki);
	if (res->selected != 0 && echo_mki) {
		/* The MKI in use is the client's (ours is empty or the same). */
		memcpy(res->mki, client.srtp_mki, client.srtp_mki_len);
		res->mki_len = (uint8_t)client.srtp_mki_len;
		res->mki_used = true;
	}
	return 0;
}

int petrel_srtp13_encrypted_extensions(const struct petrel_srtp13 *res, uint8_t *body, size_t cap,
				       size_t *len)
{
	struct petrel_writer w;
	struct petrel_len_scope block, ext;
	petrel_writer_init(&w, body, cap);
	petrel_put_len_open(&w, 2, &block);
	if (res->selected != 0) {
		petrel_put_u16(&w, PETREL_EXT_USE_SRTP);
		petrel_put_len_open(&w, 2, &ext);
		int rc = petrel_ext13_use_srtp_write(&w, &res->selected, 1, res->mki,
						     res->mki_used ? res->mki_len : 0);
		if (rc < 0)
			return rc;
		petrel_put_len_close(&w, &ext);
	}
	petrel_put_len_close(&w, &block);
	if (!petrel_writer_ok(&w))
		return PETREL_E_SHORT_BUFFER;
	*len = petrel_writer_len(&w);
	return 0;
}

int petrel_srtp13_client_check(struct petrel_srtp13 *res, const struct petrel_srtp_state *cfg,
			       const uint8_t *exts, size_t exts_len, uint8_t *alert)
{
	struct petrel_extensions server;
	memset(res, 0, sizeof *res);
	*alert = 0;
	int rc = find_use_srtp(exts, exts_len, true, &server);
	if (rc < 0) {
		*alert = rc == PETREL_E_DECODE_ERROR ? PETREL_ALERT13_DECODE_ERROR
						     : PETREL_ALERT13_ILLEGAL_PARAMETER;
		return rc;
	}
	if (!server.has_use_srtp)
		return 0;
	if (!offers(cfg)) {
		*alert = ALERT_UNSUPPORTED_EXTENSION;
		return PETREL_E_UNSUPPORTED_EXTENSION;
	}
	bool mki_used;
	rc = petrel_srtp_client_check(cfg->profiles, cfg->profile_count, cfg->mki, cfg->mki_len,
				      &server, &res->selected, &mki_used);
	if (rc < 0) {
		*alert = PETREL_ALERT13_ILLEGAL_PARAMETER;
		return rc;
	}
	res->mki_used = mki_used;
	if (mki_used) {
		memcpy(res->mki, cfg->mki, cfg->mki_len);
		res->mki_len = cfg->mki_len;
	}
	return 0;
}

void petrel_srtp13_apply(struct petrel_srtp_state *st, const struct petrel_srtp13 *res)
{
	if (st == NULL)
		return;
	st->selected = res->selected;
	st->mki_used = res->mki_used;
	if (res->mki_used) {
		memcpy(st->mki, res->mki, res->mki_len);
		st->mki_len = res->mki_len;
	}
}
