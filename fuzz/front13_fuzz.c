/* libFuzzer target: the DTLS 1.3 front door (issue #20 items 1 and 4).
 * Input: datagrams, each [u8 source][u16 length] bytes, fed to a sans-I/O
 * endpoint from one of four addresses (source & 3). Forged, fragmented
 * and cookie-bearing ClientHellos go through the partial-hello table
 * (dtls/first_hello.c) and the stateless HelloRetryRequest
 * (dtls/front13_hrr.c, petrel_dtls13_server_front); whatever happens, no
 * session exists before a valid cookie (never here: the input cannot
 * forge the MAC), every answer is no larger than 256 bytes, and the
 * endpoint frees cleanly. Seeds: any DTLS 1.3 ClientHello datagram with a
 * three-byte prefix. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/front13_hrr.h"
#include "petrel/petrel.h"
#include "common/reader.h"
#include "fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	petrel_credentials *creds;
	petrel_endpoint *ep;
	if (petrel_credentials_new(&creds) < 0)
		return 0;
	static const uint8_t key[16] = {1};
	(void)petrel_credentials_set_psk(creds, "fuzz", key, sizeof key);
	if (petrel_endpoint_new_sans_io(&ep, creds, 0, NULL) < 0) {
		petrel_credentials_free(creds);
		return 0;
	}
	struct petrel_reader r;
	petrel_reader_init(&r, data, size);
	uint64_t now = 1000;
	uint8_t src;
	const uint8_t *d;
	size_t len;
	while (petrel_get_u8(&r, &src) && petrel_get_opaque16(&r, &d, &len)) {
		uint8_t copy[65536];
		memcpy(copy, d, len);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5684)};
		a.sin_addr.s_addr = htonl(0x0a000000u + (src & 3u));
		now += src >> 4;
		CHECK(petrel_endpoint_feed(ep, copy, len, &a, sizeof a, now) == 0);
		uint8_t out[17 * 1024];
		long n;
		while ((n = petrel_endpoint_next_datagram(ep, out, sizeof out, NULL, NULL)) > 0)
			CHECK((size_t)n <= PETREL_FRONT13_ANSWER_MAX);
		struct petrel_endpoint_stats st;
		petrel_endpoint_get_stats(ep, &st);
		CHECK(st.sessions == 0 && st.half_open == 0);
	}
	petrel_endpoint_free(ep);
	petrel_credentials_free(creds);
	return 0;
}
