/* The endpoint's stateless answer to a DTLS 1.3 ClientHello (RFC 9147
 * 5.1): without a valid cookie, a HelloRetryRequest carrying one, built
 * from nothing but the datagram and the credentials' cookie secret; with
 * one, the go-ahead to make a session. The 1.3 counterpart of the 1.2
 * HelloVerifyRequest check (dtls12/server12.c). */
#include <string.h>

#include "dtls/hs_header.h"
#include "dtls/session.h"
#include "dtls13/cookie13.h"
#include "dtls13/engine13.h"
#include "dtls13/server13.h"

/* The extensions block of a ClientHello body. */
static bool ch_extensions(const uint8_t *body, size_t len, const uint8_t **exts, size_t *exts_len)
{
	struct petrel_reader r;
	const uint8_t *p;
	size_t n;
	petrel_reader_init(&r, body, len);
	return petrel_skip(&r, 2 + 32) && petrel_get_opaque8(&r, &p, &n) &&
	       petrel_get_opaque8(&r, &p, &n) && petrel_get_opaque16(&r, &p, &n) &&
	       petrel_get_opaque8(&r, &p, &n) && petrel_get_opaque16(&r, exts, exts_len);
}

int petrel_server13_stateless_check(const struct petrel_credentials *creds, const uint8_t *peer,
				    size_t peer_len, uint64_t record_seq, const uint8_t *ch,
				    size_t ch_len, uint64_t now_ms, uint8_t *out, size_t cap,
				    size_t *out_len)
{
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.cookie_secret = creds->cookie_secret;
	cfg.cookie_secret_prev = creds->cookie_secret_prev;
	cfg.peer_addr = peer;
	cfg.peer_addr_len = peer_len;
	cfg.force_hrr = true;
	const uint8_t *exts, *b, *cookie;
	size_t exts_len, bl, cookie_len;
	if (!ch_extensions(ch, ch_len, &exts, &exts_len))
		return PETREL_E_AGAIN;
	if (petrel_ext_find(exts, exts_len, PETREL_EXT13_COOKIE, &b, &bl) == 1) {
		struct petrel_hs13_cookie cd;
		if (petrel_ext13_cookie_parse(b, bl, &cookie, &cookie_len) == 0 &&
		    petrel_hs13_cookie_check(&cfg, cookie, cookie_len, (uint32_t)now_ms, &cd) == 0)
			return 1;
	}
	/* A server core with only the cookie secret: it can do nothing but
	 * the HelloRetryRequest (or refuse). */
	struct petrel_dtls13_server sv;
	struct petrel_hs13_output o;
	petrel_hs13_output_init(&o);
	int rc = petrel_dtls13_server_init(&sv, &cfg);
	if (rc == 0)
		rc = petrel_dtls13_server_handle(&sv, PETREL_HS_CLIENT_HELLO, ch, ch_len, now_ms, &o);
	if (rc == 0 && (o.event != PETREL_HS13_EV_STATELESS_HRR || o.msg_count != 1))
		rc = PETREL_E_AGAIN;
	if (rc == 0) {
		const struct petrel_hs13_out_msg *m = &o.msgs[0];
		struct petrel_writer w;
		petrel_writer_init(&w, out, cap);
		struct petrel_hs_header h = {m->type, (uint32_t)m->len, 0, 0, (uint32_t)m->len};
		/* RFC 9147 5.1: the ClientHello's record number, so a second
		 * HelloRetryRequest never repeats one. */
		petrel_put_u8(&w, PETREL_CT_HANDSHAKE);
		petrel_put_u16(&w, 0xFEFDu);
		petrel_put_u16(&w, 0);
		petrel_put_u48(&w, record_seq);
		petrel_put_u16(&w, (uint16_t)(PETREL_HS_HEADER_LEN + m->len));
		if (petrel_hs_header_write(&w, &h) < 0 || !petrel_put_bytes(&w, m->body, m->len) ||
		    !petrel_writer_ok(&w))
			rc = PETREL_E_AGAIN;
		else
			*out_len = petrel_writer_len(&w);
	}
	petrel_hs13_output_reset(&o);
	petrel_dtls13_server_free(&sv);
	return rc < 0 ? PETREL_E_AGAIN : 0;
}
