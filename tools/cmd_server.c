/* petrel server: one bound UDP socket, many clients, through the library's
 * endpoint. Received datagrams are echoed (--echo) or printed as lines
 * prefixed by the peer's address; events go to stderr. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"
#include "tools/forward.h"

struct server {
	const struct cli_options *o;
	struct forward *fwd; /* --forward */
	petrel_endpoint *ep;
};

/* The peer's address as text, looked up when a message needs it (O(1) in
 * the endpoint): nothing is kept per session. */
struct peer_name {
	char text[64];
};

static const char *peer_name(const struct server *srv, const petrel_session *s, struct peer_name *n)
{
	struct sockaddr_storage ss;
	unsigned len = sizeof ss;
	snprintf(n->text, sizeof n->text, "(unknown peer)");
	if (petrel_endpoint_session_peer(srv->ep, s, &ss, &len) == 0)
		cli_format_addr((struct sockaddr *)&ss, (socklen_t)len, n->text, sizeof n->text);
	return n->text;
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_new_session(void *ptr, petrel_session *s)
{
	struct server *srv = ptr;
	/* Checked by cli_check_session_options at start-up: cannot fail here. */
	(void)cli_configure_session(s, srv->o, true);
}

static void on_established(void *ptr, petrel_session *s)
{
	struct server *srv = ptr;
	if (srv->o->quiet)
		return;
	struct peer_name n;
	fprintf(stderr, "petrel server: %s: established, %s, resumed: %s\n",
		peer_name(srv, s, &n), petrel_session_get_cipher_name(s),
		petrel_session_is_resumed(s) ? "yes" : "no");
	if (srv->o->verbose)
		cli_print_session(stderr, s, "  ");
}

static void on_data(void *ptr, petrel_session *s, const uint8_t *data, size_t len)
{
	struct server *srv = ptr;
	if (srv->o->echo) {
		long rc = petrel_record_send(s, data, len);
		struct peer_name n;
		if (rc < 0 && !srv->o->quiet)
			fprintf(stderr, "petrel server: %s: echo failed: %s\n", peer_name(srv, s, &n),
				cli_error((int)rc));
		return;
	}
	struct peer_name n;
	printf("%s: %.*s\n", peer_name(srv, s, &n), (int)len, (const char *)data);
	fflush(stdout);
}

static void on_closed(void *ptr, petrel_session *s, int reason)
{
	struct server *srv = ptr;
	if (srv->o->quiet)
		return;
	struct peer_name n;
	if (reason == PETREL_E_SESSION_CLOSED)
		fprintf(stderr, "petrel server: %s: closed by the peer\n", peer_name(srv, s, &n));
	else {
		char who[96];
		snprintf(who, sizeof who, "server: %s", peer_name(srv, s, &n));
		cli_print_failure(who, s, reason);
	}
}

static void announce(const struct server *srv, int fd, petrel_credentials *creds)
{
	char addr[64];
	cli_local_addr(fd, addr, sizeof addr);
	/* First line on stdout, flushed: scripts read the port from it. */
	printf("listening on %s\n", addr);
	fflush(stdout);
	uint8_t fp[32];
	if (!srv->o->quiet && srv->o->cert_file == NULL && srv->o->psk_identity == NULL &&
	    petrel_credentials_get_fingerprint(creds, fp) == 0) {
		char hex[3 * 32];
		cli_hex(fp, sizeof fp, ':', hex, sizeof hex);
		fprintf(stderr, "petrel server: self-signed certificate, clients can pin it with\n"
				"  --pin-sha256 %s\n",
			hex);
	}
}

static int serve(struct server *srv, int fd)
{
	while (!stop_requested) {
		unsigned timeout = petrel_endpoint_get_timeout(srv->ep);
		struct pollfd pfd[2] = {{fd, POLLIN, 0}, {forward_fd(srv->fwd), POLLIN, 0}};
		int r = poll(pfd, 2, timeout > INT_MAX ? -1 : (int)timeout);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "petrel server: poll: %s\n", strerror(errno));
			return CLI_EXIT_FAIL;
		}
		int rc = petrel_endpoint_process(srv->ep);
		if (rc >= 0)
			rc = forward_process(srv->fwd, pfd[1].revents);
		if (rc < 0) {
			cli_print_failure("server", NULL, rc);
			return CLI_EXIT_FAIL;
		}
	}
	return CLI_EXIT_OK;
}

int cmd_server(const struct cli_options *o)
{
	struct server srv = {.o = o};
	petrel_credentials *creds;
	int rc = cli_load_credentials(o, true, &creds);
	if (rc)
		return rc;
	int fd = cli_udp_bind(o->bind_addr, o->listen_port);
	if (fd < 0) {
		petrel_credentials_free(creds);
		return CLI_EXIT_FAIL;
	}
	unsigned flags = (o->ca_file || o->have_pin) ? PETREL_FLAG_REQUIRE_CLIENT_CERT : 0;
	if (o->require_ems)
		flags |= PETREL_FLAG_REQUIRE_EMS;
	struct petrel_endpoint_callbacks cb = {on_new_session, on_established, on_data, on_closed,
					       &srv};
	if (o->forward_host && forward_attach(&srv.fwd, o, &cb) < 0) {
		close(fd);
		petrel_credentials_free(creds);
		return CLI_EXIT_FAIL;
	}
	rc = petrel_endpoint_new(&srv.ep, fd, creds, flags, &cb);
	if (rc == 0 && o->cid)
		rc = petrel_endpoint_set_cid_length(srv.ep, o->cid_len); /* RFC 9146 */
	if (rc < 0) {
		cli_print_failure("server", NULL, rc);
		rc = CLI_EXIT_FAIL;
	} else {
		/* No SA_RESTART: a signal interrupts poll() and ends the loop. */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		announce(&srv, fd, creds);
		rc = serve(&srv, fd);
		/* close_notify to every established peer, so relaying clients
		 * exit at once instead of waiting on a silent server. */
		petrel_endpoint_shutdown(srv.ep);
		petrel_endpoint_free(srv.ep);
	}
	close(fd);
	forward_close(srv.fwd);
	petrel_credentials_free(creds);
	return rc;
}
