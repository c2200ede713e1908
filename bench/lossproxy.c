/* A seeded lossy UDP relay on loopback for bench/loss:
 *
 *   lossproxy LISTEN_PORT SERVER_PORT LOSS_PERCENT SEED [TRACE_FILE]
 *
 * Clients send to 127.0.0.1:LISTEN_PORT; the proxy forwards each datagram
 * to 127.0.0.1:SERVER_PORT from a second socket of its own, and the
 * server's answers back to the client that spoke last. Each datagram is
 * dropped independently with probability LOSS_PERCENT/100, drawn from one
 * generator per direction seeded from SEED, so a seed gives every library
 * the same drop sequence in each direction (bench/lossdrop.h: bench/loss
 * replays it on the simulated network). With TRACE_FILE, one line per
 * datagram: CLOCK_MONOTONIC seconds, direction (c2s / s2c), length,
 * "drop" or "pass", and its first byte (the record type; for a plaintext
 * handshake record also the message type). Prints "ready" once both
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

#include "bench/lossdrop.h"

#define MAX_LIFETIME_S 300

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static FILE *trace;

static bool pass(struct lossdrop *ld, int dir, const uint8_t *p, ssize_t n)
{
	bool lost = lossdrop_drop(ld, dir);
	if (trace != NULL) {
		fprintf(trace, "%.6f %s %zd %s %02x", now_s(), dir ? "s2c" : "c2s", n,
			lost ? "drop" : "pass", n > 0 ? p[0] : 0);
		if (n > 13 && p[0] == 22)
			fprintf(trace, " hs%u", p[13]);
		fputc('\n', trace);
	}
	return !lost;
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
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: lossproxy LISTEN_PORT SERVER_PORT LOSS_PERCENT SEED [TRACE_FILE]\n");
		return 2;
	}
	uint16_t listen_port = (uint16_t)atoi(argv[1]), server_port = (uint16_t)atoi(argv[2]);
	double loss = atof(argv[3]) / 100.0;
	uint64_t seed = strtoull(argv[4], NULL, 10);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(MAX_LIFETIME_S);

	struct lossdrop ld;
	lossdrop_init(&ld, seed, loss);
	if (argc == 6 && (trace = fopen(argv[5], "w")) == NULL) {
		perror("lossproxy: trace file");
		return 1;
	}
	if (trace != NULL)
		setvbuf(trace, NULL, _IOLBF, 0);
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
					printf("first %.6f\n", now_s());
					fflush(stdout);
				}
				client_len = len;
				if (pass(&ld, 0, buf, n))
					(void)send(server_fd, buf, (size_t)n, 0);
			}
		}
		if (pfd[1].revents & (POLLIN | POLLERR)) {
			ssize_t n = recv(server_fd, buf, sizeof buf, 0);
			if (n >= 0 && client_len > 0 && pass(&ld, 1, buf, n))
				(void)sendto(client_fd, buf, (size_t)n, 0, (struct sockaddr *)&client,
					     client_len);
		}
	}
}
