/* A CoAP GET over DTLS with a pre-shared key (RFC 7252 9.1: coaps, PSK,
 * TLS_PSK_WITH_AES_128_CCM_8). Prints the response code and payload.
 * Try it: coap_server 127.0.0.1 5684 device secretkey
 *         coap_client 127.0.0.1 5684 hello device secretkey
 * or against libcoap: coap-server-openssl -A 127.0.0.1 -p 5684 -k secretkey
 *         coap_client 127.0.0.1 5684 time device secretkey
 * The key is the ASCII text, as libcoap's -k takes it. */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <petrel/petrel.h>

enum { COAP_CON = 0, COAP_ACK = 2, COAP_GET = 1, COAP_URI_PATH = 11 };

/* RFC 7252 3: header, 2-byte token, one Uri-Path option per segment. */
static size_t build_get(uint8_t *m, size_t cap, uint16_t mid, const char *path)
{
	size_t n = 0;
	m[n++] = 0x40 | COAP_CON << 4 | 2; /* version 1, CON, token length 2 */
	m[n++] = COAP_GET;
	m[n++] = (uint8_t)(mid >> 8);
	m[n++] = (uint8_t)mid;
	m[n++] = 0xC0;
	m[n++] = 0xAB;
	unsigned last = 0;
	while (*path) {
		size_t len = strcspn(path, "/");
		if (len > 12 || n + 1 + len > cap)
			return 0; /* longer segments need the extended length form */
		if (len > 0) {
			m[n++] = (uint8_t)((COAP_URI_PATH - last) << 4 | len);
			memcpy(m + n, path, len);
			n += len;
			last = COAP_URI_PATH;
		}
		path += len + (path[len] == '/');
	}
	return n;
}

/* The payload follows the 0xFF marker after the options (RFC 7252 3.1:
 * 4-bit delta and length, 13 and 14 announce 1 or 2 extension bytes). */
static const uint8_t *payload(const uint8_t *m, size_t len, size_t *plen)
{
	size_t i = 4 + (m[0] & 15u);
	while (i < len && m[i] != 0xFF) {
		unsigned delta = m[i] >> 4, olen = m[i] & 15u;
		i++;
		if (delta == 15 || olen == 15)
			return NULL;
		i += delta == 13 ? 1 : delta == 14 ? 2 : 0;
		if (olen == 13 && i < len)
			olen = 13u + m[i++];
		else if (olen == 14 && i + 1 < len)
			olen = 269u + (unsigned)(m[i] << 8 | m[i + 1]), i += 2;
		i += olen;
	}
	*plen = i < len ? len - i - 1 : 0;
	return i < len ? m + i + 1 : m + len;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
	if (argc != 6 || getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
		fprintf(stderr, "usage: coap_client HOST PORT PATH IDENTITY KEY\n");
		return 2;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		return 1;
	petrel_credentials *creds;
	petrel_session *s;
	petrel_credentials_new(&creds);
	petrel_credentials_set_psk(creds, argv[4], (const uint8_t *)argv[5], strlen(argv[5]));
	petrel_session_new(&s, PETREL_CLIENT);
	petrel_session_set_credentials(s, creds);
	petrel_transport_set_udp_fd(s, fd);
	int rc;
	do
		rc = petrel_handshake(s);
	while (rc < 0 && !petrel_error_is_fatal(rc));
	uint8_t req[256], resp[1500];
	uint16_t mid = 0x1234;
	int attempts = 5;
	size_t req_len = build_get(req, sizeof req, mid, argv[3]);
	long n = PETREL_E_AGAIN;
	if (rc < 0)
		fprintf(stderr, "handshake: %s\n", petrel_strerror(rc));
	else if (req_len == 0)
		fprintf(stderr, "path segments longer than 12 bytes are not supported here\n");
	if (rc < 0 || req_len == 0)
		attempts = 0;
	/* CON retransmission (RFC 7252 4.2): 2 s, doubling, 4 retries. */
	for (int attempt = 0, wait_ms = 2000; attempt < attempts && n < 0; attempt++, wait_ms *= 2) {
		if (petrel_record_send(s, req, req_len) < 0)
			break;
		struct pollfd pfd = {fd, POLLIN, 0};
		while ((n = petrel_record_recv(s, resp, sizeof resp)) >= 4 || n == PETREL_E_AGAIN) {
			if (n >= 4 && (resp[0] >> 4 & 3) == COAP_CON) {
				uint8_t ack[4] = {0x60, 0, resp[2], resp[3]}; /* empty ACK */
				petrel_record_send(s, ack, sizeof ack);
			}
			if (n >= 6 && resp[1] != 0 && (resp[0] & 15) == 2 && resp[4] == 0xC0 &&
			    resp[5] == 0xAB)
				break; /* our token; an empty ACK (code 0) means a separate reply follows */
			if (n == PETREL_E_AGAIN && poll(&pfd, 1, wait_ms) <= 0)
				break;
		}
	}
	size_t plen = 0;
	const uint8_t *p = n >= 4 ? payload(resp, (size_t)n, &plen) : NULL;
	if (p)
		printf("%u.%02u %.*s\n", resp[1] >> 5, resp[1] & 31u, (int)plen, (const char *)p);
	else if (attempts)
		fprintf(stderr, "no CoAP response\n");
	if (rc == 0)
		petrel_bye(s);
	petrel_session_free(s);
	petrel_credentials_free(creds);
	freeaddrinfo(ai);
	return p && resp[1] >> 5 == 2 ? 0 : 1;
}
