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
/* Whether a datagram opens with a whole ClientHello offering DTLS 1.3
 * (the endpoint then lets the session answer: a 1.3 session with a
 * stateless HelloRetryRequest, a 1.2 one with a HelloVerifyRequest). */
bool petrel_dgram_offers_dtls13(const uint8_t *dgram, size_t len);
/* Client ops' begin: the 1.3 client or the 1.2 one. */
int petrel_client_begin_any(petrel_session *s, uint64_t now_ms);

#endif
