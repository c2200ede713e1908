/* petrel demo: a server with a fresh self-signed certificate and a client
 * pinned to its fingerprint, in one process over real UDP sockets on
 * loopback: a full handshake, a resumed one, echoes, and a report. Both
 * sessions are non-blocking and driven in turn from one poll() loop. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"

#define DEMO_ECHOES 3
#define DEMO_LIMIT_MS 5000u

struct side {
	const char *name;
	petrel_session *session;
	int fd;
	int rc;
	bool done;
	struct cli_progress progress;
};

struct demo {
	const struct cli_options *o;
	petrel_credentials *server_creds, *client_creds;
	uint8_t pin[32];
	int server_fd;
	char server_port[8];
	uint64_t deadline_ms;
	struct side client, server;
	uint8_t *ticket;
	size_t ticket_len;
	unsigned echoes;
};

static int fail(const char *stage, const struct side *side, int rc)
{
	char who[96];
	snprintf(who, sizeof who, "demo: %s: %s", stage, side ? side->name : "setup");
	cli_print_failure(who, side ? side->session : NULL, rc);
	return CLI_EXIT_FAIL;
}

static int open_side(struct demo *d, struct side *side, unsigned role)
{
	int rc = petrel_session_new(&side->session, role);
	if (rc < 0)
		return rc;
	bool server = role == PETREL_SERVER;
	petrel_session_set_credentials(side->session, server ? d->server_creds : d->client_creds);
	if (cli_configure_session(side->session, d->o, server))
		return PETREL_E_INVALID_REQUEST;
	if (!server && (rc = petrel_session_set_verify(side->session, PETREL_VERIFY_PIN, d->pin,
						       sizeof d->pin)) < 0)
		return rc;
	if ((rc = petrel_transport_set_udp_fd(side->session, side->fd)) < 0)
		return rc;
	/* Non-blocking: both sides share this thread, neither may wait. */
	petrel_transport_set_pull_timeout_function(side->session, NULL);
	return 0;
}

/* A client socket connected to the server, and the server socket
 * connected back to it (one peer at a time is all the demo needs). */
static int open_sockets(struct demo *d)
{
	d->client.fd = cli_udp_connect("127.0.0.1", d->server_port);
	if (d->client.fd < 0)
		return PETREL_E_PUSH_ERROR;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(d->client.fd, (struct sockaddr *)&ss, &len) < 0 ||
	    connect(d->server_fd, (struct sockaddr *)&ss, len) < 0)
		return PETREL_E_PUSH_ERROR;
	d->server.fd = d->server_fd;
	return 0;
}

static void step(struct demo *d, struct side *side)
{
	if (side->done || side->rc)
		return;
	int rc = petrel_handshake(side->session);
	if (d->o->verbose)
		cli_progress_update(&side->progress, side->session, side->name);
	if (rc == 0)
		side->done = true;
	else if (petrel_error_is_fatal(rc))
		side->rc = rc;
}

static int wait_ms(const struct side *a, const struct side *b)
{
	unsigned wait = 50;
	if (!a->done && petrel_dtls_get_timeout(a->session) < wait)
		wait = petrel_dtls_get_timeout(a->session);
	if (!b->done && petrel_dtls_get_timeout(b->session) < wait)
		wait = petrel_dtls_get_timeout(b->session);
	return (int)wait;
}

static int handshake(struct demo *d, const char *stage)
{
	struct side *c = &d->client, *s = &d->server;
	while (!(c->done && s->done)) {
		step(d, c);
		step(d, s);
		if (c->rc)
			return fail(stage, c, c->rc);
		if (s->rc)
			return fail(stage, s, s->rc);
		if (cli_now_ms() > d->deadline_ms)
			return fail(stage, c->done ? s : c, PETREL_E_TIMEDOUT);
		struct pollfd pfd[2] = {{c->fd, POLLIN, 0}, {s->fd, POLLIN, 0}};
		if (!(c->done && s->done) && poll(pfd, 2, wait_ms(c, s)) < 0 && errno != EINTR)
			return fail(stage, NULL, PETREL_E_PULL_ERROR);
	}
	return 0;
}

/* One message from a side, waiting on its socket until the demo deadline. */
static long receive(struct demo *d, struct side *side, char *buf, size_t cap)
{
	for (;;) {
		long n = petrel_record_recv(side->session, buf, cap);
		if (n >= 0 || petrel_error_is_fatal((int)n))
			return n;
		uint64_t now = cli_now_ms();
		if (now > d->deadline_ms)
			return PETREL_E_TIMEDOUT;
		unsigned wait = petrel_dtls_get_timeout(side->session);
		if (petrel_engine_next_deadline(side->session) == UINT64_MAX || wait > 50)
			wait = 50;
		struct pollfd pfd = {side->fd, POLLIN, 0};
		poll(&pfd, 1, (int)wait);
	}
}

static int echo(struct demo *d, const char *stage)
{
	char msg[64], buf[256];
	for (unsigned i = 1; i <= DEMO_ECHOES; i++) {
		int len = snprintf(msg, sizeof msg, "%s, message %u of %u", stage, i, DEMO_ECHOES);
		long rc = petrel_record_send(d->client.session, msg, (size_t)len);
		if (rc < 0)
			return fail(stage, &d->client, (int)rc);
		long n = receive(d, &d->server, buf, sizeof buf);
		if (n <= 0)
			return fail(stage, &d->server, n == 0 ? PETREL_E_SESSION_CLOSED : (int)n);
		if ((rc = petrel_record_send(d->server.session, buf, (size_t)n)) < 0)
			return fail(stage, &d->server, (int)rc);
		n = receive(d, &d->client, buf, sizeof buf);
		if (n <= 0)
			return fail(stage, &d->client, n == 0 ? PETREL_E_SESSION_CLOSED : (int)n);
		if (n != len || memcmp(buf, msg, (size_t)len) != 0) {
			fprintf(stderr, "petrel demo: %s: the echo differs from what was sent\n", stage);
			return CLI_EXIT_FAIL;
		}
		d->echoes++;
	}
	return 0;
}

static int save_ticket(struct demo *d)
{
	size_t len = 0;
	if (petrel_session_get_data(d->client.session, NULL, &len) < 0 || len == 0)
		return PETREL_E_INVALID_REQUEST;
	d->ticket = malloc(len);
	if (d->ticket == NULL)
		return PETREL_E_MEMORY;
	d->ticket_len = len;
	return petrel_session_get_data(d->client.session, d->ticket, &d->ticket_len);
}

/* close_notify from the client; the server reads it, which also keeps the
 * server socket's queue clean for the next connection. */
static int close_connection(struct demo *d, const char *stage)
{
	char buf[64];
	int rc = petrel_bye(d->client.session);
	if (rc < 0)
		return fail(stage, &d->client, rc);
	long n = receive(d, &d->server, buf, sizeof buf);
	if (n != 0)
		return fail(stage, &d->server, n < 0 ? (int)n : PETREL_E_UNEXPECTED_MESSAGE);
	return 0;
}

static void free_sides(struct demo *d)
{
	petrel_session_free(d->client.session);
	petrel_session_free(d->server.session);
	if (d->client.fd >= 0)
		close(d->client.fd);
	d->client = (struct side){.name = "client", .fd = -1};
	d->server = (struct side){.name = "server", .fd = -1};
}

static int connection(struct demo *d, const char *stage, bool resume)
{
	int rc = open_sockets(d);
	if (rc == 0)
		rc = open_side(d, &d->client, PETREL_CLIENT);
	if (rc == 0)
		rc = open_side(d, &d->server, PETREL_SERVER);
	if (rc == 0 && resume)
		rc = petrel_session_set_data(d->client.session, d->ticket, d->ticket_len);
	if (rc < 0)
		return fail(stage, NULL, rc);
	if ((rc = handshake(d, stage)))
		return rc;
	if (!d->o->quiet) {
		/* Printed before the echoes: the byte counts are the handshake's. */
		printf("%s\n", stage);
		cli_print_session(stdout, d->client.session, "  ");
	}
	if ((rc = echo(d, stage)))
		return rc;
	if (!resume && (rc = save_ticket(d)) < 0)
		return fail("saving the session for resumption", &d->client, rc);
	if (resume && !petrel_session_is_resumed(d->client.session)) {
		fprintf(stderr, "petrel demo: %s: the server did a full handshake instead\n", stage);
		return CLI_EXIT_FAIL;
	}
	if (!d->o->quiet) {
		printf("  echo             %u of %u messages came back\n", DEMO_ECHOES, DEMO_ECHOES);
	}
	return close_connection(d, stage);
}

static int start(struct demo *d)
{
	int rc = petrel_credentials_new(&d->server_creds);
	if (rc == 0)
		rc = petrel_credentials_generate(d->server_creds, PETREL_KEYTYPE_ECDSA_P256,
						 "petrel-demo");
	if (rc == 0)
		rc = petrel_credentials_get_fingerprint(d->server_creds, d->pin);
	if (rc == 0)
		rc = petrel_credentials_new(&d->client_creds);
	if (rc < 0)
		return fail("credentials", NULL, rc);
	d->server_fd = cli_udp_bind("127.0.0.1", "0");
	if (d->server_fd < 0)
		return CLI_EXIT_FAIL;
	char addr[64];
	cli_local_addr(d->server_fd, addr, sizeof addr);
	const char *colon = strrchr(addr, ':');
	snprintf(d->server_port, sizeof d->server_port, "%s", colon ? colon + 1 : "0");
	if (!d->o->quiet) {
		char pin[3 * 32];
		cli_hex(d->pin, sizeof d->pin, ':', pin, sizeof pin);
		printf("petrel %s demo: DTLS 1.2 over UDP on loopback, client and server in one "
		       "process\n",
		       petrel_check_version(NULL));
		printf("server   %s, fresh self-signed ECDSA P-256 certificate\n", addr);
		printf("client   pins the certificate's SHA-256 (PETREL_VERIFY_PIN):\n");
		printf("         %s\n", pin);
	}
	return 0;
}

int cmd_demo(const struct cli_options *o)
{
	struct demo d = {.o = o, .server_fd = -1};
	free_sides(&d);
	uint64_t began = cli_now_ms();
	d.deadline_ms = began + (o->timeout_ms < DEMO_LIMIT_MS ? o->timeout_ms : DEMO_LIMIT_MS);
	int rc = start(&d);
	if (rc == 0)
		rc = connection(&d, "full handshake", false);
	free_sides(&d);
	if (rc == 0)
		rc = connection(&d, "resumed handshake (session ticket)", true);
	free_sides(&d);
	if (rc == 0)
		printf("OK: 2 handshakes and %u echoes in %llu ms\n", d.echoes,
		       (unsigned long long)(cli_now_ms() - began));
	else
		fprintf(stderr, "petrel demo: FAILED\n");
	if (d.server_fd >= 0)
		close(d.server_fd);
	free(d.ticket);
	petrel_credentials_free(d.server_creds);
	petrel_credentials_free(d.client_creds);
	return rc;
}
