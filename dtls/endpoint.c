/* A server endpoint: one unconnected UDP socket, many peers. Datagrams are
 * demultiplexed by peer address; a peer gets a session only after its
 * ClientHello carries a valid stateless cookie (RFC 6347 4.2.1), so a
 * flood of forged ClientHellos costs one HelloVerifyRequest each and no
 * memory.
 *
 * Cost per datagram and per timer does not grow with the number of peers
 * (issue #19): peers are found by address in a keyed hash table
 * (dtls/peer_table.h), every peer's next deadline sits in one binary heap
 * (dtls/timer_heap.h), and a session leads back to its peer through its
 * transport pointer.
 *
 * Half-open handshakes are what an attacker with real addresses can hold
 * (issue #17 item 8): they are capped per address and per prefix (/24,
 * /56), and in total, where the oldest half-open handshake makes room, so
 * new clients always get in; their buffered handshake fragments share
 * one budget (dtls/endpoint_half_open.c).
 *
 * The endpoint is sans-I/O underneath (issue #19 item 3): datagrams are
 * fed with their address and the time, what the sessions send is queued
 * with its destination, and timers run at a time given. The socket
 * convenience reads batches with recvmmsg (dtls/endpoint_io.c) and sends
 * the queue with sendmmsg after each batch (petrel_ep_flush, here: the
 * endpoint's one way out to its socket). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/alert.h"
#include "dtls/cid_route.h"
#include "dtls/endpoint_cid13.h"
#include "dtls/endpoint_internal.h"
#include "dtls/first_record.h"
#include "dtls/front13_hrr.h"
#include "dtls/session_cid.h"
#include "record/cid.h"
#include "record/header13.h"

static struct ep_peer *peer_of_node(struct petrel_table_node *n)
{
	return n ? (struct ep_peer *)((char *)n - offsetof(struct ep_peer, node)) : NULL;
}

static struct ep_peer *peer_of_cid_node(struct petrel_table_node *n)
{
	return n ? (struct ep_peer *)((char *)n - offsetof(struct ep_peer, cid_node)) : NULL;
}

static struct ep_peer *peer_of_timer(struct petrel_heap_timer *t)
{
	return (struct ep_peer *)((char *)t - offsetof(struct ep_peer, timer));
}

struct ep_peer *petrel_ep_find_peer(const petrel_endpoint *ep, const uint8_t *key, size_t len)
{
	return peer_of_node(petrel_table_find(&ep->peers, key, len));
}

/* ---- Deadlines ------------------------------------------------------- */

/* The peer's true next deadline: the engine's (retransmission, handshake
 * total, final flight, cipher-state release, MTU probe) or the idle
 * timeout. */
static uint64_t peer_deadline(const petrel_endpoint *ep, const struct ep_peer *p)
{
	uint64_t d = petrel_engine_next_deadline(p->session);
	if (p->half_open == NULL && ep->idle_ms && p->session->hs == NULL &&
	    p->last_rx_ms + ep->idle_ms < d)
		d = p->last_rx_ms + ep->idle_ms;
	return d;
}

/* After a call that may have changed the peer's deadline. The heap key
 * stays no later than the true deadline: an earlier deadline moves the
 * key at once; a later one (every received record pushes the idle
 * timeout back) is left for the key's expiry, which re-keys without
 * touching the session. So a busy peer costs no heap work per datagram. */
static void update_deadline(petrel_endpoint *ep, struct ep_peer *p)
{
	uint64_t d = peer_deadline(ep, p);
	if (d < p->timer.deadline_ms || p->timer.index == PETREL_TIMER_NOT_QUEUED)
		petrel_timer_heap_set(&ep->timers, &p->timer, d);
}

/* ---- Peers ------------------------------------------------------------ */

/* The endpoint's one way out to its socket (see endpoint_internal.h). */
long petrel_ep_flush(petrel_endpoint *ep, bool report)
{
	long result = 0;
	struct mmsghdr msgs[EP_BATCH];
	struct iovec iov[EP_BATCH];
	struct sockaddr_storage addrs[EP_BATCH];
	size_t next_pos[EP_BATCH];
	struct petrel_outq *q = &ep->out;
	while (!petrel_outq_empty(q)) {
		int n = 0;
		size_t pos = q->head;
		struct petrel_outq_item it;
		uint8_t first_key[EP_KEY_MAX];
		size_t first_key_len = 0;
		while (n < EP_BATCH && petrel_outq_next(q, &pos, &it)) {
			if (n == 0) {
				first_key_len = it.key_len;
				memcpy(first_key, it.key, it.key_len);
			}
			memset(&msgs[n], 0, sizeof msgs[n]);
			iov[n].iov_base = (void *)(uintptr_t)it.data;
			iov[n].iov_len = it.len;
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
			msgs[n].msg_hdr.msg_name = &addrs[n];
			msgs[n].msg_hdr.msg_namelen = petrel_ep_key_to_sockaddr(it.key, it.key_len, &addrs[n]);
			next_pos[n] = pos;
			n++;
		}
		int sent = sendmmsg(ep->fd, msgs, (unsigned)n, 0);
		if (sent < 0 && errno == EINTR && !report)
			continue;
		if (sent < 0 && report) {
			/* One datagram sent outside the endpoint's calls: its
			 * sender hears why (EMSGSIZE: it lowers its MTU). */
			result = errno == EMSGSIZE   ? PETREL_E_LARGE_PACKET
				 : errno == EINTR    ? PETREL_E_INTERRUPTED
				 : errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS
					 ? PETREL_E_AGAIN
					 : PETREL_E_PUSH_ERROR;
			break;
		}
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			break; /* the socket buffer is full: the rest is loss */
		if (sent > 0 && report)
			result = (long)iov[sent - 1].iov_len;
		if (sent <= 0) {
			/* The first datagram failed: deal with it, go on after it. */
			if (sent < 0 && errno == EMSGSIZE) {
				struct ep_peer *p = petrel_ep_find_peer(ep, first_key, first_key_len);
				if (p)
					(void)petrel_lower_mtu(p->session, PETREL_MTU_EMSGSIZE);
			}
			sent = 1;
		}
		petrel_outq_consume(q, next_pos[sent - 1]);
	}
	petrel_outq_consume(q, q->len);
	return result;
}

static long ep_push(void *ptr, const uint8_t *data, size_t len)
{
	struct ep_peer *p = ptr;
	petrel_endpoint *ep = p->ep;
	const petrel_session *s = p->session;
	/* A settled association (no handshake, no kept flight, cipher state
	 * expanded and so its release already timed) has no deadline that a
	 * send can move earlier: skip the extra timer run per answer. */
	bool settled = s != NULL && s->established && s->hs == NULL && s->final == NULL &&
		       petrel_rl_holds_cache(&s->rl);
	if (ep->busy != p && p->timer.deadline_ms != 0 && !settled) {
		/* The application sent outside the endpoint's calls (e.g. on
		 * another session's callback): its deadlines may have moved
		 * earlier (cipher state rebuilt, final flight freed). Key it
		 * due now; the next timer run looks at it once. */
		petrel_timer_heap_set(&ep->timers, &p->timer, 0);
	}
	/* Every datagram goes through the queue. Outside the endpoint's
	 * calls (the queue is empty then) a socket sends it at once and
	 * reports EMSGSIZE to the caller. */
	long r = petrel_ep_enqueue(ep, p->node.key, p->node.key_len, data, len);
	if (r < 0 || ep->fd < 0 || ep->depth > 0)
		return r;
	return petrel_ep_flush(ep, true);
}

static long ep_pull(void *ptr, uint8_t *buf, size_t cap)
{
	/* The endpoint feeds datagrams itself; a session never reads. */
	(void)ptr;
	(void)buf;
	(void)cap;
	return PETREL_E_AGAIN;
}

void petrel_ep_remove_peer(petrel_endpoint *ep, struct ep_peer *p, int reason)
{
	/* The callback may still ask for the peer's address. */
	struct ep_peer *busy = ep->busy;
	ep->busy = p;
	if (ep->cb.on_closed)
		ep->cb.on_closed(ep->cb.ptr, p->session, reason);
	ep->busy = busy == p ? NULL : busy;
	petrel_table_remove(&ep->peers, &p->node);
	if (p->cid_node.key_len > 0)
		petrel_table_remove(&ep->cids, &p->cid_node);
	petrel_ep_cid13_detach(ep, p); /* tkt13 */
	petrel_timer_heap_remove(&ep->timers, &p->timer);
	petrel_ep_half_open_end(ep, p);
	ep->session_count--;
	petrel_session_free(p->session);
	free(p);
}

/* The fragment budget and the half-open caps choose whom to evict
 * (dtls/endpoint_half_open.c); the removal is done here. */
static void relieve_fragment_budget(petrel_endpoint *ep)
{
	if (!petrel_ep_fragment_budget_strained(ep))
		return;
	struct ep_peer *victim;
	while ((victim = petrel_ep_fragment_victim(ep)) != NULL) {
		ep->fragment_evicted++;
		petrel_ep_remove_peer(ep, victim, PETREL_E_LIMIT_EXCEEDED);
	}
}

/* Room for one more half-open session from akey; false when none can be
 * made. */
static bool make_room(petrel_endpoint *ep, const uint8_t *akey)
{
	if (petrel_ep_half_open_refuses(ep, akey))
		return false;
	struct ep_peer *victim;
	while ((victim = petrel_ep_half_open_victim(ep)) != NULL) {
		ep->half_open_evicted++;
		petrel_ep_remove_peer(ep, victim, PETREL_E_LIMIT_EXCEEDED);
	}
	return ep->session_count < ep->max_sessions;
}

/* After feeding or ticking: report establishment, deliver data, reap.
 * Returns false when the peer was removed. */
static bool settle(petrel_endpoint *ep, struct ep_peer *p, int rc)
{
	petrel_session *s = p->session;
	ep->busy = p;
	if (p->half_open && petrel_handshake_is_complete(s)) {
		petrel_ep_half_open_end(ep, p);
		if (ep->cb.on_established)
			ep->cb.on_established(ep->cb.ptr, s);
	}
	if (s->rx_app_ready) {
		long n = petrel_engine_read(s, ep->app, sizeof ep->app);
		if (n >= 0 && ep->cb.on_data)
			ep->cb.on_data(ep->cb.ptr, s, ep->app, (size_t)n);
	}
	ep->busy = NULL;
	if (rc < 0 && petrel_error_is_fatal(rc)) {
		petrel_ep_remove_peer(ep, p, rc);
		return false;
	}
	if (s->closed) {
		petrel_ep_remove_peer(ep, p, PETREL_E_SESSION_CLOSED);
		return false;
	}
	petrel_ep_note_frag_bytes(ep, p);
	update_deadline(ep, p);
	return true;
}

/* The CID a new peer is to put in its records: random, and unique among
 * the endpoint's (RFC 9146 3 leaves the choice to the issuer). The one
 * place CIDs are made, so CIDs that name something (a worker) can
 * replace it. */
static int make_cid(const petrel_endpoint *ep, uint8_t cid[EP_CID_MAX])
{
	/* With 8 bits or more a collision is rare; a few draws settle it. */
	for (int attempt = 0; attempt < 16; attempt++) {
		if (ep->cid_routed) {
			int n = petrel_cid_route_issue(&ep->cid_route, ep->cid_worker, cid, EP_CID_MAX);
			if (n < 0)
				return n;
		} else {
			petrel_random(cid, ep->cid_len);
		}
		if (petrel_ep_cid13_taken(ep, cid)) /* tkt13 */
			continue;
		if (petrel_table_find(&ep->cids, cid, ep->cid_len) == NULL)
			return 0;
	}
	return PETREL_E_LIMIT_EXCEEDED;
}

static int issue_cid(petrel_endpoint *ep, struct ep_peer *p)
{
	uint8_t cid[EP_CID_MAX];
	int rc = make_cid(ep, cid);
	if (rc == 0)
		rc = petrel_session_cid_enable(p->session, cid, ep->cid_len);
	if (rc == 0)
		petrel_table_node_set_key(&p->cid_node, cid, ep->cid_len);
	return rc;
}

static struct ep_peer *new_peer(petrel_endpoint *ep, const uint8_t *key, size_t key_len, bool ipv6)
{
	if (!make_room(ep, key))
		return NULL;
	if (petrel_timer_heap_reserve(&ep->timers, (size_t)ep->session_count + 1) < 0)
		return NULL;
	struct ep_peer *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	if (petrel_session_new(&p->session, PETREL_SERVER | ep->session_flags) < 0) {
		free(p);
		return NULL;
	}
	p->ep = ep;
	petrel_table_node_set_key(&p->node, key, key_len);
	petrel_heap_timer_init(&p->timer);
	if (petrel_ep_half_open_begin(ep, p) < 0) {
		petrel_session_free(p->session);
		free(p);
		return NULL;
	}
	petrel_session *s = p->session;
	if (ep->cid_len > 0 && issue_cid(ep, p) < 0) {
		petrel_ep_half_open_end(ep, p);
		petrel_session_free(s);
		free(p);
		return NULL;
	}
	petrel_session_set_credentials(s, ep->creds);
	petrel_transport_set_ptr(s, p);
	petrel_transport_set_push_function(s, ep_push);
	petrel_transport_set_pull_function(s, ep_pull);
	petrel_session_set_peer_address(s, key, key_len);
	s->ipv6 = ipv6;
	s->frag_budget = &ep->frag_budget;
	petrel_table_insert(&ep->peers, &p->node);
	if (p->cid_node.key_len > 0)
		petrel_table_insert(&ep->cids, &p->cid_node);
	petrel_ep_cid13_attach(ep, p); /* tkt13 */
	ep->session_count++;
	if (ep->cb.on_new_session) {
		ep->busy = p;
		ep->cb.on_new_session(ep->cb.ptr, s);
		ep->busy = NULL;
	}
	return p;
}

/* Cheap look at a datagram from an unknown peer: does its first record
 * start an epoch-0 ClientHello? Gives the record number too. */
static bool looks_like_client_hello(const uint8_t *d, size_t len, uint64_t *seq)
{
	struct petrel_reader r;
	struct petrel_record_header h;
	uint8_t msg_type;
	petrel_reader_init(&r, d, len);
	if (!petrel_record_header_read(&r, &h) || h.content_type != PETREL_CT_HANDSHAKE ||
	    h.epoch != 0 || !petrel_get_u8(&r, &msg_type) || msg_type != PETREL_HS_CLIENT_HELLO)
		return false;
	*seq = h.seq;
	return true;
}

/* Connection IDs (RFC 9146) route a datagram whatever its address: a
 * tls12_cid record's CID sits after type, version, epoch and sequence
 * number (RFC 9146 4), of the length this endpoint issues. */
static struct ep_peer *find_peer_by_cid(const petrel_endpoint *ep, const uint8_t *d, size_t len)
{
	/* DTLS 1.3 (RFC 9147 9): the unified header's CID follows its first byte. */
	if (ep->cid_len > 0 && len > 0 && petrel_record_kind(d[0]) == PETREL_REC_UNIFIED) {
		const uint8_t *cid13 = petrel_cid_datagram_cid(d, len, ep->cid_len);
		if (cid13 != NULL && petrel_table_find(&ep->cids, cid13, ep->cid_len) == NULL)
			return petrel_ep_cid13_find(ep, cid13); /* tkt13: issued since */
		return cid13 ? peer_of_cid_node(petrel_table_find(&ep->cids, cid13, ep->cid_len)) : NULL;
	}
	if (ep->cid_len == 0 || len < PETREL_CID_HEADER_LEN(ep->cid_len) ||
	    d[0] != PETREL_CT_TLS12_CID)
		return NULL;
	return peer_of_cid_node(petrel_table_find(&ep->cids, d + PETREL_RECORD_HEADER_LEN - 2,
						  ep->cid_len));
}

/* RFC 9146 6: an established peer whose authentic, newest record came
 * from another address now lives there. Never onto an address another
 * peer holds (that one's records would reach the wrong session): the
 * session stays where it was. */
static void move_peer(petrel_endpoint *ep, struct ep_peer *p, const uint8_t *key, size_t key_len,
		      bool ipv6)
{
	if (petrel_ep_find_peer(ep, key, key_len) != NULL) {
		ep->cid_moves_refused++;
		return;
	}
	petrel_table_remove(&ep->peers, &p->node);
	petrel_table_node_set_key(&p->node, key, key_len);
	petrel_table_insert(&ep->peers, &p->node);
	(void)petrel_session_set_peer_address(p->session, key, key_len);
	p->session->ipv6 = ipv6;
	ep->cid_moves++;
}

/* The endpoint answered this client's first hello with a DTLS 1.3
 * HelloRetryRequest, but on_new_session made a session without 1.3 (a
 * 1.2 cipher list or version range) and no hello policy said so: the
 * client, past an HRR, can no longer take a 1.2 ServerHello (RFC 8446
 * 4.1.4), and would wait out its timeout. Tell it at once, in the clear
 * (its address is proven by the cookie): protocol_version, which a 1.3
 * client reports when its handshake gives up. Later clients get the 1.2
 * cookie exchange (as petrel_endpoint_set_hello_policy(ep, PETREL_DTLS1_2,
 * ...)), so a default client falls back to 1.2. */
static bool refuse_13_after_hrr(petrel_endpoint *ep, struct ep_peer *p, const uint8_t *d,
				size_t len, uint64_t seq)
{
	if (ep->front12_only || (ep->session_flags & PETREL_FLAG_NO_COOKIE) ||
	    petrel_session_allows_dtls13(p->session) || !petrel_dgram_offers_dtls13(d, len))
		return false;
	ep->front12_only = true;
	uint8_t rec[PETREL_RECORD_HEADER_LEN + 2];
	struct petrel_writer w;
	petrel_writer_init(&w, rec, sizeof rec);
	struct petrel_record_header h = {.content_type = PETREL_CT_ALERT,
					 .version = PETREL_WIRE_DTLS12,
					 .seq = seq,
					 .length = 2};
	(void)petrel_record_header_write(&w, &h);
	petrel_put_u8(&w, PETREL_ALERT_FATAL);
	petrel_put_u8(&w, ALERT_PROTOCOL_VERSION);
	if (petrel_writer_ok(&w))
		(void)petrel_ep_enqueue(ep, p->node.key, p->node.key_len, rec, petrel_writer_len(&w));
	petrel_ep_remove_peer(ep, p, PETREL_E_PROTOCOL_VERSION);
	return true;
}

void petrel_ep_handle_datagram(petrel_endpoint *ep, uint8_t *d, size_t len,
			    const struct sockaddr_storage *ss, socklen_t ss_len, uint64_t now)
{
	uint8_t key[EP_KEY_MAX];
	size_t key_len = petrel_ep_addr_key(ss, ss_len, key);
	if (key_len == 0)
		return;
	/* By CID first, by address second (RFC 9146 6). */
	struct ep_peer *p = find_peer_by_cid(ep, d, len);
	bool by_cid = p != NULL;
	if (p == NULL)
		p = petrel_ep_find_peer(ep, key, key_len);
	uint64_t seq = 0;
	bool client_hello = looks_like_client_hello(d, len, &seq);
	if (p && p->half_open == NULL && client_hello) {
		/* A fresh ClientHello from a known address: the client lost
		 * its state (reboot, new socket behind the same NAT mapping).
		 * RFC 6347 4.2.8: answer with the cookie exchange; the old
		 * association ends only once the new ClientHello proves the
		 * address (valid cookie). */
		uint8_t hvr[PETREL_FRONT13_ANSWER_MAX];
		size_t hvr_len = 0;
		int rc = petrel_ep_check_client_hello(ep, key, key_len, d, len, now, hvr, sizeof hvr,
						      &hvr_len);
		if (rc == 0)
			(void)petrel_ep_enqueue(ep, key, key_len, hvr, hvr_len);
		if (rc != 1)
			return;
		petrel_ep_remove_peer(ep, p, PETREL_E_SESSION_CLOSED);
		p = NULL;
	}
	if (p == NULL) {
		if (!client_hello)
			return;
		if (!(ep->session_flags & PETREL_FLAG_NO_COOKIE)) {
			uint8_t hvr[PETREL_FRONT13_ANSWER_MAX];
			size_t hvr_len = 0;
			/* The cookie check, fragments assembled first: a
			 * stateless HelloRetryRequest for DTLS 1.3, a
			 * HelloVerifyRequest for 1.2 (issue #20). */
			int rc = petrel_ep_check_client_hello(ep, key, key_len, d, len, now, hvr,
							      sizeof hvr, &hvr_len);
			if (rc == 0) {
				/* No state: the answer goes straight back. */
				(void)petrel_ep_enqueue(ep, key, key_len, hvr, hvr_len);
				return;
			}
			if (rc != 1)
				return;
		}
		p = new_peer(ep, key, key_len, ss->ss_family == AF_INET6);
		if (p == NULL)
			return; /* over a cap: dropped, the client will retry */
		if (refuse_13_after_hrr(ep, p, d, len, seq))
			return;
		petrel_ep_hand_over_first_hello(ep, p);
		/* Our HelloVerifyRequest used the first ClientHello's record
		 * number (RFC 6347 4.2.1); continue from this ClientHello's so
		 * the ServerHello is not a replay in the client's window. */
		petrel_rl_set_next_write_seq(&p->session->rl, 0, seq);
	}
	/* The engine opens a record's plaintext straight into ep->app: no
	 * allocation or copy per record. */
	petrel_session *s = p->session;
	if (!s->rx_app_ready) {
		s->rx_user_buf = ep->app;
		s->rx_user_cap = sizeof ep->app;
	}
	bool was_half_open = p->half_open != NULL;
	(void)petrel_rl_take_cid_newest(&s->rl);
	ep->busy = p;
	uint64_t authenticated_before = s->authenticated_records;
	int rc = petrel_engine_feed(s, d, len, now);
	ep->busy = NULL;
	/* Only what authenticated keeps the session from its idle timeout:
	 * a datagram spoofed from the peer's address does not (RFC 6347
	 * 4.1.2.7). During the handshake its own timeout applies. */
	if (s->authenticated_records != authenticated_before || s->hs != NULL || !s->established)
		p->last_rx_ms = now;
	s->rx_user_buf = NULL;
	s->rx_user_cap = 0;
	/* Before the data is handed out: an answer goes to the new address. */
	if (petrel_rl_take_cid_newest(&s->rl) && by_cid && p->half_open == NULL &&
	    !(rc < 0 && petrel_error_is_fatal(rc)) &&
	    (p->node.key_len != key_len || memcmp(p->node.key, key, key_len) != 0))
		move_peer(ep, p, key, key_len, ss->ss_family == AF_INET6);
	if (settle(ep, p, rc) && was_half_open)
		relieve_fragment_budget(ep);
}

int petrel_ep_alloc(petrel_endpoint **out, petrel_credentials *creds, unsigned session_flags,
			  const struct petrel_endpoint_callbacks *cb)
{
	if (out == NULL || creds == NULL)
		return PETREL_E_INVALID_REQUEST;
	petrel_endpoint *ep = calloc(1, sizeof *ep);
	if (ep == NULL)
		return PETREL_E_MEMORY;
	/* The send queue is made now: answering a flood of ClientHellos
	 * allocates nothing. */
	petrel_outq_init(&ep->out, EP_OUT_MAX_BYTES);
	if (petrel_outq_reserve(&ep->out, 64u * 1024u) < 0 || petrel_table_init(&ep->peers, 64) < 0) {
		petrel_outq_free(&ep->out);
		free(ep);
		return PETREL_E_MEMORY;
	}
	if (petrel_table_init(&ep->groups, 64) < 0 || petrel_table_init(&ep->cids, 64) < 0 ||
	    petrel_ep_cid13_init(ep) < 0 /* tkt13 */) {
		petrel_table_free(&ep->cids);
		petrel_table_free(&ep->groups);
		petrel_table_free(&ep->peers);
		petrel_outq_free(&ep->out);
		free(ep);
		return PETREL_E_MEMORY;
	}
	petrel_timer_heap_init(&ep->timers);
	ep->fd = -1;
	ep->creds = creds;
	ep->session_flags = session_flags & ~3u;
	if (cb)
		ep->cb = *cb;
	ep->max_sessions = EP_DEFAULT_MAX_SESSIONS;
	ep->max_half_open = EP_DEFAULT_MAX_HALF_OPEN;
	ep->max_half_open_per_addr = EP_DEFAULT_MAX_HALF_OPEN_PER_ADDR;
	ep->max_half_open_per_prefix = EP_DEFAULT_MAX_HALF_OPEN_PER_PREFIX;
	ep->frag_budget.cap_bytes = EP_DEFAULT_FRAG_BUDGET;
	ep->idle_ms = EP_DEFAULT_IDLE_MS;
	*out = ep;
	return 0;
}

int petrel_endpoint_new_sans_io(petrel_endpoint **out, petrel_credentials *creds, unsigned session_flags,
				const struct petrel_endpoint_callbacks *cb)
{
	return petrel_ep_alloc(out, creds, session_flags, cb);
}

void petrel_endpoint_free(petrel_endpoint *ep)
{
	if (ep == NULL)
		return;
	for (size_t b = 0; b < ep->peers.bucket_count; b++) {
		struct petrel_table_node *n = ep->peers.buckets[b];
		while (n) {
			struct petrel_table_node *next = n->next;
			struct ep_peer *p = peer_of_node(n);
			petrel_ep_half_open_end(ep, p);
			petrel_ep_cid13_detach(ep, p); /* tkt13 */
			petrel_session_free(p->session);
			free(p);
			n = next;
		}
	}
	petrel_fh_table_free(&ep->first_hellos);
	petrel_table_free(&ep->peers);
	petrel_table_free(&ep->groups);
	petrel_table_free(&ep->cids);
	petrel_ep_cid13_free(ep); /* tkt13 */
	petrel_timer_heap_free(&ep->timers);
	petrel_outq_free(&ep->out);
	free(ep);
}

void petrel_endpoint_set_limits(petrel_endpoint *ep, unsigned max_sessions, unsigned max_half_open)
{
	if (max_sessions)
		ep->max_sessions = max_sessions;
	if (max_half_open)
		ep->max_half_open = max_half_open;
}

int petrel_endpoint_set_cid_length(petrel_endpoint *ep, unsigned len)
{
	if (ep == NULL || len > EP_CID_MAX)
		return PETREL_E_INVALID_REQUEST;
	/* Every CID in the table has one length: sessions made before keep
	 * theirs only while the length stays. */
	if (ep->cids.count > 0 && len != ep->cid_len)
		return PETREL_E_INVALID_REQUEST;
	ep->cid_len = len;
	return 0;
}

int petrel_endpoint_set_cid_route(petrel_endpoint *ep, const struct petrel_cid_route_config *cfg,
				  unsigned worker_id)
{
	if (ep == NULL || petrel_cid_route_check(cfg) < 0 ||
	    worker_id >= PETREL_CID_ROUTE_MAX_WORKERS)
		return PETREL_E_INVALID_REQUEST;
	int rc = petrel_endpoint_set_cid_length(ep, cfg->cid_len);
	if (rc < 0)
		return rc;
	ep->cid_route = *cfg;
	ep->cid_worker = worker_id;
	ep->cid_routed = true;
	return 0;
}

void petrel_endpoint_set_idle_timeout(petrel_endpoint *ep, unsigned idle_ms)
{
	ep->idle_ms = idle_ms;
	/* Keys may now be later than the new idle deadlines: look at every
	 * established peer once (rare: a configuration call). */
	for (size_t i = 0; i < ep->timers.count; i++)
		ep->timers.items[i]->deadline_ms = 0;
	for (size_t b = 0; b < ep->peers.bucket_count; b++)
		for (struct petrel_table_node *n = ep->peers.buckets[b]; n; n = n->next) {
			struct ep_peer *p = peer_of_node(n);
			if (p->timer.index == PETREL_TIMER_NOT_QUEUED)
				petrel_timer_heap_set(&ep->timers, &p->timer, 0);
		}
}

/* A sans-I/O endpoint learns the caller's clock from its first call. */
void petrel_ep_start_clock(petrel_endpoint *ep, uint64_t now)
{
	if (!ep->clock_started) {
		ep->cookie_rotated_ms = now;
		ep->clock_started = true;
	}
}

void petrel_ep_run_timers(petrel_endpoint *ep, uint64_t now)
{
	petrel_ep_start_clock(ep, now);
	if (now - ep->cookie_rotated_ms >= EP_COOKIE_ROTATE_MS) {
		petrel_credentials_rotate_cookie_secret(ep->creds);
		ep->cookie_rotated_ms = now;
	}
	petrel_ep_expire_first_hellos(ep, now);
	struct petrel_heap_timer *t;
	while ((t = petrel_timer_heap_top(&ep->timers)) != NULL && t->deadline_ms <= now) {
		struct ep_peer *p = peer_of_timer(t);
		ep->timer_visits++;
		uint64_t d = peer_deadline(ep, p);
		if (d > now) {
			/* An early key (see update_deadline): re-key only. */
			petrel_timer_heap_set(&ep->timers, &p->timer, d);
			continue;
		}
		if (p->half_open == NULL && ep->idle_ms && p->session->hs == NULL && p->session->established &&
		    now - p->last_rx_ms >= ep->idle_ms) {
			/* Tell the client, so it need not find out by silence
			 * (RFC 5246 7.2.1; issue #21 item 7). */
			ep->busy = p;
			if (!p->session->closed)
				(void)petrel_bye(p->session);
			ep->busy = NULL;
			petrel_ep_remove_peer(ep, p, PETREL_E_TIMEDOUT);
			continue;
		}
		ep->busy = p;
		int rc = petrel_engine_tick(p->session, now);
		ep->busy = NULL;
		if (!settle(ep, p, rc))
			continue;
		/* The exact next deadline; one still due (a flight the socket
		 * refused) retries in 1 ms, so this loop ends. */
		d = peer_deadline(ep, p);
		petrel_timer_heap_set(&ep->timers, &p->timer, d <= now ? now + 1 : d);
	}
}

uint64_t petrel_endpoint_next_deadline(const petrel_endpoint *ep)
{
	uint64_t next = ep->clock_started ? ep->cookie_rotated_ms + EP_COOKIE_ROTATE_MS : UINT64_MAX;
	const struct petrel_heap_timer *t = petrel_timer_heap_top(&ep->timers);
	if (t && t->deadline_ms < next)
		next = t->deadline_ms;
	return next;
}

unsigned petrel_endpoint_session_count(const petrel_endpoint *ep)
{
	return ep->session_count;
}

int petrel_endpoint_session_peer(const petrel_endpoint *ep, const petrel_session *s, void *addr,
				 unsigned *addr_len)
{
	/* The endpoint set itself as the session's transport: O(1). */
	if (s == NULL || addr_len == NULL || s->push != ep_push || s->transport_ptr == NULL)
		return PETREL_E_INVALID_REQUEST;
	const struct ep_peer *p = s->transport_ptr;
	if (p->ep != ep || p->session != s)
		return PETREL_E_INVALID_REQUEST;
	struct sockaddr_storage ss;
	socklen_t ss_len = petrel_ep_key_to_sockaddr(p->node.key, p->node.key_len, &ss);
	unsigned n = *addr_len < ss_len ? *addr_len : (unsigned)ss_len;
	if (addr)
		memcpy(addr, &ss, n);
	*addr_len = (unsigned)ss_len;
	return 0;
}

/* close_notify to every established peer (petrel_endpoint_shutdown). */
void petrel_ep_say_goodbye(petrel_endpoint *ep)
{
	for (size_t b = 0; b < ep->peers.bucket_count; b++)
		for (struct petrel_table_node *n = ep->peers.buckets[b]; n; n = n->next) {
			struct ep_peer *p = peer_of_node(n);
			/* Its push keys its timer due: a later process() reaps it. */
			if (p->half_open == NULL && !p->session->closed)
				(void)petrel_bye(p->session);
		}
}

void petrel_endpoint_get_stats(const petrel_endpoint *ep, struct petrel_endpoint_stats *st)
{
	memset(st, 0, sizeof *st);
	st->sessions = ep->session_count;
	st->half_open = ep->half_open;
	st->fragment_bytes = petrel_ep_frag_bytes_in_use(ep);
	st->half_open_refused = ep->half_open_refused;
	st->half_open_evicted = ep->half_open_evicted;
	st->fragment_evicted = ep->fragment_evicted;
	st->timer_visits = ep->timer_visits;
	st->cid_address_updates = ep->cid_moves;
	st->cid_address_updates_refused = ep->cid_moves_refused;
	st->partial_hellos = ep->first_hellos.count;
	st->partial_hellos_evicted = ep->first_hellos.evicted;
}
