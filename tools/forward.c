/* Batched UDP I/O shared by both ends of the tunnel, and the server side of
 * it (`petrel server --forward`): each DTLS session gets its own connected
 * UDP socket towards the target, so the target's answers map back to the
 * session by the socket they arrive on, with no table of addresses. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tools/forward.h"

/* ---- batched datagram I/O ---- */

int fwd_rx_read(struct fwd_rx *rx, int fd)
{
	if (!rx->ready) {
		rx->ready = true;
		rx->dirty = FWD_BATCH;
	}
	/* Only what the last read returned was changed (msg_len, the name's
	 * length, flags): a datagram in flight costs no pass over the batch. */
	for (int i = 0; i < rx->dirty; i++) {
		rx->iov[i].iov_base = rx->buf[i];
		rx->iov[i].iov_len = FWD_SLOT;
		struct msghdr *h = &rx->msgs[i].msg_hdr;
		h->msg_name = &rx->addrs[i];
		h->msg_namelen = sizeof rx->addrs[i];
		h->msg_iov = &rx->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = NULL;
		h->msg_controllen = 0;
		h->msg_flags = 0;
	}
	for (;;) {
		/* MSG_TRUNC: msg_len is the datagram's real size, so one that did
		 * not fit is refused by its size instead of relayed cut short. */
		int n = recvmmsg(fd, rx->msgs, FWD_BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
		rx->dirty = n > 0 ? n : 0;
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -errno;
	}
}

uint8_t *fwd_tx_slot(struct fwd_tx *tx)
{
	if (tx->count == FWD_BATCH)
		fwd_tx_flush(tx);
	return tx->buf[tx->count];
}

void fwd_tx_commit(struct fwd_tx *tx, int fd, const struct sockaddr_storage *addr,
		   socklen_t addr_len, size_t len, void *owner)
{
	unsigned i = tx->count;
	tx->fd[i] = fd;
	tx->owner[i] = owner;
	tx->iov[i].iov_base = tx->buf[i];
	tx->iov[i].iov_len = len;
	struct msghdr *h = &tx->msgs[i].msg_hdr;
	memset(h, 0, sizeof *h);
	if (addr) {
		memcpy(&tx->addrs[i], addr, addr_len);
		h->msg_name = &tx->addrs[i];
		h->msg_namelen = addr_len;
	}
	h->msg_iov = &tx->iov[i];
	h->msg_iovlen = 1;
	tx->count = i + 1;
}

void fwd_tx_flush(struct fwd_tx *tx)
{
	unsigned i = 0, count = tx->count;
	/* Cleared first: an error callback may queue nothing, but must never
	 * see this batch twice. */
	tx->count = 0;
	while (i < count) {
		unsigned end = i + 1;
		while (end < count && tx->fd[end] == tx->fd[i])
			end++;
		while (i < end) {
			int r = sendmmsg(tx->fd[i], &tx->msgs[i], end - i, 0);
			if (r > 0) {
				i += (unsigned)r;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			/* sendmmsg reports the first failure alone: count that
			 * datagram and go on with the next. */
			int err = r < 0 ? errno : EIO;
			if (tx->on_error)
				tx->on_error(tx->ctx, tx->owner[i], err, tx->iov[i].iov_len);
			i++;
		}
	}
}

/* ---- addresses and sockets ---- */

int fwd_split_host_port(char *arg, const char **host, const char **port)
{
	char *colon = strrchr(arg, ':');
	if (colon == NULL || colon == arg || colon[1] == '\0')
		return -1;
	*colon = '\0';
	*port = colon + 1;
	if (arg[0] == '[') {
		/* RFC 3986 3.2.2: an IPv6 literal is bracketed before the port. */
		size_t n = strlen(arg);
		if (n < 3 || arg[n - 1] != ']')
			return -1;
		arg[n - 1] = '\0';
		arg++;
	} else if (strchr(arg, ':')) {
		return -1; /* a bare IPv6 address: ambiguous without brackets */
	}
	*host = arg;
	return 0;
}

int fwd_resolve(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints, *list;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	int rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0) {
		fprintf(stderr, "petrel: %s:%s: %s\n", host, port, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, list->ai_addr, list->ai_addrlen);
	*len = list->ai_addrlen;
	freeaddrinfo(list);
	return 0;
}

void fwd_tune_socket(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	/* Room for bursts: a window of 32 full datagrams in each direction
	 * must not overflow the default buffers of a busy host. Capped by
	 * net.core.[rw]mem_max; best effort. */
	int size = 1 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

int fwd_connected_socket(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
		close(fd);
		return -1;
	}
	/* DF: an oversized datagram fails with EMSGSIZE instead of being
	 * fragmented (RFC 6347 4.1.1.1), so it is counted, not lost. */
	if (ss->ss_family == AF_INET6) {
#ifdef IPV6_MTU_DISCOVER
		int pmtu = IPV6_PMTUDISC_DO;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu);
#endif
	} else {
#ifdef IP_MTU_DISCOVER
		int pmtu = IP_PMTUDISC_DO;
		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
#endif
	}
	fwd_tune_socket(fd);
	return fd;
}

/* ---- server side: session -> socket towards the target ---- */

struct fwd_flow {
	struct fwd_flow *next; /* hash chain */
	petrel_session *session;
	int fd;
};

struct fwd_counters {
	uint64_t sessions, to_target, from_target, refused_large, large_packet, send_errors,
		target_unreachable, no_socket;
};

struct forward {
	struct petrel_endpoint_callbacks inner; /* the server's own callbacks */
	struct sockaddr_storage target;
	socklen_t target_len;
	char target_name[80];
	bool verbose, quiet, warned_large;
	int epfd;
	struct fwd_flow **buckets;
	size_t bucket_count, flow_count; /* bucket_count: a power of two */
	struct fwd_flow *last;           /* the flow of the last datagram */
	bool epoll_next; /* the last answers were read without epoll: ask it next */
	struct fwd_counters n;
	struct fwd_tx tx;
	struct fwd_rx rx;
};

static size_t bucket_of(const struct forward *f, const petrel_session *s)
{
	uintptr_t h = (uintptr_t)s;
	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (f->bucket_count - 1);
}

static struct fwd_flow **find(struct forward *f, const petrel_session *s)
{
	struct fwd_flow **p = &f->buckets[bucket_of(f, s)];
	while (*p && (*p)->session != s)
		p = &(*p)->next;
	return p;
}

static int grow(struct forward *f)
{
	size_t n = f->bucket_count * 2;
	struct fwd_flow **nb = calloc(n, sizeof *nb);
	if (nb == NULL)
		return -1;
	struct fwd_flow **old = f->buckets;
	size_t old_count = f->bucket_count;
	f->buckets = nb;
	f->bucket_count = n;
	for (size_t b = 0; b < old_count; b++) {
		for (struct fwd_flow *p = old[b], *next; p; p = next) {
			next = p->next;
			size_t i = bucket_of(f, p->session);
			p->next = nb[i];
			nb[i] = p;
		}
	}
	free(old);
	return 0;
}

static struct fwd_flow *new_flow(struct forward *f, petrel_session *s)
{
	if (f->flow_count + 1 > f->bucket_count && grow(f) < 0)
		return NULL;
	struct fwd_flow *fl = calloc(1, sizeof *fl);
	if (fl == NULL)
		return NULL;
	fl->session = s;
	fl->fd = fwd_connected_socket(&f->target, f->target_len);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = fl};
	if (fl->fd < 0 || epoll_ctl(f->epfd, EPOLL_CTL_ADD, fl->fd, &ev) < 0) {
		if (!f->quiet)
			fprintf(stderr, "petrel server: forward: no socket towards %s: %s\n",
				f->target_name, strerror(errno));
		if (fl->fd >= 0)
			close(fl->fd);
		free(fl);
		return NULL;
	}
	struct fwd_flow **slot = find(f, s);
	fl->next = *slot;
	*slot = fl;
	f->flow_count++;
	f->n.sessions++;
	if (f->verbose) {
		char local[64];
		cli_local_addr(fl->fd, local, sizeof local);
		fprintf(stderr, "petrel server: forward: a session's datagrams go to %s from %s\n",
			f->target_name, local);
	}
	return fl;
}

static void fw_new_session(void *ptr, petrel_session *s)
{
	struct forward *f = ptr;
	if (f->inner.on_new_session)
		f->inner.on_new_session(f->inner.ptr, s);
}

static void fw_established(void *ptr, petrel_session *s)
{
	struct forward *f = ptr;
	if (f->inner.on_established)
		f->inner.on_established(f->inner.ptr, s);
}

static void fw_data(void *ptr, petrel_session *s, const uint8_t *data, size_t len)
{
	struct forward *f = ptr;
	struct fwd_flow *fl = f->last;
	if (fl == NULL || fl->session != s) {
		fl = *find(f, s);
		if (fl == NULL && (fl = new_flow(f, s)) == NULL) {
			f->n.no_socket++;
			return;
		}
		f->last = fl;
	}
	if (len > FWD_SLOT)
		return; /* cannot happen: a record carries at most 2^14 bytes */
	memcpy(fwd_tx_slot(&f->tx), data, len);
	fwd_tx_commit(&f->tx, fl->fd, NULL, 0, len, fl);
	f->n.to_target++;
}

static void fw_closed(void *ptr, petrel_session *s, int reason)
{
	struct forward *f = ptr;
	if (f->inner.on_closed)
		f->inner.on_closed(f->inner.ptr, s, reason);
	struct fwd_flow **slot = find(f, s);
	struct fwd_flow *fl = *slot;
	if (fl == NULL)
		return;
	/* What the session sent last still goes out before its socket closes. */
	fwd_tx_flush(&f->tx);
	*slot = fl->next;
	if (f->last == fl)
		f->last = NULL;
	close(fl->fd);
	free(fl);
	f->flow_count--;
}

static void fw_tx_error(void *ctx, void *owner, int err, size_t len)
{
	struct forward *f = ctx;
	(void)owner;
	if (err == ECONNREFUSED) {
		f->n.target_unreachable++;
	} else {
		f->n.send_errors++;
		if (f->verbose)
			fprintf(stderr, "petrel server: forward: %zu bytes to %s not sent: %s\n", len,
				f->target_name, strerror(err));
	}
}

int forward_attach(struct forward **out, const struct cli_options *o,
		   struct petrel_endpoint_callbacks *cb)
{
	struct forward *f = calloc(1, sizeof *f);
	if (f == NULL) {
		fprintf(stderr, "petrel server: forward: out of memory\n");
		return -1;
	}
	f->epfd = -1;
	f->quiet = true; /* no counters from forward_close on the error paths */
	f->bucket_count = 64;
	f->buckets = calloc(f->bucket_count, sizeof *f->buckets);
	if (fwd_resolve(o->forward_host, o->forward_port, &f->target, &f->target_len) < 0) {
		forward_close(f);
		return -1;
	}
	if (f->buckets == NULL || (f->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		fprintf(stderr, "petrel server: forward: %s\n", strerror(errno));
		forward_close(f);
		return -1;
	}
	cli_format_addr((struct sockaddr *)&f->target, f->target_len, f->target_name,
			sizeof f->target_name);
	f->verbose = o->verbose;
	f->quiet = o->quiet;
	f->tx.on_error = fw_tx_error;
	f->tx.ctx = f;
	f->inner = *cb;
	cb->on_new_session = fw_new_session;
	cb->on_established = fw_established;
	cb->on_data = fw_data;
	cb->on_closed = fw_closed;
	cb->ptr = f;
	*out = f;
	return 0;
}

int forward_fd(const struct forward *f)
{
	return f ? f->epfd : -1;
}

/* The target's answers on one session's socket go back through it. */
static int relay_answers(struct forward *f, struct fwd_flow *fl)
{
	petrel_session *s = fl->session;
	int got = 0;
	/* A few batches at most, so one busy flow cannot starve the rest. */
	for (int round = 0; round < 4; round++) {
		int n = fwd_rx_read(&f->rx, fl->fd);
		if (n == -ECONNREFUSED) {
			/* ICMP port unreachable from an earlier send: nobody
			 * listens at the target (yet). */
			f->n.target_unreachable++;
			continue;
		}
		if (n <= 0)
			return got;
		got += n;
		unsigned data_mtu = petrel_dtls_get_data_mtu(s);
		for (int i = 0; i < n; i++) {
			size_t len = f->rx.msgs[i].msg_len;
			if (len > data_mtu || len > FWD_SLOT) {
				/* The record would not fit one datagram on the path:
				 * refused here rather than fragmented by IP. */
				f->n.refused_large++;
				if (f->verbose || (!f->quiet && !f->warned_large))
					fprintf(stderr,
						"petrel server: forward: answer of %zu bytes from %s "
						"refused: over the session's data MTU of %u bytes%s\n",
						len, f->target_name, data_mtu,
						f->verbose ? "" : "; --verbose shows every one");
				f->warned_large = true;
				continue;
			}
			long r = petrel_record_send(s, f->rx.buf[i], len);
			if (r >= 0) {
				f->n.from_target++;
			} else if (r == PETREL_E_LARGE_PACKET) {
				f->n.large_packet++;
				if (f->verbose)
					fprintf(stderr,
						"petrel server: forward: answer of %zu bytes: %s; data MTU "
						"now %u bytes\n",
						len, cli_error((int)r), petrel_dtls_get_data_mtu(s));
				data_mtu = petrel_dtls_get_data_mtu(s);
			} else {
				f->n.send_errors++;
			}
		}
		if (n < FWD_BATCH)
			return got;
	}
	return got;
}

int forward_process(struct forward *f, short revents)
{
	if (f == NULL)
		return 0;
	fwd_tx_flush(&f->tx);
	if (revents == 0) {
		/* No target socket had anything: none can have been starved. */
		f->epoll_next = false;
		return 0; /* spare the syscall */
	}
	if (f->flow_count == 1 && f->last) {
		/* One session (a tunnel's single flow): the readable socket is
		 * its own, so read it without asking epoll which one it is. */
		relay_answers(f, f->last);
		return 0;
	}
	/* Several sessions: the answer most likely belongs to the session
	 * that sent last (request and response), so its socket is tried
	 * without an epoll_wait. After such a read epoll picks next, unless
	 * a poll round found every target socket empty in between: a busy
	 * session cannot starve the others. */
	if (f->last && !f->epoll_next && relay_answers(f, f->last) > 0) {
		f->epoll_next = true;
		return 0;
	}
	f->epoll_next = false;
	struct epoll_event ev[64];
	int n = epoll_wait(f->epfd, ev, 64, 0);
	for (int i = 0; i < n; i++)
		(void)relay_answers(f, ev[i].data.ptr);
	return 0;
}

void forward_close(struct forward *f)
{
	if (f == NULL)
		return;
	if (f->epfd >= 0 && !f->quiet) {
		const struct fwd_counters *c = &f->n;
		fprintf(stderr,
			"petrel server: forwarded %llu datagrams to %s from %llu sessions, %llu answers "
			"back; refused %llu over the data MTU, %llu large-packet, %llu unreachable, "
			"%llu errors\n",
			(unsigned long long)c->to_target, f->target_name,
			(unsigned long long)c->sessions, (unsigned long long)c->from_target,
			(unsigned long long)c->refused_large, (unsigned long long)c->large_packet,
			(unsigned long long)c->target_unreachable,
			(unsigned long long)(c->send_errors + c->no_socket));
	}
	for (size_t b = 0; f->buckets && b < f->bucket_count; b++) {
		for (struct fwd_flow *p = f->buckets[b], *next; p; p = next) {
			next = p->next;
			close(p->fd);
			free(p);
		}
	}
	free(f->buckets);
	if (f->epfd >= 0)
		close(f->epfd);
	free(f);
}
