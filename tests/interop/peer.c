/* interop-peer: a DTLS 1.2 client or server over a real UDP socket, driven
 * only through the public API, for interop tests against OpenSSL and GnuTLS.
 *
 *   interop-peer client HOST PORT [options]
 *   interop-peer server --port P [options]
 *   interop-peer freeport          (prints a currently free UDP port)
 *   interop-peer list              (suites, groups, signature algorithms offered)
 *
 * Options (both roles):
 *   --psk ID:HEX       PSK identity and key (hex)
 *   --ciphers LIST     IANA suite names, comma separated
 *   --mtu N            link MTU in bytes
 *   --msg TEXT         send TEXT (plus a newline) after each handshake
 *   --timeout S        give up after S seconds per connection (default 15)
 *   --alpn LIST        ALPN protocols, comma separated
 *   --groups LIST      key exchange groups ("x25519,secp256r1")
 *   --no-tickets --no-cookie --allow-no-ems (no-op) --require-ems   session flags
 *   --cert F --key F   certificate chain and key (PEM); a client presents
 *                      them when the server asks
 *   --ca FILE          trust anchors for the peer's chain (a client also
 *                      checks the name, --sni; without --ca it accepts any)
 * Client only:
 *   --sni NAME         server name (default "localhost")
 *   --resume           connect twice, resuming the first session
 *   --expect TEXT      a reply must arrive and equal TEXT
 *   --sess-out FILE / --sess-in FILE   save / load resumption data
 * Server only:
 *   --echo             send every message back
 *   --request-cert / --require-cert   ask for a client certificate (--ca: trust)
 *   --count N          serve N connections one after the other (default 1)
 *   --rehandshake-on TEXT  ask for a renegotiation (HelloRequest) when a
 *                      message equal to TEXT arrives (needs --renegotiate)
 * Renegotiation (RFC 5746, both roles):
 *   --renegotiate      accept renegotiation (petrel_session_set_renegotiation)
 *   --rehandshake      client: renegotiate right after the handshake
 *   --wait-renegotiation  client: after --msg, read until the server's
 *                      renegotiation completed, then send --expect's text
 *                      and expect it echoed
 *
 * Every result is one "key: value" line on stdout; the exit status is 0
 * only when every connection completed as asked. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "petrel/petrel.h"

struct options {
	const char *host;
	unsigned port;
	const char *psk_identity;
	uint8_t psk_key[64];
	size_t psk_key_len;
	const char *ciphers;
	bool dtls12_only; /* --dtls12-only: a client offering DTLS 1.2 alone */
	unsigned mtu_bytes;
	const char *msg;
	const char *expect;
	const char *ca_file;
	const char *sni;
	const char *cert_file, *key_file;
	const char *sess_out, *sess_in;
	const char *alpn;
	const char *groups;
	unsigned flags; /* PETREL_FLAG_* */
	bool resume, echo;
	bool renegotiate, rehandshake, wait_renegotiation;
	const char *rehandshake_on;
	unsigned count;
	unsigned timeout_s;
};

/* Largest datagrams that crossed the socket, to show fragmentation. */
static size_t largest_sent, largest_received;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void say(const char *key, const char *value)
{
	printf("%s: %s\n", key, value);
	fflush(stdout);
}

static void say_error(const char *what, petrel_session *s, int rc)
{
	printf("error: %s: %s (%s)", what, petrel_strerror_name(rc), petrel_strerror(rc));
	if (s != NULL && rc == PETREL_E_FATAL_ALERT_RECEIVED)
		printf(" alert %s", petrel_alert_get_name(petrel_alert_get(s)));
	printf("\n");
	fflush(stdout);
}

/* A connected-socket transport like petrel_transport_set_udp_fd's, with
 * its own callbacks so it can measure datagram sizes. */
static int session_fd = -1;

static long measured_push(void *ptr, const uint8_t *data, size_t len)
{
	ssize_t n = send(*(const int *)ptr, data, len, 0);
	if (n >= 0) {
		if ((size_t)n > largest_sent)
			largest_sent = (size_t)n;
		return (long)n;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
		return PETREL_E_AGAIN;
	if (errno == EINTR)
		return PETREL_E_INTERRUPTED;
	if (errno == EMSGSIZE)
		return PETREL_E_LARGE_PACKET;
	return PETREL_E_PUSH_ERROR;
}

static long measured_pull(void *ptr, uint8_t *buf, size_t cap)
{
	ssize_t n = recv(*(const int *)ptr, buf, cap, MSG_DONTWAIT);
	if (n >= 0) {
		if ((size_t)n > largest_received)
			largest_received = (size_t)n;
		return (long)n;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
		return PETREL_E_AGAIN;
	if (errno == EINTR)
		return PETREL_E_INTERRUPTED;
	return PETREL_E_PULL_ERROR;
}

static int measured_pull_timeout(void *ptr, unsigned ms)
{
	struct pollfd pfd = {*(const int *)ptr, POLLIN, 0};
	int r = poll(&pfd, 1, (int)ms);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	return r;
}

/* petrel_transport_set_udp_fd sets the socket options and the peer
 * address for the cookie; the callbacks are then replaced by ours. */
static int use_socket(petrel_session *s, int fd)
{
	int rc = petrel_transport_set_udp_fd(s, fd);
	if (rc < 0) {
		say_error("transport", s, rc);
		return rc;
	}
	session_fd = fd;
	petrel_transport_set_ptr(s, &session_fd);
	petrel_transport_set_push_function(s, measured_push);
	petrel_transport_set_pull_function(s, measured_pull);
	petrel_transport_set_pull_timeout_function(s, measured_pull_timeout);
	largest_sent = 0;
	largest_received = 0;
	return 0;
}

static bool parse_psk(struct options *o, char *arg)
{
	char *colon = strchr(arg, ':');
	if (colon == NULL)
		return false;
	*colon = '\0';
	o->psk_identity = arg;
	return petrel_hex_decode(colon + 1, o->psk_key, sizeof o->psk_key, &o->psk_key_len) == 0;
}

static petrel_credentials *make_credentials(const struct options *o)
{
	petrel_credentials *creds = NULL;
	int rc = petrel_credentials_new(&creds);
	if (rc < 0) {
		say_error("credentials_new", NULL, rc);
		return NULL;
	}
	if (o->cert_file != NULL)
		rc = petrel_credentials_set_key_file(creds, o->cert_file, o->key_file);
	if (rc >= 0 && o->ca_file != NULL)
		rc = petrel_credentials_set_trust_file(creds, o->ca_file);
	if (rc >= 0 && o->psk_identity != NULL)
		rc = petrel_credentials_set_psk(creds, o->psk_identity, o->psk_key, o->psk_key_len);
	if (rc < 0) {
		say_error("credentials", NULL, rc);
		petrel_credentials_free(creds);
		return NULL;
	}
	return creds;
}

static int configure_session(petrel_session *s, const struct options *o, petrel_credentials *creds)
{
	int rc = petrel_session_set_credentials(s, creds);
	if (rc >= 0 && o->ciphers != NULL)
		rc = petrel_session_set_ciphers(s, o->ciphers);
	if (rc >= 0 && o->groups != NULL)
		rc = petrel_session_set_groups(s, o->groups);
	if (rc >= 0 && o->alpn != NULL)
		rc = petrel_session_set_alpn(s, o->alpn);
	if (rc < 0) {
		say_error("configure", s, rc);
		return rc;
	}
	if (o->mtu_bytes != 0)
		petrel_dtls_set_mtu(s, o->mtu_bytes);
	if (o->renegotiate)
		(void)petrel_session_set_renegotiation(s, 1);
	/* petrel_handshake blocks on a UDP socket: bound it by --timeout. */
	petrel_dtls_set_timeouts(s, 0, o->timeout_s * 1000u);
	return 0;
}

/* Run petrel_handshake until it completes, fails fatally or the deadline passes. */
static int run_handshake(petrel_session *s, uint64_t deadline_ms)
{
	for (;;) {
		int rc = petrel_handshake(s);
		if (rc == 0)
			break;
		if (petrel_error_is_fatal(rc)) {
			say_error("handshake", s, rc);
			return rc;
		}
		if (now_ms() > deadline_ms) {
			say_error("handshake", s, PETREL_E_TIMEDOUT);
			return PETREL_E_TIMEDOUT;
		}
	}
	say("handshake", "ok");
	say("cipher", petrel_session_get_cipher_name(s));
	say("resumed", petrel_session_is_resumed(s) ? "1" : "0");
	say("ems", petrel_session_ems_negotiated(s) ? "1" : "0");
	const char *group = petrel_session_get_group_name(s);
	say("group", group != NULL ? group : "none");
	const char *signature = petrel_session_get_signature_name(s);
	say("signature", signature != NULL ? signature : "none");
	const char *alpn = petrel_session_get_alpn(s);
	say("alpn", alpn != NULL ? alpn : "none");
	const uint8_t *der;
	size_t der_len, chain = 0;
	while (petrel_session_get_peer_certificate(s, chain, &der, &der_len) == 0)
		chain++;
	printf("peer_certificates: %zu\n", chain);
	char mtu[32];
	snprintf(mtu, sizeof mtu, "%u", petrel_dtls_get_mtu(s));
	say("mtu", mtu);
	struct petrel_stats st;
	if (petrel_session_get_stats(s, &st) == 0) {
		printf("stats: flights_sent=%llu retransmissions=%llu datagrams_sent=%llu "
		       "datagrams_received=%llu records_dropped=%llu\n",
		       (unsigned long long)st.flights_sent, (unsigned long long)st.retransmissions,
		       (unsigned long long)st.datagrams_sent, (unsigned long long)st.datagrams_received,
		       (unsigned long long)st.records_dropped);
		printf("largest_datagram: sent=%zu received=%zu\n", largest_sent, largest_received);
		fflush(stdout);
	}
	return 0;
}

/* Wait for one application message: its length, 0 on close_notify, or an error. */
static long receive_message(petrel_session *s, int fd, char *buf, size_t cap, uint64_t deadline_ms)
{
	for (;;) {
		long n = petrel_record_recv(s, buf, cap - 1);
		if (n >= 0) {
			buf[n] = '\0';
			return n;
		}
		if (petrel_error_is_fatal((int)n))
			return n;
		uint64_t t = now_ms();
		if (t >= deadline_ms)
			return PETREL_E_TIMEDOUT;
		unsigned wait_ms = petrel_dtls_get_timeout(s);
		if (wait_ms == 0 || wait_ms > deadline_ms - t)
			wait_ms = (unsigned)(deadline_ms - t);
		struct pollfd pfd = {fd, POLLIN, 0};
		(void)poll(&pfd, 1, (int)wait_ms);
	}
}

static void strip_newline(char *text)
{
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
}

static int send_text(petrel_session *s, const char *text)
{
	char line[16384];
	int n = snprintf(line, sizeof line, "%s\n", text);
	if (n < 0 || (size_t)n >= sizeof line) {
		say("error", "--msg too long");
		return PETREL_E_INVALID_REQUEST;
	}
	long rc = petrel_record_send(s, line, (size_t)n);
	if (rc < 0) {
		say_error("send", s, (int)rc);
		return (int)rc;
	}
	say("sent", text);
	return 0;
}

/* A renegotiation we asked for: petrel_rehandshake, then petrel_handshake
 * until done; data arriving meanwhile is read and reported (GnuTLS's
 * GOT_APPLICATION_DATA contract). */
static int run_rehandshake(petrel_session *s, uint64_t deadline_ms)
{
	int rc = petrel_rehandshake(s);
	if (rc < 0) {
		say_error("rehandshake", s, rc);
		return rc;
	}
	for (;;) {
		rc = petrel_handshake(s);
		if (rc == 0)
			break;
		if (rc == PETREL_E_GOT_APPLICATION_DATA) {
			char buf[2048];
			long n = petrel_record_recv(s, buf, sizeof buf - 1);
			if (n > 0) {
				buf[n] = '\0';
				strip_newline(buf);
				say("received_during_renegotiation", buf);
			}
			continue;
		}
		if (rc == PETREL_E_WARNING_ALERT_RECEIVED) {
			say("renegotiation", petrel_alert_get_name(petrel_alert_get(s)));
			return rc;
		}
		if (petrel_error_is_fatal(rc)) {
			say_error("rehandshake", s, rc);
			return rc;
		}
		if (now_ms() > deadline_ms) {
			say_error("rehandshake", s, PETREL_E_TIMEDOUT);
			return PETREL_E_TIMEDOUT;
		}
	}
	printf("renegotiated: %u\n", petrel_session_get_renegotiations(s));
	fflush(stdout);
	return 0;
}

/* Client: read (and report) until the server's renegotiation is done, at
 * most 3 s (a refused one never is: then "renegotiated: 0"). */
static int wait_renegotiation(petrel_session *s, int fd, uint64_t deadline_ms)
{
	if (deadline_ms > now_ms() + 3000)
		deadline_ms = now_ms() + 3000;
	while (petrel_session_get_renegotiations(s) == 0) {
		char buf[2048];
		uint64_t t = now_ms();
		if (t >= deadline_ms)
			break;
		long n = receive_message(s, fd, buf, sizeof buf, t + 200 < deadline_ms ? t + 200 : deadline_ms);
		if (n > 0) {
			strip_newline(buf);
			say("received", buf);
		} else if (n < 0 && n != PETREL_E_TIMEDOUT && petrel_error_is_fatal((int)n)) {
			return (int)n;
		}
	}
	printf("renegotiated: %u\n", petrel_session_get_renegotiations(s));
	fflush(stdout);
	return 0;
}

/* ---- client ---- */

static int connect_udp(const char *host, unsigned port)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_DGRAM;
	char service[16];
	snprintf(service, sizeof service, "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0 || res == NULL) {
		say("error", "cannot resolve host");
		return -1;
	}
	int fd = socket(res->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		say("error", strerror(errno));
	return fd;
}

static int load_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	*len = fread(buf, 1, cap, f);
	fclose(f);
	return 0;
}

static int save_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	size_t n = fwrite(buf, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

/* One client connection; resume_data (in/out) carries the session between runs. */
static int client_connection(const struct options *o, petrel_credentials *creds, uint8_t *resume_data,
			     size_t *resume_len, size_t resume_cap)
{
	uint64_t deadline = now_ms() + o->timeout_s * 1000u;
	int fd = connect_udp(o->host, o->port);
	if (fd < 0)
		return 1;
	petrel_session *s = NULL;
	int result = 1;
	if (petrel_session_new(&s, PETREL_CLIENT | o->flags) < 0)
		goto out;
	if (o->dtls12_only && petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2) < 0)
		goto out;
	if (configure_session(s, o, creds) < 0)
		goto out;
	if (o->ca_file == NULL)
		petrel_session_set_verify(s, PETREL_VERIFY_NONE, NULL, 0);
	petrel_session_set_server_name(s, o->sni != NULL ? o->sni : "localhost");
	if (*resume_len > 0) {
		int rc = petrel_session_set_data(s, resume_data, *resume_len);
		if (rc < 0) {
			say_error("set_data", s, rc);
			goto out;
		}
	}
	int rc = use_socket(s, fd);
	if (rc < 0 || run_handshake(s, deadline) < 0)
		goto out;
	if (o->rehandshake && run_rehandshake(s, deadline) < 0)
		goto out;
	if (o->msg != NULL && send_text(s, o->msg) < 0)
		goto out;
	if (o->wait_renegotiation) {
		rc = wait_renegotiation(s, fd, deadline);
		if (rc < 0) {
			say_error("renegotiation", s, rc);
			goto out;
		}
		if (o->expect != NULL && send_text(s, o->expect) < 0)
			goto out;
	}
	if (o->expect != NULL) {
		char buf[16384];
		long n = receive_message(s, fd, buf, sizeof buf, deadline);
		if (n <= 0) {
			say_error("receive", s, n == 0 ? PETREL_E_SESSION_CLOSED : (int)n);
			goto out;
		}
		strip_newline(buf);
		say("received", buf);
		if (strcmp(buf, o->expect) != 0) {
			say("error", "reply differs from --expect");
			goto out;
		}
	}
	size_t len = resume_cap;
	rc = petrel_session_get_data(s, resume_data, &len);
	*resume_len = rc < 0 ? 0 : len;
	petrel_bye(s);
	result = 0;
out:
	petrel_session_free(s);
	close(fd);
	return result;
}

static int run_client(const struct options *o)
{
	petrel_credentials *creds = make_credentials(o);
	if (creds == NULL)
		return 1;
	uint8_t resume_data[4096];
	size_t resume_len = 0;
	if (o->sess_in != NULL && load_file(o->sess_in, resume_data, sizeof resume_data, &resume_len) < 0) {
		say("error", "cannot read --sess-in file");
		petrel_credentials_free(creds);
		return 1;
	}
	int result = client_connection(o, creds, resume_data, &resume_len, sizeof resume_data);
	if (result == 0 && o->resume) {
		say("connection", "resuming");
		result = client_connection(o, creds, resume_data, &resume_len, sizeof resume_data);
	}
	if (result == 0 && o->sess_out != NULL) {
		if (resume_len == 0 || save_file(o->sess_out, resume_data, resume_len) < 0) {
			say("error", "no resumption data to save");
			result = 1;
		}
	}
	petrel_credentials_free(creds);
	return result;
}

/* ---- server ---- */

static int bind_udp(unsigned port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* RFC 6347 4.1 / 4.2.2: a handshake record of epoch 0 carrying a ClientHello. */
static bool looks_like_client_hello(const uint8_t *d, size_t len)
{
	return len >= 25 && d[0] == 22 && d[1] == 0xfe && d[3] == 0 && d[4] == 0 && d[13] == 1;
}

/* Wait for a ClientHello on the listening socket and connect that socket
 * to its sender. The datagram is only peeked, so it stays queued for
 * petrel_handshake. Stray datagrams (a previous peer's late alert, say)
 * are consumed and ignored. */
static int accept_peer(int fd, uint64_t deadline_ms)
{
	uint8_t head[64];
	struct sockaddr_storage peer;
	socklen_t peer_len;
	for (;;) {
		uint64_t t = now_ms();
		if (t >= deadline_ms)
			return -1;
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, (int)(deadline_ms - t)) <= 0)
			continue;
		peer_len = sizeof peer;
		ssize_t n = recvfrom(fd, head, sizeof head, MSG_PEEK | MSG_TRUNC, (struct sockaddr *)&peer,
				     &peer_len);
		if (n < 0) {
			if (errno != EINTR && errno != EAGAIN)
				return -1;
			continue;
		}
		size_t got = (size_t)n < sizeof head ? (size_t)n : sizeof head;
		if (looks_like_client_hello(head, got))
			break;
		(void)recv(fd, head, sizeof head, 0);
		say("ignored", "a datagram that is not a ClientHello");
	}
	if (connect(fd, (struct sockaddr *)&peer, peer_len) != 0)
		return -1;
	char host[64];
	unsigned port = 0;
	if (peer.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&peer;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		port = ntohs(sin->sin_port);
	} else {
		snprintf(host, sizeof host, "?");
	}
	printf("peer: %s:%u\n", host, port);
	fflush(stdout);
	return 0;
}

static int server_connection(const struct options *o, petrel_credentials *creds, int fd,
			     int *next_listener)
{
	uint64_t deadline = now_ms() + o->timeout_s * 1000u;
	*next_listener = -1;
	if (accept_peer(fd, deadline) < 0) {
		say("error", "no client");
		return 1;
	}
	*next_listener = bind_udp(o->port);
	if (*next_listener < 0 && o->count > 1)
		say("error", "cannot bind the next listener");
	petrel_session *s = NULL;
	int result = 1;
	if (petrel_session_new(&s, PETREL_SERVER | o->flags) < 0)
		return 1;
	if (configure_session(s, o, creds) < 0)
		goto out;
	int rc = use_socket(s, fd);
	if (rc < 0 || run_handshake(s, deadline) < 0)
		goto out;
	if (o->msg != NULL && send_text(s, o->msg) < 0)
		goto out;
	/* Serve until close_notify; the peer decides when it is done. */
	unsigned renegotiations = 0;
	for (;;) {
		char buf[16384];
		long n = receive_message(s, fd, buf, sizeof buf, deadline);
		if (n == 0) {
			/* RFC 5246 7.2.1: answer close_notify with our own. */
			int bye = petrel_bye(s);
			say("closed", bye < 0 ? "close_notify (no reply)" : "close_notify");
			break;
		}
		if (n < 0) {
			say_error("receive", s, (int)n);
			goto out;
		}
		long sent = 0;
		if (o->echo)
			sent = petrel_record_send(s, buf, (size_t)n);
		strip_newline(buf);
		say("received", buf);
		if (petrel_session_get_renegotiations(s) != renegotiations) {
			renegotiations = petrel_session_get_renegotiations(s);
			printf("renegotiated: %u\n", renegotiations);
			fflush(stdout);
		}
		if (sent < 0) {
			say_error("echo", s, (int)sent);
			goto out;
		}
		if (o->echo)
			say("echoed", buf);
		if (o->rehandshake_on != NULL && strcmp(buf, o->rehandshake_on) == 0 &&
		    run_rehandshake(s, deadline) == PETREL_E_TIMEDOUT)
			goto out;
	}
	result = 0;
out:
	petrel_session_free(s);
	return result;
}

/* Connections are served one after the other. Each is served on the
 * socket that was listening when its ClientHello came (connected to that
 * peer); a fresh listener is bound first, so the port never goes unbound
 * and peers never get ICMP port unreachable between connections. */
static int run_server(const struct options *o)
{
	petrel_credentials *creds = make_credentials(o);
	if (creds == NULL)
		return 1;
	int result = 0;
	int listener = bind_udp(o->port);
	if (listener < 0) {
		say("error", "cannot bind");
		result = 1;
	} else {
		printf("listening: %u\n", o->port);
		fflush(stdout);
	}
	for (unsigned i = 0; i < o->count && result == 0; i++) {
		int fd = listener;
		result = server_connection(o, creds, fd, &listener);
		close(fd);
	}
	if (listener >= 0)
		close(listener);
	petrel_credentials_free(creds);
	return result;
}

static int free_port(void)
{
	int fd = bind_udp(0);
	if (fd < 0)
		return 1;
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		close(fd);
		return 1;
	}
	printf("%u\n", ntohs(sa.sin_port));
	close(fd);
	return 0;
}

/* Everything the library offers, one "suite|group|sigalg: NAME" line each,
 * for tests that must cover all of it (all-algorithms.sh). */
static int list_algorithms(void)
{
	const char *name;
	for (size_t i = 0; (name = petrel_cipher_suite_info(i, NULL)) != NULL; i++)
		printf("suite: %s\n", name);
	for (size_t i = 0; (name = petrel_group_info(i, NULL)) != NULL; i++)
		printf("group: %s\n", name);
	for (size_t i = 0; (name = petrel_sign_algorithm_info(i, NULL)) != NULL; i++)
		printf("sigalg: %s\n", name);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: interop-peer client HOST PORT [options] | server --port P [options] | freeport | list\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	struct options o;
	memset(&o, 0, sizeof o);
	o.count = 1;
	o.timeout_s = 15;
	int i = 2;
	if (strcmp(argv[1], "freeport") == 0)
		return free_port();
	if (strcmp(argv[1], "list") == 0)
		return list_algorithms();
	bool client = strcmp(argv[1], "client") == 0;
	if (client) {
		if (argc < 4)
			return usage();
		o.host = argv[2];
		o.port = (unsigned)strtoul(argv[3], NULL, 10);
		i = 4;
	} else if (strcmp(argv[1], "server") != 0) {
		return usage();
	}
	for (; i < argc; i++) {
		const char *opt = argv[i];
		char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(opt, "--resume") == 0) {
			o.resume = true;
			continue;
		}
		if (strcmp(opt, "--echo") == 0) {
			o.echo = true;
			continue;
		}
		if (strcmp(opt, "--renegotiate") == 0) {
			o.renegotiate = true;
			continue;
		}
		if (strcmp(opt, "--rehandshake") == 0) {
			o.rehandshake = true;
			continue;
		}
		if (strcmp(opt, "--wait-renegotiation") == 0) {
			o.wait_renegotiation = true;
			continue;
		}
		if (strcmp(opt, "--require-cert") == 0) {
			o.flags |= PETREL_FLAG_REQUIRE_CLIENT_CERT;
			continue;
		}
		if (strcmp(opt, "--request-cert") == 0) {
			o.flags |= PETREL_FLAG_REQUEST_CLIENT_CERT;
			continue;
		}
		if (strcmp(opt, "--no-tickets") == 0) {
			o.flags |= PETREL_FLAG_NO_TICKETS;
			continue;
		}
		if (strcmp(opt, "--dtls12-only") == 0) {
			o.dtls12_only = true;
			continue;
		}
		if (strcmp(opt, "--no-cookie") == 0) {
			o.flags |= PETREL_FLAG_NO_COOKIE;
			continue;
		}
		if (strcmp(opt, "--allow-no-ems") == 0) {
			o.flags |= PETREL_FLAG_ALLOW_NO_EMS;
			continue;
		}
		if (strcmp(opt, "--require-ems") == 0) {
			o.flags |= PETREL_FLAG_REQUIRE_EMS;
			continue;
		}
		if (val == NULL)
			return usage();
		i++;
		if (strcmp(opt, "--psk") == 0) {
			if (!parse_psk(&o, val))
				return usage();
		} else if (strcmp(opt, "--ciphers") == 0) {
			o.ciphers = val;
		} else if (strcmp(opt, "--mtu") == 0) {
			o.mtu_bytes = (unsigned)strtoul(val, NULL, 10);
		} else if (strcmp(opt, "--alpn") == 0) {
			o.alpn = val;
		} else if (strcmp(opt, "--groups") == 0) {
			o.groups = val;
		} else if (strcmp(opt, "--msg") == 0) {
			o.msg = val;
		} else if (strcmp(opt, "--expect") == 0) {
			o.expect = val;
		} else if (strcmp(opt, "--timeout") == 0) {
			o.timeout_s = (unsigned)strtoul(val, NULL, 10);
		} else if (strcmp(opt, "--ca") == 0) {
			o.ca_file = val;
		} else if (strcmp(opt, "--sni") == 0) {
			o.sni = val;
		} else if (strcmp(opt, "--cert") == 0) {
			o.cert_file = val;
		} else if (strcmp(opt, "--key") == 0) {
			o.key_file = val;
		} else if (strcmp(opt, "--sess-out") == 0) {
			o.sess_out = val;
		} else if (strcmp(opt, "--sess-in") == 0) {
			o.sess_in = val;
		} else if (strcmp(opt, "--port") == 0) {
			o.port = (unsigned)strtoul(val, NULL, 10);
		} else if (strcmp(opt, "--rehandshake-on") == 0) {
			o.rehandshake_on = val;
		} else if (strcmp(opt, "--count") == 0) {
			o.count = (unsigned)strtoul(val, NULL, 10);
		} else {
			return usage();
		}
	}
	if (!client && o.port == 0)
		return usage();
	if ((o.cert_file == NULL) != (o.key_file == NULL))
		return usage();
	return client ? run_client(&o) : run_server(&o);
}
