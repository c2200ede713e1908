/* One local flow's DTLS session in `petrel tunnel`: the transport
 * callbacks over the flow's socket and the tunnel's batches, the handshake
 * (with the datagrams that wait for it), sending, and what the session
 * delivers. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tunnel.h"

/* ---- the session's transport: our sockets and batches ---- */

/* The library's drain (dtls/outq_session.c) hands us each datagram.
 * While the handshake runs it goes out at once, so EMSGSIZE reaches the
 * drain as LARGE_PACKET and the flight is re-fragmented; afterwards
 * records are queued here and leave in batches (cmd_tunnel.c flushes). */
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

void tunnel_to_server_error(void *ctx, void *owner, int err, size_t len)
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

/* ---- sessions ---- */

void tunnel_end_session(struct tunnel *t, struct flow *f, const char *why, int rc)
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

/* True once the session's resumption data is kept. A DTLS 1.3 session
 * has none until its NewSessionTicket arrives after the handshake (RFC
 * 8446 4.6.1), so answers keep asking until then. */
static bool keep_resume_data(struct tunnel *t, const petrel_session *s)
{
	size_t len = 0;
	if (petrel_session_get_data(s, NULL, &len) < 0 || len == 0)
		return false;
	uint8_t *blob = malloc(len);
	if (blob == NULL || petrel_session_get_data(s, blob, &len) < 0) {
		free(blob);
		return false;
	}
	free(t->resume);
	t->resume = blob;
	t->resume_len = len;
	return true;
}

/* Over the data MTU: refused with the reason, counted. */
void tunnel_refuse_large(struct tunnel *t, struct flow *f, size_t len, unsigned data_mtu)
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

void tunnel_send(struct tunnel *t, struct flow *f, const uint8_t *data, size_t len)
{
	if (t->o->plain) {
		if (len > FWD_SLOT) {
			tunnel_refuse_large(t, f, len, FWD_SLOT);
			return;
		}
		memcpy(fwd_tx_slot(t->to_server), data, len);
		fwd_tx_commit(t->to_server, f->fd, NULL, 0, len, f);
		t->n.out++;
		return;
	}
	unsigned data_mtu = petrel_dtls_get_data_mtu(f->s);
	if (len > data_mtu) {
		tunnel_refuse_large(t, f, len, data_mtu);
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
		tunnel_end_session(t, f, "session failed", (int)rc);
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
	f->resume_kept = keep_resume_data(t, f->s);
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
		tunnel_send(t, f, p + 2, len);
		p += 2 + len;
	}
	free(f->pending);
	f->pending = NULL;
	f->pending_bytes = 0;
}

/* Run the handshake on whatever the pull function has. */
void tunnel_drive_handshake(struct tunnel *t, struct flow *f)
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
			tunnel_end_session(t, f, "handshake failed", rc);
			return;
		}
	}
}

int tunnel_start_session(struct tunnel *t, struct flow *f)
{
	petrel_session *s;
	int rc = petrel_session_new(&s, PETREL_CLIENT);
	if (rc < 0)
		return rc;
	petrel_session_set_credentials(s, t->creds);
	/* Checked by cli_check_session_options at start-up: cannot fail. */
	(void)cli_configure_session(s, t->o, false);
	petrel_dtls_set_timeout_limits(s, 0, RECONNECT_RTO_CAP_MS);
	/* --keepalive: quiet flows ping the server (heartbeats), so its
	 * endpoint keeps the session and a lost one is noticed without
	 * local traffic; the library then fails with PETREL_E_PEER_DEAD. */
	if (t->o->keepalive_ms)
		(void)petrel_session_set_keepalive(s, t->o->keepalive_ms, t->dead_ms);
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
	f->resume_kept = false;
	if (t->o->verbose)
		fprintf(stderr, "petrel tunnel: %s: connecting to %s%s\n", f->name, t->server_name,
			t->resume ? ", offering to resume" : "");
	f->rx_next = f->rx_count = 0;
	tunnel_drive_handshake(t, f);
	return 0;
}

void tunnel_queue_pending(struct tunnel *t, struct flow *f, const uint8_t *data, size_t len)
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

/* Plaintext from the server goes straight into the outgoing batch's
 * buffer: no copy between decryption and sendmmsg. */
void tunnel_deliver_answers(struct tunnel *t, struct flow *f)
{
	for (;;) {
		uint8_t *slot = fwd_tx_slot(t->to_local);
		long n = petrel_record_recv(f->s, slot, FWD_SLOT);
		if (n > 0) {
			fwd_tx_commit(t->to_local, t->listen_fd, &f->local, f->local_len, (size_t)n, f);
			t->n.back++;
			continue;
		}
		if (n == PETREL_E_AGAIN || n == PETREL_E_INTERRUPTED) {
			if (!f->resume_kept)
				f->resume_kept = keep_resume_data(t, f->s);
			return;
		}
		if (n == 0) {
			tunnel_end_session(t, f, "the server closed the session", 0);
			return;
		}
		if (n == PETREL_E_WARNING_ALERT_RECEIVED || n == PETREL_E_LARGE_PACKET)
			continue;
		if (petrel_error_is_fatal((int)n)) {
			tunnel_end_session(t, f, tunnel_failure_text((int)n), (int)n);
			return;
		}
	}
}

const char *tunnel_failure_text(int rc)
{
	if (rc == PETREL_E_PEER_DEAD)
		return "the server stopped answering keepalives: reconnecting on the next datagram";
	return "session failed";
}

