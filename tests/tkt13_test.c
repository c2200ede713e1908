/* DTLS 1.3 (issue #20), three pieces:
 * - tickets bound to the server name and ALPN (RFC 8446 4.6.1, 4.2.11;
 *   RFC 6066 3): the same name and protocol resume, another gives a full
 *   handshake, an old-format ticket or blob gives a full handshake;
 * - CIDs we issue after the handshake (RFC 9147 9): NewConnectionId sent,
 *   acknowledged, accepted in records and routed by the endpoint once the
 *   peer uses one from a new address; RequestConnectionId answered within
 *   the caps;
 * - ALPN without overlap (RFC 7301 3.2): the server sends
 *   no_application_protocol in the clear to a cookie-proven address; the
 *   client does not end its handshake on an unprotected alert but names
 *   it when the handshake times out; a spoofed alert changes nothing. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_update.h"
#include "dtls13/engine13.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/ext13_names.h"
#include "dtls13/messages13.h"
#include "dtls13/perf13_idle.h"
#include "dtls13/ticket13.h"
#include "petrel/petrel.h"
#include "tests/cid13_dup.h"
#include "tests/dtls_harness.h"
#include "tests/ep13_harness.h"
#include "tests/simnet.h"

static void only13(petrel_session *s)
{
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
}

/* ---- tickets bound to SNI and ALPN ------------------------------------- */

struct conn {
	const char *client_sni, *client_alpn, *server_alpn;
	const uint8_t *blob;
	size_t blob_len;
};

struct outcome {
	int resumed;
	uint8_t blob[1024];
	size_t blob_len;
};

static void connect13(petrel_credentials *cc, petrel_credentials *sc, uint64_t seed,
		      const struct conn *c, struct outcome *out)
{
	struct harness h;
	harness_init(&h, seed, 0, 0, cc, sc);
	only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	if (c->client_sni)
		cr_assert_eq(petrel_session_set_server_name(h.client.session, c->client_sni), 0);
	if (c->client_alpn)
		cr_assert_eq(petrel_session_set_alpn(h.client.session, c->client_alpn), 0);
	if (c->server_alpn)
		cr_assert_eq(petrel_session_set_alpn(h.server.session, c->server_alpn), 0);
	if (c->blob)
		cr_assert_eq(petrel_session_set_data(h.client.session, c->blob, c->blob_len), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(harness_echo(&h, "one", 60000), 0);
	cr_assert_eq(harness_echo(&h, "two", 60000), 0); /* the ticket arrives */
	out->resumed = petrel_session_is_resumed(h.client.session);
	cr_assert_eq(out->resumed, petrel_session_is_resumed(h.server.session));
	out->blob_len = sizeof out->blob;
	if (petrel_session_get_data(h.client.session, out->blob, &out->blob_len) < 0)
		out->blob_len = 0;
	harness_free(&h);
}

struct creds2 {
	petrel_credentials *cc, *sc;
};

static struct creds2 creds(void)
{
	struct creds2 c = {harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
			   harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256)};
	return c;
}

static void creds_free(struct creds2 *c)
{
	petrel_credentials_free(c->cc);
	petrel_credentials_free(c->sc);
}

/* A first full connection to a.example with ALPN "coap": its ticket. */
static void first_ticket(struct creds2 *k, uint64_t seed, struct outcome *first)
{
	struct conn c = {.client_sni = "a.example", .client_alpn = "coap,h3", .server_alpn = "coap"};
	connect13(k->cc, k->sc, seed, &c, first);
	cr_assert_eq(first->resumed, 0);
	cr_assert_gt(first->blob_len, 0);
	struct petrel_ticket13_blob b;
	cr_assert_eq(petrel_ticket13_blob_parse(first->blob, first->blob_len, &b), 0);
	cr_assert_eq(b.server_name_len, 9);
	cr_assert_eq(memcmp(b.server_name, "a.example", 9), 0, "the blob names its server");
}

Test(tkt13_ticket, same_sni_and_alpn_resumes)
{
	struct creds2 k = creds();
	struct outcome first, second;
	first_ticket(&k, 1, &first);
	struct conn c = {.client_sni = "a.example", .client_alpn = "coap,h3", .server_alpn = "coap",
			 .blob = first.blob, .blob_len = first.blob_len};
	connect13(k.cc, k.sc, 2, &c, &second);
	cr_assert_eq(second.resumed, 1);
	creds_free(&k);
}

/* The client's blob with another server name (the server's side of the
 * check: a client that offers it anyway). */
static size_t rename_blob(const uint8_t *blob, size_t len, const char *name, uint8_t *out)
{
	struct petrel_ticket13_blob b;
	cr_assert_eq(petrel_ticket13_blob_parse(blob, len, &b), 0);
	size_t head = len - 1 - b.server_name_len;
	memcpy(out, blob, head);
	out[head] = (uint8_t)strlen(name);
	memcpy(out + head + 1, name, strlen(name));
	return head + 1 + strlen(name);
}

Test(tkt13_ticket, server_gives_a_full_handshake_for_another_sni)
{
	struct creds2 k = creds();
	struct outcome first, second;
	first_ticket(&k, 3, &first);
	uint8_t forged[1100];
	size_t n = rename_blob(first.blob, first.blob_len, "b.example", forged);
	struct conn c = {.client_sni = "b.example", .client_alpn = "coap,h3", .server_alpn = "coap",
			 .blob = forged, .blob_len = n};
	connect13(k.cc, k.sc, 4, &c, &second);
	cr_assert_eq(second.resumed, 0, "RFC 6066 3: not resumed for another name");
	cr_assert_gt(second.blob_len, 0, "a full handshake, with a fresh ticket");
	creds_free(&k);
}

Test(tkt13_ticket, client_offers_a_ticket_only_to_its_server_name)
{
	struct creds2 k = creds();
	struct outcome first, second;
	first_ticket(&k, 5, &first);
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.server_name = "b.example";
	cr_assert_eq(petrel_ticket13_client_offer(first.blob, first.blob_len, 0, &cfg), 1);
	cr_assert_null(cfg.psk_identity, "not offered to b.example");
	cfg.server_name = "a.example";
	cr_assert_eq(petrel_ticket13_client_offer(first.blob, first.blob_len, 0, &cfg), 0);
	cr_assert_not_null(cfg.psk_identity);
	struct conn c = {.client_sni = "b.example", .client_alpn = "coap,h3", .server_alpn = "coap",
			 .blob = first.blob, .blob_len = first.blob_len};
	connect13(k.cc, k.sc, 6, &c, &second);
	cr_assert_eq(second.resumed, 0);
	creds_free(&k);
}

Test(tkt13_ticket, another_alpn_outcome_gives_a_full_handshake)
{
	struct creds2 k = creds();
	struct outcome first, second;
	first_ticket(&k, 7, &first);
	/* The server now prefers h3: ALPN negotiated again, another outcome. */
	struct conn c = {.client_sni = "a.example", .client_alpn = "coap,h3", .server_alpn = "h3,coap",
			 .blob = first.blob, .blob_len = first.blob_len};
	connect13(k.cc, k.sc, 8, &c, &second);
	cr_assert_eq(second.resumed, 0, "RFC 8446 4.6.1: ALPN differs, full handshake");
	/* And no ALPN at all this time: also another outcome. */
	struct outcome third;
	struct conn c3 = {.client_sni = "a.example", .blob = first.blob, .blob_len = first.blob_len};
	connect13(k.cc, k.sc, 9, &c3, &third);
	cr_assert_eq(third.resumed, 0);
	creds_free(&k);
}

Test(tkt13_ticket, old_format_blob_and_ticket_give_a_full_handshake)
{
	struct creds2 k = creds();
	struct outcome first, second, third;
	first_ticket(&k, 10, &first);
	/* A blob of the previous format (version 0x13): taken, not offered. */
	uint8_t old[1100];
	memcpy(old, first.blob, first.blob_len);
	old[0] = PETREL_TICKET13_BLOB_VERSION_OLD;
	cr_assert(petrel_ticket13_is_blob(old, first.blob_len));
	struct conn c = {.client_sni = "a.example", .client_alpn = "coap,h3", .server_alpn = "coap",
			 .blob = old, .blob_len = first.blob_len};
	connect13(k.cc, k.sc, 11, &c, &second);
	cr_assert_eq(second.resumed, 0);
	cr_assert_gt(second.blob_len, 0);
	/* A ticket of the previous layout (32 bytes shorter, no binding):
	 * the server does not open it. */
	struct petrel_ticket13_blob b;
	cr_assert_eq(petrel_ticket13_blob_parse(first.blob, first.blob_len, &b), 0);
	cr_assert_eq(b.ticket_len, PETREL_TICKET13_LEN);
	size_t ticket_at = (size_t)(b.ticket - first.blob);
	size_t short_len = PETREL_TICKET13_LEN - PETREL_TICKET13_BINDING_LEN;
	uint8_t shorter[1100];
	memcpy(shorter, first.blob, ticket_at - 2);
	shorter[ticket_at - 2] = (uint8_t)(short_len >> 8);
	shorter[ticket_at - 1] = (uint8_t)short_len;
	memcpy(shorter + ticket_at, b.ticket, short_len);
	size_t rest = first.blob_len - ticket_at - b.ticket_len;
	memcpy(shorter + ticket_at + short_len, b.ticket + b.ticket_len, rest);
	size_t shorter_len = ticket_at + short_len + rest;
	cr_assert_eq(petrel_ticket13_blob_parse(shorter, shorter_len, &b), 0);
	struct conn c3 = {.client_sni = "a.example", .client_alpn = "coap,h3", .server_alpn = "coap",
			  .blob = shorter, .blob_len = shorter_len};
	connect13(k.cc, k.sc, 12, &c3, &third);
	cr_assert_eq(third.resumed, 0);
	creds_free(&k);
}

/* sni12fix: server names compare without ASCII case (RFC 4343 3), on
 * the client's offer and in the server's binding; a trailing dot is
 * another name (RFC 6066 3 sends HostName without one). */
Test(tkt13_ticket, server_name_case_does_not_matter_a_trailing_dot_does)
{
	struct creds2 k = creds();
	struct outcome first, second, third;
	first_ticket(&k, 13, &first);
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.server_name = "A.EXAMPLE";
	cr_assert_eq(petrel_ticket13_client_offer(first.blob, first.blob_len, 0, &cfg), 0);
	memset(&cfg, 0, sizeof cfg);
	cfg.server_name = "a.example.";
	cr_assert_eq(petrel_ticket13_client_offer(first.blob, first.blob_len, 0, &cfg), 1);
	memset(&cfg, 0, sizeof cfg);
	cfg.server_name = "\xc1.example"; /* Latin-1, not an ASCII letter */
	cr_assert_eq(petrel_ticket13_client_offer(first.blob, first.blob_len, 0, &cfg), 1);
	struct conn c = {.client_sni = "A.Example", .client_alpn = "coap,h3", .server_alpn = "coap",
			 .blob = first.blob, .blob_len = first.blob_len};
	connect13(k.cc, k.sc, 14, &c, &second);
	cr_assert_eq(second.resumed, 1, "the ticket for a.example resumes A.Example");
	/* A ticket bound to "a.example." (a client sending the dot against
	 * RFC 6066 3): the server's binding keeps the dot, and a Petrel
	 * client sends "a.example" (petrel_session_set_server_name drops
	 * the dot), so it is not even offered: a full handshake. */
	uint8_t forged[1100];
	size_t n = rename_blob(first.blob, first.blob_len, "a.example.", forged);
	struct conn c3 = {.client_sni = "a.example.", .client_alpn = "coap,h3",
			  .server_alpn = "coap", .blob = forged, .blob_len = n};
	connect13(k.cc, k.sc, 15, &c3, &third);
	cr_assert_eq(third.resumed, 0);
	creds_free(&k);
}

/* A ticket from a connection without a server name, offered with one
 * (and the old blob format without a name): a full handshake. */
Test(tkt13_ticket, nameless_ticket_and_old_blob_without_a_name)
{
	struct creds2 k = creds();
	struct outcome first, again, named, old_out;
	struct conn c = {.client_alpn = "coap", .server_alpn = "coap"};
	connect13(k.cc, k.sc, 16, &c, &first);
	cr_assert_eq(first.resumed, 0);
	cr_assert_gt(first.blob_len, 0);
	c.blob = first.blob;
	c.blob_len = first.blob_len;
	connect13(k.cc, k.sc, 17, &c, &again);
	cr_assert_eq(again.resumed, 1, "no name both times: resumed");
	uint8_t forged[1100];
	size_t n = rename_blob(first.blob, first.blob_len, "a.example", forged);
	struct conn c2 = {.client_sni = "a.example", .client_alpn = "coap", .server_alpn = "coap",
			  .blob = forged, .blob_len = n};
	connect13(k.cc, k.sc, 18, &c2, &named);
	cr_assert_eq(named.resumed, 0, "RFC 6066 3: none then, one now");
	uint8_t old[1100];
	memcpy(old, first.blob, first.blob_len);
	old[0] = PETREL_TICKET13_BLOB_VERSION_OLD;
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cr_assert_lt(petrel_ticket13_client_offer(old, first.blob_len, 0, &cfg), 0);
	cr_assert_null(cfg.psk_identity);
	struct conn c3 = {.client_alpn = "coap", .server_alpn = "coap", .blob = old,
			  .blob_len = first.blob_len};
	connect13(k.cc, k.sc, 19, &c3, &old_out);
	cr_assert_eq(old_out.resumed, 0, "an old blob is never offered, name or not");
	creds_free(&k);
}

/* A ClientHello extension block with one server_name of len bytes. */
static size_t sni_block(size_t len, uint8_t *out, size_t cap)
{
	uint8_t name[400];
	cr_assert_leq(len, sizeof name);
	memset(name, 'x', len);
	struct petrel_writer w;
	struct petrel_len_scope ext, list;
	petrel_writer_init(&w, out, cap);
	petrel_put_u16(&w, PETREL_EXT13_SERVER_NAME);
	petrel_put_len_open(&w, 2, &ext);
	petrel_put_len_open(&w, 2, &list);
	petrel_put_u8(&w, 0); /* host_name */
	petrel_put_opaque16(&w, name, len);
	petrel_put_len_close(&w, &list);
	petrel_put_len_close(&w, &ext);
	cr_assert(petrel_writer_ok(&w));
	return petrel_writer_len(&w);
}

/* sni12fix: a host_name too long to keep is not "no name" for the
 * binding (as the 1.2 server's sni_unbound): it matches no ticket. */
Test(tkt13_ticket, overlong_server_name_binds_to_nothing)
{
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	uint8_t block[512];
	struct petrel_ext13_names none, kept, longer;
	memset(&none, 0, sizeof none);
	cr_assert_eq(petrel_ext13_names_server_read(&kept, &cfg, block,
						    sni_block(PETREL_EXT13_HOST_MAX, block, sizeof block)), 0);
	cr_assert(kept.has_host);
	cr_assert_not(kept.host_unbound);
	cr_assert_eq(petrel_ext13_names_server_read(&longer, &cfg, block,
						    sni_block(PETREL_EXT13_HOST_MAX + 1, block, sizeof block)), 0);
	cr_assert_not(longer.has_host);
	cr_assert(longer.host_unbound);
	uint8_t b_none[PETREL_TICKET13_BINDING_LEN], b1[PETREL_TICKET13_BINDING_LEN];
	uint8_t b2[PETREL_TICKET13_BINDING_LEN];
	petrel_ticket13_binding(&none, b_none);
	petrel_ticket13_binding(&longer, b1);
	petrel_ticket13_binding(&longer, b2);
	cr_assert_neq(memcmp(b_none, b1, sizeof b1), 0);
	cr_assert_neq(memcmp(b1, b2, sizeof b1), 0, "not even itself");
}

/* ---- CIDs we issue (NewConnectionId, RequestConnectionId) ---------------- */

static size_t issued(const petrel_session *s)
{
	return s->cid && s->cid->issued13 ? s->cid->issued13->count : 0;
}

Test(tkt13_cid, new_cids_are_sent_acknowledged_and_accepted)
{
	struct harness h;
	cid13_dup_pair(&h, 21);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	cr_assert_eq(petrel_session_new_cids(sv, 2, PETREL_CID_USAGE_IMMEDIATE), 0);
	cr_assert_eq(issued(sv), 2);
	cr_assert(sv->d13->flight_active, "retransmitted until acknowledged");
	cr_assert_eq(petrel_session_new_cids(sv, 1, PETREL_CID_USAGE_SPARE), PETREL_E_AGAIN);
	cr_assert_eq(harness_echo(&h, "after", 60000), 0);
	cr_assert_eq(harness_echo(&h, "its ACK arrives", 60000), 0);
	cr_assert_not(sv->d13->flight_active, "the client acknowledged it");
	/* The client switched to the first new CID (cid_immediate) and the
	 * server took its records. */
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_session_get_cid(cl, PETREL_CID_PEERS, &cid, &len), 0);
	cr_assert_eq(len, 7, "the negotiated length");
	cr_assert_neq(memcmp(cid, "srv-cid", 7), 0);
	cr_assert(petrel_cid13_issued_has(sv->cid->issued13, cid, len));
	cr_assert_eq(harness_echo(&h, "on the new cid", 60000), 0);
	/* Caps: 4 per message, 8 in all. */
	cr_assert_eq(petrel_session_new_cids(sv, 5, PETREL_CID_USAGE_SPARE), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_new_cids(sv, 0, PETREL_CID_USAGE_SPARE), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_new_cids(sv, 4, PETREL_CID_USAGE_SPARE), 0);
	cr_assert_eq(harness_echo(&h, "more", 60000), 0);
	cr_assert_eq(harness_echo(&h, "and its ACK", 60000), 0);
	cr_assert_eq(petrel_session_new_cids(sv, 3, PETREL_CID_USAGE_SPARE), PETREL_E_LIMIT_EXCEEDED);
	cr_assert_eq(petrel_session_new_cids(sv, 2, PETREL_CID_USAGE_SPARE), 0);
	cr_assert_eq(issued(sv), PETREL_CID13_ISSUE_MAX);
	cr_assert_eq(harness_echo(&h, "all", 60000), 0);
	harness_free_all(&h);
}

Test(tkt13_cid, new_cids_need_a_13_session_with_cids)
{
	struct harness h;
	harness_init(&h, 22, 0, 0, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_new_cids(h.client.session, 1, PETREL_CID_USAGE_SPARE),
		     PETREL_E_INVALID_REQUEST, "before the handshake");
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_new_cids(h.server.session, 1, PETREL_CID_USAGE_SPARE),
		     PETREL_E_INVALID_REQUEST, "no CIDs negotiated");
	cr_assert_eq(petrel_session_new_cids(h.server.session, 1, 7), PETREL_E_INVALID_REQUEST);
	harness_free_all(&h);
}

Test(tkt13_cid, request_connection_id_is_answered_within_the_caps)
{
	struct harness h;
	cid13_dup_pair(&h, 23);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	static const uint8_t nine[] = {9};
	cr_assert_eq(cid13_dup_send_message(cl, sv, PETREL_HS13_REQUEST_CONNECTION_ID, nine, 1,
				  simnet_now(h.net)), 0);
	cr_assert_eq(issued(sv), PETREL_CID13_ISSUE_PER_MESSAGE, "9 asked, 4 per message");
	cr_assert(sv->d13->flight_active);
	cr_assert_eq(harness_echo(&h, "one", 60000), 0);
	cr_assert_eq(harness_echo(&h, "its ACK", 60000), 0);
	cr_assert_not(sv->d13->flight_active, "acknowledged");
	cr_assert_eq(cid13_dup_send_message(cl, sv, PETREL_HS13_REQUEST_CONNECTION_ID, nine, 1,
				  simnet_now(h.net)), 0);
	cr_assert_eq(issued(sv), PETREL_CID13_ISSUE_MAX);
	cr_assert_eq(harness_echo(&h, "two", 60000), 0);
	cr_assert_eq(harness_echo(&h, "its ACK too", 60000), 0);
	/* Nothing left to give: acknowledged, not answered. */
	cr_assert_eq(cid13_dup_send_message(cl, sv, PETREL_HS13_REQUEST_CONNECTION_ID, nine, 1,
				  simnet_now(h.net)), 0);
	cr_assert_eq(issued(sv), PETREL_CID13_ISSUE_MAX);
	cr_assert_not(sv->d13->flight_active);
	cr_assert_eq(harness_echo(&h, "three", 60000), 0);
	harness_free_all(&h);
}

Test(tkt13_cid, request_during_a_flight_is_answered_after_it)
{
	struct harness h;
	cid13_dup_pair(&h, 24);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	cr_assert_eq(petrel_session_new_cids(sv, 1, PETREL_CID_USAGE_SPARE), 0);
	static const uint8_t two[] = {2};
	cr_assert_eq(cid13_dup_send_message(cl, sv, PETREL_HS13_REQUEST_CONNECTION_ID, two, 1,
				  simnet_now(h.net)), 0);
	cr_assert_eq(issued(sv), 1, "deferred: our first flight is out");
	for (int i = 0; i < 4 && issued(sv) < 3; i++)
		cr_assert_eq(harness_echo(&h, "drive", 60000), 0);
	cr_assert_eq(issued(sv), 3, "answered once the first was acknowledged");
	harness_free_all(&h);
}

/* -- at the endpoint -- */

Test(tkt13_cid_endpoint, a_new_cid_routes_from_a_new_address)
{
	petrel_credentials *sc = ep13_psk("tkt13-client"), *cc = ep13_psk("tkt13-client");
	petrel_endpoint *ep = ep13_cid_endpoint(sc);
	struct hand_client c;
	hand_client_init(&c, cc, 5000000);
	only13(c.s);
	cr_assert_eq(petrel_session_set_cid(c.s, (const uint8_t *)"", 0), 0);
	struct sockaddr_in a = ep13_addr4("198.51.100.7", 40000), b = ep13_addr4("192.0.2.99", 6000);
	int rc = ep13_handshake(ep, &c, &a);
	cr_assert_eq(rc, 0);
	cr_assert(ep13_echo_from(ep, &c, &a, "hello"));
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_session_get_cid(c.s, PETREL_CID_PEERS, &cid, &len), 0);
	uint8_t first[6];
	memcpy(first, cid, 6);
	/* The server session issues one, the endpoint's: the client switches. */
	cr_assert_eq(petrel_session_new_cids(ep13_server_session, 1, PETREL_CID_USAGE_IMMEDIATE), 0);
	ep13_exchange_from(ep, &c, &a); /* NewConnectionId to the client */
	ep13_exchange_from(ep, &c, &a); /* its ACK to the server */
	cr_assert_not(ep13_server_session->d13->flight_active, "acknowledged");
	cr_assert_eq(petrel_session_get_cid(c.s, PETREL_CID_PEERS, &cid, &len), 0);
	cr_assert_eq(len, 6);
	cr_assert_neq(memcmp(cid, first, 6), 0, "the client uses the new CID");
	/* From an address the endpoint never saw: only the new CID finds it. */
	c.now += 1000;
	cr_assert(ep13_echo_from(ep, &c, &b, "from elsewhere"), "routed by the new CID");
	cr_assert_eq(petrel_endpoint_session_count(ep), 1);
	struct sockaddr_storage ss;
	unsigned ss_len = sizeof ss;
	cr_assert_eq(petrel_endpoint_session_peer(ep, ep13_server_session, &ss, &ss_len), 0);
	cr_assert_eq(memcmp(&ss, &b, sizeof b), 0, "the session moved (RFC 9146 6)");
	petrel_session_free(c.s);
	petrel_endpoint_free(ep);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* ---- ALPN without overlap ---------------------------------------------- */

/* Runs the client alone (the server is gone) until it fails: its error,
 * and when. */
static int client_until_failed(struct harness *h, uint64_t limit_ms, uint64_t *at)
{
	petrel_session *cl = h->client.session;
	for (int guard = 0; guard < 100000; guard++) {
		int rc = petrel_handshake(cl);
		if (rc < 0 && petrel_error_is_fatal(rc)) {
			*at = simnet_now(h->net);
			return rc;
		}
		/* The client's deadlines only: datagrams for the failed server
		 * stay queued; the client's own arrive by its next pull. */
		uint64_t next = petrel_engine_next_deadline(cl);
		if (next == UINT64_MAX || next > limit_ms)
			return 0;
		if (next > simnet_now(h->net))
			simnet_advance_to(h->net, next);
	}
	return 0;
}

static void alpn_pair(struct harness *h, uint64_t seed, unsigned server_flags)
{
	harness_init(h, seed, 0, server_flags, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	only13(h->client.session);
	only13(h->server.session);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_alpn(h->client.session, "coap"), 0);
	cr_assert_eq(petrel_session_set_alpn(h->server.session, "h3"), 0);
}

Test(tkt13_alpn, no_overlap_server_alerts_client_names_it_at_its_timeout)
{
	struct harness h;
	alpn_pair(&h, 31, 0);
	cr_assert_lt(harness_run_handshake(&h, 600000), 0);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_ALPN_MISMATCH, "server %d client %d",
		     h.server.handshake_rc, h.client.handshake_rc);
	uint64_t server_failed = simnet_now(h.net), client_failed = 0;
	int rc = client_until_failed(&h, 600000, &client_failed);
	cr_assert_eq(rc, PETREL_E_FATAL_ALERT_RECEIVED, "got %s", petrel_strerror(rc));
	cr_assert_eq(petrel_alert_get(h.client.session), 120, "no_application_protocol");
	cr_assert_gt(client_failed - server_failed, 5000,
		     "the unprotected alert did not end the handshake at once");
	harness_free_all(&h);
}

Test(tkt13_alpn, no_overlap_without_a_cookie_is_dropped_silently)
{
	struct harness h;
	alpn_pair(&h, 32, PETREL_FLAG_NO_COOKIE);
	cr_assert_lt(harness_run_handshake(&h, 600000), 0);
	int rc = h.client.handshake_rc;
	cr_assert_eq(rc, PETREL_E_TIMEDOUT, "no proven address, no alert: got %s",
		     petrel_strerror(rc));
	cr_assert_eq(petrel_alert_get(h.client.session), -1);
	harness_free_all(&h);
}

Test(tkt13_alpn, spoofed_plaintext_alert_does_not_end_the_handshake)
{
	struct harness h;
	harness_init(&h, 33, 0, 0, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_handshake(h.client.session), PETREL_E_AGAIN);
	/* Fatal no_application_protocol in a DTLSPlaintext record, epoch 0. */
	uint8_t forged[] = {21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 2, 120};
	int rc = petrel_engine_feed(h.client.session, forged, sizeof forged, simnet_now(h.net));
	cr_assert(rc == 0 || !petrel_error_is_fatal(rc), "got %s", petrel_strerror(rc));
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d", h.client.handshake_rc);
	cr_assert_eq(harness_echo(&h, "still fine", 60000), 0);
	harness_free_all(&h);
}

/* DTLS 1.2 does the same (the 1.3 behaviour was made to match it): its
 * server refuses the ClientHello after the HelloVerifyRequest with alert
 * 120, its client names the alert at the timeout (dtls/engine.c
 * handle_alert, dtls/hs_drop.c). */
Test(tkt13_alpn, dtls12_no_overlap_matches)
{
	struct harness h;
	harness_init(&h, 34, 0, 0, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_alpn(h.client.session, "coap"), 0);
	cr_assert_eq(petrel_session_set_alpn(h.server.session, "h3"), 0);
	cr_assert_lt(harness_run_handshake(&h, 600000), 0);
	uint64_t at = 0;
	int rc = client_until_failed(&h, 600000, &at);
	cr_assert_eq(h.server.handshake_rc, PETREL_E_ALPN_MISMATCH);
	cr_assert_eq(rc, PETREL_E_FATAL_ALERT_RECEIVED);
	cr_assert_eq(petrel_alert_get(h.client.session), 120);
	harness_free_all(&h);
}

/* A ticket the server opens but refuses (another name here) gives way
 * to the external PSK the client offers after it (RFC 8446 4.2.11), not
 * to a full handshake (review finding: only a ticket the server could
 * not open fell through). */
Test(tkt13_ticket, refused_ticket_gives_way_to_the_external_psk_after_it)
{
	static const uint8_t key[16] = {0x70, 0x65, 0x74, 0x72, 0x65, 0x6c};
	struct creds2 k = creds();
	cr_assert_eq(petrel_credentials_set_psk(k.cc, "dev-1", key, sizeof key), 0);
	cr_assert_eq(petrel_credentials_set_psk(k.sc, "dev-1", key, sizeof key), 0);
	struct outcome first;
	first_ticket(&k, 31, &first);
	uint8_t forged[1100];
	size_t n = rename_blob(first.blob, first.blob_len, "b.example", forged);
	struct harness h;
	harness_init(&h, 32, 0, 0, k.cc, k.sc);
	only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_server_name(h.client.session, "b.example"), 0);
	cr_assert_eq(petrel_session_set_alpn(h.client.session, "coap,h3"), 0);
	cr_assert_eq(petrel_session_set_alpn(h.server.session, "coap"), 0);
	cr_assert_eq(petrel_session_set_data(h.client.session, forged, n), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_not(petrel_session_is_resumed(h.server.session), "the ticket was refused");
	const char *id = petrel_session_get_psk_identity(h.server.session);
	cr_assert(id != NULL && strcmp(id, "dev-1") == 0, "the external PSK was taken: %s",
		  id ? id : "(none)");
	harness_free(&h);
	creds_free(&k);
}

/* RFC 6066 3: HostName without a trailing dot; petrel_session_set_server_name
 * drops one, so the name checked, sent and bound is the same. */
Test(tkt13_ticket, server_name_is_kept_without_its_trailing_dot)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	cr_assert_eq(petrel_session_set_server_name(s, "a.example."), 0);
	cr_assert_str_eq(s->server_name, "a.example");
	cr_assert_eq(petrel_session_set_server_name(s, "b.example"), 0);
	cr_assert_str_eq(s->server_name, "b.example");
	cr_assert_eq(petrel_session_set_server_name(s, "."), 0);
	cr_assert_str_eq(s->server_name, ".");
	cr_assert_eq(petrel_session_set_server_name(s, NULL), 0);
	cr_assert_null(s->server_name);
	petrel_session_free(s);
}
