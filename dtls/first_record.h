/* Version routing at the start of a handshake (dtls/first_record.c). */
#ifndef PETREL_DTLS_FIRST_RECORD_H
#define PETREL_DTLS_FIRST_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/session.h"

bool petrel_client_hello_offers_dtls13(const uint8_t *body, size_t len);
bool petrel_session_allows_dtls13(const petrel_session *s);
/* Server ops' first_record: the 1.3 server or the 1.2 one. */
int petrel_first_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms);
/* The endpoint's stateless cookie step for either version (the 1.2
 * HelloVerifyRequest or the 1.3 HelloRetryRequest); same results as
 * petrel_server_stateless_check. */
int petrel_server_stateless_check_any(const struct petrel_credentials *creds, const uint8_t *peer,
				      size_t peer_len, const uint8_t *dgram, size_t len,
				      uint64_t now_ms, uint8_t *out, size_t cap, size_t *out_len);
/* Client ops' begin: the 1.3 client or the 1.2 one. */
int petrel_client_begin_any(petrel_session *s, uint64_t now_ms);

#endif
