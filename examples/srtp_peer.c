/* One side of a WebRTC-style DTLS-SRTP pair (RFC 5763, RFC 5764): each
 * peer has a fresh self-signed certificate, the SDP offer/answer carries
 * its "a=fingerprint:sha-256 ..." line (RFC 8122), and each pins the
 * other's certificate to the line it received. The use_srtp extension
 * negotiates the SRTP protection profile (the active side offers its
 * list, the passive side picks the first of its own the offer has), and
 * the library splits the keying material into the client and server
 * master keys and salts for that profile (RFC 5764 4.2). The signalling
 * channel is a pair of files here.
 * Try it: srtp_peer passive 127.0.0.1 0 a.sdp b.sdp   (prints its port)
 *         srtp_peer active 127.0.0.1 PORT b.sdp a.sdp */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <petrel/petrel.h>

/* Publish our SDP line atomically, then wait up to 10 s for the peer's. */
static int exchange_sdp(const char *line, const char *mine, const char *theirs, char *peer,
			size_t cap)
{
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s.tmp", mine);
	FILE *f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%s\r\n", line) < 0 || fclose(f) != 0 || rename(tmp, mine) != 0)
		return -1;
	for (int i = 0; i < 200; i++, usleep(50 * 1000)) {
		f = fopen(theirs, "r");
		if (f == NULL)
			continue;
		char *got = fgets(peer, (int)cap, f);
		fclose(f);
		return got ? 0 : -1;
	}
	return -1;
}

static void print_hex(const char *what, const uint8_t *p, size_t n)
{
	printf("%s ", what);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_PASSIVE}, *ai;
	int passive = argc == 6 && strcmp(argv[1], "passive") == 0;
	if (argc != 6 || (!passive && strcmp(argv[1], "active") != 0) ||
	    getaddrinfo(argv[2], argv[3], &hints, &ai) != 0) {
		fprintf(stderr, "usage: srtp_peer passive|active ADDR PORT MY_SDP PEER_SDP\n");
		return 2;
	}
	petrel_credentials *creds;
	petrel_credentials_new(&creds);
	if (petrel_credentials_generate(creds, PETREL_KEYTYPE_ECDSA_P256, "srtp_peer") < 0)
		return 1;
	char line[PETREL_SDP_FINGERPRINT_SIZE], peer_line[256];
	petrel_credentials_get_fingerprint_sdp(creds, line, sizeof line);
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return 1;
	if (passive) { /* a=setup:passive: the DTLS server (RFC 5763 5) */
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		char port[8];
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
		    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
			return 1;
		getnameinfo((struct sockaddr *)&ss, len, NULL, 0, port, sizeof port, NI_NUMERICSERV);
		printf("listening on port %s\n", port);
		fflush(stdout);
	}
	if (exchange_sdp(line, argv[4], argv[5], peer_line, sizeof peer_line) < 0) {
		fprintf(stderr, "no SDP from the peer in %s\n", argv[5]);
		return 1;
	}
	if (passive) {
		/* One peer: learn its address from the first datagram, then use a
		 * connected socket (ICE would have chosen the pair already). */
		struct sockaddr_storage from;
		socklen_t len = sizeof from;
		uint8_t b[1];
		if (recvfrom(fd, b, sizeof b, MSG_PEEK, (struct sockaddr *)&from, &len) < 0 ||
		    connect(fd, (struct sockaddr *)&from, len) < 0)
			return 1;
	} else if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		return 1;
	}
	petrel_session *s;
	petrel_session_new(&s, passive ? PETREL_SERVER | PETREL_FLAG_REQUIRE_CLIENT_CERT
				       : PETREL_CLIENT);
	petrel_session_set_credentials(s, creds);
	/* What a browser offers, most preferred first (RFC 7714 for GCM). */
	petrel_srtp_set_profiles(s, passive ? "SRTP_AEAD_AES_128_GCM,SRTP_AES128_CM_HMAC_SHA1_80"
					    : "SRTP_AES128_CM_HMAC_SHA1_80,SRTP_AEAD_AES_128_GCM");
	int rc = petrel_session_set_verify_sdp(s, peer_line); /* the pin comes from the SDP */
	if (rc < 0) {
		fprintf(stderr, "peer's fingerprint: %s\n", petrel_strerror(rc));
		return 1;
	}
	petrel_transport_set_udp_fd(s, fd);
	petrel_dtls_set_timeouts(s, 0, 10000); /* 400 ms initial, RFC 9147 5.8.2 for DTLS-SRTP */
	do
		rc = petrel_handshake(s);
	while (rc < 0 && !petrel_error_is_fatal(rc));
	/* Without a common profile the handshake still completes (RFC 5764
	 * 4.1.1) and petrel_srtp_get_keys says so: media must not flow then. */
	struct petrel_srtp_keys k;
	if (rc < 0)
		fprintf(stderr, "handshake: %s\n", petrel_strerror(rc));
	else if ((rc = petrel_srtp_get_keys(s, &k)) < 0)
		fprintf(stderr, "no SRTP protection profile in common\n");
	if (rc < 0) {
		petrel_session_free(s);
		petrel_credentials_free(creds);
		freeaddrinfo(ai);
		return 1;
	}
	printf("pinned %s\n", peer_line[0] ? strtok(peer_line, "\r\n") : "");
	printf("srtp profile %s\n", petrel_srtp_get_profile_name(k.profile));
	print_hex("client master key", k.client_key, k.key_len);
	print_hex("server master key", k.server_key, k.key_len);
	print_hex("client master salt", k.client_salt, k.salt_len);
	print_hex("server master salt", k.server_salt, k.salt_len);
	explicit_bzero(&k, sizeof k); /* a real stack hands these to libsrtp first */
	petrel_bye(s);
	petrel_session_free(s);
	petrel_credentials_free(creds);
	freeaddrinfo(ai);
	close(fd);
	return 0;
}
