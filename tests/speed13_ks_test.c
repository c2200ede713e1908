/* The key schedule's shortcuts (issue #20, helper speed13) give what the
 * plain computation gives: the no-PSK Early Secret and "derived" salt
 * constants, HKDF-Expand under a PRK keyed once, the kept Transcript-Hash. */
#include <criterion/criterion.h>
#include <string.h>

#include "crypto/hkdf.h"
#include "dtls13/keyschedule.h"
#include "dtls13/transcript13.h"
#include "petrel/petrel.h"

static const enum petrel_hash_alg hashes[] = {PETREL_HASH_SHA256, PETREL_HASH_SHA384};
static const char *const prefixes[] = {PETREL_DTLS13_LABEL_PREFIX, PETREL_TLS13_LABEL_PREFIX};

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 7 * i);
}

/* A PSK of HashLen zeros is what "no PSK" means (RFC 8446 7.1), but it
 * takes the computed path: both schedules must agree at every stage. */
Test(speed13_ks, no_psk_constants_match_computed_schedule)
{
	static const uint8_t zeros[PETREL_MAX_HASH_LEN];
	uint8_t ecdhe[32], th[PETREL_MAX_HASH_LEN];
	fill(ecdhe, sizeof ecdhe, 3);
	fill(th, sizeof th, 9);
	for (size_t h = 0; h < 2; h++)
		for (size_t p = 0; p < 2; p++) {
			struct petrel_dtls13_ks a, b;
			size_t n = petrel_hash_len(hashes[h]);
			cr_assert_eq(petrel_dtls13_ks_init_prefix(&a, hashes[h], prefixes[p], NULL, 0), 0);
			cr_assert_eq(petrel_dtls13_ks_init_prefix(&b, hashes[h], prefixes[p], zeros, n), 0);
			cr_assert(a.no_psk && !b.no_psk);
			cr_assert_arr_eq(a.early_secret, b.early_secret, n);
			cr_assert_eq(petrel_dtls13_ks_handshake(&a, ecdhe, sizeof ecdhe, th), 0);
			cr_assert_eq(petrel_dtls13_ks_handshake(&b, ecdhe, sizeof ecdhe, th), 0);
			cr_assert_arr_eq(a.handshake_secret, b.handshake_secret, n);
			cr_assert_arr_eq(a.client_handshake_traffic, b.client_handshake_traffic, n);
			cr_assert_arr_eq(a.server_handshake_traffic, b.server_handshake_traffic, n);
			/* The Master Secret by hand, Hash("") hashed here (the
			 * schedule takes it as a constant). */
			uint8_t empty[PETREL_MAX_HASH_LEN], salt[PETREL_MAX_HASH_LEN];
			uint8_t master[PETREL_MAX_HASH_LEN];
			petrel_hash(hashes[h], NULL, 0, empty);
			cr_assert_eq(petrel_dtls13_derive_secret(hashes[h], prefixes[p], a.handshake_secret,
								 "derived", empty, salt),
				     0);
			petrel_hkdf_extract(hashes[h], salt, n, zeros, n, master);
			cr_assert_arr_eq(a.master_secret, master, n);
			cr_assert_eq(petrel_dtls13_ks_master(&a, th), 0);
			cr_assert_eq(petrel_dtls13_ks_master(&b, th), 0);
			cr_assert_arr_eq(a.client_application_traffic, b.client_application_traffic, n);
			cr_assert_arr_eq(a.exporter_master, b.exporter_master, n);
			petrel_dtls13_ks_wipe(&a);
			petrel_dtls13_ks_wipe(&b);
		}
}

Test(speed13_ks, no_psk_early_secret_is_extract_of_zeros)
{
	static const uint8_t zeros[PETREL_MAX_HASH_LEN];
	for (size_t h = 0; h < 2; h++) {
		struct petrel_dtls13_ks ks;
		uint8_t want[PETREL_MAX_HASH_LEN];
		size_t n = petrel_hash_len(hashes[h]);
		petrel_hkdf_extract(hashes[h], NULL, 0, zeros, n, want);
		cr_assert_eq(petrel_dtls13_ks_init(&ks, hashes[h], NULL, 0), 0);
		cr_assert_arr_eq(ks.early_secret, want, n);
		petrel_dtls13_ks_wipe(&ks);
	}
}

Test(speed13_ks, keyed_expand_equals_plain_expand)
{
	uint8_t prk[PETREL_MAX_HASH_LEN], info[80], ctx[PETREL_MAX_HASH_LEN];
	fill(prk, sizeof prk, 1);
	fill(info, sizeof info, 2);
	fill(ctx, sizeof ctx, 5);
	static const size_t lens[] = {0, 1, 12, 16, 32, 33, 48, 100, 200};
	for (size_t h = 0; h < 2; h++) {
		size_t n = petrel_hash_len(hashes[h]);
		struct petrel_hkdf_key key;
		cr_assert_eq(petrel_hkdf_key_init(&key, hashes[h], prk, n), 0);
		for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			uint8_t a[200], b[200];
			memset(a, 0, sizeof a);
			memset(b, 0, sizeof b);
			cr_assert_eq(petrel_hkdf_expand(hashes[h], prk, n, info, sizeof info, a, lens[i]), 0);
			cr_assert_eq(petrel_hkdf_expand_keyed(&key, info, sizeof info, b, lens[i]), 0);
			cr_assert_arr_eq(a, b, sizeof a);
			/* The key is reusable: a second expand gives the same. */
			cr_assert_eq(petrel_hkdf_expand_keyed(&key, info, sizeof info, b, lens[i]), 0);
			cr_assert_arr_eq(a, b, sizeof a);
			cr_assert_eq(petrel_hkdf_expand_label(hashes[h], prk, n, "dtls13", "c hs traffic",
							      ctx, n, a, lens[i]),
				     0);
			cr_assert_eq(petrel_hkdf_expand_label_keyed(&key, "dtls13", "c hs traffic", ctx, n,
								    b, lens[i]),
				     0);
			cr_assert_arr_eq(a, b, sizeof a);
		}
		uint8_t big[255 * PETREL_MAX_HASH_LEN + 1];
		cr_assert_eq(petrel_hkdf_expand_keyed(&key, NULL, 0, big, 255 * n + 1),
			     PETREL_E_INVALID_REQUEST);
		petrel_hkdf_key_wipe(&key);
	}
	struct petrel_hkdf_key key;
	cr_assert_eq(petrel_hkdf_key_init(&key, (enum petrel_hash_alg)0, prk, 32),
		     PETREL_E_INVALID_REQUEST);
}

Test(speed13_ks, kept_transcript_hash_follows_new_messages)
{
	struct petrel_dtls13_transcript t;
	uint8_t body[300], a[PETREL_MAX_HASH_LEN], b[PETREL_MAX_HASH_LEN], want[PETREL_MAX_HASH_LEN];
	uint8_t flat[4 + sizeof body];
	fill(body, sizeof body, 4);
	petrel_dtls13_transcript_init(&t, PETREL_HASH_SHA384);
	cr_assert_eq(petrel_dtls13_transcript_add(&t, 1, body, sizeof body), 0);
	petrel_dtls13_transcript_hash(&t, a);
	petrel_dtls13_transcript_hash(&t, b);
	cr_assert_arr_eq(a, b, 48);
	flat[0] = 1;
	flat[1] = 0;
	flat[2] = 1;
	flat[3] = 44;
	memcpy(flat + 4, body, sizeof body);
	petrel_hash(PETREL_HASH_SHA384, flat, sizeof flat, want);
	cr_assert_arr_eq(a, want, 48);
	cr_assert_eq(petrel_dtls13_transcript_add(&t, 2, body, 10), 0);
	petrel_dtls13_transcript_hash(&t, b);
	cr_assert(memcmp(a, b, 48) != 0, "a new message changes the hash");
	petrel_dtls13_transcript_wipe(&t);
}
