/* Session tickets shared by workers and machines (issue #19 item 5):
 * period keys derived from a master, rotation, key_name checks, and a
 * session cache shared by two independent servers. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/session.h"
#include "tests/dtls_harness.h"

#define PERIOD_S 3600
/* Some Unix time at the start of period k (any period works). */
#define T_K ((int64_t)500000 * PERIOD_S)

static const uint8_t master_a[PETREL_TICKET_KEY_LEN] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};
static const uint8_t master_b[PETREL_TICKET_KEY_LEN] = {
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

static petrel_credentials *creds_with_master(const uint8_t *master, uint32_t period_s)
{
	petrel_credentials *c = harness_psk_creds();
	cr_assert_eq(petrel_credentials_set_ticket_key(c, master, PETREL_TICKET_KEY_LEN, period_s), 0);
	return c;
}

static const uint8_t session_master[PETREL_MASTER_SECRET_LEN] = {0x5e, 0x55, 0x10, 0x4e};

static void seal_at(const petrel_credentials *c, int64_t now_s, uint8_t ticket[PETREL_TICKET_LEN])
{
	const struct petrel_suite *suite = petrel_suite_by_name("TLS_PSK_WITH_AES_128_GCM_SHA256");
	uint8_t nonce[12];
	memset(nonce, 0x42, sizeof nonce);
	cr_assert_eq(petrel_ticket_seal_at(c, now_s, nonce, suite, true, session_master, ticket), 0);
}

/* 0 when the ticket opens at now_s with the sealed contents. */
static int open_at(const petrel_credentials *c, int64_t now_s, const uint8_t *ticket, size_t len)
{
	uint16_t suite_id = 0;
	bool ems = false;
	uint8_t master[PETREL_MASTER_SECRET_LEN];
	int rc = petrel_ticket_open_at(c, now_s, ticket, len, &suite_id, &ems, master);
	if (rc == 0) {
		cr_assert_eq(suite_id, petrel_suite_by_name("TLS_PSK_WITH_AES_128_GCM_SHA256")->id);
		cr_assert(ems);
		cr_assert_arr_eq(master, session_master, sizeof master);
	} else {
		cr_assert_eq(rc, PETREL_E_DECRYPTION_FAILED);
	}
	return rc;
}

Test(ticket, sealed_in_period_k_opens_in_k_plus_1_not_k_plus_2)
{
	petrel_credentials *c = creds_with_master(master_a, PERIOD_S);
	uint8_t ticket[PETREL_TICKET_LEN];
	seal_at(c, T_K + PERIOD_S - 1, ticket); /* the last second of period k */
	cr_assert_eq(open_at(c, T_K, ticket, sizeof ticket), 0);
	cr_assert_eq(open_at(c, T_K + PERIOD_S, ticket, sizeof ticket), 0, "k+1 still opens");
	cr_assert_eq(open_at(c, T_K + 2 * PERIOD_S - 1, ticket, sizeof ticket), 0);
	cr_assert_eq(open_at(c, T_K + 2 * PERIOD_S, ticket, sizeof ticket), PETREL_E_DECRYPTION_FAILED,
		     "k+2: the key is retired");
	/* A server whose clock is a period behind accepts it (as its next key),
	 * two periods behind does not. */
	cr_assert_eq(open_at(c, T_K - PERIOD_S, ticket, sizeof ticket), 0);
	cr_assert_eq(open_at(c, T_K - 2 * PERIOD_S, ticket, sizeof ticket), PETREL_E_DECRYPTION_FAILED);
	petrel_credentials_free(c);
}

Test(ticket, forged_key_name_is_refused)
{
	petrel_credentials *c = creds_with_master(master_a, PERIOD_S);
	uint8_t ticket[PETREL_TICKET_LEN], forged[PETREL_TICKET_LEN];
	seal_at(c, T_K, ticket);
	/* Every byte of the key_name matters: the generation (bytes 0..7) and
	 * the check derived with the key (8..15). */
	for (size_t i = 0; i < PETREL_TICKET_KEY_NAME_LEN; i++) {
		memcpy(forged, ticket, sizeof forged);
		forged[i] ^= 0x01;
		cr_assert_eq(open_at(c, T_K, forged, sizeof forged), PETREL_E_DECRYPTION_FAILED, "byte %zu", i);
	}
	/* The next generation's name on this ticket: a real key, the wrong one. */
	uint8_t next[PETREL_TICKET_LEN];
	seal_at(c, T_K + PERIOD_S, next);
	memcpy(forged, ticket, sizeof forged);
	memcpy(forged, next, PETREL_TICKET_KEY_NAME_LEN);
	cr_assert_eq(open_at(c, T_K, forged, sizeof forged), PETREL_E_DECRYPTION_FAILED);
	/* A flipped body byte or a short ticket. */
	memcpy(forged, ticket, sizeof forged);
	forged[PETREL_TICKET_LEN - 20] ^= 0x80;
	cr_assert_eq(open_at(c, T_K, forged, sizeof forged), PETREL_E_DECRYPTION_FAILED);
	cr_assert_eq(open_at(c, T_K, ticket, sizeof ticket - 1), PETREL_E_DECRYPTION_FAILED);
	cr_assert_eq(open_at(c, T_K, ticket, sizeof ticket), 0);
	petrel_credentials_free(c);
}

Test(ticket, same_master_opens_the_others_tickets_different_master_does_not)
{
	petrel_credentials *a1 = creds_with_master(master_a, PERIOD_S);
	petrel_credentials *a2 = creds_with_master(master_a, PERIOD_S);
	petrel_credentials *b = creds_with_master(master_b, PERIOD_S);
	uint8_t ticket[PETREL_TICKET_LEN];
	seal_at(a1, T_K + 10, ticket);
	cr_assert_eq(open_at(a2, T_K + 20, ticket, sizeof ticket), 0);
	cr_assert_eq(open_at(b, T_K + 20, ticket, sizeof ticket), PETREL_E_DECRYPTION_FAILED);
	/* Random masters (no set_ticket_key): each its own. */
	petrel_credentials *r1 = harness_psk_creds(), *r2 = harness_psk_creds();
	seal_at(r1, T_K, ticket);
	cr_assert_eq(open_at(r1, T_K, ticket, sizeof ticket), 0);
	cr_assert_eq(open_at(r2, T_K, ticket, sizeof ticket), PETREL_E_DECRYPTION_FAILED);
	petrel_credentials_free(a1);
	petrel_credentials_free(a2);
	petrel_credentials_free(b);
	petrel_credentials_free(r1);
	petrel_credentials_free(r2);
}

Test(ticket, manual_rotation_retires_the_key_before_the_previous)
{
	petrel_credentials *c = creds_with_master(master_a, 0);
	petrel_credentials *peer = creds_with_master(master_a, 0);
	uint8_t ticket[PETREL_TICKET_LEN];
	seal_at(c, T_K, ticket);
	/* Without a period the time does not matter. */
	cr_assert_eq(open_at(c, T_K + 100 * PERIOD_S, ticket, sizeof ticket), 0);
	petrel_credentials_rotate_ticket_key(c);
	cr_assert_eq(open_at(c, T_K, ticket, sizeof ticket), 0, "the previous key still opens");
	/* A server that has not rotated yet accepts tickets of the new key. */
	uint8_t newer[PETREL_TICKET_LEN];
	seal_at(c, T_K, newer);
	cr_assert_eq(open_at(peer, T_K, newer, sizeof newer), 0);
	petrel_credentials_rotate_ticket_key(c);
	cr_assert_eq(open_at(c, T_K, ticket, sizeof ticket), PETREL_E_DECRYPTION_FAILED);
	cr_assert_eq(open_at(c, T_K, newer, sizeof newer), 0);
	petrel_credentials_free(c);
	petrel_credentials_free(peer);
}

Test(ticket, set_ticket_key_checks_its_arguments)
{
	petrel_credentials *c = harness_psk_creds();
	uint8_t key[PETREL_TICKET_KEY_MAX_LEN + 1];
	memset(key, 7, sizeof key);
	cr_assert_eq(petrel_credentials_set_ticket_key(c, key, PETREL_TICKET_KEY_LEN - 1, 60),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_credentials_set_ticket_key(c, key, PETREL_TICKET_KEY_MAX_LEN + 1, 60),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_credentials_set_ticket_key(c, NULL, 32, 60), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_credentials_set_ticket_key(NULL, key, 32, 60), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_credentials_set_ticket_key(c, key, PETREL_TICKET_KEY_MAX_LEN, 60), 0);
	uint8_t g1[PETREL_TICKET_KEY_LEN], g2[PETREL_TICKET_KEY_LEN];
	cr_assert_eq(petrel_ticket_key_generate(g1), 0);
	cr_assert_eq(petrel_ticket_key_generate(g2), 0);
	cr_assert_arr_neq(g1, g2, sizeof g1);
	cr_assert_eq(petrel_ticket_key_generate(NULL), PETREL_E_INVALID_REQUEST);
	petrel_credentials_free(c);
}

Test(ticket, cache_entry_expiry_is_when_the_key_retires)
{
	petrel_credentials *c = creds_with_master(master_a, PERIOD_S);
	uint8_t ticket[PETREL_TICKET_LEN];
	seal_at(c, T_K + 5, ticket);
	int64_t expiry = petrel_session_cache_entry_expiry(c, ticket, sizeof ticket);
	cr_assert_eq(expiry, T_K + 2 * PERIOD_S);
	cr_assert_eq(open_at(c, expiry - 1, ticket, sizeof ticket), 0);
	cr_assert_eq(open_at(c, expiry, ticket, sizeof ticket), PETREL_E_DECRYPTION_FAILED);
	cr_assert_eq(petrel_session_cache_entry_expiry(c, ticket, 10), PETREL_E_INVALID_REQUEST);
	petrel_credentials_rotate_ticket_key(c);
	cr_assert_eq(petrel_session_cache_entry_expiry(c, ticket, sizeof ticket), T_K + PERIOD_S);
	petrel_credentials_rotate_ticket_key(c);
	petrel_credentials_rotate_ticket_key(c);
	cr_assert_eq(petrel_session_cache_entry_expiry(c, ticket, sizeof ticket), T_K - PERIOD_S,
		     "three rotations: dead a period before it was sealed");
	cr_assert_eq(petrel_credentials_set_ticket_key(c, master_a, sizeof master_a, 0), 0);
	cr_assert_eq(petrel_session_cache_entry_expiry(c, ticket, sizeof ticket), INT64_MAX);
	petrel_credentials_free(c);
}

/* ---- whole handshakes on two "machines" ---- */

/* An external session cache both servers use (as a shared memcached
 * would be): a few entries, with counters. */
#define SHARED_CACHE_SLOTS 4
struct shared_cache {
	struct {
		uint8_t key[32], value[PETREL_TICKET_LEN];
		size_t key_len, value_len;
	} slot[SHARED_CACHE_SLOTS];
	unsigned stores, hits, misses, removes;
};

static int find_slot(struct shared_cache *c, const uint8_t *key, size_t key_len)
{
	for (int i = 0; i < SHARED_CACHE_SLOTS; i++)
		if (c->slot[i].key_len == key_len && key_len > 0 && memcmp(c->slot[i].key, key, key_len) == 0)
			return i;
	return -1;
}

static int shared_store(void *ptr, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len)
{
	struct shared_cache *c = ptr;
	int i = find_slot(c, key, key_len);
	for (int j = 0; i < 0 && j < SHARED_CACHE_SLOTS; j++)
		if (c->slot[j].key_len == 0)
			i = j;
	if (i < 0 || key_len > sizeof c->slot[i].key || len > sizeof c->slot[i].value)
		return -1;
	memcpy(c->slot[i].key, key, key_len);
	c->slot[i].key_len = key_len;
	memcpy(c->slot[i].value, data, len);
	c->slot[i].value_len = len;
	c->stores++;
	return 0;
}

static long shared_retrieve(void *ptr, const uint8_t *key, size_t key_len, uint8_t *data, size_t cap)
{
	struct shared_cache *c = ptr;
	int i = find_slot(c, key, key_len);
	if (i < 0 || cap < c->slot[i].value_len) {
		c->misses++;
		return -1;
	}
	memcpy(data, c->slot[i].value, c->slot[i].value_len);
	c->hits++;
	return (long)c->slot[i].value_len;
}

static int shared_remove(void *ptr, const uint8_t *key, size_t key_len)
{
	struct shared_cache *c = ptr;
	int i = find_slot(c, key, key_len);
	if (i < 0)
		return -1;
	memset(&c->slot[i], 0, sizeof c->slot[i]);
	c->removes++;
	return 0;
}

static size_t full_handshake_blob(petrel_credentials *cc, petrel_credentials *server, unsigned client_flags,
				  uint64_t seed, uint8_t *blob, size_t cap)
{
	struct harness h;
	harness_init(&h, seed, client_flags, 0, cc, server);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0);
	cr_assert_not(petrel_session_is_resumed(h.server.session));
	size_t len = cap;
	cr_assert_eq(petrel_session_get_data(h.client.session, blob, &len), 0);
	harness_free(&h);
	return len;
}

/* 1 when the client resumed on server with blob, 0 on a full handshake. */
static int resume_on(petrel_credentials *cc, petrel_credentials *server, unsigned client_flags,
		     uint64_t seed, const uint8_t *blob, size_t len)
{
	struct harness h;
	harness_init(&h, seed, client_flags, 0, cc, server);
	cr_assert_eq(petrel_session_set_data(h.client.session, blob, len), 0);
	cr_assert_eq(harness_run_handshake(&h, 10000), 0, "never an error, resumed or not");
	int resumed = petrel_session_is_resumed(h.server.session);
	cr_assert_eq(petrel_session_is_resumed(h.client.session), resumed);
	cr_assert_eq(harness_echo(&h, "after resumption", 60000), 0);
	harness_free(&h);
	return resumed;
}

Test(ticket, client_resumes_by_ticket_on_a_second_server_sharing_the_master)
{
	uint8_t master[PETREL_TICKET_KEY_LEN];
	cr_assert_eq(petrel_ticket_key_generate(master), 0);
	petrel_credentials *s1 = creds_with_master(master, PERIOD_S);
	petrel_credentials *s2 = creds_with_master(master, PERIOD_S);
	petrel_credentials *other = harness_psk_creds(); /* its own random master */
	petrel_credentials *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_handshake_blob(cc, s1, 0, 201, blob, sizeof blob);
	cr_assert_eq(resume_on(cc, s2, 0, 202, blob, len), 1);
	cr_assert_eq(resume_on(cc, s1, 0, 203, blob, len), 1);
	cr_assert_eq(resume_on(cc, other, 0, 204, blob, len), 0, "another master: full handshake");
	petrel_credentials_free(s1);
	petrel_credentials_free(s2);
	petrel_credentials_free(other);
	petrel_credentials_free(cc);
}

Test(ticket, client_resumes_by_session_id_on_a_second_server_through_a_shared_cache)
{
	struct shared_cache cache;
	memset(&cache, 0, sizeof cache);
	petrel_credentials *s1 = creds_with_master(master_a, PERIOD_S);
	petrel_credentials *s2 = creds_with_master(master_a, PERIOD_S);
	petrel_credentials_set_session_cache(s1, shared_store, shared_retrieve, shared_remove, &cache);
	petrel_credentials_set_session_cache(s2, shared_store, shared_retrieve, shared_remove, &cache);
	petrel_credentials *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_handshake_blob(cc, s1, PETREL_FLAG_NO_TICKETS, 211, blob, sizeof blob);
	cr_assert_eq(cache.stores, 1);
	/* The cache holds no master secret in the clear. */
	cr_assert_eq(cache.slot[0].value_len, PETREL_TICKET_LEN);
	struct petrel_resume_data data;
	cr_assert_eq(petrel_resume_parse(blob, len, &data), 0);
	cr_assert_null(memmem(cache.slot[0].value, cache.slot[0].value_len, data.master, sizeof data.master));
	cr_assert_eq(resume_on(cc, s2, PETREL_FLAG_NO_TICKETS, 212, blob, len), 1);
	cr_assert_eq(cache.hits, 1);
	cr_assert_eq(cache.removes, 0);
	petrel_credentials_free(s1);
	petrel_credentials_free(s2);
	petrel_credentials_free(cc);
}

Test(ticket, stale_cache_entry_is_removed_and_the_handshake_is_full)
{
	struct shared_cache cache;
	memset(&cache, 0, sizeof cache);
	petrel_credentials *s1 = creds_with_master(master_a, PERIOD_S);
	petrel_credentials *s2 = creds_with_master(master_b, PERIOD_S); /* misconfigured machine */
	petrel_credentials_set_session_cache(s1, shared_store, shared_retrieve, shared_remove, &cache);
	petrel_credentials_set_session_cache(s2, shared_store, shared_retrieve, shared_remove, &cache);
	petrel_credentials *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_handshake_blob(cc, s1, PETREL_FLAG_NO_TICKETS, 221, blob, sizeof blob);
	cr_assert_eq(cache.stores, 1);
	cr_assert_eq(resume_on(cc, s2, PETREL_FLAG_NO_TICKETS, 222, blob, len), 0);
	cr_assert_eq(cache.hits, 1);
	cr_assert_eq(cache.removes, 1, "the entry that did not open is removed");
	cr_assert_eq(cache.stores, 2, "the full handshake is cached under its new ID");

	/* Keys rotated twice: the entry s1 stored is dead on s1 too. */
	len = full_handshake_blob(cc, s1, PETREL_FLAG_NO_TICKETS, 223, blob, sizeof blob);
	petrel_credentials_rotate_ticket_key(s1);
	petrel_credentials_rotate_ticket_key(s1);
	unsigned removes = cache.removes;
	cr_assert_eq(resume_on(cc, s1, PETREL_FLAG_NO_TICKETS, 224, blob, len), 0);
	cr_assert_eq(cache.removes, removes + 1);
	petrel_credentials_free(s1);
	petrel_credentials_free(s2);
	petrel_credentials_free(cc);
}

Test(ticket, retired_ticket_gives_a_full_handshake_not_an_error)
{
	petrel_credentials *s1 = creds_with_master(master_a, PERIOD_S);
	petrel_credentials *cc = harness_psk_creds();
	uint8_t blob[512];
	size_t len = full_handshake_blob(cc, s1, 0, 231, blob, sizeof blob);
	petrel_credentials_rotate_ticket_key(s1);
	cr_assert_eq(resume_on(cc, s1, 0, 232, blob, len), 1, "one rotation: the previous key opens");
	petrel_credentials_rotate_ticket_key(s1);
	petrel_credentials_rotate_ticket_key(s1);
	cr_assert_eq(resume_on(cc, s1, 0, 233, blob, len), 0);
	petrel_credentials_free(s1);
	petrel_credentials_free(cc);
}
