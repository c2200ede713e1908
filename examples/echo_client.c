/* Send one message over DTLS with a pre-shared key and print the reply.
 * Try it: petrel server --port 4433 --echo --psk example:000102030405060708090a0b0c0d0e0f
 *         echo_client 127.0.0.1 4433 */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <petrel/petrel.h>

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai;
	if (argc != 3 || getaddrinfo(argv[1], argv[2], &hints, &ai) != 0)
		return 2;
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		return 1;
	static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	petrel_credentials *creds;
	petrel_session *s;
	petrel_credentials_new(&creds);
	petrel_credentials_set_psk(creds, "example", key, sizeof key);
	petrel_session_new(&s, PETREL_CLIENT);
	petrel_session_set_credentials(s, creds);
	petrel_transport_set_udp_fd(s, fd); /* handshake waits and retransmits */
	int rc;
	do
		rc = petrel_handshake(s);
	while (rc < 0 && !petrel_error_is_fatal(rc));
	if (rc < 0) {
		fprintf(stderr, "handshake: %s\n", petrel_strerror(rc));
		return 1;
	}
	const char *msg = "hello, petrel";
	if (petrel_record_send(s, msg, strlen(msg)) < 0)
		return 1;
	char reply[1500];
	long n;
	struct pollfd pfd = {fd, POLLIN, 0};
	/* Datagrams can be lost: wait at most 3 s for the reply. */
	while ((n = petrel_record_recv(s, reply, sizeof reply)) == PETREL_E_AGAIN)
		if (poll(&pfd, 1, 3000) <= 0)
			break;
	if (n > 0)
		printf("%.*s\n", (int)n, reply);
	petrel_bye(s);
	petrel_session_free(s);
	petrel_credentials_free(creds);
	freeaddrinfo(ai);
	return n > 0 ? 0 : 1;
}
