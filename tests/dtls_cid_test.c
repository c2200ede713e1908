/* RFC 9146 Connection IDs on DTLS 1.2 sessions: negotiation through the
 * hellos, tls12_cid records on the wire, the data MTU, and (with the
 * sans-I/O endpoint) NAT rebinding: a session follows its CID to a new
 * address only on an authentic record newer than any before. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "petrel/petrel.h"
#include "tests/dtls_harness.h"
#include "tests/dtls_nat_harness.h"

/* ---- Two sessions on the simulated network ------------------------------- */

struct wire_log {
	unsigned type25, protected_plain; /* records after epoch 0, by outer type */
};

/* Counts the first record of every datagram by its outer type: 25 is
 * tls12_cid; 20-24 with a non-zero epoch is a plain protected record. */
static void log_send(struct harness_end *end, const uint8_t *data, size_t len)
{
	struct wire_log *log = end->on_send_ctx;
	if (len < 13)
		return;
	if (data[0] == 25)
		log->type25++;
	else if (data[0] >= 20 && data[0] <= 24 && (data[3] || data[4]))
		log->protected_plain++;
}

static void pair_with_cids(struct harness *h, const char *client_cid, const char *server_cid,
			   struct wire_log logs[2])
{
	harness_init(h, 7, 0, PETREL_FLAG_NO_COOKIE, harness_psk_creds(), harness_psk_creds());
	harness_set_cids(h, client_cid, server_cid);
	memset(logs, 0, 2 * sizeof logs[0]);
	h->client.on_send = log_send;
	h->client.on_send_ctx = &logs[0];
	h->server.on_send = log_send;
	h->server.on_send_ctx = &logs[1];
}

static void free_pair(struct harness *h)
{
	petrel_credentials *c = h->client_creds, *s = h->server_creds;
	harness_free(h);
	petrel_credentials_free(c);
	petrel_credentials_free(s);
}

Test(cid, both_sides_negotiate_and_send_tls12_cid_records)
{
	struct harness h;
	struct wire_log logs[2];
	pair_with_cids(&h, "dead", "beefcafe", logs);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(harness_echo(&h, "hello over cids", 60000), 0);
	harness_assert_cid(h.client.session, PETREL_CID_OURS, "dead");
	harness_assert_cid(h.client.session, PETREL_CID_PEERS, "beefcafe");
	harness_assert_cid(h.server.session, PETREL_CID_OURS, "beefcafe");
	harness_assert_cid(h.server.session, PETREL_CID_PEERS, "dead");
	cr_assert_gt(logs[0].type25, 0, "the client sent tls12_cid records");
	cr_assert_gt(logs[1].type25, 0, "the server sent tls12_cid records");
	cr_assert_eq(logs[0].protected_plain + logs[1].protected_plain, 0,
		     "no protected record without its CID");
	free_pair(&h);
}

Test(cid, data_mtu_shrinks_by_the_cid_and_the_inner_type)
{
	struct harness h, plain;
	struct wire_log logs[2], plain_logs[2];
	pair_with_cids(&h, "", "0123456789", logs);
	pair_with_cids(&plain, NULL, NULL, plain_logs);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(harness_run_handshake(&plain, 60000), 0);
	/* The client sends the server's 10-byte CID and one byte of real type. */
	cr_assert_eq(petrel_dtls_get_data_mtu(plain.client.session) -
			     petrel_dtls_get_data_mtu(h.client.session), 11u);
	/* The server sends plain records: the client asked for no CID. */
	cr_assert_eq(petrel_dtls_get_data_mtu(plain.server.session),
		     petrel_dtls_get_data_mtu(h.server.session));
	char big[2000];
	unsigned n = petrel_dtls_get_data_mtu(h.client.session);
	cr_assert_lt(n, sizeof big);
	memset(big, 'x', n);
	big[n] = '\0';
	cr_assert_eq(harness_echo(&h, big, 60000), 0, "a record of the whole data MTU fits");
	free_pair(&h);
	free_pair(&plain);
}

Test(cid, zero_length_cid_means_plain_records_towards_that_side)
{
	struct harness h;
	struct wire_log logs[2];
	pair_with_cids(&h, "", "srv", logs);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(harness_echo(&h, "one way only", 60000), 0);
	harness_assert_cid(h.client.session, PETREL_CID_OURS, "");
	harness_assert_cid(h.server.session, PETREL_CID_PEERS, "");
	cr_assert_gt(logs[0].type25, 0, "the client puts the server's CID");
	cr_assert_eq(logs[1].type25, 0, "the server sends plain records");
	cr_assert_gt(logs[1].protected_plain, 0);
	free_pair(&h);
}

Test(cid, a_server_without_cids_leaves_the_session_without)
{
	struct harness h;
	struct wire_log logs[2];
	pair_with_cids(&h, "dead", NULL, logs);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(harness_echo(&h, "plain", 60000), 0);
	size_t len;
	cr_assert_eq(petrel_session_get_cid(h.client.session, PETREL_CID_OURS, NULL, &len),
		     PETREL_E_UNSUPPORTED);
	cr_assert_eq(logs[0].type25 + logs[1].type25, 0);
	free_pair(&h);
}

Test(cid, handshake_with_cids_survives_loss_and_reordering)
{
	unsigned seeds = harness_seeds(20);
	for (unsigned seed = 1; seed <= seeds; seed++) {
		struct harness h;
		struct wire_log logs[2];
		harness_init(&h, seed, 0, PETREL_FLAG_NO_COOKIE, harness_psk_creds(), harness_psk_creds());
		cr_assert_eq(petrel_session_set_cid(h.client.session, NULL, 4), 0);
		cr_assert_eq(petrel_session_set_cid(h.server.session, NULL, 8), 0);
		memset(logs, 0, sizeof logs);
		struct simnet_rules r = {.drop_per_million = 200000, .reorder_window = 3, .delay_ms = 20};
		simnet_set_rules(h.net, 0, &r);
		simnet_set_rules(h.net, 1, &r);
		cr_assert_eq(harness_run_handshake(&h, 600000), 0, "seed %u", seed);
		cr_assert_eq(harness_echo(&h, "lossy", 600000), 0, "seed %u", seed);
		free_pair(&h);
	}
}

Test(cid, set_cid_refuses_over_255_bytes)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	uint8_t cid[256] = {0};
	cr_assert_eq(petrel_session_set_cid(s, cid, 256), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_cid(s, cid, 255), 0);
	petrel_session_free(s);
}

/* ---- The sans-I/O endpoint: NAT rebinding ------------------------------- */

static unsigned handshakes_completed;
static void count_established(void *ptr, petrel_session *s)
{
	(void)ptr;
	(void)s;
	handshakes_completed++;
}

static void nat_setup(struct nat_case *t, unsigned cid_len, const char *client_cid)
{
	nat_open(t, "nat-client", cid_len, client_cid, count_established);
	handshakes_completed = 0;
	nat_handshake_from(t->ep, &t->c, &t->a);
	cr_assert_eq(handshakes_completed, 1);
	cr_assert(nat_echo_from(t->ep, &t->c, &t->a, "before the rebinding"));
}

Test(cid_nat, rebinding_with_cid_keeps_the_session_and_answers_the_new_port)
{
	struct nat_case t;
	nat_setup(&t, 6, ""); /* the client asks for no CID (RFC 9146 3), the server issues one */
	nat_assert_rebinding_moves(&t, 6);
	cr_assert_eq(handshakes_completed, 1, "no new handshake");
	nat_free(&t);
}

Test(cid_nat, replayed_cid_record_from_another_address_does_not_move_the_session)
{
	struct nat_case t;
	nat_setup(&t, 4, "cli");
	nat_assert_replays_do_not_move(&t, 0xff, 25, "a tls12_cid record");
	nat_free(&t);
}

Test(cid_nat, spoofed_cid_record_does_not_move_the_session)
{
	struct nat_case t;
	nat_setup(&t, 4, "");
	/* A forgery: the right CID (it is on the wire), a sequence number far
	 * ahead, and a body the attacker cannot authenticate. */
	uint8_t forged[2048];
	size_t forged_len = nat_take_template(&t, forged);
	forged[5] = 0x7f; /* sequence number */
	forged[forged_len - 1] ^= 0x01; /* tag */
	nat_assert_forgery_does_not_move(&t, forged, forged_len);
	nat_free(&t);
}

Test(cid_nat, rebinding_without_cid_loses_the_peer_and_the_client_resumes)
{
	struct nat_case t;
	nat_setup(&t, 0, NULL);
	size_t len;
	cr_assert_eq(petrel_session_get_cid(t.c.s, PETREL_CID_PEERS, NULL, &len), PETREL_E_UNSUPPORTED);
	t.c.now += 30000;
	/* The NAT moved the client: the server knows no peer there and its
	 * datagrams are not ClientHellos, so nothing answers. */
	cr_assert_not(nat_echo_from(t.ep, &t.c, &t.b, "lost"));
	cr_assert_not(nat_echo_from(t.ep, &t.c, &t.b, "lost again"));
	/* The client gives up after its timeout and resumes from the new
	 * address: an abbreviated handshake, and the echo works. */
	uint8_t blob[2048];
	size_t blob_len = sizeof blob;
	cr_assert_eq(petrel_session_get_data(t.c.s, blob, &blob_len), 0);
	petrel_session_free(t.c.s);
	hand_client_init(&t.c, t.cc, t.c.now + 20000);
	cr_assert_eq(petrel_session_set_data(t.c.s, blob, blob_len), 0);
	nat_handshake_from(t.ep, &t.c, &t.b);
	cr_assert_eq(petrel_session_is_resumed(t.c.s), 1);
	cr_assert(nat_echo_from(t.ep, &t.c, &t.b, "resumed"));
	cr_assert_eq(petrel_endpoint_session_count(t.ep), 2, "the old session waits for its idle timeout");
	nat_free(&t);
}

/* ---- The record layer with negotiated CIDs ------------------------------ */

#include "record/cid.h"
#include "record/record.h"

static void layer_pair(struct petrel_record_layer *tx, struct petrel_record_layer *rx,
		       enum petrel_aead_alg alg)
{
	struct petrel_epoch_keys k;
	memset(&k, 0, sizeof k);
	k.aead = alg;
	for (size_t i = 0; i < sizeof k.key; i++)
		k.key[i] = (uint8_t)(0x40 + i);
	for (size_t i = 0; i < sizeof k.fixed_iv; i++)
		k.fixed_iv[i] = (uint8_t)(0x90 + i);
	petrel_rl_init(tx);
	petrel_rl_init(rx);
	cr_assert_eq(petrel_rl_set_write_keys(tx, 1, &k), 0);
	cr_assert_eq(petrel_rl_set_read_keys(rx, 1, &k), 0);
}

static const uint8_t rl_cid[3] = {0xab, 0xcd, 0xef};

/* One application_data record "payload" from tx into buf; its length. */
static size_t write_one(struct petrel_record_layer *tx, uint8_t *buf, size_t cap, const char *text)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	cr_assert_eq(petrel_rl_write(tx, 1, PETREL_CT_APPLICATION_DATA, (const uint8_t *)text,
				     strlen(text), &w), 0);
	return petrel_writer_len(&w);
}

Test(cid_record, written_with_the_peers_cid_and_read_with_ours_in_every_aead)
{
	const enum petrel_aead_alg algs[] = {PETREL_AEAD_AES128_GCM, PETREL_AEAD_AES256_GCM,
					     PETREL_AEAD_AES128_CCM, PETREL_AEAD_AES128_CCM8,
					     PETREL_AEAD_CHACHA20_POLY1305};
	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		struct petrel_record_layer tx, rx;
		layer_pair(&tx, &rx, algs[a]);
		cr_assert_eq(petrel_rl_set_cid(&tx, rl_cid, 3, NULL, 0), 0);
		cr_assert_eq(petrel_rl_set_cid(&rx, NULL, 0, rl_cid, 3), 0);
		cr_assert_eq(petrel_rl_write_overhead(&tx, 1),
			     petrel_cid_record_overhead(algs[a], 3));
		uint8_t buf[256];
		size_t n = write_one(&tx, buf, sizeof buf, "inner");
		cr_assert_eq(buf[0], PETREL_CT_TLS12_CID);
		cr_assert_arr_eq(buf + 11, rl_cid, 3, "the CID follows the sequence number");
		cr_assert_eq(n, petrel_cid_record_overhead(algs[a], 3) + 5);
		size_t off = 0;
		struct petrel_record rec;
		cr_assert_eq(petrel_rl_read(&rx, buf, n, &off, &rec), 1);
		cr_assert_eq(rec.content_type, PETREL_CT_APPLICATION_DATA, "the real type");
		cr_assert_eq(rec.length, 5);
		cr_assert_eq(memcmp(rec.fragment, "inner", 5), 0);
		cr_assert(petrel_rl_take_cid_newest(&rx));
		cr_assert_not(petrel_rl_take_cid_newest(&rx), "taken once");
		petrel_rl_clear(&tx);
		petrel_rl_clear(&rx);
	}
}

Test(cid_record, replayed_or_older_records_are_not_newest)
{
	struct petrel_record_layer tx, rx;
	layer_pair(&tx, &rx, PETREL_AEAD_AES128_GCM);
	cr_assert_eq(petrel_rl_set_cid(&tx, rl_cid, 3, NULL, 0), 0);
	cr_assert_eq(petrel_rl_set_cid(&rx, NULL, 0, rl_cid, 3), 0);
	uint8_t first[128], second[128], copy[128];
	size_t n1 = write_one(&tx, first, sizeof first, "first");
	size_t n2 = write_one(&tx, second, sizeof second, "second");
	memcpy(copy, second, n2);
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, second, n2, &off, &rec), 1);
	cr_assert(petrel_rl_take_cid_newest(&rx));
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, first, n1, &off, &rec), 1, "late, still delivered");
	cr_assert_not(petrel_rl_take_cid_newest(&rx), "but older than one seen");
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, copy, n2, &off, &rec), 0, "a replay is dropped");
	cr_assert_not(petrel_rl_take_cid_newest(&rx));
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(cid_record, other_cid_or_no_negotiated_cid_drops_the_record)
{
	struct petrel_record_layer tx, rx;
	layer_pair(&tx, &rx, PETREL_AEAD_CHACHA20_POLY1305);
	const uint8_t other[3] = {0xab, 0xcd, 0xee};
	cr_assert_eq(petrel_rl_set_cid(&tx, other, 3, NULL, 0), 0);
	cr_assert_eq(petrel_rl_set_cid(&rx, NULL, 0, rl_cid, 3), 0);
	uint8_t buf[128];
	size_t n = write_one(&tx, buf, sizeof buf, "not yours");
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, buf, n, &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 0);
	/* Without a CID of ours, type 25 is not a content type we know. */
	cr_assert_eq(petrel_rl_set_cid(&rx, NULL, 0, NULL, 0), 0);
	n = write_one(&tx, buf, sizeof buf, "still not");
	off = 0;
	cr_assert_eq(petrel_rl_read(&rx, buf, n, &off, &rec), 0);
	cr_assert_eq(petrel_rl_stats(&rx)->records_in, 0);
	cr_assert_geq(petrel_rl_stats(&rx)->dropped_malformed, 2);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(cid_record, payload_placed_for_a_plain_record_moves_to_the_cid_record)
{
	struct petrel_record_layer tx, rx;
	layer_pair(&tx, &rx, PETREL_AEAD_AES128_GCM);
	cr_assert_eq(petrel_rl_set_cid(&tx, rl_cid, 3, NULL, 0), 0);
	cr_assert_eq(petrel_rl_set_cid(&rx, NULL, 0, rl_cid, 3), 0);
	uint8_t buf[256];
	uint8_t *in_place = buf + PETREL_RECORD_HEADER_LEN + 8; /* after the explicit nonce */
	memcpy(in_place, "in place", 8);
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_rl_write(&tx, 1, PETREL_CT_APPLICATION_DATA, in_place, 8, &w), 0);
	size_t off = 0;
	struct petrel_record rec;
	cr_assert_eq(petrel_rl_read(&rx, buf, petrel_writer_len(&w), &off, &rec), 1);
	cr_assert_eq(rec.length, 8);
	cr_assert_eq(memcmp(rec.fragment, "in place", 8), 0);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
}

Test(cid_nat, no_move_onto_an_address_another_session_holds)
{
	struct nat_case t;
	nat_setup(&t, 4, "");
	/* A second client already at b. */
	struct hand_client other;
	hand_client_init(&other, t.cc, t.c.now);
	nat_handshake_from(t.ep, &other, &t.b);
	cr_assert(nat_echo_from(t.ep, &other, &t.b, "mine"));
	cr_assert_eq(petrel_endpoint_session_count(t.ep), 2);
	/* The first client's authentic record now comes from b: its session
	 * stays at a, and b stays the second client's. */
	cr_assert_eq(petrel_record_send(t.c.s, "from b", 6), 6);
	for (unsigned i = 0; i < t.c.sent_count; i++)
		cr_assert_eq(petrel_endpoint_feed(t.ep, t.c.sent[i], t.c.sent_len[i], &t.b, sizeof t.b,
						  t.c.now), 0);
	t.c.sent_count = 0;
	uint8_t buf[2048];
	struct sockaddr_storage to;
	unsigned to_len = sizeof to;
	cr_assert_gt(petrel_endpoint_next_datagram(t.ep, buf, sizeof buf, &to, &to_len), 0);
	cr_assert_eq(memcmp(&to, &t.a, sizeof t.a), 0, "the echo still goes to a");
	struct petrel_endpoint_stats st;
	petrel_endpoint_get_stats(t.ep, &st);
	cr_assert_eq(st.cid_address_updates, 0);
	cr_assert_eq(st.cid_address_updates_refused, 1);
	cr_assert(nat_echo_from(t.ep, &other, &t.b, "still mine"));
	petrel_session_free(other.s);
	nat_free(&t);
}

Test(cid_nat, resumed_session_negotiates_cids_again)
{
	struct nat_case t;
	nat_setup(&t, 5, "r");
	uint8_t blob[2048];
	size_t blob_len = sizeof blob;
	cr_assert_eq(petrel_session_get_data(t.c.s, blob, &blob_len), 0);
	petrel_session_free(t.c.s);
	hand_client_init(&t.c, t.cc, t.c.now + 1000);
	cr_assert_eq(petrel_session_set_cid(t.c.s, (const uint8_t *)"r2", 2), 0);
	cr_assert_eq(petrel_session_set_data(t.c.s, blob, blob_len), 0);
	struct sockaddr_in c2 = harness_addr4("198.51.100.8", 40001);
	nat_handshake_from(t.ep, &t.c, &c2);
	cr_assert_eq(petrel_session_is_resumed(t.c.s), 1);
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_session_get_cid(t.c.s, PETREL_CID_OURS, &cid, &len), 0);
	cr_assert_eq(len, 2);
	cr_assert_eq(petrel_session_get_cid(t.c.s, PETREL_CID_PEERS, &cid, &len), 0);
	cr_assert_eq(len, 5);
	struct sockaddr_in moved = harness_addr4("198.51.100.8", 50001);
	cr_assert(nat_echo_from(t.ep, &t.c, &moved, "resumed and moved"));
	cr_assert_eq(nat_address_updates(t.ep), 1);
	nat_free(&t);
}

Test(cid, data_mtu_leaves_room_for_the_inner_type_at_the_2_14_limit)
{
	struct harness h;
	struct wire_log logs[2];
	pair_with_cids(&h, "c", "s", logs);
	petrel_dtls_set_mtu(h.client.session, 65535);
	petrel_dtls_set_mtu(h.server.session, 65535);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	/* RFC 9146 5: the inner plaintext (content and type) is at most 2^14. */
	cr_assert_eq(petrel_dtls_get_data_mtu(h.client.session), 16383u);
	static char big[16383];
	memset(big, 'y', sizeof big);
	cr_assert_eq(petrel_record_send(h.client.session, big, sizeof big), (long)sizeof big);
	free_pair(&h);
}
