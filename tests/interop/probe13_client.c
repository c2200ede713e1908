/* probe13-client HOST PORT: a Petrel client with PETREL_FLAG_PMTU_PROBE
 * and the library's default versions, starting at MTU 500, against a
 * real DTLS 1.3 server (tests/interop/probe13-wolfssl.sh). After the
 * handshake it lets the path MTU search run (each probe a padded
 * KeyUpdate the server must acknowledge, RFC 9147 8) for up to five
 * seconds, then sends "hello-from-petrel" under the keys the probes left
 * and prints the server's reply. Prints "version", "mtu_before",
 * "probes_acked", "mtu_after" and "reply" lines; exit 0 when the reply
 * came. Public API only. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "petrel/petrel.h"

static unsigned probes_acked;

static void on_mtu(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	(void)ptr;
	if (reason == PETREL_MTU_PROBE)
		probes_acked++;
	printf("mtu_change: %u -> %u reason %d\n", old_mtu, new_mtu, reason);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int connect_udp(const char *host, const char *port)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		return -1;
	int fd = socket(res->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: probe13-client HOST PORT\n");
		return 2;
	}
	int fd = connect_udp(argv[1], argv[2]);
	if (fd < 0) {
		printf("error: %s\n", strerror(errno));
		return 1;
	}
	petrel_credentials *creds = NULL;
	petrel_session *s = NULL;
	int result = 1;
	if (petrel_credentials_new(&creds) < 0 ||
	    petrel_session_new(&s, PETREL_CLIENT | PETREL_FLAG_PMTU_PROBE) < 0)
		goto out;
	petrel_session_set_credentials(s, creds);
	petrel_session_set_verify(s, PETREL_VERIFY_NONE, NULL, 0);
	petrel_dtls_set_mtu(s, 500);
	petrel_dtls_set_timeouts(s, 0, 10000);
	petrel_transport_set_udp_fd(s, fd);
	uint64_t deadline = now_ms() + 15000;
	int rc;
	while ((rc = petrel_handshake(s)) != 0) {
		if (petrel_error_is_fatal(rc) || now_ms() > deadline) {
			printf("error: handshake %s\n", petrel_strerror(rc));
			goto out;
		}
	}
	printf("version: %s\n", petrel_session_get_version(s) == PETREL_DTLS1_3 ? "DTLS 1.3" : "DTLS 1.2");
	printf("mtu_before: %u\n", petrel_dtls_get_mtu(s));
	petrel_dtls_set_mtu_callback(s, on_mtu, NULL);
	/* The search runs in the receive calls' timers; nothing arrives
	 * from the server meanwhile but its ACKs. */
	petrel_record_set_timeout(s, 100);
	char buf[2048];
	uint64_t until = now_ms() + 5000;
	while (now_ms() < until && petrel_dtls_get_mtu(s) < 1500) {
		long n = petrel_record_recv(s, buf, sizeof buf);
		if (n < 0 && petrel_error_is_fatal((int)n)) {
			printf("error: while probing %s\n", petrel_strerror((int)n));
			goto out;
		}
	}
	printf("probes_acked: %u\n", probes_acked);
	printf("mtu_after: %u\n", petrel_dtls_get_mtu(s));
	static const char msg[] = "hello-from-petrel\n";
	if (petrel_record_send(s, msg, sizeof msg - 1) < 0) {
		printf("error: send\n");
		goto out;
	}
	petrel_record_set_timeout(s, 5000);
	long n;
	do {
		n = petrel_record_recv(s, buf, sizeof buf - 1);
	} while (n == 0);
	if (n < 0) {
		printf("error: no reply %s\n", petrel_strerror((int)n));
		goto out;
	}
	buf[n] = '\0';
	printf("reply: %s\n", buf);
	result = 0;
	(void)petrel_bye(s);
out:
	petrel_session_free(s);
	petrel_credentials_free(creds);
	close(fd);
	return result;
}
