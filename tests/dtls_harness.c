#include "tests/dtls_harness.h"

#include <stdlib.h>
#include <string.h>

/* The harness's clients speak DTLS 1.2 only, as every client did by
 * default before issue #20 item 3: the tests using it mean 1.2. The
 * library's default (1.3 and 1.2) is tested in tests/vdefault_test.c. */
void harness_pin_dtls12(petrel_session *s)
{
	(void)petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2);
}

static uint64_t harness_clock(void *ptr)
{
	return simnet_now(((struct harness *)ptr)->net);
}

static long harness_push(void *ptr, const uint8_t *data, size_t len)
{
	struct harness_end *end = ptr;
	int r = simnet_send(end->h->net, end->id, data, len);
	if (r == SIMNET_EMSGSIZE)
		return PETREL_E_LARGE_PACKET;
	if (r < 0)
		return PETREL_E_PUSH_ERROR;
	end->datagrams_sent++;
	if (len > end->largest_sent)
		end->largest_sent = len;
	if (end->on_send)
		end->on_send(end, data, len);
	return (long)len;
}

static long harness_pull(void *ptr, uint8_t *buf, size_t cap)
{
	struct harness_end *end = ptr;
	int n = simnet_recv(end->h->net, end->id, buf, cap);
	return n > 0 ? n : PETREL_E_AGAIN;
}

static void end_init(struct harness *h, struct harness_end *end, int id, unsigned flags,
		     petrel_credentials *creds)
{
	memset(end, 0, sizeof *end);
	end->h = h;
	end->id = id;
	end->handshake_rc = PETREL_E_AGAIN;
	int rc = petrel_session_new(&end->session, flags);
	if (rc < 0)
		abort();
	petrel_session_set_credentials(end->session, creds);
	if (!(flags & PETREL_SERVER))
		harness_pin_dtls12(end->session);
	petrel_transport_set_ptr(end->session, end);
	petrel_transport_set_push_function(end->session, harness_push);
	petrel_transport_set_pull_function(end->session, harness_pull);
	petrel_transport_set_clock_function(end->session, harness_clock, h);
}

void harness_init(struct harness *h, uint64_t seed, unsigned client_flags, unsigned server_flags,
		  petrel_credentials *client_creds, petrel_credentials *server_creds)
{
	memset(h, 0, sizeof *h);
	h->net = simnet_new(seed);
	h->client_creds = client_creds;
	h->server_creds = server_creds;
	end_init(h, &h->client, 0, PETREL_CLIENT | client_flags, client_creds);
	end_init(h, &h->server, 1, PETREL_SERVER | server_flags, server_creds);
}

void harness_free(struct harness *h)
{
	petrel_session_free(h->client.session);
	petrel_session_free(h->server.session);
	simnet_free(h->net);
}

static void step(struct harness_end *end)
{
	if (end->done) {
		/* A finished end must still read: the peer may be retransmitting
		 * its last flight because ours was lost (RFC 6347 4.2.4). */
		if (end->pending_len == 0) {
			long n = petrel_record_recv(end->session, end->pending, sizeof end->pending);
			if (n > 0)
				end->pending_len = n;
		}
		return;
	}
	for (int i = 0; i < 64; i++) {
		int rc = petrel_handshake(end->session);
		end->handshake_rc = rc;
		if (rc == 0) {
			end->done = true;
			return;
		}
		if (rc == PETREL_E_LARGE_PACKET) {
			end->large_packet_count++;
			continue;
		}
		if (rc == PETREL_E_WARNING_ALERT_RECEIVED)
			continue;
		return;
	}
}

static bool failed(const struct harness_end *end)
{
	return end->handshake_rc < 0 && petrel_error_is_fatal(end->handshake_rc);
}

int harness_run_handshake(struct harness *h, uint64_t limit_ms)
{
	for (;;) {
		step(&h->client);
		step(&h->server);
		if (h->client.done && h->server.done) {
			h->completed_ms = simnet_now(h->net);
			/* Let the server's final flight settle (nothing else). */
			return 0;
		}
		if (failed(&h->client) || failed(&h->server))
			return -1;
		uint64_t next = simnet_next_event_ms(h->net);
		uint64_t dc = petrel_engine_next_deadline(h->client.session);
		uint64_t ds = petrel_engine_next_deadline(h->server.session);
		if (dc < next)
			next = dc;
		if (ds < next)
			next = ds;
		uint64_t now = simnet_now(h->net);
		if (next == UINT64_MAX || next > limit_ms)
			return -2;
		if (next > now)
			simnet_advance_to(h->net, next);
		else if (simnet_next_event_ms(h->net) > now && dc > now && ds > now)
			return -3; /* nothing can happen: stuck */
	}
}

static long recv_now(struct harness_end *end, char *buf, size_t cap)
{
	if (end->pending_len > 0) {
		long n = end->pending_len;
		if ((size_t)n > cap)
			n = (long)cap;
		memcpy(buf, end->pending, (size_t)n);
		end->pending_len = 0;
		return n;
	}
	return petrel_record_recv(end->session, buf, cap);
}

int harness_echo(struct harness *h, const char *msg, uint64_t limit_ms)
{
	size_t len = strlen(msg);
	char buf[2048];
	/* Application data is unreliable; resend until the echo arrives. */
	for (int attempt = 0; attempt < 50; attempt++) {
		if (petrel_record_send(h->client.session, msg, len) != (long)len)
			return -1;
		uint64_t until = simnet_now(h->net) + 1000;
		bool server_got = false;
		while (simnet_now(h->net) < until && simnet_now(h->net) < limit_ms) {
			if (!server_got) {
				long n = recv_now(&h->server, buf, sizeof buf);
				if (n == (long)len && memcmp(buf, msg, len) == 0) {
					server_got = true;
					if (petrel_record_send(h->server.session, buf, (size_t)n) != n)
						return -1;
				}
			} else {
				long n = recv_now(&h->client, buf, sizeof buf);
				if (n == (long)len && memcmp(buf, msg, len) == 0)
					return 0;
			}
			(void)petrel_engine_tick(h->client.session, simnet_now(h->net));
			(void)petrel_engine_tick(h->server.session, simnet_now(h->net));
			uint64_t next = simnet_next_event_ms(h->net);
			if (next == UINT64_MAX || next > until)
				next = until;
			if (next <= simnet_now(h->net))
				next = simnet_now(h->net) + 1;
			simnet_advance_to(h->net, next);
		}
		if (server_got)
			attempt = 0 + attempt; /* the echo itself was lost: resend */
	}
	return -1;
}

unsigned harness_seeds(unsigned full)
{
	if (getenv("PETREL_TEST_QUICK") == NULL)
		return full;
	return full / 10 > 10 ? full / 10 : (full < 10 ? full : 10);
}

petrel_credentials *harness_psk_creds(void)
{
	petrel_credentials *c;
	if (petrel_credentials_new(&c) < 0)
		abort();
	static const uint8_t key[16] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
					0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
	if (petrel_credentials_set_psk(c, "device-1", key, sizeof key) < 0)
		abort();
	return c;
}

petrel_credentials *harness_cert_creds(int keytype)
{
	petrel_credentials *c;
	if (petrel_credentials_new(&c) < 0)
		abort();
	if (petrel_credentials_generate(c, keytype, "petrel.test") < 0)
		abort();
	return c;
}

static long hand_push(void *ptr, const uint8_t *data, size_t len)
{
	struct hand_client *c = ptr;
	if (c->sent_count < HAND_CLIENT_MAX_SENT && len <= sizeof c->sent[0]) {
		memcpy(c->sent[c->sent_count], data, len);
		c->sent_len[c->sent_count++] = len;
	}
	return (long)len;
}

long harness_nothing_pull(void *ptr, uint8_t *buf, size_t cap)
{
	(void)ptr;
	(void)buf;
	(void)cap;
	return PETREL_E_AGAIN;
}

static uint64_t hand_clock(void *ptr)
{
	return ((struct hand_client *)ptr)->now;
}

void hand_client_init(struct hand_client *c, petrel_credentials *cc, uint64_t now)
{
	memset(c, 0, sizeof *c);
	c->now = now;
	if (petrel_session_new(&c->s, PETREL_CLIENT) < 0)
		abort();
	petrel_session_set_credentials(c->s, cc);
	harness_pin_dtls12(c->s);
	petrel_transport_set_ptr(c->s, c);
	petrel_transport_set_push_function(c->s, hand_push);
	petrel_transport_set_pull_function(c->s, harness_nothing_pull);
	petrel_transport_set_clock_function(c->s, hand_clock, c);
}

void harness_free_all(struct harness *h)
{
	harness_free(h);
	petrel_credentials_free(h->client_creds);
	petrel_credentials_free(h->server_creds);
}

void harness_echo_record(void *ptr, petrel_session *s, const uint8_t *data, size_t len)
{
	(void)ptr;
	if (petrel_record_send(s, data, len) != (long)len)
		abort();
}

int harness_tick_until_failed(petrel_session *s, uint64_t limit_ms)
{
	for (;;) {
		uint64_t d = petrel_engine_next_deadline(s);
		if (d > limit_ms)
			return 0;
		int rc = petrel_engine_tick(s, d);
		if (rc < 0 && petrel_error_is_fatal(rc))
			return rc;
	}
}
