/* A server for many DTLS peers on one UDP socket with the endpoint API:
 * per-peer state hangs off each session (petrel_session_set_ptr), each
 * message is answered "N: message" with N counting that peer's messages,
 * and on SIGINT/SIGTERM every peer gets a close_notify. Which calls are
 * allowed inside the callbacks and which only outside: see README.md.
 * Try it: many_peers 127.0.0.1 4433
 *         echo hi | petrel client --once \
 *             --psk example:000102030405060708090a0b0c0d0e0f 127.0.0.1 4433 */
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <petrel/petrel.h>

/* PSK suites, DTLS 1.3 then 1.2 (CCM-8 for small devices); the first one
 * both sides have wins. */
#define SUITES                                                                                \
	"TLS_AES_128_GCM_SHA256,TLS_AES_128_CCM_8_SHA256,TLS_PSK_WITH_AES_128_GCM_SHA256,"    \
	"TLS_PSK_WITH_AES_128_CCM_8"

struct peer {
	petrel_session *session;
	char name[64];
	unsigned messages;
	struct peer *next;
};

struct server {
	petrel_endpoint *ep;
	struct peer *peers; /* every session the endpoint holds */
};

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Inside petrel_endpoint_process: configure the new session, keep state. */
static void on_new_session(void *ptr, petrel_session *s)
{
	struct server *srv = ptr;
	struct peer *p = calloc(1, sizeof *p);
	if (p == NULL)
		return; /* the session then carries no state; the callbacks check */
	struct sockaddr_storage ss;
	unsigned len = sizeof ss;
	char host[48] = "?", port[8] = "?";
	if (petrel_endpoint_session_peer(srv->ep, s, &ss, &len) == 0)
		getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port, sizeof port,
			    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(p->name, sizeof p->name, "%s:%s", host, port);
	p->session = s;
	p->next = srv->peers;
	srv->peers = p;
	petrel_session_set_ptr(s, p);
	petrel_session_set_ciphers(s, SUITES);
}

static void on_established(void *ptr, petrel_session *s)
{
	struct peer *p = petrel_session_get_ptr(s);
	fprintf(stderr, "%s: established, %s, %u sessions\n", p ? p->name : "?",
		petrel_session_get_cipher_name(s),
		petrel_endpoint_session_count(((struct server *)ptr)->ep));
}

static void on_data(void *ptr, petrel_session *s, const uint8_t *data, size_t len)
{
	(void)ptr;
	struct peer *p = petrel_session_get_ptr(s);
	char reply[1200];
	int n = snprintf(reply, sizeof reply, "%u: %.*s", p ? ++p->messages : 0,
			 (int)(len < 1100 ? len : 1100), (const char *)data);
	petrel_record_send(s, reply, (size_t)n); /* answering from inside is allowed */
}

/* The session is freed after this returns: drop every pointer to it. */
static void on_closed(void *ptr, petrel_session *s, int reason)
{
	struct server *srv = ptr;
	for (struct peer **pp = &srv->peers; *pp; pp = &(*pp)->next) {
		struct peer *p = *pp;
		if (p->session != s)
			continue;
		fprintf(stderr, "%s: closed (%s) after %u messages\n", p->name,
			reason == PETREL_E_SESSION_CLOSED ? "close_notify" : petrel_strerror(reason),
			p->messages);
		*pp = p->next;
		free(p);
		return;
	}
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE}, *ai;
	if (argc != 3 || getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
		fprintf(stderr, "usage: many_peers ADDR PORT (port 0: any)\n");
		return 2;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	struct sockaddr_storage ss;
	socklen_t ss_len = sizeof ss;
	char port[8];
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &ss_len) < 0)
		return 1;
	getnameinfo((struct sockaddr *)&ss, ss_len, NULL, 0, port, sizeof port, NI_NUMERICSERV);
	printf("listening on port %s\n", port);
	fflush(stdout);
	static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	petrel_credentials *creds;
	petrel_credentials_new(&creds);
	petrel_credentials_set_psk(creds, "example", key, sizeof key);
	struct server srv = {0};
	struct petrel_endpoint_callbacks cb = {on_new_session, on_established, on_data, on_closed,
					       &srv};
	if (petrel_endpoint_new(&srv.ep, fd, creds, 0, &cb) < 0)
		return 1;
	/* The endpoint answers a DTLS 1.3 ClientHello before any session
	 * exists: it must offer what on_new_session will allow. */
	petrel_endpoint_set_hello_ciphers(srv.ep, SUITES);
	petrel_endpoint_set_limits(srv.ep, 1000, 100);
	petrel_endpoint_set_idle_timeout(srv.ep, 60 * 1000);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop) {
		unsigned ms = petrel_endpoint_get_timeout(srv.ep);
		struct pollfd pfd = {fd, POLLIN, 0};
		poll(&pfd, 1, ms > 1000 ? 1000 : (int)ms);
		if (petrel_endpoint_process(srv.ep) < 0)
			break;
	}
	/* Outside the callbacks: say goodbye to every established peer, then
	 * free. petrel_endpoint_free calls no on_closed, so free our state too. */
	for (struct peer *p = srv.peers, *next; p; p = next) {
		next = p->next;
		if (petrel_handshake_is_complete(p->session))
			petrel_bye(p->session);
		free(p);
	}
	petrel_endpoint_free(srv.ep);
	petrel_credentials_free(creds);
	freeaddrinfo(ai);
	return 0;
}
