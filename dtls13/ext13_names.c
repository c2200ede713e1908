/* server_name and ALPN for the DTLS 1.3 cores (see ext13_names.h). */
#include "dtls13/ext13_names.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/messages.h"
#include "dtls/session.h" /* petrel_alpn_encode */
#include "dtls13/hs13.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

/* RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in
 * HostName" (the 1.2 client's test, dtls12/client12.c). */
static bool is_ip_literal(const char *name)
{
	return strchr(name, ':') != NULL || strspn(name, "0123456789.") == strlen(name);
}

static bool put_ext(struct petrel_writer *w, uint16_t type, const uint8_t *body, size_t len)
{
	return petrel_put_u16(w, type) && petrel_put_opaque16(w, body, len);
}

int petrel_ext13_names_client_write(struct petrel_ext13_names *n,
				    const struct petrel_hs13_config *cfg, struct petrel_writer *w)
{
	n->sent_server_name = false;
	n->alpn_offer_len = 0;
	const char *host = cfg->server_name;
	if (host != NULL && host[0] != '\0' && !is_ip_literal(host)) {
		size_t host_len = strlen(host);
		if (host_len > PETREL_EXT13_HOST_MAX)
			return PETREL_E_INVALID_REQUEST;
		/* ServerNameList<1..2^16-1> of one host_name (RFC 6066 3). */
		struct petrel_len_scope ext, list;
		if (!(petrel_put_u16(w, PETREL_EXT13_SERVER_NAME) && petrel_put_len_open(w, 2, &ext) &&
		      petrel_put_len_open(w, 2, &list) && petrel_put_u8(w, PETREL_SNI_HOST_NAME) &&
		      petrel_put_opaque16(w, (const uint8_t *)host, host_len) &&
		      petrel_put_len_close(w, &list) && petrel_put_len_close(w, &ext)))
			return PETREL_E_SHORT_BUFFER;
		n->sent_server_name = true;
	}
	if (cfg->alpn != NULL) {
		size_t len = 0;
		int rc = petrel_alpn_encode(cfg->alpn, n->alpn_offer, sizeof n->alpn_offer, &len);
		if (rc < 0)
			return rc;
		/* ProtocolNameList<2..2^16-1> (RFC 7301 3.1). */
		struct petrel_len_scope ext;
		if (!(petrel_put_u16(w, PETREL_EXT13_ALPN) && petrel_put_len_open(w, 2, &ext) &&
		      petrel_put_opaque16(w, n->alpn_offer, len) && petrel_put_len_close(w, &ext)))
			return PETREL_E_SHORT_BUFFER;
		n->alpn_offer_len = len;
	}
	return 0;
}

/* A ProtocolNameList body: ProtocolName<1..2^8-1> entries, at least one.
 * *count: how many; *first: the first name. */
static int alpn_list_parse(const uint8_t *body, size_t len, size_t *count, const uint8_t **first,
			   size_t *first_len)
{
	struct petrel_reader r, list;
	petrel_reader_init(&r, body, len);
	if (!petrel_get_sub16(&r, &list) || !petrel_reader_done(&r) ||
	    petrel_reader_left(&list) < 2)
		return PETREL_E_DECODE_ERROR;
	*count = 0;
	while (petrel_reader_left(&list) > 0) {
		const uint8_t *name;
		size_t name_len;
		if (!petrel_get_opaque8(&list, &name, &name_len) || name_len == 0)
			return PETREL_E_DECODE_ERROR; /* RFC 7301 3.1: no empty names */
		if (*count == 0) {
			*first = name;
			*first_len = name_len;
		}
		(*count)++;
	}
	return 0;
}

int petrel_ext13_names_client_check(struct petrel_ext13_names *n, const uint8_t *block,
				    size_t len)
{
	const uint8_t *b;
	size_t bl;
	n->has_alpn = false;
	int rc = petrel_ext_find(block, len, PETREL_EXT13_SERVER_NAME, &b, &bl);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (!n->sent_server_name) /* RFC 8446 4.2: unsolicited */
			return PETREL_E_UNSUPPORTED_EXTENSION;
		if (bl != 0) /* RFC 6066 3: "extension_data ... SHALL be empty" */
			return PETREL_E_DECODE_ERROR;
	}
	rc = petrel_ext_find(block, len, PETREL_EXT13_ALPN, &b, &bl);
	if (rc <= 0)
		return rc;
	if (n->alpn_offer_len == 0)
		return PETREL_E_UNSUPPORTED_EXTENSION;
	size_t count;
	const uint8_t *name = NULL;
	size_t name_len = 0;
	rc = alpn_list_parse(b, bl, &count, &name, &name_len);
	if (rc < 0)
		return rc;
	/* RFC 7301 3.2: exactly one name, one we offered; else
	 * no_application_protocol (the README's policy table). */
	if (count != 1 || !petrel_alpn_list_contains(n->alpn_offer, n->alpn_offer_len, name, name_len))
		return PETREL_E_ALPN_MISMATCH;
	memcpy(n->alpn, name, name_len);
	n->alpn[name_len] = '\0';
	n->has_alpn = true;
	return 0;
}

/* ServerNameList: the host_name entry, at most one (RFC 6066 3 "MUST
 * NOT contain more than one name of the same name_type"); other name
 * types are skipped. */
static int server_name_parse(const uint8_t *body, size_t len, const uint8_t **host,
			     size_t *host_len)
{
	struct petrel_reader r, list;
	petrel_reader_init(&r, body, len);
	*host = NULL;
	*host_len = 0;
	if (!petrel_get_sub16(&r, &list) || !petrel_reader_done(&r) ||
	    petrel_reader_left(&list) == 0)
		return PETREL_E_DECODE_ERROR;
	while (petrel_reader_left(&list) > 0) {
		uint8_t type;
		const uint8_t *name;
		size_t name_len;
		if (!petrel_get_u8(&list, &type) || !petrel_get_opaque16(&list, &name, &name_len) ||
		    name_len == 0)
			return PETREL_E_DECODE_ERROR;
		if (type != PETREL_SNI_HOST_NAME)
			continue;
		if (*host != NULL)
			return PETREL_E_ILLEGAL_PARAMETER;
		*host = name;
		*host_len = name_len;
	}
	return 0;
}

/* Our first preference (cfg->alpn, "a,b") in the client's list. */
static bool alpn_choose(const char *ours, const uint8_t *client_list, size_t client_len,
			char *out)
{
	const char *p = ours;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len > 0 && len < 256 &&
		    petrel_alpn_list_contains(client_list, client_len, (const uint8_t *)p, len)) {
			memcpy(out, p, len);
			out[len] = '\0';
			return true;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

int petrel_ext13_names_server_read(struct petrel_ext13_names *n,
				   const struct petrel_hs13_config *cfg, const uint8_t *block,
				   size_t len)
{
	const uint8_t *b;
	size_t bl;
	n->has_host = false;
	n->has_alpn = false;
	n->host_unbound = false;
	int rc = petrel_ext_find(block, len, PETREL_EXT13_SERVER_NAME, &b, &bl);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		const uint8_t *host;
		size_t host_len;
		rc = server_name_parse(b, bl, &host, &host_len);
		if (rc < 0)
			return rc;
		/* Kept as a C string: a NUL inside would cut it short. */
		if (host != NULL && memchr(host, 0, host_len) != NULL)
			return PETREL_E_ILLEGAL_PARAMETER;
		if (host != NULL && host_len <= PETREL_EXT13_HOST_MAX) {
			memcpy(n->host, host, host_len);
			n->host[host_len] = '\0';
			n->has_host = true;
		}
		/* Not kept, yet a name was sent: never bound as "none". */
		n->host_unbound = host != NULL && host_len > PETREL_EXT13_HOST_MAX;
	}
	rc = petrel_ext_find(block, len, PETREL_EXT13_ALPN, &b, &bl);
	if (rc <= 0)
		return rc;
	size_t count;
	const uint8_t *first;
	size_t first_len;
	rc = alpn_list_parse(b, bl, &count, &first, &first_len);
	if (rc < 0)
		return rc;
	if (cfg->alpn == NULL)
		return 0; /* no ALPN configured: the extension is ignored */
	/* RFC 7301 3.2: no protocol in common: no_application_protocol. */
	const uint8_t *list = b + 2;
	if (!alpn_choose(cfg->alpn, list, bl - 2, n->alpn))
		return PETREL_E_ALPN_MISMATCH;
	n->has_alpn = true;
	return 0;
}

int petrel_ext13_names_server_answer(const struct petrel_ext13_names *n,
				     struct petrel_hs13_out_msg *ee)
{
	if (!n->has_host && !n->has_alpn)
		return 0;
	const uint8_t *block;
	size_t block_len;
	int rc = petrel_encrypted_extensions_parse(ee->body, ee->len, &block, &block_len);
	if (rc < 0)
		return PETREL_E_INTERNAL;
	size_t alpn_len = n->has_alpn ? strlen(n->alpn) : 0;
	size_t cap = 2 + block_len + 4 + 4 + 2 + 1 + alpn_len;
	uint8_t *body = malloc(cap);
	if (body == NULL)
		return PETREL_E_MEMORY;
	struct petrel_writer w;
	struct petrel_len_scope exts, ext, list;
	petrel_writer_init(&w, body, cap);
	petrel_put_len_open(&w, 2, &exts);
	petrel_put_bytes(&w, block, block_len);
	static const uint8_t empty[1];
	if (n->has_host) /* RFC 6066 3: empty extension_data */
		put_ext(&w, PETREL_EXT13_SERVER_NAME, empty, 0);
	if (n->has_alpn) { /* RFC 7301 3.1: a list of exactly one name */
		petrel_put_u16(&w, PETREL_EXT13_ALPN);
		petrel_put_len_open(&w, 2, &ext);
		petrel_put_len_open(&w, 2, &list);
		petrel_put_opaque8(&w, (const uint8_t *)n->alpn, alpn_len);
		petrel_put_len_close(&w, &list);
		petrel_put_len_close(&w, &ext);
	}
	petrel_put_len_close(&w, &exts);
	if (!petrel_writer_ok(&w)) {
		free(body);
		return PETREL_E_INTERNAL;
	}
	free(ee->body);
	ee->body = body;
	ee->len = petrel_writer_len(&w);
	return 0;
}

uint8_t petrel_ext13_names_alert(int rc)
{
	switch (rc) {
	case PETREL_E_ALPN_MISMATCH:
		return PETREL_ALERT13_NO_APPLICATION_PROTOCOL;
	case PETREL_E_UNSUPPORTED_EXTENSION:
		return PETREL_ALERT13_UNSUPPORTED_EXTENSION;
	default:
		return 0;
	}
}
