/* A seeded lossy UDP relay on loopback for bench/loss:
 *
 *   lossproxy LISTEN_PORT SERVER_PORT LOSS_PERCENT SEED
 *
 * Clients send to 127.0.0.1:LISTEN_PORT; the proxy forwards each datagram
 * to 127.0.0.1:SERVER_PORT from a second socket of its own, and the
 * server's answers back to the client that spoke last. Each datagram is
 * dropped independently with probability LOSS_PERCENT/100, drawn from one
 * generator per direction seeded from SEED, so a seed gives every library
 * the same drop sequence in each direction. Prints "ready" once both
 * sockets are bound, and "first T" when the first client datagram arrives
 * (T: CLOCK_MONOTONIC seconds, so the caller can time the handshake from
 * the client's first ClientHello rather than from its process start);
 * exits on SIGTERM, when its parent dies, or after 300 s at the latest. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIFETIME_S 300

/* SplitMix64: small, seedable, good enough to draw drop decisions. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int drop(uint64_t *state, double loss)
{
	double u = (double)(next_random(state) >> 11) * 0x1.0p-53;
	return u < loss;
}

static int udp_socket(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("lossproxy: bind");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: lossproxy LISTEN_PORT SERVER_PORT LOSS_PERCENT SEED\n");
		return 2;
	}
	uint16_t listen_port = (uint16_t)atoi(argv[1]), server_port = (uint16_t)atoi(argv[2]);
	double loss = atof(argv[3]) / 100.0;
	uint64_t seed = strtoull(argv[4], NULL, 10);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(MAX_LIFETIME_S);

	/* Direction 0: client to server; 1: server to client. */
	uint64_t state[2] = {seed * 2 + 0x1234567, seed * 2 + 1 + 0x1234567};
	int client_fd = udp_socket(listen_port);
	int server_fd = udp_socket(0);
	struct sockaddr_in server;
	memset(&server, 0, sizeof server);
	server.sin_family = AF_INET;
	server.sin_port = htons(server_port);
	server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(server_fd, (struct sockaddr *)&server, sizeof server) < 0) {
		perror("lossproxy: connect");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	struct sockaddr_in client;
	socklen_t client_len = 0;
	static uint8_t buf[65536];
	struct pollfd pfd[2] = {{client_fd, POLLIN, 0}, {server_fd, POLLIN, 0}};
	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[0].revents & (POLLIN | POLLERR)) {
			socklen_t len = sizeof client;
			ssize_t n = recvfrom(client_fd, buf, sizeof buf, 0, (struct sockaddr *)&client, &len);
			if (n >= 0) {
				if (client_len == 0) {
					struct timespec ts;
					clock_gettime(CLOCK_MONOTONIC, &ts);
					printf("first %.6f\n", (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
					fflush(stdout);
				}
				client_len = len;
				if (!drop(&state[0], loss))
					(void)send(server_fd, buf, (size_t)n, 0);
			}
		}
		if (pfd[1].revents & (POLLIN | POLLERR)) {
			ssize_t n = recv(server_fd, buf, sizeof buf, 0);
			if (n >= 0 && client_len > 0 && !drop(&state[1], loss))
				(void)sendto(client_fd, buf, (size_t)n, 0, (struct sockaddr *)&client,
					     client_len);
		}
	}
}
