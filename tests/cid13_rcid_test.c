/* A RequestConnectionId we cannot answer ends nothing (RFC 9147 9: the
 * answer is a SHOULD; dtls13/cid13_issue.c petrel_cid13_on_request).
 * Whatever keeps the answer from going out, CIDs the maker refuses (at
 * once or once a flight of ours is acknowledged), the cap reached, no CID
 * of ours to issue, zero CIDs asked, the request is acknowledged and the
 * session goes on: application data both ways, no alert either side. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/session.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_update.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"
#include "tests/cid13_dup.h"
#include "tests/dtls_harness.h"
#include "tests/simnet.h"

static size_t issued(const petrel_session *s)
{
	return s->cid && s->cid->issued13 ? s->cid->issued13->count : 0;
}

/* The client asks the server for num_cids CIDs; the feed must succeed. */
static void client_requests(struct harness *h, uint8_t num_cids)
{
	const uint8_t body[1] = {num_cids};
	cr_assert_eq(cid13_dup_send_message(h->client.session, h->server.session,
					    PETREL_HS13_REQUEST_CONNECTION_ID, body, 1,
					    simnet_now(h->net)),
		     0, "a RequestConnectionId we cannot answer is no error");
}

/* Client to server and back, with every step checked: each tick and
 * read either succeeds or has nothing yet (PETREL_E_AGAIN), so an error
 * a deferred answer raises from a timer is seen (harness_echo ignores
 * the ticks' results). The simulated network loses nothing here. */
static void checked_echo(struct harness *h, const char *msg)
{
	size_t len = strlen(msg);
	petrel_session *cl = h->client.session, *sv = h->server.session;
	cr_assert_eq(petrel_record_send(cl, msg, len), (long)len);
	char buf[256];
	bool server_got = false;
	for (int step = 0; step < 4000; step++) {
		petrel_session *reader = server_got ? cl : sv;
		long n = petrel_record_recv(reader, buf, sizeof buf);
		cr_assert(n >= 0 || n == PETREL_E_AGAIN, "%s read: %ld", server_got ? "client" : "server",
			  n);
		if (n == (long)len && memcmp(buf, msg, len) == 0) {
			if (server_got)
				return;
			server_got = true;
			cr_assert_eq(petrel_record_send(sv, buf, len), (long)len);
		}
		uint64_t now = simnet_now(h->net);
		int rc = petrel_engine_tick(sv, now);
		cr_assert_geq(rc, 0, "server tick: %d", rc);
		rc = petrel_engine_tick(cl, now);
		cr_assert_geq(rc, 0, "client tick: %d", rc);
		uint64_t next = simnet_next_event_ms(h->net);
		if (next == UINT64_MAX || next > now + 50)
			next = now + 50;
		simnet_advance_to(h->net, next > now ? next : now + 1);
	}
	cr_assert_fail("no echo of %s", msg);
}

/* Both sessions alive: no error, no alert heard, not closed, and
 * application data both ways, several times, so that deferred work
 * (ACKs, timers, a deferred answer) has run. */
static void assert_both_alive(struct harness *h)
{
	for (int i = 0; i < 4; i++)
		checked_echo(h, "still here");
	const petrel_session *ends[2] = {h->client.session, h->server.session};
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(ends[i]->fatal_error, 0, "%s: error %d", i ? "server" : "client",
			     ends[i]->fatal_error);
		cr_assert_eq(ends[i]->last_alert, -1, "%s heard alert %d", i ? "server" : "client",
			     ends[i]->last_alert);
		cr_assert_not(ends[i]->closed);
	}
}

/* A maker that refuses every CID (as the endpoint's does for a length it
 * cannot route), counting its calls. */
static int refuse(void *ctx, uint8_t *cid, size_t len)
{
	(void)cid;
	(void)len;
	unsigned *calls = ctx;
	(*calls)++;
	return PETREL_E_LIMIT_EXCEEDED;
}

Test(cid13_rcid, cids_the_maker_refuses_leave_the_request_unanswered_not_fatal)
{
	struct harness h;
	cid13_dup_pair(&h, 61);
	petrel_session *sv = h.server.session;
	unsigned calls = 0;
	sv->cid->cid_maker = refuse;
	sv->cid->cid_maker_ctx = &calls;
	client_requests(&h, 2);
	cr_assert_gt(calls, 0, "the server tried to answer");
	cr_assert_eq(issued(sv), 0);
	cr_assert_not(sv->d13->flight_active, "no NewConnectionId went out");
	assert_both_alive(&h);
	cr_assert_eq(issued(sv), 0);
	harness_free_all(&h);
}

/* A maker that makes `good` CIDs, then refuses. */
struct then_refuse {
	unsigned good, calls;
};

static int make_then_refuse(void *ctx, uint8_t *cid, size_t len)
{
	struct then_refuse *t = ctx;
	if (t->calls++ >= t->good)
		return PETREL_E_LIMIT_EXCEEDED;
	memset(cid, 0x30 + (int)t->calls, len);
	return 0;
}

Test(cid13_rcid, a_deferred_answer_the_maker_refuses_is_dropped_not_fatal)
{
	struct harness h;
	cid13_dup_pair(&h, 62);
	petrel_session *sv = h.server.session;
	struct then_refuse t = {.good = 1};
	sv->cid->cid_maker = make_then_refuse;
	sv->cid->cid_maker_ctx = &t;
	cr_assert_eq(petrel_session_new_cids(sv, 1, PETREL_CID_USAGE_SPARE), 0);
	cr_assert(sv->d13->flight_active);
	/* Crosses our NewConnectionId: answered once it is acknowledged
	 * (petrel_cid13_pending from the tick), when the maker refuses. */
	client_requests(&h, 3);
	cr_assert_eq(sv->cid->issued13->requested, 3, "deferred");
	assert_both_alive(&h);
	cr_assert_gt(t.calls, 1, "the deferred answer was tried");
	cr_assert_eq(sv->cid->issued13->requested, 0, "and given up");
	cr_assert_eq(issued(sv), 1, "only the first message's CID");
	cr_assert_eq(petrel_session_spare_cids(h.client.session), 1);
	harness_free_all(&h);
}

Test(cid13_rcid, a_request_past_the_cap_is_acknowledged_and_nothing_ends)
{
	struct harness h;
	cid13_dup_pair(&h, 63);
	petrel_session *sv = h.server.session;
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(petrel_session_new_cids(sv, PETREL_CID13_ISSUE_PER_MESSAGE,
						     PETREL_CID_USAGE_SPARE), 0);
		cr_assert_eq(harness_echo(&h, "spares", 60000), 0);
		cr_assert_eq(harness_echo(&h, "their ack", 60000), 0);
	}
	cr_assert_eq(issued(sv), PETREL_CID13_ISSUE_MAX);
	client_requests(&h, 4);
	cr_assert_not(sv->d13->flight_active, "nothing left to give");
	assert_both_alive(&h);
	cr_assert_eq(issued(sv), PETREL_CID13_ISSUE_MAX);
	cr_assert_eq(petrel_session_spare_cids(h.client.session), (int)PETREL_CID13_ISSUE_MAX);
	harness_free_all(&h);
}

Test(cid13_rcid, a_request_for_no_cids_is_acknowledged_and_nothing_ends)
{
	struct harness h;
	cid13_dup_pair(&h, 64);
	client_requests(&h, 0);
	cr_assert_not(h.server.session->d13->flight_active);
	assert_both_alive(&h);
	cr_assert_eq(issued(h.server.session), 0);
	harness_free_all(&h);
}

/* The server receives with an empty CID: it has none to issue. RFC 9147
 * 9 forbids the client's request ("MUST NOT send RequestConnectionId
 * when sending an empty Connection ID"); we take it as one we cannot
 * answer rather than end the session over it. */
Test(cid13_rcid, a_request_to_a_session_receiving_no_cid_ends_nothing)
{
	struct harness h;
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(&h, 65, 0, 0, cc, sc);
	cid13_dup_only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_cid(h.client.session, (const uint8_t *)"cli-cid", 7), 0);
	cr_assert_eq(petrel_session_set_cid(h.server.session, (const uint8_t *)"", 0), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(harness_echo(&h, "settle", 60000), 0);
	cr_assert_eq(harness_echo(&h, "settled", 60000), 0);
	cr_assert(h.server.session->cid->params.negotiated);
	cr_assert_eq(h.server.session->cid->params.rx_cid_len, 0);
	client_requests(&h, 2);
	cr_assert_not(h.server.session->d13->flight_active);
	assert_both_alive(&h);
	cr_assert_eq(issued(h.server.session), 0);
	harness_free_all(&h);
}
