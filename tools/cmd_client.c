/* petrel client: connect a UDP socket, handshake, then relay stdin lines to
 * the peer and the peer's datagrams to stdout, one datagram a line. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"

struct client {
	const struct cli_options *o;
	petrel_credentials *creds;
	petrel_session *session;
	int fd;
};

static void client_close(struct client *c)
{
	petrel_session_free(c->session);
	c->session = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* GnuTLS-style loop: call petrel_handshake until it is done, waiting on
 * the socket for at most petrel_dtls_get_timeout() between calls. */
static int drive_handshake(struct client *c)
{
	struct cli_progress progress = {0};
	for (;;) {
		int rc = petrel_handshake(c->session);
		if (c->o->verbose)
			cli_progress_update(&progress, c->session, "petrel client: handshake");
		if (rc == 0 || petrel_error_is_fatal(rc))
			return rc;
		if (rc == PETREL_E_AGAIN || rc == PETREL_E_INTERRUPTED) {
			struct pollfd pfd = {c->fd, POLLIN, 0};
			if (poll(&pfd, 1, (int)petrel_dtls_get_timeout(c->session)) < 0 && errno != EINTR)
				return PETREL_E_PULL_ERROR;
		}
	}
}

static int connect_session(struct client *c, const uint8_t *resume_data, size_t resume_len)
{
	c->fd = cli_udp_connect(c->o->host, c->o->port);
	if (c->fd < 0)
		return CLI_EXIT_FAIL;
	int rc = petrel_session_new(&c->session, PETREL_CLIENT |
					     (c->o->require_ems ? PETREL_FLAG_REQUIRE_EMS : 0u));
	if (rc < 0) {
		cli_print_failure("client", NULL, rc);
		return CLI_EXIT_FAIL;
	}
	petrel_session_set_credentials(c->session, c->creds);
	if ((rc = cli_configure_session(c->session, c->o, false)))
		return rc;
	if (c->o->keepalive_ms || c->o->dead_ms_set) /* before the handshake: offers heartbeats */
		(void)petrel_session_set_keepalive(c->session, c->o->keepalive_ms, cli_dead_after_ms(c->o));
	/* RFC 9146: a CID of cid_len random bytes for the server to put in
	 * its records (0: none asked, we still send the server's). */
	if (c->o->cid && (rc = petrel_session_set_cid(c->session, NULL, c->o->cid_len)) < 0) {
		cli_print_failure("client", c->session, rc);
		return CLI_EXIT_FAIL;
	}
	if ((rc = petrel_transport_set_udp_fd(c->session, c->fd)) < 0) {
		cli_print_failure("client", c->session, rc);
		return CLI_EXIT_FAIL;
	}
	/* The fd transport would block inside petrel_handshake; without the
	 * timed wait every call returns, and this tool's poll() loop waits. */
	petrel_transport_set_pull_timeout_function(c->session, NULL);
	if (resume_data && (rc = petrel_session_set_data(c->session, resume_data, resume_len)) < 0)
		fprintf(stderr, "petrel client: cannot resume (%s), doing a full handshake\n",
			cli_error(rc));
	rc = drive_handshake(c);
	if (rc < 0) {
		cli_print_failure("client: handshake", c->session, rc);
		return CLI_EXIT_FAIL;
	}
	if (c->o->verbose) {
		fprintf(stderr, "petrel client: connected to %s port %s\n", c->o->host, c->o->port);
		cli_print_session(stderr, c->session, "  ");
		cli_print_srtp(stderr, c->session, true, "  ");
	} else if (!c->o->quiet) {
		fprintf(stderr, "petrel client: connected, %s, %s, resumed: %s, ems: %s\n",
			petrel_session_get_cipher_name(c->session),
			petrel_session_get_group_name(c->session) ? petrel_session_get_group_name(c->session)
								  : "no group",
			petrel_session_is_resumed(c->session) ? "yes" : "no",
			petrel_session_ems_negotiated(c->session) ? "yes" : "no");
		cli_print_srtp(stderr, c->session, false, "  ");
		if (c->o->cid)
			cli_print_cid(stderr, c->session, "petrel client: ");
	}
	return 0;
}

/* Read whatever the peer sent: 1 after close_notify, 0 when no more is
 * waiting, or a fatal error. Each message is written as one line. */
static int drain_peer(struct client *c, unsigned *messages)
{
	static char buf[CLI_MAX_DATAGRAM];
	for (;;) {
		long n = petrel_record_recv(c->session, buf, sizeof buf);
		if (n > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			fputc('\n', stdout);
			fflush(stdout);
			if (messages)
				(*messages)++;
			continue;
		}
		if (n == 0)
			return 1;
		if (n == PETREL_E_AGAIN || n == PETREL_E_INTERRUPTED)
			return 0;
		if (petrel_error_is_fatal((int)n))
			return (int)n;
	}
}

static int send_line(struct client *c, const char *line, size_t len)
{
	static const char rehandshake[] = "**REHANDSHAKE**"; /* as gnutls-cli */
	if (c->o->renegotiate && len == sizeof rehandshake - 1 && memcmp(line, rehandshake, len) == 0) {
		/* The relay loop's petrel_record_recv drives it to the end. */
		int r = petrel_rehandshake(c->session);
		if (r < 0)
			fprintf(stderr, "petrel client: renegotiation: %s\n", cli_error(r));
		return r < 0 && petrel_error_is_fatal(r) && r != PETREL_E_NO_RENEGOTIATION ? r : 0;
	}
	long rc = petrel_record_send(c->session, line, len);
	if (rc == PETREL_E_LARGE_PACKET) {
		fprintf(stderr, "petrel client: line of %zu bytes exceeds the data MTU (%u), not sent\n",
			len, petrel_dtls_get_data_mtu(c->session));
		return 0;
	}
	return rc < 0 ? (int)rc : 0;
}

static int poll_wait_ms(const petrel_session *s, int cap_ms)
{
	int wait = petrel_engine_next_deadline(s) == UINT64_MAX ? -1
								 : (int)petrel_dtls_get_timeout(s);
	if (cap_ms >= 0 && (wait < 0 || wait > cap_ms))
		wait = cap_ms;
	return wait;
}

/* Interactive relay until stdin ends (send close_notify) or the peer
 * closes. */
static int relay(struct client *c)
{
	struct cli_lines in;
	static char line[CLI_MAX_DATAGRAM];
	cli_lines_init(&in, STDIN_FILENO);
	for (;;) {
		struct pollfd pfd[2] = {{c->fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
		if (poll(pfd, 2, poll_wait_ms(c->session, -1)) < 0 && errno != EINTR)
			return PETREL_E_PULL_ERROR;
		int rc = drain_peer(c, NULL);
		if (rc == 1) {
			if (!c->o->quiet)
				fprintf(stderr, "petrel client: the peer closed the connection\n");
			return 0;
		}
		if (rc < 0)
			return rc;
		if (!(pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (cli_lines_fill(&in) < 0)
			return PETREL_E_INTERNAL;
		long len;
		while ((len = cli_lines_next(&in, line, sizeof line)) >= 0)
			if ((rc = send_line(c, line, (size_t)len)) < 0)
				return rc;
		if (in.eof) {
			petrel_bye(c->session);
			return 0;
		}
	}
}

/* --once --resume: the peer went quiet (its address for us changed, say
 * a NAT rebinding without a Connection ID, RFC 9146 1): a new socket and
 * an abbreviated handshake resuming the session. 0 or an exit code. */
static int reconnect(struct client *c)
{
	uint8_t *data = NULL;
	size_t len = 0;
	if (petrel_session_get_data(c->session, NULL, &len) < 0 || len == 0 ||
	    (data = malloc(len)) == NULL || petrel_session_get_data(c->session, data, &len) < 0)
		len = 0;
	if (!c->o->quiet)
		fprintf(stderr, "petrel client: reconnecting (%s)\n",
			len ? "resuming the session" : "full handshake");
	client_close(c);
	int rc = connect_session(c, len ? data : NULL, len);
	free(data);
	return rc;
}

/* --once: each line gets one reply within the timeout, then we close;
 * with --resume, a line that gets none is sent once more over a resumed
 * session. */
static int once(struct client *c)
{
	struct cli_lines in;
	static char line[CLI_MAX_DATAGRAM];
	cli_lines_init(&in, STDIN_FILENO);
	for (;;) {
		long len = cli_lines_next(&in, line, sizeof line);
		if (len < 0) {
			int r = cli_lines_fill(&in);
			if (r < 0)
				return PETREL_E_INTERNAL;
			if (r == 0 && in.len == 0)
				break;
			continue;
		}
		int rc = send_line(c, line, (size_t)len);
		if (rc < 0)
			return rc;
		unsigned got = 0;
		bool reconnected = false;
		uint64_t until = cli_now_ms() + c->o->timeout_ms;
		while (got == 0) {
			uint64_t now = cli_now_ms();
			if (now >= until) {
				fprintf(stderr, "petrel client: no reply within %u ms\n", c->o->timeout_ms);
				if (!c->o->resume || reconnected)
					return PETREL_E_TIMEDOUT;
				reconnected = true;
				if (reconnect(c) != 0)
					return PETREL_E_TIMEDOUT;
				if ((rc = send_line(c, line, (size_t)len)) < 0)
					return rc;
				until = cli_now_ms() + c->o->timeout_ms;
				continue;
			}
			struct pollfd pfd = {c->fd, POLLIN, 0};
			if (poll(&pfd, 1, poll_wait_ms(c->session, (int)(until - now))) < 0 && errno != EINTR)
				return PETREL_E_PULL_ERROR;
			rc = drain_peer(c, &got);
			if (rc == 1)
				return 0;
			if (rc < 0)
				return rc;
		}
	}
	petrel_bye(c->session);
	return 0;
}

/* A DTLS 1.3 server's ticket comes after the handshake (RFC 8446
 * 4.6.1): wait for it at most the timeout (capped at 2 s). 0 once the
 * session has data to resume with. */
static int wait_for_ticket(struct client *c)
{
	size_t len = 0;
	if (petrel_session_get_version(c->session) != PETREL_DTLS1_3)
		return 0;
	uint64_t until = cli_now_ms() + (c->o->timeout_ms < 2000 ? c->o->timeout_ms : 2000);
	while (petrel_session_get_data(c->session, NULL, &len) < 0 || len == 0) {
		uint64_t now = cli_now_ms();
		if (now >= until)
			return PETREL_E_TIMEDOUT;
		struct pollfd pfd = {c->fd, POLLIN, 0};
		if (poll(&pfd, 1, poll_wait_ms(c->session, (int)(until - now))) < 0 && errno != EINTR)
			return PETREL_E_PULL_ERROR;
		int rc = drain_peer(c, NULL);
		if (rc != 0)
			return rc < 0 ? rc : PETREL_E_SESSION_CLOSED;
	}
	return 0;
}

/* --resume: a first connection only to obtain the session, then the real
 * one resuming it. */
static int first_connection(struct client *c, uint8_t **data, size_t *len)
{
	int rc = connect_session(c, NULL, 0);
	if (rc)
		return rc;
	*len = 0;
	(void)wait_for_ticket(c);
	if (petrel_session_get_data(c->session, NULL, len) < 0 || *len == 0 ||
	    (*data = malloc(*len)) == NULL || petrel_session_get_data(c->session, *data, len) < 0) {
		fprintf(stderr, "petrel client: the server gave no session to resume\n");
		*len = 0;
	}
	petrel_bye(c->session);
	client_close(c);
	return 0;
}

int cmd_client(const struct cli_options *o)
{
	struct client c = {.o = o, .fd = -1};
	int rc = cli_load_credentials(o, false, &c.creds);
	if (rc)
		return rc;
	uint8_t *resume_data = NULL;
	size_t resume_len = 0;
	if (o->resume)
		rc = first_connection(&c, &resume_data, &resume_len);
	if (rc == 0)
		rc = connect_session(&c, resume_data, resume_len);
	free(resume_data);
	if (rc == 0) {
		int r = o->once ? once(&c) : relay(&c);
		if (r < 0) {
			cli_print_failure("client", c.session, r);
			rc = CLI_EXIT_FAIL;
		}
	}
	client_close(&c);
	petrel_credentials_free(c.creds);
	return rc;
}
