/* Real DTLS 1.2 sessions recorded from OpenSSL and GnuTLS
 * (tests/vectors, copied from ../shared/vectors; see its README): parse every record, derive the
 * keys from the keylog master secret (RFC 5246 6.3) and decrypt every
 * epoch-1 record with the record layer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/record.h"
#include "tests/vector_reader.h"

/* Walks every record header of every datagram with the shared reader:
 * returns the record count; sequence numbers rise per direction and
 * epoch, and each datagram is used up exactly. */
static size_t count_records(const struct vector_session12 *s, size_t epoch1[2])
{
	uint64_t next_seq[2][2] = {{0, 0}, {0, 0}};
	size_t total = 0;
	epoch1[0] = epoch1[1] = 0;
	for (size_t i = 0; i < s->count; i++) {
		struct petrel_reader r;
		petrel_reader_init(&r, s->dg[i].data, s->dg[i].len);
		while (petrel_reader_left(&r) > 0) {
			struct petrel_record_header h;
			cr_assert(petrel_record_header_read(&r, &h));
			cr_assert(petrel_skip(&r, h.length), "record runs past datagram %zu", i);
			cr_assert_leq(h.epoch, 1);
			int dir = s->dg[i].dir;
			cr_assert_geq(h.seq, next_seq[dir][h.epoch], "seq went back in datagram %zu", i);
			next_seq[dir][h.epoch] = h.seq + 1;
			if (h.epoch == 1)
				epoch1[dir]++;
			total++;
		}
		cr_assert(petrel_reader_done(&r));
	}
	return total;
}

struct suite_params {
	uint16_t cipher_suite;
	enum petrel_aead_alg aead;
	enum petrel_hash_alg prf_hash;
	size_t key_len, iv_len;
};

static const struct suite_params suites[] = {
	{0xc02b, PETREL_AEAD_AES128_GCM, PETREL_HASH_SHA256, 16, 4},  /* ECDHE_ECDSA_AES_128_GCM_SHA256 */
	{0xc02f, PETREL_AEAD_AES128_GCM, PETREL_HASH_SHA256, 16, 4},  /* ECDHE_RSA_AES_128_GCM_SHA256 */
	{0xc02c, PETREL_AEAD_AES256_GCM, PETREL_HASH_SHA384, 32, 4},  /* ECDHE_ECDSA_AES_256_GCM_SHA384 */
	{0xc030, PETREL_AEAD_AES256_GCM, PETREL_HASH_SHA384, 32, 4},  /* ECDHE_RSA_AES_256_GCM_SHA384 */
	{0xcca8, PETREL_AEAD_CHACHA20_POLY1305, PETREL_HASH_SHA256, 32, 12}, /* ECDHE_RSA_CHACHA20 */
	{0xcca9, PETREL_AEAD_CHACHA20_POLY1305, PETREL_HASH_SHA256, 32, 12}, /* ECDHE_ECDSA_CHACHA20 */
	{0xc0a8, PETREL_AEAD_AES128_CCM8, PETREL_HASH_SHA256, 16, 4}, /* PSK_AES_128_CCM_8 */
	{0xc0a4, PETREL_AEAD_AES128_CCM, PETREL_HASH_SHA256, 16, 4},  /* PSK_AES_128_CCM */
};

/* The keys of both directions for the suite the session used. */
static void derive_keys(const struct vector_session12 *s, struct petrel_epoch_keys keys[2],
			uint16_t *suite_out)
{
	uint8_t server_random[32];
	uint16_t suite = 0;
	vector_server_hello12(s, server_random, &suite);
	*suite_out = suite;
	const struct suite_params *p = NULL;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].cipher_suite == suite)
			p = &suites[i];
	cr_assert_not_null(p, "unknown suite %04x", suite);
	cr_assert_eq(petrel_aead_key_len(p->aead), p->key_len);
	vector_keys12(s, server_random, p->prf_hash, p->aead, p->iv_len, keys);
}

struct expectations {
	const char *file;
	uint16_t suite;
	size_t total_records;
	const char *server_app_data;
};

static void decrypt_session(const struct expectations *e)
{
	struct vector_session12 s;
	vector_load12(e->file, &s);
	size_t epoch1[2];
	cr_assert_eq(count_records(&s, epoch1), e->total_records, "%s", e->file);
	cr_assert_eq(epoch1[0], 3, "client epoch-1 records: Finished, data, close_notify");

	struct petrel_epoch_keys keys[2];
	uint16_t suite;
	derive_keys(&s, keys, &suite);
	cr_assert_eq(suite, e->suite);

	/* rl[0] reads what the client sent (client_write keys), rl[1] what
	 * the server sent. Keys go in up front: epoch-0 records are then
	 * accepted as the previous epoch. */
	struct petrel_record_layer rl[2];
	for (int d = 0; d < 2; d++) {
		petrel_rl_init(&rl[d]);
		cr_assert_eq(petrel_rl_set_read_keys(&rl[d], 1, &keys[d]), 0);
	}
	size_t finished[2] = {0, 0}, app[2] = {0, 0}, alerts[2] = {0, 0}, epoch0[2] = {0, 0};
	for (size_t i = 0; i < s.count; i++) {
		int d = s.dg[i].dir;
		size_t off = 0;
		struct petrel_record rec;
		int rc;
		while ((rc = petrel_rl_read(&rl[d], s.dg[i].data, s.dg[i].len, &off, &rec)) == 1) {
			if (rec.epoch == 0) {
				epoch0[d]++;
				continue;
			}
			switch (rec.content_type) {
			case PETREL_CT_HANDSHAKE:
				/* Finished: type 20, length 12, verify_data 12 bytes
				 * (RFC 5246 7.4.9) after the 12-byte DTLS header. */
				cr_assert_eq(rec.length, 12 + 12);
				cr_assert_eq(rec.fragment[0], 20);
				cr_assert_eq(rec.fragment[3], 12);
				finished[d]++;
				break;
			case PETREL_CT_APPLICATION_DATA: {
				const char *want = d ? e->server_app_data : "hello-from-client\n";
				cr_assert_eq(rec.length, strlen(want));
				cr_assert_arr_eq(rec.fragment, want, strlen(want));
				app[d]++;
				break;
			}
			case PETREL_CT_ALERT:
				/* close_notify: warning(1), close_notify(0) */
				cr_assert_eq(rec.length, 2);
				cr_assert_eq(rec.fragment[0], 1);
				cr_assert_eq(rec.fragment[1], 0);
				alerts[d]++;
				break;
			default:
				cr_assert_fail("unexpected content type %d", rec.content_type);
			}
		}
		cr_assert_eq(rc, 0);
	}
	for (int d = 0; d < 2; d++) {
		const struct petrel_record_stats *st = petrel_rl_stats(&rl[d]);
		cr_assert_eq(st->dropped_bad_mac, 0, "%s dir %d", e->file, d);
		cr_assert_eq(st->dropped_malformed + st->dropped_replay + st->dropped_bad_epoch, 0);
		cr_assert_eq(finished[d], 1);
		cr_assert_eq(app[d], 1);
		cr_assert_eq(epoch0[d] + finished[d] + app[d] + alerts[d], st->records_in);
		cr_assert_eq(finished[d] + app[d] + alerts[d], epoch1[d]);
		petrel_rl_clear(&rl[d]);
	}
	cr_assert_eq(alerts[0], 1);
	vector_unload(s.dg, s.count);
}

Test(record_vectors, openssl_aes128gcm_decrypts)
{
	const struct expectations e = {"openssl-ecdhe-ecdsa-aes128gcm.txt", 0xc02b, 20,
				       "hello-from-server\n"};
	decrypt_session(&e);
}

Test(record_vectors, gnutls_aes256gcm_sha384_decrypts)
{
	/* gnutls-serv --echo sends the client's line back. */
	const struct expectations e = {"gnutls-ecdhe-ecdsa-aes256gcm.txt", 0xc02c, 18,
				       "hello-from-client\n"};
	decrypt_session(&e);
}

Test(record_vectors, openssl_chacha20_mtu300_decrypts)
{
	const struct expectations e = {"openssl-ecdhe-rsa-chacha20-mtu300.txt", 0xcca8, 21,
				       "hello-from-server\n"};
	decrypt_session(&e);
}

Test(record_vectors, openssl_psk_aes128ccm8_decrypts)
{
	const struct expectations e = {"openssl-psk-aes128ccm8.txt", 0xc0a8, 15,
				       "hello-from-server\n"};
	decrypt_session(&e);
}

Test(record_vectors, tampered_real_record_is_dropped)
{
	struct vector_session12 s;
	vector_load12("openssl-psk-aes128ccm8.txt", &s);
	struct petrel_epoch_keys keys[2];
	uint16_t suite;
	derive_keys(&s, keys, &suite);
	struct petrel_record_layer rl;
	petrel_rl_init(&rl);
	cr_assert_eq(petrel_rl_set_read_keys(&rl, 1, &keys[0]), 0);
	size_t opened = 0;
	for (size_t i = 0; i < s.count; i++) {
		if (s.dg[i].dir == S2C)
			continue;
		/* Flip the last byte (a tag byte of the last record) of every
		 * client datagram whose last record is in epoch 1. */
		s.dg[i].data[s.dg[i].len - 1] ^= 1;
		size_t off = 0;
		struct petrel_record rec;
		while (petrel_rl_read(&rl, s.dg[i].data, s.dg[i].len, &off, &rec) == 1)
			if (rec.epoch == 1)
				opened++;
	}
	/* Client epoch-1 records: Finished (ends its datagram), app data and
	 * close_notify (each alone): all three are last in their datagram. */
	cr_assert_eq(opened, 0);
	cr_assert_eq(petrel_rl_stats(&rl)->dropped_bad_mac, 3);
	petrel_rl_clear(&rl);
	vector_unload(s.dg, s.count);
}
