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
 * sessions it no longer knows). With --keepalive, quiet flows ping the
 * server (RFC 6520 heartbeats) and the library reports a server silent
 * for --dead-ms (PETREL_E_PEER_DEAD), traffic or not. The flow then
 * reconnects on its next datagram, resuming when the server still knows
 * the ticket. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tools/tunnel.h"

#define DEFAULT_MAX_FLOWS 4096u
#define DEFAULT_IDLE_MS 60000u
#define DEFAULT_DEAD_MS 15000u

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

static void to_local_error(void *ctx, void *owner, int err, size_t len)
{
	struct tunnel *t = ctx;
	struct flow *f = owner;
	t->n.send_errors++;
	if (t->o->verbose)
		fprintf(stderr, "petrel tunnel: %s: answer of %zu bytes not delivered: %s\n", f->name,
			len, strerror(err));
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
	tunnel_end_session(t, f, NULL, 0);
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
		tunnel_refuse_large(t, f, len, f->s ? petrel_dtls_get_data_mtu(f->s) : FWD_SLOT);
		return;
	}
	if (t->o->plain || f->state == FLOW_OPEN) {
		tunnel_send(t, f, data, len);
		return;
	}
	if (f->state == FLOW_IDLE) {
		if (now < f->retry_after_ms) {
			t->n.dropped++;
			return;
		}
		int rc = tunnel_start_session(t, f);
		if (rc < 0) {
			cli_print_failure("tunnel", NULL, rc);
			t->n.dropped++;
			return;
		}
		if (f->state == FLOW_OPEN) { /* cannot happen: a handshake takes a round trip */
			tunnel_send(t, f, data, len);
			return;
		}
		if (f->state != FLOW_CONNECTING) {
			t->n.dropped++;
			return;
		}
	}
	tunnel_queue_pending(t, f, data, len);
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
				tunnel_drive_handshake(t, f);
			if (f->state == FLOW_OPEN)
				tunnel_deliver_answers(t, f);
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
				tunnel_end_session(t, f, "the server's port is unreachable (ICMP): reconnecting "
						  "on the next datagram", 0);
		}
	}
}

/* Without --keepalive, the server's silence while we send is the sign it
 * lost the session. With it (issue #21 item 7) the session pings a quiet
 * server itself and its timer (petrel_engine_tick in sweep) reports
 * PETREL_E_PEER_DEAD after --dead-ms without an answer. */
static void check_liveness(struct tunnel *t, struct flow *f, uint64_t now)
{
	if (t->o->keepalive_ms)
		return;
	if (f->state != FLOW_OPEN || t->dead_ms == 0 || f->unanswered_since_ms == 0 ||
	    now - f->unanswered_since_ms < t->dead_ms)
		return;
	char why[96];
	snprintf(why, sizeof why, "no answer from the server for %u ms: reconnecting", t->dead_ms);
	tunnel_end_session(t, f, why, 0);
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
			tunnel_drive_handshake(t, f);
		} else if (f->state == FLOW_OPEN && petrel_engine_next_deadline(f->s) <= now) {
			int rc = petrel_engine_tick(f->s, now);
			if (rc < 0 && petrel_error_is_fatal(rc))
				tunnel_end_session(t, f, tunnel_failure_text(rc), rc);
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
	t->rx = calloc(1, sizeof *t->rx);
	t->to_server = calloc(1, sizeof *t->to_server);
	t->to_local = calloc(1, sizeof *t->to_local);
	if (t->epfd < 0 || epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->listen_fd, &ev) < 0 ||
	    !t->buckets || !t->flows || !t->rx || !t->to_server || !t->to_local) {
		fprintf(stderr, "petrel tunnel: %s\n", strerror(errno ? errno : ENOMEM));
		return CLI_EXIT_FAIL;
	}
	t->to_server->on_error = tunnel_to_server_error;
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
	t.dead_ms = o->dead_ms_set || o->keepalive_ms ? cli_dead_after_ms(o) : DEFAULT_DEAD_MS;
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
