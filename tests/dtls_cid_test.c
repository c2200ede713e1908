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
	if (client_cid)
		cr_assert_eq(petrel_session_set_cid(h->client.session, (const uint8_t *)client_cid,
						    strlen(client_cid)), 0);
	if (server_cid)
		cr_assert_eq(petrel_session_set_cid(h->server.session, (const uint8_t *)server_cid,
						    strlen(server_cid)), 0);
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

static void assert_cid(petrel_session *s, int which, const char *want)
{
	const uint8_t *cid = NULL;
	size_t len = 99;
	cr_assert_eq(petrel_session_get_cid(s, which, &cid, &len), 0);
	cr_assert_eq(len, strlen(want));
	if (len)
		cr_assert_eq(memcmp(cid, want, len), 0);
}

Test(cid, both_sides_negotiate_and_send_tls12_cid_records)
{
	struct harness h;
	struct wire_log logs[2];
	pair_with_cids(&h, "dead", "beefcafe", logs);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(harness_echo(&h, "hello over cids", 60000), 0);
	assert_cid(h.client.session, PETREL_CID_OURS, "dead");
	assert_cid(h.client.session, PETREL_CID_PEERS, "beefcafe");
	assert_cid(h.server.session, PETREL_CID_OURS, "beefcafe");
	assert_cid(h.server.session, PETREL_CID_PEERS, "dead");
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
	assert_cid(h.client.session, PETREL_CID_OURS, "");
	assert_cid(h.server.session, PETREL_CID_PEERS, "");
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
