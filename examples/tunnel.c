/* A UDP-over-DTLS forwarder for one local flow: datagrams sent to
 * 127.0.0.1:LISTEN_PORT go, one record each, through a DTLS PSK session
 * to `petrel server --forward`, which relays them to its target and the
 * answers back. Like socat's UDP-LISTEN, the first local sender becomes
 * the flow: the listening socket is connected to it, so the kernel drops
 * other senders. A datagram larger than the session's data MTU is refused
 * (DTLS records are not fragmented, RFC 6347 4.1.1). On a fatal error or
 * the server's close_notify it exits; `petrel tunnel` (tools/cmd_tunnel.c)
 * is the full version: one session per flow, resumption, reconnects.
 * Try it: petrel server --port 4433 --psk example:000102030405060708090a0b0c0d0e0f \
 *             --forward 127.0.0.1:7     (a UDP echo service there)
 *         tunnel 5353 127.0.0.1 4433 example:000102030405060708090a0b0c0d0e0f */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <petrel/petrel.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* "identity:hexkey" -> identity (in place) and key bytes; -1 if malformed. */
static int parse_psk(char *arg, uint8_t *key, size_t cap, size_t *len)
{
	char *hex = strchr(arg, ':');
	if (hex == NULL || hex == arg)
		return -1;
	*hex++ = '\0';
	for (*len = 0; hex[0] && hex[1] && *len < cap; hex += 2)
		if (sscanf(hex, "%2hhx", &key[(*len)++]) != 1)
			return -1;
	return *hex == '\0' && *len > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
	uint8_t key[64];
	size_t key_len;
	if (argc != 5 || getaddrinfo(argv[2], argv[3], &hints, &ai) != 0 ||
	    parse_psk(argv[4], key, sizeof key, &key_len) < 0) {
		fprintf(stderr, "usage: tunnel LISTEN_PORT SERVER SERVER_PORT IDENTITY:HEXKEY\n");
		return 2;
	}
	/* The local side: 127.0.0.1:LISTEN_PORT (0: any free port). */
	struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t local_len = sizeof local;
	int lfd = socket(AF_INET, SOCK_DGRAM, 0);
	int sfd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (lfd < 0 || sfd < 0 || bind(lfd, (struct sockaddr *)&local, sizeof local) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&local, &local_len) < 0 ||
	    connect(sfd, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("tunnel: socket");
		return 1;
	}
	petrel_credentials *creds;
	petrel_session *s;
	petrel_credentials_new(&creds);
	petrel_credentials_set_psk(creds, argv[4], key, key_len);
	explicit_bzero(key, sizeof key);
	petrel_session_new(&s, PETREL_CLIENT);
	petrel_session_set_credentials(s, creds);
	petrel_transport_set_udp_fd(s, sfd); /* the handshake waits and retransmits */
	int rc;
	do
		rc = petrel_handshake(s);
	while (rc < 0 && !petrel_error_is_fatal(rc));
	if (rc < 0) {
		fprintf(stderr, "tunnel: handshake: %s\n", petrel_strerror(rc));
		return 1;
	}
	printf("listening on port %u\n", ntohs(local.sin_port));
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int have_flow = 0;
	uint8_t buf[65536];
	struct pollfd pfd[2] = {{lfd, POLLIN, 0}, {sfd, POLLIN, 0}};
	while (!stop && rc >= 0) {
		if (poll(pfd, 2, -1) < 0)
			continue; /* EINTR: a signal; the loop condition decides */
		if (pfd[0].revents & POLLIN) { /* local -> server */
			struct sockaddr_storage from;
			socklen_t from_len = sizeof from;
			ssize_t n = recvfrom(lfd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from,
					     &from_len);
			if (n >= 0 && !have_flow) /* the first sender is the flow */
				have_flow = connect(lfd, (struct sockaddr *)&from, from_len) == 0;
			long sent = n >= 0 ? petrel_record_send(s, buf, (size_t)n) : 0;
			if (sent == PETREL_E_LARGE_PACKET)
				fprintf(stderr, "tunnel: refused a %zd-byte datagram: over the data MTU %u\n",
					n, petrel_dtls_get_data_mtu(s));
			else if (sent < 0 && petrel_error_is_fatal((int)sent))
				rc = (int)sent;
		}
		if (pfd[1].revents & (POLLIN | POLLERR)) { /* server -> local, all queued */
			long n;
			while ((n = petrel_record_recv(s, buf, sizeof buf)) > 0)
				if (have_flow)
					(void)send(lfd, buf, (size_t)n, MSG_DONTWAIT); /* UDP: may drop */
			if (n == 0) {
				fprintf(stderr, "tunnel: the server closed the session\n");
				rc = PETREL_E_SESSION_CLOSED;
			} else if (n < 0 && petrel_error_is_fatal((int)n)) {
				rc = (int)n;
			}
		}
	}
	if (rc < 0 && rc != PETREL_E_SESSION_CLOSED)
		fprintf(stderr, "tunnel: session failed: %s\n", petrel_strerror(rc));
	else if (rc >= 0)
		petrel_bye(s); /* stopped by a signal: tell the server */
	petrel_session_free(s);
	petrel_credentials_free(creds);
	freeaddrinfo(ai);
	close(lfd);
	close(sfd);
	return rc < 0 ? 1 : 0;
}
