/* DTLS 1.3 CID updates (RFC 9147 9), the rest of them: the peer's spare
 * CIDs kept in order and capped, cid_immediate's extras kept,
 * petrel_session_rotate_cid and the RequestConnectionId it sends when
 * spares run out, our issued CIDs retired after the peer moves
 * (dtls13/cid13_retire.h) on a lone session and at the endpoint, and
 * CIDs counted against the cap only once their message is queued. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "dtls/endpoint_cid13.h"
#include "dtls/endpoint_internal.h"
#include "dtls/session.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_retire.h"
#include "dtls13/cid13_update.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/messages13.h"
#include "dtls13/perf13_idle.h"
#include "petrel/petrel.h"
#include "record/header13.h"
#include "record/record.h"
#include "tests/cid13_dup.h"
#include "tests/dtls_harness.h"
#include "tests/ep13_harness.h"
#include "tests/simnet.h"

static void only13(petrel_session *s)
{
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
}

/* A NewConnectionId of n 7-byte CIDs "cid-<first + i>" (three digits). */
static int send_new_cids(petrel_session *from, petrel_session *to, unsigned first, size_t n,
			 uint8_t usage, uint64_t now)
{
	uint8_t cids[16][8];
	const uint8_t *ptrs[16];
	size_t lens[16];
	cr_assert_leq(n, 16);
	for (size_t i = 0; i < n; i++) {
		snprintf((char *)cids[i], sizeof cids[i], "cid-%03u", (unsigned)(first + i));
		ptrs[i] = cids[i];
		lens[i] = 7;
	}
	uint8_t body[256];
	struct petrel_writer w;
	petrel_writer_init(&w, body, sizeof body);
	cr_assert_eq(petrel_new_connection_id_write(&w, ptrs, lens, n, usage), 0);
	return cid13_dup_send_message(from, to, PETREL_HS13_NEW_CONNECTION_ID, body, petrel_writer_len(&w),
			    now);
}

static void assert_peers_cid(petrel_session *s, const char *want)
{
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_session_get_cid(s, PETREL_CID_PEERS, &cid, &len), 0);
	cr_assert_eq(len, strlen(want));
	cr_assert_eq(memcmp(cid, want, len), 0, "sending with %.*s, want %s", (int)len, cid, want);
}

static void assert_spare(const petrel_session *s, size_t i, const char *want)
{
	const struct petrel_cid13_issued *st = s->cid->issued13;
	cr_assert_not_null(st);
	cr_assert_lt(i, st->spare_count);
	cr_assert_eq(st->spare_len[i], strlen(want));
	cr_assert_eq(memcmp(st->spares[i], want, strlen(want)), 0, "spare %zu", i);
}

Test(cid13_spare, spares_are_kept_in_order_up_to_the_cap)
{
	struct harness h;
	cid13_dup_pair(&h, 41);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	cr_assert_eq(petrel_session_spare_cids(cl), 0);
	uint64_t now = simnet_now(h.net);
	cr_assert_eq(send_new_cids(sv, cl, 1, 6, PETREL_CID_SPARE, now), 0);
	cr_assert_eq(petrel_session_spare_cids(cl), 6);
	assert_peers_cid(cl, "srv-cid"); /* spares change nothing yet */
	/* Five more: two fit, three are discarded (RFC 9147 9 MAY). */
	cr_assert_eq(send_new_cids(sv, cl, 7, 5, PETREL_CID_SPARE, now), 0);
	cr_assert_eq(petrel_session_spare_cids(cl), PETREL_CID13_SPARE_MAX);
	for (unsigned i = 0; i < PETREL_CID13_SPARE_MAX; i++) {
		char want[8];
		snprintf(want, sizeof want, "cid-%03u", i + 1);
		assert_spare(cl, i, want);
	}
	/* The ninth and later never come back. */
	for (unsigned i = 0; i < PETREL_CID13_SPARE_MAX; i++)
		cr_assert_eq(petrel_session_rotate_cid(cl), 0);
	assert_peers_cid(cl, "cid-008");
	cr_assert_eq(petrel_session_spare_cids(cl), 0);
	harness_free_all(&h);
}

Test(cid13_spare, duplicates_and_the_cid_in_use_are_not_kept)
{
	struct harness h;
	cid13_dup_pair(&h, 42);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	uint64_t now = simnet_now(h.net);
	cr_assert_eq(send_new_cids(sv, cl, 1, 2, PETREL_CID_SPARE, now), 0);
	cr_assert_eq(send_new_cids(sv, cl, 2, 2, PETREL_CID_SPARE, now), 0);
	cr_assert_eq(petrel_session_spare_cids(cl), 3, "cid-02 once");
	/* The CID in use, as a spare: skipped. */
	static const uint8_t in_use[] = {0, 8, 7, 's', 'r', 'v', '-', 'c', 'i', 'd', PETREL_CID_SPARE};
	cr_assert_eq(cid13_dup_send_message(sv, cl, PETREL_HS13_NEW_CONNECTION_ID, in_use, sizeof in_use, now),
		     0);
	cr_assert_eq(petrel_session_spare_cids(cl), 3);
	harness_free_all(&h);
}

Test(cid13_spare, cid_immediate_switches_and_keeps_the_rest)
{
	struct harness h;
	cid13_dup_pair(&h, 43);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	uint64_t now = simnet_now(h.net);
	cr_assert_eq(send_new_cids(sv, cl, 1, 1, PETREL_CID_SPARE, now), 0);
	cr_assert_eq(send_new_cids(sv, cl, 20, 3, PETREL_CID_IMMEDIATE, now), 0);
	assert_peers_cid(cl, "cid-020");
	cr_assert_eq(petrel_session_spare_cids(cl), 3);
	assert_spare(cl, 0, "cid-001");
	assert_spare(cl, 1, "cid-021");
	assert_spare(cl, 2, "cid-022");
	/* A spare made current by a later cid_immediate is no move. */
	cr_assert_eq(send_new_cids(sv, cl, 1, 1, PETREL_CID_IMMEDIATE, now), 0);
	assert_peers_cid(cl, "cid-001");
	cr_assert_eq(petrel_session_rotate_cid(cl), 0);
	assert_peers_cid(cl, "cid-021");
	cr_assert_eq(petrel_session_spare_cids(cl), 1);
	harness_free_all(&h);
}

/* The client's datagrams, the last one kept. */
struct last_sent {
	uint8_t data[2048];
	size_t len;
	unsigned count;
};

static void keep_last(struct harness_end *end, const uint8_t *data, size_t len)
{
	struct last_sent *l = end->on_send_ctx;
	if (len > sizeof l->data)
		return;
	memcpy(l->data, data, len);
	l->len = len;
	l->count++;
}

static void assert_peers_bytes(petrel_session *s, const uint8_t *want, size_t want_len)
{
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_session_get_cid(s, PETREL_CID_PEERS, &cid, &len), 0);
	cr_assert_eq(len, want_len);
	cr_assert_eq(memcmp(cid, want, len), 0);
}

/* The last datagram is a protected record carrying cid (7 bytes). */
static void assert_wire_cid(const struct last_sent *l, const uint8_t *cid)
{
	cr_assert_gt(l->len, 8);
	cr_assert_eq(petrel_record_kind(l->data[0]), PETREL_REC_UNIFIED);
	cr_assert(l->data[0] & PETREL_DTLS13_FLAG_CID, "C bit");
	cr_assert_eq(memcmp(l->data + 1, cid, 7), 0, "the header carries the CID");
}

Test(cid13_spare, rotate_takes_the_next_spare_on_the_wire_then_asks_for_more)
{
	struct harness h;
	cid13_dup_pair(&h, 44);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	struct last_sent sent = {0};
	h.client.on_send = keep_last;
	h.client.on_send_ctx = &sent;
	cr_assert_eq(petrel_session_rotate_cid(cl), PETREL_E_LIMIT_EXCEEDED, "none yet");
	/* A peer that never sent a NewConnectionId is not asked: it may not
	 * know the messages (wolfSSL 5.5.4). */
	cr_assert_not(cl->cid->issued13 != NULL && cl->cid->issued13->request_out);
	cr_assert_eq(petrel_session_new_cids(sv, PETREL_CID13_REQUEST_COUNT, PETREL_CID_USAGE_SPARE), 0);
	cr_assert_eq(harness_echo(&h, "spares", 60000), 0);
	cr_assert_eq(harness_echo(&h, "their ack", 60000), 0);
	cr_assert_eq(petrel_session_spare_cids(cl), PETREL_CID13_REQUEST_COUNT);
	cr_assert_not(cl->cid->issued13->request_out);
	uint8_t want[PETREL_CID13_REQUEST_COUNT][7];
	for (size_t i = 0; i < PETREL_CID13_REQUEST_COUNT; i++)
		memcpy(want[i], sv->cid->issued13->cids[i], 7);
	for (size_t i = 0; i < PETREL_CID13_REQUEST_COUNT; i++) {
		assert_wire_cid(&sent, i == 0 ? (const uint8_t *)"srv-cid" : want[i - 1]);
		cr_assert_eq(petrel_session_rotate_cid(cl), 0);
		assert_peers_bytes(cl, want[i], 7);
		cr_assert_eq(petrel_session_spare_cids(cl), (int)(PETREL_CID13_REQUEST_COUNT - 1 - i));
		cr_assert_eq(cl->cid->issued13->request_out, i == PETREL_CID13_REQUEST_COUNT - 1,
			     "a request goes out when the last spare is taken, not before");
		unsigned before = sent.count;
		cr_assert_eq(harness_echo(&h, "on the next cid", 60000), 0, "the server takes it");
		cr_assert_gt(sent.count, before);
		assert_wire_cid(&sent, want[i]);
	}
	/* The last one taken: the request that went out (RFC 9147 9
	 * RequestConnectionId) is answered, and only one went out. */
	for (int i = 0; i < 4 && petrel_session_spare_cids(cl) == 0; i++)
		cr_assert_eq(harness_echo(&h, "drive", 60000), 0);
	cr_assert_eq(petrel_session_spare_cids(cl), PETREL_CID13_REQUEST_COUNT);
	cr_assert_not(cl->cid->issued13->request_out, "answered");
	cr_assert_eq(sv->cid->issued13->last_serial, 2 * PETREL_CID13_REQUEST_COUNT, "asked once");
	cr_assert_eq(harness_echo(&h, "on", 60000), 0);
	cr_assert_eq(sv->cid->issued13->last_serial, 2 * PETREL_CID13_REQUEST_COUNT);
	harness_free_all(&h);
}

Test(cid13_spare, rotate_needs_a_13_session_sending_a_cid)
{
	struct harness h;
	harness_init(&h, 48, 0, 0, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_rotate_cid(NULL), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_spare_cids(NULL), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_rotate_cid(h.client.session), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_rotate_cid(h.client.session), PETREL_E_INVALID_REQUEST,
		     "no CIDs negotiated");
	cr_assert_eq(petrel_session_spare_cids(h.client.session), 0);
	harness_free_all(&h);
}

/* ---- retiring the CIDs we issued ----------------------------------------- */

/* One application record from the client, sealed now with the CID it
 * sends with, into d. */
static size_t seal_app(petrel_session *cl, const char *msg, uint8_t *d, size_t cap)
{
	struct petrel_writer w;
	petrel_writer_init(&w, d, cap);
	cr_assert_eq(petrel_rl13_seal(cl->d13, cl->d13->wr_epoch, PETREL_CT_APPLICATION_DATA,
				      (const uint8_t *)msg, strlen(msg), &w, NULL), 0);
	return petrel_writer_len(&w);
}

/* Whether the server read msg from the datagram d. */
static bool server_reads(petrel_session *sv, uint8_t *d, size_t len, const char *msg, uint64_t now)
{
	cr_assert_eq(petrel_engine_feed(sv, d, len, now), 0);
	char buf[64];
	long n = petrel_engine_read(sv, buf, sizeof buf);
	return n == (long)strlen(msg) && memcmp(buf, msg, (size_t)n) == 0;
}

static bool client_to_server(struct harness *h, const char *msg)
{
	uint8_t d[256];
	size_t len = seal_app(h->client.session, msg, d, sizeof d);
	return server_reads(h->server.session, d, len, msg, simnet_now(h->net));
}

Test(cid13_retire, the_left_cid_is_accepted_for_older_records_then_retired_after_the_grace)
{
	struct harness h;
	cid13_dup_pair(&h, 45);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	cr_assert_eq(petrel_session_new_cids(sv, 1, PETREL_CID_USAGE_SPARE), 0);
	cr_assert_eq(harness_echo(&h, "spare", 60000), 0);
	cr_assert_eq(harness_echo(&h, "its ack", 60000), 0);
	cr_assert_eq(petrel_session_spare_cids(cl), 1);
	const struct petrel_cid13_config *cfg = &sv->d13->cfg.cid;
	const struct petrel_cid13_issued *st = sv->cid->issued13;
	/* Sealed on the old CID before the move, delivered after it. */
	uint8_t early[256];
	size_t early_len = seal_app(cl, "early", early, sizeof early);
	cr_assert_eq(petrel_session_rotate_cid(cl), 0);
	cr_assert(client_to_server(&h, "moved"), "the new CID is accepted");
	cr_assert_eq(st->current, 1, "the server saw the move");
	cr_assert_not(petrel_cid13_negotiated_retired(cfg), "retiring, not retired");
	cr_assert(server_reads(sv, early, early_len, "early", simnet_now(h.net)),
		  "sent before the move: still accepted");
	/* On the old CID after the move: authentic, but the peer moved on. */
	uint8_t new_cid[7];
	memcpy(new_cid, cl->cid->params.tx_cid, 7);
	memcpy(cl->cid->params.tx_cid, "srv-cid", 7);
	cr_assert_not(client_to_server(&h, "late"), "numbered after the move: dropped");
	memcpy(cl->cid->params.tx_cid, new_cid, 7);
	/* The grace: 64 records past the first on the new CID ("moved"). */
	for (unsigned i = 2; i < PETREL_CID13_RETIRE_GRACE; i++) {
		cr_assert(client_to_server(&h, "new"));
		cr_assert_not(petrel_cid13_negotiated_retired(cfg), "not before the grace, %u", i);
	}
	cr_assert(client_to_server(&h, "new"));
	cr_assert(petrel_cid13_negotiated_retired(cfg), "retired after the grace");
	memcpy(cl->cid->params.tx_cid, "srv-cid", 7);
	cr_assert_not(client_to_server(&h, "retired"), "refused before opening");
	harness_free_all(&h);
}

Test(cid13_retire, retired_issued_cids_free_room_under_the_cap)
{
	struct harness h;
	cid13_dup_pair(&h, 46);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(petrel_session_new_cids(sv, 4, PETREL_CID_USAGE_SPARE), 0);
		cr_assert_eq(harness_echo(&h, "spares", 60000), 0);
		cr_assert_eq(harness_echo(&h, "their ack", 60000), 0);
	}
	const struct petrel_cid13_issued *st = sv->cid->issued13;
	cr_assert_eq(st->count, PETREL_CID13_ISSUE_MAX);
	cr_assert_eq(petrel_session_new_cids(sv, 1, PETREL_CID_USAGE_SPARE), PETREL_E_LIMIT_EXCEEDED);
	uint8_t first[7];
	memcpy(first, st->cids[0], 7);
	cr_assert_eq(petrel_session_rotate_cid(cl), 0);
	cr_assert_eq(harness_echo(&h, "on the first", 60000), 0);
	cr_assert_eq(petrel_session_rotate_cid(cl), 0);
	cr_assert_eq(harness_echo(&h, "on the second", 60000), 0);
	/* The move to the second retired the negotiated CID for good (it
	 * was retiring since the first move); the first is retiring now. */
	cr_assert_eq(st->current, 2);
	cr_assert(petrel_cid13_negotiated_retired(&sv->d13->cfg.cid));
	cr_assert_eq(st->count, PETREL_CID13_ISSUE_MAX);
	cr_assert(petrel_cid13_issued_has(st, first, 7));
	for (unsigned i = 0; i < 2 * PETREL_CID13_RETIRE_GRACE && st->count == PETREL_CID13_ISSUE_MAX;
	     i++)
		cr_assert_eq(harness_echo(&h, "on", 60000), 0);
	cr_assert_eq(st->count, PETREL_CID13_ISSUE_MAX - 1, "the first retired");
	cr_assert_not(petrel_cid13_issued_has(st, first, 7));
	cr_assert_eq(petrel_session_new_cids(sv, 1, PETREL_CID_USAGE_SPARE), 0, "room again");
	cr_assert_eq(st->count, PETREL_CID13_ISSUE_MAX);
	cr_assert_eq(harness_echo(&h, "done", 60000), 0);
	harness_free_all(&h);
}

/* A maker that fails on its second CID. */
static int fail_second(void *ctx, uint8_t *cid, size_t len)
{
	unsigned *calls = ctx;
	if ((*calls)++ == 1)
		return PETREL_E_INTERNAL;
	memset(cid, 0x40 + (int)*calls, len);
	return 0;
}

Test(cid13_retire, a_message_not_made_costs_nothing_under_the_cap)
{
	struct harness h;
	cid13_dup_pair(&h, 47);
	petrel_session *sv = h.server.session;
	unsigned calls = 0;
	sv->cid->cid_maker = fail_second;
	sv->cid->cid_maker_ctx = &calls;
	cr_assert_eq(petrel_session_new_cids(sv, 2, PETREL_CID_USAGE_SPARE), PETREL_E_INTERNAL);
	cr_assert_eq(sv->cid->issued13->count, 0, "nothing counted: no message went out");
	cr_assert_not(sv->d13->flight_active);
	sv->cid->cid_maker = NULL;
	sv->cid->cid_maker_ctx = NULL;
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(petrel_session_new_cids(sv, 4, PETREL_CID_USAGE_SPARE), 0);
		cr_assert_eq(harness_echo(&h, "spares", 60000), 0);
		cr_assert_eq(harness_echo(&h, "their ack", 60000), 0);
	}
	cr_assert_eq(sv->cid->issued13->count, PETREL_CID13_ISSUE_MAX, "the whole cap left");
	harness_free_all(&h);
}

/* -- at the endpoint -- */

Test(cid13_retire_endpoint, retired_cids_leave_the_routing_tables)
{
	petrel_credentials *sc = ep13_psk("cid13-client"), *cc = ep13_psk("cid13-client");
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
	uint8_t negotiated[6];
	memcpy(negotiated, cid, 6);
	cr_assert_not_null(petrel_table_find(&ep->cids, negotiated, 6));
	cr_assert_eq(petrel_session_new_cids(ep13_server_session, 2, PETREL_CID_USAGE_SPARE), 0);
	ep13_exchange_from(ep, &c, &a); /* NewConnectionId to the client */
	ep13_exchange_from(ep, &c, &a); /* its ACK to the server */
	cr_assert_eq(petrel_session_spare_cids(c.s), 2);
	const struct petrel_cid13_issued *st = ep13_server_session->cid->issued13;
	uint8_t first[6], second[6];
	memcpy(first, st->cids[0], 6);
	memcpy(second, st->cids[1], 6);
	cr_assert_not_null(petrel_ep_cid13_find(ep, first));
	/* Moves to the first spare: the negotiated CID is still routed (its
	 * late records still count). */
	cr_assert_eq(petrel_session_rotate_cid(c.s), 0);
	c.now += 10;
	cr_assert(ep13_echo_from(ep, &c, &a, "on the first"));
	cr_assert_not_null(petrel_table_find(&ep->cids, negotiated, 6), "retiring, still routed");
	/* And to the second, from a new address (RFC 9146 8: a new CID for
	 * a new path): the negotiated CID goes for good. */
	cr_assert_eq(petrel_session_rotate_cid(c.s), 0);
	c.now += 10;
	cr_assert(ep13_echo_from(ep, &c, &b, "on the second, elsewhere"));
	cr_assert_null(petrel_table_find(&ep->cids, negotiated, 6), "retired: not routed");
	cr_assert_not_null(petrel_ep_cid13_find(ep, first), "retiring, still routed");
	unsigned echoes = 0;
	while (petrel_ep_cid13_find(ep, first) != NULL && echoes < 2 * PETREL_CID13_RETIRE_GRACE) {
		cr_assert(ep13_echo_from(ep, &c, &b, "on"));
		echoes++;
	}
	cr_assert_null(petrel_ep_cid13_find(ep, first), "retired after the grace");
	cr_assert_geq(echoes, PETREL_CID13_RETIRE_GRACE / 2, "not before it");
	cr_assert_eq(petrel_ep_cid13_find(ep, second) != NULL, true);
	cr_assert_eq(petrel_endpoint_session_count(ep), 1);
	/* The session's end takes its CIDs off the endpoint. */
	cr_assert_eq(petrel_bye(c.s), 0);
	ep13_exchange_from(ep, &c, &b);
	cr_assert_eq(petrel_endpoint_session_count(ep), 0);
	cr_assert_null(petrel_ep_cid13_find(ep, second));
	petrel_endpoint_free(ep);
	petrel_session_free(c.s);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* RFC 8446 4.6.3: a KeyUpdate(update_requested) that reaches us while a
 * flight of ours (here a NewConnectionId) is out is answered once that
 * flight is acknowledged, not dropped (review finding). */
Test(cid13_spare, key_update_requested_during_our_flight_is_answered_after_it)
{
	struct harness h;
	cid13_dup_pair(&h, 47);
	petrel_session *sv = h.server.session, *cl = h.client.session;
	uint64_t sent_before = sv->d13->key_updates_sent;
	cr_assert_eq(sv->d13->wr_epoch, 3);
	cr_assert_eq(petrel_session_new_cids(sv, 1, PETREL_CID_SPARE), 0);
	cr_assert(sv->d13->flight_active);
	/* The client's key update asks the server to update too; it crosses
	 * the NewConnectionId on the way. */
	cr_assert_eq(petrel_handshake(cl), 0);
	cr_assert_eq(harness_echo(&h, "after", 60000), 0);
	cr_assert_eq(harness_echo(&h, "after again", 60000), 0);
	cr_assert_eq(harness_echo(&h, "and again", 60000), 0); /* the client's ACK timer */
	cr_assert_eq(sv->d13->key_updates_received, 1);
	cr_assert_eq(sv->d13->key_updates_sent, sent_before + 1, "the server answered");
	cr_assert_not(sv->d13->ku_answer_owed);
	cr_assert_eq(sv->d13->wr_epoch, 4, "server writes %llu", (unsigned long long)sv->d13->wr_epoch);
	cr_assert_eq(cl->d13->wr_epoch, 4, "client writes %llu", (unsigned long long)cl->d13->wr_epoch);
	harness_free_all(&h);
}
