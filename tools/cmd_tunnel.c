/* petrel tunnel: the client side of a UDP forwarder over DTLS. Datagrams
 * that arrive on --listen are relayed to `petrel server --forward` at
 * --connect, and its answers back to their sender.
 *
 * One DTLS session per local flow (a local source address), each on its
 * own UDP socket towards the server, rather than many flows multiplexed
 * over one session: flows stay isolated (one flow's loss, replay window or
 * failure never touches another), a datagram needs no extra framing (a
 * flow gets the whole data MTU), and the server's endpoint already tells
 * sessions apart by address, so its side is a plain map from session to a
 * socket towards the target. The cost is a handshake per new flow; after
 * the first, flows resume the last session's ticket (RFC 5077), so they
 * cost an abbreviated handshake.
 *
 * Liveness: a session ends on close_notify, a fatal error, ICMP port
 * unreachable from the server's address, or when datagrams went out for
 * --dead-ms with nothing coming back (a restarted server drops records of
 * sessions it no longer knows). The flow then reconnects on its next
 * datagram, resuming when the server still knows the ticket. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tools/forward.h"

#define DEFAULT_MAX_FLOWS 4096u
/* Datagrams and bytes a flow keeps while its handshake runs. */
#define PENDING_MAX_COUNT 64u
#define PENDING_MAX_BYTES (64u * 1024u)
/* After a failed handshake, a flow's datagrams are dropped this long
 * before the next attempt, so a refused tunnel does not hammer the server. */
#define RETRY_PAUSE_MS 1000u
/* Cap on the handshake retransmission timeout: a tunnel waiting for a
 * restarted server notices it is back within this long. */
#define RECONNECT_RTO_CAP_MS 2000u
#define DEFAULT_IDLE_MS 60000u
#define DEFAULT_DEAD_MS 15000u

enum flow_state { FLOW_IDLE, FLOW_CONNECTING, FLOW_OPEN };

struct tunnel;

struct flow {
	struct flow *next; /* hash chain */
	size_t index;      /* in tunnel.flows */
	struct tunnel *t;
	struct sockaddr_storage local;
	socklen_t local_len;
	uint8_t key[24];
	size_t key_len;
	char name[64];
	int fd; /* connected to the server */
	petrel_session *s;
	enum flow_state state;
	bool had_session, warned_large;
	/* Set while sending (the session may be mid-call): acted on later. */
	bool refused_by_server;
	unsigned path_mtu_hint;
	/* Datagrams waiting for the handshake: [u16 length][bytes]... */
	uint8_t *pending;
	size_t pending_bytes;
	unsigned pending_count;
	uint64_t last_activity_ms, unanswered_since_ms, retry_after_ms;
	/* The batch the session's pull function reads from. */
	int rx_next, rx_count;
};

struct counters {
	uint64_t flows, out, back, refused_large, large_packet, dropped, send_errors, handshakes,
		resumed, handshake_failures, reconnects, unreachable;
};

struct tunnel {
	const struct cli_options *o;
	petrel_credentials *creds;
	struct sockaddr_storage server;
	socklen_t server_len;
	char server_name[80];
	int listen_fd, epfd;
	struct flow **buckets;
	size_t bucket_count; /* a power of two */
	struct flow **flows;
	size_t flow_count, flow_cap;
	unsigned connecting;
	bool attention; /* some flow has refused_by_server or path_mtu_hint */
	bool full;      /* a new flow found the table full */
	uint8_t *resume;
	size_t resume_len;
	unsigned idle_ms, dead_ms, sweep_ms, max_flows;
	uint64_t next_sweep_ms;
	struct counters n;
	struct fwd_rx *rx;
	struct fwd_tx *to_server, *to_local;
};

static volatile sig_atomic_t stop_requested, stats_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_requested = 1;
	else
		stop_requested = 1;
}

static void print_stats(const struct tunnel *t)
{
	const struct counters *c = &t->n;
	fprintf(stderr,
		"petrel tunnel: flows %llu (%zu now), datagrams %llu out, %llu back; refused %llu over "
		"the data MTU, %llu large-packet, %llu dropped, %llu send errors; handshakes %llu "
		"(%llu resumed, %llu failed), reconnects %llu, server unreachable %llu\n",
		(unsigned long long)c->flows, t->flow_count, (unsigned long long)c->out,
		(unsigned long long)c->back, (unsigned long long)c->refused_large,
		(unsigned long long)c->large_packet, (unsigned long long)c->dropped,
		(unsigned long long)c->send_errors, (unsigned long long)c->handshakes,
		(unsigned long long)c->resumed, (unsigned long long)c->handshake_failures,
		(unsigned long long)c->reconnects, (unsigned long long)c->unreachable);
}

/* ---- flow table: local address -> flow ---- */

static size_t addr_key(const struct sockaddr_storage *ss, uint8_t key[24])
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		memcpy(key, &a->sin_port, 2);
		memcpy(key + 2, &a->sin_addr, 4);
		return 6;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		memcpy(key, &a->sin6_port, 2);
		memcpy(key + 2, &a->sin6_addr, 16);
		memcpy(key + 18, &a->sin6_scope_id, 4);
		return 22;
	}
	return 0;
}

static size_t key_bucket(const struct tunnel *t, const uint8_t *key, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= key[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29)) & (t->bucket_count - 1);
}

static struct flow **find_slot(struct tunnel *t, const uint8_t *key, size_t len)
{
	struct flow **p = &t->buckets[key_bucket(t, key, len)];
	while (*p && ((*p)->key_len != len || memcmp((*p)->key, key, len) != 0))
		p = &(*p)->next;
	return p;
}

static int grow_table(struct tunnel *t)
{
	size_t n = t->bucket_count * 2;
	struct flow **nb = calloc(n, sizeof *nb);
	struct flow **list = realloc(t->flows, n * sizeof *list);
	if (nb == NULL || list == NULL) {
		free(nb);
		if (list)
			t->flows = list;
		return -1;
	}
	t->flows = list;
	t->flow_cap = n;
	free(t->buckets);
	t->buckets = nb;
	t->bucket_count = n;
	for (size_t i = 0; i < t->flow_count; i++) {
		struct flow *f = t->flows[i];
		size_t b = key_bucket(t, f->key, f->key_len);
		f->next = nb[b];
		nb[b] = f;
	}
	return 0;
}

/* ---- the session's transport: our sockets and batches ---- */

/* While the handshake runs each datagram goes out at once, so EMSGSIZE
 * reaches the library as LARGE_PACKET and it re-fragments; afterwards
 * records are queued and leave in batches. */
static long flow_push(void *ptr, const uint8_t *data, size_t len)
{
	struct flow *f = ptr;
	struct tunnel *t = f->t;
	if (f->state != FLOW_OPEN) {
		ssize_t n = send(f->fd, data, len, 0);
		if (n >= 0)
			return (long)n;
		if (errno == EMSGSIZE)
			return PETREL_E_LARGE_PACKET;
		if (errno == EINTR)
			return PETREL_E_INTERRUPTED;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
		    errno == ECONNREFUSED)
			return PETREL_E_AGAIN; /* as loss: the flight is retransmitted */
		return PETREL_E_PUSH_ERROR;
	}
	if (len > FWD_SLOT)
		return PETREL_E_LARGE_PACKET;
	memcpy(fwd_tx_slot(t->to_server), data, len);
	fwd_tx_commit(t->to_server, f->fd, NULL, 0, len, f);
	if (f->unanswered_since_ms == 0)
		f->unanswered_since_ms = cli_now_ms();
	return (long)len;
}

/* The datagrams read from the flow's socket by the last fwd_rx_read. */
static long flow_pull(void *ptr, uint8_t *buf, size_t cap)
{
	struct flow *f = ptr;
	const struct fwd_rx *rx = f->t->rx;
	while (f->rx_next < f->rx_count) {
		int i = f->rx_next++;
		size_t len = rx->msgs[i].msg_len;
		if (len > FWD_SLOT || len > cap)
			continue; /* truncated: cannot be a record of ours */
		memcpy(buf, rx->buf[i], len);
		return (long)len;
	}
	return PETREL_E_AGAIN;
}

static void to_server_error(void *ctx, void *owner, int err, size_t len)
{
	struct tunnel *t = ctx;
	struct flow *f = owner;
	if (err == EMSGSIZE) {
		/* The kernel knows a smaller path MTU (ICMP fragmentation
		 * needed, RFC 1191): apply it once the session is not mid-call. */
		int mtu = 0;
		socklen_t ml = sizeof mtu;
		bool v6 = t->server.ss_family == AF_INET6;
		int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP, name = v6 ? IPV6_MTU : IP_MTU;
		t->n.large_packet++;
		if (getsockopt(f->fd, level, name, &mtu, &ml) == 0 && mtu >= 256)
			f->path_mtu_hint = (unsigned)mtu;
		if (t->o->verbose)
			fprintf(stderr, "petrel tunnel: %s: record of %zu bytes: %s (path MTU %d)\n",
				f->name, len, cli_error(PETREL_E_LARGE_PACKET), mtu);
		t->attention = true;
	} else if (err == ECONNREFUSED) {
		f->refused_by_server = true;
		t->attention = true;
	} else {
		t->n.send_errors++;
	}
}

static void to_local_error(void *ctx, void *owner, int err, size_t len)
{
	struct tunnel *t = ctx;
	struct flow *f = owner;
	t->n.send_errors++;
	if (t->o->verbose)
		fprintf(stderr, "petrel tunnel: %s: answer of %zu bytes not delivered: %s\n", f->name,
			len, strerror(err));
}

/* ---- sessions ---- */

static void end_session(struct tunnel *t, struct flow *f, const char *why, int rc)
{
	if (f->s == NULL)
		return;
	if (!t->o->quiet && why) {
		if (rc)
			fprintf(stderr, "petrel tunnel: %s: %s: %s\n", f->name, why, cli_error(rc));
		else
			fprintf(stderr, "petrel tunnel: %s: %s\n", f->name, why);
	}
	if (f->state == FLOW_CONNECTING)
		t->connecting--;
	/* Records it queued go out before the session's memory does. */
	fwd_tx_flush(t->to_server);
	petrel_session_free(f->s);
	f->s = NULL;
	f->state = FLOW_IDLE;
	f->unanswered_since_ms = 0;
	if (f->pending_count)
		t->n.dropped += f->pending_count;
	free(f->pending);
	f->pending = NULL;
	f->pending_bytes = 0;
	f->pending_count = 0;
}

static void keep_resume_data(struct tunnel *t, const petrel_session *s)
{
	size_t len = 0;
	if (petrel_session_get_data(s, NULL, &len) < 0 || len == 0)
		return;
	uint8_t *blob = malloc(len);
	if (blob == NULL || petrel_session_get_data(s, blob, &len) < 0) {
		free(blob);
		return;
	}
	free(t->resume);
	t->resume = blob;
	t->resume_len = len;
}

/* Over the data MTU: refused with the reason, counted. */
static void refuse_large(struct tunnel *t, struct flow *f, size_t len, unsigned data_mtu)
{
	t->n.refused_large++;
	if (t->o->quiet || (f->warned_large && !t->o->verbose))
		return;
	f->warned_large = true;
	fprintf(stderr,
		"petrel tunnel: %s: datagram of %zu bytes refused: over the data MTU of %u bytes "
		"(MTU %u)%s\n",
		f->name, len, data_mtu, f->s ? petrel_dtls_get_mtu(f->s) : 0,
		t->o->verbose ? "" : "; --verbose shows every one");
}

static void send_to_server(struct tunnel *t, struct flow *f, const uint8_t *data, size_t len)
{
	if (t->o->plain) {
		if (len > FWD_SLOT) {
			refuse_large(t, f, len, FWD_SLOT);
			return;
		}
		memcpy(fwd_tx_slot(t->to_server), data, len);
		fwd_tx_commit(t->to_server, f->fd, NULL, 0, len, f);
		t->n.out++;
		return;
	}
	unsigned data_mtu = petrel_dtls_get_data_mtu(f->s);
	if (len > data_mtu) {
		refuse_large(t, f, len, data_mtu);
		return;
	}
	long rc = petrel_record_send(f->s, data, len);
	if (rc >= 0) {
		t->n.out++;
	} else if (rc == PETREL_E_LARGE_PACKET) {
		t->n.large_packet++;
		if (t->o->verbose)
			fprintf(stderr, "petrel tunnel: %s: datagram of %zu bytes: %s; data MTU now %u\n",
				f->name, len, cli_error((int)rc), petrel_dtls_get_data_mtu(f->s));
	} else if (petrel_error_is_fatal((int)rc)) {
		t->n.dropped++;
		end_session(t, f, "session failed", (int)rc);
	} else {
		t->n.dropped++;
	}
}

static void on_connected(struct tunnel *t, struct flow *f)
{
	f->state = FLOW_OPEN;
	t->connecting--;
	t->n.handshakes++;
	int resumed = petrel_session_is_resumed(f->s);
	if (resumed)
		t->n.resumed++;
	keep_resume_data(t, f->s);
	if (t->o->verbose) {
		fprintf(stderr, "petrel tunnel: %s: connected to %s, resumed: %s\n", f->name,
			t->server_name, resumed ? "yes" : "no");
		cli_print_session(stderr, f->s, "  ");
	} else if (!t->o->quiet) {
		fprintf(stderr, "petrel tunnel: %s: connected, %s, resumed: %s\n", f->name,
			petrel_session_get_cipher_name(f->s), resumed ? "yes" : "no");
	}
	/* What waited for the handshake goes out now, in order. */
	uint8_t *p = f->pending;
	unsigned count = f->pending_count;
	f->pending_count = 0;
	for (unsigned i = 0; i < count && f->s; i++) {
		size_t len = (size_t)p[0] << 8 | p[1];
		send_to_server(t, f, p + 2, len);
		p += 2 + len;
	}
	free(f->pending);
	f->pending = NULL;
	f->pending_bytes = 0;
}

/* Run the handshake on whatever the pull function has. */
static void drive_handshake(struct tunnel *t, struct flow *f)
{
	for (int step = 0; step < 16 && f->state == FLOW_CONNECTING; step++) {
		int rc = petrel_handshake(f->s);
		if (rc == 0) {
			on_connected(t, f);
			return;
		}
		if (rc == PETREL_E_AGAIN || rc == PETREL_E_INTERRUPTED)
			return;
		if (rc == PETREL_E_LARGE_PACKET) {
			/* The flight did not fit the path: the library lowered the
			 * MTU and sends it again re-fragmented on the next call. */
			t->n.large_packet++;
			if (t->o->verbose)
				fprintf(stderr, "petrel tunnel: %s: handshake: %s; MTU now %u\n", f->name,
					cli_error(rc), petrel_dtls_get_mtu(f->s));
			continue;
		}
		if (petrel_error_is_fatal(rc)) {
			t->n.handshake_failures++;
			f->retry_after_ms = cli_now_ms() + RETRY_PAUSE_MS;
			end_session(t, f, "handshake failed", rc);
			return;
		}
	}
}

static int start_session(struct tunnel *t, struct flow *f)
{
	petrel_session *s;
	int rc = petrel_session_new(&s, PETREL_CLIENT);
	if (rc < 0)
		return rc;
	petrel_session_set_credentials(s, t->creds);
	/* Checked by cli_check_session_options at start-up: cannot fail. */
	(void)cli_configure_session(s, t->o, false);
	petrel_dtls_set_timeout_limits(s, 0, RECONNECT_RTO_CAP_MS);
	/* The fd transport sets DF and learns the address family; our own
	 * callbacks then replace its blocking I/O. */
	(void)petrel_transport_set_udp_fd(s, f->fd);
	petrel_transport_set_ptr(s, f);
	petrel_transport_set_push_function(s, flow_push);
	petrel_transport_set_pull_function(s, flow_pull);
	petrel_transport_set_pull_timeout_function(s, NULL);
	if (t->resume && petrel_session_set_data(s, t->resume, t->resume_len) < 0 && t->o->verbose)
		fprintf(stderr, "petrel tunnel: %s: the saved session does not apply, full handshake\n",
			f->name);
	f->s = s;
	f->state = FLOW_CONNECTING;
	f->warned_large = false;
	t->connecting++;
	if (f->had_session)
		t->n.reconnects++;
	f->had_session = true;
	if (t->o->verbose)
		fprintf(stderr, "petrel tunnel: %s: connecting to %s%s\n", f->name, t->server_name,
			t->resume ? ", offering to resume" : "");
	f->rx_next = f->rx_count = 0;
	drive_handshake(t, f);
	return 0;
}

static void queue_pending(struct tunnel *t, struct flow *f, const uint8_t *data, size_t len)
{
	if (f->pending == NULL && (f->pending = malloc(PENDING_MAX_BYTES)) == NULL) {
		t->n.dropped++;
		return;
	}
	if (f->pending_count >= PENDING_MAX_COUNT || len > 0xFFFF ||
	    f->pending_bytes + 2 + len > PENDING_MAX_BYTES) {
		t->n.dropped++;
		return;
	}
	uint8_t *p = f->pending + f->pending_bytes;
	p[0] = (uint8_t)(len >> 8);
	p[1] = (uint8_t)len;
	memcpy(p + 2, data, len);
	f->pending_bytes += 2 + len;
	f->pending_count++;
}

/* ---- flows ---- */

static struct flow *new_flow(struct tunnel *t, const struct sockaddr_storage *ss, socklen_t ss_len,
			     const uint8_t *key, size_t key_len)
{
	if (t->flow_count >= t->max_flows) {
		t->full = true; /* room is made after this poll round */
		return NULL;
	}
	if (t->flow_count + 1 > t->flow_cap && grow_table(t) < 0)
		return NULL;
	struct flow *f = calloc(1, sizeof *f);
	if (f == NULL)
		return NULL;
	f->t = t;
	memcpy(&f->local, ss, ss_len);
	f->local_len = ss_len;
	memcpy(f->key, key, key_len);
	f->key_len = key_len;
	cli_format_addr((const struct sockaddr *)ss, ss_len, f->name, sizeof f->name);
	f->fd = fwd_connected_socket(&t->server, t->server_len);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = f};
	if (f->fd < 0 || epoll_ctl(t->epfd, EPOLL_CTL_ADD, f->fd, &ev) < 0) {
		if (!t->o->quiet)
			fprintf(stderr, "petrel tunnel: %s: no socket towards %s: %s\n", f->name,
				t->server_name, strerror(errno));
		if (f->fd >= 0)
			close(f->fd);
		free(f);
		return NULL;
	}
	struct flow **slot = find_slot(t, key, key_len);
	f->next = *slot;
	*slot = f;
	f->index = t->flow_count;
	t->flows[t->flow_count++] = f;
	t->n.flows++;
	if (t->o->verbose)
		fprintf(stderr, "petrel tunnel: %s: new flow\n", f->name);
	return f;
}

static void free_flow(struct tunnel *t, struct flow *f)
{
	if (f->state == FLOW_OPEN && f->s)
		(void)petrel_bye(f->s);
	/* Nothing of this flow may stay queued once it is gone. */
	fwd_tx_flush(t->to_server);
	fwd_tx_flush(t->to_local);
	end_session(t, f, NULL, 0);
	struct flow **slot = find_slot(t, f->key, f->key_len);
	if (*slot == f)
		*slot = f->next;
	struct flow *last = t->flows[--t->flow_count];
	t->flows[f->index] = last;
	last->index = f->index;
	close(f->fd);
	free(f);
}

/* A datagram from a local application. */
static void from_local(struct tunnel *t, const uint8_t *data, size_t len,
		       const struct sockaddr_storage *ss, socklen_t ss_len, uint64_t now)
{
	uint8_t key[24];
	size_t key_len = addr_key(ss, key);
	if (key_len == 0)
		return;
	struct flow *f = *find_slot(t, key, key_len);
	if (f == NULL && (f = new_flow(t, ss, ss_len, key, key_len)) == NULL) {
		t->n.dropped++;
		return;
	}
	f->last_activity_ms = now;
	if (len > FWD_SLOT) {
		refuse_large(t, f, len, f->s ? petrel_dtls_get_data_mtu(f->s) : FWD_SLOT);
		return;
	}
	if (t->o->plain || f->state == FLOW_OPEN) {
		send_to_server(t, f, data, len);
		return;
	}
	if (f->state == FLOW_IDLE) {
		if (now < f->retry_after_ms) {
			t->n.dropped++;
			return;
		}
		int rc = start_session(t, f);
		if (rc < 0) {
			cli_print_failure("tunnel", NULL, rc);
			t->n.dropped++;
			return;
		}
		if (f->state == FLOW_OPEN) { /* cannot happen: a handshake takes a round trip */
			send_to_server(t, f, data, len);
			return;
		}
		if (f->state != FLOW_CONNECTING) {
			t->n.dropped++;
			return;
		}
	}
	queue_pending(t, f, data, len);
}

static void read_local(struct tunnel *t, uint64_t now)
{
	for (int round = 0; round < 4; round++) {
		int n = fwd_rx_read(t->rx, t->listen_fd);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++)
			from_local(t, t->rx->buf[i], t->rx->msgs[i].msg_len, &t->rx->addrs[i],
				   t->rx->msgs[i].msg_hdr.msg_namelen, now);
		if (n < FWD_BATCH)
			return;
	}
}

/* Plaintext from the server goes straight into the outgoing batch's
 * buffer: no copy between decryption and sendmmsg. */
static void deliver_answers(struct tunnel *t, struct flow *f)
{
	for (;;) {
		uint8_t *slot = fwd_tx_slot(t->to_local);
		long n = petrel_record_recv(f->s, slot, FWD_SLOT);
		if (n > 0) {
			fwd_tx_commit(t->to_local, t->listen_fd, &f->local, f->local_len, (size_t)n, f);
			t->n.back++;
			continue;
		}
		if (n == PETREL_E_AGAIN || n == PETREL_E_INTERRUPTED)
			return;
		if (n == 0) {
			end_session(t, f, "the server closed the session", 0);
			return;
		}
		if (n == PETREL_E_WARNING_ALERT_RECEIVED || n == PETREL_E_LARGE_PACKET)
			continue;
		if (petrel_error_is_fatal((int)n)) {
			end_session(t, f, "session failed", (int)n);
			return;
		}
	}
}

/* Datagrams from the server on a flow's socket. */
static void read_flow(struct tunnel *t, struct flow *f, uint64_t now)
{
	for (int round = 0; round < 4; round++) {
		int n = fwd_rx_read(t->rx, f->fd);
		if (n == -ECONNREFUSED) {
			f->refused_by_server = true;
			t->attention = true;
			continue;
		}
		if (n <= 0)
			return;
		f->last_activity_ms = now;
		f->unanswered_since_ms = 0;
		if (t->o->plain) {
			for (int i = 0; i < n; i++) {
				size_t len = t->rx->msgs[i].msg_len;
				if (len > FWD_SLOT) {
					t->n.dropped++;
					continue;
				}
				memcpy(fwd_tx_slot(t->to_local), t->rx->buf[i], len);
				fwd_tx_commit(t->to_local, t->listen_fd, &f->local, f->local_len, len, f);
				t->n.back++;
			}
		} else {
			f->rx_next = 0;
			f->rx_count = n;
			if (f->state == FLOW_CONNECTING)
				drive_handshake(t, f);
			if (f->state == FLOW_OPEN)
				deliver_answers(t, f);
			f->rx_next = f->rx_count = 0;
		}
		if (n < FWD_BATCH)
			return;
	}
}

/* Act on what batched sends learned: ICMP port unreachable from the
 * server's address (nobody listens: the session is gone) and a smaller
 * path MTU. */
static void settle_flags(struct tunnel *t)
{
	t->attention = false;
	for (size_t i = 0; i < t->flow_count; i++) {
		struct flow *f = t->flows[i];
		if (f->path_mtu_hint) {
			if (f->s && f->path_mtu_hint < petrel_dtls_get_mtu(f->s))
				petrel_dtls_set_mtu(f->s, f->path_mtu_hint);
			f->path_mtu_hint = 0;
		}
		if (f->refused_by_server) {
			f->refused_by_server = false;
			t->n.unreachable++;
			if (f->state == FLOW_OPEN)
				end_session(t, f, "the server's port is unreachable (ICMP): reconnecting "
						  "on the next datagram", 0);
		}
	}
}

/* Where a keepalive (issue #21 item 7) goes once the library has one: a
 * quiet open flow would send it here, and its answer, like any datagram
 * from the server, clears unanswered_since_ms. Until then the server's
 * silence while we send is the sign it lost the session. */
static void check_liveness(struct tunnel *t, struct flow *f, uint64_t now)
{
	if (f->state != FLOW_OPEN || t->dead_ms == 0 || f->unanswered_since_ms == 0 ||
	    now - f->unanswered_since_ms < t->dead_ms)
		return;
	char why[96];
	snprintf(why, sizeof why, "no answer from the server for %u ms: reconnecting", t->dead_ms);
	end_session(t, f, why, 0);
}

/* Timers of every flow: handshakes, the session's own timers, liveness
 * and idle flows. Flows are freed only here, never while events of the
 * same poll round may still point at them. */
static void sweep(struct tunnel *t, uint64_t now)
{
	for (size_t i = 0; i < t->flow_count;) {
		struct flow *f = t->flows[i];
		if (f->state == FLOW_CONNECTING && petrel_dtls_get_timeout(f->s) == 0) {
			f->rx_next = f->rx_count = 0;
			drive_handshake(t, f);
		} else if (f->state == FLOW_OPEN && petrel_engine_next_deadline(f->s) <= now) {
			int rc = petrel_engine_tick(f->s, now);
			if (rc < 0 && petrel_error_is_fatal(rc))
				end_session(t, f, "session failed", rc);
		}
		check_liveness(t, f, now);
		if (f->state != FLOW_CONNECTING && t->idle_ms && now - f->last_activity_ms >= t->idle_ms) {
			if (t->o->verbose)
				fprintf(stderr, "petrel tunnel: %s: idle for %u ms, flow closed\n", f->name,
					t->idle_ms);
			free_flow(t, f);
			continue; /* the last flow moved into slot i */
		}
		i++;
	}
}

/* The table is full (many short flows, such as DNS queries from random
 * ports): the least recently active eighth of the flows make room. */
static void evict_oldest(struct tunnel *t)
{
	t->full = false;
	uint64_t newest = 0, oldest = UINT64_MAX;
	for (size_t i = 0; i < t->flow_count; i++) {
		uint64_t a = t->flows[i]->last_activity_ms;
		newest = a > newest ? a : newest;
		oldest = a < oldest ? a : oldest;
	}
	uint64_t cut = oldest + (newest - oldest) / 8;
	size_t evicted = 0;
	for (size_t i = 0; i < t->flow_count;) {
		struct flow *f = t->flows[i];
		if (f->state != FLOW_CONNECTING && f->last_activity_ms <= cut) {
			free_flow(t, f);
			evicted++;
			continue; /* the last flow moved into slot i */
		}
		i++;
	}
	if (t->o->verbose)
		fprintf(stderr, "petrel tunnel: %u flows at once: the %zu least recently active closed\n",
			t->max_flows, evicted);
}

static int next_wait_ms(struct tunnel *t, uint64_t now)
{
	uint64_t wait = t->next_sweep_ms > now ? t->next_sweep_ms - now : 0;
	if (t->connecting) {
		for (size_t i = 0; i < t->flow_count; i++) {
			struct flow *f = t->flows[i];
			if (f->state == FLOW_CONNECTING) {
				unsigned ms = petrel_dtls_get_timeout(f->s);
				if (ms < wait)
					wait = ms;
			}
		}
	}
	return (int)wait;
}

static int run(struct tunnel *t)
{
	struct epoll_event ev[64];
	while (!stop_requested) {
		uint64_t now = cli_now_ms();
		int n = epoll_wait(t->epfd, ev, 64, next_wait_ms(t, now));
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "petrel tunnel: epoll_wait: %s\n", strerror(errno));
			return CLI_EXIT_FAIL;
		}
		now = cli_now_ms();
		for (int i = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				read_local(t, now);
			else
				read_flow(t, ev[i].data.ptr, now);
		}
		fwd_tx_flush(t->to_server);
		fwd_tx_flush(t->to_local);
		if (t->attention)
			settle_flags(t);
		if (t->full)
			evict_oldest(t);
		if (now >= t->next_sweep_ms || t->connecting) {
			sweep(t, now);
			fwd_tx_flush(t->to_server);
			if (now >= t->next_sweep_ms)
				t->next_sweep_ms = now + t->sweep_ms;
		}
		if (stats_requested) {
			stats_requested = 0;
			print_stats(t);
		}
	}
	return CLI_EXIT_OK;
}

static int open_tunnel(struct tunnel *t)
{
	if (fwd_resolve(t->o->host, t->o->port, &t->server, &t->server_len) < 0)
		return CLI_EXIT_FAIL;
	cli_format_addr((struct sockaddr *)&t->server, t->server_len, t->server_name,
			sizeof t->server_name);
	t->listen_fd = cli_udp_bind(t->o->bind_addr, t->o->listen_port);
	if (t->listen_fd < 0)
		return CLI_EXIT_FAIL;
	fwd_tune_socket(t->listen_fd);
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	t->bucket_count = 64;
	t->flow_cap = 64;
	t->buckets = calloc(t->bucket_count, sizeof *t->buckets);
	t->flows = calloc(t->flow_cap, sizeof *t->flows);
	t->rx = malloc(sizeof *t->rx);
	t->to_server = calloc(1, sizeof *t->to_server);
	t->to_local = calloc(1, sizeof *t->to_local);
	if (t->epfd < 0 || epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->listen_fd, &ev) < 0 ||
	    !t->buckets || !t->flows || !t->rx || !t->to_server || !t->to_local) {
		fprintf(stderr, "petrel tunnel: %s\n", strerror(errno ? errno : ENOMEM));
		return CLI_EXIT_FAIL;
	}
	t->to_server->on_error = to_server_error;
	t->to_server->ctx = t;
	t->to_local->on_error = to_local_error;
	t->to_local->ctx = t;
	return 0;
}

static void close_tunnel(struct tunnel *t)
{
	while (t->flow_count)
		free_flow(t, t->flows[t->flow_count - 1]);
	if (t->listen_fd >= 0)
		close(t->listen_fd);
	if (t->epfd >= 0)
		close(t->epfd);
	free(t->buckets);
	free(t->flows);
	free(t->rx);
	free(t->to_server);
	free(t->to_local);
	if (t->resume)
		memset(t->resume, 0, t->resume_len);
	free(t->resume);
}

int cmd_tunnel(const struct cli_options *o)
{
	struct tunnel t = {.o = o, .listen_fd = -1, .epfd = -1};
	t.idle_ms = o->idle_ms_set ? o->idle_ms : DEFAULT_IDLE_MS;
	t.dead_ms = o->dead_ms_set ? o->dead_ms : DEFAULT_DEAD_MS;
	t.max_flows = o->max_flows ? o->max_flows : DEFAULT_MAX_FLOWS;
	/* Timers are checked a few times per shortest period, at most every 250 ms. */
	t.sweep_ms = 250;
	if (t.dead_ms && t.dead_ms / 4 < t.sweep_ms)
		t.sweep_ms = t.dead_ms / 4 ? t.dead_ms / 4 : 1;
	if (t.idle_ms && t.idle_ms / 4 < t.sweep_ms)
		t.sweep_ms = t.idle_ms / 4 ? t.idle_ms / 4 : 1;
	int rc = 0;
	if (!o->plain && (rc = cli_load_credentials(o, false, &t.creds)))
		return rc;
	rc = open_tunnel(&t);
	if (rc == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGUSR1, &sa, NULL);
		char addr[64];
		cli_local_addr(t.listen_fd, addr, sizeof addr);
		/* First line on stdout, flushed: scripts read the port from it. */
		printf("listening on %s\n", addr);
		fflush(stdout);
		if (!o->quiet)
			fprintf(stderr, "petrel tunnel: relaying to %s %s, one session per local flow\n",
				t.server_name, o->plain ? "as plain UDP (no DTLS)" : "over DTLS");
		t.next_sweep_ms = cli_now_ms() + t.sweep_ms;
		rc = run(&t);
		if (!o->quiet)
			print_stats(&t);
	}
	close_tunnel(&t);
	petrel_credentials_free(t.creds);
	return rc;
}
