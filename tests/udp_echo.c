/* UDP echo service and client for tests/tunnel.sh.
 *
 *   udp_echo serve              echo every datagram on 127.0.0.1 (port
 *                               printed first: "listening on ADDR:PORT")
 *   udp_echo port               print a free UDP port on 127.0.0.1
 *   udp_echo send HOST PORT COUNT SIZE DEADLINE_MS [LOCAL_PORT]
 *                               send COUNT datagrams of SIZE bytes (from
 *                               127.0.0.1:LOCAL_PORT if given), each
 *                               resent every 200 ms until its own echo
 *                               comes back, all within DEADLINE_MS;
 *                               exit 0 when every one was echoed intact.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_DGRAM 65536

static unsigned long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000u + (unsigned long long)ts.tv_nsec / 1000000u;
}

static int serve(bool forever)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("udp_echo: bind");
		return 1;
	}
	if (!forever) {
		printf("%u\n", ntohs(a.sin_port));
		return 0;
	}
	printf("listening on 127.0.0.1:%u\n", ntohs(a.sin_port));
	fflush(stdout);
	static unsigned char buf[MAX_DGRAM];
	for (;;) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof from;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("udp_echo: recvfrom");
			return 1;
		}
		(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, from_len);
	}
}

static void fill(unsigned char *p, size_t size, unsigned index)
{
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(index * 31u + i * 7u);
	if (size >= 4) {
		p[0] = (unsigned char)(index >> 24);
		p[1] = (unsigned char)(index >> 16);
		p[2] = (unsigned char)(index >> 8);
		p[3] = (unsigned char)index;
	}
}

static int send_all(const char *host, const char *port, unsigned count, size_t size,
		    unsigned deadline_ms, unsigned local_port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *ai;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		fprintf(stderr, "udp_echo: cannot resolve %s:%s\n", host, port);
		return 2;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons((uint16_t)local_port)};
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int on = 1;
	if (fd >= 0 && local_port)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (fd >= 0 && local_port && bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
		perror("udp_echo: bind");
		return 2;
	}
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("udp_echo: connect");
		return 2;
	}
	freeaddrinfo(ai);
	static unsigned char out[MAX_DGRAM], in[MAX_DGRAM];
	unsigned long long end = now_ms() + deadline_ms;
	unsigned echoed = 0;
	for (unsigned i = 0; i < count; i++) {
		fill(out, size, i);
		int got = 0;
		while (!got && now_ms() < end) {
			(void)send(fd, out, size, 0);
			unsigned long long resend = now_ms() + 200;
			while (!got && now_ms() < resend) {
				struct pollfd pfd = {fd, POLLIN, 0};
				if (poll(&pfd, 1, (int)(resend - now_ms())) <= 0)
					continue;
				ssize_t n = recv(fd, in, sizeof in, 0);
				got = n == (ssize_t)size && memcmp(in, out, size) == 0;
			}
		}
		if (!got)
			break;
		echoed++;
	}
	printf("echoed %u of %u\n", echoed, count);
	return echoed == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "serve") == 0)
		return serve(true);
	if (argc == 2 && strcmp(argv[1], "port") == 0)
		return serve(false);
	if ((argc == 7 || argc == 8) && strcmp(argv[1], "send") == 0) {
		size_t size = strtoul(argv[5], NULL, 10);
		if (size < 1 || size > MAX_DGRAM - 1)
			return 2;
		return send_all(argv[2], argv[3], (unsigned)strtoul(argv[4], NULL, 10), size,
				(unsigned)strtoul(argv[6], NULL, 10),
				argc == 8 ? (unsigned)strtoul(argv[7], NULL, 10) : 0);
	}
	fprintf(stderr, "usage: udp_echo serve | udp_echo port | udp_echo send HOST PORT COUNT SIZE DEADLINE_MS "
			"[LOCAL_PORT]\n");
	return 2;
}
