/* UDP sockets, addresses and the clock, for the tool's commands. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/cli.h"

static int udp_socket(const char *host, const char *port, bool passive)
{
	struct addrinfo hints, *list, *ai;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	int rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0) {
		fprintf(stderr, "petrel: %s:%s: %s\n", host ? host : "*", port, gai_strerror(rc));
		return -1;
	}
	int fd = -1, saved_errno = 0;
	for (ai = list; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			saved_errno = errno;
			continue;
		}
		int r = passive ? bind(fd, ai->ai_addr, ai->ai_addrlen)
				: connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r < 0) {
			saved_errno = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(list);
	if (fd < 0)
		fprintf(stderr, "petrel: %s %s:%s: %s\n", passive ? "bind" : "connect",
			host ? host : "*", port, strerror(saved_errno));
	return fd;
}

int cli_udp_connect(const char *host, const char *port) { return udp_socket(host, port, false); }

int cli_udp_bind(const char *addr, const char *port) { return udp_socket(addr, port, true); }

void cli_format_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
		snprintf(out, cap, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
		snprintf(out, cap, "[%s]:%u", host, port);
	} else {
		snprintf(out, cap, "(unknown address)");
	}
}

void cli_local_addr(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(out, cap, "(unknown address)");
		return;
	}
	cli_format_addr((struct sockaddr *)&ss, len, out, cap);
}

uint64_t cli_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
