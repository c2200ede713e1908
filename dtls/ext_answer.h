/* A server answers only the extensions a client offered (dtls/ext_answer.c). */
#ifndef PETREL_DTLS_EXT_ANSWER_H
#define PETREL_DTLS_EXT_ANSWER_H

#include "dtls/flight.h"
#include "dtls/messages.h"

/* 0, or PETREL_E_UNSUPPORTED_EXTENSION when the ServerHello carries an
 * extension type the ClientHello did not (RFC 5246 7.4.1.4). The
 * renegotiation_info answer to the SCSV counts as offered (RFC 5746 3.4).
 * PETREL_E_DECODE_ERROR for a malformed block. */
int petrel_ext_answer_check(const struct petrel_client_hello *ch, const struct petrel_server_hello *sh);
/* The same against the ClientHello in the client's current flight (what
 * was sent, read back). PETREL_E_INTERNAL when the flight holds none. */
int petrel_ext_answer_check_flight(const struct petrel_flight *fl, const struct petrel_server_hello *sh);

#endif
