/* Key exchange message bodies for the ECDHE, PSK and ECDHE_PSK families:
 * ServerKeyExchange and ClientKeyExchange (RFC 8422 5.4/5.7, RFC 4279 2,
 * RFC 5489 2). */
#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "petrel/petrel.h"

/* ServerECDHParams, RFC 8422 5.4. Only named_curve is allowed: explicit
 * curves are deprecated there, so any other curve_type is refused. */
static int parse_ecdh_params(struct petrel_reader *r, struct petrel_ecdh_params *out)
{
	const uint8_t *start = r->p;
	uint8_t curve_type;

	if (!petrel_get_u8(r, &curve_type))
		return PETREL_E_DECODE_ERROR;
	if (curve_type != PETREL_EC_CURVE_TYPE_NAMED)
		return PETREL_E_ILLEGAL_PARAMETER;
	if (!petrel_get_u16(r, &out->named_group) ||
	    !petrel_get_opaque8(r, &out->point, &out->point_len) || out->point_len == 0)
		return PETREL_E_DECODE_ERROR;
	out->raw = start;
	out->raw_len = (size_t)(r->p - start);
	return 0;
}

int petrel_ecdh_params_write(struct petrel_writer *w, uint16_t named_group, const uint8_t *point,
			     size_t point_len)
{
	if (point == NULL || point_len == 0 || point_len > 255)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u8(w, PETREL_EC_CURVE_TYPE_NAMED) || !petrel_put_u16(w, named_group) ||
	    !petrel_put_opaque8(w, point, point_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

int petrel_server_key_exchange_parse(const uint8_t *body, size_t len, enum petrel_msg_kx kx,
				     struct petrel_server_key_exchange *out)
{
	struct petrel_reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	switch (kx) {
	case PETREL_MSG_KX_ECDHE:
		rc = parse_ecdh_params(&r, &out->ecdh);
		if (rc != 0)
			return rc;
		/* RFC 5246 7.4.3: signed_params is a digitally-signed struct. */
		if (!petrel_get_u16(&r, &out->sig.scheme) ||
		    !petrel_get_opaque16(&r, &out->sig.signature, &out->sig.signature_len))
			return PETREL_E_DECODE_ERROR;
		break;
	case PETREL_MSG_KX_PSK:
		if (!petrel_get_opaque16(&r, &out->psk_identity_hint, &out->psk_identity_hint_len))
			return PETREL_E_DECODE_ERROR;
		break;
	case PETREL_MSG_KX_ECDHE_PSK:
		/* RFC 5489 2: hint, then params; the PSK authenticates, no signature. */
		if (!petrel_get_opaque16(&r, &out->psk_identity_hint, &out->psk_identity_hint_len))
			return PETREL_E_DECODE_ERROR;
		rc = parse_ecdh_params(&r, &out->ecdh);
		if (rc != 0)
			return rc;
		break;
	default:
		return PETREL_E_INVALID_REQUEST;
	}
	return petrel_reader_done(&r) ? 0 : PETREL_E_DECODE_ERROR;
}

int petrel_server_key_exchange_write(struct petrel_writer *w, enum petrel_msg_kx kx,
				     const struct petrel_server_key_exchange *ske)
{
	int rc;

	if (kx != PETREL_MSG_KX_ECDHE && ske->psk_identity_hint_len > 0xFFFF)
		return PETREL_E_INVALID_REQUEST;
	switch (kx) {
	case PETREL_MSG_KX_ECDHE:
		rc = petrel_ecdh_params_write(w, ske->ecdh.named_group, ske->ecdh.point,
					      ske->ecdh.point_len);
		return rc != 0 ? rc : petrel_digitally_signed_write(w, &ske->sig);
	case PETREL_MSG_KX_PSK:
		if (!petrel_put_opaque16(w, ske->psk_identity_hint, ske->psk_identity_hint_len))
			return PETREL_E_SHORT_BUFFER;
		return 0;
	case PETREL_MSG_KX_ECDHE_PSK:
		if (!petrel_put_opaque16(w, ske->psk_identity_hint, ske->psk_identity_hint_len))
			return PETREL_E_SHORT_BUFFER;
		return petrel_ecdh_params_write(w, ske->ecdh.named_group, ske->ecdh.point,
						ske->ecdh.point_len);
	default:
		return PETREL_E_INVALID_REQUEST;
	}
}

int petrel_client_key_exchange_parse(const uint8_t *body, size_t len, enum petrel_msg_kx kx,
				     struct petrel_client_key_exchange *out)
{
	struct petrel_reader r;
	bool want_identity = kx == PETREL_MSG_KX_PSK || kx == PETREL_MSG_KX_ECDHE_PSK;
	bool want_point = kx == PETREL_MSG_KX_ECDHE || kx == PETREL_MSG_KX_ECDHE_PSK;

	memset(out, 0, sizeof(*out));
	if (!want_identity && !want_point)
		return PETREL_E_INVALID_REQUEST;
	petrel_msg_reader_init(&r, body, len);
	/* RFC 4279 2 / RFC 5489 2: psk_identity<0..2^16-1> comes first. */
	if (want_identity &&
	    !petrel_get_opaque16(&r, &out->psk_identity, &out->psk_identity_len))
		return PETREL_E_DECODE_ERROR;
	/* RFC 8422 5.7: ecdh_Yc is point<1..2^8-1>. */
	if (want_point && (!petrel_get_opaque8(&r, &out->point, &out->point_len) ||
			   out->point_len == 0))
		return PETREL_E_DECODE_ERROR;
	return petrel_reader_done(&r) ? 0 : PETREL_E_DECODE_ERROR;
}

int petrel_client_key_exchange_write(struct petrel_writer *w, enum petrel_msg_kx kx,
				     const struct petrel_client_key_exchange *cke)
{
	bool want_identity = kx == PETREL_MSG_KX_PSK || kx == PETREL_MSG_KX_ECDHE_PSK;
	bool want_point = kx == PETREL_MSG_KX_ECDHE || kx == PETREL_MSG_KX_ECDHE_PSK;

	if ((!want_identity && !want_point) ||
	    (want_identity && cke->psk_identity_len > 0xFFFF) ||
	    (want_point && (cke->point == NULL || cke->point_len == 0 || cke->point_len > 255)))
		return PETREL_E_INVALID_REQUEST;
	if (want_identity && !petrel_put_opaque16(w, cke->psk_identity, cke->psk_identity_len))
		return PETREL_E_SHORT_BUFFER;
	if (want_point && !petrel_put_opaque8(w, cke->point, cke->point_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}
