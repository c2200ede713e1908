/* A CoAP server over DTLS with a pre-shared key, on the endpoint API: one
 * UDP socket, many clients. GET /hello answers "hello, petrel", GET /
 * names the resources, anything else is 4.04. Options other than Uri-Path
 * are ignored (enough for coap-client GETs; not a full RFC 7252 server).
 * Try it: coap_server 127.0.0.1 5684 device secretkey
 *         coap-client-openssl -u device -k secretkey coaps://127.0.0.1/hello */
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <petrel/petrel.h>

enum { COAP_CON = 0, COAP_NON = 1, COAP_ACK = 2, COAP_URI_PATH = 11 };

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Uri-Path segments of a request joined by '/' (RFC 7252 3.1, 6.5). */
static int uri_path(const uint8_t *m, size_t len, char *path, size_t cap)
{
	size_t i = 4 + (m[0] & 15u), n = 0;
	unsigned number = 0;
	path[0] = '\0';
	while (i < len && m[i] != 0xFF) {
		unsigned delta = m[i] >> 4, olen = m[i] & 15u;
		i++;
		if (delta == 15 || olen == 15)
			return -1;
		if (delta >= 13) {
			if (i + delta - 12 > len)
				return -1;
			delta = delta == 13 ? 13u + m[i] : 269u + (unsigned)(m[i] << 8 | m[i + 1]);
			i += delta >= 269 ? 2 : 1;
		}
		if (olen >= 13) {
			if (i + olen - 12 > len)
				return -1;
			olen = olen == 13 ? 13u + m[i] : 269u + (unsigned)(m[i] << 8 | m[i + 1]);
			i += olen >= 269 ? 2 : 1;
		}
		number += delta;
		if (i + olen > len)
			return -1;
		if (number == COAP_URI_PATH) {
			if (n + olen + 2 > cap)
				return -1;
			if (n > 0)
				path[n++] = '/';
			memcpy(path + n, m + i, olen);
			path[n += olen] = '\0';
		}
		i += olen;
	}
	return 0;
}

/* Runs inside petrel_endpoint_process: answering with petrel_record_send
 * on the session we were given is allowed here (see README). */
static void on_data(void *ptr, petrel_session *s, const uint8_t *req, size_t len)
{
	(void)ptr;
	char path[256];
	if (len < 4)
		return;
	unsigned type = req[0] >> 4 & 3u, tkl = req[0] & 15u;
	if (req[0] >> 6 != 1 || tkl > 8 || 4 + tkl > len)
		return; /* not CoAP version 1: ignore (RFC 7252 3) */
	if ((type != COAP_CON && type != COAP_NON) || req[1] == 0)
		return; /* ACK, RST and empty messages need no answer here */
	uint8_t resp[512];
	size_t n = 0;
	/* A CON request gets a piggybacked ACK with the same Message ID
	 * (RFC 7252 5.2.1); a NON gets a NON (5.2.3). */
	resp[n++] = (uint8_t)(0x40u | (type == COAP_CON ? 2u : 1u) << 4 | tkl); /* ACK : NON */
	uint8_t code = 0x45; /* 2.05 Content */
	const char *body = "";
	if (req[1] != 1)
		code = 0x85; /* 4.05 Method Not Allowed: only GET */
	else if (uri_path(req, len, path, sizeof path) < 0)
		code = 0x80; /* 4.00 Bad Request */
	else if (strcmp(path, "hello") == 0)
		body = "hello, petrel";
	else if (path[0] == '\0')
		body = "Petrel CoAP example: GET /hello";
	else
		code = 0x84; /* 4.04 Not Found */
	resp[n++] = code;
	resp[n++] = req[2];
	resp[n++] = req[3];
	memcpy(resp + n, req + 4, tkl);
	n += tkl;
	if (*body) {
		resp[n++] = 0xC0; /* Content-Format (12): text/plain, empty value = 0 */
		resp[n++] = 0xFF;
		memcpy(resp + n, body, strlen(body));
		n += strlen(body);
	}
	petrel_record_send(s, resp, n);
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE}, *ai;
	if (argc != 5 || getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
		fprintf(stderr, "usage: coap_server ADDR PORT IDENTITY KEY (port 0: any)\n");
		return 2;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		return 1;
	struct sockaddr_storage ss;
	socklen_t ss_len = sizeof ss;
	char host[64], port[8];
	getsockname(fd, (struct sockaddr *)&ss, &ss_len);
	getnameinfo((struct sockaddr *)&ss, ss_len, host, sizeof host, port, sizeof port,
		    NI_NUMERICHOST | NI_NUMERICSERV);
	printf("listening on %s:%s\n", host, port);
	fflush(stdout);
	petrel_credentials *creds;
	petrel_endpoint *ep;
	petrel_credentials_new(&creds);
	petrel_credentials_set_psk(creds, argv[3], (const uint8_t *)argv[4], strlen(argv[4]));
	struct petrel_endpoint_callbacks cb = {.on_data = on_data};
	if (petrel_endpoint_new(&ep, fd, creds, 0, &cb) < 0)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		struct pollfd pfd = {fd, POLLIN, 0};
		unsigned ms = petrel_endpoint_get_timeout(ep);
		poll(&pfd, 1, ms > 1000 ? 1000 : (int)ms);
		if (petrel_endpoint_process(ep) < 0)
			break;
	}
	petrel_endpoint_free(ep);
	petrel_credentials_free(creds);
	freeaddrinfo(ai);
	return 0;
}
