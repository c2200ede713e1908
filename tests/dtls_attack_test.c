/* Forged datagrams an off-path attacker can send during a handshake (issue
 * #17 items 9-12): each is dropped, the genuine handshake completes, and
 * what the peer can make us send stays bounded. Record by record through
 * the hand-driven pair (tests/robust_pair.h), on a virtual clock. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"
#include "tests/robust_pair.h"

static petrel_credentials *cert_creds, *psk_creds;

static void creds_setup(void)
{
	cert_creds = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	psk_creds = harness_psk_creds();
}

static void creds_teardown(void)
{
	petrel_credentials_free(cert_creds);
	petrel_credentials_free(psk_creds);
}

TestSuite(attack, .init = creds_setup, .fini = creds_teardown, .timeout = 60);

static void pair_cert(struct rp_pair *p)
{
	rp_init(p, 0, 0, psk_creds, cert_creds, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
}

/* Run the genuine exchange record by record until `who` is in state. */
static void reach(struct rp_pair *p, petrel_session *who, int state)
{
	cr_assert_eq(rp_start(p), PETREL_E_AGAIN);
	for (int i = 0; i < 200; i++) {
		if (rp_state(who) == state)
			return;
		cr_assert_neq(rp_step(p), 1, "stalled before %s", rp_state_name(state));
	}
	cr_assert_fail("never reached %s", rp_state_name(state));
}

static int feed(struct rp_pair *p, petrel_session *to, uint8_t *rec, size_t len)
{
	return petrel_engine_feed(to, rec, len, p->now_ms);
}

/* Item 9: records failing authentication between the peer's CCS and its
 * Finished are dropped silently; two of them used to end the handshake. */
Test(attack, bad_mac_records_after_ccs_do_not_end_the_handshake)
{
	for (int role = 0; role < 2; role++) {
		struct rp_pair p;
		pair_cert(&p);
		petrel_session *victim = role ? p.server.session : p.client.session;
		reach(&p, victim, role ? HS_S_WAIT_FINISHED : HS_C_WAIT_FINISHED);
		cr_assert_eq(petrel_rl_read_epoch(&victim->rl), 1);
		uint8_t junk[48], rec[128];
		memset(junk, 0x5a, sizeof junk);
		for (uint64_t i = 0; i < 5; i++) {
			size_t n = rp_raw_record(PETREL_CT_HANDSHAKE, 1, 40 + i, junk, sizeof junk, rec,
						 sizeof rec);
			cr_assert_eq(feed(&p, victim, rec, n), 0);
		}
		cr_assert_eq(petrel_rl_stats(&victim->rl)->dropped_bad_mac, 5);
		cr_assert_eq(rp_run_to_completion(&p, 10000), 0, "role %d", role);
		rp_free(&p);
	}
}

/* Issue #17 "no spoofed datagram may end a handshake": one datagram
 * with a forged epoch-0 ChangeCipherSpec and a new-epoch record that fails
 * authentication (what a wrong PSK looks like) is dropped; the genuine
 * handshake completes. */
Test(attack, forged_ccs_with_bad_record_does_not_end_the_handshake)
{
	for (int role = 0; role < 2; role++) {
		struct rp_pair p;
		pair_cert(&p);
		petrel_session *victim = role ? p.server.session : p.client.session;
		reach(&p, victim, role ? HS_S_WAIT_CCS : HS_C_WAIT_CCS);
		static const uint8_t ccs[1] = {1};
		uint8_t junk[48], dgram[256];
		memset(junk, 0x5a, sizeof junk);
		size_t n = rp_raw_record(PETREL_CT_CHANGE_CIPHER_SPEC, 0, 50, ccs, 1, dgram, sizeof dgram);
		n += rp_raw_record(PETREL_CT_HANDSHAKE, 1, 0, junk, sizeof junk, dgram + n, sizeof dgram - n);
		cr_assert_eq(feed(&p, victim, dgram, n), 0, "role %d", role);
		cr_assert_eq(victim->fatal_error, 0);
		cr_assert_eq(petrel_rl_stats(&victim->rl)->dropped_bad_mac, 1);
		cr_assert_eq(rp_run_to_completion(&p, 10000), 0, "role %d", role);
		rp_free(&p);
	}
}

/* Item 9: a limit applies where the user sets one. */
Test(attack, user_bad_record_limit_ends_the_session)
{
	struct rp_pair p;
	pair_cert(&p);
	petrel_session *victim = p.server.session;
	petrel_record_set_bad_record_limit(victim, 2);
	reach(&p, victim, HS_S_WAIT_FINISHED);
	uint8_t junk[48], rec[128];
	memset(junk, 0x5a, sizeof junk);
	int rc = 0;
	for (uint64_t i = 0; i < 3; i++) {
		size_t n = rp_raw_record(PETREL_CT_HANDSHAKE, 1, 40 + i, junk, sizeof junk, rec, sizeof rec);
		rc = feed(&p, victim, rec, n);
		if (i < 2)
			cr_assert_eq(rc, 0);
	}
	cr_assert_eq(rc, PETREL_E_TOO_MANY_BAD_RECORDS);
	rp_free(&p);
}

/* Item 10: an epoch-0 fragment claiming the Finished's message_seq,
 * arriving before the CCS, must not keep the genuine epoch-1 Finished out. */
Test(attack, spoofed_epoch0_finished_fragment_does_not_block_the_real_one)
{
	static const uint32_t lengths[] = {12, 40}; /* same length (bytes conflict) and other */
	for (int role = 0; role < 2; role++) {
		for (size_t l = 0; l < 2; l++) {
			struct rp_pair p;
			pair_cert(&p);
			petrel_session *victim = role ? p.server.session : p.client.session;
			reach(&p, victim, role ? HS_S_WAIT_CCS : HS_C_WAIT_CCS);
			uint16_t seq = victim->hs->rx.next_seq;
			uint8_t frag[PETREL_HS_HEADER_LEN + 6], rec[128];
			struct petrel_writer w;
			petrel_writer_init(&w, frag, sizeof frag);
			struct petrel_hs_header h = {.msg_type = PETREL_HS_FINISHED, .length = lengths[l],
						     .message_seq = seq, .fragment_offset = 0,
						     .fragment_length = 6};
			cr_assert_eq(petrel_hs_header_write(&w, &h), 0);
			static const uint8_t six[6] = {1, 2, 3, 4, 5, 6};
			cr_assert(petrel_put_bytes(&w, six, 6));
			size_t n = rp_raw_record(PETREL_CT_HANDSHAKE, 0, 60, frag, sizeof frag, rec, sizeof rec);
			cr_assert_eq(feed(&p, victim, rec, n), 0);
			cr_assert_eq(petrel_reasm_buffered_count(&victim->hs->rx), 1, "the fragment is buffered");
			cr_assert_eq(rp_run_to_completion(&p, 10000), 0, "role %d length %u", role,
				     lengths[l]);
			rp_free(&p);
		}
	}
}

/* Item 11: once the peer is past epoch 0, epoch-0 alerts are ignored. */
Test(attack, epoch0_alerts_ignored_once_the_peer_is_in_epoch1)
{
	static const uint8_t alerts[][2] = {{2, 40}, {1, 0}, {2, 0}}; /* fatal, close_notify x2 */
	for (int role = 0; role < 2; role++) {
		for (size_t a = 0; a < 3; a++) {
			struct rp_pair p;
			pair_cert(&p);
			petrel_session *victim = role ? p.server.session : p.client.session;
			reach(&p, victim, role ? HS_S_WAIT_FINISHED : HS_C_WAIT_FINISHED);
			uint8_t rec[64];
			size_t n = rp_raw_record(PETREL_CT_ALERT, 0, 70, alerts[a], 2, rec, sizeof rec);
			cr_assert_eq(feed(&p, victim, rec, n), 0, "role %d alert %zu", role, a);
			cr_assert_eq(victim->fatal_error, 0);
			cr_assert_not(victim->closed);
			cr_assert_eq(rp_run_to_completion(&p, 10000), 0);
			/* Established: still ignored. */
			n = rp_raw_record(PETREL_CT_ALERT, 0, 71, alerts[a], 2, rec, sizeof rec);
			cr_assert_eq(feed(&p, victim, rec, n), 0);
			cr_assert_eq(victim->fatal_error, 0);
			cr_assert_not(victim->closed);
			rp_free(&p);
		}
	}
}

/* The same alert in the peer's epoch (authenticated) still counts. */
Test(attack, authenticated_alert_still_ends_the_handshake)
{
	struct rp_pair p;
	pair_cert(&p);
	petrel_session *victim = p.server.session;
	reach(&p, victim, HS_S_WAIT_FINISHED);
	uint8_t rec[64];
	static const uint8_t fatal[2] = {2, 40};
	size_t n = rp_protected_record(p.client.session, 1, PETREL_CT_ALERT, fatal, 2, rec, sizeof rec);
	cr_assert_gt(n, 0);
	cr_assert_eq(feed(&p, victim, rec, n), PETREL_E_FATAL_ALERT_RECEIVED);
	rp_free(&p);
}

/* Item 12: tiny "old message" datagrams (a repeated ClientHello header, 25
 * bytes) make the server resend its certificate flight; what it sends that
 * way stays within 3x the bytes it received, paced or not. */
Test(attack, old_message_retransmissions_bounded_by_3x_received)
{
	for (int paced = 0; paced < 2; paced++) {
		struct rp_pair p;
		pair_cert(&p);
		petrel_session *victim = p.server.session;
		reach(&p, victim, HS_S_WAIT_CKE);
		struct petrel_stats before;
		petrel_session_get_stats(victim, &before);
		uint8_t hdr[PETREL_HS_HEADER_LEN], rec[64];
		petrel_hs_header_encode_full(hdr, PETREL_HS_CLIENT_HELLO, 1, 0);
		hdr[3] = 0; /* length 0: nothing but the header */
		uint64_t attack_bytes = 0;
		for (uint64_t i = 0; i < 200; i++) {
			p.now_ms += paced ? 100 : 10;
			size_t n = rp_raw_record(PETREL_CT_HANDSHAKE, 0, 100 + i, hdr, sizeof hdr, rec,
						 sizeof rec);
			attack_bytes += n;
			cr_assert_eq(feed(&p, victim, rec, n), 0);
		}
		struct petrel_stats after;
		petrel_session_get_stats(victim, &after);
		uint64_t sent = after.bytes_sent - before.bytes_sent;
		cr_log_info("paced %d: attacker %llu bytes, server resent %llu bytes (%llu flights)",
			    paced, (unsigned long long)attack_bytes, (unsigned long long)sent,
			    (unsigned long long)(after.retransmissions - before.retransmissions));
		cr_assert_gt(after.retransmissions, before.retransmissions, "some are answered");
		cr_assert_leq(sent, 3 * after.bytes_received, "sent %llu for %llu received",
			      (unsigned long long)sent, (unsigned long long)after.bytes_received);
		/* The genuine handshake still completes. */
		cr_assert_eq(rp_run_to_completion(&p, 20000), 0);
		rp_free(&p);
	}
}

/* One forged epoch-0 record numbered ahead of the genuine ones (within
 * the jump the record layer lets epoch 0 make) must not make the genuine
 * records "too old" for the replay window. */
Test(attack, forged_epoch0_record_number_ahead_does_not_block)
{
	static const uint64_t ahead[] = {70, 1000, 4000};
	for (size_t i = 0; i < 3; i++) {
		struct rp_pair p;
		pair_cert(&p);
		petrel_session *victim = p.server.session;
		reach(&p, victim, HS_S_WAIT_CKE);
		uint8_t rec[64];
		static const uint8_t warn[2] = {1, 90};
		size_t n = rp_raw_record(PETREL_CT_ALERT, 0, victim->rl.read[0].replay.top + ahead[i],
					 warn, 2, rec, sizeof rec);
		(void)feed(&p, victim, rec, n);
		cr_assert_eq(rp_run_to_completion(&p, 20000), 0, "%llu ahead",
			     (unsigned long long)ahead[i]);
		rp_free(&p);
	}
}

/* One spoofed datagram of 64 empty epoch-0 records numbered just ahead of
 * the last genuine one: with a replay window on epoch 0, the client's
 * next 64 genuine records would be "replays" and its flight would be lost
 * again and again. Epoch 0 keeps no window, so the flight goes through at
 * once and the client never needs to retransmit. */
Test(attack, spoofed_epoch0_records_ahead_cannot_fill_a_replay_window)
{
	struct rp_pair p;
	pair_cert(&p);
	petrel_session *victim = p.server.session;
	reach(&p, victim, HS_S_WAIT_CKE);
	uint8_t dgram[64 * 16];
	size_t len = 0;
	uint64_t top = victim->rl.read[0].replay.top;
	for (uint64_t i = 1; i <= 64; i++)
		len += rp_raw_record(PETREL_CT_HANDSHAKE, 0, top + i, NULL, 0, dgram + len,
				     sizeof dgram - len);
	(void)feed(&p, victim, dgram, len);
	cr_assert_eq(rp_run_to_completion(&p, 20000), 0);
	struct petrel_stats cs;
	petrel_session_get_stats(p.client.session, &cs);
	cr_assert_eq(cs.retransmissions, 0);
	rp_free(&p);
}

/* Issue #17 item 5 (not an attack, but the same hand-driven pair): after
 * a cookie exchange that took no time, a peer taking 300 ms of public-key
 * work to answer a flight gets no spurious retransmission. */
Test(attack, slow_peer_work_causes_no_retransmission)
{
	struct rp_pair p;
	pair_cert(&p);
	petrel_dtls_set_timeouts(p.client.session, 1000, 20000);
	petrel_dtls_set_timeouts(p.server.session, 1000, 20000);
	reach(&p, p.server.session, HS_S_WAIT_CKE); /* server flight sent */
	p.now_ms += 300; /* the client "works" before its answer arrives */
	cr_assert_eq(petrel_engine_tick(p.server.session, p.now_ms), 0);
	while (p.server.count > 0)
		(void)rp_deliver(&p, &p.server);
	cr_assert(rp_state(p.client.session) == HS_C_WAIT_CCS ||
		  rp_state(p.client.session) == HS_C_WAIT_NST_OR_CCS);
	p.now_ms += 300; /* the server "works" on the client's final flight */
	cr_assert_eq(petrel_engine_tick(p.client.session, p.now_ms), 0);
	cr_assert_eq(rp_run_to_completion(&p, 10000), 0);
	struct petrel_stats cs, ss;
	petrel_session_get_stats(p.client.session, &cs);
	petrel_session_get_stats(p.server.session, &ss);
	cr_assert_eq(cs.retransmissions, 0);
	cr_assert_eq(ss.retransmissions, 0);
	rp_free(&p);
}

/* Item 21's other side: a server that rejects our cookie (its secret
 * rotated twice) answers with a second HelloVerifyRequest. It is taken
 * once it answers a retransmitted ClientHello, and the handshake
 * completes with the new cookie. */
static void count_hvr(void *ctx, const uint8_t *rec, size_t len)
{
	if (len > PETREL_RECORD_HEADER_LEN && rec[0] == PETREL_CT_HANDSHAKE &&
	    rec[PETREL_RECORD_HEADER_LEN] == PETREL_HS_HELLO_VERIFY_REQUEST)
		(*(unsigned *)ctx)++;
}

Test(attack, genuine_second_hello_verify_is_followed)
{
	struct rp_pair p;
	pair_cert(&p);
	unsigned hvrs = 0;
	p.server.on_record = count_hvr;
	p.server.on_record_ctx = &hvrs;
	cr_assert_eq(rp_start(&p), PETREL_E_AGAIN);
	cr_assert_eq(rp_deliver(&p, &p.client), 0); /* ClientHello */
	cr_assert_eq(rp_deliver(&p, &p.server), 0); /* HelloVerifyRequest */
	cr_assert_gt(p.client.session->hs->cookie_len, 0);
	/* Both secrets change: the cookie in flight is now invalid. */
	memset(cert_creds->cookie_secret, 0x11, sizeof cert_creds->cookie_secret);
	memset(cert_creds->cookie_secret_prev, 0x22, sizeof cert_creds->cookie_secret_prev);
	cr_assert_eq(rp_run_to_completion(&p, 20000), 0);
	cr_assert_geq(hvrs, 3, "first, rejected-cookie, and its answer to the resend: %u", hvrs);
	struct petrel_stats cs;
	petrel_session_get_stats(p.client.session, &cs);
	cr_assert_geq(cs.retransmissions, 1, "the second HelloVerifyRequest waited for a resend");
	rp_free(&p);
}

/* Item 9, with records planted early: forged next-epoch records buffered
 * before the peer's CCS fail when its datagram installs the keys; they
 * came in datagrams of their own, so they are dropped and nothing ends. */
Test(attack, bad_records_buffered_before_the_ccs_do_not_end_the_handshake)
{
	for (int role = 0; role < 2; role++) {
		struct rp_pair p;
		pair_cert(&p);
		petrel_session *victim = role ? p.server.session : p.client.session;
		reach(&p, victim, role ? HS_S_WAIT_CCS : HS_C_WAIT_CCS);
		uint8_t junk[48], rec[128];
		memset(junk, 0x33, sizeof junk);
		for (uint64_t i = 0; i < 3; i++) {
			size_t n = rp_raw_record(PETREL_CT_HANDSHAKE, 1, i, junk, sizeof junk, rec, sizeof rec);
			cr_assert_eq(feed(&p, victim, rec, n), 0);
		}
		cr_assert_eq(petrel_rl_buffered_count(&victim->rl), 3);
		cr_assert_eq(rp_run_to_completion(&p, 10000), 0, "role %d", role);
		rp_free(&p);
	}
}

/* Issue #19 item 2: the server keeps its final flight compacted (bytes
 * only, no plan); a client that retransmits its Finished flight still
 * gets the same records again, planned anew, and the flight is compact
 * again afterwards. */
struct size_log {
	size_t count, sizes[16];
};
static void log_size(void *ctx, const uint8_t *rec, size_t len)
{
	(void)rec;
	struct size_log *l = ctx;
	if (l->count < 16)
		l->sizes[l->count] = len;
	l->count++;
}

Test(attack, compacted_final_flight_is_resent_the_same)
{
	struct rp_pair p;
	pair_cert(&p);
	struct size_log first = {0}, again = {0};
	reach(&p, p.server.session, HS_S_WAIT_FINISHED);
	p.server.on_record = log_size;
	p.server.on_record_ctx = &first;
	cr_assert_eq(rp_run_to_completion(&p, 10000), 0);
	petrel_session *server = p.server.session;
	cr_assert_not_null(server->final, "the server keeps its final flight");
	cr_assert_not(server->final->flight.planned, "compacted: no plan kept");
	cr_assert_eq(server->final->flight.bytes_cap, server->final->flight.bytes_len);
	cr_assert_gt(first.count, 0);
	/* The client's Finished again, in a fresh record (as a retransmission). */
	static const uint8_t body[12] = {0};
	uint8_t msg[64], rec[128];
	size_t m = rp_hs_message(msg, sizeof msg, PETREL_HS_FINISHED, server->final->last_peer_seq, body,
				 sizeof body);
	size_t n = rp_protected_record(p.client.session, 1, PETREL_CT_HANDSHAKE, msg, m, rec, sizeof rec);
	cr_assert_gt(n, 0);
	p.now_ms += 50;
	p.server.on_record_ctx = &again;
	cr_assert_eq(feed(&p, server, rec, n), 0);
	cr_assert_eq(again.count, first.count, "the whole final flight again");
	for (size_t i = 0; i < first.count && i < 16; i++)
		cr_assert_eq(again.sizes[i], first.sizes[i], "record %zu", i);
	cr_assert_not(server->final->flight.planned, "compact again");
	rp_free(&p);
}

/* ---- Epoch 0 is unauthenticated: failures and alerts end nothing ------ */

/* A forged fatal alert or close_notify mid-handshake, in epoch 0 before
 * the peer's ChangeCipherSpec (RFC 6347 4.1.2.7): recorded, not fatal;
 * the genuine handshake completes. */
Test(attack, spoofed_epoch0_alert_mid_handshake_does_not_end_it)
{
	static const uint8_t alerts[][2] = {{2, 40}, {1, 0}, {2, 10}};
	static const int states[] = {HS_C_WAIT_SH, HS_C_WAIT_CERT, HS_S_WAIT_CKE};
	for (size_t st = 0; st < 3; st++) {
		for (size_t a = 0; a < 3; a++) {
			struct rp_pair p;
			pair_cert(&p);
			petrel_session *victim = st < 2 ? p.client.session : p.server.session;
			reach(&p, victim, states[st]);
			uint8_t rec[64];
			size_t n = rp_raw_record(PETREL_CT_ALERT, 0, 90, alerts[a], 2, rec, sizeof rec);
			cr_assert_eq(feed(&p, victim, rec, n), 0, "%s alert %zu", rp_state_name(states[st]), a);
			cr_assert_eq(victim->fatal_error, 0);
			cr_assert_not(victim->closed);
			cr_assert_eq(petrel_alert_get(victim), alerts[a][1], "recorded for the report");
			cr_assert_eq(rp_run_to_completion(&p, 10000), 0, "%s alert %zu",
				     rp_state_name(states[st]), a);
			rp_free(&p);
		}
	}
}

/* A peer that really refuses us in epoch 0 (a server with no shared
 * suite sends handshake_failure) cannot be told from a forger: the
 * handshake ends at its timeout with the alert reported, and sends no
 * alert of its own back (RFC 5246 7.2.2). */
Test(attack, genuine_epoch0_alert_reported_at_the_timeout)
{
	struct rp_pair p;
	pair_cert(&p);
	petrel_session *victim = p.client.session;
	petrel_dtls_set_timeouts(victim, 0, 5000);
	reach(&p, victim, HS_C_WAIT_SH);
	uint64_t deadline = victim->hs->deadline_total_ms;
	static const uint8_t refusal[2] = {2, 40};
	uint8_t rec[64];
	size_t n = rp_raw_record(PETREL_CT_ALERT, 0, 1, refusal, 2, rec, sizeof rec);
	cr_assert_eq(feed(&p, victim, rec, n), 0);
	size_t queued = p.client.count;
	int rc = 0;
	for (int i = 0; i < 100 && rc == 0; i++) {
		uint64_t d = petrel_engine_next_deadline(victim);
		cr_assert_leq(d, deadline);
		p.now_ms = d;
		rc = petrel_engine_tick(victim, d);
		if (rc == 0 && p.client.count > queued) {
			/* The peer answers each retransmitted ClientHello alike. */
			p.client.count = queued;
			n = rp_raw_record(PETREL_CT_ALERT, 0, 2 + (uint64_t)i, refusal, 2, rec, sizeof rec);
			cr_assert_eq(feed(&p, victim, rec, n), 0);
		}
	}
	cr_assert_eq(rc, PETREL_E_FATAL_ALERT_RECEIVED, "%s", petrel_strerror_name(rc));
	cr_assert_eq(p.now_ms, deadline);
	cr_assert_eq(petrel_alert_get(victim), 40);
	cr_assert_eq(p.client.count, queued, "no alert sent back");
	rp_free(&p);
}

/* Forged handshake messages of the awaited type and message_seq that
 * fail to parse or validate, in epoch 0: dropped, their message_seq
 * still open, whatever the handler changed put back; the genuine message
 * that follows completes the handshake (RFC 6347 4.1.2.7, dtls/hs_drop.c). */
Test(attack, forged_malformed_epoch0_messages_do_not_end_the_handshake)
{
	static const uint8_t garbage[40] = {0xff, 0xff, 0xff, 0xff, 0x01};
	/* X25519 all-zero point: a small-order point, refused by the
	 * derivation, which used to wipe the server's ECDHE key. */
	uint8_t zero_point[33] = {32};
	struct {
		int state;
		bool server;
		uint8_t type;
		const uint8_t *body;
		size_t len;
	} cases[] = {
		{HS_C_WAIT_SH, false, PETREL_HS_SERVER_HELLO, garbage, sizeof garbage},
		{HS_C_WAIT_SH, false, PETREL_HS_HELLO_VERIFY_REQUEST, garbage, 3},
		{HS_C_WAIT_CERT, false, PETREL_HS_CERTIFICATE, garbage, sizeof garbage},
		{HS_C_WAIT_SKE, false, PETREL_HS_SERVER_KEY_EXCHANGE, garbage, sizeof garbage},
		{HS_C_WAIT_CR_OR_SHD, false, PETREL_HS_SERVER_HELLO_DONE, garbage, 4},
		{HS_S_WAIT_CKE, true, PETREL_HS_CLIENT_KEY_EXCHANGE, garbage, sizeof garbage},
		{HS_S_WAIT_CKE, true, PETREL_HS_CLIENT_KEY_EXCHANGE, zero_point, sizeof zero_point},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rp_pair p;
		pair_cert(&p);
		petrel_session *victim = cases[i].server ? p.server.session : p.client.session;
		reach(&p, victim, cases[i].state);
		uint16_t seq = victim->hs->rx.next_seq;
		size_t transcript_len = victim->hs->transcript_len;
		uint8_t msg[128], rec[256];
		size_t m = rp_hs_message(msg, sizeof msg, cases[i].type, seq, cases[i].body, cases[i].len);
		size_t n = rp_raw_record(PETREL_CT_HANDSHAKE, 0, 80, msg, m, rec, sizeof rec);
		cr_assert_eq(feed(&p, victim, rec, n), 0, "case %zu", i);
		cr_assert_eq(victim->fatal_error, 0, "case %zu", i);
		cr_assert_eq(rp_state(victim), cases[i].state, "case %zu", i);
		cr_assert_eq(victim->hs->rx.next_seq, seq, "case %zu: message_seq still open", i);
		cr_assert_eq(victim->hs->transcript_len, transcript_len, "case %zu", i);
		cr_assert_neq(victim->hs->dropped_error, 0, "case %zu: remembered", i);
		cr_assert_eq(rp_run_to_completion(&p, 10000), 0, "case %zu", i);
		rp_free(&p);
	}
}

/* A genuine ServerHello that fails part-way (here: an EMS refusal, after
 * it went into the transcript): the genuine server repeats it, and the
 * client ends at its timeout with that error and its alert. */
Test(attack, genuine_bad_message_in_epoch0_reported_at_the_timeout)
{
	struct rp_pair p;
	rp_init(&p, PETREL_FLAG_REQUIRE_EMS, PETREL_FLAG_TEST_OMIT_EMS, psk_creds, cert_creds,
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	petrel_session *victim = p.client.session;
	petrel_dtls_set_timeouts(victim, 0, 4000);
	cr_assert_eq(rp_start(&p), PETREL_E_AGAIN);
	int rc = rp_run_to_completion(&p, 10000);
	cr_assert_eq(rc, -1, "%d state %s now %llu", rc, rp_state_name(rp_state(victim)), (unsigned long long)p.now_ms);
	cr_assert_eq(victim->fatal_error, PETREL_E_EMS_REQUIRED, "%s",
		     petrel_strerror_name(victim->fatal_error));
	cr_assert_geq(p.now_ms, 1000 + 4000, "at the timeout, not before");
	rp_free(&p);
}

/* Issue: peer-triggered resends backed off the timer. Only our own
 * timer's expiry doubles it (RFC 6347 4.2.4.1); a repeated old message
 * makes us resend, no more. */
Test(attack, peer_triggered_resend_does_not_back_off)
{
	struct rp_pair p;
	pair_cert(&p);
	petrel_session *victim = p.server.session;
	reach(&p, victim, HS_S_WAIT_CKE);
	unsigned backoff = victim->hs->rto.backoff;
	uint32_t rto = petrel_rto_current_ms(&victim->hs->rto);
	uint64_t timeouts = petrel_rto_stats(&victim->hs->rto)->timeouts;
	struct petrel_stats before, after;
	petrel_session_get_stats(victim, &before);
	uint8_t hdr[PETREL_HS_HEADER_LEN], rec[64];
	petrel_hs_header_encode_full(hdr, PETREL_HS_CLIENT_HELLO, 1, 0);
	for (uint64_t i = 0; i < 3; i++) {
		p.now_ms += 50;
		size_t n = rp_raw_record(PETREL_CT_HANDSHAKE, 0, 200 + i, hdr, sizeof hdr, rec, sizeof rec);
		cr_assert_eq(feed(&p, victim, rec, n), 0);
	}
	petrel_session_get_stats(victim, &after);
	cr_assert_gt(after.retransmissions, before.retransmissions, "the flight was resent");
	cr_assert_eq(victim->hs->rto.backoff, backoff);
	cr_assert_eq(petrel_rto_current_ms(&victim->hs->rto), rto);
	cr_assert_eq(petrel_rto_stats(&victim->hs->rto)->timeouts, timeouts);
	cr_assert_eq(rp_run_to_completion(&p, 10000), 0);
	rp_free(&p);
}

/* ---- The endpoint's idle timer counts only authenticated records ------ */

struct ep_client {
	petrel_session *s;
	uint8_t sent[8][2048];
	size_t sent_len[8];
	unsigned sent_count;
	uint64_t now;
};

static long ep_client_push(void *ptr, const uint8_t *data, size_t len)
{
	struct ep_client *c = ptr;
	if (c->sent_count < 8 && len <= sizeof c->sent[0]) {
		memcpy(c->sent[c->sent_count], data, len);
		c->sent_len[c->sent_count++] = len;
	}
	return (long)len;
}

static long ep_client_pull(void *ptr, uint8_t *buf, size_t cap)
{
	(void)ptr;
	(void)buf;
	(void)cap;
	return PETREL_E_AGAIN;
}

static uint64_t ep_client_clock(void *ptr)
{
	return ((struct ep_client *)ptr)->now;
}

/* Everything the client sent to the endpoint; its answers to the client. */
static void ep_exchange(petrel_endpoint *ep, struct ep_client *c, const struct sockaddr_in *a)
{
	for (unsigned i = 0; i < c->sent_count; i++)
		cr_assert_eq(petrel_endpoint_feed(ep, c->sent[i], c->sent_len[i], a, sizeof *a, c->now), 0);
	c->sent_count = 0;
	uint8_t buf[17 * 1024];
	struct sockaddr_storage to;
	unsigned to_len = sizeof to;
	long n;
	while ((n = petrel_endpoint_next_datagram(ep, buf, sizeof buf, &to, &to_len)) > 0) {
		(void)petrel_engine_feed(c->s, buf, (size_t)n, c->now);
		to_len = sizeof to;
	}
}

static unsigned idle_closed;
static void count_closed(void *ptr, petrel_session *s, int reason)
{
	(void)ptr;
	(void)s;
	if (reason == PETREL_E_TIMEDOUT)
		idle_closed++;
}

/* A datagram spoofed from the peer's address (an epoch-0 record, or an
 * epoch-1 record that fails authentication) does not keep an idle
 * session open; an authenticated record does. */
static void idle_case(int what)
{
	struct petrel_endpoint_callbacks cb = {.on_closed = count_closed};
	petrel_endpoint *ep;
	cr_assert_eq(petrel_endpoint_new_sans_io(&ep, psk_creds, 0, &cb), 0);
	petrel_endpoint_set_idle_timeout(ep, 1000);
	struct ep_client c = {.now = 1000000};
	cr_assert_eq(petrel_session_new(&c.s, PETREL_CLIENT), 0);
	petrel_session_set_credentials(c.s, psk_creds);
	petrel_session_set_ciphers(c.s, "TLS_PSK_WITH_AES_128_GCM_SHA256");
	petrel_transport_set_ptr(c.s, &c);
	petrel_transport_set_push_function(c.s, ep_client_push);
	petrel_transport_set_pull_function(c.s, ep_client_pull);
	petrel_transport_set_clock_function(c.s, ep_client_clock, &c);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(4433)};
	cr_assert_eq(inet_pton(AF_INET, "10.1.2.3", &a.sin_addr), 1);
	int rc = PETREL_E_AGAIN;
	for (int k = 0; k < 10 && rc != 0; k++) {
		rc = petrel_handshake(c.s);
		ep_exchange(ep, &c, &a);
	}
	cr_assert_eq(rc, 0);
	cr_assert_eq(petrel_endpoint_session_count(ep), 1);
	idle_closed = 0;
	uint64_t done = c.now;
	c.now = done + 600;
	uint8_t rec[128];
	size_t n;
	if (what == 2) {
		cr_assert_eq(petrel_record_send(c.s, "alive", 5), 5);
		ep_exchange(ep, &c, &a);
	} else {
		uint8_t junk[48];
		memset(junk, 0x5a, sizeof junk);
		n = rp_raw_record(what ? PETREL_CT_APPLICATION_DATA : PETREL_CT_HANDSHAKE, (uint16_t)what,
				  what ? 7 : 70, junk, sizeof junk, rec, sizeof rec);
		cr_assert_eq(petrel_endpoint_feed(ep, rec, n, &a, sizeof a, c.now), 0);
	}
	cr_assert_eq(petrel_endpoint_handle_timeout(ep, done + 1100), 0);
	if (what == 2)
		cr_assert_eq(petrel_endpoint_session_count(ep), 1, "kept by an authenticated record");
	else
		cr_assert_eq(idle_closed, 1, "spoofed record %d kept the session open", what);
	petrel_session_free(c.s);
	petrel_endpoint_free(ep);
}

Test(attack, spoofed_datagrams_do_not_keep_an_idle_session_open)
{
	idle_case(0); /* epoch 0 */
	idle_case(1); /* epoch 1, bad MAC */
	idle_case(2); /* genuine: kept */
}
