/* Sessions and a sans-I/O endpoint fed by hand on a test clock, for the
 * tests of the server's front door (ClientHellos before the cookie) in
 * DTLS 1.2 (tests/dtls_first_hello_test.c) and 1.3
 * (tests/dtls13_front_test.c). */
#ifndef PETREL_TESTS_DTLS_FRONT_HARNESS_H
#define PETREL_TESTS_DTLS_FRONT_HARNESS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

/* The clock of every session and feed below (each test runs in its own
 * process: a test sets it as it needs). */
extern uint64_t front_now;
uint64_t front_clock(void *ptr);

/* Datagrams kept as they are sent (those past DGRAM_LOG_MAX or longer
 * than 2048 bytes are not kept). */
#define DGRAM_LOG_MAX 64
struct dgram_log {
	unsigned count;
	uint8_t d[DGRAM_LOG_MAX][2048];
	size_t len[DGRAM_LOG_MAX];
};
/* A push function (ptr: the dgram_log). */
long dgram_log_push(void *ptr, const uint8_t *data, size_t len);

/* A client whose datagrams land in log, nothing to pull, on front_now. */
petrel_session *front_client(petrel_credentials *cc, struct dgram_log *log);
/* One datagram into s at front_now (copied; a non-fatal result). */
void front_feed(petrel_session *s, const uint8_t *d, size_t len);

/* A sans-I/O endpoint over sc (flags, callbacks cb: may be NULL). */
petrel_endpoint *front_endpoint(petrel_credentials *sc, unsigned flags,
				const struct petrel_endpoint_callbacks *cb);
struct sockaddr_in front_v4(uint32_t ip, uint16_t port);
/* One datagram into ep from a at front_now (copied). */
void front_feed_ep(petrel_endpoint *ep, const uint8_t *d, size_t len, const struct sockaddr_in *a);
struct petrel_endpoint_stats front_ep_stats(const petrel_endpoint *ep);
/* The next datagram ep sends to a, into buf: its length, or 0 when ep has
 * no more. Datagrams to other addresses on the way are dropped, counted
 * in *others when given (a NULL: all are others). */
long front_next_answer(petrel_endpoint *ep, const struct sockaddr_in *a, uint8_t *buf, size_t cap,
		       unsigned *others);
/* Everything ep sends to a goes to client (the rest is dropped, an
 * answer to a forgery). Returns how many went. */
unsigned front_drain_to(petrel_endpoint *ep, petrel_session *client, const struct sockaddr_in *a);
/* Runs c's handshake through ep from a, its datagrams (logged in log) in
 * order: the client's result. */
int front_connect_through(petrel_endpoint *ep, petrel_session *c, struct dgram_log *log,
			  const struct sockaddr_in *a);
/* Frees the client (may be NULL), the endpoint and both credentials. */
void front_free(petrel_session *c, petrel_endpoint *ep, petrel_credentials *cc, petrel_credentials *sc);

#endif
