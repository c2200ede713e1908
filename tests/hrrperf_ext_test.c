/* petrel_ext_find's small-bitmap fast path (dtls13/msg_ext13.c): distinct
 * types that share a slot of (type ^ type >> 8) & 255 are still found and
 * accepted, real duplicates still refused (RFC 8446 4.2); and the keyed
 * cookie MAC (dtls13/cookie13.c) binds the address and every byte. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls13/cookie13.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

Test(hrrperf_ext, colliding_distinct_types_are_found)
{
	/* 0x0001 and 0x0100 share slot 1; 0x0203 and 0x0302 share slot 1 too. */
	const uint8_t block[] = {0x00, 0x01, 0x00, 0x01, 0xaa, 0x01, 0x00, 0x00, 0x02, 0xbb, 0xcc,
				 0x02, 0x03, 0x00, 0x00, 0x03, 0x02, 0x00, 0x00};
	const uint8_t *body;
	size_t len;
	cr_assert_eq(petrel_ext_find(block, sizeof block, 0x0100, &body, &len), 1);
	cr_assert_eq(len, 2);
	cr_assert_eq(body[0], 0xbb);
	cr_assert_eq(petrel_ext_find(block, sizeof block, 0x0001, &body, &len), 1);
	cr_assert_eq(len, 1);
	cr_assert_eq(body[0], 0xaa);
	cr_assert_eq(petrel_ext_find(block, sizeof block, 0x0302, &body, &len), 1);
	cr_assert_eq(petrel_ext_find(block, sizeof block, 0x0004, &body, &len), 0);
}

Test(hrrperf_ext, duplicates_refused_with_or_without_collisions)
{
	const uint8_t *body;
	size_t len;
	/* 0x0001, 0x0100 (collision, distinct), then 0x0001 again. */
	const uint8_t dup[] = {0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00};
	cr_assert_eq(petrel_ext_find(dup, sizeof dup, 0x0100, &body, &len),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* A duplicate before a broken entry: the duplicate is reported, as before. */
	const uint8_t broken[] = {0x00, 0x2b, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x33, 0x00, 0x05};
	cr_assert_eq(petrel_ext_find(broken, sizeof broken, 1, &body, &len),
		     PETREL_E_ILLEGAL_PARAMETER);
	const uint8_t cut[] = {0x00, 0x2b, 0x00, 0x00, 0x00, 0x33, 0x00, 0x05};
	cr_assert_eq(petrel_ext_find(cut, sizeof cut, 1, &body, &len), PETREL_E_DECODE_ERROR);
}

Test(hrrperf_cookie, mac_binds_address_and_bytes)
{
	uint8_t secret[32], other[32], hash[32];
	memset(secret, 7, sizeof secret);
	memset(other, 8, sizeof other);
	memset(hash, 0x5a, sizeof hash);
	const uint8_t addr[] = {10, 0, 0, 1, 0x12, 0x34};
	const uint8_t addr2[] = {10, 0, 0, 2, 0x12, 0x34};
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.cookie_secret = secret;
	cfg.peer_addr = addr;
	cfg.peer_addr_len = sizeof addr;
	uint8_t cookie[PETREL_HS13_COOKIE_LEN(32)];
	size_t n = petrel_hs13_cookie_make(&cfg, 1000, 0x1301, 0x001d, hash, 32, cookie);
	cr_assert_eq(n, sizeof cookie);
	struct petrel_hs13_cookie cd;
	cr_assert_eq(petrel_hs13_cookie_check(&cfg, cookie, n, 1500, &cd), 0);
	cr_assert_eq(cd.suite, 0x1301);
	cr_assert_eq(cd.group, 0x001d);
	cr_assert_eq(cd.age_ms, 500);
	cr_assert_eq(memcmp(cd.ch1_hash, hash, 32), 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t bad[sizeof cookie];
		memcpy(bad, cookie, n);
		bad[i] ^= 0x01;
		cr_assert_eq(petrel_hs13_cookie_check(&cfg, bad, n, 1500, &cd), PETREL_E_BAD_COOKIE,
			     "byte %zu", i);
	}
	cfg.peer_addr = addr2;
	cr_assert_eq(petrel_hs13_cookie_check(&cfg, cookie, n, 1500, &cd), PETREL_E_BAD_COOKIE);
	cfg.peer_addr = addr;
	cfg.cookie_secret = other;
	cr_assert_eq(petrel_hs13_cookie_check(&cfg, cookie, n, 1500, &cd), PETREL_E_BAD_COOKIE);
	cfg.cookie_secret_prev = secret; /* rotated since */
	cr_assert_eq(petrel_hs13_cookie_check(&cfg, cookie, n, 1500, &cd), 0);
	cr_assert_eq(petrel_hs13_cookie_check(&cfg, cookie, n, 1000 + 60001, &cd),
		     PETREL_E_BAD_COOKIE, "older than a minute");
}
