/* Version choice at the start of a handshake (dtls/first_record.c). */
#ifndef PETREL_DTLS_FIRST_RECORD_H
#define PETREL_DTLS_FIRST_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/session.h"

bool petrel_client_hello_offers_dtls13(const uint8_t *body, size_t len);
bool petrel_session_allows_dtls13(const petrel_session *s);
/* Whether 1.2 may run: in the range, and not ruled out by a cipher list
 * of 1.3 suites only (petrel_session_set_ciphers). */
bool petrel_session_allows_dtls12(const petrel_session *s);
/* The version whose server answers a record that comes before any
 * handshake state (the dispatcher then calls that server's
 * first_record): PETREL_V_DTLS13 or PETREL_V_DTLS12, or -1 to drop it.
 * A client's is its session's version. */
int petrel_first_record_version(const petrel_session *s, const struct petrel_record *rec);
/* Whether a datagram opens with a whole ClientHello offering DTLS 1.3
 * (the endpoint then lets the session answer: a 1.3 session with a
 * stateless HelloRetryRequest, a 1.2 one with a HelloVerifyRequest). */
bool petrel_dgram_offers_dtls13(const uint8_t *dgram, size_t len);
/* A client whose range the application did not set
 * (petrel_session_set_versions): DTLS 1.2 to 1.3, or 1.2 only when it
 * uses a 1.2-only feature (renegotiation, a 1.2 cipher list). Called when the first handshake starts. */
void petrel_client_default_versions(petrel_session *s);
/* The version a client's first handshake starts in, after settling its
 * default range (the dispatcher then calls that client's begin). */
unsigned petrel_client_begin_version(petrel_session *s);

#endif
