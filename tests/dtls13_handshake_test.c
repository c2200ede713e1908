/* The DTLS 1.3 handshake cores (dtls13/client13, dtls13/server13) talking
 * to each other in memory: messages pass as whole bodies, keys are
 * checked to agree by sealing and opening a record with each epoch's
 * keys, and broken peers get the alerts RFC 8446 names. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/client13.h"
#include "dtls13/record13.h"
#include "dtls13/cookie13.h"
#include "dtls13/server13.h"
#include "petrel/petrel.h"
#include "x509/x509.h"

#define NOW_S 1760000000
#define DAY 86400

/* ---- credentials ---- */

struct ident {
	struct petrel_privkey *key;
	uint8_t der[PETREL_X509_SELFSIGN_MAX];
	size_t der_len;
	const uint8_t *chain[1];
	size_t chain_len[1];
	uint8_t pin[32];
};

static void ident_make(struct ident *id, enum petrel_key_type type)
{
	cr_assert_eq(petrel_privkey_generate(type, &id->key), 0);
	struct petrel_x509_selfsign_params p = {
		.common_name = "hs13.petrel.test",
		.not_before = NOW_S - DAY,
		.not_after = NOW_S + 30 * DAY,
	};
	cr_assert_eq(petrel_x509_selfsign(id->key, &p, id->der, sizeof id->der, &id->der_len), 0);
	id->chain[0] = id->der;
	id->chain_len[0] = id->der_len;
	petrel_hash(PETREL_HASH_SHA256, id->der, id->der_len, id->pin);
}

static void ident_free(struct ident *id)
{
	petrel_privkey_free(id->key);
}

static void use_ident(struct petrel_hs13_config *cfg, const struct ident *id)
{
	cfg->key = id->key;
	cfg->chain = id->chain;
	cfg->chain_lens = id->chain_len;
	cfg->chain_count = 1;
}

static void pin_to(struct petrel_hs13_config *cfg, const struct ident *id)
{
	cfg->verifier.mode = PETREL_HS13_VERIFY_PIN_CERT;
	memcpy(cfg->verifier.pin, id->pin, 32);
}

static const uint8_t cookie_secret[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const struct petrel_ticket_keys ticket_keys = {.prk = {9, 8, 7, 6, 5, 4, 3, 2, 1}};
static const uint8_t peer_addr[6] = {192, 0, 2, 1, 0x12, 0x34};

static void server_defaults(struct petrel_hs13_config *cfg)
{
	cfg->cookie_secret = cookie_secret;
	cfg->ticket_keys = &ticket_keys;
	cfg->peer_addr = peer_addr;
	cfg->peer_addr_len = sizeof peer_addr;
}

/* The usual set-up: a server identity of this type, the server's defaults
 * with it, the client pinned to it. */
static void pinned_configs(struct ident *sid, enum petrel_key_type type,
			   struct petrel_hs13_config *ccfg, struct petrel_hs13_config *scfg)
{
	ident_make(sid, type);
	memset(ccfg, 0, sizeof *ccfg);
	memset(scfg, 0, sizeof *scfg);
	pin_to(ccfg, sid);
	server_defaults(scfg);
	use_ident(scfg, sid);
}

/* ---- one side's installed keys ---- */

#define EPOCHS 4
struct keys {
	uint8_t w[EPOCHS][PETREL_MAX_HASH_LEN], r[EPOCHS][PETREL_MAX_HASH_LEN];
	bool hw[EPOCHS], hr[EPOCHS];
	size_t len;
	uint16_t write_epoch;
};

/* Applies the key changes and checks each message goes out in the epoch
 * of the write key installed before it. */
static void install(struct keys *k, const struct petrel_hs13_output *out)
{
	size_t ki = 0;
	for (size_t m = 0; m <= out->msg_count; m++) {
		while (ki < out->key_count && out->keys[ki].write_before == m) {
			const struct petrel_hs13_key_change *kc = &out->keys[ki++];
			cr_assert_lt(kc->epoch, EPOCHS);
			if (kc->write) {
				memcpy(k->w[kc->epoch], kc->secret, kc->secret_len);
				k->hw[kc->epoch] = true;
				k->write_epoch = kc->epoch;
			} else {
				memcpy(k->r[kc->epoch], kc->secret, kc->secret_len);
				k->hr[kc->epoch] = true;
			}
			k->len = kc->secret_len;
		}
		if (m < out->msg_count && out->msgs[m].type != PETREL_HT13_NEW_SESSION_TICKET)
			cr_assert_eq(out->msgs[m].epoch, k->write_epoch,
				     "message %zu type %u in epoch %u, write epoch %u", m,
				     out->msgs[m].type, out->msgs[m].epoch, k->write_epoch);
	}
}

/* Seals a record with the writer's keys of an epoch and opens it with the
 * reader's: proves both sides derived the same keys. */
static void keys_agree(const struct keys *writer, const struct keys *reader, uint16_t epoch,
		       uint16_t suite)
{
	cr_assert(writer->hw[epoch] && reader->hr[epoch], "epoch %u keys missing", epoch);
	enum petrel_hash_alg hash;
	enum petrel_aead_alg aead;
	cr_assert_eq(petrel_tls13_suite_params(suite, &hash, &aead), 0);
	struct petrel_dtls13_traffic_keys tw, tr;
	cr_assert_eq(petrel_dtls13_traffic_keys(hash, PETREL_DTLS13_LABEL_PREFIX, aead,
						writer->w[epoch], &tw), 0);
	cr_assert_eq(petrel_dtls13_traffic_keys(hash, PETREL_DTLS13_LABEL_PREFIX, aead,
						reader->r[epoch], &tr), 0);
	struct petrel_aead_ctx *cw = malloc(petrel_aead_ctx_size());
	struct petrel_aead_ctx *cr = malloc(petrel_aead_ctx_size());
	cr_assert_eq(petrel_aead_init(cw, aead, tw.key), 0);
	cr_assert_eq(petrel_aead_init(cr, aead, tr.key), 0);
	uint8_t nonce_w[12], nonce_r[12];
	petrel_dtls13_nonce(tw.iv, 7, nonce_w);
	petrel_dtls13_nonce(tr.iv, 7, nonce_r);
	uint8_t buf[5 + 16] = "hello";
	cr_assert_eq(petrel_aead_seal(cw, nonce_w, (const uint8_t *)"ad", 2, buf, 5), 0);
	cr_assert_eq(petrel_aead_open(cr, nonce_r, (const uint8_t *)"ad", 2, buf,
				      5 + petrel_aead_tag_len(aead)), 0);
	cr_assert_eq(memcmp(buf, "hello", 5), 0);
	cr_assert_eq(memcmp(tw.sn_key, tr.sn_key, sizeof tw.sn_key), 0);
	petrel_aead_wipe(cw);
	petrel_aead_wipe(cr);
	free(cw);
	free(cr);
}

/* ---- the in-memory pair ---- */

struct pair {
	struct petrel_dtls13_client c;
	struct petrel_dtls13_server s;
	struct petrel_hs13_output co, so;
	struct keys ck, sk;
	int client_rc, server_rc;
	uint8_t client_alert, server_alert;
	bool client_done, server_done;
	size_t hrr_count;
	/* Tamper with one server message of this type before the client sees it. */
	uint8_t corrupt_s2c_type;
	uint8_t corrupt_c2s_type;
	/* Drop the server's state after an HRR (stateless server). */
	bool stateless;
	struct petrel_hs13_config server_cfg;
	uint8_t *saved_sh; /* the first ServerHello body, for the downgrade test */
	size_t saved_sh_len;
};

static void pair_init(struct pair *p, const struct petrel_hs13_config *ccfg,
		      const struct petrel_hs13_config *scfg)
{
	memset(p, 0, sizeof *p);
	cr_assert_eq(petrel_dtls13_client_init(&p->c, ccfg), 0);
	cr_assert_eq(petrel_dtls13_server_init(&p->s, scfg), 0);
	p->server_cfg = *scfg;
	petrel_hs13_output_init(&p->co);
	petrel_hs13_output_init(&p->so);
}

static void pair_free(struct pair *p)
{
	petrel_hs13_output_reset(&p->co);
	petrel_hs13_output_reset(&p->so);
	petrel_dtls13_client_free(&p->c);
	petrel_dtls13_server_free(&p->s);
	free(p->saved_sh);
}

/* Runs the handshake until both are done, one fails, or nothing moves. */
static void pair_run(struct pair *p)
{
	p->client_rc = petrel_dtls13_client_start(&p->c, &p->co);
	cr_assert_eq(p->client_rc, 0);
	install(&p->ck, &p->co);
	for (int round = 0; round < 8; round++) {
		/* client -> server */
		petrel_hs13_output_reset(&p->so);
		for (size_t i = 0; i < p->co.msg_count; i++) {
			struct petrel_hs13_out_msg *m = &p->co.msgs[i];
			if (m->type == p->corrupt_c2s_type && m->len > 0)
				m->body[m->len - 1] ^= 0x01;
			size_t before = p->so.msg_count, keys_before = p->so.key_count;
			p->server_rc = petrel_dtls13_server_handle(&p->s, m->type, m->body, m->len,
								   1000, &p->so);
			(void)before;
			(void)keys_before;
			if (p->server_rc < 0) {
				p->server_alert = p->so.alert;
				return;
			}
			if (p->so.event == PETREL_HS13_EV_DONE)
				p->server_done = true;
			if (p->so.event == PETREL_HS13_EV_STATELESS_HRR) {
				p->hrr_count++;
				if (p->stateless) {
					petrel_dtls13_server_free(&p->s);
					cr_assert_eq(petrel_dtls13_server_init(&p->s, &p->server_cfg),
						     0);
				}
			}
		}
		install(&p->sk, &p->so);
		if (p->so.msg_count == 0)
			return;
		/* server -> client */
		petrel_hs13_output_reset(&p->co);
		for (size_t i = 0; i < p->so.msg_count; i++) {
			struct petrel_hs13_out_msg *m = &p->so.msgs[i];
			if (m->type == PETREL_HT13_SERVER_HELLO && p->saved_sh == NULL) {
				p->saved_sh = malloc(m->len);
				memcpy(p->saved_sh, m->body, m->len);
				p->saved_sh_len = m->len;
			}
			if (m->type == p->corrupt_s2c_type && m->len > 0)
				m->body[m->len - 1] ^= 0x01;
			p->client_rc = petrel_dtls13_client_handle(&p->c, m->type, m->body, m->len,
								   2000, &p->co);
			if (p->client_rc < 0) {
				p->client_alert = p->co.alert;
				return;
			}
			if (p->co.event == PETREL_HS13_EV_DONE)
				p->client_done = true;
		}
		install(&p->ck, &p->co);
		if (p->co.msg_count == 0)
			return;
	}
}

static void assert_connected(struct pair *p)
{
	cr_assert_eq(p->client_rc, 0, "client rc %d alert %u", p->client_rc, p->client_alert);
	cr_assert_eq(p->server_rc, 0, "server rc %d alert %u", p->server_rc, p->server_alert);
	cr_assert(p->client_done && p->server_done);
	cr_assert_eq(p->c.suite, p->s.suite);
	for (uint16_t e = PETREL_EPOCH13_HANDSHAKE; e <= PETREL_EPOCH13_APPLICATION; e++) {
		keys_agree(&p->ck, &p->sk, e, p->c.suite);
		keys_agree(&p->sk, &p->ck, e, p->c.suite);
	}
}

/* ---- full handshakes ---- */

static void full_handshake(enum petrel_key_type type, uint16_t group, uint16_t suite)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, type, &ccfg, &scfg);
	uint16_t groups[1] = {group}, suites[1] = {suite};
	ccfg.groups = groups;
	ccfg.group_count = 1;
	ccfg.suites = suites;
	ccfg.suite_count = 1;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	assert_connected(&p);
	cr_assert_eq(p.hrr_count, 0);
	cr_assert_eq(p.s.group, group);
	cr_assert_not(p.c.psk_accepted);
	pair_free(&p);
	ident_free(&sid);
}

Test(dtls13_handshake, x25519_with_ecdsa_p256_certificate_connects)
{
	full_handshake(PETREL_KEY_EC_P256, PETREL_GROUP_X25519, PETREL_TLS13_AES_128_GCM_SHA256);
}

Test(dtls13_handshake, p256_with_ed25519_certificate_connects)
{
	full_handshake(PETREL_KEY_ED25519, PETREL_GROUP_SECP256R1, PETREL_TLS13_AES_128_GCM_SHA256);
}

Test(dtls13_handshake, sha384_suite_with_chacha_and_aes256_connects)
{
	full_handshake(PETREL_KEY_EC_P256, PETREL_GROUP_X25519, PETREL_TLS13_AES_256_GCM_SHA384);
	full_handshake(PETREL_KEY_ED25519, PETREL_GROUP_X25519,
		       PETREL_TLS13_CHACHA20_POLY1305_SHA256);
}

/* ---- HelloRetryRequest ---- */

Test(dtls13_handshake, hrr_for_the_servers_group_then_connects)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	uint16_t cgroups[2] = {PETREL_GROUP_X25519, PETREL_GROUP_SECP256R1};
	uint16_t sgroups[1] = {PETREL_GROUP_SECP256R1};
	ccfg.groups = cgroups;
	ccfg.group_count = 2; /* share for X25519 only */
	scfg.groups = sgroups;
	scfg.group_count = 1;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	p.stateless = true; /* everything the server needs is in the cookie */
	pair_run(&p);
	assert_connected(&p);
	cr_assert_eq(p.hrr_count, 1);
	cr_assert(p.c.hrr_seen);
	cr_assert_eq(p.s.group, PETREL_GROUP_SECP256R1);
	pair_free(&p);
	ident_free(&sid);
}

Test(dtls13_handshake, forced_cookie_hrr_keeps_the_share_and_connects)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	scfg.force_hrr = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	p.stateless = true;
	pair_run(&p);
	assert_connected(&p);
	cr_assert_eq(p.hrr_count, 1);
	cr_assert_gt(p.c.cookie_len, 0);
	cr_assert_eq(p.s.group, PETREL_GROUP_X25519);
	pair_free(&p);
	ident_free(&sid);
}

Test(dtls13_handshake, cookie_from_another_address_is_refused)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	scfg.force_hrr = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	p.stateless = true;
	static const uint8_t other[6] = {198, 51, 100, 7, 0x12, 0x34};
	p.server_cfg.peer_addr = other; /* the second ClientHello comes from elsewhere */
	pair_run(&p);
	cr_assert_eq(p.server_rc, PETREL_E_BAD_COOKIE);
	cr_assert_eq(p.server_alert, PETREL_ALERT13_ILLEGAL_PARAMETER);
	pair_free(&p);
	ident_free(&sid);
}

/* ---- PSK ---- */

static const uint8_t ext_psk[32] = {0x50, 0x53, 0x4b, 1, 2, 3, 4, 5, 6, 7, 8, 9};
static const uint8_t ext_id[] = "client-7";

static int lookup(void *ctx, const uint8_t *identity, size_t identity_len, uint8_t *psk,
		  size_t *psk_len, enum petrel_hash_alg *hash)
{
	(void)ctx;
	if (identity_len != sizeof ext_id - 1 || memcmp(identity, ext_id, identity_len) != 0)
		return PETREL_E_UNKNOWN_PSK_IDENTITY;
	memcpy(psk, ext_psk, sizeof ext_psk);
	*psk_len = sizeof ext_psk;
	*hash = PETREL_HASH_SHA256;
	return 0;
}

static void psk_handshake(bool psk_only, bool server_has_cert, const uint8_t *psk)
{
	struct petrel_hs13_config ccfg = {0}, scfg = {0};
	ccfg.psk = psk;
	ccfg.psk_len = 32;
	ccfg.psk_hash = PETREL_HASH_SHA256;
	ccfg.psk_identity = ext_id;
	ccfg.psk_identity_len = sizeof ext_id - 1;
	ccfg.psk_only = psk_only;
	server_defaults(&scfg);
	scfg.psk_lookup = lookup;
	scfg.psk_only = psk_only;
	struct ident sid;
	if (server_has_cert) {
		ident_make(&sid, PETREL_KEY_EC_P256);
		use_ident(&scfg, &sid);
		pin_to(&ccfg, &sid);
	}
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	if (psk == ext_psk) {
		assert_connected(&p);
		cr_assert(p.c.psk_accepted && p.s.psk_accepted);
		cr_assert_eq(p.s.group, psk_only ? 0 : PETREL_GROUP_X25519);
		cr_assert_eq(p.c.peer.count, 0); /* no certificate in PSK mode */
	} else {
		/* A wrong key: the binder does not check (RFC 8446 4.2.11). */
		cr_assert_eq(p.server_rc, PETREL_E_DECRYPTION_FAILED);
		cr_assert_eq(p.server_alert, PETREL_ALERT13_DECRYPT_ERROR);
	}
	pair_free(&p);
	if (server_has_cert)
		ident_free(&sid);
}

Test(dtls13_handshake, external_psk_with_ecdhe_connects_without_certificates)
{
	psk_handshake(false, false, ext_psk);
}

Test(dtls13_handshake, external_psk_only_connects_without_key_share)
{
	psk_handshake(true, false, ext_psk);
}

Test(dtls13_handshake, external_psk_wins_over_the_servers_certificate)
{
	psk_handshake(false, true, ext_psk);
}

Test(dtls13_handshake, wrong_psk_fails_the_binder_with_decrypt_error)
{
	static const uint8_t wrong[32] = {0x77};
	psk_handshake(false, false, wrong);
}

Test(dtls13_handshake, unknown_psk_identity_at_a_psk_only_server)
{
	struct petrel_hs13_config ccfg = {0}, scfg = {0};
	static const uint8_t other_id[] = "nobody";
	ccfg.psk = ext_psk;
	ccfg.psk_len = 32;
	ccfg.psk_hash = PETREL_HASH_SHA256;
	ccfg.psk_identity = other_id;
	ccfg.psk_identity_len = sizeof other_id - 1;
	server_defaults(&scfg);
	scfg.psk_lookup = lookup;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	cr_assert_eq(p.server_rc, PETREL_E_UNKNOWN_PSK_IDENTITY);
	cr_assert_eq(p.server_alert, PETREL_ALERT13_UNKNOWN_PSK_IDENTITY);
	pair_free(&p);
}

Test(dtls13_handshake, resumption_with_a_new_session_ticket)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	scfg.send_ticket = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	assert_connected(&p);
	/* The ticket came in the server's last flight, in epoch 3. */
	cr_assert_eq(p.so.msg_count, 1);
	cr_assert_eq(p.so.msgs[0].type, PETREL_HT13_NEW_SESSION_TICKET);
	cr_assert_eq(p.so.msgs[0].epoch, PETREL_EPOCH13_APPLICATION);
	petrel_hs13_output_reset(&p.co);
	cr_assert_eq(petrel_dtls13_client_handle(&p.c, p.so.msgs[0].type, p.so.msgs[0].body,
						 p.so.msgs[0].len, 5000, &p.co), 0);
	cr_assert_eq(p.co.event, PETREL_HS13_EV_TICKET);
	cr_assert(p.c.has_ticket);
	struct petrel_dtls13_ticket t = p.c.ticket;
	pair_free(&p);

	/* Second connection: resume with the ticket, no certificate sent. */
	struct petrel_hs13_config rcfg = {0};
	rcfg.psk = t.psk;
	rcfg.psk_len = t.psk_len;
	rcfg.psk_hash = t.hash;
	rcfg.psk_identity = t.ticket;
	rcfg.psk_identity_len = t.ticket_len;
	rcfg.psk_resumption = true;
	rcfg.psk_obfuscated_age = 1000 + t.age_add;
	pin_to(&rcfg, &sid);
	pair_init(&p, &rcfg, &scfg);
	pair_run(&p);
	assert_connected(&p);
	cr_assert(p.s.psk_resumed);
	cr_assert_eq(p.c.peer.count, 0);
	pair_free(&p);
	ident_free(&sid);
}

/* ---- client authentication ---- */

Test(dtls13_handshake, client_certificate_when_requested)
{
	struct ident sid, cid;
	ident_make(&sid, PETREL_KEY_EC_P256);
	ident_make(&cid, PETREL_KEY_ED25519);
	struct petrel_hs13_config ccfg = {0}, scfg = {0};
	pin_to(&ccfg, &sid);
	use_ident(&ccfg, &cid);
	server_defaults(&scfg);
	use_ident(&scfg, &sid);
	pin_to(&scfg, &cid);
	scfg.require_client_cert = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	assert_connected(&p);
	cr_assert_eq(p.s.peer.count, 1);
	cr_assert_eq(p.s.peer.key.type, PETREL_KEY_ED25519);
	pair_free(&p);
	ident_free(&sid);
	ident_free(&cid);
}

Test(dtls13_handshake, missing_client_certificate_gets_certificate_required)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	scfg.require_client_cert = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	cr_assert_eq(p.server_rc, PETREL_E_NO_CERTIFICATE);
	cr_assert_eq(p.server_alert, PETREL_ALERT13_CERTIFICATE_REQUIRED);
	pair_free(&p);
	ident_free(&sid);
}

/* ---- broken peers ---- */

static void tampered(uint8_t s2c, uint8_t c2s, int client_rc, int server_rc, uint8_t alert)
{
	struct ident sid, cid;
	ident_make(&sid, PETREL_KEY_EC_P256);
	ident_make(&cid, PETREL_KEY_EC_P256);
	struct petrel_hs13_config ccfg = {0}, scfg = {0};
	pin_to(&ccfg, &sid);
	use_ident(&ccfg, &cid);
	server_defaults(&scfg);
	use_ident(&scfg, &sid);
	pin_to(&scfg, &cid);
	scfg.require_client_cert = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	p.corrupt_s2c_type = s2c;
	p.corrupt_c2s_type = c2s;
	pair_run(&p);
	cr_assert_eq(p.client_rc, client_rc, "client rc %d", p.client_rc);
	cr_assert_eq(p.server_rc, server_rc, "server rc %d", p.server_rc);
	cr_assert_eq(client_rc ? p.client_alert : p.server_alert, alert, "alert %u",
		     client_rc ? p.client_alert : p.server_alert);
	pair_free(&p);
	ident_free(&sid);
	ident_free(&cid);
}

Test(dtls13_handshake, bad_server_finished_gets_decrypt_error)
{
	tampered(PETREL_HT13_FINISHED, 0, PETREL_E_DECRYPTION_FAILED, 0,
		 PETREL_ALERT13_DECRYPT_ERROR);
}

Test(dtls13_handshake, bad_client_finished_gets_decrypt_error)
{
	tampered(0, PETREL_HT13_FINISHED, 0, PETREL_E_DECRYPTION_FAILED,
		 PETREL_ALERT13_DECRYPT_ERROR);
}

Test(dtls13_handshake, bad_server_certificate_verify_gets_decrypt_error)
{
	tampered(PETREL_HT13_CERTIFICATE_VERIFY, 0, PETREL_E_SIGNATURE_INVALID, 0,
		 PETREL_ALERT13_DECRYPT_ERROR);
}

Test(dtls13_handshake, bad_client_certificate_verify_gets_decrypt_error)
{
	tampered(0, PETREL_HT13_CERTIFICATE_VERIFY, 0, PETREL_E_SIGNATURE_INVALID,
		 PETREL_ALERT13_DECRYPT_ERROR);
}

Test(dtls13_handshake, server_certificate_not_matching_the_pin_is_refused)
{
	struct ident sid, other;
	ident_make(&sid, PETREL_KEY_EC_P256);
	ident_make(&other, PETREL_KEY_EC_P256);
	struct petrel_hs13_config ccfg = {0}, scfg = {0};
	pin_to(&ccfg, &other);
	server_defaults(&scfg);
	use_ident(&scfg, &sid);
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	cr_assert_eq(p.client_rc, PETREL_E_CERT_PIN_MISMATCH);
	cr_assert_eq(p.client_alert, PETREL_ALERT13_CERTIFICATE_UNKNOWN);
	pair_free(&p);
	ident_free(&sid);
	ident_free(&other);
}

/* Builds a DTLS 1.2 ServerHello body (no supported_versions). */
static size_t sh12(uint8_t *buf, size_t cap, bool sentinel)
{
	struct petrel_writer w;
	uint8_t random[32];
	memset(random, 0x5a, sizeof random);
	if (sentinel)
		petrel_random_set_downgrade_sentinel(random);
	petrel_writer_init(&w, buf, cap);
	petrel_put_u16(&w, 0xFEFDu);
	petrel_put_bytes(&w, random, 32);
	petrel_put_u8(&w, 0);
	petrel_put_u16(&w, 0xC02Bu);
	petrel_put_u8(&w, 0);
	petrel_put_u16(&w, 0);
	return petrel_writer_len(&w);
}

static int client_sees_sh12(bool offer12, bool sentinel, struct petrel_hs13_output *out)
{
	struct petrel_hs13_config ccfg = {0};
	ccfg.offer_dtls12 = offer12;
	struct petrel_dtls13_client c;
	cr_assert_eq(petrel_dtls13_client_init(&c, &ccfg), 0);
	struct petrel_hs13_output start;
	petrel_hs13_output_init(&start);
	cr_assert_eq(petrel_dtls13_client_start(&c, &start), 0);
	petrel_hs13_output_reset(&start);
	static uint8_t body[64];
	size_t len = sh12(body, sizeof body, sentinel);
	int rc = petrel_dtls13_client_handle(&c, PETREL_HT13_SERVER_HELLO, body, len, 0, out);
	petrel_dtls13_client_free(&c);
	return rc;
}

Test(dtls13_handshake, dtls12_server_hello_is_handed_to_the_12_client)
{
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	cr_assert_eq(client_sees_sh12(true, false, &out), 0);
	cr_assert_eq(out.event, PETREL_HS13_EV_FALLBACK_12);
	cr_assert_not_null(out.fallback_body);
	cr_assert_gt(out.fallback_len, 34);
	petrel_hs13_output_reset(&out);
}

Test(dtls13_handshake, downgrade_sentinel_is_illegal_parameter)
{
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	cr_assert_eq(client_sees_sh12(true, true, &out), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(out.alert, PETREL_ALERT13_ILLEGAL_PARAMETER);
	petrel_hs13_output_reset(&out);
}

Test(dtls13_handshake, dtls12_server_hello_without_12_offer_is_protocol_version)
{
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	cr_assert_eq(client_sees_sh12(false, false, &out), PETREL_E_PROTOCOL_VERSION);
	cr_assert_eq(out.alert, PETREL_ALERT13_PROTOCOL_VERSION);
	petrel_hs13_output_reset(&out);
}

/* An HRR body naming a group; cookie optional. */
static size_t hrr_body(uint8_t *buf, size_t cap, uint16_t group)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	petrel_put_u16(&w, 0xFEFDu);
	petrel_put_bytes(&w, petrel_hrr_random, 32);
	petrel_put_u8(&w, 0);
	petrel_put_u16(&w, PETREL_TLS13_AES_128_GCM_SHA256);
	petrel_put_u8(&w, 0);
	petrel_put_u16(&w, 12);
	petrel_put_u16(&w, PETREL_EXT13_KEY_SHARE);
	petrel_put_u16(&w, 2);
	petrel_put_u16(&w, group);
	petrel_put_u16(&w, PETREL_EXT13_SUPPORTED_VERSIONS);
	petrel_put_u16(&w, 2);
	petrel_put_u16(&w, PETREL_WIRE_DTLS13);
	return petrel_writer_len(&w);
}

Test(dtls13_handshake, hrr_for_an_unoffered_or_already_shared_group_is_illegal_parameter)
{
	uint16_t groups[] = {PETREL_GROUP_X25519, PETREL_GROUP_SECP256R1};
	const uint16_t bad[] = {0x0019 /* secp521r1: not offered */, PETREL_GROUP_X25519};
	for (size_t i = 0; i < 2; i++) {
		struct petrel_hs13_config ccfg = {.groups = groups, .group_count = 2};
		struct petrel_dtls13_client c;
		struct petrel_hs13_output out;
		petrel_hs13_output_init(&out);
		cr_assert_eq(petrel_dtls13_client_init(&c, &ccfg), 0);
		cr_assert_eq(petrel_dtls13_client_start(&c, &out), 0);
		petrel_hs13_output_reset(&out);
		uint8_t body[64];
		size_t len = hrr_body(body, sizeof body, bad[i]);
		cr_assert_eq(petrel_dtls13_client_handle(&c, PETREL_HT13_SERVER_HELLO, body, len, 0,
							 &out),
			     PETREL_E_ILLEGAL_PARAMETER);
		cr_assert_eq(out.alert, PETREL_ALERT13_ILLEGAL_PARAMETER);
		petrel_hs13_output_reset(&out);
		petrel_dtls13_client_free(&c);
	}
}

/* A ClientHello with some extensions left out: the server's alert. */
static void server_sees_client_hello(bool versions, bool groups, bool shares, bool sigalgs,
				     int want_rc, uint8_t want_alert, bool want_fallback)
{
	uint8_t body[512], pub[PETREL_KX_MAX_PUB_LEN], priv[PETREL_KX_PRIV_LEN];
	size_t pub_len;
	cr_assert_eq(petrel_kx_keygen(PETREL_GROUP_X25519, priv, pub, &pub_len), 0);
	struct petrel_writer w;
	struct petrel_len_scope exts, e;
	petrel_writer_init(&w, body, sizeof body);
	petrel_put_u16(&w, 0xFEFDu);
	uint8_t random[32] = {0};
	petrel_put_bytes(&w, random, 32);
	petrel_put_u8(&w, 0);
	petrel_put_u8(&w, 0);
	uint16_t suite = PETREL_TLS13_AES_128_GCM_SHA256;
	petrel_hs13_u16_list_write(&w, &suite, 1);
	petrel_put_u8(&w, 1);
	petrel_put_u8(&w, 0);
	petrel_put_len_open(&w, 2, &exts);
	if (versions) {
		uint16_t v = PETREL_WIRE_DTLS13;
		petrel_put_u16(&w, PETREL_EXT13_SUPPORTED_VERSIONS);
		petrel_put_len_open(&w, 2, &e);
		petrel_ext13_versions_write(&w, &v, 1);
		petrel_put_len_close(&w, &e);
	}
	if (groups) {
		uint16_t g = PETREL_GROUP_X25519;
		petrel_put_u16(&w, 10);
		petrel_put_len_open(&w, 2, &e);
		petrel_hs13_u16_list_write(&w, &g, 1);
		petrel_put_len_close(&w, &e);
	}
	if (sigalgs) {
		uint16_t s = PETREL_SIG_ECDSA_SECP256R1_SHA256;
		petrel_put_u16(&w, 13);
		petrel_put_len_open(&w, 2, &e);
		petrel_hs13_u16_list_write(&w, &s, 1);
		petrel_put_len_close(&w, &e);
	}
	if (shares) {
		struct petrel_key_share ks = {PETREL_GROUP_X25519, pub, pub_len};
		petrel_put_u16(&w, PETREL_EXT13_KEY_SHARE);
		petrel_put_len_open(&w, 2, &e);
		petrel_ext13_client_shares_write(&w, &ks, 1);
		petrel_put_len_close(&w, &e);
	}
	petrel_put_len_close(&w, &exts);
	cr_assert(petrel_writer_ok(&w));

	struct ident sid;
	ident_make(&sid, PETREL_KEY_EC_P256);
	struct petrel_hs13_config scfg = {0};
	server_defaults(&scfg);
	use_ident(&scfg, &sid);
	scfg.offer_dtls12 = true;
	struct petrel_dtls13_server s;
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	petrel_dtls13_server_init(&s, &scfg);
	int rc = petrel_dtls13_server_handle(&s, PETREL_HT13_CLIENT_HELLO, body,
					     petrel_writer_len(&w), 0, &out);
	cr_assert_eq(rc, want_rc, "rc %d", rc);
	cr_assert_eq(out.alert, want_alert, "alert %u", out.alert);
	cr_assert_eq(out.event == PETREL_HS13_EV_FALLBACK_12, want_fallback);
	petrel_hs13_output_reset(&out);
	petrel_dtls13_server_free(&s);
	ident_free(&sid);
}

Test(dtls13_handshake, client_hello_without_signature_algorithms_is_missing_extension)
{
	server_sees_client_hello(true, true, true, false, PETREL_E_HANDSHAKE_FAILURE,
				 PETREL_ALERT13_MISSING_EXTENSION, false);
}

Test(dtls13_handshake, key_share_without_supported_groups_is_missing_extension)
{
	server_sees_client_hello(true, false, true, true, PETREL_E_HANDSHAKE_FAILURE,
				 PETREL_ALERT13_MISSING_EXTENSION, false);
}

Test(dtls13_handshake, client_hello_without_dtls13_goes_to_the_12_server)
{
	server_sees_client_hello(false, true, true, true, 0, 0, true);
}

Test(dtls13_handshake, complete_client_hello_gets_the_whole_first_flight)
{
	server_sees_client_hello(true, true, true, true, 0, 0, false);
}

Test(dtls13_handshake, message_out_of_order_is_unexpected_message)
{
	struct petrel_hs13_config ccfg = {0};
	struct petrel_dtls13_client c;
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	cr_assert_eq(petrel_dtls13_client_init(&c, &ccfg), 0);
	cr_assert_eq(petrel_dtls13_client_start(&c, &out), 0);
	petrel_hs13_output_reset(&out);
	static const uint8_t fin[32];
	cr_assert_eq(petrel_dtls13_client_handle(&c, PETREL_HT13_FINISHED, fin, sizeof fin, 0, &out),
		     PETREL_E_UNEXPECTED_MESSAGE);
	cr_assert_eq(out.alert, PETREL_ALERT13_UNEXPECTED_MESSAGE);
	petrel_hs13_output_reset(&out);
	petrel_dtls13_client_free(&c);
}

/* ---- a recorded wolfSSL server ---- */

/* tests/vectors/dtls13/wolfssl-hrr-group.txt, second datagram: wolfSSL's
 * HelloRetryRequest asking for secp384r1 (body after the record and
 * handshake headers). */
static const char wolfssl_hrr_hex[] =
	"fefdcf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
	"00130100000c003300020018002b0002fefc";

Test(dtls13_handshake, recorded_wolfssl_hrr_makes_a_p384_client_hello)
{
	uint8_t hrr[128];
	size_t hrr_len;
	cr_assert_eq(petrel_hex_decode(wolfssl_hrr_hex, hrr, sizeof hrr, &hrr_len), 0);
	uint16_t groups[] = {PETREL_GROUP_SECP256R1, PETREL_GROUP_SECP384R1};
	struct petrel_hs13_config ccfg = {.groups = groups, .group_count = 2};
	struct petrel_dtls13_client c;
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	cr_assert_eq(petrel_dtls13_client_init(&c, &ccfg), 0);
	cr_assert_eq(petrel_dtls13_client_start(&c, &out), 0);
	petrel_hs13_output_reset(&out);
	cr_assert_eq(petrel_dtls13_client_handle(&c, PETREL_HT13_SERVER_HELLO, hrr, hrr_len, 0, &out),
		     0);
	cr_assert_eq(out.msg_count, 1);
	cr_assert_eq(out.msgs[0].type, PETREL_HT13_CLIENT_HELLO);
	cr_assert_eq(out.msgs[0].epoch, 0);
	cr_assert(c.hrr_seen);
	cr_assert_eq(c.share_count, 1);
	cr_assert_eq(c.share_group[0], PETREL_GROUP_SECP384R1);
	/* ClientHello2 offers only the HRR's suite and one P-384 share. */
	struct petrel_dtls13_server probe;
	(void)probe;
	const uint8_t *b;
	size_t bl;
	struct petrel_reader r;
	const uint8_t *x;
	size_t xl;
	petrel_reader_init(&r, out.msgs[0].body, out.msgs[0].len);
	cr_assert(petrel_skip(&r, 2 + 32) && petrel_get_opaque8(&r, &x, &xl) &&
		  petrel_get_opaque8(&r, &x, &xl) && petrel_get_opaque16(&r, &x, &xl));
	cr_assert_eq(xl, 2);
	cr_assert_eq(petrel_load_u16(x), PETREL_TLS13_AES_128_GCM_SHA256);
	cr_assert(petrel_get_opaque8(&r, &x, &xl) && petrel_get_opaque16(&r, &x, &xl));
	cr_assert_eq(petrel_ext_find(x, xl, PETREL_EXT13_KEY_SHARE, &b, &bl), 1);
	struct petrel_key_share_iter it;
	size_t n;
	cr_assert_eq(petrel_ext13_client_shares_parse(b, bl, &it, &n), 0);
	cr_assert_eq(n, 1);
	struct petrel_key_share ks;
	cr_assert(petrel_key_share_next(&it, &ks));
	cr_assert_eq(ks.group, PETREL_GROUP_SECP384R1);
	cr_assert_eq(ks.key_exchange_len, 97);
	petrel_hs13_output_reset(&out);
	petrel_dtls13_client_free(&c);
}

/* ---- more combinations ---- */

Test(dtls13_handshake, external_psk_after_hrr_binds_the_second_client_hello)
{
	struct petrel_hs13_config ccfg = {0}, scfg = {0};
	uint16_t cgroups[2] = {PETREL_GROUP_X25519, PETREL_GROUP_SECP256R1};
	uint16_t sgroups[1] = {PETREL_GROUP_SECP256R1};
	ccfg.groups = cgroups;
	ccfg.group_count = 2;
	ccfg.psk = ext_psk;
	ccfg.psk_len = 32;
	ccfg.psk_hash = PETREL_HASH_SHA256;
	ccfg.psk_identity = ext_id;
	ccfg.psk_identity_len = sizeof ext_id - 1;
	server_defaults(&scfg);
	scfg.psk_lookup = lookup;
	scfg.groups = sgroups;
	scfg.group_count = 1;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	p.stateless = true;
	pair_run(&p);
	assert_connected(&p);
	cr_assert_eq(p.hrr_count, 1);
	cr_assert(p.c.psk_accepted && p.s.psk_accepted);
	cr_assert_eq(p.s.group, PETREL_GROUP_SECP256R1);
	pair_free(&p);
}

Test(dtls13_handshake, ticket_under_another_key_falls_back_to_a_full_handshake)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	scfg.send_ticket = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	assert_connected(&p);
	petrel_hs13_output_reset(&p.co);
	cr_assert_eq(petrel_dtls13_client_handle(&p.c, p.so.msgs[0].type, p.so.msgs[0].body,
						 p.so.msgs[0].len, 5000, &p.co), 0);
	struct petrel_dtls13_ticket t = p.c.ticket;
	pair_free(&p);

	struct petrel_hs13_config rcfg = {0};
	rcfg.psk = t.psk;
	rcfg.psk_len = t.psk_len;
	rcfg.psk_hash = t.hash;
	rcfg.psk_identity = t.ticket;
	rcfg.psk_identity_len = t.ticket_len;
	rcfg.psk_resumption = true;
	pin_to(&rcfg, &sid);
	static const struct petrel_ticket_keys rotated = {.prk = {0xee}};
	scfg.ticket_keys = &rotated; /* the server forgot the old ticket key */
	pair_init(&p, &rcfg, &scfg);
	pair_run(&p);
	assert_connected(&p);
	cr_assert_not(p.s.psk_accepted);
	cr_assert_not(p.c.psk_accepted);
	cr_assert_eq(p.c.peer.count, 1); /* the certificate came again */
	pair_free(&p);
	ident_free(&sid);
}

Test(dtls13_handshake, optional_client_certificate_may_be_empty)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	scfg.request_client_cert = true;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	assert_connected(&p);
	cr_assert(p.c.cert_requested);
	cr_assert_eq(p.s.peer.count, 0);
	pair_free(&p);
	ident_free(&sid);
}

/* ---- certificate chains (tests/fixtures/x509) ---- */

#include <stdio.h>

#define FIXTURE_NOW 1798761600 /* 2027-01-01: inside the fixtures' validity */

static char *read_fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tests/fixtures/x509/%s", PETREL_SRCDIR, name);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	char *b = malloc(16384);
	*len = fread(b, 1, 16383, f);
	b[*len] = 0;
	fclose(f);
	return b;
}

static uint8_t *fixture_der(const char *name, size_t *der_len)
{
	size_t len, pos = 0;
	char *pem = read_fixture(name, &len);
	char label[PETREL_PEM_LABEL_MAX];
	uint8_t *der;
	cr_assert_eq(petrel_pem_next(pem, len, &pos, label, &der, der_len), 1);
	free(pem);
	return der;
}

static void chain_handshake(const char *prefix, const char *host, int want_client_rc)
{
	char name[64];
	uint8_t *der[2];
	size_t der_len[2], key_len;
	snprintf(name, sizeof name, "%s-leaf.pem", prefix);
	der[0] = fixture_der(name, &der_len[0]);
	snprintf(name, sizeof name, "%s-int.pem", prefix);
	der[1] = fixture_der(name, &der_len[1]);
	snprintf(name, sizeof name, "%s-leaf.key", prefix);
	char *key_pem = read_fixture(name, &key_len);
	struct petrel_privkey *key;
	cr_assert_eq(petrel_x509_privkey_from_pem(key_pem, key_len, &key), 0);
	free(key_pem);
	snprintf(name, sizeof name, "%s-root.pem", prefix);
	size_t root_len;
	char *root_pem = read_fixture(name, &root_len);
	struct petrel_x509_store store;
	petrel_x509_store_init(&store);
	cr_assert_eq(petrel_x509_store_add_pem(&store, root_pem, root_len), 1);
	free(root_pem);

	const uint8_t *chain[2] = {der[0], der[1]};
	struct petrel_hs13_config ccfg = {0}, scfg = {0};
	ccfg.verifier.mode = PETREL_HS13_VERIFY_CHAIN;
	ccfg.verifier.store = &store;
	ccfg.verifier.host = host;
	ccfg.verifier.now_s = FIXTURE_NOW;
	server_defaults(&scfg);
	scfg.key = key;
	scfg.chain = chain;
	scfg.chain_lens = der_len;
	scfg.chain_count = 2;
	struct pair p;
	pair_init(&p, &ccfg, &scfg);
	pair_run(&p);
	if (want_client_rc == 0) {
		assert_connected(&p);
		cr_assert_eq(p.c.peer.count, 2);
	} else {
		cr_assert_eq(p.client_rc, want_client_rc, "client rc %d", p.client_rc);
		cr_assert_eq(p.client_alert, PETREL_ALERT13_CERTIFICATE_UNKNOWN);
	}
	pair_free(&p);
	petrel_x509_store_free(&store);
	petrel_privkey_free(key);
	free(der[0]);
	free(der[1]);
}

Test(dtls13_handshake, rsa_pss_certificate_chain_to_a_trusted_root_connects)
{
	chain_handshake("rsa", "leaf.petrel.test", 0);
}

Test(dtls13_handshake, ecdsa_certificate_chain_to_a_trusted_root_connects)
{
	chain_handshake("ec", "leaf.petrel.test", 0);
}

Test(dtls13_handshake, certificate_for_another_host_is_refused)
{
	chain_handshake("ec", "other.example", PETREL_E_CERT_NAME_MISMATCH);
}

Test(dtls13_handshake, cookie_older_than_a_minute_is_refused)
{
	struct ident sid;
	struct petrel_hs13_config ccfg, scfg;
	pinned_configs(&sid, PETREL_KEY_EC_P256, &ccfg, &scfg);
	scfg.force_hrr = true;
	struct petrel_dtls13_client c;
	struct petrel_dtls13_server s;
	struct petrel_hs13_output co, so;
	petrel_hs13_output_init(&co);
	petrel_hs13_output_init(&so);
	cr_assert_eq(petrel_dtls13_client_init(&c, &ccfg), 0);
	cr_assert_eq(petrel_dtls13_server_init(&s, &scfg), 0);
	cr_assert_eq(petrel_dtls13_client_start(&c, &co), 0);
	cr_assert_eq(petrel_dtls13_server_handle(&s, co.msgs[0].type, co.msgs[0].body, co.msgs[0].len,
						 1000, &so), 0);
	cr_assert_eq(so.event, PETREL_HS13_EV_STATELESS_HRR);
	petrel_hs13_output_reset(&co);
	cr_assert_eq(petrel_dtls13_client_handle(&c, so.msgs[0].type, so.msgs[0].body, so.msgs[0].len,
						 1100, &co), 0);
	petrel_hs13_output_reset(&so);
	petrel_dtls13_server_free(&s);
	cr_assert_eq(petrel_dtls13_server_init(&s, &scfg), 0);
	cr_assert_eq(petrel_dtls13_server_handle(&s, co.msgs[0].type, co.msgs[0].body, co.msgs[0].len,
						 1000 + PETREL_HS13_COOKIE_MAX_AGE_MS + 1, &so),
		     PETREL_E_BAD_COOKIE);
	cr_assert_eq(so.alert, PETREL_ALERT13_ILLEGAL_PARAMETER);
	petrel_hs13_output_reset(&co);
	petrel_hs13_output_reset(&so);
	petrel_dtls13_client_free(&c);
	petrel_dtls13_server_free(&s);
	ident_free(&sid);
}
