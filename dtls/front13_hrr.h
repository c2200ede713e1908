/* The endpoint's stateless answer to a ClientHello offering DTLS 1.3
 * (issue #20 item 1): a HelloRetryRequest with a cookie (RFC 9147 5.1,
 * RFC 8446 4.2.2) in place of the half-open session the endpoint made
 * before. Like the HelloVerifyRequest of dtls12/hello_verify.c, it is no
 * larger than the ClientHello it answers and keeps nothing: the cookie
 * carries Hash(ClientHello1), the suite and group, the time, and a MAC
 * over them and the client's address. */
#ifndef PETREL_DTLS_FRONT13_HRR_H
#define PETREL_DTLS_FRONT13_HRR_H

#include <stddef.h>
#include <stdint.h>

#include "dtls/first_hello.h"
#include "dtls/session.h"

/* Largest answer: record and handshake headers, a HelloRetryRequest with
 * a 32-byte session ID, key_share and a cookie over a SHA-384 hash. */
#define PETREL_FRONT13_ANSWER_MAX 256u

/* The answer to a whole ClientHello m from peer (the address key the
 * session would get), groups in our preference order (NULL: the
 * defaults): 1 when its cookie is valid (make the session), 0 when a
 * HelloRetryRequest record was written to out, PETREL_E_AGAIN to drop it
 * silently (malformed, nothing in common, a wrong, expired or other
 * address's cookie: RFC 6347 4.1.2.7). */
int petrel_front13_answer(const struct petrel_credentials *creds, const uint8_t *peer,
			  size_t peer_len, const uint16_t *groups, size_t group_n,
			  const struct petrel_first_hello_msg *m, uint64_t now_ms, uint8_t *out,
			  size_t cap, size_t *out_len);
/* The same with the 1.3 suites to pick from, in our order (NULL: the
 * defaults), as the sessions' cipher lists have them. */
int petrel_front13_answer_suites(const struct petrel_credentials *creds, const uint8_t *peer,
				 size_t peer_len, const uint16_t *groups, size_t group_n,
				 const uint16_t *suites, size_t suite_n,
				 const struct petrel_first_hello_msg *m, uint64_t now_ms,
				 uint8_t *out, size_t cap, size_t *out_len);

#endif
