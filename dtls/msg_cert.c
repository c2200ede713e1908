/* Authentication message bodies: Certificate, CertificateRequest and
 * CertificateVerify (RFC 5246 7.4.2, 7.4.4, 7.4.8), plus the digitally-signed
 * element they share with ServerKeyExchange (RFC 5246 4.7). */
#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "petrel/petrel.h"

int petrel_certificate_parse(const uint8_t *body, size_t len, struct petrel_certificate_msg *out)
{
	struct petrel_reader r, list;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	/* certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. */
	if (!petrel_get_sub24(&r, &list) || !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	while (petrel_reader_left(&list) > 0) {
		const uint8_t *der;
		size_t der_len;

		if (!petrel_get_opaque24(&list, &der, &der_len) || der_len == 0)
			return PETREL_E_DECODE_ERROR;
		/* Chains longer than this are refused rather than allocated for. */
		if (out->count == PETREL_CERT_CHAIN_MAX)
			return PETREL_E_LIMIT_EXCEEDED;
		out->certs[out->count].der = der;
		out->certs[out->count].der_len = der_len;
		out->count++;
	}
	return 0;
}

int petrel_certificate_write(struct petrel_writer *w, const struct petrel_certificate_msg *msg)
{
	struct petrel_len_scope list;

	if (msg->count > PETREL_CERT_CHAIN_MAX)
		return PETREL_E_INVALID_REQUEST;
	for (size_t i = 0; i < msg->count; i++)
		if (msg->certs[i].der == NULL || msg->certs[i].der_len == 0 ||
		    msg->certs[i].der_len > 0xFFFFFF)
			return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_len_open(w, 3, &list))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < msg->count; i++)
		if (!petrel_put_opaque24(w, msg->certs[i].der, msg->certs[i].der_len))
			return PETREL_E_SHORT_BUFFER;
	if (!petrel_put_len_close(w, &list))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

int petrel_certificate_request_parse(const uint8_t *body, size_t len,
				     struct petrel_certificate_request *out)
{
	struct petrel_reader r, names;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_opaque8(&r, &out->certificate_types, &out->certificate_types_len) ||
	    !petrel_get_opaque16(&r, &out->signature_algorithms, &out->signature_algorithms_len) ||
	    !petrel_get_opaque16(&r, &out->certificate_authorities,
				 &out->certificate_authorities_len) ||
	    !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	/* ClientCertificateType<1..2^8-1>, SignatureAndHashAlgorithm<2..2^16-2>. */
	if (out->certificate_types_len < 1 || out->signature_algorithms_len < 2 ||
	    (out->signature_algorithms_len & 1) != 0)
		return PETREL_E_DECODE_ERROR;
	/* DistinguishedName<1..2^16-1> entries must tile the list exactly. */
	petrel_reader_init(&names, out->certificate_authorities, out->certificate_authorities_len);
	while (petrel_reader_left(&names) > 0) {
		const uint8_t *dn;
		size_t dn_len;

		if (!petrel_get_opaque16(&names, &dn, &dn_len) || dn_len == 0)
			return PETREL_E_DECODE_ERROR;
	}
	return 0;
}

int petrel_certificate_request_write(struct petrel_writer *w,
				     const struct petrel_certificate_request *cr)
{
	if (cr->certificate_types_len < 1 || cr->certificate_types_len > 255 ||
	    cr->signature_algorithms_len < 2 || cr->signature_algorithms_len > 0xFFFE ||
	    (cr->signature_algorithms_len & 1) != 0 || cr->certificate_authorities_len > 0xFFFF)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_opaque8(w, cr->certificate_types, cr->certificate_types_len) ||
	    !petrel_put_opaque16(w, cr->signature_algorithms, cr->signature_algorithms_len) ||
	    !petrel_put_opaque16(w, cr->certificate_authorities, cr->certificate_authorities_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

int petrel_certificate_verify_parse(const uint8_t *body, size_t len,
				    struct petrel_digitally_signed *out)
{
	struct petrel_reader r;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_u16(&r, &out->scheme) ||
	    !petrel_get_opaque16(&r, &out->signature, &out->signature_len) ||
	    !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

int petrel_digitally_signed_write(struct petrel_writer *w, const struct petrel_digitally_signed *ds)
{
	if (ds->signature_len > 0xFFFF)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u16(w, ds->scheme) || !petrel_put_opaque16(w, ds->signature, ds->signature_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}
