#include "tests/dtls_front_harness.h"

#include <criterion/criterion.h>
#include <string.h>

#include "tests/dtls_harness.h"

uint64_t front_now = 10000;

uint64_t front_clock(void *ptr)
{
	(void)ptr;
	return front_now;
}

long dgram_log_push(void *ptr, const uint8_t *data, size_t len)
{
	struct dgram_log *l = ptr;
	if (l->count < DGRAM_LOG_MAX && len <= sizeof l->d[0]) {
		memcpy(l->d[l->count], data, len);
		l->len[l->count++] = len;
	}
	return (long)len;
}

petrel_session *front_client(petrel_credentials *cc, struct dgram_log *log)
{
	petrel_session *c;
	cr_assert_eq(petrel_session_new(&c, PETREL_CLIENT), 0);
	petrel_session_set_credentials(c, cc);
	petrel_transport_set_ptr(c, log);
	petrel_transport_set_push_function(c, dgram_log_push);
	petrel_transport_set_pull_function(c, harness_nothing_pull);
	petrel_transport_set_clock_function(c, front_clock, NULL);
	return c;
}

void front_feed(petrel_session *s, const uint8_t *d, size_t len)
{
	uint8_t copy[17 * 1024];
	cr_assert_leq(len, sizeof copy);
	memcpy(copy, d, len);
	int rc = petrel_engine_feed(s, copy, len, front_now);
	cr_assert(rc == 0 || !petrel_error_is_fatal(rc), "%s", petrel_strerror_name(rc));
}

petrel_endpoint *front_endpoint(petrel_credentials *sc, unsigned flags,
				const struct petrel_endpoint_callbacks *cb)
{
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, sc, flags, cb), 0);
	return ep;
}

struct sockaddr_in front_v4(uint32_t ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(ip);
	return a;
}

void front_feed_ep(petrel_endpoint *ep, const uint8_t *d, size_t len, const struct sockaddr_in *a)
{
	uint8_t copy[2048];
	cr_assert_leq(len, sizeof copy);
	memcpy(copy, d, len);
	cr_assert_eq(petrel_endpoint_feed(ep, copy, len, a, sizeof *a, front_now), 0);
}

struct petrel_endpoint_stats front_ep_stats(const petrel_endpoint *ep)
{
	struct petrel_endpoint_stats st;
	petrel_endpoint_get_stats(ep, &st);
	return st;
}

long front_next_answer(petrel_endpoint *ep, const struct sockaddr_in *a, uint8_t *buf, size_t cap,
		       unsigned *others)
{
	struct sockaddr_storage to;
	unsigned to_len = sizeof to;
	long n;
	while ((n = petrel_endpoint_next_datagram(ep, buf, cap, &to, &to_len)) > 0) {
		to_len = sizeof to;
		const struct sockaddr_in *t = (const struct sockaddr_in *)&to;
		if (a && t->sin_addr.s_addr == a->sin_addr.s_addr && t->sin_port == a->sin_port)
			return n;
		if (others)
			(*others)++;
	}
	return 0;
}

unsigned front_drain_to(petrel_endpoint *ep, petrel_session *client, const struct sockaddr_in *a)
{
	uint8_t buf[17 * 1024];
	unsigned back = 0;
	long n;
	while ((n = front_next_answer(ep, a, buf, sizeof buf, NULL)) > 0) {
		front_feed(client, buf, (size_t)n);
		back++;
	}
	return back;
}

int front_connect_through(petrel_endpoint *ep, petrel_session *c, struct dgram_log *log,
			  const struct sockaddr_in *a)
{
	int rc = petrel_handshake(c);
	for (int i = 0; i < 20 && rc != 0; i++) {
		for (unsigned j = 0; j < log->count; j++)
			front_feed_ep(ep, log->d[j], log->len[j], a);
		log->count = 0;
		front_drain_to(ep, c, a);
		rc = petrel_handshake(c);
	}
	for (unsigned j = 0; j < log->count; j++)
		front_feed_ep(ep, log->d[j], log->len[j], a);
	log->count = 0;
	front_drain_to(ep, c, a);
	return rc;
}

void front_free(petrel_session *c, petrel_endpoint *ep, petrel_credentials *cc, petrel_credentials *sc)
{
	petrel_session_free(c);
	petrel_endpoint_free(ep);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}
