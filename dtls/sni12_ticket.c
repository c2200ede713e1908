/* DTLS 1.2 ticket binding (see sni12_ticket.h) and the ticket calls
 * without a binding (dtls/ticket.h), which stand for a session made
 * without a server_name. */
#include <string.h>
#include <time.h>

#include "dtls/session.h"
#include "dtls/sni12_ticket.h"
#include "dtls13/ext13_names.h"
#include "dtls13/ticket13.h"

bool petrel_sni12_binding(const uint8_t *host, size_t host_len,
			  uint8_t out[PETREL_TICKET13_BINDING_LEN])
{
	struct petrel_ext13_names n;
	memset(&n, 0, sizeof n);
	memset(out, 0, PETREL_TICKET13_BINDING_LEN);
	if (host != NULL && host_len > 0) {
		/* Kept as a C string by the 1.3 helper, as the 1.3 server
		 * keeps it (dtls13/ext13_names.c). */
		if (host_len > PETREL_EXT13_HOST_MAX || memchr(host, 0, host_len) != NULL)
			return false;
		memcpy(n.host, host, host_len);
		n.host[host_len] = '\0';
		n.has_host = true;
	}
	petrel_ticket13_binding(&n, out);
	return true;
}

int petrel_ticket_seal_at(const struct petrel_credentials *creds, int64_t now_s,
			  const uint8_t nonce[12], const struct petrel_suite *suite, bool ems,
			  const uint8_t master[PETREL_MASTER_SECRET_LEN], uint8_t out[PETREL_TICKET_LEN])
{
	uint8_t binding[PETREL_TICKET13_BINDING_LEN];
	(void)petrel_sni12_binding(NULL, 0, binding);
	return petrel_ticket_seal_bound_at(creds, now_s, nonce, suite, ems, master, binding, out);
}

int petrel_ticket_open_at(const struct petrel_credentials *creds, int64_t now_s,
			  const uint8_t *ticket, size_t len, uint16_t *suite_id, bool *ems,
			  uint8_t master[PETREL_MASTER_SECRET_LEN])
{
	uint8_t binding[PETREL_TICKET13_BINDING_LEN];
	return petrel_ticket_open_bound_at(creds, now_s, ticket, len, suite_id, ems, master, binding);
}

int petrel_ticket_seal(const struct petrel_credentials *creds, const uint8_t nonce[12],
		       const struct petrel_suite *suite,
		       bool ems, const uint8_t master[PETREL_MASTER_SECRET_LEN], uint8_t out[PETREL_TICKET_LEN])
{
	return petrel_ticket_seal_at(creds, (int64_t)time(NULL), nonce, suite, ems, master, out);
}

int petrel_ticket_open(const struct petrel_credentials *creds, const uint8_t *ticket, size_t len,
		       uint16_t *suite_id, bool *ems, uint8_t master[PETREL_MASTER_SECRET_LEN])
{
	return petrel_ticket_open_at(creds, (int64_t)time(NULL), ticket, len, suite_id, ems, master);
}
