#include "tests/dtls_nat_harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

petrel_session *nat_server_session;

static void remember_session(void *ptr, petrel_session *s)
{
	(void)ptr;
	nat_server_session = s;
}

petrel_credentials *nat_psk(const char *identity)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	static const uint8_t key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
	cr_assert_eq(petrel_credentials_set_psk(c, identity, key, sizeof key), 0);
	return c;
}

struct sockaddr_in harness_addr4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	cr_assert_eq(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

void nat_open(struct nat_case *t, const char *identity, unsigned cid_len, const char *client_cid,
	      void (*on_established)(void *ptr, petrel_session *s))
{
	t->sc = nat_psk(identity);
	t->cc = nat_psk(identity);
	struct petrel_endpoint_callbacks cb = {.on_new_session = remember_session,
					       .on_established = on_established,
					       .on_data = harness_echo_record};
	cr_assert_eq(petrel_endpoint_new_sans_io(&t->ep, t->sc, 0, &cb), 0);
	cr_assert_eq(petrel_endpoint_set_cid_length(t->ep, cid_len), 0);
	hand_client_init(&t->c, t->cc, 5000000);
	if (client_cid)
		cr_assert_eq(petrel_session_set_cid(t->c.s, (const uint8_t *)client_cid,
						    strlen(client_cid)), 0);
	t->a = harness_addr4("198.51.100.7", 40000);
	t->b = harness_addr4("198.51.100.7", 51234);
}

void nat_free(struct nat_case *t)
{
	petrel_session_free(t->c.s);
	petrel_endpoint_free(t->ep);
	petrel_credentials_free(t->sc);
	petrel_credentials_free(t->cc);
}

unsigned nat_exchange_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from)
{
	for (unsigned i = 0; i < c->sent_count; i++)
		cr_assert_eq(petrel_endpoint_feed(ep, c->sent[i], c->sent_len[i], from, sizeof *from,
						  c->now), 0);
	c->sent_count = 0;
	unsigned back = 0;
	uint8_t buf[17 * 1024];
	struct sockaddr_storage to;
	unsigned to_len = sizeof to;
	long n;
	while ((n = petrel_endpoint_next_datagram(ep, buf, sizeof buf, &to, &to_len)) > 0) {
		cr_assert_eq(to_len, sizeof *from);
		cr_assert_eq(memcmp(&to, from, sizeof *from), 0, "a datagram for another address");
		int rc = petrel_engine_feed(c->s, buf, (size_t)n, c->now);
		cr_assert(rc == 0 || !petrel_error_is_fatal(rc), "client: %s", petrel_strerror(rc));
		back++;
		to_len = sizeof to;
	}
	return back;
}

void nat_handshake_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from)
{
	int rc = PETREL_E_AGAIN;
	for (int i = 0; i < 10 && rc != 0; i++) {
		rc = petrel_handshake(c->s);
		nat_exchange_from(ep, c, from);
	}
	cr_assert_eq(rc, 0, "handshake: %s", petrel_strerror(rc));
}

bool nat_echo_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from,
		   const char *msg)
{
	cr_assert_eq(petrel_record_send(c->s, msg, strlen(msg)), (long)strlen(msg));
	nat_exchange_from(ep, c, from);
	char buf[256];
	long n = petrel_engine_read(c->s, buf, sizeof buf);
	return n == (long)strlen(msg) && memcmp(buf, msg, (size_t)n) == 0;
}

void nat_assert_peer_is(petrel_endpoint *ep, const struct sockaddr_in *want)
{
	cr_assert_eq(petrel_endpoint_session_count(ep), 1);
	struct sockaddr_storage ss;
	unsigned len = sizeof ss;
	cr_assert_eq(petrel_endpoint_session_peer(ep, nat_server_session, &ss, &len), 0);
	cr_assert_eq(len, sizeof *want);
	cr_assert_eq(memcmp(&ss, want, sizeof *want), 0, "the session's address");
}

uint64_t nat_address_updates(petrel_endpoint *ep)
{
	struct petrel_endpoint_stats st;
	petrel_endpoint_get_stats(ep, &st);
	return st.cid_address_updates;
}

void nat_assert_rebinding_moves(struct nat_case *t, size_t peer_cid_len)
{
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_session_get_cid(t->c.s, PETREL_CID_PEERS, &cid, &len), 0);
	cr_assert_eq(len, peer_cid_len);
	t->c.now += 30000;
	cr_assert(nat_echo_from(t->ep, &t->c, &t->b, "after the rebinding"), "the echo reached the new port");
	nat_assert_peer_is(t->ep, &t->b);
	cr_assert_eq(nat_address_updates(t->ep), 1);
	cr_assert(nat_echo_from(t->ep, &t->c, &t->b, "and on"));
	cr_assert(nat_echo_from(t->ep, &t->c, &t->a, "home again"));
	nat_assert_peer_is(t->ep, &t->a);
	cr_assert_eq(nat_address_updates(t->ep), 2);
}

void nat_assert_replays_do_not_move(struct nat_case *t, uint8_t type_mask, uint8_t type_want,
				    const char *what)
{
	cr_assert_eq(petrel_record_send(t->c.s, "seen on the wire", 16), 16);
	cr_assert_eq(t->c.sent_count, 1);
	uint8_t copy[2048];
	size_t copy_len = t->c.sent_len[0];
	memcpy(copy, t->c.sent[0], copy_len);
	cr_assert_eq(copy[0] & type_mask, type_want, "%s", what);
	nat_exchange_from(t->ep, &t->c, &t->a);
	char buf[64];
	cr_assert_eq(petrel_engine_read(t->c.s, buf, sizeof buf), 16);
	struct sockaddr_in evil = harness_addr4("203.0.113.66", 6666);
	cr_assert_eq(petrel_endpoint_feed(t->ep, copy, copy_len, &evil, sizeof evil, t->c.now), 0);
	uint8_t out[17 * 1024];
	cr_assert_eq(petrel_endpoint_next_datagram(t->ep, out, sizeof out, NULL, NULL), PETREL_E_AGAIN,
		     "nothing answers a replay");
	nat_assert_peer_is(t->ep, &t->a);
	/* Authentic but not the newest: no move either. */
	cr_assert_eq(petrel_record_send(t->c.s, "older", 5), 5);
	cr_assert_eq(petrel_record_send(t->c.s, "newer", 5), 5);
	cr_assert_eq(t->c.sent_count, 2);
	uint8_t older[2048];
	size_t older_len = t->c.sent_len[0];
	memcpy(older, t->c.sent[0], older_len);
	memmove(t->c.sent[0], t->c.sent[1], t->c.sent_len[1]);
	t->c.sent_len[0] = t->c.sent_len[1];
	t->c.sent_count = 1;
	nat_exchange_from(t->ep, &t->c, &t->a); /* "newer" from home */
	cr_assert_eq(petrel_endpoint_feed(t->ep, older, older_len, &evil, sizeof evil, t->c.now), 0);
	nat_assert_peer_is(t->ep, &t->a);
	cr_assert_eq(nat_address_updates(t->ep), 0);
	/* The session goes on at home. */
	while (petrel_endpoint_next_datagram(t->ep, out, sizeof out, NULL, NULL) > 0)
		;
	while (petrel_engine_read(t->c.s, buf, sizeof buf) > 0)
		;
	cr_assert(nat_echo_from(t->ep, &t->c, &t->a, "still here"));
}

size_t nat_take_template(struct nat_case *t, uint8_t out[2048])
{
	cr_assert_eq(petrel_record_send(t->c.s, "template", 8), 8);
	size_t len = t->c.sent_len[0];
	memcpy(out, t->c.sent[0], len);
	t->c.sent_count = 0;
	return len;
}

void nat_assert_forgery_does_not_move(struct nat_case *t, uint8_t *forged, size_t len)
{
	struct sockaddr_in evil = harness_addr4("203.0.113.66", 6666);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(petrel_endpoint_feed(t->ep, forged, len, &evil, sizeof evil, t->c.now), 0);
	nat_assert_peer_is(t->ep, &t->a);
	cr_assert_eq(nat_address_updates(t->ep), 0);
	cr_assert(nat_echo_from(t->ep, &t->c, &t->a, "unharmed"));
}

void harness_set_cids(struct harness *h, const char *client_cid, const char *server_cid)
{
	if (client_cid)
		cr_assert_eq(petrel_session_set_cid(h->client.session, (const uint8_t *)client_cid,
						    strlen(client_cid)), 0);
	if (server_cid)
		cr_assert_eq(petrel_session_set_cid(h->server.session, (const uint8_t *)server_cid,
						    strlen(server_cid)), 0);
}

void harness_assert_cid(petrel_session *s, int which, const char *want)
{
	const uint8_t *cid = NULL;
	size_t len = 99;
	cr_assert_eq(petrel_session_get_cid(s, which, &cid, &len), 0);
	cr_assert_eq(len, strlen(want));
	if (len)
		cr_assert_eq(memcmp(cid, want, len), 0);
}
