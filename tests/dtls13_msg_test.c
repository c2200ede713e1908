/* DTLS 1.3 message codecs (dtls13/messages13.h): round trips and malformed
 * input, then the real messages of the recorded wolfSSL sessions: hello
 * extensions, HelloRetryRequest and its cookie, the CertificateVerify
 * signature over its RFC 8446 4.4.3 content, the PSK binder, tickets,
 * KeyUpdate and ACKs. */
#include <criterion/criterion.h>
#include <string.h>

#include "crypto/crypto.h"
#include "dtls/hs_header.h"
#include "dtls/messages.h"
#include "dtls13/keyschedule.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"
#include "tests/dtls13_replay.h"
#include "x509/x509.h"

/* ---- unit round trips ---- */

Test(dtls13_msg, extension_block_walker_finds_types_and_refuses_duplicates)
{
	const uint8_t block[] = {0x00, 0x2b, 0x00, 0x02, 0xfe, 0xfc, 0x00, 0x33, 0x00, 0x00};
	const uint8_t *body;
	size_t len;
	cr_assert_eq(petrel_ext_find(block, sizeof block, 43, &body, &len), 1);
	cr_assert_eq(len, 2);
	cr_assert_eq(petrel_ext_find(block, sizeof block, 44, &body, &len), 0);
	const uint8_t dup[] = {0x00, 0x2b, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00};
	cr_assert_eq(petrel_ext_find(dup, sizeof dup, 1, &body, &len), PETREL_E_ILLEGAL_PARAMETER);
	for (size_t n = 1; n < sizeof block; n++)
		if (n != 6)
			cr_assert_lt(petrel_ext_find(block, n, 51, &body, &len), 0, "%zu bytes", n);
	cr_assert_eq(petrel_ext_find(NULL, 0, 51, &body, &len), 0, "empty block");
}

Test(dtls13_msg, supported_versions_round_trip_both_forms)
{
	uint8_t buf[16];
	struct petrel_writer w;
	const uint16_t versions[2] = {PETREL_WIRE_DTLS13, 0xfefd};
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_versions_write(&w, versions, 2), 0);
	const uint8_t expect[] = {4, 0xfe, 0xfc, 0xfe, 0xfd};
	cr_assert_arr_eq(buf, expect, sizeof expect);
	const uint8_t *list;
	size_t count;
	cr_assert_eq(petrel_ext13_versions_parse(buf, 5, &list, &count), 0);
	cr_assert_eq(count, 2);
	cr_assert(petrel_ext13_versions_contains(list, count, PETREL_WIRE_DTLS13));
	cr_assert(!petrel_ext13_versions_contains(list, count, 0x0304));
	const uint8_t odd[] = {3, 0xfe, 0xfc, 0xfe};
	cr_assert_eq(petrel_ext13_versions_parse(odd, 4, &list, &count), PETREL_E_DECODE_ERROR);
	const uint8_t empty[] = {0};
	cr_assert_eq(petrel_ext13_versions_parse(empty, 1, &list, &count), PETREL_E_DECODE_ERROR);
	uint16_t v;
	const uint8_t sel[] = {0xfe, 0xfc};
	cr_assert_eq(petrel_ext13_selected_version_parse(sel, 2, &v), 0);
	cr_assert_eq(v, PETREL_WIRE_DTLS13);
	cr_assert_eq(petrel_ext13_selected_version_parse(sel, 1, &v), PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_ext13_selected_version_parse(expect, 3, &v), PETREL_E_DECODE_ERROR);
}

Test(dtls13_msg, key_shares_round_trip_and_refuse_repeated_groups)
{
	uint8_t x[32], p[65], buf[256];
	memset(x, 0x11, sizeof x);
	memset(p, 0x22, sizeof p);
	struct petrel_key_share shares[2] = {{0x001d, x, 32}, {0x0017, p, 65}};
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_client_shares_write(&w, shares, 2), 0);
	struct petrel_key_share_iter it;
	size_t count;
	cr_assert_eq(petrel_ext13_client_shares_parse(buf, petrel_writer_len(&w), &it, &count), 0);
	cr_assert_eq(count, 2);
	struct petrel_key_share s;
	cr_assert(petrel_key_share_next(&it, &s));
	cr_assert_eq(s.group, 0x001d);
	cr_assert_eq(s.key_exchange_len, 32);
	cr_assert(petrel_key_share_next(&it, &s));
	cr_assert_eq(s.group, 0x0017);
	cr_assert(!petrel_key_share_next(&it, &s));

	shares[1].group = 0x001d;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_client_shares_write(&w, shares, 2), 0);
	cr_assert_eq(petrel_ext13_client_shares_parse(buf, petrel_writer_len(&w), &it, &count),
		     PETREL_E_ILLEGAL_PARAMETER);
	const uint8_t empty_key[] = {0x00, 0x04, 0x00, 0x1d, 0x00, 0x00};
	cr_assert_eq(petrel_ext13_client_shares_parse(empty_key, 6, &it, &count),
		     PETREL_E_DECODE_ERROR, "key_exchange<1..2^16-1>");
	const uint8_t none[] = {0x00, 0x00};
	cr_assert_eq(petrel_ext13_client_shares_parse(none, 2, &it, &count), 0,
		     "an empty list asks for a HelloRetryRequest");
	cr_assert_eq(count, 0);

	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_server_share_write(&w, &shares[0]), 0);
	cr_assert_eq(petrel_ext13_server_share_parse(buf, petrel_writer_len(&w), &s), 0);
	cr_assert_eq(s.key_exchange_len, 32);
	cr_assert_eq(petrel_ext13_server_share_parse(buf, petrel_writer_len(&w) - 1, &s),
		     PETREL_E_DECODE_ERROR);
	uint16_t g;
	const uint8_t hrr[] = {0x00, 0x18};
	cr_assert_eq(petrel_ext13_hrr_group_parse(hrr, 2, &g), 0);
	cr_assert_eq(g, 0x0018);
}

Test(dtls13_msg, cookie_and_psk_modes_round_trip)
{
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_cookie_write(&w, (const uint8_t *)"oreo", 4), 0);
	const uint8_t *c;
	size_t clen;
	cr_assert_eq(petrel_ext13_cookie_parse(buf, 6, &c, &clen), 0);
	cr_assert_eq(clen, 4);
	cr_assert_arr_eq(c, "oreo", 4);
	const uint8_t empty_cookie[] = {0, 0};
	cr_assert_eq(petrel_ext13_cookie_parse(empty_cookie, 2, &c, &clen), PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_ext13_cookie_write(&w, NULL, 0), PETREL_E_INVALID_REQUEST);

	struct petrel_psk_modes m = {.psk_dhe_ke = true}, back;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_psk_modes_write(&w, &m), 0);
	const uint8_t expect[] = {1, 1};
	cr_assert_arr_eq(buf, expect, 2);
	cr_assert_eq(petrel_ext13_psk_modes_parse(buf, 2, &back), 0);
	cr_assert(back.psk_dhe_ke && !back.psk_ke);
	const uint8_t unknown_only[] = {1, 7};
	cr_assert_eq(petrel_ext13_psk_modes_parse(unknown_only, 2, &back), 0);
	cr_assert(!back.psk_dhe_ke && !back.psk_ke);
	const uint8_t none[] = {0};
	cr_assert_eq(petrel_ext13_psk_modes_parse(none, 1, &back), PETREL_E_DECODE_ERROR);
	struct petrel_psk_modes nothing = {0};
	cr_assert_eq(petrel_ext13_psk_modes_write(&w, &nothing), PETREL_E_INVALID_REQUEST);
}

Test(dtls13_msg, offered_psks_round_trip_and_locate_the_binders)
{
	struct petrel_psk_identity ids[2] = {{(const uint8_t *)"alice", 5, 7},
					     {(const uint8_t *)"ticket-bob", 10, 0x01020304}};
	uint8_t buf[256];
	struct petrel_writer w;
	uint8_t *binders_at;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ext13_offered_psks_write(&w, ids, 2, 32, &binders_at), 0);
	size_t n = petrel_writer_len(&w);
	struct petrel_offered_psks o;
	cr_assert_eq(petrel_ext13_offered_psks_parse(buf, n, &o), 0);
	cr_assert_eq(o.count, 2);
	cr_assert_eq(buf + o.binders_offset, binders_at);
	cr_assert_eq(n - o.binders_offset, 2 + 2 * 33);
	struct petrel_psk_identity id;
	cr_assert(petrel_offered_psk_identity(&o, 1, &id));
	cr_assert_eq(id.identity_len, 10);
	cr_assert_eq(id.obfuscated_ticket_age, 0x01020304);
	cr_assert(!petrel_offered_psk_identity(&o, 2, &id));
	const uint8_t *b;
	size_t blen;
	cr_assert(petrel_offered_psk_binder(&o, 1, &b, &blen));
	cr_assert_eq(blen, 32);

	/* One binder short: identities and binders must pair up. */
	uint8_t broken[256];
	memcpy(broken, buf, n);
	petrel_store_u16(broken + o.binders_offset, 33);
	cr_assert_eq(petrel_ext13_offered_psks_parse(broken, o.binders_offset + 2 + 33, &o),
		     PETREL_E_ILLEGAL_PARAMETER);
	/* A 31-byte binder is below PskBinderEntry<32..255>. */
	cr_assert_eq(petrel_ext13_offered_psks_write(&w, ids, 1, 31, NULL), PETREL_E_INVALID_REQUEST);
	for (size_t cut = 0; cut < n; cut += 7)
		cr_assert_lt(petrel_ext13_offered_psks_parse(buf, cut, &o), 0, "%zu bytes", cut);
}

Test(dtls13_msg, hrr_random_and_downgrade_sentinels)
{
	uint8_t sh[40] = {0xfe, 0xfd};
	memcpy(sh + 2, petrel_hrr_random, 32);
	cr_assert(petrel_server_hello_is_hrr(sh, sizeof sh));
	sh[33] ^= 1;
	cr_assert(!petrel_server_hello_is_hrr(sh, sizeof sh));
	cr_assert(!petrel_server_hello_is_hrr(sh, 20));
	uint8_t random[32] = {0};
	cr_assert(!petrel_random_has_downgrade_sentinel(random));
	petrel_random_set_downgrade_sentinel(random);
	const uint8_t tail[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
	cr_assert_arr_eq(random + 24, tail, 8);
	cr_assert(petrel_random_has_downgrade_sentinel(random));
	random[31] = 0;
	cr_assert(petrel_random_has_downgrade_sentinel(random), "DTLS 1.0 sentinel");
	random[31] = 2;
	cr_assert(!petrel_random_has_downgrade_sentinel(random));
}

Test(dtls13_msg, certificate_verify_content_has_the_rfc8446_layout)
{
	uint8_t th[32], out[PETREL_CV_CONTENT_MAX];
	memset(th, 0xab, sizeof th);
	size_t n = petrel_cert_verify_content(true, th, 32, out);
	cr_assert_eq(n, 64 + 33 + 1 + 32);
	for (int i = 0; i < 64; i++)
		cr_assert_eq(out[i], 0x20);
	cr_assert_arr_eq(out + 64, "TLS 1.3, server CertificateVerify", 33);
	cr_assert_eq(out[97], 0);
	cr_assert_arr_eq(out + 98, th, 32);
	n = petrel_cert_verify_content(false, th, 32, out);
	cr_assert_arr_eq(out + 64, "TLS 1.3, client CertificateVerify", 33);
	cr_assert_eq(petrel_cert_verify_content(false, th, 65, out), 0);
}

Test(dtls13_msg, tickets_key_updates_and_certificates_round_trip)
{
	uint8_t buf[256];
	struct petrel_writer w;
	struct petrel_new_session_ticket13 t = {.lifetime_s = 7200, .age_add = 0xdeadbeef,
						.nonce = (const uint8_t *)"\x00\x01", .nonce_len = 2,
						.ticket = (const uint8_t *)"opaque-ticket",
						.ticket_len = 13};
	struct petrel_new_session_ticket13 back;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_new_session_ticket13_write(&w, &t), 0);
	cr_assert_eq(petrel_new_session_ticket13_parse(buf, petrel_writer_len(&w), &back), 0);
	cr_assert_eq(back.lifetime_s, 7200);
	cr_assert_eq(back.age_add, 0xdeadbeef);
	cr_assert_eq(back.ticket_len, 13);
	cr_assert_eq(back.extensions_len, 0);
	petrel_store_u16(buf, 0x000a); /* lifetime 0x000a.... > 7 days */
	cr_assert_eq(petrel_new_session_ticket13_parse(buf, petrel_writer_len(&w), &back),
		     PETREL_E_ILLEGAL_PARAMETER);
	t.lifetime_s = 604801;
	cr_assert_eq(petrel_new_session_ticket13_write(&w, &t), PETREL_E_INVALID_REQUEST);

	bool req;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_key_update_write(&w, true), 0);
	cr_assert_eq(petrel_key_update_parse(buf, 1, &req), 0);
	cr_assert(req);
	buf[0] = 2;
	cr_assert_eq(petrel_key_update_parse(buf, 1, &req), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(petrel_key_update_parse(buf, 2, &req), PETREL_E_DECODE_ERROR);

	const uint8_t *certs[2] = {(const uint8_t *)"leaf", (const uint8_t *)"ca"};
	const size_t lens[2] = {4, 2};
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_certificate13_write(&w, NULL, 0, certs, lens, 2), 0);
	struct petrel_certificate13 c;
	cr_assert_eq(petrel_certificate13_parse(buf, petrel_writer_len(&w), &c), 0);
	cr_assert_eq(c.count, 2);
	const uint8_t *cert, *exts;
	size_t cert_len, exts_len;
	cr_assert(petrel_certificate13_entry(&c, 1, &cert, &cert_len, &exts, &exts_len));
	cr_assert_eq(cert_len, 2);
	cr_assert_arr_eq(cert, "ca", 2);
	cr_assert(!petrel_certificate13_entry(&c, 2, &cert, &cert_len, &exts, &exts_len));
	cr_assert_eq(petrel_certificate13_parse(buf, petrel_writer_len(&w) - 1, &c),
		     PETREL_E_DECODE_ERROR);
}

Test(dtls13_msg, ack_round_trips_in_increasing_order_only)
{
	struct petrel_record_number rn[3] = {{2, 0}, {2, 1}, {3, 0}};
	uint8_t buf[64];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ack_write(&w, rn, 3), 0);
	cr_assert_eq(petrel_writer_len(&w), 2 + 48);
	struct petrel_ack ack;
	cr_assert_eq(petrel_ack_parse(buf, 50, &ack), 0);
	cr_assert_eq(ack.count, 3);
	struct petrel_record_number out;
	for (int i = 0; i < 3; i++) {
		cr_assert(petrel_ack_next(&ack, &out));
		cr_assert_eq(out.epoch, rn[i].epoch);
		cr_assert_eq(out.seq, rn[i].seq);
	}
	cr_assert(!petrel_ack_next(&ack, &out));
	cr_assert_eq(petrel_ack_parse(buf, 49, &ack), PETREL_E_DECODE_ERROR);
	petrel_store_u16(buf, 47);
	cr_assert_eq(petrel_ack_parse(buf, 49, &ack), PETREL_E_DECODE_ERROR, "not 16-byte entries");
	const uint8_t empty[] = {0, 0};
	cr_assert_eq(petrel_ack_parse(empty, 2, &ack), 0);
	cr_assert_eq(ack.count, 0);
	struct petrel_record_number unordered[2] = {{3, 0}, {2, 5}};
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_ack_write(&w, unordered, 2), PETREL_E_INVALID_REQUEST);
	petrel_writer_init(&w, buf, 2 + 16);
	cr_assert_eq(petrel_ack_write(&w, rn, 2), PETREL_E_SHORT_BUFFER);
	cr_assert_eq(petrel_ack_capacity(2 + 16 * 5 + 15), 5);
	cr_assert_eq(petrel_ack_capacity(1), 0);
}

Test(dtls13_msg, new_and_request_connection_id_round_trip)
{
	const uint8_t a[4] = {1, 2, 3, 4}, b[2] = {9, 9};
	const uint8_t *cids[2] = {a, b};
	const size_t lens[2] = {4, 2};
	uint8_t buf[32];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_new_connection_id_write(&w, cids, lens, 2, PETREL_CID_SPARE), 0);
	const uint8_t expect[] = {0, 8, 4, 1, 2, 3, 4, 2, 9, 9, 1};
	cr_assert_eq(petrel_writer_len(&w), sizeof expect);
	cr_assert_arr_eq(buf, expect, sizeof expect);
	struct petrel_new_connection_id n;
	cr_assert_eq(petrel_new_connection_id_parse(buf, sizeof expect, &n), 0);
	cr_assert_eq(n.count, 2);
	cr_assert_eq(n.usage, PETREL_CID_SPARE);
	const uint8_t *c;
	size_t clen;
	cr_assert(petrel_new_connection_id_entry(&n, 1, &c, &clen));
	cr_assert_eq(clen, 2);
	cr_assert(!petrel_new_connection_id_entry(&n, 2, &c, &clen));
	buf[10] = 2;
	cr_assert_eq(petrel_new_connection_id_parse(buf, sizeof expect, &n), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(petrel_new_connection_id_parse(buf, sizeof expect - 1, &n), PETREL_E_DECODE_ERROR);
	uint8_t num;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_request_connection_id_write(&w, 3), 0);
	cr_assert_eq(petrel_request_connection_id_parse(buf, 1, &num), 0);
	cr_assert_eq(num, 3);
	cr_assert_eq(petrel_request_connection_id_parse(buf, 2, &num), PETREL_E_DECODE_ERROR);
}

/* ---- the recorded sessions ---- */

/* The extensions block of a DTLS 1.3 ClientHello / ServerHello body. */
static void hello_extensions(const struct message *m, const uint8_t **block, size_t *len)
{
	struct petrel_reader r;
	const uint8_t *v;
	size_t n;
	uint16_t u;
	uint8_t b;
	petrel_reader_init(&r, m->tls + 4, m->len);
	cr_assert(petrel_get_u16(&r, &u) && petrel_skip(&r, 32) && petrel_get_opaque8(&r, &v, &n));
	if (m->type == 1) {
		/* legacy_cookie (RFC 9147 5.3: empty in 1.3), cipher_suites, compression */
		cr_assert(petrel_get_opaque8(&r, &v, &n));
		cr_assert_eq(n, 0, "DTLS 1.3 ClientHellos carry no legacy cookie");
		cr_assert(petrel_get_opaque16(&r, &v, &n) && petrel_get_opaque8(&r, &v, &n));
	} else {
		cr_assert(petrel_get_u16(&r, &u) && petrel_get_u8(&r, &b));
		cr_assert_eq(b, 0, "legacy_compression_method");
	}
	cr_assert(petrel_get_opaque16(&r, block, len) && petrel_reader_done(&r));
}

static const struct message *find_msg(const struct replay *rp, int dir, uint8_t type, int nth)
{
	for (size_t i = 0; i < rp->msg_count; i++)
		if (rp->msg[i].dir == dir && rp->msg[i].type == type && nth-- == 0)
			return &rp->msg[i];
	return NULL;
}

Test(dtls13_msg, recorded_hellos_negotiate_dtls13_with_a_p256_share)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-p256-ecdsa-aes128gcm", &rp, PETREL_RN_COUNTER_LE);
	const struct message *ch = find_msg(&rp, C2S, 1, 0), *sh = find_msg(&rp, S2C, 2, 0);
	cr_assert(ch != NULL && sh != NULL);
	const uint8_t *block, *body, *list;
	size_t len, blen, count;
	hello_extensions(ch, &block, &len);
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_SUPPORTED_VERSIONS, &body, &blen), 1);
	cr_assert_eq(petrel_ext13_versions_parse(body, blen, &list, &count), 0);
	cr_assert(petrel_ext13_versions_contains(list, count, PETREL_WIRE_DTLS13));
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_KEY_SHARE, &body, &blen), 1);
	struct petrel_key_share_iter it;
	cr_assert_eq(petrel_ext13_client_shares_parse(body, blen, &it, &count), 0);
	cr_assert_geq(count, 1);

	hello_extensions(sh, &block, &len);
	uint16_t v;
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_SUPPORTED_VERSIONS, &body, &blen), 1);
	cr_assert_eq(petrel_ext13_selected_version_parse(body, blen, &v), 0);
	cr_assert_eq(v, PETREL_WIRE_DTLS13);
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_KEY_SHARE, &body, &blen), 1);
	struct petrel_key_share s;
	cr_assert_eq(petrel_ext13_server_share_parse(body, blen, &s), 0);
	cr_assert_eq(s.group, 0x0017);
	cr_assert_eq(s.key_exchange_len, 65);
	cr_assert(!petrel_server_hello_is_hrr(sh->tls + 4, sh->len));
	cr_assert(!petrel_random_has_downgrade_sentinel(sh->tls + 4 + 2));
	dtls13_replay_free(&rp);
}

Test(dtls13_msg, recorded_certificate_verify_signature_verifies)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-p256-ecdsa-aes128gcm", &rp, PETREL_RN_COUNTER_LE);
	const struct message *cm = find_msg(&rp, S2C, 11, 0), *cv = find_msg(&rp, S2C, 15, 0);
	cr_assert(cm != NULL && cv != NULL);
	struct petrel_certificate13 c;
	cr_assert_eq(petrel_certificate13_parse(cm->tls + 4, cm->len, &c), 0);
	cr_assert_eq(c.request_context_len, 0);
	cr_assert_geq(c.count, 1);
	const uint8_t *der, *exts;
	size_t der_len, exts_len;
	cr_assert(petrel_certificate13_entry(&c, 0, &der, &der_len, &exts, &exts_len));
	struct petrel_x509_cert cert;
	cr_assert_eq(petrel_x509_parse(der, der_len, &cert), 0);

	uint16_t scheme;
	const uint8_t *sig;
	size_t sig_len;
	cr_assert_eq(petrel_cert_verify_parse(cv->tls + 4, cv->len, &scheme, &sig, &sig_len), 0);
	cr_assert_eq(scheme, 0x0403, "ecdsa_secp256r1_sha256");
	/* Signed over Transcript-Hash(ClientHello .. Certificate). */
	uint8_t th[PETREL_MAX_HASH_LEN], content[PETREL_CV_CONTENT_MAX];
	dtls13_replay_transcript_hash(&rp, (size_t)(cv - rp.msg), th);
	size_t n = petrel_cert_verify_content(true, th, 32, content);
	cr_assert_eq(petrel_verify(scheme, &cert.pubkey, content, n, sig, sig_len), 0);
	n = petrel_cert_verify_content(false, th, 32, content);
	cr_assert_eq(petrel_verify(scheme, &cert.pubkey, content, n, sig, sig_len),
		     PETREL_E_SIGNATURE_INVALID, "the client's context string must not verify");
	dtls13_replay_free(&rp);
}

Test(dtls13_msg, recorded_rsa_pss_certificate_verify_signature_verifies)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-rsa-mtu400", &rp, PETREL_RN_COUNTER_LE);
	const struct message *cm = find_msg(&rp, S2C, 11, 0), *cv = find_msg(&rp, S2C, 15, 0);
	cr_assert(cm != NULL && cv != NULL);
	struct petrel_certificate13 c;
	const uint8_t *der, *exts, *sig;
	size_t der_len, exts_len, sig_len;
	uint16_t scheme;
	cr_assert_eq(petrel_certificate13_parse(cm->tls + 4, cm->len, &c), 0);
	cr_assert(petrel_certificate13_entry(&c, 0, &der, &der_len, &exts, &exts_len));
	struct petrel_x509_cert cert;
	cr_assert_eq(petrel_x509_parse(der, der_len, &cert), 0);
	cr_assert_eq(petrel_cert_verify_parse(cv->tls + 4, cv->len, &scheme, &sig, &sig_len), 0);
	cr_assert_eq(scheme, 0x0804, "rsa_pss_rsae_sha256");
	uint8_t th[PETREL_MAX_HASH_LEN], content[PETREL_CV_CONTENT_MAX];
	dtls13_replay_transcript_hash(&rp, (size_t)(cv - rp.msg), th);
	size_t n = petrel_cert_verify_content(true, th, 32, content);
	cr_assert_eq(petrel_verify(scheme, &cert.pubkey, content, n, sig, sig_len), 0);
	dtls13_replay_free(&rp);
}

Test(dtls13_msg, recorded_hrr_carries_a_cookie_the_second_hello_echoes)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-hrr-cookie", &rp, PETREL_RN_COUNTER_LE);
	const struct message *hrr = find_msg(&rp, S2C, 2, 0), *ch2 = find_msg(&rp, C2S, 1, 1);
	cr_assert(hrr != NULL && ch2 != NULL);
	cr_assert(petrel_server_hello_is_hrr(hrr->tls + 4, hrr->len));
	const uint8_t *block, *body, *cookie, *body2, *cookie2;
	size_t len, blen, clen, blen2, clen2;
	hello_extensions(hrr, &block, &len);
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_COOKIE, &body, &blen), 1);
	cr_assert_eq(petrel_ext13_cookie_parse(body, blen, &cookie, &clen), 0);
	hello_extensions(ch2, &block, &len);
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_COOKIE, &body2, &blen2), 1);
	cr_assert_eq(petrel_ext13_cookie_parse(body2, blen2, &cookie2, &clen2), 0);
	cr_assert_eq(clen, clen2);
	cr_assert_arr_eq(cookie, cookie2, clen);

	/* After the handshake: a NewSessionTicket (RFC 8446 4.6.1). */
	size_t tickets = 0;
	for (size_t i = 0; i < rp.post_count; i++) {
		if (rp.post[i].type != PETREL_HS_NEW_SESSION_TICKET)
			continue;
		cr_assert_eq(rp.post[i].dir, S2C);
		struct petrel_new_session_ticket13 t;
		cr_assert_eq(petrel_new_session_ticket13_parse(rp.post[i].body, rp.post[i].len, &t), 0);
		cr_assert_gt(t.ticket_len, 0);
		tickets++;
	}
	cr_assert_geq(tickets, 1);
	dtls13_replay_free(&rp);
}

Test(dtls13_msg, recorded_hrr_names_the_servers_group)
{
	static struct replay rp;
	dtls13_replay_session("wolfssl-hrr-group", &rp, PETREL_RN_COUNTER_LE);
	const struct message *hrr = find_msg(&rp, S2C, 2, 0);
	cr_assert(petrel_server_hello_is_hrr(hrr->tls + 4, hrr->len));
	const uint8_t *block, *body;
	size_t len, blen;
	uint16_t group;
	hello_extensions(hrr, &block, &len);
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_KEY_SHARE, &body, &blen), 1);
	cr_assert_eq(petrel_ext13_hrr_group_parse(body, blen, &group), 0);
	cr_assert_eq(group, 0x0018, "secp384r1");
	dtls13_replay_free(&rp);
}

/* Checks the external PSK's binder in the recorded ClientHello: the
 * key schedule's binder key, the offered_psks parser's binder offset and
 * the truncated-hello hash all have to be right (RFC 8446 4.2.11.2). */
static void check_psk_session(const char *name, bool expect_dhe)
{
	static struct replay rp;
	dtls13_replay_session(name, &rp, PETREL_RN_COUNTER_LE);
	const struct message *ch = find_msg(&rp, C2S, 1, 0), *sh = find_msg(&rp, S2C, 2, 0);
	const uint8_t *block, *body;
	size_t len, blen;
	hello_extensions(ch, &block, &len);
	struct petrel_psk_modes modes;
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_PSK_KEY_EXCHANGE_MODES, &body, &blen), 1);
	cr_assert_eq(petrel_ext13_psk_modes_parse(body, blen, &modes), 0);
	cr_assert(expect_dhe ? modes.psk_dhe_ke : modes.psk_ke);
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_PRE_SHARED_KEY, &body, &blen), 1);
	/* RFC 8446 4.2.11: pre_shared_key is the last extension. */
	cr_assert_eq(body + blen, block + len);
	struct petrel_offered_psks psks;
	cr_assert_eq(petrel_ext13_offered_psks_parse(body, blen, &psks), 0);
	cr_assert_eq(psks.count, 1);
	struct petrel_psk_identity id;
	cr_assert(petrel_offered_psk_identity(&psks, 0, &id));
	/* wolfSSL's example client sends "Client_identity" followed by the
	 * suite's hash name for TLS 1.3 PSKs. */
	cr_assert_eq(id.identity_len, strlen("Client_identitySHA256"));
	cr_assert_arr_eq(id.identity, "Client_identitySHA256", id.identity_len);
	const uint8_t *binder;
	size_t binder_len;
	cr_assert(petrel_offered_psk_binder(&psks, 0, &binder, &binder_len));
	cr_assert_eq(binder_len, petrel_hash_len(rp.hash));

	/* wolfSSL's example TLS 1.3 PSK is not the 1a2b3c4d of its (D)TLS 1.2
	 * callback: 32 bytes from 0x01 in steps of 0x22, restarting at 0x01
	 * past 0xff (the binder only verifies with that one). */
	uint8_t psk[32];
	unsigned b = 0x01;
	for (size_t i = 0; i < sizeof psk; i++, b += 0x22) {
		if (b >= 0x100)
			b = 0x01;
		psk[i] = (uint8_t)b;
	}
	struct petrel_dtls13_ks ks;
	uint8_t binder_key[PETREL_MAX_HASH_LEN], th[PETREL_MAX_HASH_LEN];
	cr_assert_eq(petrel_dtls13_ks_init(&ks, rp.hash, psk, sizeof psk), 0);
	cr_assert_eq(petrel_dtls13_binder_key(&ks, false, binder_key), 0);
	size_t truncated = (size_t)(body + psks.binders_offset - ch->tls);
	petrel_hash(rp.hash, ch->tls, truncated, th);
	cr_assert_eq(petrel_dtls13_finished_check(rp.hash, PETREL_DTLS13_LABEL_PREFIX, binder_key, th,
						  binder, binder_len),
		     0, "%s: PSK binder", name);
	petrel_dtls13_ks_wipe(&ks);

	hello_extensions(sh, &block, &len);
	uint16_t index;
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_PRE_SHARED_KEY, &body, &blen), 1);
	cr_assert_eq(petrel_ext13_selected_identity_parse(body, blen, &index), 0);
	cr_assert_eq(index, 0);
	cr_assert_eq(petrel_ext_find(block, len, PETREL_EXT13_KEY_SHARE, &body, &blen),
		     expect_dhe ? 1 : 0, "psk_ke has no key share");
	dtls13_replay_free(&rp);
}

Test(dtls13_msg, recorded_psk_dhe_binder_verifies)
{
	check_psk_session("wolfssl-psk-dhe", true);
}

Test(dtls13_msg, recorded_psk_ke_binder_verifies)
{
	check_psk_session("wolfssl-psk-ke", false);
}

Test(dtls13_msg, recorded_key_update_request_is_answered)
{
	/* RFC 8446 4.6.3: the client asks (update_requested); the server
	 * answers with its own KeyUpdate, update_not_requested. */
	static struct replay rp;
	dtls13_replay_session("wolfssl-keyupdate", &rp, PETREL_RN_COUNTER_LE);
	size_t requested[2] = {0, 0}, answered[2] = {0, 0};
	for (size_t i = 0; i < rp.post_count; i++) {
		if (rp.post[i].type != PETREL_HS13_KEY_UPDATE)
			continue;
		bool req;
		cr_assert_eq(petrel_key_update_parse(rp.post[i].body, rp.post[i].len, &req), 0);
		if (req)
			requested[rp.post[i].dir]++;
		else
			answered[rp.post[i].dir]++;
	}
	cr_assert_geq(requested[C2S], 1);
	cr_assert_geq(answered[S2C], 1);
	dtls13_replay_free(&rp);
}

Test(dtls13_msg, recorded_acks_name_handshake_records)
{
	const char *names[] = {"wolfssl-p256-ecdsa-aes128gcm", "wolfssl-rsa-mtu400",
			       "wolfssl-keyupdate"};
	size_t total = 0;
	for (size_t f = 0; f < 3; f++) {
		static struct replay rp;
		dtls13_replay_session(names[f], &rp, PETREL_RN_COUNTER_LE);
		for (size_t i = 0; i < rp.ack_count; i++) {
			struct petrel_ack ack;
			cr_assert_eq(petrel_ack_parse(rp.ack[i].body, rp.ack[i].len, &ack), 0);
			struct petrel_record_number rn, prev = {0, 0};
			size_t k = 0;
			while (petrel_ack_next(&ack, &rn)) {
				/* Handshake records live in epochs 0-2, post-handshake
				 * ones in 3 and later; sequence numbers stay small here. */
				cr_assert_leq(rn.epoch, 4);
				cr_assert_lt(rn.seq, 1000);
				if (k++ > 0)
					cr_assert(rn.epoch > prev.epoch ||
						  (rn.epoch == prev.epoch && rn.seq > prev.seq),
						  "%s: ACK not in increasing order", names[f]);
				prev = rn;
			}
			cr_assert_eq(k, ack.count);
			total += k;
		}
		dtls13_replay_free(&rp);
	}
	cr_assert_gt(total, 0, "the sessions carry ACKs");
}

Test(dtls13_msg, the_12_hello_codecs_read_recorded_13_hellos)
{
	/* The engine can keep one hello parser: 1.3 hellos have the 1.2 wire
	 * shape (RFC 9147 5.3, RFC 8446 4.1.3); the 1.3 extensions are read
	 * from extensions_raw with petrel_ext_find. */
	const char *names[] = {"wolfssl-p256-ecdsa-aes128gcm", "wolfssl-hrr-cookie", "wolfssl-psk-dhe",
			       "wolfssl-cid"};
	for (size_t f = 0; f < 4; f++) {
		static struct replay rp;
		dtls13_replay_session(names[f], &rp, PETREL_RN_COUNTER_LE);
		for (size_t i = 0; i < rp.msg_count; i++) {
			const struct message *m = &rp.msg[i];
			const uint8_t *body;
			size_t blen;
			if (m->type == PETREL_HS_CLIENT_HELLO) {
				struct petrel_client_hello ch;
				cr_assert_eq(petrel_client_hello_parse(m->tls + 4, m->len, &ch), 0, "%s",
					     names[f]);
				cr_assert_eq(ch.client_version, PETREL_WIRE_DTLS12);
				cr_assert_eq(ch.cookie_len, 0);
				cr_assert_eq(petrel_ext_find(ch.extensions_raw, ch.extensions_raw_len,
							     PETREL_EXT13_SUPPORTED_VERSIONS, &body, &blen),
					     1);
			} else if (m->type == PETREL_HS_SERVER_HELLO) {
				struct petrel_server_hello sh;
				cr_assert_eq(petrel_server_hello_parse(m->tls + 4, m->len, &sh), 0, "%s",
					     names[f]);
				cr_assert_eq(sh.server_version, PETREL_WIRE_DTLS12);
				uint16_t v;
				cr_assert_eq(petrel_ext_find(sh.extensions_raw, sh.extensions_raw_len,
							     PETREL_EXT13_SUPPORTED_VERSIONS, &body, &blen),
					     1);
				cr_assert_eq(petrel_ext13_selected_version_parse(body, blen, &v), 0);
				cr_assert_eq(v, PETREL_WIRE_DTLS13);
			}
		}
		dtls13_replay_free(&rp);
	}
}
