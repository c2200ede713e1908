/* The DTLS 1.3 transcript (dtls13/transcript13) against the recorded
 * wolfSSL sessions: both Finished verify over it, with and without a
 * HelloRetryRequest, and a stateless server's rebuild from Hash(CH1)
 * gives the same hash. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "dtls13/keyschedule.h"
#include "dtls13/transcript13.h"
#include "petrel/petrel.h"
#include "tests/dtls13_replay.h"

/* Feeds rp's handshake messages, in order, until the first Finished of
 * dir; applies the HRR rule when the second message is a HelloRetryRequest. */
static size_t feed_until_finished(const struct replay *rp, struct petrel_dtls13_transcript *t,
				  int dir)
{
	petrel_dtls13_transcript_init(t, rp->hash);
	for (size_t i = 0; i < rp->msg_count; i++) {
		const struct message *m = &rp->msg[i];
		if (m->type == PETREL_HS_FINISHED && m->dir == dir)
			return i;
		cr_assert_eq(petrel_dtls13_transcript_add(t, m->type, m->tls + 4, m->len), 0);
		if (i == 0 && rp->saw_hrr)
			cr_assert_eq(petrel_dtls13_transcript_hrr(t), 0);
	}
	cr_assert_fail("no Finished");
	return 0;
}

static void check_finished(const char *name)
{
	static struct replay rp;
	dtls13_replay_session(name, &rp, PETREL_RN_COUNTER_LE);
	for (int dir = 0; dir < 2; dir++) {
		struct petrel_dtls13_transcript t;
		size_t fin = feed_until_finished(&rp, &t, dir);
		uint8_t th[PETREL_MAX_HASH_LEN], want[PETREL_MAX_HASH_LEN];
		petrel_dtls13_transcript_hash(&t, th);
		dtls13_replay_transcript_hash(&rp, fin, want);
		cr_assert_arr_eq(th, want, petrel_hash_len(rp.hash), "%s dir %d", name, dir);
		const uint8_t *base = dir == S2C ? rp.s.secret[SHTS] : rp.s.secret[CHTS];
		cr_assert_eq(petrel_dtls13_finished_check(rp.hash, NULL, base, th, rp.msg[fin].tls + 4,
							  rp.msg[fin].len),
			     0, "%s: Finished of dir %d", name, dir);
		petrel_dtls13_transcript_wipe(&t);
	}
	dtls13_replay_free(&rp);
}

Test(dtls13_transcript, finished_verify_over_a_1rtt_transcript)
{
	check_finished("wolfssl-p256-ecdsa-aes128gcm");
	check_finished("wolfssl-x25519-ecdsa-aes256gcm");
}

Test(dtls13_transcript, finished_verify_after_a_hello_retry_request)
{
	check_finished("wolfssl-hrr-cookie");
	check_finished("wolfssl-hrr-group");
}

Test(dtls13_transcript, stateless_rebuild_from_the_first_hello_hash_matches)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-hrr-cookie", &rp, PETREL_RN_COUNTER_LE);
	cr_assert(rp.saw_hrr);
	struct petrel_dtls13_transcript kept, rebuilt;
	petrel_dtls13_transcript_init(&kept, rp.hash);
	cr_assert_eq(petrel_dtls13_transcript_add(&kept, rp.msg[0].type, rp.msg[0].tls + 4,
						  rp.msg[0].len),
		     0);
	cr_assert_eq(petrel_dtls13_transcript_hrr(&kept), 0);
	uint8_t ch1_hash[PETREL_MAX_HASH_LEN];
	petrel_hash(rp.hash, rp.msg[0].tls, 4 + rp.msg[0].len, ch1_hash);
	cr_assert_eq(petrel_dtls13_transcript_init_from_ch1_hash(&rebuilt, rp.hash, ch1_hash,
								 petrel_hash_len(rp.hash)),
		     0);
	for (size_t i = 1; i < 3; i++) {
		cr_assert_eq(petrel_dtls13_transcript_add(&kept, rp.msg[i].type, rp.msg[i].tls + 4,
							  rp.msg[i].len),
			     0);
		cr_assert_eq(petrel_dtls13_transcript_add(&rebuilt, rp.msg[i].type,
							  rp.msg[i].tls + 4, rp.msg[i].len),
			     0);
	}
	uint8_t a[PETREL_MAX_HASH_LEN], b[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&kept, a);
	petrel_dtls13_transcript_hash(&rebuilt, b);
	cr_assert_arr_eq(a, b, petrel_hash_len(rp.hash));
	cr_assert_eq(petrel_dtls13_transcript_init_from_ch1_hash(&rebuilt, rp.hash, ch1_hash, 20),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_transcript_hrr(&kept), PETREL_E_INVALID_REQUEST,
		     "only right after ClientHello1");
	dtls13_replay_free(&rp);
}

Test(dtls13_transcript, dtls_header_form_hashes_like_the_tls_form)
{
	const uint8_t body[5] = {1, 2, 3, 4, 5};
	uint8_t dtls[12 + 5];
	petrel_hs_header_encode_full(dtls, 8, 7, 5);
	memcpy(dtls + 12, body, 5);
	struct petrel_dtls13_transcript a, b;
	petrel_dtls13_transcript_init(&a, PETREL_HASH_SHA256);
	petrel_dtls13_transcript_init(&b, PETREL_HASH_SHA256);
	cr_assert_eq(petrel_dtls13_transcript_add(&a, 8, body, 5), 0);
	cr_assert_eq(petrel_dtls13_transcript_add_dtls(&b, dtls, sizeof dtls), 0);
	uint8_t ha[32], hb[32], want[32];
	petrel_dtls13_transcript_hash(&a, ha);
	petrel_dtls13_transcript_hash(&b, hb);
	const uint8_t tls[9] = {8, 0, 0, 5, 1, 2, 3, 4, 5};
	petrel_hash(PETREL_HASH_SHA256, tls, sizeof tls, want);
	cr_assert_arr_eq(ha, want, 32);
	cr_assert_arr_eq(hb, want, 32, "message_seq and fragment fields stay out");
	/* A fragment is not a message. */
	struct petrel_hs_header h = {.msg_type = 8, .length = 5, .message_seq = 7,
				     .fragment_offset = 0, .fragment_length = 3};
	struct petrel_writer w;
	petrel_writer_init(&w, dtls, sizeof dtls);
	cr_assert_eq(petrel_hs_header_write(&w, &h), 0);
	cr_assert_eq(petrel_dtls13_transcript_add_dtls(&b, dtls, 12 + 3), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_transcript_add_dtls(&b, dtls, 12 + 4), PETREL_E_DECODE_ERROR);
}
