/* TLS 1.3 handshake message bodies as DTLS 1.3 carries them (RFC 8446 4,
 * RFC 9147 5): HelloRetryRequest detection, downgrade sentinels,
 * EncryptedExtensions, Certificate, CertificateRequest, CertificateVerify,
 * NewSessionTicket, KeyUpdate. */
#include <string.h>

#include "dtls/msg_internal.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

#define DECODE PETREL_E_DECODE_ERROR

/* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
const uint8_t petrel_hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

bool petrel_server_hello_is_hrr(const uint8_t *body, size_t len)
{
	struct petrel_reader r;
	uint16_t legacy_version;
	const uint8_t *random;
	petrel_msg_reader_init(&r, body, len);
	return petrel_get_u16(&r, &legacy_version) && petrel_get_bytes(&r, 32, &random) &&
	       memcmp(random, petrel_hrr_random, 32) == 0;
}

static const uint8_t downgrade[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44}; /* "DOWNGRD" */

bool petrel_random_has_downgrade_sentinel(const uint8_t random[32])
{
	return memcmp(random + 24, downgrade, 7) == 0 && (random[31] == 0 || random[31] == 1);
}

void petrel_random_set_downgrade_sentinel(uint8_t random[32])
{
	memcpy(random + 24, downgrade, 7);
	random[31] = 1;
}

int petrel_encrypted_extensions_parse(const uint8_t *body, size_t len, const uint8_t **block,
				      size_t *block_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_opaque16(&r, block, block_len) || !petrel_reader_done(&r))
		return DECODE;
	/* Every entry well formed, no type twice. */
	const uint8_t *b;
	size_t n;
	int rc = petrel_ext_find(*block, *block_len, 0xffff, &b, &n);
	return rc < 0 ? rc : 0;
}

/* ---- Certificate ---- */

static bool read_entry(struct petrel_reader *r, const uint8_t **cert, size_t *cert_len,
		       const uint8_t **exts, size_t *exts_len)
{
	/* CertificateEntry: opaque cert_data<1..2^24-1>; Extension extensions<0..2^16-1>; */
	return petrel_get_opaque24(r, cert, cert_len) && *cert_len > 0 &&
	       petrel_get_opaque16(r, exts, exts_len);
}

int petrel_certificate13_parse(const uint8_t *body, size_t len, struct petrel_certificate13 *out)
{
	struct petrel_reader r, list;
	petrel_msg_reader_init(&r, body, len);
	memset(out, 0, sizeof *out);
	if (!petrel_get_opaque8(&r, &out->request_context, &out->request_context_len) ||
	    !petrel_get_sub24(&r, &list) || !petrel_reader_done(&r))
		return DECODE;
	out->entries = list.p;
	out->entries_len = petrel_reader_left(&list);
	while (petrel_reader_left(&list) > 0) {
		const uint8_t *c, *e;
		size_t cl, el;
		if (!read_entry(&list, &c, &cl, &e, &el))
			return DECODE;
		out->count++;
	}
	return 0;
}

bool petrel_certificate13_entry(const struct petrel_certificate13 *c, size_t index,
				const uint8_t **cert, size_t *cert_len, const uint8_t **exts,
				size_t *exts_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, c->entries, c->entries_len);
	for (size_t i = 0; i <= index; i++)
		if (petrel_reader_left(&r) == 0 || !read_entry(&r, cert, cert_len, exts, exts_len))
			return false;
	return true;
}

int petrel_certificate13_write(struct petrel_writer *w, const uint8_t *context, size_t context_len,
			       const uint8_t *const *certs, const size_t *cert_lens, size_t count)
{
	struct petrel_len_scope list;
	if (context_len > 255 || (context == NULL && context_len > 0))
		return PETREL_E_INVALID_REQUEST;
	for (size_t i = 0; i < count; i++)
		if (certs[i] == NULL || cert_lens[i] == 0 || cert_lens[i] > 0xffffff)
			return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_opaque8(w, context, context_len) || !petrel_put_len_open(w, 3, &list))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++)
		if (!petrel_put_opaque24(w, certs[i], cert_lens[i]) || !petrel_put_u16(w, 0))
			return PETREL_E_SHORT_BUFFER;
	return petrel_put_len_close(w, &list) ? 0 : PETREL_E_SHORT_BUFFER;
}

int petrel_certificate_request13_parse(const uint8_t *body, size_t len, const uint8_t **context,
				       size_t *context_len, const uint8_t **exts, size_t *exts_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	/* certificate_request_context<0..2^8-1>; extensions<2..2^16-1> */
	if (!petrel_get_opaque8(&r, context, context_len) ||
	    !petrel_get_opaque16(&r, exts, exts_len) || !petrel_reader_done(&r) || *exts_len < 2)
		return DECODE;
	/* RFC 8446 4.3.2: signature_algorithms MUST be present. */
	const uint8_t *b;
	size_t n;
	int rc = petrel_ext_find(*exts, *exts_len, 13, &b, &n);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : PETREL_E_ILLEGAL_PARAMETER;
}

/* ---- CertificateVerify ---- */

size_t petrel_cert_verify_content(bool server, const uint8_t *transcript_hash, size_t hash_len,
				  uint8_t out[PETREL_CV_CONTENT_MAX])
{
	/* RFC 8446 4.4.3: the 64 spaces keep the content from ever matching
	 * a TLS 1.2 ServerKeyExchange prefix; the context string binds the
	 * role. */
	static const char server_ctx[] = "TLS 1.3, server CertificateVerify";
	static const char client_ctx[] = "TLS 1.3, client CertificateVerify";
	const char *ctx = server ? server_ctx : client_ctx;
	size_t ctx_len = sizeof server_ctx - 1;
	if (hash_len > 64 || (transcript_hash == NULL && hash_len > 0))
		return 0;
	memset(out, 0x20, 64);
	memcpy(out + 64, ctx, ctx_len);
	out[64 + ctx_len] = 0;
	if (hash_len > 0)
		memcpy(out + 64 + ctx_len + 1, transcript_hash, hash_len);
	return 64 + ctx_len + 1 + hash_len;
}

int petrel_cert_verify_parse(const uint8_t *body, size_t len, uint16_t *scheme,
			     const uint8_t **signature, size_t *signature_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_u16(&r, scheme) || !petrel_get_opaque16(&r, signature, signature_len) ||
	    !petrel_reader_done(&r))
		return DECODE;
	return 0;
}

int petrel_cert_verify_write(struct petrel_writer *w, uint16_t scheme, const uint8_t *signature,
			     size_t signature_len)
{
	if (signature_len > UINT16_MAX || (signature == NULL && signature_len > 0))
		return PETREL_E_INVALID_REQUEST;
	return petrel_put_u16(w, scheme) && petrel_put_opaque16(w, signature, signature_len)
		       ? 0
		       : PETREL_E_SHORT_BUFFER;
}

/* ---- NewSessionTicket ---- */

#define TICKET_LIFETIME_MAX_S 604800u /* RFC 8446 4.6.1: seven days */

int petrel_new_session_ticket13_parse(const uint8_t *body, size_t len,
				      struct petrel_new_session_ticket13 *out)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	memset(out, 0, sizeof *out);
	if (!petrel_get_u32(&r, &out->lifetime_s) || !petrel_get_u32(&r, &out->age_add) ||
	    !petrel_get_opaque8(&r, &out->nonce, &out->nonce_len) ||
	    !petrel_get_opaque16(&r, &out->ticket, &out->ticket_len) ||
	    !petrel_get_opaque16(&r, &out->extensions, &out->extensions_len) ||
	    !petrel_reader_done(&r) || out->ticket_len == 0 || out->extensions_len > 0xfffe)
		return DECODE;
	if (out->lifetime_s > TICKET_LIFETIME_MAX_S)
		return PETREL_E_ILLEGAL_PARAMETER;
	const uint8_t *b;
	size_t n;
	int rc = petrel_ext_find(out->extensions, out->extensions_len, 0xffff, &b, &n);
	return rc < 0 ? rc : 0;
}

int petrel_new_session_ticket13_write(struct petrel_writer *w,
				      const struct petrel_new_session_ticket13 *t)
{
	if (t->lifetime_s > TICKET_LIFETIME_MAX_S || t->nonce_len > 255 ||
	    (t->nonce == NULL && t->nonce_len > 0) || t->ticket == NULL || t->ticket_len == 0 ||
	    t->ticket_len > UINT16_MAX || t->extensions_len > 0xfffe ||
	    (t->extensions == NULL && t->extensions_len > 0))
		return PETREL_E_INVALID_REQUEST;
	return petrel_put_u32(w, t->lifetime_s) && petrel_put_u32(w, t->age_add) &&
			       petrel_put_opaque8(w, t->nonce, t->nonce_len) &&
			       petrel_put_opaque16(w, t->ticket, t->ticket_len) &&
			       petrel_put_opaque16(w, t->extensions, t->extensions_len)
		       ? 0
		       : PETREL_E_SHORT_BUFFER;
}

/* ---- KeyUpdate ---- */

int petrel_key_update_parse(const uint8_t *body, size_t len, bool *update_requested)
{
	struct petrel_reader r;
	uint8_t v;
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_u8(&r, &v) || !petrel_reader_done(&r))
		return DECODE;
	/* RFC 8446 4.6.3: any other value is an illegal_parameter. */
	if (v > PETREL_KEY_UPDATE_REQUESTED)
		return PETREL_E_ILLEGAL_PARAMETER;
	*update_requested = v == PETREL_KEY_UPDATE_REQUESTED;
	return 0;
}

int petrel_key_update_write(struct petrel_writer *w, bool update_requested)
{
	return petrel_put_u8(w, update_requested ? PETREL_KEY_UPDATE_REQUESTED
						 : PETREL_KEY_UPDATE_NOT_REQUESTED)
		       ? 0
		       : PETREL_E_SHORT_BUFFER;
}

/* ---- NewConnectionId / RequestConnectionId ---- */

int petrel_new_connection_id_parse(const uint8_t *body, size_t len,
				   struct petrel_new_connection_id *out)
{
	struct petrel_reader r, list;
	petrel_msg_reader_init(&r, body, len);
	memset(out, 0, sizeof *out);
	if (!petrel_get_sub16(&r, &list) || !petrel_get_u8(&r, &out->usage) ||
	    !petrel_reader_done(&r))
		return DECODE;
	out->cids = list.p;
	out->cids_len = petrel_reader_left(&list);
	while (petrel_reader_left(&list) > 0) {
		const uint8_t *c;
		size_t n;
		if (!petrel_get_opaque8(&list, &c, &n))
			return DECODE;
		out->count++;
	}
	if (out->usage != PETREL_CID_IMMEDIATE && out->usage != PETREL_CID_SPARE)
		return PETREL_E_ILLEGAL_PARAMETER;
	return 0;
}

bool petrel_new_connection_id_entry(const struct petrel_new_connection_id *n, size_t index,
				    const uint8_t **cid, size_t *cid_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, n->cids, n->cids_len);
	for (size_t i = 0; i <= index; i++)
		if (petrel_reader_left(&r) == 0 || !petrel_get_opaque8(&r, cid, cid_len))
			return false;
	return true;
}

int petrel_new_connection_id_write(struct petrel_writer *w, const uint8_t *const *cids,
				   const size_t *cid_lens, size_t count, uint8_t usage)
{
	struct petrel_len_scope list;
	if (usage > PETREL_CID_SPARE || (count > 0 && (cids == NULL || cid_lens == NULL)))
		return PETREL_E_INVALID_REQUEST;
	for (size_t i = 0; i < count; i++)
		if (cid_lens[i] > 255 || (cids[i] == NULL && cid_lens[i] > 0))
			return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_len_open(w, 2, &list))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++)
		if (!petrel_put_opaque8(w, cids[i], cid_lens[i]))
			return PETREL_E_SHORT_BUFFER;
	return petrel_put_len_close(w, &list) && petrel_put_u8(w, usage) ? 0 : PETREL_E_SHORT_BUFFER;
}

int petrel_request_connection_id_parse(const uint8_t *body, size_t len, uint8_t *num_cids)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	return petrel_get_u8(&r, num_cids) && petrel_reader_done(&r) ? 0 : DECODE;
}

int petrel_request_connection_id_write(struct petrel_writer *w, uint8_t num_cids)
{
	return petrel_put_u8(w, num_cids) ? 0 : PETREL_E_SHORT_BUFFER;
}
