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
 * new clients always get in. Their buffered handshake fragments share one byte budget; when
 * it runs high, the half-open handshakes holding the most are evicted.
 *
 * The endpoint is sans-I/O underneath (issue #19 item 3): datagrams are
 * fed with their address and the time, what the sessions send is queued
 * with its destination, and timers run at a time given. The socket
 * convenience reads batches with recvmmsg and sends the queue with
 * sendmmsg after each batch. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dtls/peer_table.h"
#include "dtls/session.h"
#include "dtls/timer_heap.h"

#define EP_BATCH 32
/* Datagrams waiting to be sent: more is dropped (the sessions treat it as
 * loss). Each entry: a header, then the bytes. */
#define EP_OUT_MAX_BYTES (1024u * 1024u)
#define EP_DEFAULT_MAX_SESSIONS 100000u
#define EP_DEFAULT_MAX_HALF_OPEN 1000u
#define EP_DEFAULT_MAX_HALF_OPEN_PER_ADDR 64u
#define EP_DEFAULT_MAX_HALF_OPEN_PER_PREFIX 256u
#define EP_DEFAULT_FRAG_BUDGET (4u * 1024u * 1024u)
#define EP_DEFAULT_IDLE_MS 300000u
/* Longer than a cookie's 60 s life: the previous secret still checks. */
#define EP_COOKIE_ROTATE_MS 300000u
/* Address key: family, port and address bytes (IPv6 with scope id). */
#define EP_KEY_MAX 23
_Static_assert(EP_KEY_MAX <= PETREL_TABLE_KEY_MAX, "address keys fit the table");

enum { GROUP_ADDR = 0, GROUP_PREFIX = 1, GROUP_KINDS = 2 };

struct ep_group;

/* Bookkeeping of a handshake in progress; freed once established, so an
 * idle session carries one pointer for it. */
struct ep_half_open {
	struct ep_peer *peer;
	struct ep_half_open *prev, *next; /* every half-open peer, oldest first */
	struct ep_group *group[GROUP_KINDS];
	size_t frag_bytes; /* the session's buffered fragments when last looked */
};

/* Half-open handshakes from one address or one prefix. Exists while it
 * counts at least one. */
struct ep_group {
	struct petrel_table_node node;
	unsigned count;
};

struct ep_peer {
	struct petrel_table_node node; /* key: the address key */
	struct petrel_heap_timer timer; /* no later than the peer's next deadline */
	petrel_endpoint *ep;
	petrel_session *session;
	struct ep_half_open *half_open; /* NULL once established */
	uint64_t last_rx_ms;
};

struct ep_out_header {
	uint16_t len;
	uint8_t key_len;
	uint8_t key[EP_KEY_MAX];
};

struct petrel_endpoint {
	int fd; /* -1: sans-I/O */
	/* Inside an endpoint call: sessions' datagrams are queued (and, with
	 * a socket, sent in one sendmmsg when the call ends). */
	unsigned depth;
	uint8_t *out;
	size_t out_len, out_cap, out_head;
	unsigned out_count;
	uint64_t out_dropped;
	bool clock_started;
	petrel_credentials *creds;
	unsigned session_flags;
	struct petrel_endpoint_callbacks cb;
	struct petrel_table peers;  /* by address */
	struct petrel_table groups; /* half-open counts by address and prefix */
	struct petrel_timer_heap timers;
	struct ep_half_open *oldest, *newest;
	unsigned session_count, half_open;
	unsigned max_sessions, max_half_open, max_half_open_per_addr, max_half_open_per_prefix;
	/* The fragment budget every session's reassembler charges, and the
	 * sum of what the half-open sessions held when last looked at. */
	struct petrel_frag_budget frag_budget;
	size_t frag_seen_bytes;
	uint64_t idle_ms;
	uint64_t cookie_rotated_ms;
	uint64_t half_open_refused, half_open_evicted, fragment_evicted, timer_visits;
	/* The peer being fed or ticked: its deadline is recomputed after the
	 * call, so its own sends need not touch the heap. */
	struct ep_peer *busy;
	uint8_t rx[EP_BATCH][PETREL_RECV_BUFFER];
	uint8_t app[PETREL_MAX_PLAINTEXT]; /* one record's plaintext for on_data */
};

static uint64_t ep_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static size_t addr_key(const struct sockaddr_storage *ss, socklen_t ss_len, uint8_t key[EP_KEY_MAX])
{
	if (ss->ss_family == AF_INET && ss_len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		key[0] = 4;
		memcpy(key + 1, &a->sin_port, 2);
		memcpy(key + 3, &a->sin_addr, 4);
		return 7;
	}
	if (ss->ss_family == AF_INET6 && ss_len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		key[0] = 6;
		memcpy(key + 1, &a->sin6_port, 2);
		memcpy(key + 3, &a->sin6_addr, 16);
		memcpy(key + 19, &a->sin6_scope_id, 4);
		return 23;
	}
	return 0;
}

/* The socket address back from an address key (the peer keeps only the
 * key: 23 bytes instead of a 128-byte sockaddr_storage). */
static socklen_t key_to_sockaddr(const uint8_t *key, size_t key_len, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (key_len == 7 && key[0] == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		memcpy(&a->sin_port, key + 1, 2);
		memcpy(&a->sin_addr, key + 3, 4);
		return sizeof *a;
	}
	if (key_len == 23 && key[0] == 6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_port, key + 1, 2);
		memcpy(&a->sin6_addr, key + 3, 16);
		memcpy(&a->sin6_scope_id, key + 19, 4);
		return sizeof *a;
	}
	return 0;
}

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

static struct ep_peer *peer_of_node(struct petrel_table_node *n)
{
	return n ? (struct ep_peer *)((char *)n - offsetof(struct ep_peer, node)) : NULL;
}

static struct ep_peer *peer_of_timer(struct petrel_heap_timer *t)
{
	return (struct ep_peer *)((char *)t - offsetof(struct ep_peer, timer));
}

static struct ep_group *group_of_node(struct petrel_table_node *n)
{
	return n ? (struct ep_group *)((char *)n - offsetof(struct ep_group, node)) : NULL;
}

static struct ep_peer *find_peer(const petrel_endpoint *ep, const uint8_t *key, size_t len)
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

/* ---- Half-open bookkeeping ---------------------------------------------- */

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
static void half_open_end(petrel_endpoint *ep, struct ep_peer *p)
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
static int half_open_begin(petrel_endpoint *ep, struct ep_peer *p)
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
static void note_frag_bytes(petrel_endpoint *ep, struct ep_peer *p)
{
	struct ep_half_open *h = p->half_open;
	if (h == NULL)
		return;
	size_t now_bytes = p->session->hs ? p->session->hs->rx.total_bytes : 0;
	ep->frag_seen_bytes = ep->frag_seen_bytes - h->frag_bytes + now_bytes;
	h->frag_bytes = now_bytes;
}

static size_t frag_bytes_in_use(const petrel_endpoint *ep)
{
	return ep->frag_budget.used_bytes > ep->frag_seen_bytes ? ep->frag_budget.used_bytes
								: ep->frag_seen_bytes;
}

/* ---- Peers ------------------------------------------------------------ */

static long sendto_key(int fd, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t ss_len = key_to_sockaddr(key, key_len, &ss);
	ssize_t n = sendto(fd, data, len, 0, (const struct sockaddr *)&ss, ss_len);
	if (n >= 0)
		return (long)n;
	if (errno == EMSGSIZE)
		return PETREL_E_LARGE_PACKET;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
		return PETREL_E_AGAIN; /* treated as loss */
	if (errno == EINTR)
		return PETREL_E_INTERRUPTED;
	return PETREL_E_PUSH_ERROR;
}

/* Queue a datagram for the address key: its length, or PETREL_E_AGAIN
 * when the queue is full (loss to the session, which retransmits). */
static long enqueue(petrel_endpoint *ep, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len)
{
	struct ep_out_header h;
	if (len > UINT16_MAX)
		return PETREL_E_LARGE_PACKET;
	size_t need = sizeof h + len;
	if (ep->out_len + need > EP_OUT_MAX_BYTES) {
		ep->out_dropped++;
		return PETREL_E_AGAIN;
	}
	if (ep->out_len + need > ep->out_cap) {
		size_t cap = ep->out_cap ? ep->out_cap : 64u * 1024u;
		while (cap < ep->out_len + need)
			cap *= 2;
		uint8_t *out = realloc(ep->out, cap);
		if (out == NULL) {
			ep->out_dropped++;
			return PETREL_E_AGAIN;
		}
		ep->out = out;
		ep->out_cap = cap;
	}
	memset(&h, 0, sizeof h);
	h.len = (uint16_t)len;
	h.key_len = (uint8_t)key_len;
	memcpy(h.key, key, key_len);
	memcpy(ep->out + ep->out_len, &h, sizeof h);
	memcpy(ep->out + ep->out_len + sizeof h, data, len);
	ep->out_len += need;
	ep->out_count++;
	return (long)len;
}

static long ep_push(void *ptr, const uint8_t *data, size_t len)
{
	struct ep_peer *p = ptr;
	petrel_endpoint *ep = p->ep;
	if (ep->busy != p && p->timer.deadline_ms != 0) {
		/* The application sent outside the endpoint's calls (e.g. on
		 * another session's callback): its deadlines may have moved
		 * earlier (cipher state rebuilt, final flight freed). Key it
		 * due now; the next timer run looks at it once. */
		petrel_timer_heap_set(&ep->timers, &p->timer, 0);
	}
	/* Outside the endpoint's calls a socket sends at once (and reports
	 * EMSGSIZE to the caller). */
	if (ep->fd >= 0 && ep->depth == 0)
		return sendto_key(ep->fd, p->node.key, p->node.key_len, data, len);
	return enqueue(ep, p->node.key, p->node.key_len, data, len);
}

/* Send the queue with sendmmsg, EP_BATCH at a time. A datagram the kernel
 * refuses as too big lowers its session's MTU (RFC 6347 4.1.1.1): the
 * retransmission is re-fragmented. Other failures are loss. */
static void flush_socket(petrel_endpoint *ep)
{
	struct mmsghdr msgs[EP_BATCH];
	struct iovec iov[EP_BATCH];
	struct sockaddr_storage addrs[EP_BATCH];
	size_t offsets[EP_BATCH];
	while (ep->out_head < ep->out_len) {
		int n = 0;
		size_t off = ep->out_head;
		while (n < EP_BATCH && off < ep->out_len) {
			struct ep_out_header h;
			memcpy(&h, ep->out + off, sizeof h);
			memset(&msgs[n], 0, sizeof msgs[n]);
			iov[n].iov_base = ep->out + off + sizeof h;
			iov[n].iov_len = h.len;
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
			msgs[n].msg_hdr.msg_name = &addrs[n];
			msgs[n].msg_hdr.msg_namelen = key_to_sockaddr(h.key, h.key_len, &addrs[n]);
			offsets[n] = off;
			off += sizeof h + h.len;
			n++;
		}
		int sent = sendmmsg(ep->fd, msgs, (unsigned)n, 0);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0) {
			/* The first datagram failed: deal with it, go on after it. */
			struct ep_out_header h;
			memcpy(&h, ep->out + offsets[0], sizeof h);
			if (errno == EMSGSIZE) {
				struct ep_peer *p = find_peer(ep, h.key, h.key_len);
				if (p)
					(void)petrel_lower_mtu(p->session, PETREL_MTU_EMSGSIZE);
			}
			sent = 1;
		}
		ep->out_head = sent < n ? offsets[sent] : off;
	}
	ep->out_len = ep->out_head = 0;
	ep->out_count = 0;
}

/* An endpoint call ends: with a socket, send what it queued. */
static void leave(petrel_endpoint *ep)
{
	if (--ep->depth == 0 && ep->fd >= 0 && ep->out_len > 0)
		flush_socket(ep);
}

static long ep_pull(void *ptr, uint8_t *buf, size_t cap)
{
	/* The endpoint feeds datagrams itself; a session never reads. */
	(void)ptr;
	(void)buf;
	(void)cap;
	return PETREL_E_AGAIN;
}

static void remove_peer(petrel_endpoint *ep, struct ep_peer *p, int reason)
{
	/* The callback may still ask for the peer's address. */
	struct ep_peer *busy = ep->busy;
	ep->busy = p;
	if (ep->cb.on_closed)
		ep->cb.on_closed(ep->cb.ptr, p->session, reason);
	ep->busy = busy == p ? NULL : busy;
	petrel_table_remove(&ep->peers, &p->node);
	petrel_timer_heap_remove(&ep->timers, &p->timer);
	half_open_end(ep, p);
	ep->session_count--;
	petrel_session_free(p->session);
	free(p);
}

/* After feeding or ticking: report establishment, deliver data, reap.
 * Returns false when the peer was removed. */
static bool settle(petrel_endpoint *ep, struct ep_peer *p, int rc)
{
	petrel_session *s = p->session;
	ep->busy = p;
	if (p->half_open && petrel_handshake_is_complete(s)) {
		half_open_end(ep, p);
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
		remove_peer(ep, p, rc);
		return false;
	}
	if (s->closed) {
		remove_peer(ep, p, PETREL_E_SESSION_CLOSED);
		return false;
	}
	note_frag_bytes(ep, p);
	update_deadline(ep, p);
	return true;
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

/* Over three quarters of the fragment budget: evict the half-open
 * sessions holding the most until half is free again, so a handshake
 * that buffers little (a legitimate client's next flight) finds room
 * while others fill the budget with partial messages. */
static void relieve_fragment_budget(petrel_endpoint *ep)
{
	size_t cap = ep->frag_budget.cap_bytes;
	if (frag_bytes_in_use(ep) <= cap - cap / 4)
		return;
	while (frag_bytes_in_use(ep) > cap / 2) {
		struct ep_peer *victim = largest_fragment_holder(ep);
		if (victim == NULL)
			return;
		ep->fragment_evicted++;
		remove_peer(ep, victim, PETREL_E_LIMIT_EXCEEDED);
	}
}

/* Room for one more half-open session from akey? A full address or
 * prefix is refused: its clients retry their ClientHello (RFC 6347
 * 4.2.4) and get in as its handshakes end, while one address or network
 * holding many handshakes open costs every other one nothing. When the
 * total cap is reached the oldest half-open session goes (a stalled
 * handshake must not lock new clients out until it times out), and so
 * when all sessions are taken. False when no room can be made. */
static bool make_room(petrel_endpoint *ep, const uint8_t *akey)
{
	const struct ep_group *a = find_group(ep, akey, GROUP_ADDR);
	const struct ep_group *pre = find_group(ep, akey, GROUP_PREFIX);
	if ((a && a->count >= ep->max_half_open_per_addr) ||
	    (pre && pre->count >= ep->max_half_open_per_prefix)) {
		ep->half_open_refused++;
		return false;
	}
	while ((ep->half_open >= ep->max_half_open || ep->session_count >= ep->max_sessions) &&
	       ep->oldest) {
		ep->half_open_evicted++;
		remove_peer(ep, ep->oldest->peer, PETREL_E_LIMIT_EXCEEDED);
	}
	return ep->session_count < ep->max_sessions;
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
	if (half_open_begin(ep, p) < 0) {
		petrel_session_free(p->session);
		free(p);
		return NULL;
	}
	petrel_session *s = p->session;
	petrel_session_set_credentials(s, ep->creds);
	petrel_transport_set_ptr(s, p);
	petrel_transport_set_push_function(s, ep_push);
	petrel_transport_set_pull_function(s, ep_pull);
	petrel_session_set_peer_address(s, key, key_len);
	s->ipv6 = ipv6;
	s->frag_budget = &ep->frag_budget;
	petrel_table_insert(&ep->peers, &p->node);
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

/* Connection IDs (RFC 9146) will route a datagram whose address changed:
 * a second table keyed by CID bytes next to the address table. Until the
 * record layer parses tls12_cid records, no datagram carries one. */
static struct ep_peer *find_peer_by_cid(const petrel_endpoint *ep, const uint8_t *d, size_t len)
{
	(void)ep;
	(void)d;
	(void)len;
	return NULL;
}

static void handle_datagram(petrel_endpoint *ep, uint8_t *d, size_t len,
			    const struct sockaddr_storage *ss, socklen_t ss_len, uint64_t now)
{
	uint8_t key[EP_KEY_MAX];
	size_t key_len = addr_key(ss, ss_len, key);
	if (key_len == 0)
		return;
	struct ep_peer *p = find_peer(ep, key, key_len);
	if (p == NULL)
		p = find_peer_by_cid(ep, d, len);
	uint64_t seq = 0;
	bool client_hello = looks_like_client_hello(d, len, &seq);
	if (p && p->half_open == NULL && client_hello) {
		/* A fresh ClientHello from a known address: the client lost
		 * its state (reboot, new socket behind the same NAT mapping).
		 * RFC 6347 4.2.8: answer with the cookie exchange; the old
		 * association ends only once the new ClientHello proves the
		 * address (valid cookie). */
		uint8_t hvr[128];
		size_t hvr_len = 0;
		int rc = petrel_server_stateless_check(ep->creds, key, key_len, d, len, now, hvr,
						       sizeof hvr, &hvr_len);
		if (rc == 0)
			(void)enqueue(ep, key, key_len, hvr, hvr_len);
		if (rc != 1)
			return;
		remove_peer(ep, p, PETREL_E_SESSION_CLOSED);
		p = NULL;
	}
	if (p == NULL) {
		if (!client_hello)
			return;
		if (!(ep->session_flags & PETREL_FLAG_NO_COOKIE)) {
			uint8_t hvr[128];
			size_t hvr_len = 0;
			int rc = petrel_server_stateless_check(ep->creds, key, key_len, d, len, now, hvr,
							       sizeof hvr, &hvr_len);
			if (rc == 0) {
				/* No state: the answer goes straight back. */
				(void)enqueue(ep, key, key_len, hvr, hvr_len);
				return;
			}
			if (rc != 1)
				return;
		}
		p = new_peer(ep, key, key_len, ss->ss_family == AF_INET6);
		if (p == NULL)
			return; /* over a cap: dropped, the client will retry */
		/* Our HelloVerifyRequest used the first ClientHello's record
		 * number (RFC 6347 4.2.1); continue from this ClientHello's so
		 * the ServerHello is not a replay in the client's window. */
		petrel_rl_set_next_write_seq(&p->session->rl, 0, seq);
	}
	p->last_rx_ms = now;
	/* The engine opens a record's plaintext straight into ep->app: no
	 * allocation or copy per record. */
	petrel_session *s = p->session;
	if (!s->rx_app_ready) {
		s->rx_user_buf = ep->app;
		s->rx_user_cap = sizeof ep->app;
	}
	bool was_half_open = p->half_open != NULL;
	ep->busy = p;
	int rc = petrel_engine_feed(s, d, len, now);
	ep->busy = NULL;
	s->rx_user_buf = NULL;
	s->rx_user_cap = 0;
	if (settle(ep, p, rc) && was_half_open)
		relieve_fragment_budget(ep);
}

static int endpoint_alloc(petrel_endpoint **out, petrel_credentials *creds, unsigned session_flags,
			  const struct petrel_endpoint_callbacks *cb)
{
	if (out == NULL || creds == NULL)
		return PETREL_E_INVALID_REQUEST;
	petrel_endpoint *ep = calloc(1, sizeof *ep);
	if (ep == NULL)
		return PETREL_E_MEMORY;
	/* The send queue is made now: answering a flood of ClientHellos
	 * allocates nothing. */
	ep->out_cap = 64u * 1024u;
	ep->out = malloc(ep->out_cap);
	if (ep->out == NULL || petrel_table_init(&ep->peers, 64) < 0) {
		free(ep->out);
		free(ep);
		return PETREL_E_MEMORY;
	}
	if (petrel_table_init(&ep->groups, 64) < 0) {
		petrel_table_free(&ep->peers);
		free(ep->out);
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

int petrel_endpoint_new(petrel_endpoint **out, int fd, petrel_credentials *creds,
			unsigned session_flags, const struct petrel_endpoint_callbacks *cb)
{
	if (fd < 0)
		return PETREL_E_INVALID_REQUEST;
	petrel_endpoint *ep;
	int rc = endpoint_alloc(&ep, creds, session_flags, cb);
	if (rc < 0)
		return rc;
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
#ifdef IP_MTU_DISCOVER
	/* DF set: oversized datagrams fail with EMSGSIZE (RFC 6347 4.1.1.1). */
	int pmtu = IP_PMTUDISC_DO;
	(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
#endif
	ep->fd = fd;
	ep->cookie_rotated_ms = ep_now();
	ep->clock_started = true;
	*out = ep;
	return 0;
}

int petrel_endpoint_new_sans_io(petrel_endpoint **out, petrel_credentials *creds, unsigned session_flags,
				const struct petrel_endpoint_callbacks *cb)
{
	return endpoint_alloc(out, creds, session_flags, cb);
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
			half_open_end(ep, p);
			petrel_session_free(p->session);
			free(p);
			n = next;
		}
	}
	petrel_table_free(&ep->peers);
	petrel_table_free(&ep->groups);
	petrel_timer_heap_free(&ep->timers);
	free(ep->out);
	free(ep);
}

void petrel_endpoint_set_limits(petrel_endpoint *ep, unsigned max_sessions, unsigned max_half_open)
{
	if (max_sessions)
		ep->max_sessions = max_sessions;
	if (max_half_open)
		ep->max_half_open = max_half_open;
}

void petrel_endpoint_set_half_open_limits(petrel_endpoint *ep, unsigned per_address, unsigned per_prefix)
{
	if (per_address)
		ep->max_half_open_per_addr = per_address;
	if (per_prefix)
		ep->max_half_open_per_prefix = per_prefix;
}

void petrel_endpoint_set_fragment_budget(petrel_endpoint *ep, size_t bytes)
{
	if (bytes)
		ep->frag_budget.cap_bytes = bytes;
}

size_t petrel_endpoint_fragment_bytes(const petrel_endpoint *ep)
{
	return frag_bytes_in_use(ep);
}

unsigned petrel_endpoint_half_open_count(const petrel_endpoint *ep)
{
	return ep->half_open;
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
static void start_clock(petrel_endpoint *ep, uint64_t now)
{
	if (!ep->clock_started) {
		ep->cookie_rotated_ms = now;
		ep->clock_started = true;
	}
}

static void run_timers(petrel_endpoint *ep, uint64_t now)
{
	start_clock(ep, now);
	if (now - ep->cookie_rotated_ms >= EP_COOKIE_ROTATE_MS) {
		petrel_credentials_rotate_cookie_secret(ep->creds);
		ep->cookie_rotated_ms = now;
	}
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
		if (p->half_open == NULL && ep->idle_ms && p->session->hs == NULL &&
		    now - p->last_rx_ms >= ep->idle_ms) {
			remove_peer(ep, p, PETREL_E_TIMEDOUT);
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

int petrel_endpoint_process(petrel_endpoint *ep)
{
	int processed = 0;
	struct mmsghdr msgs[EP_BATCH];
	struct iovec iov[EP_BATCH];
	struct sockaddr_storage addrs[EP_BATCH];
	for (;;) {
		for (int i = 0; i < EP_BATCH; i++) {
			iov[i].iov_base = ep->rx[i];
			iov[i].iov_len = sizeof ep->rx[i];
			memset(&msgs[i], 0, sizeof msgs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &addrs[i];
			msgs[i].msg_hdr.msg_namelen = sizeof addrs[i];
		}
		int n = recvmmsg(ep->fd, msgs, EP_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
				break;
			if (errno == EINTR)
				continue;
			return PETREL_E_PULL_ERROR;
		}
		uint64_t now = ep_now();
		ep->depth++;
		for (int i = 0; i < n; i++)
			handle_datagram(ep, ep->rx[i], msgs[i].msg_len, &addrs[i],
					msgs[i].msg_hdr.msg_namelen, now);
		leave(ep);
		processed += n;
		if (n < EP_BATCH)
			break;
	}
	ep->depth++;
	run_timers(ep, ep_now());
	leave(ep);
	return processed;
}

int petrel_endpoint_feed(petrel_endpoint *ep, uint8_t *dgram, size_t len, const void *addr,
			 unsigned addr_len, uint64_t now_ms)
{
	if (ep == NULL || dgram == NULL || addr == NULL)
		return PETREL_E_INVALID_REQUEST;
	struct sockaddr_storage ss;
	if (addr_len > sizeof ss)
		addr_len = sizeof ss;
	memset(&ss, 0, sizeof ss);
	memcpy(&ss, addr, addr_len);
	uint8_t key[EP_KEY_MAX];
	if (addr_key(&ss, (socklen_t)addr_len, key) == 0)
		return PETREL_E_INVALID_REQUEST;
	start_clock(ep, now_ms);
	ep->depth++;
	handle_datagram(ep, dgram, len, &ss, (socklen_t)addr_len, now_ms);
	leave(ep);
	return 0;
}

int petrel_endpoint_handle_timeout(petrel_endpoint *ep, uint64_t now_ms)
{
	if (ep == NULL)
		return PETREL_E_INVALID_REQUEST;
	ep->depth++;
	run_timers(ep, now_ms);
	leave(ep);
	return 0;
}

uint64_t petrel_endpoint_next_deadline(const petrel_endpoint *ep)
{
	uint64_t next = ep->clock_started ? ep->cookie_rotated_ms + EP_COOKIE_ROTATE_MS : UINT64_MAX;
	const struct petrel_heap_timer *t = petrel_timer_heap_top(&ep->timers);
	if (t && t->deadline_ms < next)
		next = t->deadline_ms;
	return next;
}

long petrel_endpoint_next_datagram(petrel_endpoint *ep, uint8_t *buf, size_t cap, void *addr,
				   unsigned *addr_len)
{
	if (ep == NULL || buf == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (ep->out_head >= ep->out_len)
		return PETREL_E_AGAIN;
	struct ep_out_header h;
	memcpy(&h, ep->out + ep->out_head, sizeof h);
	if (h.len > cap)
		return PETREL_E_SHORT_BUFFER;
	memcpy(buf, ep->out + ep->out_head + sizeof h, h.len);
	if (addr_len) {
		struct sockaddr_storage ss;
		socklen_t ss_len = key_to_sockaddr(h.key, h.key_len, &ss);
		if (addr)
			memcpy(addr, &ss, *addr_len < ss_len ? *addr_len : (unsigned)ss_len);
		*addr_len = (unsigned)ss_len;
	}
	ep->out_head += sizeof h + h.len;
	ep->out_count--;
	if (ep->out_head >= ep->out_len)
		ep->out_head = ep->out_len = 0;
	return (long)h.len;
}

unsigned petrel_endpoint_get_timeout(const petrel_endpoint *ep)
{
	uint64_t now = ep_now(), next = petrel_endpoint_next_deadline(ep);
	if (next == UINT64_MAX)
		return UINT32_MAX;
	return next <= now ? 0 : (unsigned)(next - now > UINT32_MAX ? UINT32_MAX : next - now);
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
	socklen_t ss_len = key_to_sockaddr(p->node.key, p->node.key_len, &ss);
	unsigned n = *addr_len < ss_len ? *addr_len : (unsigned)ss_len;
	if (addr)
		memcpy(addr, &ss, n);
	*addr_len = (unsigned)ss_len;
	return 0;
}

void petrel_endpoint_shutdown(petrel_endpoint *ep)
{
	ep->depth++;
	for (size_t b = 0; b < ep->peers.bucket_count; b++)
		for (struct petrel_table_node *n = ep->peers.buckets[b]; n; n = n->next) {
			struct ep_peer *p = peer_of_node(n);
			/* Its push keys its timer due: a later process() reaps it. */
			if (p->half_open == NULL && !p->session->closed)
				(void)petrel_bye(p->session);
		}
	leave(ep);
}

void petrel_endpoint_get_stats(const petrel_endpoint *ep, struct petrel_endpoint_stats *st)
{
	memset(st, 0, sizeof *st);
	st->sessions = ep->session_count;
	st->half_open = ep->half_open;
	st->fragment_bytes = frag_bytes_in_use(ep);
	st->half_open_refused = ep->half_open_refused;
	st->half_open_evicted = ep->half_open_evicted;
	st->fragment_evicted = ep->fragment_evicted;
	st->timer_visits = ep->timer_visits;
}
