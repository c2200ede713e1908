/* A server endpoint: one unconnected UDP socket, many peers. Datagrams are
 * demultiplexed by peer address; a peer gets a session only after its
 * ClientHello carries a valid stateless cookie (RFC 6347 4.2.1), so a
 * flood of forged ClientHellos costs one HelloVerifyRequest each and no
 * memory. Half-open handshakes and sessions are capped. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dtls/session.h"

#define EP_BATCH 32
#define EP_DEFAULT_MAX_SESSIONS 100000u
#define EP_DEFAULT_MAX_HALF_OPEN 1000u
#define EP_DEFAULT_IDLE_MS 300000u
/* Longer than a cookie's 60 s life: the previous secret still checks. */
#define EP_COOKIE_ROTATE_MS 300000u
/* Address key: family, port and address bytes (IPv6 with scope id). */
#define EP_KEY_MAX 24

struct ep_peer {
	struct ep_peer *next; /* hash chain */
	petrel_endpoint *ep;
	petrel_session *session;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint8_t key[EP_KEY_MAX];
	uint8_t key_len;
	bool established;
	uint64_t last_rx_ms;
};

struct petrel_endpoint {
	int fd;
	petrel_credentials *creds;
	unsigned session_flags;
	struct petrel_endpoint_callbacks cb;
	struct ep_peer **buckets;
	size_t bucket_count; /* power of two */
	unsigned session_count, half_open;
	unsigned max_sessions, max_half_open;
	uint64_t idle_ms;
	uint64_t cookie_rotated_ms;
	uint8_t rx[EP_BATCH][PETREL_RECV_BUFFER];
	uint8_t app[PETREL_MAX_PLAINTEXT]; /* one record's plaintext for on_data */
};

static uint64_t ep_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static size_t addr_key(const struct sockaddr_storage *ss, uint8_t key[EP_KEY_MAX])
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		key[0] = 4;
		memcpy(key + 1, &a->sin_port, 2);
		memcpy(key + 3, &a->sin_addr, 4);
		return 7;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		key[0] = 6;
		memcpy(key + 1, &a->sin6_port, 2);
		memcpy(key + 3, &a->sin6_addr, 16);
		memcpy(key + 19, &a->sin6_scope_id, 4);
		return 23;
	}
	return 0;
}

static size_t key_hash(const uint8_t *key, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= key[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

static struct ep_peer **find_slot(petrel_endpoint *ep, const uint8_t *key, size_t len)
{
	struct ep_peer **p = &ep->buckets[key_hash(key, len) & (ep->bucket_count - 1)];
	while (*p && ((*p)->key_len != len || memcmp((*p)->key, key, len) != 0))
		p = &(*p)->next;
	return p;
}

static struct ep_peer *find_peer_of_session(const petrel_endpoint *ep, const petrel_session *s)
{
	for (size_t b = 0; b < ep->bucket_count; b++)
		for (struct ep_peer *p = ep->buckets[b]; p; p = p->next)
			if (p->session == s)
				return p;
	return NULL;
}

static int grow(petrel_endpoint *ep)
{
	size_t n = ep->bucket_count * 2;
	struct ep_peer **nb = calloc(n, sizeof *nb);
	if (nb == NULL)
		return PETREL_E_MEMORY;
	for (size_t b = 0; b < ep->bucket_count; b++) {
		struct ep_peer *p = ep->buckets[b];
		while (p) {
			struct ep_peer *next = p->next;
			size_t i = key_hash(p->key, p->key_len) & (n - 1);
			p->next = nb[i];
			nb[i] = p;
			p = next;
		}
	}
	free(ep->buckets);
	ep->buckets = nb;
	ep->bucket_count = n;
	return 0;
}

static long ep_push(void *ptr, const uint8_t *data, size_t len)
{
	struct ep_peer *p = ptr;
	ssize_t n = sendto(p->ep->fd, data, len, 0, (const struct sockaddr *)&p->addr, p->addr_len);
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
	if (ep->cb.on_closed)
		ep->cb.on_closed(ep->cb.ptr, p->session, reason);
	struct ep_peer **slot = find_slot(ep, p->key, p->key_len);
	if (*slot == p)
		*slot = p->next;
	if (!p->established)
		ep->half_open--;
	ep->session_count--;
	petrel_session_free(p->session);
	free(p);
}

/* After feeding or ticking: report establishment, deliver data, reap.
 * Returns false when the peer was removed. */
static bool settle(petrel_endpoint *ep, struct ep_peer *p, int rc)
{
	petrel_session *s = p->session;
	if (!p->established && petrel_handshake_is_complete(s)) {
		p->established = true;
		ep->half_open--;
		if (ep->cb.on_established)
			ep->cb.on_established(ep->cb.ptr, s);
	}
	if (s->rx_app_ready) {
		long n = petrel_engine_read(s, ep->app, sizeof ep->app);
		if (n >= 0 && ep->cb.on_data)
			ep->cb.on_data(ep->cb.ptr, s, ep->app, (size_t)n);
	}
	if (rc < 0 && petrel_error_is_fatal(rc)) {
		remove_peer(ep, p, rc);
		return false;
	}
	if (s->closed) {
		remove_peer(ep, p, PETREL_E_SESSION_CLOSED);
		return false;
	}
	return true;
}

static struct ep_peer *new_peer(petrel_endpoint *ep, const struct sockaddr_storage *ss,
				socklen_t ss_len, const uint8_t *key, size_t key_len)
{
	if (ep->session_count >= ep->max_sessions || ep->half_open >= ep->max_half_open)
		return NULL;
	if (ep->session_count + 1 > ep->bucket_count && grow(ep) < 0)
		return NULL;
	struct ep_peer *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	if (petrel_session_new(&p->session, PETREL_SERVER | ep->session_flags) < 0) {
		free(p);
		return NULL;
	}
	p->ep = ep;
	memcpy(&p->addr, ss, ss_len);
	p->addr_len = ss_len;
	memcpy(p->key, key, key_len);
	p->key_len = (uint8_t)key_len;
	petrel_session *s = p->session;
	petrel_session_set_credentials(s, ep->creds);
	petrel_transport_set_ptr(s, p);
	petrel_transport_set_push_function(s, ep_push);
	petrel_transport_set_pull_function(s, ep_pull);
	petrel_session_set_peer_address(s, key, key_len);
	s->ipv6 = ss->ss_family == AF_INET6;
	struct ep_peer **slot = find_slot(ep, key, key_len);
	p->next = *slot;
	*slot = p;
	ep->session_count++;
	ep->half_open++;
	if (ep->cb.on_new_session)
		ep->cb.on_new_session(ep->cb.ptr, s);
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

static void handle_datagram(petrel_endpoint *ep, uint8_t *d, size_t len,
			    const struct sockaddr_storage *ss, socklen_t ss_len, uint64_t now)
{
	uint8_t key[EP_KEY_MAX];
	size_t key_len = addr_key(ss, key);
	if (key_len == 0)
		return;
	struct ep_peer *p = *find_slot(ep, key, key_len);
	uint64_t seq = 0;
	bool client_hello = looks_like_client_hello(d, len, &seq);
	if (p && p->established && client_hello) {
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
			(void)sendto(ep->fd, hvr, hvr_len, 0, (const struct sockaddr *)ss, ss_len);
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
				(void)sendto(ep->fd, hvr, hvr_len, 0, (const struct sockaddr *)ss, ss_len);
				return;
			}
			if (rc != 1)
				return;
		}
		p = new_peer(ep, ss, ss_len, key, key_len);
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
	int rc = petrel_engine_feed(s, d, len, now);
	s->rx_user_buf = NULL;
	s->rx_user_cap = 0;
	settle(ep, p, rc);
}

int petrel_endpoint_new(petrel_endpoint **out, int fd, petrel_credentials *creds,
			unsigned session_flags, const struct petrel_endpoint_callbacks *cb)
{
	if (out == NULL || fd < 0 || creds == NULL)
		return PETREL_E_INVALID_REQUEST;
	petrel_endpoint *ep = calloc(1, sizeof *ep);
	if (ep == NULL)
		return PETREL_E_MEMORY;
	ep->bucket_count = 64;
	ep->buckets = calloc(ep->bucket_count, sizeof *ep->buckets);
	if (ep->buckets == NULL) {
		free(ep);
		return PETREL_E_MEMORY;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
#ifdef IP_MTU_DISCOVER
	/* DF set: oversized datagrams fail with EMSGSIZE (RFC 6347 4.1.1.1). */
	int pmtu = IP_PMTUDISC_DO;
	(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
#endif
	ep->fd = fd;
	ep->creds = creds;
	ep->session_flags = session_flags & ~3u;
	if (cb)
		ep->cb = *cb;
	ep->max_sessions = EP_DEFAULT_MAX_SESSIONS;
	ep->max_half_open = EP_DEFAULT_MAX_HALF_OPEN;
	ep->idle_ms = EP_DEFAULT_IDLE_MS;
	ep->cookie_rotated_ms = ep_now();
	*out = ep;
	return 0;
}

void petrel_endpoint_free(petrel_endpoint *ep)
{
	if (ep == NULL)
		return;
	for (size_t b = 0; b < ep->bucket_count; b++) {
		struct ep_peer *p = ep->buckets[b];
		while (p) {
			struct ep_peer *next = p->next;
			petrel_session_free(p->session);
			free(p);
			p = next;
		}
	}
	free(ep->buckets);
	free(ep);
}

void petrel_endpoint_set_limits(petrel_endpoint *ep, unsigned max_sessions, unsigned max_half_open)
{
	if (max_sessions)
		ep->max_sessions = max_sessions;
	if (max_half_open)
		ep->max_half_open = max_half_open;
}

void petrel_endpoint_set_idle_timeout(petrel_endpoint *ep, unsigned idle_ms)
{
	ep->idle_ms = idle_ms;
}

static void run_timers(petrel_endpoint *ep, uint64_t now)
{
	if (now - ep->cookie_rotated_ms >= EP_COOKIE_ROTATE_MS) {
		petrel_credentials_rotate_cookie_secret(ep->creds);
		ep->cookie_rotated_ms = now;
	}
	for (size_t b = 0; b < ep->bucket_count; b++) {
		struct ep_peer *p = ep->buckets[b];
		while (p) {
			struct ep_peer *next = p->next;
			if (p->established && ep->idle_ms && p->session->hs == NULL &&
			    now - p->last_rx_ms >= ep->idle_ms) {
				remove_peer(ep, p, PETREL_E_TIMEDOUT);
			} else if (petrel_engine_next_deadline(p->session) <= now) {
				int rc = petrel_engine_tick(p->session, now);
				settle(ep, p, rc);
			}
			p = next;
		}
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
		for (int i = 0; i < n; i++)
			handle_datagram(ep, ep->rx[i], msgs[i].msg_len, &addrs[i],
					msgs[i].msg_hdr.msg_namelen, now);
		processed += n;
		if (n < EP_BATCH)
			break;
	}
	run_timers(ep, ep_now());
	return processed;
}

unsigned petrel_endpoint_get_timeout(const petrel_endpoint *ep)
{
	uint64_t now = ep_now(), next = UINT64_MAX;
	for (size_t b = 0; b < ep->bucket_count; b++) {
		for (const struct ep_peer *p = ep->buckets[b]; p; p = p->next) {
			uint64_t d = petrel_engine_next_deadline(p->session);
			if (p->established && ep->idle_ms && p->session->hs == NULL &&
			    p->last_rx_ms + ep->idle_ms < d)
				d = p->last_rx_ms + ep->idle_ms;
			if (d < next)
				next = d;
		}
	}
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
	const struct ep_peer *p = find_peer_of_session(ep, s);
	if (p == NULL || addr_len == NULL)
		return PETREL_E_INVALID_REQUEST;
	unsigned n = *addr_len < p->addr_len ? *addr_len : (unsigned)p->addr_len;
	if (addr)
		memcpy(addr, &p->addr, n);
	*addr_len = (unsigned)p->addr_len;
	return 0;
}
