/* MTU accounting against hand-computed values for every AEAD. */
#include <criterion/criterion.h>

#include "mtu/mtu.h"
#include "petrel/petrel.h"
#include "record/record.h"

Test(mtu_sizes, defaults_and_ip_overheads)
{
	struct petrel_mtu_state m;
	petrel_mtu_init(&m, false);
	cr_assert_eq(m.link_mtu_bytes, 1500);
	cr_assert_eq(petrel_mtu_ip_udp_overhead(&m), 28);   /* 20 + 8 */
	cr_assert_eq(petrel_mtu_max_datagram(&m), 1472);    /* 1500 - 28 */
	petrel_mtu_init(&m, true);
	cr_assert_eq(m.link_mtu_bytes, 1280);
	cr_assert_eq(petrel_mtu_ip_udp_overhead(&m), 48);   /* 40 + 8 */
	cr_assert_eq(petrel_mtu_max_datagram(&m), 1232);    /* 1280 - 48 */
}

Test(mtu_sizes, ipv4_1500_per_cipher)
{
	struct petrel_mtu_state m;
	petrel_mtu_init(&m, false);
	/* datagram 1472. GCM/CCM: 1472 - (13 header + 8 explicit nonce + 16 tag) = 1435 */
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_GCM), 1435);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES256_GCM), 1435);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_CCM), 1435);
	/* CCM-8: 1472 - (13 + 8 + 8) = 1443 */
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_CCM8), 1443);
	/* ChaCha20-Poly1305: 1472 - (13 + 0 + 16) = 1443 */
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_CHACHA20_POLY1305), 1443);
	/* null (epoch 0): 1472 - 13 = 1459 */
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_RL_NULL_CIPHER), 1459);
	/* handshake fragment = plaintext - 12 */
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES128_GCM), 1423);   /* 1435 - 12 */
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES256_GCM), 1423);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES128_CCM), 1423);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES128_CCM8), 1431);  /* 1443 - 12 */
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_CHACHA20_POLY1305), 1431);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_RL_NULL_CIPHER), 1447);    /* 1459 - 12 */
}

Test(mtu_sizes, ipv6_1280_per_cipher)
{
	struct petrel_mtu_state m;
	petrel_mtu_init(&m, true);
	/* datagram 1232. GCM/CCM: 1232 - 37 = 1195; CCM-8 and ChaCha: 1232 - 29 = 1203; null: 1219 */
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_GCM), 1195);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES256_GCM), 1195);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_CCM), 1195);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_CCM8), 1203);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_CHACHA20_POLY1305), 1203);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_RL_NULL_CIPHER), 1219);
	/* fragments: 1195 - 12 = 1183; 1203 - 12 = 1191; 1219 - 12 = 1207 */
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES128_GCM), 1183);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES128_CCM8), 1191);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_CHACHA20_POLY1305), 1191);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_RL_NULL_CIPHER), 1207);
}

Test(mtu_sizes, ipv4_576_floor_per_cipher)
{
	struct petrel_mtu_state m;
	petrel_mtu_init(&m, false);
	cr_assert_eq(petrel_mtu_set_link_mtu(&m, 576), 0);
	/* datagram 576 - 28 = 548; GCM 548 - 37 = 511; CCM-8 548 - 29 = 519; fragments 499 / 507 */
	cr_assert_eq(petrel_mtu_max_datagram(&m), 548);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_GCM), 511);
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_CCM8), 519);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES256_GCM), 499);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_CHACHA20_POLY1305), 507);
}

Test(mtu_sizes, plaintext_is_capped_at_2_14)
{
	struct petrel_mtu_state m;
	petrel_mtu_init(&m, false);
	cr_assert_eq(petrel_mtu_set_link_mtu(&m, 65535), 0);
	/* 65535 - 28 - 37 = 65470 > 16384 */
	cr_assert_eq(petrel_mtu_max_record_plaintext(&m, PETREL_AEAD_AES128_GCM), 16384);
	cr_assert_eq(petrel_mtu_max_handshake_fragment(&m, PETREL_AEAD_AES128_GCM), 16372);
}

Test(mtu_sizes, link_mtu_below_floor_is_refused)
{
	struct petrel_mtu_state m;
	petrel_mtu_init(&m, false);
	cr_assert_eq(petrel_mtu_set_link_mtu(&m, 575), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_mtu_set_link_mtu(&m, 65536), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(m.link_mtu_bytes, 1500);
	petrel_mtu_init(&m, true);
	cr_assert_eq(petrel_mtu_set_link_mtu(&m, 1279), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_mtu_set_link_mtu(&m, 9000), 0);
	cr_assert_eq(petrel_mtu_max_datagram(&m), 8952); /* 9000 - 48 */
}

Test(mtu_sizes, plateaus_step_down_to_the_floor)
{
	cr_assert_eq(petrel_mtu_next_plateau(9000, false), 1500);
	cr_assert_eq(petrel_mtu_next_plateau(1500, false), 1400);
	cr_assert_eq(petrel_mtu_next_plateau(1450, false), 1400);
	cr_assert_eq(petrel_mtu_next_plateau(1400, false), 1280);
	cr_assert_eq(petrel_mtu_next_plateau(1280, false), 1200);
	cr_assert_eq(petrel_mtu_next_plateau(1200, false), 1000);
	cr_assert_eq(petrel_mtu_next_plateau(1000, false), 576);
	cr_assert_eq(petrel_mtu_next_plateau(576, false), 576);
	cr_assert_eq(petrel_mtu_next_plateau(1500, true), 1400);
	cr_assert_eq(petrel_mtu_next_plateau(1400, true), 1280);
	cr_assert_eq(petrel_mtu_next_plateau(1280, true), 1280, "IPv6 never below 1280");

	struct petrel_mtu_state m;
	petrel_mtu_init(&m, false);
	int steps = 0;
	while (petrel_mtu_back_off(&m))
		steps++;
	cr_assert_eq(steps, 5); /* 1500 -> 1400 -> 1280 -> 1200 -> 1000 -> 576 */
	cr_assert_eq(m.link_mtu_bytes, 576);
	petrel_mtu_init(&m, true);
	cr_assert(!petrel_mtu_back_off(&m));
	cr_assert_eq(m.link_mtu_bytes, 1280);
}
