/* A ClientHello too big for the MTU, fragmented before the cookie (issue
 * #20 item 4): a Petrel client at MTU 300 fragments its ClientHellos (a
 * long session ticket makes them span 3-4 datagrams); a Petrel server,
 * alone or behind an endpoint, assembles them within the caps of
 * dtls/first_hello.h, through loss, reordering and duplicates, never
 * from fragments that disagree, and a flood of partial ClientHellos
 * holds bounded memory while a real client still gets in. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/first_hello.h"
#include "dtls/session.h"
#include "tests/dtls_front_harness.h"
#include "tests/dtls_harness.h"
#include "tests/robust_alloc.h"
#include "tests/robust_pair.h"

#define MTU 300
#define MAX_DGRAM (MTU - 28) /* IPv4 + UDP headers */
#define TICKET_LEN 700       /* a ClientHello of about 900 bytes: 4 datagrams */
#define EP_FRAG_BUDGET (4u * 1024u * 1024u) /* the endpoint's default */

/* A resumption blob with a ticket no server opens: the client sends it
 * (RFC 5077 3.4) and gets a full handshake. */
static void give_big_ticket(petrel_session *client, size_t ticket_len)
{
	static uint8_t ticket[4096];
	uint8_t blob[4200], master[48];
	memset(ticket, 0x5a, sizeof ticket);
	memset(master, 0x42, sizeof master);
	struct petrel_writer w;
	petrel_writer_init(&w, blob, sizeof blob);
	petrel_put_u8(&w, 2); /* resume blob version 2 (dtls/hs_common.c) */
	petrel_put_u16(&w, 0xC0A8); /* TLS_PSK_WITH_AES_128_CCM_8 */
	petrel_put_u8(&w, 1);
	petrel_put_bytes(&w, master, sizeof master);
	petrel_put_opaque8(&w, master, 0);
	petrel_put_opaque16(&w, ticket, ticket_len);
	petrel_put_opaque16(&w, NULL, 0); /* made without a server name */
	cr_assert(petrel_writer_ok(&w));
	cr_assert_eq(petrel_session_set_data(client, blob, petrel_writer_len(&w)), 0);
}

struct hello_frag {
	uint64_t record_seq;
	uint16_t message_seq;
	uint32_t length, offset, frag_len;
};

/* The ClientHello fragments of one datagram. */
static unsigned hello_frags(const uint8_t *d, size_t len, struct hello_frag *out, unsigned cap)
{
	struct petrel_reader r;
	struct petrel_record_header rh;
	unsigned n = 0;
	petrel_reader_init(&r, d, len);
	while (petrel_record_header_read(&r, &rh)) {
		struct petrel_reader body;
		if (!petrel_get_sub(&r, rh.length, &body))
			break;
		if (rh.content_type != PETREL_CT_HANDSHAKE || rh.epoch != 0)
			continue;
		struct petrel_hs_header h;
		const uint8_t *f;
		while (petrel_reader_left(&body) > 0 && petrel_hs_header_read(&body, &h, &f) == 0)
			if (h.msg_type == PETREL_HS_CLIENT_HELLO && n < cap)
				out[n++] = (struct hello_frag){rh.seq, h.message_seq, h.length,
							       h.fragment_offset, h.fragment_length};
	}
	return n;
}

/* ---- Datagrams kept as they are sent ---------------------------------- */

static void log_send(struct harness_end *end, const uint8_t *data, size_t len)
{
	dgram_log_push(end->on_send_ctx, data, len);
}

/* Fragments of the ClientHello with message_seq seq among the logged
 * datagrams; *length its length. */
static unsigned logged_hello_fragments(const struct dgram_log *l, uint16_t seq, uint32_t *length)
{
	unsigned n = 0;
	for (unsigned i = 0; i < l->count; i++) {
		struct hello_frag f[4];
		unsigned k = hello_frags(l->d[i], l->len[i], f, 4);
		for (unsigned j = 0; j < k; j++) {
			if (f[j].message_seq != seq)
				continue;
			cr_assert_lt(f[j].frag_len, f[j].length, "a whole ClientHello at MTU %d", MTU);
			*length = f[j].length;
			n++;
		}
	}
	return n;
}

static void small_mtu_pair(struct harness *h, uint64_t seed, petrel_credentials *cc,
			   petrel_credentials *sc)
{
	harness_init(h, seed, 0, 0, cc, sc);
	petrel_dtls_set_mtu(h->client.session, MTU);
	petrel_dtls_set_mtu(h->server.session, MTU);
	give_big_ticket(h->client.session, TICKET_LEN);
}

Test(first_hello, client_fragments_both_hellos_and_server_assembles_them_at_mtu_300)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct harness h;
	small_mtu_pair(&h, 1, cc, sc);
	static struct dgram_log sent;
	memset(&sent, 0, sizeof sent);
	h.client.on_send = log_send;
	h.client.on_send_ctx = &sent;
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %s, server %s",
		     petrel_strerror_name(h.client.handshake_rc), petrel_strerror_name(h.server.handshake_rc));
	uint32_t len1 = 0, len2 = 0;
	unsigned frags1 = logged_hello_fragments(&sent, 0, &len1);
	unsigned frags2 = logged_hello_fragments(&sent, 1, &len2);
	cr_assert_geq(frags1, 3, "first ClientHello in %u fragments", frags1);
	cr_assert_geq(frags2, 3, "ClientHello with the cookie in %u fragments", frags2);
	cr_assert_eq(len2, len1 + PETREL_COOKIE_LEN, "the second ClientHello adds the cookie");
	cr_assert_leq(h.client.largest_sent, MAX_DGRAM);
	cr_assert_leq(h.server.largest_sent, MAX_DGRAM, "HelloVerifyRequest and flight fit the MTU");
	cr_assert_eq(h.server.session->first_hello, NULL, "nothing kept once the handshake started");
	cr_assert_eq(harness_echo(&h, "over a small MTU", 120000), 0);
	fprintf(stderr, "first_hello: ClientHellos of %u and %u bytes in %u and %u datagrams of <= %d\n",
		len1, len2, frags1, frags2, MAX_DGRAM);
	harness_free(&h);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

Test(first_hello, certificate_handshake_at_mtu_300)
{
	petrel_credentials *cc = harness_psk_creds();
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct harness h;
	small_mtu_pair(&h, 2, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_ciphers(h.client.session, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %s, server %s",
		     petrel_strerror_name(h.client.handshake_rc), petrel_strerror_name(h.server.handshake_rc));
	cr_assert_leq(h.server.largest_sent, MAX_DGRAM);
	harness_free(&h);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

Test(first_hello, fragments_lost_reordered_and_duplicated_still_complete, .timeout = 120)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	unsigned seeds = harness_seeds(40), completed = 0;
	for (unsigned seed = 1; seed <= seeds; seed++) {
		struct harness h;
		small_mtu_pair(&h, seed, cc, sc);
		struct simnet_rules rules = {.drop_per_million = 150000,
					     .duplicate_per_million = 200000,
					     .reorder_window = 4,
					     .delay_ms = 20,
					     .jitter_ms = 30};
		simnet_set_rules(h.net, 0, &rules);
		simnet_set_rules(h.net, 1, &rules);
		int rc = harness_run_handshake(&h, 600000);
		cr_assert_eq(rc, 0, "seed %u: %d, client %s, server %s", seed, rc,
			     petrel_strerror_name(h.client.handshake_rc),
			     petrel_strerror_name(h.server.handshake_rc));
		completed++;
		harness_free(&h);
	}
	fprintf(stderr, "first_hello: %u/%u handshakes at MTU %d with 15%% loss, 20%% duplicates, "
			"reordering\n", completed, seeds, MTU);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

/* ---- A server session fed by hand -------------------------------------- */

struct sink {
	unsigned count;
	uint8_t last[2048];
	size_t last_len;
};

static long sink_push(void *ptr, const uint8_t *data, size_t len)
{
	struct sink *s = ptr;
	s->count++;
	if (len <= sizeof s->last) {
		memcpy(s->last, data, len);
		s->last_len = len;
	}
	return (long)len;
}

static petrel_session *hand_server(petrel_credentials *sc, struct sink *sink)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_SERVER), 0);
	petrel_session_set_credentials(s, sc);
	petrel_transport_set_ptr(s, sink);
	petrel_transport_set_push_function(s, sink_push);
	petrel_transport_set_clock_function(s, front_clock, NULL);
	return s;
}

static petrel_session *hand_client(petrel_credentials *cc, struct dgram_log *log)
{
	petrel_session *c = front_client(cc, log);
	harness_pin_dtls12(c); /* a DTLS 1.2 test */
	petrel_dtls_set_mtu(c, MTU);
	give_big_ticket(c, TICKET_LEN);
	return c;
}

/* The record number and handshake fields of a one-record datagram. */
static struct hello_frag only_frag(const uint8_t *d, size_t len)
{
	struct hello_frag f[2];
	cr_assert_eq(hello_frags(d, len, f, 2), 1);
	return f[0];
}

Test(first_hello, overlapping_fragment_with_other_bytes_discards_the_partial_hello)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	struct sink sink = {0};
	petrel_session *server = hand_server(sc, &sink);
	static struct dgram_log ch;
	memset(&ch, 0, sizeof ch);
	petrel_session *client = hand_client(cc, &ch);
	cr_assert_eq(petrel_handshake(client), PETREL_E_AGAIN);
	unsigned k = ch.count;
	cr_assert_geq(k, 3, "the ClientHello spans %u datagrams", k);

	/* A forged copy of the second fragment: same place, one byte off,
	 * record header and handshake header intact. */
	uint8_t forged[2048];
	memcpy(forged, ch.d[1], ch.len[1]);
	forged[ch.len[1] - 5] ^= 0x55;

	front_feed(server, ch.d[0], ch.len[0]);
	front_feed(server, forged, ch.len[1]);
	for (unsigned i = 1; i < k; i++)
		front_feed(server, ch.d[i], ch.len[i]);
	/* The genuine second fragment contradicted the forged one: the
	 * partial hello (first and forged fragments) went, and what is held
	 * now lacks the first fragment. Nothing mixed was answered. */
	cr_assert_eq(sink.count, 0, "an answer to a hello made of disagreeing fragments");
	cr_assert_null(server->hs);
	cr_assert_not_null(server->first_hello);

	/* The client's retransmission brings the first fragment back. */
	front_feed(server, ch.d[0], ch.len[0]);
	cr_assert_eq(sink.count, 1, "HelloVerifyRequest once the genuine hello is whole");
	cr_assert_null(server->first_hello, "forgotten once answered");
	cr_assert_null(server->hs, "still stateless");
	struct petrel_reader r;
	struct petrel_record_header rh;
	petrel_reader_init(&r, sink.last, sink.last_len);
	cr_assert(petrel_record_header_read(&r, &rh));
	cr_assert_eq(rh.seq, only_frag(ch.d[0], ch.len[0]).record_seq,
		     "the HelloVerifyRequest echoes the record of the hello's first byte");
	cr_assert_leq(sink.last_len, MAX_DGRAM);

	/* The cookie works: the client's fragmented second hello starts the
	 * handshake, fed last fragment first. */
	ch.count = 0;
	front_feed(client, sink.last, sink.last_len);
	cr_assert_geq(ch.count, 3);
	for (unsigned i = ch.count; i-- > 0;)
		front_feed(server, ch.d[i], ch.len[i]);
	cr_assert_not_null(server->hs, "the cookie-bearing hello started the handshake");
	cr_assert_null(server->first_hello);
	cr_assert_gt(sink.count, 1, "the server's flight went out");
	petrel_session_free(client);
	petrel_session_free(server);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

/* A ClientHello fragment record: type, lengths and a fill byte. */
static size_t fragment_record(uint8_t *out, size_t cap, uint64_t record_seq, uint8_t type,
			      uint32_t length, uint16_t message_seq, uint32_t offset, uint32_t frag_len,
			      uint8_t fill)
{
	uint8_t payload[PETREL_HS_HEADER_LEN + 2200];
	cr_assert_leq(frag_len + PETREL_HS_HEADER_LEN, sizeof payload);
	payload[0] = type;
	petrel_store_u24(payload + 1, length);
	petrel_store_u16(payload + 4, message_seq);
	petrel_store_u24(payload + 6, offset);
	petrel_store_u24(payload + 9, frag_len);
	memset(payload + PETREL_HS_HEADER_LEN, fill, frag_len);
	return rp_raw_record(PETREL_CT_HANDSHAKE, 0, record_seq, payload, PETREL_HS_HEADER_LEN + frag_len,
			     out, cap);
}

/* rec over a record made by fragment_record. */
static struct petrel_record as_record(uint8_t *d, size_t len)
{
	struct petrel_reader r;
	struct petrel_record_header rh;
	petrel_reader_init(&r, d, len);
	cr_assert(petrel_record_header_read(&r, &rh));
	struct petrel_record rec = {rh.content_type, rh.epoch, rh.seq, d + PETREL_RECORD_HEADER_LEN,
				    rh.length};
	return rec;
}

Test(first_hello, take_assembles_within_the_caps)
{
	struct sink sink = {0};
	petrel_credentials *sc = harness_psk_creds();
	petrel_session *s = hand_server(sc, &sink);
	struct petrel_first_hello_msg m;
	uint8_t d[2300];
	struct petrel_record rec;

	/* Whole in one record: in place, any length, no state. */
	size_t n = fragment_record(d, sizeof d, 7, PETREL_HS_CLIENT_HELLO, 1200, 0, 0, 1200, 1);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 0, &m), 1);
	cr_assert_eq(m.body, rec.fragment + PETREL_HS_HEADER_LEN, "zero copy");
	cr_assert_eq(m.h.length, 1200);
	cr_assert_eq(m.first_record_seq, 7);
	cr_assert_eq(m.records, 1);
	cr_assert_null(s->first_hello);

	/* Not a ClientHello, or claiming more than the cap: dropped, no state. */
	n = fragment_record(d, sizeof d, 8, PETREL_HS_FINISHED, 600, 0, 0, 300, 1);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 0, &m), 0);
	n = fragment_record(d, sizeof d, 8, PETREL_HS_CLIENT_HELLO, PETREL_FIRST_HELLO_MAX_LEN + 1, 0, 0,
			    300, 1);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 0, &m), 0);
	n = fragment_record(d, sizeof d, 8, PETREL_HS_CLIENT_HELLO, 0xffffff, 0, 0, 300, 1);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 0, &m), 0);
	cr_assert_null(s->first_hello);

	/* Three fragments out of order, one duplicated, one overlapping with
	 * the same bytes: whole once every byte came. */
	const uint32_t len = PETREL_FIRST_HELLO_MAX_LEN;
	n = fragment_record(d, sizeof d, 21, PETREL_HS_CLIENT_HELLO, len, 3, 2000, len - 2000, 9);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 100, &m), 0);
	cr_assert_not_null(s->first_hello);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 100, &m), 0, "a duplicate adds nothing");
	n = fragment_record(d, sizeof d, 20, PETREL_HS_CLIENT_HELLO, len, 3, 1000, 1000, 9);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 200, &m), 0);
	n = fragment_record(d, sizeof d, 19, PETREL_HS_CLIENT_HELLO, len, 3, 0, 1100, 9);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 300, &m), 1);
	cr_assert_eq(m.h.length, len);
	cr_assert_eq(m.h.message_seq, 3);
	cr_assert_eq(m.h.fragment_offset, 0);
	cr_assert_eq(m.h.fragment_length, len);
	cr_assert_eq(m.first_record_seq, 19);
	cr_assert_eq(m.records, 3);
	for (uint32_t i = 0; i < len; i++)
		cr_assert_eq(m.body[i], 9);
	const uint8_t *body = m.body;
	cr_assert_eq(petrel_first_hello_take(s, &rec, 300, &m), 1, "taking again gives it again");
	cr_assert_eq(m.body, body);
	petrel_first_hello_release(s);
	cr_assert_null(s->first_hello);

	/* Expiry: the rest arriving after the lifetime starts a new one. */
	n = fragment_record(d, sizeof d, 30, PETREL_HS_CLIENT_HELLO, 600, 0, 0, 300, 4);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 1000, &m), 0);
	n = fragment_record(d, sizeof d, 31, PETREL_HS_CLIENT_HELLO, 600, 0, 300, 300, 4);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 1000 + PETREL_FIRST_HELLO_LIFETIME_MS, &m), 0);
	n = fragment_record(d, sizeof d, 32, PETREL_HS_CLIENT_HELLO, 600, 0, 0, 300, 4);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 1001 + PETREL_FIRST_HELLO_LIFETIME_MS, &m), 1);
	cr_assert_eq(m.first_record_seq, 32);
	cr_assert_eq(m.records, 2);

	/* Another message_seq or length: newest wins, nothing mixed. */
	n = fragment_record(d, sizeof d, 40, PETREL_HS_CLIENT_HELLO, 600, 1, 300, 300, 5);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 7000, &m), 0);
	n = fragment_record(d, sizeof d, 41, PETREL_HS_CLIENT_HELLO, 601, 1, 0, 301, 5);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 7000, &m), 0, "a hello of another length");
	n = fragment_record(d, sizeof d, 42, PETREL_HS_CLIENT_HELLO, 601, 1, 301, 300, 5);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 7000, &m), 1);
	cr_assert_eq(m.h.length, 601);
	cr_assert_eq(m.records, 2);

	/* Two fragments in one record (RFC 6347 4.2.3). */
	petrel_first_hello_release(s);
	uint8_t two[600];
	size_t a = rp_hs_message(two, sizeof two, PETREL_HS_CLIENT_HELLO, 0, (const uint8_t *)"0123456789", 10);
	petrel_store_u24(two + 1, 20);
	petrel_store_u24(two + 9, 10);
	memcpy(two + a, two, a);
	petrel_store_u24(two + a + 6, 10);
	n = rp_raw_record(PETREL_CT_HANDSHAKE, 0, 50, two, 2 * a, d, sizeof d);
	rec = as_record(d, n);
	cr_assert_eq(petrel_first_hello_take(s, &rec, 8000, &m), 1);
	cr_assert_eq(m.h.length, 20);
	cr_assert_eq(memcmp(m.body, "01234567890123456789", 20), 0);
	petrel_session_free(s);
	petrel_credentials_free(sc);
}

Test(first_hello, forged_fragment_flood_on_a_session_holds_one_partial_hello, .timeout = 60)
{
	struct sink sink = {0};
	petrel_credentials *sc = harness_psk_creds();
	petrel_session *s = hand_server(sc, &sink);
	bool measurable = robust_heap_measurable();
	uint8_t d[1500];
	size_t n = fragment_record(d, sizeof d, 1, PETREL_HS_CLIENT_HELLO, 4000, 0, 0, 1000, 1);
	front_feed(s, d, n); /* warm up: the one partial hello exists */
	size_t before = robust_heap_in_use();
	uint64_t x = 0x1234567;
	for (unsigned i = 0; i < 20000; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		uint32_t length = (uint32_t)(x >> 40) % 9000 + 2;
		uint32_t off = (uint32_t)(x >> 20) % length;
		uint32_t flen = length - off > 1000 ? 1000 : length - off;
		if (off == 0 && flen == length)
			flen--;
		n = fragment_record(d, sizeof d, i, PETREL_HS_CLIENT_HELLO, length, (uint16_t)(x >> 8), off,
				    flen, (uint8_t)x);
		front_feed(s, d, n);
		cr_assert_null(s->hs);
	}
	size_t after = robust_heap_in_use();
	cr_assert_eq(sink.count, 0, "no answer to a hello never whole");
	if (measurable)
		cr_assert_leq(after, before + 1024, "heap grew by %zu", after - before);
	petrel_session_free(s);
	petrel_credentials_free(sc);
}

/* ---- The endpoint ------------------------------------------------------- */

Test(first_hello, endpoint_without_cookies_assembles_in_the_session)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, PETREL_FLAG_NO_COOKIE, NULL);
	static struct dgram_log log;
	memset(&log, 0, sizeof log);
	petrel_session *c = hand_client(cc, &log);
	struct sockaddr_in a = front_v4(0x0a000003, 5684);
	front_now = 70000;
	cr_assert_eq(petrel_handshake(c), PETREL_E_AGAIN);
	cr_assert_geq(log.count, 3);
	front_feed_ep(ep, log.d[0], log.len[0], &a);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 1, "no cookie: the first datagram makes the session");
	cr_assert_eq(st.partial_hellos, 0, "the session holds the partial hello");
	cr_assert_gt(st.fragment_bytes, 0, "charged to the fragment budget");
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	st = front_ep_stats(ep);
	cr_assert_eq(st.half_open, 0);
	cr_assert_eq(st.fragment_bytes, 0);
	front_free(c, ep, cc, sc);
}

Test(first_hello, endpoint_assembles_hellos_before_the_cookie)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, 0, NULL);
	static struct dgram_log log;
	memset(&log, 0, sizeof log);
	petrel_session *c = hand_client(cc, &log);
	struct sockaddr_in a = front_v4(0x0a000001, 5683);
	front_now = 50000;
	cr_assert_eq(petrel_handshake(c), PETREL_E_AGAIN);
	unsigned k = log.count;
	cr_assert_geq(k, 3);
	/* All but the last fragment: a partial hello, no session, no answer. */
	for (unsigned i = 0; i + 1 < k; i++)
		front_feed_ep(ep, log.d[i], log.len[i], &a);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 0);
	cr_assert_eq(st.partial_hellos, 1);
	cr_assert_gt(st.fragment_bytes, 0, "the partial hello is charged to the fragment budget");
	cr_assert_eq(front_drain_to(ep, c, &a), 0);
	/* The last one: a HelloVerifyRequest, and the partial hello goes. */
	log.count = 0;
	front_feed_ep(ep, log.d[k - 1], log.len[k - 1], &a);
	st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 0, "no session before the cookie");
	cr_assert_eq(st.partial_hellos, 0);
	cr_assert_eq(st.fragment_bytes, 0);
	cr_assert_eq(front_drain_to(ep, c, &a), 1, "one HelloVerifyRequest");
	/* The client's second hello, reordered and with a duplicate. */
	k = log.count;
	cr_assert_geq(k, 3);
	unsigned order[DGRAM_LOG_MAX];
	for (unsigned i = 0; i < k; i++)
		order[i] = (i + 2) % k;
	for (unsigned i = 0; i + 1 < k; i++) {
		front_feed_ep(ep, log.d[order[i]], log.len[order[i]], &a);
		front_feed_ep(ep, log.d[order[0]], log.len[order[0]], &a);
	}
	cr_assert_eq(front_ep_stats(ep).sessions, 0);
	cr_assert_eq(front_ep_stats(ep).partial_hellos, 1);
	log.count = 0;
	front_feed_ep(ep, log.d[order[k - 1]], log.len[order[k - 1]], &a);
	st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 1, "a valid cookie made the session");
	cr_assert_eq(st.half_open, 1);
	cr_assert_eq(st.partial_hellos, 0, "the hello went to the session");
	int rc = PETREL_E_AGAIN;
	for (int i = 0; i < 20 && rc != 0; i++) {
		front_drain_to(ep, c, &a);
		rc = petrel_handshake(c);
		for (unsigned j = 0; j < log.count; j++)
			front_feed_ep(ep, log.d[j], log.len[j], &a);
		log.count = 0;
	}
	front_drain_to(ep, c, &a);
	cr_assert_eq(rc, 0, "client: %s", petrel_strerror_name(rc));
	st = front_ep_stats(ep);
	cr_assert_eq(st.half_open, 0, "established");
	cr_assert_eq(st.fragment_bytes, 0);

	/* The client restarts on the same address (RFC 6347 4.2.8): its new
	 * fragmented hello is assembled and answered with a cookie, and
	 * the valid cookie replaces the old association. */
	petrel_session_free(c);
	log.count = 0;
	c = hand_client(cc, &log);
	front_now += 1000;
	cr_assert_eq(front_connect_through(ep, c, &log, &a), 0);
	st = front_ep_stats(ep);
	cr_assert_eq(st.sessions, 1, "the new association replaced the old one");
	cr_assert_eq(st.partial_hellos, 0);
	front_free(c, ep, cc, sc);
}

/* One forged first fragment of a big hello from ip:port. */
static void forge_partial(petrel_endpoint *ep, uint32_t ip, uint16_t port, uint64_t seq)
{
	uint8_t d[400];
	size_t n = fragment_record(d, sizeof d, seq, PETREL_HS_CLIENT_HELLO, PETREL_FIRST_HELLO_MAX_LEN,
				   (uint16_t)seq, 0, 250, (uint8_t)seq);
	struct sockaddr_in a = front_v4(ip, port);
	front_feed_ep(ep, d, n, &a);
}

Test(first_hello, endpoint_partial_hello_flood_is_bounded_and_a_client_gets_in, .timeout = 120)
{
	petrel_credentials *cc = harness_psk_creds(), *sc = harness_psk_creds();
	petrel_endpoint *ep = front_endpoint(sc, 0, NULL);
	front_now = 100000;
	bool measurable = robust_heap_measurable();
	size_t heap_before = robust_heap_in_use(), heap_peak = heap_before;
	uint8_t sink[17 * 1024];

	/* Many ports of one address hold two partial hellos at most. */
	for (unsigned i = 0; i < 2000; i++)
		forge_partial(ep, 0xc0000201, (uint16_t)(1024 + i), i);
	struct petrel_endpoint_stats st = front_ep_stats(ep);
	cr_assert_eq(st.partial_hellos, PETREL_FIRST_HELLO_PER_ADDR);
	cr_assert_eq(st.partial_hellos_evicted, 2000 - PETREL_FIRST_HELLO_PER_ADDR);

	/* Many addresses: at most the table's cap, the oldest making room. */
	uint64_t x = 99;
	for (unsigned i = 0; i < 20000; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		forge_partial(ep, (uint32_t)(x >> 32), (uint16_t)(x >> 16), i);
		if (i % 1000 == 999) {
			st = front_ep_stats(ep);
			cr_assert_leq(st.partial_hellos, PETREL_FIRST_HELLO_TABLE_MAX);
			cr_assert_leq(st.fragment_bytes, EP_FRAG_BUDGET / 4,
				      "a quarter of the fragment budget at most");
			size_t heap = robust_heap_in_use();
			if (heap > heap_peak)
				heap_peak = heap;
		}
	}
	st = front_ep_stats(ep);
	unsigned held = st.partial_hellos;
	cr_assert_eq(held, EP_FRAG_BUDGET / 4 / petrel_first_hello_bytes());
	cr_assert_eq(st.fragment_bytes, held * petrel_first_hello_bytes());
	cr_assert_eq(st.sessions, 0);
	while (petrel_endpoint_next_datagram(ep, sink, sizeof sink, NULL, NULL) > 0)
		cr_assert_fail("an answer to a partial hello");

	/* A real client whose fragments come in a burst, with forgeries
	 * from elsewhere between them (150 while one hello arrives: fewer than the table holds), gets in. */
	static struct dgram_log log;
	memset(&log, 0, sizeof log);
	petrel_session *c = hand_client(cc, &log);
	struct sockaddr_in a = front_v4(0x0a000002, 40000);
	int rc = petrel_handshake(c);
	for (int round = 0; round < 20 && rc != 0; round++) {
		for (unsigned j = 0; j < log.count; j++) {
			front_feed_ep(ep, log.d[j], log.len[j], &a);
			for (unsigned f = 0; f < 50; f++) {
				x = x * 6364136223846793005u + 1442695040888963407u;
				forge_partial(ep, (uint32_t)(x >> 32), (uint16_t)(x >> 16), f);
			}
		}
		log.count = 0;
		front_drain_to(ep, c, &a);
		rc = petrel_handshake(c);
	}
	cr_assert_eq(rc, 0, "the client amid the flood: %s", petrel_strerror_name(rc));
	st = front_ep_stats(ep);
	cr_assert_leq(st.partial_hellos, PETREL_FIRST_HELLO_TABLE_MAX);
	size_t heap_after = robust_heap_in_use();
	if (heap_after > heap_peak)
		heap_peak = heap_after;
	if (measurable)
		cr_assert_leq(heap_peak - heap_before, EP_FRAG_BUDGET / 4 + 256u * 1024u,
			      "heap grew by %zu bytes", heap_peak - heap_before);
	/* They expire: after the lifetime, the timers leave none. */
	front_now += PETREL_FIRST_HELLO_LIFETIME_MS;
	cr_assert_eq(petrel_endpoint_handle_timeout(ep, front_now), 0);
	st = front_ep_stats(ep);
	cr_assert_eq(st.partial_hellos, 0);
	fprintf(stderr, "first_hello: 22000 forged partial hellos: %u held (%zu bytes each), heap peak "
			"+%zu bytes%s, %llu evicted, client completed\n",
		held, petrel_first_hello_bytes(), heap_peak - heap_before,
		measurable ? "" : " (unmeasurable)", (unsigned long long)st.partial_hellos_evicted);
	front_free(c, ep, cc, sc);
}
