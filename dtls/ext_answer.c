/* The client's check that a ServerHello answers only what it offered.
 * RFC 5246 7.4.1.4: an extension type in the ServerHello that the client
 * did not list in its ClientHello makes the client abort with
 * unsupported_extension (so RFC 8446 4.2). This covers the extensions
 * with their own rule, connection_id (RFC 9146 3), use_srtp (RFC 5764
 * 4.1.2), client/server_certificate_type (RFC 7250 4.2), and any type
 * Petrel does not know. Types are compared on the wire blocks, so an
 * offered extension the codec does not parse still counts.
 *
 * Like any other ServerHello error the code goes back through the
 * handshake's normal error path (a fatal alert); whether an epoch-0
 * record may end a handshake is the engine's policy, not this check's. */
#include "dtls/ext_answer.h"

#include "common/reader.h"
#include "petrel/petrel.h"

#define EXT_RENEGOTIATION_INFO 0xff01u /* RFC 5746 3.2 */

/* Whether the extensions block lists type (the block was parsed already;
 * a malformed one lists nothing). */
static bool block_has(const uint8_t *block, size_t len, uint16_t type)
{
	struct petrel_reader r;
	petrel_reader_init(&r, block, len);
	while (petrel_reader_left(&r) > 0) {
		uint16_t t;
		const uint8_t *body;
		size_t body_len;
		if (!petrel_get_u16(&r, &t) || !petrel_get_opaque16(&r, &body, &body_len))
			return false;
		if (t == type)
			return true;
	}
	return false;
}

int petrel_ext_answer_check(const struct petrel_client_hello *ch, const struct petrel_server_hello *sh)
{
	if (!sh->has_extensions)
		return 0;
	const uint8_t *offered = ch->has_extensions ? ch->extensions_raw : NULL;
	size_t offered_len = ch->has_extensions ? ch->extensions_raw_len : 0;
	bool scsv = petrel_u16_list_contains(ch->cipher_suites, ch->cipher_suites_len,
					     PETREL_CS_EMPTY_RENEGOTIATION_INFO_SCSV);
	struct petrel_reader r;
	petrel_reader_init(&r, sh->extensions_raw, sh->extensions_raw_len);
	while (petrel_reader_left(&r) > 0) {
		uint16_t type;
		const uint8_t *body;
		size_t body_len;
		if (!petrel_get_u16(&r, &type) || !petrel_get_opaque16(&r, &body, &body_len))
			return PETREL_E_DECODE_ERROR;
		if (type == EXT_RENEGOTIATION_INFO && scsv)
			continue;
		if (!block_has(offered, offered_len, type))
			return PETREL_E_UNSUPPORTED_EXTENSION;
	}
	return 0;
}

int petrel_ext_answer_check_flight(const struct petrel_flight *fl, const struct petrel_server_hello *sh)
{
	for (size_t i = 0; i < fl->entry_count; i++) {
		const struct petrel_flight_entry *e = &fl->entries[i];
		if (e->content_type != PETREL_FLIGHT_CT_HANDSHAKE || e->msg_type != PETREL_HS_CLIENT_HELLO)
			continue;
		struct petrel_client_hello ch;
		int rc = petrel_client_hello_parse(fl->bytes + e->offset + PETREL_HS_HEADER_LEN, e->length,
						   &ch);
		if (rc < 0)
			return PETREL_E_INTERNAL; /* we wrote it */
		return petrel_ext_answer_check(&ch, sh);
	}
	return PETREL_E_INTERNAL;
}
