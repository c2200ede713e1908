/* Raw public keys (RFC 7250): the client_certificate_type and
 * server_certificate_type extension bodies, the Certificate message that
 * carries a bare SubjectPublicKeyInfo, and the choice of a type. */
#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "petrel/petrel.h"

int petrel_cert_type_ext_parse(struct petrel_reader *body, enum petrel_msg_origin origin,
			       const uint8_t **types, size_t *types_len)
{
	/* RFC 7250 3: ClientHello: CertificateType types<1..2^8-1>;
	 * ServerHello: the one CertificateType chosen. */
	if (origin == PETREL_FROM_SERVER) {
		*types_len = 1;
		return petrel_get_bytes(body, 1, types) ? 0 : PETREL_E_DECODE_ERROR;
	}
	if (!petrel_get_opaque8(body, types, types_len) || *types_len == 0)
		return PETREL_E_DECODE_ERROR;
	return 0;
}

bool petrel_cert_type_ext_write(struct petrel_writer *w, uint16_t ext_type,
				enum petrel_msg_origin origin, const uint8_t *types, size_t types_len)
{
	struct petrel_len_scope ext;

	if (!petrel_put_u16(w, ext_type) || !petrel_put_len_open(w, 2, &ext))
		return false;
	if (origin == PETREL_FROM_SERVER ? !petrel_put_u8(w, types[0])
					 : !petrel_put_opaque8(w, types, types_len))
		return false;
	return petrel_put_len_close(w, &ext);
}

int petrel_rpk_certificate_parse(const uint8_t *body, size_t len, const uint8_t **spki,
				 size_t *spki_len)
{
	struct petrel_reader r;

	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_opaque24(&r, spki, spki_len) || !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

int petrel_rpk_certificate_write(struct petrel_writer *w, const uint8_t *spki, size_t spki_len)
{
	if (spki_len > 0xFFFFFFu)
		return PETREL_E_INVALID_REQUEST;
	return petrel_put_opaque24(w, spki, spki_len) ? 0 : PETREL_E_SHORT_BUFFER;
}

int petrel_cert_type_choose(const uint8_t *offered, size_t offered_len, bool rpk_ok, bool x509_ok,
			    uint8_t *chosen)
{
	if (rpk_ok && petrel_u8_list_contains(offered, offered_len, PETREL_CERT_TYPE_RAW_PUBLIC_KEY)) {
		*chosen = PETREL_CERT_TYPE_RAW_PUBLIC_KEY;
		return 0;
	}
	if (x509_ok && petrel_u8_list_contains(offered, offered_len, PETREL_CERT_TYPE_X509)) {
		*chosen = PETREL_CERT_TYPE_X509;
		return 0;
	}
	/* RFC 7250 4.2: no type in common ends the handshake with an
	 * unsupported_certificate alert. */
	return PETREL_E_CERT_UNSUPPORTED_ALGORITHM;
}
