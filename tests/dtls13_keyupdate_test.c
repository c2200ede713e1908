/* KeyUpdate hooks (dtls13/keyupdate.h, RFC 8446 4.6.3, RFC 9147 8). */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls13/keyschedule.h"
#include "dtls13/keyupdate.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

static const uint8_t c_ap[32] = {0xc1, 0xa9};
static const uint8_t s_ap[32] = {0x5e, 0x77};

static void pair(struct petrel_dtls13_key_update *client, struct petrel_dtls13_key_update *server)
{
	cr_assert_eq(petrel_dtls13_key_update_init(client, PETREL_HASH_SHA256, c_ap, s_ap, 3), 0);
	cr_assert_eq(petrel_dtls13_key_update_init(server, PETREL_HASH_SHA256, s_ap, c_ap, 3), 0);
}

Test(dtls13_keyupdate, requested_update_moves_both_directions_to_epoch_4)
{
	struct petrel_dtls13_key_update c, s;
	pair(&c, &s);
	uint8_t body[1], next[PETREL_MAX_HASH_LEN], peer_next[PETREL_MAX_HASH_LEN];
	size_t len;
	uint64_t epoch;
	bool answer;
	cr_assert_eq(petrel_dtls13_key_update_request(&c, true, body, &len), 0);
	cr_assert_eq(len, 1);
	cr_assert_eq(body[0], PETREL_KEY_UPDATE_REQUESTED);
	/* The client keeps writing epoch 3 until the ACK (RFC 9147 8). */
	cr_assert_eq(c.write_epoch, 3);
	cr_assert_eq(petrel_dtls13_key_update_received(&s, body, len, peer_next, &epoch, &answer), 0);
	cr_assert_eq(epoch, 4);
	cr_assert(answer);
	cr_assert_eq(petrel_dtls13_key_update_acked(&c, next, &epoch), 0);
	cr_assert_eq(epoch, 4);
	cr_assert_eq(memcmp(next, peer_next, 32), 0);
	/* "traffic upd" of the old secret (RFC 8446 7.2). */
	uint8_t expect[32];
	memcpy(expect, c_ap, 32);
	cr_assert_eq(petrel_dtls13_next_traffic_secret(PETREL_HASH_SHA256, "dtls13", expect), 0);
	cr_assert_eq(memcmp(next, expect, 32), 0);
	/* The server's answer: update_not_requested; no answer to that. */
	cr_assert_eq(petrel_dtls13_key_update_request(&s, false, body, &len), 0);
	cr_assert_eq(body[0], PETREL_KEY_UPDATE_NOT_REQUESTED);
	cr_assert_eq(petrel_dtls13_key_update_received(&c, body, len, peer_next, &epoch, &answer), 0);
	cr_assert_eq(epoch, 4);
	cr_assert_not(answer);
	cr_assert_eq(petrel_dtls13_key_update_acked(&s, next, &epoch), 0);
	cr_assert_eq(memcmp(next, peer_next, 32), 0);
	petrel_dtls13_key_update_wipe(&c);
	petrel_dtls13_key_update_wipe(&s);
}

Test(dtls13_keyupdate, only_one_update_in_flight)
{
	struct petrel_dtls13_key_update c, s;
	pair(&c, &s);
	uint8_t body[1], next[PETREL_MAX_HASH_LEN];
	size_t len;
	uint64_t epoch;
	bool answer;
	cr_assert_eq(petrel_dtls13_key_update_request(&c, false, body, &len), 0);
	cr_assert_eq(petrel_dtls13_key_update_request(&c, false, body, &len), PETREL_E_AGAIN);
	/* A request from the peer meanwhile: ours in flight is the answer. */
	uint8_t req[1] = {PETREL_KEY_UPDATE_REQUESTED};
	cr_assert_eq(petrel_dtls13_key_update_received(&c, req, 1, next, &epoch, &answer), 0);
	cr_assert_not(answer);
	cr_assert_eq(petrel_dtls13_key_update_acked(&c, next, &epoch), 0);
	cr_assert_eq(petrel_dtls13_key_update_acked(&c, next, &epoch), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_key_update_request(&c, false, body, &len), 0);
}

Test(dtls13_keyupdate, malformed_key_update_is_refused_and_changes_nothing)
{
	struct petrel_dtls13_key_update c, s;
	pair(&c, &s);
	uint8_t next[PETREL_MAX_HASH_LEN];
	uint64_t epoch = 99;
	bool answer;
	const uint8_t two[1] = {2}, long_body[2] = {0, 0};
	cr_assert_lt(petrel_dtls13_key_update_received(&s, two, 1, next, &epoch, &answer), 0);
	cr_assert_lt(petrel_dtls13_key_update_received(&s, long_body, 2, next, &epoch, &answer), 0);
	cr_assert_lt(petrel_dtls13_key_update_received(&s, NULL, 0, next, &epoch, &answer), 0);
	cr_assert_eq(s.read_epoch, 3);
	cr_assert_eq(memcmp(s.read_secret, c_ap, 32), 0);
}
