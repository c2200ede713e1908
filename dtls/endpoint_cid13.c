/* DTLS 1.3 CIDs issued after the handshake, at the endpoint (see
 * dtls/endpoint_cid13.h). A second table beside ep->cids: its nodes are
 * not inside struct ep_peer, so they carry their peer. */
#include "dtls/endpoint_cid13.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "dtls/cid_route.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_update.h"

struct ep_cid13 {
	struct petrel_table_node node; /* key: the CID */
	struct ep_peer *peer;
	struct ep_cid13 *next; /* the peer's others */
};

int petrel_ep_cid13_init(petrel_endpoint *ep)
{
	return petrel_table_init(&ep->cids13, 16);
}

void petrel_ep_cid13_free(petrel_endpoint *ep)
{
	petrel_table_free(&ep->cids13);
}

bool petrel_ep_cid13_taken(const petrel_endpoint *ep, const uint8_t *cid)
{
	return petrel_table_find(&ep->cids13, cid, ep->cid_len) != NULL;
}

struct ep_peer *petrel_ep_cid13_find(const petrel_endpoint *ep, const uint8_t *cid)
{
	struct petrel_table_node *n = petrel_table_find(&ep->cids13, cid, ep->cid_len);
	return n ? ((struct ep_cid13 *)(void *)((char *)n - offsetof(struct ep_cid13, node)))->peer
		 : NULL;
}

/* The session's CIDs it retired (dtls13/cid13_retire.h): no longer
 * routed to it. Its negotiated CID leaves ep->cids (endpoint.c removes
 * a peer's entry there only while it has a key); an issued one leaves
 * this table and the peer's list. */
static void retire(void *ctx, const uint8_t *cid, size_t len, bool negotiated)
{
	struct ep_peer *p = ctx;
	petrel_endpoint *ep = p->ep;
	if (len != ep->cid_len)
		return;
	if (negotiated) {
		if (p->cid_node.key_len > 0 && petrel_table_find(&ep->cids, cid, len) == &p->cid_node) {
			petrel_table_remove(&ep->cids, &p->cid_node);
			p->cid_node.key_len = 0;
		}
		return;
	}
	for (struct ep_cid13 **at = &p->cids13; *at != NULL; at = &(*at)->next) {
		struct ep_cid13 *e = *at;
		if (petrel_table_find(&ep->cids13, cid, len) != &e->node)
			continue;
		*at = e->next;
		petrel_table_remove(&ep->cids13, &e->node);
		free(e);
		return;
	}
}

/* The session's maker (dtls/session_cid.h cid_maker): a CID in the
 * endpoint's layout, unique among both tables, routed from now on. */
static int make(void *ctx, uint8_t *cid, size_t len)
{
	struct ep_peer *p = ctx;
	petrel_endpoint *ep = p->ep;
	if (len != ep->cid_len || len == 0 || len > EP_CID_MAX)
		return PETREL_E_INVALID_REQUEST;
	uint8_t buf[EP_CID_MAX];
	for (int attempt = 0; attempt < 16; attempt++) {
		if (ep->cid_routed) {
			int n = petrel_cid_route_issue(&ep->cid_route, ep->cid_worker, buf, EP_CID_MAX);
			if (n < 0)
				return n;
		} else {
			petrel_random(buf, len);
		}
		if (petrel_table_find(&ep->cids, buf, len) != NULL ||
		    petrel_table_find(&ep->cids13, buf, len) != NULL)
			continue;
		struct ep_cid13 *e = calloc(1, sizeof *e);
		if (e == NULL)
			return PETREL_E_MEMORY;
		petrel_table_node_set_key(&e->node, buf, len);
		e->peer = p;
		e->next = p->cids13;
		p->cids13 = e;
		petrel_table_insert(&ep->cids13, &e->node);
		memcpy(cid, buf, len);
		/* cid13: and unrouted when the session retires it (its CID
		 * state exists: the issuer made it before asking). */
		struct petrel_cid13_issued *st = p->session->cid->issued13;
		if (st != NULL) {
			st->on_retire = retire;
			st->on_retire_ctx = p;
		}
		return 0;
	}
	return PETREL_E_LIMIT_EXCEEDED;
}

void petrel_ep_cid13_attach(petrel_endpoint *ep, struct ep_peer *p)
{
	(void)ep;
	if (p->session->cid == NULL)
		return;
	p->session->cid->cid_maker = make;
	p->session->cid->cid_maker_ctx = p;
}

void petrel_ep_cid13_detach(petrel_endpoint *ep, struct ep_peer *p)
{
	while (p->cids13 != NULL) {
		struct ep_cid13 *e = p->cids13;
		p->cids13 = e->next;
		petrel_table_remove(&ep->cids13, &e->node);
		free(e);
	}
}
