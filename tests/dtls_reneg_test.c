/* Secure renegotiation (RFC 5746, issue #21 item 9) between two Petrel
 * sessions on the simulated network: both directions, application data
 * during the new handshake (PETREL_E_GOT_APPLICATION_DATA), refusal when
 * not enabled or when the peer lacks RFC 5746, the per-minute cap, and
 * the old epoch's records still taken after the change (RFC 6347 4.1). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

struct drive_result {
	int client_rc, server_rc;      /* last petrel_handshake results */
	unsigned server_app, client_app; /* app records read during the drive */
	unsigned server_got_app_rc;    /* GOT_APPLICATION_DATA returned to the server */
	unsigned client_got_app_rc;
	unsigned warnings;             /* WARNING_ALERT_RECEIVED seen */
	char server_last[300];
};

/* One application record read during the drive. */
static void note_app(struct drive_result *r, bool server, const char *text)
{
	if (server) {
		r->server_app++;
		snprintf(r->server_last, sizeof r->server_last, "%s", text);
	} else {
		r->client_app++;
	}
}

static void drive_end(struct harness_end *end, struct drive_result *r, bool server)
{
	char buf[256];
	for (int i = 0; i < 8; i++) {
		int rc = petrel_handshake(end->session);
		if (server)
			r->server_rc = rc;
		else
			r->client_rc = rc;
		if (rc == PETREL_E_WARNING_ALERT_RECEIVED) {
			r->warnings++;
			continue;
		}
		if (rc != PETREL_E_GOT_APPLICATION_DATA)
			break;
		if (server)
			r->server_got_app_rc++;
		else
			r->client_got_app_rc++;
		long n = petrel_record_recv(end->session, buf, sizeof buf - 1);
		cr_assert_gt(n, 0);
		buf[n] = 0;
		note_app(r, server, buf);
	}
	long n = petrel_record_recv(end->session, buf, sizeof buf - 1);
	if (n == PETREL_E_WARNING_ALERT_RECEIVED)
		r->warnings++;
	if (n > 0) {
		buf[n] = 0;
		note_app(r, server, buf);
	}
}

/* Run both ends until neither has a handshake running (or limit). */
static int drive(struct harness *h, uint64_t limit_ms, struct drive_result *r)
{
	memset(r, 0, sizeof *r);
	for (int rounds = 0; rounds < 100000; rounds++) {
		drive_end(&h->client, r, false);
		drive_end(&h->server, r, true);
		if (h->client.session->fatal_error || h->server.session->fatal_error)
			return -1;
		if (h->client.session->hs == NULL && h->server.session->hs == NULL &&
		    simnet_next_event_ms(h->net) == UINT64_MAX)
			return 0;
		uint64_t next = simnet_next_event_ms(h->net);
		uint64_t dc = petrel_engine_next_deadline(h->client.session);
		uint64_t ds = petrel_engine_next_deadline(h->server.session);
		if (h->client.session->hs && dc < next)
			next = dc;
		if (h->server.session->hs && ds < next)
			next = ds;
		if (next == UINT64_MAX || next > limit_ms)
			return -2;
		if (next > simnet_now(h->net))
			simnet_advance_to(h->net, next);
	}
	return -3;
}

static void setup_seed(struct harness *h, uint64_t seed, petrel_credentials **cc,
		       petrel_credentials **sc, bool client_on, bool server_on)
{
	*cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	*sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(h, seed, 0, PETREL_FLAG_NO_COOKIE, *cc, *sc);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_renegotiation(h->client.session, client_on), 0);
	cr_assert_eq(petrel_session_set_renegotiation(h->server.session, server_on), 0);
	cr_assert_eq(harness_run_handshake(h, 60000), 0);
	cr_assert_eq(harness_echo(h, "before", 120000), 0);
}

static void setup(struct harness *h, petrel_credentials **cc, petrel_credentials **sc,
		  bool client_on, bool server_on)
{
	setup_seed(h, 7, cc, sc, client_on, server_on);
}

static void teardown(struct harness *h, petrel_credentials *cc, petrel_credentials *sc)
{
	harness_free(h);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

static void assert_epochs(const struct harness *h, uint16_t epoch)
{
	cr_assert_eq(petrel_rl_read_epoch(&h->client.session->rl), epoch);
	cr_assert_eq(petrel_rl_write_epoch(&h->client.session->rl), epoch);
	cr_assert_eq(petrel_rl_read_epoch(&h->server.session->rl), epoch);
	cr_assert_eq(petrel_rl_write_epoch(&h->server.session->rl), epoch);
}

/* Both ends counted n renegotiations and read and write in epoch n + 1. */
static void assert_renegotiated(const struct harness *h, unsigned n)
{
	cr_assert_eq(petrel_session_get_renegotiations(h->client.session), n);
	cr_assert_eq(petrel_session_get_renegotiations(h->server.session), n);
	assert_epochs(h, (uint16_t)(n + 1));
}

/* initiator asks for a renegotiation; refuser answers no_renegotiation
 * (RFC 5746 4.2, 4.4) and both stay in epoch 1. */
static void assert_refused(struct harness *h, petrel_session *initiator, petrel_session *refuser,
			   struct drive_result *r)
{
	cr_assert_eq(petrel_rehandshake(initiator), 0);
	cr_assert_eq(drive(h, 200000, r), 0);
	cr_assert_eq(initiator->last_alert, ALERT_NO_RENEGOTIATION);
	cr_assert_eq(refuser->reneg.refused, 1);
	assert_epochs(h, 1);
}

Test(reneg, server_requested_rehandshake_moves_both_to_epoch_2)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	cr_assert_eq(petrel_rehandshake(h.server.session), 0);
	struct drive_result r;
	cr_assert_eq(drive(&h, 200000, &r), 0);
	cr_assert_eq(r.server_rc, 0);
	assert_renegotiated(&h, 1);
	cr_assert_eq(harness_echo(&h, "after", 300000), 0);
	/* A second one: epoch 3, verify_data of the renegotiation chained. */
	cr_assert_eq(petrel_rehandshake(h.server.session), 0);
	cr_assert_eq(drive(&h, 400000, &r), 0);
	assert_epochs(&h, 3);
	cr_assert_eq(harness_echo(&h, "after-2", 500000), 0);
	teardown(&h, cc, sc);
}

Test(reneg, client_initiated_rehandshake_accepted_by_enabled_server)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	cr_assert_eq(petrel_rehandshake(h.client.session), 0);
	struct drive_result r;
	cr_assert_eq(drive(&h, 200000, &r), 0);
	cr_assert_eq(r.client_rc, 0);
	assert_renegotiated(&h, 1);
	cr_assert_eq(harness_echo(&h, "after", 300000), 0);
	teardown(&h, cc, sc);
}

Test(reneg, app_data_during_rehandshake_returns_got_application_data)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	cr_assert_eq(petrel_rehandshake(h.server.session), 0);
	/* The client writes before it has even seen the HelloRequest. */
	cr_assert_eq(petrel_record_send(h.client.session, "mid", 3), 3);
	struct drive_result r;
	memset(&r, 0, sizeof r);
	/* The server's first petrel_handshake gets the data first. */
	simnet_advance_to(h.net, simnet_next_event_ms(h.net) + 1);
	drive_end(&h.server, &r, true);
	cr_assert_eq(r.server_got_app_rc, 1);
	cr_assert_str_eq(r.server_last, "mid");
	cr_assert_neq(h.server.session->hs, NULL, "the re-handshake is still running");
	cr_assert_eq(drive(&h, 200000, &r), 0);
	cr_assert_eq(r.server_rc, 0);
	assert_epochs(&h, 2);
	teardown(&h, cc, sc);
}

Test(reneg, disabled_server_refuses_client_request_with_warning)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, false);
	struct drive_result r;
	assert_refused(&h, h.client.session, h.server.session, &r);
	cr_assert_geq(r.warnings, 1);
	cr_assert_eq(petrel_session_get_renegotiations(h.client.session), 0);
	cr_assert_eq(harness_echo(&h, "still", 300000), 0);
	teardown(&h, cc, sc);
}

Test(reneg, disabled_client_refuses_hello_request_with_warning)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, false, true);
	struct drive_result r;
	assert_refused(&h, h.server.session, h.client.session, &r);
	cr_assert_geq(r.warnings, 1);
	cr_assert_eq(harness_echo(&h, "still", 300000), 0);
	teardown(&h, cc, sc);
}

Test(reneg, rehandshake_api_refuses_when_disabled)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, false, false);
	cr_assert_eq(petrel_rehandshake(h.server.session), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_rehandshake(h.client.session), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(h.server.session->hs, NULL);
	teardown(&h, cc, sc);
}

Test(reneg, peer_without_renegotiation_info_is_never_renegotiated)
{
	/* A ClientHello with neither the extension nor the SCSV (RFC 5746
	 * 4.3: a legacy client) leaves the server insecure: its ServerHello
	 * has no renegotiation_info and it refuses later requests. */
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_SERVER), 0);
	struct petrel_client_hello ch;
	memset(&ch, 0, sizeof ch);
	static const uint8_t suites[] = {0xc0, 0x2b};
	ch.cipher_suites = suites;
	ch.cipher_suites_len = sizeof suites;
	struct petrel_extensions sh;
	memset(&sh, 0, sizeof sh);
	cr_assert_eq(petrel_reneg_server_hello_ext(s, &ch, &sh), 0);
	cr_assert_not(sh.has_renegotiation_info);
	cr_assert_not(s->reneg.peer_secure);
	/* With the SCSV alone it is secure (RFC 5746 3.6). */
	static const uint8_t with_scsv[] = {0xc0, 0x2b, 0x00, 0xff};
	ch.cipher_suites = with_scsv;
	ch.cipher_suites_len = sizeof with_scsv;
	cr_assert_eq(petrel_reneg_server_hello_ext(s, &ch, &sh), 0);
	cr_assert(sh.has_renegotiation_info);
	cr_assert_eq(sh.renegotiation_info_len, 0);
	/* A non-empty extension on a first handshake: handshake_failure. */
	static const uint8_t junk[12] = {1};
	ch.ext.has_renegotiation_info = true;
	ch.ext.renegotiation_info = junk;
	ch.ext.renegotiation_info_len = sizeof junk;
	cr_assert_eq(petrel_reneg_server_hello_ext(s, &ch, &sh), PETREL_E_HANDSHAKE_FAILURE);
	petrel_session_free(s);

	/* Client side: a ServerHello without the extension. */
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	memset(&sh, 0, sizeof sh);
	cr_assert_eq(petrel_reneg_check_server_hello(s, &sh), 0);
	cr_assert_not(s->reneg.peer_secure);
	petrel_session_free(s);
}

Test(reneg, insecure_peer_gets_no_renegotiation_both_ways)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	/* As after a first handshake with a peer that sent no
	 * renegotiation_info (see the test above for the wire side). */
	h.server.session->reneg.peer_secure = false;
	cr_assert_eq(petrel_rehandshake(h.server.session), PETREL_E_NO_RENEGOTIATION);
	cr_assert_eq(h.server.session->hs, NULL);
	struct drive_result r;
	assert_refused(&h, h.client.session, h.server.session, &r);
	teardown(&h, cc, sc);
}

Test(reneg, wrong_verify_data_in_renegotiating_hello_fails)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	petrel_session *s = h.server.session;
	s->reneg.active = true; /* as inside a renegotiation */
	uint8_t wrong[PETREL_RENEG_VERIFY_LEN];
	memcpy(wrong, s->reneg.verify_data, sizeof wrong);
	wrong[0] ^= 1;
	struct petrel_client_hello ch;
	memset(&ch, 0, sizeof ch);
	static const uint8_t suites[] = {0xc0, 0x2b};
	ch.cipher_suites = suites;
	ch.cipher_suites_len = sizeof suites;
	ch.ext.has_renegotiation_info = true;
	ch.ext.renegotiation_info = wrong;
	ch.ext.renegotiation_info_len = sizeof wrong;
	struct petrel_extensions sh;
	memset(&sh, 0, sizeof sh);
	cr_assert_eq(petrel_reneg_server_hello_ext(s, &ch, &sh), PETREL_E_HANDSHAKE_FAILURE);
	ch.ext.renegotiation_info = s->reneg.verify_data; /* the client's own */
	cr_assert_eq(petrel_reneg_server_hello_ext(s, &ch, &sh), 0);
	cr_assert_eq(sh.renegotiation_info_len, 2 * PETREL_RENEG_VERIFY_LEN);
	/* The client checks both halves (RFC 5746 3.5). */
	petrel_session *c = h.client.session;
	cr_assert(petrel_ct_equal(c->reneg.verify_data, s->reneg.verify_data,
				  sizeof c->reneg.verify_data));
	c->reneg.active = true;
	cr_assert_eq(petrel_reneg_check_server_hello(c, &sh), 0);
	uint8_t bad[2 * PETREL_RENEG_VERIFY_LEN];
	memcpy(bad, s->reneg.verify_data, sizeof bad);
	bad[23] ^= 0x80;
	sh.renegotiation_info = bad;
	cr_assert_eq(petrel_reneg_check_server_hello(c, &sh), PETREL_E_HANDSHAKE_FAILURE);
	sh.has_renegotiation_info = false;
	cr_assert_eq(petrel_reneg_check_server_hello(c, &sh), PETREL_E_HANDSHAKE_FAILURE);
	/* The SCSV in a renegotiating ClientHello: handshake_failure (3.7). */
	static const uint8_t with_scsv[] = {0xc0, 0x2b, 0x00, 0xff};
	ch.cipher_suites = with_scsv;
	ch.cipher_suites_len = sizeof with_scsv;
	cr_assert_eq(petrel_reneg_server_hello_ext(s, &ch, &sh), PETREL_E_HANDSHAKE_FAILURE);
	s->reneg.active = false;
	c->reneg.active = false;
	teardown(&h, cc, sc);
}

Test(reneg, peer_requests_beyond_the_per_minute_cap_are_refused)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	struct drive_result r;
	for (unsigned i = 0; i < PETREL_RENEG_MAX_PER_WINDOW; i++) {
		cr_assert_eq(petrel_rehandshake(h.client.session), 0);
		cr_assert_eq(drive(&h, 50000, &r), 0);
	}
	cr_assert_eq(petrel_session_get_renegotiations(h.server.session), PETREL_RENEG_MAX_PER_WINDOW);
	cr_assert_eq(petrel_rehandshake(h.client.session), 0);
	cr_assert_eq(drive(&h, 55000, &r), 0);
	cr_assert_eq(h.server.session->reneg.refused, 1);
	cr_assert_eq(petrel_session_get_renegotiations(h.server.session), PETREL_RENEG_MAX_PER_WINDOW);
	teardown(&h, cc, sc);
}

Test(reneg, old_epoch_app_data_still_read_after_the_change)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	/* A record of epoch 1 delayed past the re-handshake. */
	cr_assert_eq(petrel_record_send(h.client.session, "late", 4), 4);
	simnet_advance_to(h.net, simnet_next_event_ms(h.net));
	uint8_t held[512], held2[512];
	int held_len = simnet_recv(h.net, 1, held, sizeof held);
	cr_assert_gt(held_len, 0);
	cr_assert_eq(petrel_record_send(h.client.session, "later", 5), 5);
	simnet_advance_to(h.net, simnet_next_event_ms(h.net));
	int held2_len = simnet_recv(h.net, 1, held2, sizeof held2);
	cr_assert_gt(held2_len, 0);
	cr_assert_eq(petrel_rehandshake(h.server.session), 0);
	struct drive_result r;
	cr_assert_eq(drive(&h, 200000, &r), 0);
	assert_epochs(&h, 2);
	petrel_session *s = h.server.session;
	cr_assert_eq(petrel_engine_feed(s, held, (size_t)held_len, simnet_now(h.net)), 0);
	char buf[64];
	cr_assert_eq(petrel_engine_read(s, buf, sizeof buf), 4);
	cr_assert_eq(memcmp(buf, "late", 4), 0);
	/* Once the client writes in epoch 2, epoch 1 is retired. */
	cr_assert_eq(harness_echo(&h, "new-epoch", 300000), 0);
	cr_assert_eq(petrel_engine_feed(s, held2, (size_t)held2_len, simnet_now(h.net)), 0);
	cr_assert_eq(petrel_engine_read(s, buf, sizeof buf), PETREL_E_AGAIN);
	teardown(&h, cc, sc);
}

Test(reneg, rehandshake_survives_loss_duplicates_and_reordering)
{
	const struct simnet_rules lossy = {.drop_per_million = 200000,
					   .duplicate_per_million = 100000,
					   .reorder_window = 2,
					   .delay_ms = 5,
					   .jitter_ms = 10};
	unsigned seeds = harness_seeds(20);
	for (unsigned seed = 1; seed <= seeds; seed++) {
		struct harness h;
		petrel_credentials *cc, *sc;
		setup_seed(&h, seed, &cc, &sc, true, true);
		simnet_set_rules(h.net, 0, &lossy);
		simnet_set_rules(h.net, 1, &lossy);
		petrel_session *initiator = seed % 2 ? h.server.session : h.client.session;
		cr_assert_eq(petrel_rehandshake(initiator), 0);
		struct drive_result r;
		int rc = drive(&h, simnet_now(h.net) + 120000, &r);
		cr_assert_eq(rc, 0, "seed %u: drive %d (client %d server %d)", seed, rc, r.client_rc,
			     r.server_rc);
		cr_assert_eq(petrel_session_get_renegotiations(h.client.session), 1, "seed %u", seed);
		cr_assert_eq(petrel_session_get_renegotiations(h.server.session), 1, "seed %u", seed);
		assert_epochs(&h, 2);
		cr_assert_eq(harness_echo(&h, "after", simnet_now(h.net) + 120000), 0, "seed %u", seed);
		teardown(&h, cc, sc);
	}
}

Test(reneg, late_copy_of_the_old_epoch_request_starts_nothing)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	cr_assert_eq(petrel_rehandshake(h.client.session), 0);
	/* The first renegotiating ClientHello (epoch 1) is held back: the
	 * retransmission (another record number) does the work; the first
	 * arrives after the change, no replay of anything the server saw. */
	simnet_advance_to(h.net, simnet_next_event_ms(h.net));
	uint8_t copy[2048];
	int len = simnet_recv(h.net, 1, copy, sizeof copy);
	cr_assert_gt(len, 0);
	struct drive_result r;
	cr_assert_eq(drive(&h, 200000, &r), 0);
	assert_epochs(&h, 2);
	petrel_session *s = h.server.session;
	cr_assert_eq(petrel_engine_feed(s, copy, (size_t)len, simnet_now(h.net)), 0);
	cr_assert_eq(s->hs, NULL, "no new handshake from a stale request");
	cr_assert_eq(s->reneg.refused, 0);
	cr_assert_eq(petrel_session_get_renegotiations(s), 1);
	teardown(&h, cc, sc);
}

Test(reneg, client_initiator_also_gets_got_application_data)
{
	struct harness h;
	petrel_credentials *cc, *sc;
	setup(&h, &cc, &sc, true, true);
	cr_assert_eq(petrel_rehandshake(h.client.session), 0);
	/* The server writes in epoch 1 before the ClientHello reaches it. */
	cr_assert_eq(petrel_record_send(h.server.session, "srv", 3), 3);
	simnet_advance_to(h.net, simnet_next_event_ms(h.net) + 1);
	struct drive_result r;
	memset(&r, 0, sizeof r);
	drive_end(&h.client, &r, false);
	cr_assert_eq(r.client_got_app_rc, 1);
	cr_assert_eq(r.client_app, 1);
	cr_assert_eq(drive(&h, 200000, &r), 0);
	cr_assert_eq(r.client_rc, 0);
	assert_epochs(&h, 2);
	teardown(&h, cc, sc);
}
