/* Real DTLS 1.3 sessions recorded from wolfSSL 5.5.4 peers (tests/vectors/dtls13,
 * copied from ../shared/vectors/dtls13; see its README). From the key log's
 * traffic secrets: derive key/iv/sn (RFC 8446 7.3, RFC 9147 4.2.3, "dtls13"
 * labels), remove record number encryption and open every protected
 * record with dtls13/record13, follow KeyUpdate to epoch 4 ("traffic upd"),
 * reassemble the handshake, check EncryptedExtensions is well formed, check
 * both Finished over the DTLS 1.3 transcript (RFC 9147 5.2: TLS-style
 * 4-byte headers; HelloRetryRequest's message_hash, RFC 8446 4.4.1) and
 * read the application data. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/keyschedule.h"
#include "dtls13/record13.h"
#include "petrel/petrel.h"
#include "record/record.h"
#include "tests/dtls13_replay.h"

static void check_session(const char *name, uint16_t suite, enum petrel_rn_chacha_counter order)
{
	static struct replay rp;
	dtls13_replay_session(name, &rp, order);
	cr_assert_eq(rp.suite, suite, "%s: suite %04x", name, rp.suite);
	cr_assert_eq(rp.failed, 0, "%s: %zu records did not open", name, rp.failed);
	cr_assert_gt(rp.opened, 5, "%s", name);
	cr_assert(rp.saw_ee, "%s: no EncryptedExtensions", name);
	cr_assert_eq(rp.finished_ok[S2C], 1, "%s: server Finished", name);
	cr_assert_eq(rp.finished_ok[C2S], 1, "%s: client Finished", name);
	cr_assert_str_eq(rp.app[C2S], "hello wolfssl!", "%s", name);
	cr_assert_str_eq(rp.app[S2C], "I hear you fa shizzle!", "%s", name);
	cr_assert(rp.close_notify[C2S] && rp.close_notify[S2C], "%s", name);
	dtls13_replay_free(&rp);
}

Test(dtls13_vectors, aes128gcm_p256_session_opens_and_both_finished_verify)
{
	check_session("wolfssl-p256-ecdsa-aes128gcm", PETREL_TLS13_AES_128_GCM_SHA256,
		      PETREL_RN_COUNTER_LE);
}

Test(dtls13_vectors, aes256gcm_session_uses_the_sha384_schedule)
{
	check_session("wolfssl-x25519-ecdsa-aes256gcm", PETREL_TLS13_AES_256_GCM_SHA384,
		      PETREL_RN_COUNTER_LE);
}

Test(dtls13_vectors, aes128ccm_session_opens)
{
	check_session("wolfssl-aes128ccm", PETREL_TLS13_AES_128_CCM_SHA256, PETREL_RN_COUNTER_LE);
}

Test(dtls13_vectors, chacha20_session_opens_with_wolfssl_big_endian_counter)
{
	check_session("wolfssl-chacha20", PETREL_TLS13_CHACHA20_POLY1305_SHA256,
		      PETREL_RN_COUNTER_BE);
}

Test(dtls13_vectors, chacha20_session_does_not_open_with_the_little_endian_counter)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-chacha20", &rp, PETREL_RN_COUNTER_LE);
	cr_assert_gt(rp.failed, 0, "wolfSSL 5.5.4's records need the big-endian counter");
	dtls13_replay_free(&rp);
}

Test(dtls13_vectors, hrr_sessions_verify_finished_over_message_hash)
{
	const char *names[] = {"wolfssl-hrr-cookie", "wolfssl-hrr-group", "wolfssl-hrr-keyshare",
			       "wolfssl-rsa-mtu400"};
	for (size_t i = 0; i < 4; i++) {
		static struct replay rp;
		dtls13_replay_session(names[i], &rp, PETREL_RN_COUNTER_LE);
		cr_assert(rp.saw_hrr, "%s", names[i]);
		cr_assert_eq(rp.failed, 0, "%s", names[i]);
		cr_assert_eq(rp.finished_ok[S2C], 1, "%s: server Finished", names[i]);
		cr_assert_eq(rp.finished_ok[C2S], 1, "%s: client Finished", names[i]);
		cr_assert_str_eq(rp.app[C2S], "hello wolfssl!");
		dtls13_replay_free(&rp);
	}
}

Test(dtls13_vectors, psk_sessions_open)
{
	check_session("wolfssl-psk-dhe", PETREL_TLS13_AES_128_GCM_SHA256, PETREL_RN_COUNTER_LE);
	check_session("wolfssl-psk-ke", PETREL_TLS13_AES_128_GCM_SHA256, PETREL_RN_COUNTER_LE);
}

Test(dtls13_vectors, cid_session_carries_each_receivers_cid)
{
	check_session("wolfssl-cid", PETREL_TLS13_AES_128_GCM_SHA256, PETREL_RN_COUNTER_LE);
}

Test(dtls13_vectors, key_update_moves_both_sides_to_epoch_4)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-keyupdate", &rp, PETREL_RN_COUNTER_LE);
	cr_assert_eq(rp.failed, 0);
	cr_assert(rp.key_update[C2S] && rp.key_update[S2C]);
	cr_assert_eq(rp.current_epoch[C2S], 4);
	cr_assert_eq(rp.current_epoch[S2C], 4);
	cr_assert_gt(rp.ep[C2S][4].next_seq, 0, "records were read in epoch 4");
	dtls13_replay_free(&rp);
}

Test(dtls13_vectors, first_server_record_is_encrypted_extensions)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-p256-ecdsa-aes128gcm", &rp, PETREL_RN_COUNTER_LE);
	/* CH, SH, then the server's first protected message. */
	cr_assert_geq(rp.msg_count, 3);
	cr_assert_eq(rp.msg[2].dir, S2C);
	cr_assert_eq(rp.msg[2].type, 8, "EncryptedExtensions");
	cr_assert_eq(rp.msg[2].seq, 1, "message_seq 1 after the ServerHello");
	dtls13_replay_free(&rp);
}
