/* Session-ticket sealing and opening (RFC 5077 4, our own format), for
 * tickets and for the values of the session-ID cache. */
#ifndef PETREL_DTLS_TICKET_H
#define PETREL_DTLS_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/keyschedule.h"

struct petrel_credentials;
struct petrel_suite;

#define PETREL_TICKET_LEN (12 + 1 + 2 + 1 + PETREL_MASTER_SECRET_LEN + 16)

int petrel_ticket_seal(const struct petrel_credentials *creds, const uint8_t nonce[12],
		       const struct petrel_suite *suite,
		       bool ems, const uint8_t master[PETREL_MASTER_SECRET_LEN], uint8_t out[PETREL_TICKET_LEN]);
int petrel_ticket_open(const struct petrel_credentials *creds, const uint8_t *ticket, size_t len,
		       uint16_t *suite_id, bool *ems, uint8_t master[PETREL_MASTER_SECRET_LEN]);

#endif
