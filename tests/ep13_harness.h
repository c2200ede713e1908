/* A hand-driven DTLS 1.3 client against a sans-I/O endpoint, the client's
 * datagrams fed from an address the test picks (NAT rebinding, CID
 * routing): shared by the tkt13 and cid13 endpoint tests. */
#ifndef PETREL_TESTS_EP13_HARNESS_H
#define PETREL_TESTS_EP13_HARNESS_H

#include <netinet/in.h>
#include <stdbool.h>

#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

/* Credentials with one PSK under `identity` (the same key every time). */
petrel_credentials *ep13_psk(const char *identity);
struct sockaddr_in ep13_addr4(const char *ip, uint16_t port);
/* Feeds the client's datagrams from `from` and hands every answer back. */
void ep13_exchange_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from);
/* The client sends msg from `from`; whether the endpoint echoed it. */
bool ep13_echo_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from,
		    const char *msg);
/* The client's handshake driven from `from` (at most 10 rounds); its result. */
int ep13_handshake(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from);
/* A sans-I/O endpoint over sc echoing records, keeping its last session
 * in ep13_server_session, issuing 6-byte CIDs. */
petrel_endpoint *ep13_cid_endpoint(petrel_credentials *sc);
/* An on_new_session callback keeping the last session in ep13_server_session. */
extern petrel_session *ep13_server_session;
void ep13_remember_session(void *ptr, petrel_session *s);

#endif
