/* Connection IDs in DTLS 1.3 (RFC 9147 9, issue #20): negotiated by the
 * connection_id extension in ClientHello and ServerHello, carried in the
 * unified header (C bit) of every protected record, checked on receipt;
 * and (with the sans-I/O endpoint) NAT rebinding: a session follows its
 * CID to a new address only on an authentic record newer than any
 * before (RFC 9146 6). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_ext.h"
#include "dtls13/cid13_record.h"
#include "dtls13/engine13.h"
#include "petrel/petrel.h"
#include "record/header13.h"
#include "tests/dtls_harness.h"
#include "tests/dtls_nat_harness.h"
#include "tests/simnet.h"

/* ---- Two sessions on the simulated network ------------------------------- */

struct wire13 {
	const char *want_cid; /* the CID this end's protected records must carry */
	unsigned with_cid, without_cid, wrong_cid;
};

/* Counts the protected (unified header) records of every datagram by
 * whether they carry the expected CID; the length comes from the L bit. */
static void log_send13(struct harness_end *end, const uint8_t *data, size_t len)
{
	struct wire13 *log = end->on_send_ctx;
	size_t cid_len = log->want_cid ? strlen(log->want_cid) : 0;
	size_t off = 0;
	while (off < len) {
		struct petrel_reader r;
		struct petrel_dtls13_header h;
		const uint8_t *body;
		if (petrel_record_kind(data[off]) != PETREL_REC_UNIFIED) {
			if (len - off < 13)
				return;
			off += 13 + (size_t)(data[off + 11] << 8 | data[off + 12]);
			continue;
		}
		petrel_reader_init(&r, data + off, len - off);
		bool has_c = (data[off] & PETREL_DTLS13_FLAG_CID) != 0;
		if (!petrel_dtls13_header_read(&r, has_c ? (cid_len ? cid_len : 1) : 0, &h, &body))
			return;
		if (!has_c)
			log->without_cid++;
		else if (cid_len > 0 && memcmp(h.cid, log->want_cid, cid_len) == 0)
			log->with_cid++;
		else
			log->wrong_cid++;
		off += h.header_len + h.length;
	}
}

static void only13(petrel_session *s)
{
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
}

/* A 1.3-only client and a server with ECDSA certificates, the client's
 * not verifying. */
static void init13(struct harness *h, uint64_t seed)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(h, seed, 0, 0, cc, sc);
	only13(h->client.session);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
}

/* A 1.3 pair with certificates; client_cid / server_cid: the CID each
 * asks for (NULL: CIDs off on that side). logs[0]: the client's sends. */
static void pair13(struct harness *h, const char *client_cid, const char *server_cid,
		   struct wire13 logs[2], uint64_t seed)
{
	init13(h, seed);
	petrel_session_set_verify(h->server.session, PETREL_VERIFY_NONE, NULL, 0);
	harness_set_cids(h, client_cid, server_cid);
	memset(logs, 0, 2 * sizeof logs[0]);
	/* The client's records carry the server's CID and the other way. */
	logs[0].want_cid = client_cid && server_cid ? server_cid : NULL;
	logs[1].want_cid = client_cid && server_cid ? client_cid : NULL;
	h->client.on_send = log_send13;
	h->client.on_send_ctx = &logs[0];
	h->server.on_send = log_send13;
	h->server.on_send_ctx = &logs[1];
	cr_assert_eq(harness_run_handshake(h, 60000), 0, "client %d server %d",
		     h->client.handshake_rc, h->server.handshake_rc);
	cr_assert_eq(h->client.session->version, PETREL_V_DTLS13);
	cr_assert_eq(h->server.session->version, PETREL_V_DTLS13);
}

Test(dtls13_cid, both_sides_negotiate_and_every_protected_record_carries_the_peers_cid)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "client-cid", "srv", logs, 11);
	harness_assert_cid(h.client.session, PETREL_CID_OURS, "client-cid");
	harness_assert_cid(h.client.session, PETREL_CID_PEERS, "srv");
	harness_assert_cid(h.server.session, PETREL_CID_OURS, "srv");
	harness_assert_cid(h.server.session, PETREL_CID_PEERS, "client-cid");
	cr_assert_eq(harness_echo(&h, "hello with cids", 60000), 0);
	cr_assert_eq(harness_echo(&h, "and again", 60000), 0);
	/* From the first encrypted record on (the handshake's epoch 2 too). */
	cr_assert_gt(logs[0].with_cid, 2);
	cr_assert_gt(logs[1].with_cid, 2);
	cr_assert_eq(logs[0].without_cid + logs[0].wrong_cid, 0);
	cr_assert_eq(logs[1].without_cid + logs[1].wrong_cid, 0);
	harness_free_all(&h);
}

Test(dtls13_cid, empty_cid_means_records_without_cid_towards_that_side)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "", "server-id", logs, 12);
	logs[0].want_cid = "server-id";
	harness_assert_cid(h.client.session, PETREL_CID_OURS, "");
	harness_assert_cid(h.server.session, PETREL_CID_PEERS, "");
	cr_assert_eq(harness_echo(&h, "one way only", 60000), 0);
	cr_assert_gt(logs[0].with_cid, 0);
	cr_assert_eq(logs[0].without_cid, 0);
	cr_assert_eq(logs[1].with_cid + logs[1].wrong_cid, 0);
	cr_assert_gt(logs[1].without_cid, 0);
	harness_free_all(&h);
}

Test(dtls13_cid, a_server_without_cids_leaves_the_session_without)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "cli", NULL, logs, 13);
	size_t len;
	cr_assert_eq(petrel_session_get_cid(h.client.session, PETREL_CID_PEERS, NULL, &len),
		     PETREL_E_UNSUPPORTED);
	cr_assert_eq(harness_echo(&h, "plain 1.3", 60000), 0);
	cr_assert_eq(logs[0].with_cid + logs[0].wrong_cid + logs[1].with_cid + logs[1].wrong_cid, 0);
	harness_free_all(&h);
}

Test(dtls13_cid, records_without_the_negotiated_cid_are_dropped)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "cc", "ss", logs, 14);
	cr_assert_eq(harness_echo(&h, "with", 60000), 0);
	/* The client "forgets" the server's CID: its records are authentic
	 * but carry no CID, which the server must not accept (RFC 9147 9). */
	struct petrel_cid_params *p = &h.client.session->cid->params;
	size_t kept = p->tx_cid_len;
	p->tx_cid_len = 0;
	cr_assert_neq(harness_echo(&h, "without", 3000), 0, "a record without CID was accepted");
	cr_assert_gt(logs[0].without_cid, 0);
	p->tx_cid_len = kept;
	cr_assert_eq(harness_echo(&h, "with again", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_cid, handshake_with_cids_survives_loss)
{
	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct harness h;
		struct wire13 logs[2];
		init13(&h, seed);
		struct simnet_rules rules = {.drop_per_million = 200000, .delay_ms = 20,
					     .reorder_window = 2};
		simnet_set_rules(h.net, 0, &rules);
		simnet_set_rules(h.net, 1, &rules);
		harness_set_cids(&h, "c1", "s22");
		memset(logs, 0, sizeof logs);
		cr_assert_eq(harness_run_handshake(&h, 120000), 0, "seed %llu",
			     (unsigned long long)seed);
		cr_assert_eq(harness_echo(&h, "lossy", 120000), 0);
		harness_assert_cid(h.server.session, PETREL_CID_PEERS, "c1");
		harness_free_all(&h);
	}
}

/* ---- The extension, against wolfSSL 5.5.4's recorded ServerHello --------- */

/* The tail of the ServerHello's extensions in
 * /work/shared/vectors/dtls13/wolfssl-cid.txt: connection_id "srv-cid1",
 * supported_versions DTLS 1.3. */
static const uint8_t wolfssl_sh_exts[] = {0x00, 0x36, 0x00, 0x09, 0x08, 's',  'r',  'v',
					  '-',  'c',  'i',  'd',  '1',  0x00, 0x2b, 0x00,
					  0x02, 0xfe, 0xfc};

Test(dtls13_cid, client_reads_wolfssl_server_hello_cid)
{
	struct petrel_cid_params result;
	struct petrel_cid13_config c = {.enabled = true,
					.ours = (const uint8_t *)"cli-cid1",
					.ours_len = 8,
					.result = &result};
	cr_assert_eq(petrel_cid13_client_on_server_hello(&c, wolfssl_sh_exts, sizeof wolfssl_sh_exts), 0);
	cr_assert(result.negotiated);
	cr_assert_eq(result.tx_cid_len, 8);
	cr_assert_eq(memcmp(result.tx_cid, "srv-cid1", 8), 0);
	cr_assert_eq(result.rx_cid_len, 8);
	/* Not offered: an answer is unsupported_extension (RFC 8446 4.2). */
	c.enabled = false;
	cr_assert_eq(petrel_cid13_client_on_server_hello(&c, wolfssl_sh_exts, sizeof wolfssl_sh_exts),
		     PETREL_E_UNSUPPORTED);
	/* Truncated extension body. */
	uint8_t bad[sizeof wolfssl_sh_exts];
	memcpy(bad, wolfssl_sh_exts, sizeof bad);
	bad[4] = 9;
	c.enabled = true;
	cr_assert_eq(petrel_cid13_client_on_server_hello(&c, bad, sizeof bad), PETREL_E_DECODE_ERROR);
}

/* The first server record of the recorded wolfSSL session: C bit, our
 * CID "cli-cid1" (8 bytes, no length on the wire), S and L bits, epoch 2. */
static const uint8_t wolfssl_s2c_head[] = {0x3e, 'c', 'l', 'i', '-', 'c', 'i', 'd', '1',
					   0x86, 0xaa, 0x00, 0x03, 0x44, 0x35, 0xff};

Test(dtls13_cid, wolfssl_record_is_read_with_our_cid_length)
{
	struct petrel_cid_params params = {.negotiated = true, .rx_cid_len = 8};
	memcpy(params.rx_cid, "cli-cid1", 8);
	struct petrel_cid13_config c = {.enabled = true, .result = &params};
	struct petrel_reader r;
	struct petrel_dtls13_header h;
	const uint8_t *body;
	petrel_reader_init(&r, wolfssl_s2c_head, sizeof wolfssl_s2c_head);
	cr_assert(petrel_dtls13_header_read(&r, petrel_cid13_rx_len(&c), &h, &body));
	cr_assert_eq(h.cid_len, 8);
	cr_assert_eq(h.header_len, 1 + 8 + 2 + 2);
	cr_assert(petrel_cid13_rx_accept(&c, &h));
	params.rx_cid[7] ^= 1; /* another session's CID */
	cr_assert_not(petrel_cid13_rx_accept(&c, &h));
}

/* ---- The sans-I/O endpoint: NAT rebinding -------------------------------- */

static void nat13_setup(struct nat_case *t, unsigned cid_len, const char *client_cid)
{
	nat_open(t, "nat13-client", cid_len, client_cid, NULL);
	only13(t->c.s);
	nat_handshake_from(t->ep, &t->c, &t->a);
	cr_assert_eq(t->c.s->version, PETREL_V_DTLS13);
	cr_assert(nat_echo_from(t->ep, &t->c, &t->a, "before the rebinding"));
}

Test(dtls13_cid_nat, rebinding_mid_session_moves_the_peer)
{
	struct nat_case t;
	nat13_setup(&t, 6, "");
	nat_assert_rebinding_moves(&t, 6);
	nat_free(&t);
}

Test(dtls13_cid_nat, replayed_or_older_record_from_another_address_does_not_move)
{
	struct nat_case t;
	nat13_setup(&t, 4, "cli");
	nat_assert_replays_do_not_move(&t, 0xf0, 0x30, "a unified header with the C bit");
	nat_free(&t);
}

Test(dtls13_cid_nat, forged_cid_record_does_not_move)
{
	struct nat_case t;
	nat13_setup(&t, 4, "");
	uint8_t forged[2048];
	size_t forged_len = nat_take_template(&t, forged);
	forged[1 + 4] ^= 0x55;		/* masked sequence number */
	forged[forged_len - 1] ^= 0x01; /* tag */
	nat_assert_forgery_does_not_move(&t, forged, forged_len);
	nat_free(&t);
}

/* ---- After the handshake: KeyUpdate; and the fall back to 1.2 ------------ */

Test(dtls13_cid, records_of_key_update_epochs_carry_the_cid_too)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "kc", "ks", logs, 15);
	/* Once the client's last flight is acknowledged (one at a time). */
	cr_assert_eq(harness_echo(&h, "before", 60000), 0);
	cr_assert_eq(harness_echo(&h, "before, again", 60000), 0);
	cr_assert_eq(petrel_handshake(h.client.session), 0); /* KeyUpdate(update_requested) */
	cr_assert_eq(harness_echo(&h, "after key update", 60000), 0);
	cr_assert_eq(harness_echo(&h, "once more", 60000), 0);
	cr_assert_eq(petrel_engine13_write_epoch(h.client.session), 4);
	cr_assert_eq(petrel_engine13_write_epoch(h.server.session), 4);
	cr_assert_eq(logs[0].without_cid + logs[0].wrong_cid, 0);
	cr_assert_eq(logs[1].without_cid + logs[1].wrong_cid, 0);
	harness_free_all(&h);
}

/* A client offering 1.2 and 1.3 with a CID, a 1.2 server: the 1.2
 * client takes over from the same ClientHello and negotiates RFC 9146
 * CIDs (tls12_cid records). */
static void fallback_with_cids(unsigned server_flags, uint64_t seed)
{
	struct harness h;
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(&h, seed, 0, server_flags, cc, sc);
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	harness_set_cids(&h, "fc", "fsv");
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(h.client.session->version, PETREL_V_DTLS12);
	harness_assert_cid(h.client.session, PETREL_CID_PEERS, "fsv");
	harness_assert_cid(h.server.session, PETREL_CID_PEERS, "fc");
	cr_assert_eq(harness_echo(&h, "1.2 with cids", 60000), 0);
	harness_free_all(&h);
}

Test(dtls13_cid, fallback_to_12_on_server_hello_negotiates_12_cids)
{
	fallback_with_cids(PETREL_FLAG_NO_COOKIE, 16);
}

Test(dtls13_cid, fallback_to_12_after_hello_verify_request_negotiates_12_cids)
{
	fallback_with_cids(0, 17);
}

/* ---- NewConnectionId / RequestConnectionId (RFC 9147 9) ------------------ */

#include "dtls13/engine13_internal.h"
#include "dtls13/perf13_idle.h"

/* The server sends one post-handshake message (whole, in its current
 * write epoch) with the client's next expected message_seq. Returns the
 * client's feed result. */
static int server_sends_message(struct harness *h, uint8_t type, const uint8_t *body, size_t len)
{
	struct petrel_d13 *sd = h->server.session->d13, *cd = h->client.session->d13;
	uint8_t msg[64];
	struct petrel_writer w;
	petrel_writer_init(&w, msg, sizeof msg);
	uint16_t seq = petrel_perf13_rx_next_seq(cd);
	petrel_put_u8(&w, type);
	petrel_put_u24(&w, (uint32_t)len);
	petrel_put_u16(&w, seq);
	petrel_put_u24(&w, 0);
	petrel_put_u24(&w, (uint32_t)len);
	petrel_put_bytes(&w, body, len);
	cr_assert(petrel_writer_ok(&w));
	uint8_t dg[256];
	struct petrel_writer out;
	petrel_writer_init(&out, dg, sizeof dg);
	cr_assert_eq(petrel_rl13_seal(sd, sd->wr_epoch, PETREL_CT_HANDSHAKE, msg,
				      petrel_writer_len(&w), &out, NULL), 0);
	return petrel_engine_feed(h->client.session, dg, petrel_writer_len(&out),
				  simnet_now(h->net));
}

Test(dtls13_cid, new_connection_id_immediate_switches_the_cid_we_send)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "nc", "old-cid", logs, 18);
	cr_assert_eq(harness_echo(&h, "before", 60000), 0);
	/* cids = {"new-cid"}, usage cid_immediate */
	static const uint8_t body[] = {0, 8, 7, 'n', 'e', 'w', '-', 'c', 'i', 'd', 0};
	cr_assert_eq(server_sends_message(&h, PETREL_HS13_NEW_CONNECTION_ID, body, sizeof body), 0);
	harness_assert_cid(h.client.session, PETREL_CID_PEERS, "new-cid");
	logs[0] = (struct wire13){.want_cid = "new-cid"};
	cr_assert_eq(petrel_record_send(h.client.session, "x", 1), 1);
	cr_assert_eq(logs[0].with_cid, 1, "the next record carries the new CID");
	cr_assert_eq(logs[0].wrong_cid + logs[0].without_cid, 0);
	harness_free_all(&h);
}

Test(dtls13_cid, request_connection_id_is_acknowledged)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "rc", "rs", logs, 19);
	cr_assert_eq(harness_echo(&h, "before", 60000), 0);
	static const uint8_t body[] = {2};
	cr_assert_eq(server_sends_message(&h, PETREL_HS13_REQUEST_CONNECTION_ID, body, sizeof body), 0);
	cr_assert_eq(harness_echo(&h, "after", 60000), 0);
	harness_assert_cid(h.client.session, PETREL_CID_PEERS, "rs");
	harness_free_all(&h);
}

Test(dtls13_cid, new_connection_id_without_negotiated_cids_is_unexpected)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, NULL, NULL, logs, 20);
	cr_assert_eq(harness_echo(&h, "before", 60000), 0);
	static const uint8_t body[] = {0, 3, 2, 'x', 'y', 0};
	cr_assert_eq(server_sends_message(&h, PETREL_HS13_NEW_CONNECTION_ID, body, sizeof body),
		     PETREL_E_UNEXPECTED_MESSAGE);
	harness_free_all(&h);
}

/* ---- The server's side of the extension ---------------------------------- */

Test(dtls13_cid, server_answers_only_an_offer_and_refuses_malformed_ones)
{
	struct petrel_cid_params result;
	struct petrel_cid13_config c = {.enabled = true,
					.ours = (const uint8_t *)"srv",
					.ours_len = 3,
					.result = &result};
	/* The client's connection_id "cli-cid1" (from the recorded wolfSSL ClientHello). */
	static const uint8_t offer[] = {0x00, 0x36, 0x00, 0x09, 0x08, 'c', 'l', 'i',
					'-',  'c',  'i',  'd',  '1'};
	cr_assert_eq(petrel_cid13_server_on_client_hello(&c, offer, sizeof offer), 1);
	cr_assert(result.negotiated);
	cr_assert_eq(result.tx_cid_len, 8);
	uint8_t sh[32];
	struct petrel_writer w;
	petrel_writer_init(&w, sh, sizeof sh);
	cr_assert_eq(petrel_cid13_write_answer(&c, &w), 0);
	static const uint8_t answer[] = {0x00, 0x36, 0x00, 0x04, 0x03, 's', 'r', 'v'};
	cr_assert_eq(petrel_writer_len(&w), sizeof answer);
	cr_assert_eq(memcmp(sh, answer, sizeof answer), 0);
	/* No offer: no answer. */
	static const uint8_t versions[] = {0x00, 0x2b, 0x00, 0x03, 0x02, 0xfe, 0xfc};
	cr_assert_eq(petrel_cid13_server_on_client_hello(&c, versions, sizeof versions), 0);
	cr_assert_not(result.negotiated);
	petrel_writer_init(&w, sh, sizeof sh);
	cr_assert_eq(petrel_cid13_write_answer(&c, &w), 0);
	cr_assert_eq(petrel_writer_len(&w), 0);
	/* Trailing byte inside the extension, and a duplicated extension. */
	static const uint8_t trailing[] = {0x00, 0x36, 0x00, 0x03, 0x01, 0xaa, 0xbb};
	cr_assert_eq(petrel_cid13_server_on_client_hello(&c, trailing, sizeof trailing),
		     PETREL_E_DECODE_ERROR);
	static const uint8_t twice[] = {0x00, 0x36, 0x00, 0x01, 0x00, 0x00, 0x36, 0x00, 0x01, 0x00};
	cr_assert_lt(petrel_cid13_server_on_client_hello(&c, twice, sizeof twice), 0);
	/* A server without CIDs ignores the offer. */
	c.enabled = false;
	cr_assert_eq(petrel_cid13_server_on_client_hello(&c, offer, sizeof offer), 0);
}

/* ---- Long CIDs and a small MTU: the CID counts in every datagram ---------- */

Test(dtls13_cid, long_cids_at_a_small_mtu_stay_within_it)
{
	static const char long_c[] = "client-side-connection-identifier-of-60-bytes-xxxxxxxxxxxxxx";
	static const char long_s[] = "server-side-connection-identifier-of-64-bytes-yyyyyyyyyyyyyyyyyy";
	struct harness h;
	init13(&h, 21);
	petrel_dtls_set_mtu(h.client.session, 400);
	petrel_dtls_set_mtu(h.server.session, 400);
	struct simnet_rules rules = {.delay_ms = 10, .max_datagram = 400 - 28};
	simnet_set_rules(h.net, 0, &rules);
	simnet_set_rules(h.net, 1, &rules);
	harness_set_cids(&h, long_c, long_s);
	struct wire13 logs[2] = {{.want_cid = long_s}, {.want_cid = long_c}};
	h.client.on_send = log_send13;
	h.client.on_send_ctx = &logs[0];
	h.server.on_send = log_send13;
	h.server.on_send_ctx = &logs[1];
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	/* A record of the largest application payload the session allows. */
	long room = (long)petrel_dtls_get_data_mtu(h.client.session);
	cr_assert_gt(room, 0);
	char big[400];
	memset(big, 'z', sizeof big);
	big[room < (long)sizeof big - 1 ? room : (long)sizeof big - 1] = '\0';
	cr_assert_eq(harness_echo(&h, big, 60000), 0);
	cr_assert_leq(h.client.largest_sent, 400 - 28);
	cr_assert_leq(h.server.largest_sent, 400 - 28);
	cr_assert_gt(logs[0].with_cid, 0);
	cr_assert_gt(logs[1].with_cid, 0);
	cr_assert_eq(logs[0].wrong_cid + logs[0].without_cid + logs[1].wrong_cid + logs[1].without_cid, 0);
	harness_free_all(&h);
}
