/* petrel server: one bound UDP socket, many clients, through the library's
 * endpoint. Received datagrams are echoed (--echo) or printed as lines
 * prefixed by the peer's address; events go to stderr. With --workers N
 * (tools/server_workers.c) each of N processes runs cli_server_worker on
 * its own socket of the port. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/cli.h"
#include "tools/forward.h"

struct server {
	const struct cli_options *o;
	struct forward *fwd; /* --forward */
	petrel_endpoint *ep;
	unsigned worker_id, workers; /* workers == 1: the one process */
	unsigned long established;   /* sessions, for the exit summary */
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
	srv->established++;
	if (srv->o->quiet)
		return;
	struct peer_name n;
	char worker[32] = "";
	if (srv->workers > 1)
		snprintf(worker, sizeof worker, ", worker %u", srv->worker_id);
	fprintf(stderr, "petrel server: %s: established, %s, resumed: %s%s\n",
		peer_name(srv, s, &n), petrel_session_get_cipher_name(s),
		petrel_session_is_resumed(s) ? "yes" : "no", worker);
	if (srv->o->verbose)
		cli_print_session(stderr, s, "  ");
	cli_print_srtp(stderr, s, srv->o->verbose, "  ");
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

void cli_server_announce(const struct cli_options *o, int fd, petrel_credentials *creds)
{
	char addr[64];
	cli_local_addr(fd, addr, sizeof addr);
	/* First line on stdout, flushed: scripts read the port from it. */
	printf("listening on %s\n", addr);
	fflush(stdout);
	uint8_t fp[32];
	if (!o->quiet && o->cert_file == NULL && o->psk_identity == NULL &&
	    petrel_credentials_get_fingerprint(creds, fp) == 0) {
		char hex[3 * 32];
		cli_hex(fp, sizeof fp, ':', hex, sizeof hex);
		fprintf(stderr, "petrel server: self-signed certificate, clients can pin it with\n"
				"  --pin-sha256 %s\n",
			hex);
	}
}

/* The event lines, buffered and written together before each wait:
 * stderr unbuffered took a write per line (two per handshake,
 * "established" and "closed"), and with --workers N, N processes writing
 * to one file contend on it (bench/workers: 21 us a write with one
 * worker, 110-126 us with two). A wakeup that handles several datagrams
 * now writes once, and no line waits while the server sleeps. */
static char stderr_buffer[16384];

static int serve(struct server *srv, int fd)
{
	/* SIGINT/SIGTERM are let in only while waiting (ppoll): one landing
	 * between the loop's test and the wait would otherwise be noticed
	 * only at the next datagram or timer. */
	fflush(stderr);
	setvbuf(stderr, stderr_buffer, _IOFBF, sizeof stderr_buffer);
	sigset_t stop_signals, wait_mask;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
	int result = CLI_EXIT_OK;
	while (!stop_requested) {
		fflush(stderr);
		unsigned timeout = petrel_endpoint_get_timeout(srv->ep);
		struct pollfd pfd[2] = {{fd, POLLIN, 0}, {forward_fd(srv->fwd), POLLIN, 0}};
		struct timespec ts = {timeout / 1000, (long)(timeout % 1000) * 1000000L};
		int r = ppoll(pfd, 2, timeout > INT_MAX ? NULL : &ts, &wait_mask);
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "petrel server: poll: %s\n", strerror(errno));
			result = CLI_EXIT_FAIL;
			break;
		}
		/* Only the forward socket ready: the endpoint has nothing to
		 * read and no timer due, so skip its (empty) recvmmsg. */
		int rc = 0;
		if (pfd[1].revents == 0 || pfd[0].revents || petrel_endpoint_get_timeout(srv->ep) == 0)
			rc = petrel_endpoint_process(srv->ep);
		if (rc >= 0)
			rc = forward_process(srv->fwd, pfd[1].revents);
		if (rc < 0) {
			cli_print_failure("server", NULL, rc);
			result = CLI_EXIT_FAIL;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &wait_mask, NULL);
	fflush(stderr);
	setvbuf(stderr, NULL, _IONBF, 0);
	return result;
}

int cli_server_worker(const struct cli_options *o, petrel_credentials *creds, int fd,
		      unsigned worker_id, unsigned workers)
{
	struct server srv = {.o = o, .worker_id = worker_id, .workers = workers};
	unsigned flags = (o->ca_file || o->have_pin || o->have_spki_pin) ? PETREL_FLAG_REQUIRE_CLIENT_CERT : 0;
	if (o->require_ems)
		flags |= PETREL_FLAG_REQUIRE_EMS;
	struct petrel_endpoint_callbacks cb = {on_new_session, on_established, on_data, on_closed,
					       &srv};
	if (o->forward_host && forward_attach(&srv.fwd, o, &cb) < 0)
		return CLI_EXIT_FAIL;
	int rc = petrel_endpoint_new(&srv.ep, fd, creds, flags, &cb);
	if (rc < 0) {
		cli_print_failure("server", NULL, rc);
		forward_close(srv.fwd);
		return CLI_EXIT_FAIL;
	}
	/* The stateless HelloRetryRequest matches the sessions (issue #20):
	 * a --ciphers list without DTLS 1.3 suites makes 1.2 sessions. */
	(void)petrel_endpoint_set_hello_policy(srv.ep,
					       o->ciphers && !cli_ciphers_have_dtls13(o->ciphers)
						       ? PETREL_DTLS1_2
						       : o->max_version,
					       o->groups);
	if (o->ciphers && cli_ciphers_have_dtls13(o->ciphers))
		(void)petrel_endpoint_set_hello_ciphers(srv.ep, o->ciphers);
	if (o->cid) {
		/* RFC 9146: with several workers, CIDs name their worker (the
		 * steering program reads the first byte), so a rebound client
		 * reaches the worker holding its session. */
		struct petrel_cid_route_config route = {.cid_len = (uint8_t)o->cid_len};
		if (workers > 1)
			rc = petrel_endpoint_set_cid_route(srv.ep, &route, worker_id);
		else
			rc = petrel_endpoint_set_cid_length(srv.ep, o->cid_len);
		if (rc < 0) {
			fprintf(stderr, "petrel server: --cid %u: %s\n", o->cid_len,
				workers > 1 ? "with workers, CIDs are 4..20 bytes (the first names the worker)"
					    : cli_error(rc));
			petrel_endpoint_free(srv.ep);
			forward_close(srv.fwd);
			return CLI_EXIT_FAIL;
		}
	}
	/* No SA_RESTART: a signal interrupts poll() and ends the loop. A
	 * worker inherits SIGINT/SIGTERM blocked from its supervisor: they
	 * reach this handler once it is in place. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
	if (workers == 1)
		cli_server_announce(o, fd, creds); /* else the supervisor did */
	rc = serve(&srv, fd);
	/* close_notify to every established peer, so relaying clients
	 * exit at once instead of waiting on a silent server. */
	petrel_endpoint_shutdown(srv.ep);
	petrel_endpoint_free(srv.ep);
	forward_close(srv.fwd);
	if (workers > 1 && !o->quiet)
		fprintf(stderr, "petrel server: worker %u: %lu sessions established\n", worker_id,
			srv.established);
	return rc;
}

int cmd_server(const struct cli_options *o)
{
	petrel_credentials *creds;
	/* Made before any worker starts: every worker holds the same ticket
	 * key, so a client resumes (RFC 5077) on whichever worker it lands. */
	int rc = cli_load_credentials(o, true, &creds);
	if (rc)
		return rc;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned workers = o->workers ? o->workers : cores < 1 ? 1u : cores > 64 ? 64u : (unsigned)cores;
	if (workers > 1) {
		rc = cli_server_workers(o, creds, workers, o->workers != 0);
		petrel_credentials_free(creds);
		return rc;
	}
	int fd = cli_udp_bind(o->bind_addr, o->listen_port);
	if (fd < 0) {
		petrel_credentials_free(creds);
		return CLI_EXIT_FAIL;
	}
	rc = cli_server_worker(o, creds, fd, 0, 1);
	close(fd);
	petrel_credentials_free(creds);
	return rc;
}
