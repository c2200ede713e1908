/* The version-aware transcript (dtls/transcript.c): DTLS 1.2 hashes the
 * 12-byte DTLS handshake header, DTLS 1.3 the 4-byte TLS header and,
 * after a HelloRetryRequest, message_hash; the 1.3 result must match
 * dtls13/transcript13's. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/transcript13.h"

/* A whole message: 12-byte DTLS header (unfragmented) and body. */
static size_t make_message(uint8_t *out, uint8_t type, uint16_t seq, const uint8_t *body, size_t len)
{
	uint8_t h[PETREL_HS_HEADER_LEN] = {type, 0, (uint8_t)(len >> 8), (uint8_t)len,
					   (uint8_t)(seq >> 8), (uint8_t)seq, 0, 0, 0,
					   0, (uint8_t)(len >> 8), (uint8_t)len};
	memcpy(out, h, sizeof h);
	memcpy(out + sizeof h, body, len);
	return sizeof h + len;
}

static void hs_free(struct petrel_hs *hs)
{
	free(hs->transcript);
	free(hs);
}

Test(transcript, dtls12_hashes_the_12_byte_header)
{
	struct petrel_hs *hs = calloc(1, sizeof *hs);
	hs->version = PETREL_V_DTLS12;
	static const uint8_t body[5] = {1, 2, 3, 4, 5};
	uint8_t msg[64];
	size_t n = make_message(msg, PETREL_HS_CLIENT_HELLO, 3, body, sizeof body);
	cr_assert_eq(petrel_hs_transcript_add_message(hs, msg, msg + PETREL_HS_HEADER_LEN, sizeof body), 0);
	cr_assert_eq(hs->transcript_len, n);
	cr_assert_arr_eq(hs->transcript, msg, n);
	cr_assert_eq(petrel_hs_transcript_hrr(hs, PETREL_HASH_SHA256), PETREL_E_INVALID_REQUEST);
	hs_free(hs);
}

Test(transcript, dtls13_hashes_the_tls_header_and_message_hash_after_hrr)
{
	struct petrel_hs *hs = calloc(1, sizeof *hs);
	hs->version = PETREL_V_DTLS13;
	struct petrel_dtls13_transcript ref;
	petrel_dtls13_transcript_init(&ref, PETREL_HASH_SHA256);
	static const uint8_t ch1[7] = {9, 8, 7, 6, 5, 4, 3}, hrr[3] = {1, 1, 1}, ch2[4] = {2, 2, 2, 2};
	uint8_t msg[64];
	make_message(msg, PETREL_HS_CLIENT_HELLO, 0, ch1, sizeof ch1);
	cr_assert_eq(petrel_hs_transcript_add_message(hs, msg, msg + PETREL_HS_HEADER_LEN, sizeof ch1), 0);
	cr_assert_eq(hs->transcript_len, 4 + sizeof ch1, "msg_type and length only");
	cr_assert_eq(petrel_dtls13_transcript_add(&ref, PETREL_HS_CLIENT_HELLO, ch1, sizeof ch1), 0);
	cr_assert_eq(petrel_hs_transcript_hrr(hs, PETREL_HASH_SHA256), 0);
	cr_assert_eq(petrel_dtls13_transcript_hrr(&ref), 0);
	make_message(msg, PETREL_HS_SERVER_HELLO, 0, hrr, sizeof hrr);
	cr_assert_eq(petrel_hs_transcript_add_message(hs, msg, msg + PETREL_HS_HEADER_LEN, sizeof hrr), 0);
	cr_assert_eq(petrel_dtls13_transcript_add(&ref, PETREL_HS_SERVER_HELLO, hrr, sizeof hrr), 0);
	make_message(msg, PETREL_HS_CLIENT_HELLO, 1, ch2, sizeof ch2);
	cr_assert_eq(petrel_hs_transcript_add_message(hs, msg, msg + PETREL_HS_HEADER_LEN, sizeof ch2), 0);
	cr_assert_eq(petrel_dtls13_transcript_add(&ref, PETREL_HS_CLIENT_HELLO, ch2, sizeof ch2), 0);
	uint8_t ours[32], theirs[32];
	petrel_hs_transcript_hash(hs, PETREL_HASH_SHA256, ours);
	petrel_dtls13_transcript_hash(&ref, theirs);
	cr_assert_arr_eq(ours, theirs, 32);
	hs_free(hs);
}
