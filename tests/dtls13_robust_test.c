/* Every DTLS 1.3 / CID parser against truncated and bit-flipped copies of
 * real messages and records (the recorded wolfSSL sessions): only error
 * codes come back, never a crash or a read outside the input (each input
 * is an exact-size heap copy, so the sanitizer build sees any overrun). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/msg_cid.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/header13.h"
#include "tests/dtls13_replay.h"

static void expect_code(int rc, const char *what)
{
	cr_assert(rc == 0 || rc == PETREL_E_DECODE_ERROR || rc == PETREL_E_ILLEGAL_PARAMETER ||
			  rc == PETREL_E_LIMIT_EXCEEDED || rc == PETREL_E_UNEXPECTED_MESSAGE,
		  "%s returned %d", what, rc);
}

/* Runs every parser on buf[0..len); returns how many accepted it. */
static unsigned run_all(const uint8_t *buf, size_t len)
{
	unsigned ok = 0;
	const uint8_t *p, *q;
	size_t n, m;
	uint16_t u16;
	int rc;

	rc = petrel_ext_find(buf, len, PETREL_EXT13_KEY_SHARE, &p, &n);
	cr_assert(rc == 0 || rc == 1 || rc == PETREL_E_DECODE_ERROR ||
		  rc == PETREL_E_ILLEGAL_PARAMETER);
	struct petrel_ext_iter ei;
	petrel_ext_iter_init(&ei, buf, len);
	uint16_t t;
	while ((rc = petrel_ext_iter_next(&ei, &t, &p, &n)) == 1)
		cr_assert_leq(n, len);
	expect_code(rc, "ext_iter");

	rc = petrel_ext13_versions_parse(buf, len, &p, &n);
	expect_code(rc, "versions");
	if (rc == 0) {
		ok++;
		(void)petrel_ext13_versions_contains(p, n, PETREL_WIRE_DTLS13);
	}
	expect_code(petrel_ext13_selected_version_parse(buf, len, &u16), "selected_version");
	struct petrel_key_share_iter ki;
	struct petrel_key_share ks;
	rc = petrel_ext13_client_shares_parse(buf, len, &ki, &n);
	expect_code(rc, "client_shares");
	if (rc == 0) {
		size_t seen = 0;
		while (petrel_key_share_next(&ki, &ks))
			seen++;
		cr_assert_eq(seen, n);
		ok++;
	}
	expect_code(petrel_ext13_server_share_parse(buf, len, &ks), "server_share");
	expect_code(petrel_ext13_hrr_group_parse(buf, len, &u16), "hrr_group");
	expect_code(petrel_ext13_cookie_parse(buf, len, &p, &n), "cookie");
	struct petrel_psk_modes modes;
	expect_code(petrel_ext13_psk_modes_parse(buf, len, &modes), "psk_modes");
	struct petrel_offered_psks psks;
	rc = petrel_ext13_offered_psks_parse(buf, len, &psks);
	expect_code(rc, "offered_psks");
	if (rc == 0) {
		struct petrel_psk_identity id;
		for (size_t i = 0; i < psks.count; i++) {
			cr_assert(petrel_offered_psk_identity(&psks, i, &id));
			cr_assert(petrel_offered_psk_binder(&psks, i, &p, &n));
		}
		cr_assert_leq(psks.binders_offset, len);
		ok++;
	}
	expect_code(petrel_ext13_selected_identity_parse(buf, len, &u16), "selected_identity");

	(void)petrel_server_hello_is_hrr(buf, len);
	expect_code(petrel_encrypted_extensions_parse(buf, len, &p, &n), "ee");
	struct petrel_certificate13 c;
	rc = petrel_certificate13_parse(buf, len, &c);
	expect_code(rc, "certificate13");
	if (rc == 0) {
		const uint8_t *e;
		size_t el;
		for (size_t i = 0; i < c.count; i++)
			cr_assert(petrel_certificate13_entry(&c, i, &p, &n, &e, &el));
		ok++;
	}
	expect_code(petrel_certificate_request13_parse(buf, len, &p, &n, &q, &m), "cr13");
	expect_code(petrel_cert_verify_parse(buf, len, &u16, &p, &n), "cert_verify");
	struct petrel_new_session_ticket13 nst;
	expect_code(petrel_new_session_ticket13_parse(buf, len, &nst), "nst");
	bool req;
	expect_code(petrel_key_update_parse(buf, len, &req), "key_update");
	struct petrel_ack ack;
	rc = petrel_ack_parse(buf, len, &ack);
	expect_code(rc, "ack");
	if (rc == 0) {
		struct petrel_record_number rn;
		size_t seen = 0;
		while (petrel_ack_next(&ack, &rn))
			seen++;
		cr_assert_eq(seen, ack.count);
	}
	struct petrel_new_connection_id ncid;
	rc = petrel_new_connection_id_parse(buf, len, &ncid);
	expect_code(rc, "new_connection_id");
	if (rc == 0)
		for (size_t i = 0; i < ncid.count; i++)
			cr_assert(petrel_new_connection_id_entry(&ncid, i, &p, &n));
	uint8_t num;
	expect_code(petrel_request_connection_id_parse(buf, len, &num), "request_connection_id");
	expect_code(petrel_cid_ext_parse(buf, len, &p, &n), "cid_ext");
	uint8_t type;
	expect_code(petrel_cid_inner_parse(buf, len, &type, &n), "cid_inner");

	/* Record headers: unified (with and without an 8-byte CID), tls12_cid. */
	for (size_t cid_len = 0; cid_len <= 8; cid_len += 8) {
		struct petrel_reader r;
		struct petrel_dtls13_header h;
		petrel_reader_init(&r, buf, len);
		while (petrel_reader_left(&r) > 0 && petrel_dtls13_header_read(&r, cid_len, &h, &p))
			cr_assert_leq(h.header_len + h.length, len);
		struct petrel_cid_header ch;
		petrel_reader_init(&r, buf, len);
		if (petrel_cid_header_read(&r, cid_len, &ch))
			cr_assert_leq(PETREL_CID_HEADER_LEN(cid_len), len);
	}
	return ok;
}

/* Truncations and single-byte flips of one input, each an exact-size copy. */
static void mutate(const uint8_t *in, size_t len)
{
	size_t step = len > 600 ? 7 : 1;
	for (size_t n = 0; n <= len; n += step) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, in, n);
		run_all(n ? copy : NULL, n);
		free(copy);
	}
	uint8_t *copy = malloc(len ? len : 1);
	for (size_t i = 0; i < len; i += step) {
		memcpy(copy, in, len);
		copy[i] ^= 0xff;
		run_all(copy, len);
		copy[i] ^= 0x7e;
		run_all(copy, len);
	}
	free(copy);
}

static void mutate_session(const char *name)
{
	static struct replay rp;
	dtls13_replay_session(name, &rp, PETREL_RN_COUNTER_LE);
	for (size_t i = 0; i < rp.msg_count; i++)
		mutate(rp.msg[i].tls + 4, rp.msg[i].len);
	for (size_t i = 0; i < rp.post_count; i++)
		mutate(rp.post[i].body, rp.post[i].len);
	for (size_t i = 0; i < rp.ack_count; i++)
		mutate(rp.ack[i].body, rp.ack[i].len);
	for (size_t i = 0; i < rp.s.count; i++)
		mutate(rp.s.dg[i].data, rp.s.dg[i].len);
	dtls13_replay_free(&rp);
}

Test(dtls13_robust, parsers_survive_mutated_1rtt_and_hrr_sessions)
{
	mutate_session("wolfssl-p256-ecdsa-aes128gcm");
	mutate_session("wolfssl-hrr-cookie");
}

Test(dtls13_robust, parsers_survive_mutated_psk_cid_and_keyupdate_sessions)
{
	mutate_session("wolfssl-psk-dhe");
	mutate_session("wolfssl-cid");
	mutate_session("wolfssl-keyupdate");
}

Test(dtls13_robust, intact_messages_parse_with_their_own_codec)
{
	/* The mutation run must not be vacuous: the genuine key_share and
	 * supported_versions extensions parse. */
	static struct replay rp;
	dtls13_replay_session("wolfssl-psk-dhe", &rp, PETREL_RN_COUNTER_LE);
	unsigned accepted = 0;
	for (size_t i = 0; i < rp.msg_count; i++) {
		const uint8_t *block;
		size_t len;
		struct petrel_reader r;
		const uint8_t *v;
		size_t n;
		if (rp.msg[i].type != 1)
			continue;
		petrel_reader_init(&r, rp.msg[i].tls + 4, rp.msg[i].len);
		cr_assert(petrel_skip(&r, 34) && petrel_get_opaque8(&r, &v, &n) &&
			  petrel_get_opaque8(&r, &v, &n) && petrel_get_opaque16(&r, &v, &n) &&
			  petrel_get_opaque8(&r, &v, &n) && petrel_get_opaque16(&r, &block, &len));
		struct petrel_ext_iter it;
		uint16_t type;
		petrel_ext_iter_init(&it, block, len);
		while (petrel_ext_iter_next(&it, &type, &v, &n) == 1)
			if (type == PETREL_EXT13_KEY_SHARE || type == PETREL_EXT13_SUPPORTED_VERSIONS ||
			    type == PETREL_EXT13_PRE_SHARED_KEY)
				accepted += run_all(v, n);
	}
	cr_assert_geq(accepted, 3);
	dtls13_replay_free(&rp);
}
