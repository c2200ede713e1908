/* AEAD usage limits (RFC 9147 4.5.3, RFC 8446 5.5). */
#include <criterion/criterion.h>

#include "dtls13/limits.h"

Test(dtls13_limits, each_aead_has_the_rfc_limits)
{
	struct petrel_aead_limits l = petrel_dtls13_aead_limits(PETREL_AEAD_AES128_GCM);
	cr_assert_eq(l.confidentiality, 23726566, "2^24.5 records");
	cr_assert_eq(l.integrity, UINT64_C(1) << 36);
	l = petrel_dtls13_aead_limits(PETREL_AEAD_AES128_CCM);
	cr_assert_eq(l.confidentiality, UINT64_C(1) << 23);
	cr_assert_eq(l.integrity, 11863283, "2^23.5 forgeries");
	l = petrel_dtls13_aead_limits(PETREL_AEAD_CHACHA20_POLY1305);
	cr_assert_eq(l.integrity, UINT64_C(1) << 36);
	cr_assert_gt(l.confidentiality, UINT64_C(1) << 40);
	l = petrel_dtls13_aead_limits(PETREL_AEAD_AES128_CCM8);
	cr_assert_eq(l.integrity, 128);
	l = petrel_dtls13_aead_limits((enum petrel_aead_alg)0);
	cr_assert_eq(l.confidentiality, 0);
}

Test(dtls13_limits, key_update_comes_before_the_key_is_exhausted)
{
	uint64_t limit = petrel_dtls13_aead_limits(PETREL_AEAD_AES256_GCM).confidentiality;
	cr_assert(!petrel_dtls13_key_update_due(PETREL_AEAD_AES256_GCM, 1000000, 0));
	cr_assert(petrel_dtls13_key_update_due(PETREL_AEAD_AES256_GCM, limit / 4 * 3, 0));
	cr_assert(!petrel_dtls13_key_exhausted(PETREL_AEAD_AES256_GCM, limit - 1, 0));
	cr_assert(petrel_dtls13_key_exhausted(PETREL_AEAD_AES256_GCM, limit, 0));
	cr_assert(!petrel_dtls13_key_update_due(PETREL_AEAD_AES128_CCM8, 10, 95));
	cr_assert(petrel_dtls13_key_update_due(PETREL_AEAD_AES128_CCM8, 10, 96),
		  "3/4 of 128 forgeries");
	cr_assert(petrel_dtls13_key_exhausted(PETREL_AEAD_AES128_CCM8, 10, 128));
	cr_assert(petrel_dtls13_key_exhausted((enum petrel_aead_alg)0, 0, 0));
}
