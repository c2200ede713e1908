/* Test driver over the public API: a full handshake with the server on
 * 127.0.0.1:PORT1, then a resumption of that session with the server on
 * PORT2 (another process, maybe another machine), one echo on each.
 * Prints "PORTn resumed=0|1" per connection; exit 0 when both sessions
 * completed and echoed, 1 otherwise, 2 on usage.
 *   ticket_resume_client IDENTITY:HEXKEY PORT1 PORT2 */
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <petrel/petrel.h>

struct psk {
	char identity[64];
	uint8_t key[64];
	size_t key_len;
};

static int udp_connect(const char *port)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *ai;
	if (getaddrinfo("127.0.0.1", port, &hints, &ai) != 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* One session: handshake (resuming blob if given), echo, then the
 * session data into blob. Returns 0 or -1. */
static int version = PETREL_DTLS1_2;

static int connect_once(const struct psk *psk, const char *port, uint8_t *blob, size_t *blob_len,
			bool resume)
{
	int fd = udp_connect(port);
	petrel_credentials *creds = NULL;
	petrel_session *s = NULL;
	int rc = fd < 0 ? -1 : 0;
	if (rc == 0 && (petrel_credentials_new(&creds) < 0 ||
			petrel_credentials_set_psk(creds, psk->identity, psk->key, psk->key_len) < 0 ||
			petrel_session_new(&s, PETREL_CLIENT) < 0 ||
			/* RFC 5077 tickets (1.2) or RFC 8446 4.6.1 ones (1.3). */
			petrel_session_set_versions(s, version, version) < 0 ||
			petrel_session_set_credentials(s, creds) < 0 ||
			petrel_transport_set_udp_fd(s, fd) < 0))
		rc = -1;
	if (rc == 0 && resume && petrel_session_set_data(s, blob, *blob_len) < 0)
		rc = -1;
	if (rc == 0) {
		petrel_dtls_set_timeouts(s, 500, 10000);
		do
			rc = petrel_handshake(s);
		while (rc < 0 && !petrel_error_is_fatal(rc));
		if (rc < 0)
			fprintf(stderr, "port %s: handshake: %s\n", port, petrel_strerror(rc));
	}
	if (rc == 0) {
		printf("%s resumed=%d\n", port, petrel_session_is_resumed(s));
		const char msg[] = "ticket test";
		char reply[256];
		long n = petrel_record_send(s, msg, sizeof msg - 1);
		struct pollfd pfd = {fd, POLLIN, 0};
		/* Up to 5 s for the echo (loopback loses nothing). */
		for (int tries = 0; n >= 0 && tries < 50; tries++) {
			n = petrel_record_recv(s, reply, sizeof reply);
			if (n != PETREL_E_AGAIN && n != PETREL_E_INTERRUPTED)
				break;
			poll(&pfd, 1, 100);
			n = 0;
		}
		if (n != (long)sizeof msg - 1 || memcmp(reply, msg, sizeof msg - 1) != 0) {
			fprintf(stderr, "port %s: no echo (%ld)\n", port, n);
			rc = -1;
		}
	}
	if (rc == 0 && !resume && petrel_session_get_data(s, blob, blob_len) < 0)
		rc = -1;
	if (s) {
		petrel_bye(s);
		petrel_session_free(s);
	}
	petrel_credentials_free(creds);
	if (fd >= 0)
		close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct psk psk;
	/* An optional fifth argument "1.3": DTLS 1.3 only (default 1.2 only). */
	if (argc == 5 && strcmp(argv[4], "1.3") == 0) {
		version = PETREL_DTLS1_3;
		argc--;
	}
	const char *colon = argc == 4 ? strrchr(argv[1], ':') : NULL;
	if (colon == NULL || (size_t)(colon - argv[1]) >= sizeof psk.identity ||
	    petrel_hex_decode(colon + 1, psk.key, sizeof psk.key, &psk.key_len) < 0) {
		fprintf(stderr, "usage: ticket_resume_client IDENTITY:HEXKEY PORT1 PORT2 [1.3]\n");
		return 2;
	}
	memcpy(psk.identity, argv[1], (size_t)(colon - argv[1]));
	psk.identity[colon - argv[1]] = '\0';
	uint8_t blob[1024];
	size_t blob_len = sizeof blob;
	if (connect_once(&psk, argv[2], blob, &blob_len, false) < 0 ||
	    connect_once(&psk, argv[3], blob, &blob_len, true) < 0)
		return 1;
	return 0;
}
