/* DTLS 1.3 resumption (issue #20; RFC 8446 2.2, 4.2.11, 4.6.1; RFC 9147
 * 5.8): the server's NewSessionTicket reaches the client after the
 * handshake (acknowledged, retransmitted under loss), becomes its
 * petrel_session_get_data, and a second connection resumes with
 * psk_dhe_ke; forged, stale, or foreign tickets give a full handshake;
 * a 1.3 ticket offered to a 1.2-only server and a 1.2 session both end
 * in a working 1.2 connection. */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/ticket13.h"
#include "tests/dtls_harness.h"

static const uint8_t master_a[PETREL_TICKET_KEY_LEN] = {
	0x13, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};

static petrel_credentials *server_creds(const uint8_t *master)
{
	petrel_credentials *c = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	if (master)
		cr_assert_eq(petrel_credentials_set_ticket_key(c, master, PETREL_TICKET_KEY_LEN, 3600), 0);
	return c;
}

static void versions(petrel_session *s, unsigned min, unsigned max)
{
	s->version_min = (uint8_t)min;
	s->version_max = (uint8_t)max;
}

struct run {
	int resumed_client, resumed_server;
	unsigned version;
	bool server_group; /* (EC)DHE done: psk_dhe_ke, not psk_ke */
	uint8_t blob[1024];
	size_t blob_len; /* the client's session data afterwards (0: none) */
};

static int64_t (*server_clock)(void);
static unsigned client_max = PETREL_V_DTLS13;
static unsigned server_flags;

/* One connection: the client (1.3 only unless client_min says) offers
 * blob when given; the echo lets the NewSessionTicket arrive. */
static void connect_once(petrel_credentials *cc, petrel_credentials *sc, uint64_t seed,
			 unsigned client_min, unsigned server_max, const uint8_t *blob, size_t len,
			 const struct simnet_rules *rules, struct run *out)
{
	struct harness h;
	harness_init(&h, seed, 0, server_flags, cc, sc);
	versions(h.client.session, client_min, client_max);
	versions(h.server.session, PETREL_V_DTLS12, server_max);
	h.server.session->wall_clock = server_clock;
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	if (rules) {
		simnet_set_rules(h.net, 0, rules);
		simnet_set_rules(h.net, 1, rules);
	}
	if (blob)
		cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0, "client %d server %d",
		     h.client.handshake_rc, h.server.handshake_rc);
	cr_assert_eq(harness_echo(&h, "first", 60000), 0);
	cr_assert_eq(harness_echo(&h, "second", 60000), 0);
	out->resumed_client = petrel_session_is_resumed(h.client.session);
	out->resumed_server = petrel_session_is_resumed(h.server.session);
	cr_assert_eq(out->resumed_client, out->resumed_server, "both ends agree");
	out->version = h.client.session->version;
	cr_assert_eq(h.server.session->version, out->version);
	out->server_group = petrel_session_get_group_name(h.server.session) != NULL;
	out->blob_len = sizeof out->blob;
	if (petrel_session_get_data(h.client.session, out->blob, &out->blob_len) < 0)
		out->blob_len = 0;
	harness_free(&h);
}

static void full_then_ticket(petrel_credentials *cc, petrel_credentials *sc, uint64_t seed,
			     struct run *first)
{
	connect_once(cc, sc, seed, PETREL_V_DTLS13, PETREL_V_DTLS13, NULL, 0, NULL, first);
	cr_assert_eq(first->resumed_client, 0);
	cr_assert_eq(first->version, PETREL_V_DTLS13);
	cr_assert_gt(first->blob_len, 0, "the NewSessionTicket became session data");
	cr_assert(petrel_ticket13_is_blob(first->blob, first->blob_len));
}

Test(dtls13_resume, full_then_resumed_with_psk_dhe_ke)
{
	petrel_credentials *sc = server_creds(NULL), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first, second, third;
	full_then_ticket(cc, sc, 1, &first);
	connect_once(cc, sc, 2, PETREL_V_DTLS13, PETREL_V_DTLS13, first.blob, first.blob_len, NULL,
		     &second);
	cr_assert_eq(second.resumed_client, 1);
	cr_assert_eq(second.version, PETREL_V_DTLS13);
	cr_assert(second.server_group, "psk_dhe_ke: a key exchange as well (RFC 8446 4.2.9)");
	cr_assert_gt(second.blob_len, 0, "a resumed connection gets a new ticket too");
	/* The new ticket resumes again. */
	connect_once(cc, sc, 3, PETREL_V_DTLS13, PETREL_V_DTLS13, second.blob, second.blob_len, NULL,
		     &third);
	cr_assert_eq(third.resumed_client, 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_resume, another_worker_sharing_the_ticket_key_resumes)
{
	petrel_credentials *s1 = server_creds(master_a), *s2 = server_creds(master_a);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first, second;
	full_then_ticket(cc, s1, 10, &first);
	connect_once(cc, s2, 11, PETREL_V_DTLS13, PETREL_V_DTLS13, first.blob, first.blob_len, NULL,
		     &second);
	cr_assert_eq(second.resumed_client, 1);
	petrel_credentials_free(s1);
	petrel_credentials_free(s2);
	petrel_credentials_free(cc);
}

static void expect_full(petrel_credentials *cc, petrel_credentials *sc, uint64_t seed,
			const uint8_t *blob, size_t len)
{
	struct run r;
	connect_once(cc, sc, seed, PETREL_V_DTLS13, PETREL_V_DTLS13, blob, len, NULL, &r);
	cr_assert_eq(r.resumed_client, 0, "a full handshake, not an error");
	cr_assert_eq(r.version, PETREL_V_DTLS13);
	cr_assert_gt(r.blob_len, 0, "and a fresh ticket");
}

Test(dtls13_resume, forged_ticket_gives_a_full_handshake)
{
	petrel_credentials *sc = server_creds(NULL), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first;
	full_then_ticket(cc, sc, 20, &first);
	struct petrel_ticket13_blob b;
	cr_assert_eq(petrel_ticket13_blob_parse(first.blob, first.blob_len, &b), 0);
	/* One bit of the sealed body flipped. */
	size_t at = (size_t)(b.ticket - first.blob) + b.ticket_len / 2;
	first.blob[at] ^= 0x01;
	expect_full(cc, sc, 21, first.blob, first.blob_len);
	/* A wrong PSK with a genuine ticket: the binder fails, decrypt_error. */
	first.blob[at] ^= 0x01;
	size_t psk_at = (size_t)(b.psk - first.blob);
	first.blob[psk_at] ^= 0x80;
	struct harness h;
	harness_init(&h, 22, 0, 0, cc, sc);
	versions(h.client.session, PETREL_V_DTLS13, PETREL_V_DTLS13);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_data(h.client.session, first.blob, first.blob_len), 0);
	cr_assert_neq(harness_run_handshake(&h, 60000), 0, "a bad binder ends the handshake");
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_resume, ticket_of_another_key_gives_a_full_handshake)
{
	petrel_credentials *s1 = server_creds(NULL), *s2 = server_creds(NULL);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first;
	full_then_ticket(cc, s1, 30, &first);
	expect_full(cc, s2, 31, first.blob, first.blob_len);
	/* Rotated twice: the key that sealed it is retired. */
	petrel_credentials_rotate_ticket_key(s1);
	petrel_credentials_rotate_ticket_key(s1);
	expect_full(cc, s1, 32, first.blob, first.blob_len);
	petrel_credentials_free(s1);
	petrel_credentials_free(s2);
	petrel_credentials_free(cc);
}

static int64_t clock_late(void)
{
	/* Past the ticket's lifetime (the key period, 3600 s) but within the
	 * previous key generation: only the lifetime check refuses it. */
	return (int64_t)time(NULL) + 3600 + 60;
}

static int64_t clock_skewed(void)
{
	/* 30 s later than the client thinks: out of the age window. */
	return (int64_t)time(NULL) + 30;
}

Test(dtls13_resume, stale_ticket_gives_a_full_handshake)
{
	petrel_credentials *sc = server_creds(master_a), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first;
	full_then_ticket(cc, sc, 40, &first);
	server_clock = clock_skewed;
	expect_full(cc, sc, 41, first.blob, first.blob_len);
	server_clock = clock_late;
	expect_full(cc, sc, 42, first.blob, first.blob_len);
	server_clock = NULL;
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_resume, ticket_and_resumption_under_loss)
{
	unsigned seeds = harness_seeds(10);
	struct simnet_rules rules = {.drop_per_million = 300000, .delay_ms = 20};
	for (unsigned seed = 100; seed < 100 + seeds; seed++) {
		petrel_credentials *sc = server_creds(NULL);
		petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
		struct run first, second;
		connect_once(cc, sc, seed, PETREL_V_DTLS13, PETREL_V_DTLS13, NULL, 0, &rules, &first);
		/* The ticket may still be on its way after two echoes; when it
		 * came, it resumes. */
		if (first.blob_len > 0) {
			connect_once(cc, sc, seed + 1000, PETREL_V_DTLS13, PETREL_V_DTLS13, first.blob,
				     first.blob_len, &rules, &second);
			cr_assert_eq(second.resumed_client, 1, "seed %u", seed);
		}
		petrel_credentials_free(sc);
		petrel_credentials_free(cc);
	}
}

Test(dtls13_resume, ticket_offered_to_a_12_server_gives_a_full_12_handshake)
{
	petrel_credentials *sc = server_creds(NULL), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first, second;
	full_then_ticket(cc, sc, 50, &first);
	connect_once(cc, sc, 51, PETREL_V_DTLS12, PETREL_V_DTLS12, first.blob, first.blob_len, NULL,
		     &second);
	cr_assert_eq(second.version, PETREL_V_DTLS12);
	cr_assert_eq(second.resumed_client, 0);
	cr_assert_gt(second.blob_len, 0, "the 1.2 session can be resumed later");
	cr_assert_not(petrel_ticket13_is_blob(second.blob, second.blob_len));
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* "1.2 resumption after a fallback": a client offering 1.3 and 1.2 gets
 * a 1.2 session from a 1.2-only server (its ClientHello asked for a
 * ticket), and offers that session in its next 1.3-and-1.2 ClientHello:
 * the 1.2 server resumes it; a 1.3 server does a full 1.3 handshake. */
static void session_12_case(uint64_t seed)
{
	petrel_credentials *sc = server_creds(NULL), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first, second, third;
	connect_once(cc, sc, seed, PETREL_V_DTLS12, PETREL_V_DTLS12, NULL, 0, NULL, &first);
	cr_assert_eq(first.version, PETREL_V_DTLS12);
	cr_assert_gt(first.blob_len, 0);
	cr_assert_not(petrel_ticket13_is_blob(first.blob, first.blob_len));
	connect_once(cc, sc, seed + 1, PETREL_V_DTLS12, PETREL_V_DTLS12, first.blob, first.blob_len,
		     NULL, &second);
	cr_assert_eq(second.version, PETREL_V_DTLS12);
	cr_assert_eq(second.resumed_client, 1, "the 1.2 server resumed the session");
	connect_once(cc, sc, seed + 2, PETREL_V_DTLS12, PETREL_V_DTLS13, first.blob, first.blob_len,
		     NULL, &third);
	cr_assert_eq(third.version, PETREL_V_DTLS13);
	cr_assert_eq(third.resumed_client, 0, "a 1.3 server: a full 1.3 handshake");
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_resume, session_12_from_a_fallback_resumed_after_a_fallback)
{
	session_12_case(60);
}

Test(dtls13_resume, session_12_of_a_12_client_resumed_by_a_client_allowing_13)
{
	petrel_credentials *sc = server_creds(NULL), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run first, second;
	client_max = PETREL_V_DTLS12; /* a 1.2 client's session */
	connect_once(cc, sc, 70, PETREL_V_DTLS12, PETREL_V_DTLS12, NULL, 0, NULL, &first);
	client_max = PETREL_V_DTLS13;
	cr_assert_eq(first.version, PETREL_V_DTLS12);
	connect_once(cc, sc, 71, PETREL_V_DTLS12, PETREL_V_DTLS12, first.blob, first.blob_len, NULL,
		     &second);
	cr_assert_eq(second.version, PETREL_V_DTLS12);
	cr_assert_eq(second.resumed_client, 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_resume, server_without_tickets_sends_none)
{
	petrel_credentials *sc = server_creds(NULL), *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	struct run r;
	server_flags = PETREL_FLAG_NO_TICKETS;
	connect_once(cc, sc, 80, PETREL_V_DTLS13, PETREL_V_DTLS13, NULL, 0, NULL, &r);
	server_flags = 0;
	cr_assert_eq(r.version, PETREL_V_DTLS13);
	cr_assert_eq(r.blob_len, 0, "no NewSessionTicket, no session data");
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(dtls13_resume, blob_parse_refuses_damage)
{
	uint8_t blob[64] = {0x13, 0x13, 0x01};
	struct petrel_ticket13_blob b;
	for (size_t n = 0; n < sizeof blob; n++)
		cr_assert_neq(petrel_ticket13_blob_parse(blob, n, &b), 0, "length %zu", n);
	cr_assert_not(petrel_ticket13_is_blob(NULL, 0));
}
