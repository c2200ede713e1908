/* Hello extensions block: parse into struct petrel_extensions, write from it.
 * Each known extension body must be consumed exactly; unknown types are
 * skipped and counted (RFC 5246 7.4.1.4); a type seen twice is a decode
 * error (RFC 5246 7.4.1.4: "MUST NOT be more than one extension of the same
 * type"). */
#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "petrel/petrel.h"

/* A u16 list vector<2..2^16-2>: non-empty, whole number of entries. */
static int get_u16_list(struct petrel_reader *body, const uint8_t **list, size_t *len)
{
	if (!petrel_get_opaque16(body, list, len) || *len < 2 || (*len & 1) != 0)
		return PETREL_E_DECODE_ERROR;
	return 0;
}

/* RFC 6066 3: a client sends ServerNameList<1..2^16-1>; a server that used
 * the name answers with an empty extension_data. Names of unknown types are
 * skipped (their layout is opaque16 like host_name). */
static int parse_server_name(struct petrel_reader *body, enum petrel_msg_origin origin,
			     struct petrel_extensions *out)
{
	struct petrel_reader list;
	bool have_host = false;

	if (origin == PETREL_FROM_SERVER)
		return petrel_reader_left(body) == 0 ? 0 : PETREL_E_DECODE_ERROR;
	if (!petrel_get_sub16(body, &list) || petrel_reader_left(&list) == 0)
		return PETREL_E_DECODE_ERROR;
	while (petrel_reader_left(&list) > 0) {
		uint8_t name_type;
		const uint8_t *name;
		size_t name_len;

		if (!petrel_get_u8(&list, &name_type) || !petrel_get_opaque16(&list, &name, &name_len) ||
		    name_len == 0)
			return PETREL_E_DECODE_ERROR;
		if (name_type != PETREL_SNI_HOST_NAME)
			continue;
		/* "MUST NOT contain more than one name of the same name_type". */
		if (have_host)
			return PETREL_E_ILLEGAL_PARAMETER;
		have_host = true;
		out->server_name = name;
		out->server_name_len = name_len;
	}
	return 0; /* only unknown name types: nothing we use */
}

/* RFC 7301 3.1: ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>; the
 * server's list holds exactly one name. */
static int parse_alpn(struct petrel_reader *body, enum petrel_msg_origin origin,
		      struct petrel_extensions *out)
{
	struct petrel_reader list;
	unsigned count = 0;

	if (!petrel_get_opaque16(body, &out->alpn, &out->alpn_len) || out->alpn_len < 2)
		return PETREL_E_DECODE_ERROR;
	petrel_reader_init(&list, out->alpn, out->alpn_len);
	while (petrel_reader_left(&list) > 0) {
		const uint8_t *name;
		size_t name_len;

		if (!petrel_get_opaque8(&list, &name, &name_len) || name_len == 0)
			return PETREL_E_DECODE_ERROR;
		count++;
	}
	/* RFC 7301 3.2: a client that gets anything but one name aborts with
	 * no_application_protocol (the alert for PETREL_E_ALPN_MISMATCH). */
	if (origin == PETREL_FROM_SERVER && count != 1)
		return PETREL_E_ALPN_MISMATCH;
	return 0;
}

/* RFC 5764 4.1.1: SRTPProtectionProfiles<2..2^16-1>, srtp_mki<0..255>; the
 * server selects a single profile. */
static int parse_use_srtp(struct petrel_reader *body, enum petrel_msg_origin origin,
			  struct petrel_extensions *out)
{
	int rc = get_u16_list(body, &out->srtp_profiles, &out->srtp_profiles_len);
	if (rc != 0)
		return rc;
	if (!petrel_get_opaque8(body, &out->srtp_mki, &out->srtp_mki_len))
		return PETREL_E_DECODE_ERROR;
	if (origin == PETREL_FROM_SERVER && out->srtp_profiles_len != 2)
		return PETREL_E_ILLEGAL_PARAMETER;
	return 0;
}

static int parse_one(uint16_t type, struct petrel_reader *body, enum petrel_msg_origin origin,
		     struct petrel_extensions *out)
{
	int rc = 0;
	uint8_t u8v;
	uint16_t u16v;

	switch (type) {
	case PETREL_EXT_SERVER_NAME:
		out->has_server_name = true;
		rc = parse_server_name(body, origin, out);
		break;
	case PETREL_EXT_MAX_FRAGMENT_LENGTH:
		/* RFC 6066 4: values 1..4; anything else is illegal_parameter. */
		if (!petrel_get_u8(body, &u8v))
			return PETREL_E_DECODE_ERROR;
		if (u8v < 1 || u8v > 4)
			rc = PETREL_E_ILLEGAL_PARAMETER;
		out->has_max_fragment_length = true;
		out->max_fragment_length = u8v;
		break;
	case PETREL_EXT_SUPPORTED_GROUPS:
		out->has_supported_groups = true;
		rc = get_u16_list(body, &out->supported_groups, &out->supported_groups_len);
		break;
	case PETREL_EXT_EC_POINT_FORMATS:
		/* RFC 8422 5.1.2: ECPointFormat list<1..2^8-1>; uncompressed is
		 * mandatory, so a list without it is unusable. */
		out->has_ec_point_formats = true;
		if (!petrel_get_opaque8(body, &out->ec_point_formats, &out->ec_point_formats_len) ||
		    out->ec_point_formats_len == 0)
			return PETREL_E_DECODE_ERROR;
		if (!petrel_u8_list_contains(out->ec_point_formats, out->ec_point_formats_len,
					     PETREL_EC_POINT_UNCOMPRESSED))
			rc = PETREL_E_ILLEGAL_PARAMETER;
		break;
	case PETREL_EXT_SIGNATURE_ALGORITHMS:
		out->has_signature_algorithms = true;
		rc = get_u16_list(body, &out->signature_algorithms, &out->signature_algorithms_len);
		break;
	case PETREL_EXT_USE_SRTP:
		out->has_use_srtp = true;
		rc = parse_use_srtp(body, origin, out);
		break;
	case PETREL_EXT_HEARTBEAT:
		/* RFC 6520 2: an unknown mode is illegal_parameter. */
		if (!petrel_get_u8(body, &u8v))
			return PETREL_E_DECODE_ERROR;
		if (u8v != 1 && u8v != 2)
			rc = PETREL_E_ILLEGAL_PARAMETER;
		out->has_heartbeat = true;
		out->heartbeat_mode = u8v;
		break;
	case PETREL_EXT_ALPN:
		out->has_alpn = true;
		rc = parse_alpn(body, origin, out);
		break;
	case PETREL_EXT_CLIENT_CERTIFICATE_TYPE:
		out->has_client_cert_type = true;
		rc = petrel_cert_type_ext_parse(body, origin, &out->client_cert_types,
						&out->client_cert_types_len);
		break;
	case PETREL_EXT_SERVER_CERTIFICATE_TYPE:
		out->has_server_cert_type = true;
		rc = petrel_cert_type_ext_parse(body, origin, &out->server_cert_types,
						&out->server_cert_types_len);
		break;
	case PETREL_EXT_ENCRYPT_THEN_MAC:
		out->encrypt_then_mac = true; /* RFC 7366 2: empty */
		break;
	case PETREL_EXT_EXTENDED_MASTER_SECRET:
		out->extended_master_secret = true; /* RFC 7627 5.1: empty */
		break;
	case PETREL_EXT_RECORD_SIZE_LIMIT:
		/* RFC 8449 4: below 64 is illegal_parameter. */
		if (!petrel_get_u16(body, &u16v))
			return PETREL_E_DECODE_ERROR;
		if (u16v < 64)
			rc = PETREL_E_ILLEGAL_PARAMETER;
		out->has_record_size_limit = true;
		out->record_size_limit = u16v;
		break;
	case PETREL_EXT_SESSION_TICKET:
		/* RFC 5077 3.2: the whole extension_data is the ticket. */
		out->has_session_ticket = true;
		out->session_ticket_len = petrel_reader_left(body);
		if (!petrel_get_bytes(body, out->session_ticket_len, &out->session_ticket))
			return PETREL_E_DECODE_ERROR;
		break;
	case PETREL_EXT_CONNECTION_ID:
		out->has_connection_id = true;
		if (!petrel_get_opaque8(body, &out->connection_id, &out->connection_id_len))
			return PETREL_E_DECODE_ERROR;
		break;
	case PETREL_EXT_RENEGOTIATION_INFO:
		out->has_renegotiation_info = true;
		if (!petrel_get_opaque8(body, &out->renegotiation_info, &out->renegotiation_info_len))
			return PETREL_E_DECODE_ERROR;
		break;
	default:
		out->unknown_count++;
		return 0;
	}
	if (rc != 0)
		return rc;
	return petrel_reader_done(body) ? 0 : PETREL_E_DECODE_ERROR;
}

int petrel_extensions_parse(const uint8_t *block, size_t len, enum petrel_msg_origin origin,
			    struct petrel_extensions *out)
{
	/* One bit per ExtensionType: duplicates are found in linear time even
	 * for a block stuffed with thousands of empty unknown extensions. */
	uint64_t seen[65536 / 64];
	struct petrel_reader r;

	memset(out, 0, sizeof(*out));
	memset(seen, 0, sizeof(seen));
	petrel_msg_reader_init(&r, block, len);
	while (petrel_reader_left(&r) > 0) {
		uint16_t type;
		struct petrel_reader body;
		int rc;

		if (!petrel_get_u16(&r, &type) || !petrel_get_sub16(&r, &body))
			return PETREL_E_DECODE_ERROR;
		if (seen[type / 64] & (UINT64_C(1) << (type % 64)))
			return PETREL_E_DECODE_ERROR;
		seen[type / 64] |= UINT64_C(1) << (type % 64);
		rc = parse_one(type, &body, origin, out);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- Writer ---- */

static bool ext_open(struct petrel_writer *w, uint16_t type, struct petrel_len_scope *scope)
{
	return petrel_put_u16(w, type) && petrel_put_len_open(w, 2, scope);
}

static bool put_empty(struct petrel_writer *w, uint16_t type)
{
	return petrel_put_u16(w, type) && petrel_put_u16(w, 0);
}

/* Caller bugs the writer refuses rather than emitting a malformed block. */
static bool ext_valid(const struct petrel_extensions *e, enum petrel_msg_origin origin)
{
	if (e->has_server_name && origin == PETREL_FROM_CLIENT &&
	    (e->server_name_len == 0 || e->server_name_len > 0xFFFF - 5))
		return false;
	if (e->has_supported_groups && (e->supported_groups_len < 2 || (e->supported_groups_len & 1)))
		return false;
	if (e->has_ec_point_formats && (e->ec_point_formats_len < 1 || e->ec_point_formats_len > 255))
		return false;
	if (e->has_signature_algorithms &&
	    (e->signature_algorithms_len < 2 || (e->signature_algorithms_len & 1)))
		return false;
	if (e->has_use_srtp && (e->srtp_profiles_len < 2 || (e->srtp_profiles_len & 1) ||
				e->srtp_mki_len > 255))
		return false;
	if (e->has_alpn && e->alpn_len < 2)
		return false;
	if (e->has_client_cert_type && (e->client_cert_types_len < 1 || e->client_cert_types_len > 255))
		return false;
	if (e->has_server_cert_type && (e->server_cert_types_len < 1 || e->server_cert_types_len > 255))
		return false;
	if (e->has_connection_id && e->connection_id_len > 255)
		return false;
	if (e->has_renegotiation_info && e->renegotiation_info_len > 255)
		return false;
	return true;
}

static bool write_all(struct petrel_writer *w, enum petrel_msg_origin origin,
		      const struct petrel_extensions *e)
{
	struct petrel_len_scope ext, inner;

	if (e->has_server_name) {
		if (!ext_open(w, PETREL_EXT_SERVER_NAME, &ext))
			return false;
		if (origin == PETREL_FROM_CLIENT &&
		    !(petrel_put_len_open(w, 2, &inner) && petrel_put_u8(w, PETREL_SNI_HOST_NAME) &&
		      petrel_put_opaque16(w, e->server_name, e->server_name_len) &&
		      petrel_put_len_close(w, &inner)))
			return false;
		if (!petrel_put_len_close(w, &ext))
			return false;
	}
	if (e->has_max_fragment_length &&
	    !(ext_open(w, PETREL_EXT_MAX_FRAGMENT_LENGTH, &ext) &&
	      petrel_put_u8(w, e->max_fragment_length) && petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_supported_groups &&
	    !(ext_open(w, PETREL_EXT_SUPPORTED_GROUPS, &ext) &&
	      petrel_put_opaque16(w, e->supported_groups, e->supported_groups_len) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_ec_point_formats &&
	    !(ext_open(w, PETREL_EXT_EC_POINT_FORMATS, &ext) &&
	      petrel_put_opaque8(w, e->ec_point_formats, e->ec_point_formats_len) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_signature_algorithms &&
	    !(ext_open(w, PETREL_EXT_SIGNATURE_ALGORITHMS, &ext) &&
	      petrel_put_opaque16(w, e->signature_algorithms, e->signature_algorithms_len) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_use_srtp &&
	    !(ext_open(w, PETREL_EXT_USE_SRTP, &ext) &&
	      petrel_put_opaque16(w, e->srtp_profiles, e->srtp_profiles_len) &&
	      petrel_put_opaque8(w, e->srtp_mki, e->srtp_mki_len) && petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_heartbeat &&
	    !(ext_open(w, PETREL_EXT_HEARTBEAT, &ext) && petrel_put_u8(w, e->heartbeat_mode) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_alpn &&
	    !(ext_open(w, PETREL_EXT_ALPN, &ext) && petrel_put_opaque16(w, e->alpn, e->alpn_len) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_client_cert_type &&
	    !petrel_cert_type_ext_write(w, PETREL_EXT_CLIENT_CERTIFICATE_TYPE, origin,
					e->client_cert_types, e->client_cert_types_len))
		return false;
	if (e->has_server_cert_type &&
	    !petrel_cert_type_ext_write(w, PETREL_EXT_SERVER_CERTIFICATE_TYPE, origin,
					e->server_cert_types, e->server_cert_types_len))
		return false;
	if (e->encrypt_then_mac && !put_empty(w, PETREL_EXT_ENCRYPT_THEN_MAC))
		return false;
	if (e->extended_master_secret && !put_empty(w, PETREL_EXT_EXTENDED_MASTER_SECRET))
		return false;
	if (e->has_record_size_limit &&
	    !(ext_open(w, PETREL_EXT_RECORD_SIZE_LIMIT, &ext) &&
	      petrel_put_u16(w, e->record_size_limit) && petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_session_ticket &&
	    !(ext_open(w, PETREL_EXT_SESSION_TICKET, &ext) &&
	      petrel_put_bytes(w, e->session_ticket, e->session_ticket_len) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_connection_id &&
	    !(ext_open(w, PETREL_EXT_CONNECTION_ID, &ext) &&
	      petrel_put_opaque8(w, e->connection_id, e->connection_id_len) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	if (e->has_renegotiation_info &&
	    !(ext_open(w, PETREL_EXT_RENEGOTIATION_INFO, &ext) &&
	      petrel_put_opaque8(w, e->renegotiation_info, e->renegotiation_info_len) &&
	      petrel_put_len_close(w, &ext)))
		return false;
	return true;
}

int petrel_extensions_write(struct petrel_writer *w, enum petrel_msg_origin origin,
			    const struct petrel_extensions *ext)
{
	struct petrel_len_scope block;

	if (!ext_valid(ext, origin))
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_len_open(w, 2, &block) || !write_all(w, origin, ext) ||
	    !petrel_put_len_close(w, &block))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}
