/* DTLS 1.2 resumption bound to the server name (RFC 6066 3): a server
 * MUST NOT resume a session under another server_name, and the client
 * offers a session only to the name it was made with. Sessions are
 * pinned to DTLS 1.2; "hand-crafted" clients are real clients given
 * resumption data whose recorded name was rewritten, so they offer an
 * old ticket or session ID under a new name and the server's own check
 * is what is tested. */
#include <criterion/criterion.h>
#include <string.h>

#include "common/name_fold.h"
#include "dtls/session.h"
#include "dtls/sni12_ticket.h"
#include "tests/dtls_harness.h"

static const uint8_t master_key[PETREL_TICKET_KEY_LEN] = {
	0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60,
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70};

static petrel_credentials *server_creds(void)
{
	petrel_credentials *c = harness_psk_creds();
	cr_assert_eq(petrel_credentials_set_ticket_key(c, master_key, sizeof master_key, 3600), 0);
	return c;
}

/* A one-entry session cache with counters. */
struct one_cache {
	uint8_t key[32], value[PETREL_TICKET_LEN];
	size_t key_len, value_len;
	unsigned stores, lookups, hits, removes;
};

static int cache_store(void *ptr, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len)
{
	struct one_cache *c = ptr;
	if (key_len > sizeof c->key || len > sizeof c->value)
		return -1;
	memcpy(c->key, key, key_len);
	c->key_len = key_len;
	memcpy(c->value, data, len);
	c->value_len = len;
	c->stores++;
	return 0;
}

static long cache_retrieve(void *ptr, const uint8_t *key, size_t key_len, uint8_t *data, size_t cap)
{
	struct one_cache *c = ptr;
	c->lookups++;
	if (c->key_len == 0 || key_len != c->key_len || memcmp(key, c->key, key_len) != 0 ||
	    cap < c->value_len)
		return -1;
	memcpy(data, c->value, c->value_len);
	c->hits++;
	return (long)c->value_len;
}

static int cache_remove(void *ptr, const uint8_t *key, size_t key_len)
{
	struct one_cache *c = ptr;
	(void)key;
	(void)key_len;
	memset(c->key, 0, sizeof c->key);
	c->key_len = 0;
	c->removes++;
	return 0;
}

static void pin12(struct harness *h, const char *name)
{
	cr_assert_eq(petrel_session_set_versions(h->client.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	cr_assert_eq(petrel_session_set_versions(h->server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	if (name != NULL)
		cr_assert_eq(petrel_session_set_server_name(h->client.session, name), 0);
}

/* A full handshake to name (NULL: none); the client's resumption data. */
static size_t full_blob(petrel_credentials *cc, petrel_credentials *sc, unsigned client_flags,
			const char *name, uint64_t seed, uint8_t *blob, size_t cap)
{
	struct harness h;
	harness_init(&h, seed, client_flags, 0, cc, sc);
	pin12(&h, name);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_not(petrel_session_is_resumed(h.server.session));
	size_t len = cap;
	cr_assert_eq(petrel_session_get_data(h.client.session, blob, &len), 0);
	harness_free(&h);
	return len;
}

/* 1 when a client connecting to name resumed with blob, 0 on a full
 * handshake (never an error). */
static int resume_with(petrel_credentials *cc, petrel_credentials *sc, unsigned client_flags,
		       const char *name, uint64_t seed, const uint8_t *blob, size_t len)
{
	struct harness h;
	harness_init(&h, seed, client_flags, 0, cc, sc);
	pin12(&h, name);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0, "never an error, resumed or not");
	int resumed = petrel_session_is_resumed(h.server.session);
	cr_assert_eq(petrel_session_is_resumed(h.client.session), resumed);
	cr_assert_eq(harness_echo(&h, "after the handshake", 60000), 0);
	harness_free(&h);
	return resumed;
}

/* blob with its recorded server name replaced by name (NULL: none), or
 * in the version 1 layout (no name) when old is set. */
static size_t rewrite_blob(const uint8_t *blob, size_t len, const char *name, bool old,
			   uint8_t *out, size_t cap)
{
	struct petrel_resume_data d;
	cr_assert_eq(petrel_resume_parse(blob, len, &d), 0);
	struct petrel_writer w;
	petrel_writer_init(&w, out, cap);
	petrel_put_u8(&w, old ? 1 : 2);
	petrel_put_u16(&w, d.suite_id);
	petrel_put_u8(&w, d.ems ? 1 : 0);
	petrel_put_bytes(&w, d.master, sizeof d.master);
	petrel_put_opaque8(&w, d.session_id, d.session_id_len);
	petrel_put_opaque16(&w, d.ticket, d.ticket_len);
	if (!old)
		petrel_put_opaque16(&w, (const uint8_t *)name, name ? strlen(name) : 0);
	cr_assert(petrel_writer_ok(&w));
	return petrel_writer_len(&w);
}

/* resume_with for a client offering DTLS 1.3 and 1.2 to a 1.2 server
 * (the 1.2 session inside the 1.3 ClientHello): 1 when resumed, 0 on a
 * full handshake. */
static int resume_offering_13(petrel_credentials *cc, petrel_credentials *sc,
			      unsigned client_flags, const char *name, uint64_t seed,
			      const uint8_t *blob, size_t len)
{
	struct harness h;
	harness_init(&h, seed, client_flags, 0, cc, sc);
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	if (name != NULL)
		cr_assert_eq(petrel_session_set_server_name(h.client.session, name), 0);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	int resumed = petrel_session_is_resumed(h.client.session);
	cr_assert_eq(petrel_session_is_resumed(h.server.session), resumed);
	harness_free(&h);
	return resumed;
}

/* Server credentials with the one-entry session cache (zeroed here). */
static petrel_credentials *cached_server_creds(struct one_cache *cache)
{
	memset(cache, 0, sizeof *cache);
	petrel_credentials *sc = server_creds();
	petrel_credentials_set_session_cache(sc, cache_store, cache_retrieve, cache_remove, cache);
	return sc;
}

Test(sni12, saved_data_records_the_server_name)
{
	petrel_credentials *sc = server_creds(), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_blob(cc, sc, 0, "a.example", 1201, blob, sizeof blob);
	struct petrel_resume_data d;
	cr_assert_eq(petrel_resume_parse(blob, len, &d), 0);
	cr_assert_eq(d.server_name_len, strlen("a.example"));
	cr_assert_eq(memcmp(d.server_name, "a.example", d.server_name_len), 0);
	cr_assert(petrel_resume_offerable(&d, "a.example"));
	cr_assert_not(petrel_resume_offerable(&d, "b.example"));
	cr_assert_not(petrel_resume_offerable(&d, "a.example.")); /* not a prefix match */
	cr_assert_not(petrel_resume_offerable(&d, NULL));
	len = full_blob(cc, sc, 0, NULL, 1202, blob, sizeof blob);
	cr_assert_eq(petrel_resume_parse(blob, len, &d), 0);
	cr_assert_eq(d.server_name_len, 0);
	cr_assert(petrel_resume_offerable(&d, NULL));
	cr_assert_not(petrel_resume_offerable(&d, "a.example"));
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, ticket_resumes_with_the_same_server_name)
{
	petrel_credentials *sc = server_creds(), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_blob(cc, sc, 0, "a.example", 1211, blob, sizeof blob);
	struct petrel_resume_data d;
	cr_assert_eq(petrel_resume_parse(blob, len, &d), 0);
	cr_assert_eq(d.ticket_len, PETREL_TICKET_LEN);
	cr_assert_eq(resume_with(cc, sc, 0, "a.example", 1212, blob, len), 1);
	/* Without a name, both sides: resumed too. */
	len = full_blob(cc, sc, 0, NULL, 1213, blob, sizeof blob);
	cr_assert_eq(resume_with(cc, sc, 0, NULL, 1214, blob, len), 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, client_does_not_offer_a_session_to_another_name)
{
	petrel_credentials *sc = server_creds(), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_blob(cc, sc, 0, "a.example", 1221, blob, sizeof blob);
	cr_assert_eq(resume_with(cc, sc, 0, "b.example", 1222, blob, len), 0);
	cr_assert_eq(resume_with(cc, sc, 0, NULL, 1223, blob, len), 0);
	/* The same refusal on a client offering DTLS 1.3 and 1.2 to a 1.2
	 * server (the 1.2 session inside the 1.3 ClientHello). */
	cr_assert_eq(resume_offering_13(cc, sc, 0, "b.example", 1224, blob, len), 0);
	/* ... and it resumes there under the same name. */
	cr_assert_eq(resume_offering_13(cc, sc, 0, "a.example", 1225, blob, len), 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* The client's own refusal, seen from the server: no session ID to look
 * up in its cache (a 1.2 ClientHello, and the 1.2 offer in a 1.3 one). */
Test(sni12, client_sends_no_session_id_to_another_name)
{
	struct one_cache cache;
	petrel_credentials *sc = cached_server_creds(&cache), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_blob(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1261, blob, sizeof blob);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, "b.example", 1262, blob, len), 0);
	cr_assert_eq(cache.lookups, 0, "no session ID offered");
	cr_assert_eq(resume_offering_13(cc, sc, PETREL_FLAG_NO_TICKETS, "b.example", 1263, blob, len),
		     0);
	cr_assert_eq(cache.lookups, 0, "no 1.2 session ID in the 1.3 ClientHello either");
	/* Under the same name it is offered and resumes. */
	len = full_blob(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1264, blob, sizeof blob);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1265, blob, len), 1);
	cr_assert_eq(cache.lookups, 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, server_refuses_a_ticket_under_another_name)
{
	petrel_credentials *sc = server_creds(), *cc = harness_psk_creds();
	uint8_t blob[512], forged[512];
	size_t len = full_blob(cc, sc, 0, "a.example", 1231, blob, sizeof blob);
	/* The client is told the session was made with b.example: it sends
	 * the a.example ticket with server_name b.example. */
	size_t flen = rewrite_blob(blob, len, "b.example", false, forged, sizeof forged);
	cr_assert_eq(resume_with(cc, sc, 0, "b.example", 1232, forged, flen), 0);
	/* Present at first, missing now. */
	flen = rewrite_blob(blob, len, NULL, false, forged, sizeof forged);
	cr_assert_eq(resume_with(cc, sc, 0, NULL, 1233, forged, flen), 0);
	/* Missing at first, present now. */
	len = full_blob(cc, sc, 0, NULL, 1234, blob, sizeof blob);
	flen = rewrite_blob(blob, len, "a.example", false, forged, sizeof forged);
	cr_assert_eq(resume_with(cc, sc, 0, "a.example", 1235, forged, flen), 0);
	/* The rewriting itself is harmless: the true name still resumes. */
	flen = rewrite_blob(blob, len, NULL, false, forged, sizeof forged);
	cr_assert_eq(resume_with(cc, sc, 0, NULL, 1236, forged, flen), 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, session_cache_entry_resumes_only_under_its_name)
{
	struct one_cache cache;
	petrel_credentials *sc = cached_server_creds(&cache), *cc = harness_psk_creds();
	uint8_t blob[512], forged[512];
	size_t len = full_blob(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1241, blob, sizeof blob);
	cr_assert_eq(cache.stores, 1);
	cr_assert_eq(cache.value_len, PETREL_TICKET_LEN);
	size_t flen = rewrite_blob(blob, len, "b.example", false, forged, sizeof forged);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, "b.example", 1242, forged, flen), 0);
	cr_assert_eq(cache.hits, 1, "the ID was looked up");
	cr_assert_eq(cache.removes, 0, "an entry under another name stays (IDs travel in clear)");
	flen = rewrite_blob(blob, len, NULL, false, forged, sizeof forged);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, NULL, 1243, forged, flen), 0);
	/* The full handshakes above stored new entries: make a.example's again. */
	len = full_blob(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1244, blob, sizeof blob);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1245, blob, len), 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, old_format_data_and_tickets_give_a_full_handshake)
{
	petrel_credentials *sc = server_creds(), *cc = harness_psk_creds();
	uint8_t blob[512], old[512];
	size_t len = full_blob(cc, sc, 0, "a.example", 1251, blob, sizeof blob);
	/* Version 1 data (no name recorded) is taken but never offered: not
	 * to a.example ... */
	size_t olen = rewrite_blob(blob, len, NULL, true, old, sizeof old);
	struct petrel_resume_data d;
	cr_assert_eq(petrel_resume_parse(old, olen, &d), 0);
	cr_assert_eq(d.server_name_len, 0);
	cr_assert_not(d.name_recorded);
	cr_assert_not(petrel_resume_offerable(&d, NULL));
	cr_assert_not(petrel_resume_offerable(&d, "a.example"));
	cr_assert_eq(resume_with(cc, sc, 0, "a.example", 1252, old, olen), 0);
	/* ... nor without a name, even holding a ticket the server would
	 * take (a nameless session's, rewritten into version 1). */
	uint8_t nameless[512];
	size_t nlen = full_blob(cc, sc, 0, NULL, 1255, nameless, sizeof nameless);
	cr_assert_eq(resume_with(cc, sc, 0, NULL, 1256, nameless, nlen), 1, "as saved: resumes");
	size_t olen2 = rewrite_blob(nameless, nlen, NULL, true, old, sizeof old);
	cr_assert_eq(resume_with(cc, sc, 0, NULL, 1257, old, olen2), 0, "version 1: full handshake");
	/* A ticket of the version 2 length (32 bytes shorter, no binding)
	 * does not open: offered by a nameless client in version 1 data, a
	 * full handshake. */
	uint8_t body[512];
	struct petrel_writer w;
	petrel_writer_init(&w, body, sizeof body);
	petrel_put_u8(&w, 1);
	petrel_put_u16(&w, d.suite_id);
	petrel_put_u8(&w, 1);
	petrel_put_bytes(&w, d.master, sizeof d.master);
	petrel_put_opaque8(&w, NULL, 0);
	petrel_put_opaque16(&w, d.ticket, d.ticket_len - PETREL_TICKET13_BINDING_LEN);
	cr_assert(petrel_writer_ok(&w));
	cr_assert_eq(resume_with(cc, sc, 0, NULL, 1253, body, petrel_writer_len(&w)), 0);
	/* Damaged data is refused by set_data, never a crash. */
	struct harness h;
	harness_init(&h, 1254, 0, 0, cc, sc);
	cr_assert_lt(petrel_session_set_data(h.client.session, old, olen - 1), 0);
	cr_assert_lt(petrel_session_set_data(h.client.session, blob, len - 1), 0);
	harness_free(&h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, binding_is_the_13_helper_on_the_host_name_only)
{
	uint8_t none[PETREL_TICKET13_BINDING_LEN], a[PETREL_TICKET13_BINDING_LEN];
	uint8_t b[PETREL_TICKET13_BINDING_LEN];
	cr_assert(petrel_sni12_binding(NULL, 0, none));
	cr_assert(petrel_sni12_binding((const uint8_t *)"a.example", 9, a));
	cr_assert(petrel_sni12_binding((const uint8_t *)"b.example", 9, b));
	cr_assert_neq(memcmp(none, a, sizeof a), 0);
	cr_assert_neq(memcmp(a, b, sizeof a), 0);
	uint8_t long_name[300];
	memset(long_name, 'x', sizeof long_name);
	cr_assert_not(petrel_sni12_binding(long_name, sizeof long_name, b));
	cr_assert_not(petrel_sni12_binding((const uint8_t *)"a\0b", 3, b));
}

/* ---- sni12fix: names compare without ASCII case; version 1 data ------ */

Test(sni12, host_names_compare_without_ascii_case_only)
{
	const uint8_t *a = (const uint8_t *)"Mail.EXAMPLE.org", *b = (const uint8_t *)"mail.example.ORG";
	cr_assert(petrel_host_name_equal(a, 16, b, 16));
	cr_assert_not(petrel_host_name_equal(a, 16, b, 15));
	cr_assert_not(petrel_host_name_equal((const uint8_t *)"a.example.", 10,
					     (const uint8_t *)"a.example", 9));
	cr_assert(petrel_host_name_equal(NULL, 0, (const uint8_t *)"", 0));
	cr_assert_not(petrel_host_name_equal(NULL, 0, (const uint8_t *)"a", 1));
	/* ASCII letters only: the bytes next to the letter ranges and
	 * Latin-1 letters stay apart, whatever the locale. */
	cr_assert(petrel_host_name_equal((const uint8_t *)"I", 1, (const uint8_t *)"i", 1));
	cr_assert_not(petrel_host_name_equal((const uint8_t *)"@", 1, (const uint8_t *)"`", 1));
	cr_assert_not(petrel_host_name_equal((const uint8_t *)"[", 1, (const uint8_t *)"{", 1));
	cr_assert_not(petrel_host_name_equal((const uint8_t *)"\xc4", 1, (const uint8_t *)"\xe4", 1));
	cr_assert_not(petrel_host_name_equal((const uint8_t *)"\xfd", 1, (const uint8_t *)"i", 1));
	for (unsigned c = 0; c < 256; c++) {
		uint8_t want = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : (uint8_t)c;
		cr_assert_eq(petrel_ascii_lower((uint8_t)c), want, "byte %u", c);
	}
}

Test(sni12, binding_folds_ascii_case_and_keeps_a_trailing_dot)
{
	uint8_t lower[PETREL_TICKET13_BINDING_LEN], upper[PETREL_TICKET13_BINDING_LEN];
	uint8_t dotted[PETREL_TICKET13_BINDING_LEN], other[PETREL_TICKET13_BINDING_LEN];
	cr_assert(petrel_sni12_binding((const uint8_t *)"a.example", 9, lower));
	cr_assert(petrel_sni12_binding((const uint8_t *)"A.EXAMPLE", 9, upper));
	cr_assert(petrel_sni12_binding((const uint8_t *)"a.example.", 10, dotted));
	cr_assert(petrel_sni12_binding((const uint8_t *)"\xc1.example", 9, other));
	cr_assert_eq(memcmp(lower, upper, sizeof lower), 0);
	cr_assert_neq(memcmp(lower, dotted, sizeof lower), 0);
	cr_assert_neq(memcmp(lower, other, sizeof lower), 0);
}

Test(sni12, saved_data_is_offered_to_the_same_name_in_any_case)
{
	petrel_credentials *sc = server_creds(), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_blob(cc, sc, 0, "A.Example", 1271, blob, sizeof blob);
	struct petrel_resume_data d;
	cr_assert_eq(petrel_resume_parse(blob, len, &d), 0);
	cr_assert(d.name_recorded);
	cr_assert(petrel_resume_offerable(&d, "a.example"));
	cr_assert(petrel_resume_offerable(&d, "A.EXAMPLE"));
	cr_assert_not(petrel_resume_offerable(&d, "A.Example."));
	cr_assert_not(petrel_resume_offerable(&d, "A.Exampla"));
	/* The ticket was bound to "A.Example": the server resumes it for
	 * "a.example" (its binding folds case, RFC 4343 3). */
	cr_assert_eq(resume_with(cc, sc, 0, "a.example", 1272, blob, len), 1);
	/* The same through the 1.2 offer in a 1.3 ClientHello. */
	cr_assert_eq(resume_offering_13(cc, sc, 0, "a.EXAMPLE", 1273, blob, len), 1);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, session_cache_entry_resumes_under_its_name_in_any_case)
{
	struct one_cache cache;
	petrel_credentials *sc = cached_server_creds(&cache), *cc = harness_psk_creds();
	uint8_t blob[512], forged[512];
	size_t len = full_blob(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1281, blob, sizeof blob);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, "A.EXAMPLE", 1282, blob, len), 1);
	cr_assert_eq(cache.hits, 1);
	/* Data recorded for "a.example." (RFC 6066 3 sends no trailing
	 * dot): a Petrel client given "a.example." sends "a.example"
	 * (petrel_session_set_server_name), another name, so it offers
	 * nothing; the server's binding keeps the dot (sni12/binding_*). */
	len = full_blob(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example", 1283, blob, sizeof blob);
	size_t flen = rewrite_blob(blob, len, "a.example.", false, forged, sizeof forged);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, "a.example.", 1284, forged, flen), 0);
	cr_assert_eq(cache.hits, 1, "not offered");
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(sni12, version_1_data_offers_no_session_id)
{
	struct one_cache cache;
	petrel_credentials *sc = cached_server_creds(&cache), *cc = harness_psk_creds();
	uint8_t blob[512], old[512];
	size_t len = full_blob(cc, sc, PETREL_FLAG_NO_TICKETS, NULL, 1291, blob, sizeof blob);
	size_t olen = rewrite_blob(blob, len, NULL, true, old, sizeof old);
	cr_assert_eq(resume_with(cc, sc, PETREL_FLAG_NO_TICKETS, NULL, 1292, old, olen), 0);
	cr_assert_eq(cache.lookups, 0, "no session ID offered");
	/* Nor in the 1.3 ClientHello's 1.2 offer. */
	cr_assert_eq(resume_offering_13(cc, sc, PETREL_FLAG_NO_TICKETS, NULL, 1293, old, olen), 0);
	cr_assert_eq(cache.lookups, 0);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

/* RFC 7301 3.1: ALPN is a property of the connection, not the session:
 * a resumed 1.2 session negotiates it again. */
Test(sni12, resumed_session_negotiates_alpn_again)
{
	petrel_credentials *sc = server_creds(), *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = 0;
	const char *server_alpn[2] = {"coap", "h3,coap"};
	for (int i = 0; i < 2; i++) {
		struct harness h;
		harness_init(&h, 1301 + (uint64_t)i, 0, 0, cc, sc);
		pin12(&h, "a.example");
		cr_assert_eq(petrel_session_set_alpn(h.client.session, "coap,h3"), 0);
		cr_assert_eq(petrel_session_set_alpn(h.server.session, server_alpn[i]), 0);
		if (i == 1)
			cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
		cr_assert_eq(harness_run_handshake(&h, 10000), 0);
		cr_assert_eq(petrel_session_is_resumed(h.server.session), i);
		cr_assert_eq(petrel_session_is_resumed(h.client.session), i);
		const char *want = i == 0 ? "coap" : "h3";
		cr_assert_str_eq(petrel_session_get_alpn(h.client.session), want);
		cr_assert_str_eq(petrel_session_get_alpn(h.server.session), want);
		if (i == 0) {
			len = sizeof blob;
			cr_assert_eq(petrel_session_get_data(h.client.session, blob, &len), 0);
		}
		harness_free(&h);
	}
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}
