/* DTLS 1.3 CIDs a session issues after its handshake (RFC 9147 9,
 * NewConnectionId: dtls13/cid13_issue.c), made and routed by the
 * endpoint: each is unique among the endpoint's CIDs (in the worker's
 * layout with petrel_endpoint_set_cid_route) and, once made, a datagram
 * carrying it reaches the session whatever its address. */
#ifndef PETREL_DTLS_ENDPOINT_CID13_H
#define PETREL_DTLS_ENDPOINT_CID13_H

#include <stdint.h>

#include "dtls/endpoint_internal.h"

/* The endpoint's table of these CIDs: init (0 or PETREL_E_MEMORY), free. */
int petrel_ep_cid13_init(petrel_endpoint *ep);
void petrel_ep_cid13_free(petrel_endpoint *ep);
/* A new peer with CIDs: its session asks the endpoint for new ones. */
void petrel_ep_cid13_attach(petrel_endpoint *ep, struct ep_peer *p);
/* A peer going: its CIDs leave the table. */
void petrel_ep_cid13_detach(petrel_endpoint *ep, struct ep_peer *p);
/* The peer one of these CIDs (ep->cid_len bytes) names, or NULL. */
struct ep_peer *petrel_ep_cid13_find(const petrel_endpoint *ep, const uint8_t *cid);
/* Whether a CID is one of these (for the endpoint's own CIDs' uniqueness). */
bool petrel_ep_cid13_taken(const petrel_endpoint *ep, const uint8_t *cid);

#endif
