/* Hello-phase message bodies: ClientHello, ServerHello, HelloVerifyRequest
 * (RFC 6347 4.2.1, RFC 5246 7.4.1), and the empty HelloRequest and
 * ServerHelloDone. */
#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "petrel/petrel.h"

/* RFC 5246 7.4.1.2: the extensions block is optional; when present its
 * length must cover exactly the rest of the message. */
static int parse_trailing_extensions(struct petrel_reader *r, enum petrel_msg_origin origin,
				     bool *has, const uint8_t **raw, size_t *raw_len,
				     struct petrel_extensions *ext)
{
	memset(ext, 0, sizeof(*ext));
	if (petrel_reader_left(r) == 0) {
		*has = false;
		return 0;
	}
	*has = true;
	if (!petrel_get_opaque16(r, raw, raw_len) || !petrel_reader_done(r))
		return PETREL_E_DECODE_ERROR;
	return petrel_extensions_parse(*raw, *raw_len, origin, ext);
}

int petrel_client_hello_parse(const uint8_t *body, size_t len, struct petrel_client_hello *out)
{
	struct petrel_reader r;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_u16(&r, &out->client_version) ||
	    !petrel_get_bytes(&r, PETREL_RANDOM_LEN, &out->random) ||
	    !petrel_get_opaque8(&r, &out->session_id, &out->session_id_len) ||
	    !petrel_get_opaque8(&r, &out->cookie, &out->cookie_len) ||
	    !petrel_get_opaque16(&r, &out->cipher_suites, &out->cipher_suites_len) ||
	    !petrel_get_opaque8(&r, &out->compression_methods, &out->compression_methods_len))
		return PETREL_E_DECODE_ERROR;
	/* SessionID<0..32>, CipherSuite<2..2^16-2>, CompressionMethod<1..2^8-1>. */
	if (out->session_id_len > PETREL_SESSION_ID_MAX || out->cipher_suites_len < 2 ||
	    (out->cipher_suites_len & 1) != 0 || out->compression_methods_len < 1)
		return PETREL_E_DECODE_ERROR;
	/* RFC 5246 7.4.1.2: the list "MUST contain" the null method. */
	if (!petrel_u8_list_contains(out->compression_methods, out->compression_methods_len,
				     PETREL_COMPRESSION_NULL))
		return PETREL_E_ILLEGAL_PARAMETER;
	return parse_trailing_extensions(&r, PETREL_FROM_CLIENT, &out->has_extensions,
					 &out->extensions_raw, &out->extensions_raw_len, &out->ext);
}

int petrel_client_hello_write(struct petrel_writer *w, const struct petrel_client_hello *ch)
{
	if (ch->random == NULL || ch->session_id_len > PETREL_SESSION_ID_MAX ||
	    ch->cookie_len > PETREL_COOKIE_MAX || ch->cipher_suites_len < 2 ||
	    ch->cipher_suites_len > 0xFFFE || (ch->cipher_suites_len & 1) != 0 ||
	    ch->compression_methods_len < 1 || ch->compression_methods_len > 255)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u16(w, ch->client_version) ||
	    !petrel_put_bytes(w, ch->random, PETREL_RANDOM_LEN) ||
	    !petrel_put_opaque8(w, ch->session_id, ch->session_id_len) ||
	    !petrel_put_opaque8(w, ch->cookie, ch->cookie_len) ||
	    !petrel_put_opaque16(w, ch->cipher_suites, ch->cipher_suites_len) ||
	    !petrel_put_opaque8(w, ch->compression_methods, ch->compression_methods_len))
		return PETREL_E_SHORT_BUFFER;
	if (!ch->has_extensions)
		return 0;
	return petrel_extensions_write(w, PETREL_FROM_CLIENT, &ch->ext);
}

int petrel_server_hello_parse(const uint8_t *body, size_t len, struct petrel_server_hello *out)
{
	struct petrel_reader r;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_u16(&r, &out->server_version) ||
	    !petrel_get_bytes(&r, PETREL_RANDOM_LEN, &out->random) ||
	    !petrel_get_opaque8(&r, &out->session_id, &out->session_id_len) ||
	    !petrel_get_u16(&r, &out->cipher_suite) || !petrel_get_u8(&r, &out->compression_method))
		return PETREL_E_DECODE_ERROR;
	if (out->session_id_len > PETREL_SESSION_ID_MAX)
		return PETREL_E_DECODE_ERROR;
	/* Petrel offers only null compression (RFC 5246 7.4.1.3: the server
	 * picks from the client's list). */
	if (out->compression_method != PETREL_COMPRESSION_NULL)
		return PETREL_E_ILLEGAL_PARAMETER;
	return parse_trailing_extensions(&r, PETREL_FROM_SERVER, &out->has_extensions,
					 &out->extensions_raw, &out->extensions_raw_len, &out->ext);
}

int petrel_server_hello_write(struct petrel_writer *w, const struct petrel_server_hello *sh)
{
	if (sh->random == NULL || sh->session_id_len > PETREL_SESSION_ID_MAX)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u16(w, sh->server_version) ||
	    !petrel_put_bytes(w, sh->random, PETREL_RANDOM_LEN) ||
	    !petrel_put_opaque8(w, sh->session_id, sh->session_id_len) ||
	    !petrel_put_u16(w, sh->cipher_suite) || !petrel_put_u8(w, sh->compression_method))
		return PETREL_E_SHORT_BUFFER;
	if (!sh->has_extensions)
		return 0;
	return petrel_extensions_write(w, PETREL_FROM_SERVER, &sh->ext);
}

int petrel_hello_verify_request_parse(const uint8_t *body, size_t len,
				      struct petrel_hello_verify_request *out)
{
	struct petrel_reader r;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_u16(&r, &out->server_version) ||
	    !petrel_get_opaque8(&r, &out->cookie, &out->cookie_len) || !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

int petrel_hello_verify_request_write(struct petrel_writer *w,
				      const struct petrel_hello_verify_request *hvr)
{
	if (hvr->cookie_len > PETREL_COOKIE_MAX)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u16(w, hvr->server_version) ||
	    !petrel_put_opaque8(w, hvr->cookie, hvr->cookie_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

/* RFC 5246 7.4.1.1 and 7.4.5: both are "struct { }". */
int petrel_hello_request_parse(const uint8_t *body, size_t len)
{
	(void)body;
	return len == 0 ? 0 : PETREL_E_DECODE_ERROR;
}

int petrel_server_hello_done_parse(const uint8_t *body, size_t len)
{
	(void)body;
	return len == 0 ? 0 : PETREL_E_DECODE_ERROR;
}
