/* Half-open handshakes and their buffered fragments (issue #17 item 8).
 * A half-open session (cookie checked, not yet established) is what a
 * peer with a real address can hold on the server. Each is counted for
 * its address and its prefix (/24, /56); a ClientHello over either cap is
 * dropped (RFC 6347 4.2.4: the client retransmits and gets in as that
 * address's handshakes end), and at the total cap the oldest half-open
 * session makes room. The fragments the half-open sessions buffer share
 * one budget; near it, the biggest holders go. */
#include <stdlib.h>
#include <string.h>

#include "dtls/endpoint_internal.h"
#include "dtls/first_record.h"
#include "dtls/front13_hrr.h"
#include "dtls/suites.h"

/* Group keys of an address key: kind, family, then the address (without
 * port) or its prefix: /24 for IPv4, /56 for IPv6 (a site's usual
 * delegation, RFC 6177). An IPv4-mapped IPv6 address (dual-stack socket)
 * counts as the IPv4 address it is. */
static size_t group_key(const uint8_t *akey, int kind, uint8_t out[2 + 16])
{
	static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *addr = akey + 3;
	size_t addr_len = akey[0] == 4 ? 4 : 16, prefix_len = akey[0] == 4 ? 3 : 7;
	uint8_t family = akey[0];
	if (family == 6 && memcmp(addr, v4_mapped, sizeof v4_mapped) == 0) {
		family = 4;
		addr += 12;
		addr_len = 4;
		prefix_len = 3;
	}
	out[0] = (uint8_t)kind;
	out[1] = family;
	size_t n = kind == GROUP_ADDR ? addr_len : prefix_len;
	memcpy(out + 2, addr, n);
	return 2 + n;
}

static struct ep_group *group_of_node(struct petrel_table_node *n)
{
	return n ? (struct ep_group *)((char *)n - offsetof(struct ep_group, node)) : NULL;
}

static void group_unlink(petrel_endpoint *ep, struct ep_half_open *h, int k)
{
	struct ep_group *g = h->group[k];
	if (--g->count == 0) {
		petrel_table_remove(&ep->groups, &g->node);
		free(g);
	}
	h->group[k] = NULL;
}

/* The peer's handshake is over (established or removed). */
void petrel_ep_half_open_end(petrel_endpoint *ep, struct ep_peer *p)
{
	struct ep_half_open *h = p->half_open;
	if (h == NULL)
		return;
	for (int k = 0; k < GROUP_KINDS; k++)
		if (h->group[k])
			group_unlink(ep, h, k);
	if (h->prev)
		h->prev->next = h->next;
	else
		ep->oldest = h->next;
	if (h->next)
		h->next->prev = h->prev;
	else
		ep->newest = h->prev;
	ep->frag_seen_bytes -= h->frag_bytes;
	ep->half_open--;
	free(h);
	p->half_open = NULL;
}

static struct ep_group *find_group(const petrel_endpoint *ep, const uint8_t *akey, int kind)
{
	uint8_t gk[2 + 16];
	size_t n = group_key(akey, kind, gk);
	return group_of_node(petrel_table_find(&ep->groups, gk, n));
}

/* 0, or PETREL_E_MEMORY (nothing linked then). */
int petrel_ep_half_open_begin(petrel_endpoint *ep, struct ep_peer *p)
{
	struct ep_half_open *h = calloc(1, sizeof *h);
	if (h == NULL)
		return PETREL_E_MEMORY;
	struct ep_group *g[GROUP_KINDS];
	for (int k = 0; k < GROUP_KINDS; k++) {
		g[k] = find_group(ep, p->node.key, k);
		if (g[k] == NULL) {
			g[k] = calloc(1, sizeof *g[k]);
			if (g[k] == NULL) {
				if (k == 1 && g[0]->count == 0) {
					petrel_table_remove(&ep->groups, &g[0]->node);
					free(g[0]);
				}
				free(h);
				return PETREL_E_MEMORY;
			}
			uint8_t gk[2 + 16];
			size_t n = group_key(p->node.key, k, gk);
			petrel_table_node_set_key(&g[k]->node, gk, n);
			petrel_table_insert(&ep->groups, &g[k]->node);
		}
	}
	h->peer = p;
	for (int k = 0; k < GROUP_KINDS; k++) {
		h->group[k] = g[k];
		g[k]->count++;
	}
	h->prev = ep->newest;
	if (ep->newest)
		ep->newest->next = h;
	else
		ep->oldest = h;
	ep->newest = h;
	ep->half_open++;
	p->half_open = h;
	return 0;
}

/* Buffered fragments of a half-open session, as the endpoint sees them:
 * the reassembler's own count, so the budget holds even where the
 * reassembler does not charge the shared budget itself. */
void petrel_ep_note_frag_bytes(petrel_endpoint *ep, struct ep_peer *p)
{
	struct ep_half_open *h = p->half_open;
	if (h == NULL)
		return;
	size_t now_bytes = p->session->hs ? p->session->hs->rx.total_bytes : 0;
	ep->frag_seen_bytes = ep->frag_seen_bytes - h->frag_bytes + now_bytes;
	h->frag_bytes = now_bytes;
}

size_t petrel_ep_frag_bytes_in_use(const petrel_endpoint *ep)
{
	return ep->frag_budget.used_bytes > ep->frag_seen_bytes ? ep->frag_budget.used_bytes
								: ep->frag_seen_bytes;
}

/* The half-open session holding the most buffered fragments. */
static struct ep_peer *largest_fragment_holder(const petrel_endpoint *ep)
{
	const struct ep_half_open *best = NULL;
	for (const struct ep_half_open *h = ep->oldest; h; h = h->next)
		if (h->frag_bytes > 0 && (best == NULL || h->frag_bytes > best->frag_bytes))
			best = h;
	return best ? best->peer : NULL;
}

/* Over three quarters of the fragment budget, the endpoint evicts the
 * half-open sessions holding the most until half is free again, so a
 * handshake that buffers little (a legitimate client's next flight)
 * finds room while others fill the budget with partial messages. This
 * file only chooses: removing a peer is dtls/endpoint.c's (no call back
 * up, issue #18). */
bool petrel_ep_fragment_budget_strained(const petrel_endpoint *ep)
{
	size_t cap = ep->frag_budget.cap_bytes;
	return petrel_ep_frag_bytes_in_use(ep) > cap - cap / 4;
}

struct ep_peer *petrel_ep_fragment_victim(const petrel_endpoint *ep)
{
	if (petrel_ep_frag_bytes_in_use(ep) <= ep->frag_budget.cap_bytes / 2)
		return NULL;
	return largest_fragment_holder(ep);
}

/* Room for one more half-open session from akey? A full address or
 * prefix is refused: its clients retry their ClientHello (RFC 6347
 * 4.2.4) and get in as its handshakes end, while one address or network
 * holding many handshakes open costs every other one nothing. */
bool petrel_ep_half_open_refuses(petrel_endpoint *ep, const uint8_t *akey)
{
	const struct ep_group *a = find_group(ep, akey, GROUP_ADDR);
	const struct ep_group *pre = find_group(ep, akey, GROUP_PREFIX);
	if ((a && a->count >= ep->max_half_open_per_addr) ||
	    (pre && pre->count >= ep->max_half_open_per_prefix)) {
		ep->half_open_refused++;
		return true;
	}
	return false;
}

/* When the total cap is reached the oldest half-open session goes (a
 * stalled handshake must not lock new clients out until it times out),
 * and so when all sessions are taken. NULL: no eviction needed. */
struct ep_peer *petrel_ep_half_open_victim(const petrel_endpoint *ep)
{
	if ((ep->half_open >= ep->max_half_open || ep->session_count >= ep->max_sessions) &&
	    ep->oldest)
		return ep->oldest->peer;
	return NULL;
}

void petrel_endpoint_set_half_open_limits(petrel_endpoint *ep, unsigned per_address, unsigned per_prefix)
{
	if (per_address)
		ep->max_half_open_per_addr = per_address;
	if (per_prefix)
		ep->max_half_open_per_prefix = per_prefix;
}

/* Partial ClientHellos hold a quarter of the fragment budget at most: the
 * rest stays for half-open handshakes, whose addresses are proven, and
 * the relief above never has to evict those for forgeries. */
static unsigned first_hello_cap(const petrel_endpoint *ep)
{
	size_t n = ep->frag_budget.cap_bytes / 4 / petrel_first_hello_bytes();
	if (n < 1)
		return 1;
	return n > PETREL_FIRST_HELLO_TABLE_MAX ? PETREL_FIRST_HELLO_TABLE_MAX : (unsigned)n;
}

void petrel_endpoint_set_fragment_budget(petrel_endpoint *ep, size_t bytes)
{
	if (bytes)
		ep->frag_budget.cap_bytes = bytes;
	ep->first_hellos.max_count = first_hello_cap(ep); /* fewer: the oldest go as new ones come */
}

size_t petrel_endpoint_fragment_bytes(const petrel_endpoint *ep)
{
	return petrel_ep_frag_bytes_in_use(ep);
}

unsigned petrel_endpoint_half_open_count(const petrel_endpoint *ep)
{
	return ep->half_open;
}

/* ---- ClientHellos in fragments, before the cookie (issue #20 item 4) ----
 * A peer without a session has no state but its partial ClientHello in
 * ep->first_hellos, under the caps of dtls/first_hello.h and charged to
 * the fragment budget. The cookie is checked on the whole ClientHello;
 * the record its first byte came in is the one the HelloVerifyRequest
 * echoes. */

static int first_hellos_ready(petrel_endpoint *ep)
{
	if (ep->first_hellos.groups.buckets)
		return 0;
	return petrel_fh_table_init(&ep->first_hellos, &ep->frag_budget, first_hello_cap(ep));
}

int petrel_ep_check_client_hello(petrel_endpoint *ep, const uint8_t *key, size_t key_len,
				 const uint8_t *d, size_t len, uint64_t now, uint8_t *hvr,
				 size_t hvr_cap, size_t *hvr_len)
{
	uint8_t gk[2 + 16];
	size_t gk_len = group_key(key, GROUP_ADDR, gk);
	struct petrel_reader r;
	struct petrel_record_header rh;
	petrel_reader_init(&r, d, len);
	while (petrel_record_header_read(&r, &rh)) {
		struct petrel_reader body;
		if (!petrel_get_sub(&r, rh.length, &body))
			break;
		if (rh.content_type != PETREL_CT_HANDSHAKE || rh.epoch != 0)
			continue;
		struct petrel_hs_header h;
		const uint8_t *frag;
		/* RFC 6347 4.2.3: a record may hold several fragments. */
		while (petrel_reader_left(&body) > 0 && petrel_hs_header_read(&body, &h, &frag) == 0) {
			if (h.msg_type != PETREL_HS_CLIENT_HELLO)
				continue;
			struct petrel_first_hello_msg m = {h, frag, rh.seq, 1};
			bool whole = h.fragment_offset == 0 && h.fragment_length == h.length;
			if (!whole && (first_hellos_ready(ep) < 0 ||
				       petrel_fh_table_offer(&ep->first_hellos, key, key_len, gk, gk_len,
							     &h, frag, rh.seq, now, &m) != 1))
				continue;
			/* DTLS 1.3 offered: a stateless HelloRetryRequest (RFC
			 * 9147 5.1); else a HelloVerifyRequest (RFC 6347 4.2.1). */
			bool v13 = !ep->front12_only &&
				   petrel_client_hello_offers_dtls13(m.body, m.h.length);
			int rc = v13 ? petrel_front13_answer_suites(
					       ep->creds, key, key_len, ep->front_groups,
					       ep->front_group_count, ep->front_suites13,
					       ep->front_suite13_count, &m, now, hvr, hvr_cap, hvr_len)
				     : petrel_hello_verify_answer(ep->creds, key, key_len, &m, now, hvr,
								  hvr_cap, hvr_len);
			/* Kept only for the session a valid cookie makes; a
			 * ClientHello whole in one record makes a partial one
			 * stale. */
			if (rc != 1 || whole)
				petrel_fh_table_drop(&ep->first_hellos, key, key_len, gk, gk_len);
			return rc;
		}
	}
	return PETREL_E_AGAIN;
}

void petrel_ep_hand_over_first_hello(petrel_endpoint *ep, struct ep_peer *p)
{
	uint8_t gk[2 + 16];
	size_t gk_len = group_key(p->node.key, GROUP_ADDR, gk);
	struct petrel_first_hello *fh =
		petrel_fh_table_detach(&ep->first_hellos, p->node.key, p->node.key_len, gk, gk_len);
	if (fh)
		petrel_first_hello_adopt(p->session, fh);
}

void petrel_ep_expire_first_hellos(petrel_endpoint *ep, uint64_t now)
{
	petrel_fh_table_expire(&ep->first_hellos, now);
}

int petrel_endpoint_set_hello_policy(petrel_endpoint *ep, int max_version, const char *groups)
{
	if (ep == NULL || (max_version != 0 && max_version != PETREL_DTLS1_2 &&
			   max_version != PETREL_DTLS1_3))
		return PETREL_E_INVALID_REQUEST;
	uint16_t ids[PETREL_MAX_GROUPS];
	size_t count = 0;
	if (groups != NULL) {
		char buf[256];
		char *save = NULL;
		if (strlen(groups) >= sizeof buf)
			return PETREL_E_INVALID_REQUEST;
		strcpy(buf, groups);
		for (char *tok = strtok_r(buf, ",: ", &save); tok; tok = strtok_r(NULL, ",: ", &save)) {
			uint16_t id = petrel_group_by_name(tok);
			if (id == 0)
				return PETREL_E_UNSUPPORTED;
			if (count == PETREL_MAX_GROUPS)
				return PETREL_E_LIMIT_EXCEEDED;
			ids[count++] = id;
		}
	}
	ep->front12_only = max_version == PETREL_DTLS1_2;
	memcpy(ep->front_groups, ids, sizeof ids[0] * count);
	ep->front_group_count = count;
	return 0;
}
