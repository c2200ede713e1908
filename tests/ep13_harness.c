#include "tests/ep13_harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/dispatch.h"

petrel_session *ep13_server_session;

petrel_credentials *ep13_psk(const char *identity)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	static const uint8_t key[16] = {1, 3, 1, 3, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
	cr_assert_eq(petrel_credentials_set_psk(c, identity, key, sizeof key), 0);
	return c;
}

struct sockaddr_in ep13_addr4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	cr_assert_eq(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

void ep13_exchange_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from)
{
	for (unsigned i = 0; i < c->sent_count; i++)
		cr_assert_eq(petrel_endpoint_feed(ep, c->sent[i], c->sent_len[i], from, sizeof *from,
						  c->now), 0);
	c->sent_count = 0;
	static uint8_t buf[17 * 1024];
	struct sockaddr_storage to;
	unsigned to_len = sizeof to;
	long n;
	while ((n = petrel_endpoint_next_datagram(ep, buf, sizeof buf, &to, &to_len)) > 0) {
		int rc = petrel_engine_feed(c->s, buf, (size_t)n, c->now);
		cr_assert(rc == 0 || !petrel_error_is_fatal(rc), "client: %s", petrel_strerror(rc));
		to_len = sizeof to;
	}
}

void ep13_remember_session(void *ptr, petrel_session *s)
{
	(void)ptr;
	ep13_server_session = s;
}

bool ep13_echo_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from,
		    const char *msg)
{
	cr_assert_eq(petrel_record_send(c->s, msg, strlen(msg)), (long)strlen(msg));
	ep13_exchange_from(ep, c, from);
	char buf[256];
	long n = petrel_engine_read(c->s, buf, sizeof buf);
	return n == (long)strlen(msg) && memcmp(buf, msg, (size_t)n) == 0;
}

int ep13_handshake(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from)
{
	int rc = PETREL_E_AGAIN;
	for (int i = 0; i < 10 && rc != 0; i++) {
		rc = petrel_handshake(c->s);
		ep13_exchange_from(ep, c, from);
	}
	return rc;
}

petrel_endpoint *ep13_cid_endpoint(petrel_credentials *sc)
{
	petrel_endpoint *ep;
	struct petrel_endpoint_callbacks cb = {.on_new_session = ep13_remember_session,
					       .on_data = harness_echo_record};
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, 0, &cb), 0);
	cr_assert_eq(petrel_endpoint_set_cid_length(ep, 6), 0);
	return ep;
}
