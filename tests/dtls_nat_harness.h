/* A sans-I/O server endpoint and one hand-driven PSK client (tests/
 * dtls_harness.h) at two addresses of one NAT, for the Connection ID
 * rebinding tests of DTLS 1.2 (RFC 9146 6) and 1.3 (RFC 9147 9). */
#ifndef PETREL_TESTS_DTLS_NAT_HARNESS_H
#define PETREL_TESTS_DTLS_NAT_HARNESS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

struct nat_case {
	petrel_endpoint *ep;
	petrel_credentials *sc, *cc;
	struct hand_client c;
	struct sockaddr_in a, b; /* the client's first address, the NAT's new mapping */
};

/* The endpoint's latest session (nat_open's on_new_session records it). */
extern petrel_session *nat_server_session;

/* PSK credentials (a fixed key) under identity. */
petrel_credentials *nat_psk(const char *identity);
struct sockaddr_in harness_addr4(const char *ip, uint16_t port);
/* An endpoint issuing CIDs of cid_len that echoes every record, and a
 * client asking for client_cid (NULL: no CID extension) at clock 5,000,000;
 * on_established (may be NULL) goes to the endpoint. No handshake yet. */
void nat_open(struct nat_case *t, const char *identity, unsigned cid_len, const char *client_cid,
	      void (*on_established)(void *ptr, petrel_session *s));
void nat_free(struct nat_case *t);

/* Feed what the client sent as coming from `from`; hand the client every
 * datagram the endpoint sends, each checked to go to `from`. Returns how
 * many came back. */
unsigned nat_exchange_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from);
/* The client's handshake through ep from `from`, asserted to complete. */
void nat_handshake_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from);
/* Sends msg from `from`: true when the echo came back to the client. */
bool nat_echo_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from,
		   const char *msg);
/* The endpoint holds one session, at want. */
void nat_assert_peer_is(petrel_endpoint *ep, const struct sockaddr_in *want);
uint64_t nat_address_updates(petrel_endpoint *ep);

/* The client (given a CID of peer_cid_len bytes) moves to b, a while
 * later: its session follows with the first authentic record from there
 * and answers there; then back home to a (a second rebinding). */
void nat_assert_rebinding_moves(struct nat_case *t, size_t peer_cid_len);
/* A record an attacker saw go by, replayed from its own address, and an
 * older authentic record arriving late from elsewhere (reordered, or
 * kept by an attacker): neither moves the session (RFC 9146 6). The
 * first byte of the client's CID record, masked by type_mask, is
 * type_want (what says which record type that is). */
void nat_assert_replays_do_not_move(struct nat_case *t, uint8_t type_mask, uint8_t type_want,
				    const char *what);
/* The client's next record ("template", 8 bytes), taken from its sent
 * datagrams into out: its length. */
size_t nat_take_template(struct nat_case *t, uint8_t out[2048]);
/* A forgery (the right CID, a body the attacker cannot authenticate) fed
 * three times from another address leaves the session where it was. */
void nat_assert_forgery_does_not_move(struct nat_case *t, uint8_t *forged, size_t len);

/* Each session asks for its CID (NULL: no connection_id extension). */
void harness_set_cids(struct harness *h, const char *client_cid, const char *server_cid);
/* s's CID (PETREL_CID_OURS or PETREL_CID_PEERS) is want. */
void harness_assert_cid(petrel_session *s, int which, const char *want);

#endif
