/* Driver for the real-kernel path-MTU test (tests/netns_mtu.sh): one
 * Petrel client or server over a connected UDP socket, reporting every MTU
 * change, each LARGE_PACKET and the largest datagram it sent.
 *   netns_peer server PORT CERT KEY
 *   netns_peer client HOST PORT [CIPHERS | dtls1.3]
 * (dtls1.3: the client offers DTLS 1.3 only, else DTLS 1.2 only; servers
 * answer either.)
 * Exit 0 when the handshake and one echo completed. */
#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "petrel/petrel.h"

static void on_mtu(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	(void)ptr;
	printf("mtu %u -> %u (%s)\n", old_mtu, new_mtu,
	       reason == PETREL_MTU_EMSGSIZE     ? "emsgsize"
	       : reason == PETREL_MTU_BLACK_HOLE ? "black-hole"
						 : "configured");
	fflush(stdout);
}

static int handshake(petrel_session *s)
{
	unsigned large = 0;
	int rc;
	while ((rc = petrel_handshake(s)) < 0 && !petrel_error_is_fatal(rc)) {
		if (rc == PETREL_E_LARGE_PACKET)
			large++;
		if (rc == PETREL_E_WARNING_ALERT_RECEIVED)
			printf("warning alert %s\n", petrel_alert_get_name(petrel_alert_get(s)));
	}
	printf("large-packet %u\n", large);
	if (rc < 0) {
		printf("handshake failed: %s (alert %s)\n", petrel_strerror(rc),
		       petrel_alert_get_name(petrel_alert_get(s)));
		return 1;
	}
	printf("handshake ok: %s\n", petrel_session_get_cipher_name(s));
	printf("version %s\n", petrel_version_name(petrel_session_get_version(s)));
	return 0;
}

/* One message, waiting up to ms for it. */
static long recv_wait(petrel_session *s, int fd, char *buf, size_t cap, int ms)
{
	for (int waited = 0; waited <= ms; waited += 100) {
		long n = petrel_record_recv(s, buf, cap);
		if (n != PETREL_E_AGAIN)
			return n;
		struct pollfd p = {fd, POLLIN, 0};
		poll(&p, 1, 100);
	}
	return PETREL_E_AGAIN;
}

static void report(petrel_session *s)
{
	struct petrel_stats st;
	petrel_session_get_stats(s, &st);
	printf("final mtu %u data-mtu %u mtu-changes %u\n", petrel_dtls_get_mtu(s),
	       petrel_dtls_get_data_mtu(s), st.mtu_changes);
}

static int server(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("bind");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	/* Connect to the first client so the kernel's path MTU applies. */
	struct sockaddr_storage peer;
	socklen_t pl = sizeof peer;
	uint8_t b[1];
	if (recvfrom(fd, b, sizeof b, MSG_PEEK, (struct sockaddr *)&peer, &pl) < 0 ||
	    connect(fd, (struct sockaddr *)&peer, pl) < 0) {
		perror("first datagram");
		return 1;
	}
	petrel_credentials *c;
	petrel_credentials_new(&c);
	if (petrel_credentials_set_key_file(c, argv[3], argv[4]) < 0) {
		fprintf(stderr, "cannot load %s / %s\n", argv[3], argv[4]);
		return 2;
	}
	petrel_session *s;
	petrel_session_new(&s, PETREL_SERVER | PETREL_FLAG_NO_COOKIE);
	petrel_session_set_credentials(s, c);
	petrel_dtls_set_mtu_callback(s, on_mtu, NULL);
	petrel_transport_set_udp_fd(s, fd);
	int rc = handshake(s);
	if (rc == 0) {
		char buf[4096];
		long n = recv_wait(s, fd, buf, sizeof buf, 10000);
		if (n > 0 && petrel_record_send(s, buf, (size_t)n) == n)
			printf("echoed %ld bytes\n", n);
		else
			rc = 1;
		report(s);
	}
	petrel_session_free(s);
	petrel_credentials_free(c);
	close(fd);
	return rc;
}

static int client(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
	inet_pton(AF_INET, argv[2], &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		return 1;
	}
	petrel_credentials *c;
	petrel_credentials_new(&c);
	petrel_session *s;
	petrel_session_new(&s, PETREL_CLIENT);
	petrel_session_set_credentials(s, c);
	petrel_session_set_verify(s, PETREL_VERIFY_NONE, NULL, 0);
	/* Without dtls1.3 the cases are DTLS 1.2 ones (PETREL_E_LARGE_PACKET
	 * from the handshake), whatever the client default is. */
	if (argc > 4 && strcmp(argv[4], "dtls1.3") == 0)
		petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3);
	else
		petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2);
	if (argc > 4 && strcmp(argv[4], "dtls1.3") != 0)
		petrel_session_set_ciphers(s, argv[4]);
	petrel_dtls_set_mtu_callback(s, on_mtu, NULL);
	petrel_dtls_set_timeouts(s, 0, 30000);
	petrel_transport_set_udp_fd(s, fd);
	int rc = handshake(s);
	if (rc == 0) {
		/* One record as large as the path allows: LARGE_PACKET means the
		 * MTU just shrank, so re-size to the new data MTU and resend. */
		char msg[4096], buf[4096];
		memset(msg, 'p', sizeof msg);
		size_t len = 0;
		long n = 0;
		unsigned large = 0;
		for (int i = 0; i < 8 && n <= 0; i++) {
			len = petrel_dtls_get_data_mtu(s);
			long w = petrel_record_send(s, msg, len);
			if (w == PETREL_E_LARGE_PACKET) {
				large++;
				continue;
			}
			if (w != (long)len)
				break;
			n = recv_wait(s, fd, buf, sizeof buf, 1000);
		}
		printf("send large-packet %u\n", large);
		if (n == (long)len && memcmp(buf, msg, len) == 0)
			printf("echo ok %zu bytes\n", len);
		else
			rc = 1;
		report(s);
		petrel_bye(s);
	}
	petrel_session_free(s);
	petrel_credentials_free(c);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "server") == 0)
		return server(argc, argv);
	if (argc > 1 && strcmp(argv[1], "client") == 0)
		return client(argc, argv);
	fprintf(stderr, "usage: netns_peer server PORT CERT KEY | client HOST PORT [CIPHERS|dtls1.3]\n");
	return 2;
}
