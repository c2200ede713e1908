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

/* A 1.3 pair with certificates; client_cid / server_cid: the CID each
 * asks for (NULL: CIDs off on that side). logs[0]: the client's sends. */
static void pair13(struct harness *h, const char *client_cid, const char *server_cid,
		   struct wire13 logs[2], uint64_t seed)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(h, seed, 0, 0, cc, sc);
	only13(h->client.session);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_session_set_verify(h->server.session, PETREL_VERIFY_NONE, NULL, 0);
	if (client_cid)
		cr_assert_eq(petrel_session_set_cid(h->client.session, (const uint8_t *)client_cid,
						    strlen(client_cid)), 0);
	if (server_cid)
		cr_assert_eq(petrel_session_set_cid(h->server.session, (const uint8_t *)server_cid,
						    strlen(server_cid)), 0);
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

static void assert_cid(petrel_session *s, int which, const char *want)
{
	const uint8_t *cid = NULL;
	size_t len = 99;
	cr_assert_eq(petrel_session_get_cid(s, which, &cid, &len), 0);
	cr_assert_eq(len, strlen(want));
	if (len)
		cr_assert_eq(memcmp(cid, want, len), 0);
}

Test(dtls13_cid, both_sides_negotiate_and_every_protected_record_carries_the_peers_cid)
{
	struct harness h;
	struct wire13 logs[2];
	pair13(&h, "client-cid", "srv", logs, 11);
	assert_cid(h.client.session, PETREL_CID_OURS, "client-cid");
	assert_cid(h.client.session, PETREL_CID_PEERS, "srv");
	assert_cid(h.server.session, PETREL_CID_OURS, "srv");
	assert_cid(h.server.session, PETREL_CID_PEERS, "client-cid");
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
	assert_cid(h.client.session, PETREL_CID_OURS, "");
	assert_cid(h.server.session, PETREL_CID_PEERS, "");
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
		petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
		petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
		harness_init(&h, seed, 0, 0, cc, sc);
		struct simnet_rules rules = {.drop_per_million = 200000, .delay_ms = 20,
					     .reorder_window = 2};
		simnet_set_rules(h.net, 0, &rules);
		simnet_set_rules(h.net, 1, &rules);
		only13(h.client.session);
		petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
		cr_assert_eq(petrel_session_set_cid(h.client.session, (const uint8_t *)"c1", 2), 0);
		cr_assert_eq(petrel_session_set_cid(h.server.session, (const uint8_t *)"s22", 3), 0);
		memset(logs, 0, sizeof logs);
		cr_assert_eq(harness_run_handshake(&h, 120000), 0, "seed %llu",
			     (unsigned long long)seed);
		cr_assert_eq(harness_echo(&h, "lossy", 120000), 0);
		assert_cid(h.server.session, PETREL_CID_PEERS, "c1");
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

static petrel_credentials *psk(void)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	static const uint8_t key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
	cr_assert_eq(petrel_credentials_set_psk(c, "nat13-client", key, sizeof key), 0);
	return c;
}

static struct sockaddr_in addr4(const char *ip, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	cr_assert_eq(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

static unsigned exchange_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from)
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

static petrel_session *server_session;
static void remember_session(void *ptr, petrel_session *s)
{
	(void)ptr;
	server_session = s;
}

static bool echo_from(petrel_endpoint *ep, struct hand_client *c, const struct sockaddr_in *from,
		      const char *msg)
{
	cr_assert_eq(petrel_record_send(c->s, msg, strlen(msg)), (long)strlen(msg));
	exchange_from(ep, c, from);
	char buf[256];
	long n = petrel_engine_read(c->s, buf, sizeof buf);
	return n == (long)strlen(msg) && memcmp(buf, msg, (size_t)n) == 0;
}

static void assert_peer_is(petrel_endpoint *ep, const struct sockaddr_in *want)
{
	cr_assert_eq(petrel_endpoint_session_count(ep), 1);
	struct sockaddr_storage ss;
	unsigned len = sizeof ss;
	cr_assert_eq(petrel_endpoint_session_peer(ep, server_session, &ss, &len), 0);
	cr_assert_eq(len, sizeof *want);
	cr_assert_eq(memcmp(&ss, want, sizeof *want), 0, "the session's address");
}

static uint64_t address_updates(petrel_endpoint *ep)
{
	struct petrel_endpoint_stats st;
	petrel_endpoint_get_stats(ep, &st);
	return st.cid_address_updates;
}

struct nat13 {
	petrel_endpoint *ep;
	petrel_credentials *sc, *cc;
	struct hand_client c;
	struct sockaddr_in a, b;
};

static void nat13_setup(struct nat13 *t, unsigned cid_len, const char *client_cid)
{
	t->sc = psk();
	t->cc = psk();
	struct petrel_endpoint_callbacks cb = {.on_new_session = remember_session,
					       .on_data = harness_echo_record};
	cr_assert_eq(petrel_endpoint_new_sans_io(&t->ep, t->sc, 0, &cb), 0);
	cr_assert_eq(petrel_endpoint_set_cid_length(t->ep, cid_len), 0);
	hand_client_init(&t->c, t->cc, 5000000);
	only13(t->c.s);
	if (client_cid)
		cr_assert_eq(petrel_session_set_cid(t->c.s, (const uint8_t *)client_cid,
						    strlen(client_cid)), 0);
	t->a = addr4("198.51.100.7", 40000);
	t->b = addr4("198.51.100.7", 51234); /* the NAT's new mapping */
	int rc = PETREL_E_AGAIN;
	for (int i = 0; i < 10 && rc != 0; i++) {
		rc = petrel_handshake(t->c.s);
		exchange_from(t->ep, &t->c, &t->a);
	}
	cr_assert_eq(rc, 0, "handshake: %s", petrel_strerror(rc));
	cr_assert_eq(t->c.s->version, PETREL_V_DTLS13);
	cr_assert(echo_from(t->ep, &t->c, &t->a, "before the rebinding"));
}

static void nat13_free(struct nat13 *t)
{
	petrel_session_free(t->c.s);
	petrel_endpoint_free(t->ep);
	petrel_credentials_free(t->sc);
	petrel_credentials_free(t->cc);
}

Test(dtls13_cid_nat, rebinding_mid_session_moves_the_peer)
{
	struct nat13 t;
	nat13_setup(&t, 6, "");
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_session_get_cid(t.c.s, PETREL_CID_PEERS, &cid, &len), 0);
	cr_assert_eq(len, 6);
	t.c.now += 30000;
	cr_assert(echo_from(t.ep, &t.c, &t.b, "after the rebinding"), "the echo reached the new port");
	assert_peer_is(t.ep, &t.b);
	cr_assert_eq(address_updates(t.ep), 1);
	cr_assert(echo_from(t.ep, &t.c, &t.b, "and on"));
	cr_assert(echo_from(t.ep, &t.c, &t.a, "home again"));
	assert_peer_is(t.ep, &t.a);
	cr_assert_eq(address_updates(t.ep), 2);
	nat13_free(&t);
}

Test(dtls13_cid_nat, replayed_or_older_record_from_another_address_does_not_move)
{
	struct nat13 t;
	nat13_setup(&t, 4, "cli");
	cr_assert_eq(petrel_record_send(t.c.s, "seen on the wire", 16), 16);
	cr_assert_eq(t.c.sent_count, 1);
	uint8_t copy[2048];
	size_t copy_len = t.c.sent_len[0];
	memcpy(copy, t.c.sent[0], copy_len);
	cr_assert_eq(copy[0] & 0xf0, 0x30, "a unified header with the C bit");
	exchange_from(t.ep, &t.c, &t.a);
	char buf[64];
	cr_assert_eq(petrel_engine_read(t.c.s, buf, sizeof buf), 16);
	struct sockaddr_in evil = addr4("203.0.113.66", 6666);
	cr_assert_eq(petrel_endpoint_feed(t.ep, copy, copy_len, &evil, sizeof evil, t.c.now), 0);
	uint8_t out[17 * 1024];
	cr_assert_eq(petrel_endpoint_next_datagram(t.ep, out, sizeof out, NULL, NULL), PETREL_E_AGAIN,
		     "nothing answers a replay");
	assert_peer_is(t.ep, &t.a);
	/* Authentic but older than one already seen: no move either. */
	cr_assert_eq(petrel_record_send(t.c.s, "older", 5), 5);
	cr_assert_eq(petrel_record_send(t.c.s, "newer", 5), 5);
	cr_assert_eq(t.c.sent_count, 2);
	uint8_t older[2048];
	size_t older_len = t.c.sent_len[0];
	memcpy(older, t.c.sent[0], older_len);
	memmove(t.c.sent[0], t.c.sent[1], t.c.sent_len[1]);
	t.c.sent_len[0] = t.c.sent_len[1];
	t.c.sent_count = 1;
	exchange_from(t.ep, &t.c, &t.a);
	cr_assert_eq(petrel_endpoint_feed(t.ep, older, older_len, &evil, sizeof evil, t.c.now), 0);
	assert_peer_is(t.ep, &t.a);
	cr_assert_eq(address_updates(t.ep), 0);
	while (petrel_endpoint_next_datagram(t.ep, out, sizeof out, NULL, NULL) > 0)
		;
	while (petrel_engine_read(t.c.s, buf, sizeof buf) > 0)
		;
	cr_assert(echo_from(t.ep, &t.c, &t.a, "still here"));
	nat13_free(&t);
}

Test(dtls13_cid_nat, forged_cid_record_does_not_move)
{
	struct nat13 t;
	nat13_setup(&t, 4, "");
	cr_assert_eq(petrel_record_send(t.c.s, "template", 8), 8);
	uint8_t forged[2048];
	size_t forged_len = t.c.sent_len[0];
	memcpy(forged, t.c.sent[0], forged_len);
	t.c.sent_count = 0;
	forged[1 + 4] ^= 0x55;		/* masked sequence number */
	forged[forged_len - 1] ^= 0x01; /* tag */
	struct sockaddr_in evil = addr4("203.0.113.66", 6666);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(petrel_endpoint_feed(t.ep, forged, forged_len, &evil, sizeof evil, t.c.now), 0);
	assert_peer_is(t.ep, &t.a);
	cr_assert_eq(address_updates(t.ep), 0);
	cr_assert(echo_from(t.ep, &t.c, &t.a, "unharmed"));
	nat13_free(&t);
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
	cr_assert_eq(petrel_session_set_cid(h.client.session, (const uint8_t *)"fc", 2), 0);
	cr_assert_eq(petrel_session_set_cid(h.server.session, (const uint8_t *)"fsv", 3), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(h.client.session->version, PETREL_V_DTLS12);
	assert_cid(h.client.session, PETREL_CID_PEERS, "fsv");
	assert_cid(h.server.session, PETREL_CID_PEERS, "fc");
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
	assert_cid(h.client.session, PETREL_CID_PEERS, "new-cid");
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
	assert_cid(h.client.session, PETREL_CID_PEERS, "rs");
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
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(&h, 21, 0, 0, cc, sc);
	only13(h.client.session);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_dtls_set_mtu(h.client.session, 400);
	petrel_dtls_set_mtu(h.server.session, 400);
	struct simnet_rules rules = {.delay_ms = 10, .max_datagram = 400 - 28};
	simnet_set_rules(h.net, 0, &rules);
	simnet_set_rules(h.net, 1, &rules);
	cr_assert_eq(petrel_session_set_cid(h.client.session, (const uint8_t *)long_c,
					    strlen(long_c)), 0);
	cr_assert_eq(petrel_session_set_cid(h.server.session, (const uint8_t *)long_s,
					    strlen(long_s)), 0);
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
