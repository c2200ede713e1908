/* DTLS 1.3 client handshake core (see client13.h). */
#include <stdlib.h>
#include <string.h>

#include "dtls13/client13.h"
#include "dtls13/ka13_ext.h" /* ka13 */
#include "dtls13/export13_psk.h"
#include "petrel/petrel.h"

#define FAIL(rc, alert) petrel_hs13_fail(out, (rc), (alert))
#define UNEXPECTED 1 /* positive: never a PETREL_E_* code */

int petrel_dtls13_client_init(struct petrel_dtls13_client *c, const struct petrel_hs13_config *cfg)
{
	memset(c, 0, sizeof *c);
	c->cfg = *cfg;
	if (cfg->psk != NULL &&
	    (cfg->psk_len == 0 || cfg->psk_len > PETREL_MAX_HASH_LEN || cfg->psk_identity == NULL ||
	     cfg->psk_identity_len == 0 || cfg->psk_identity_len > PETREL_HS13_MAX_PSK_IDENTITY))
		return PETREL_E_INVALID_REQUEST;
	if (cfg->psk == NULL && cfg->psk_only)
		return PETREL_E_INVALID_REQUEST;
	c->offer_psk = cfg->psk != NULL;
	/* Both binders share one truncated-hello hash: same hash only. */
	c->offer_ext_psk = c->offer_psk && cfg->psk_resumption && cfg->ext_psk != NULL &&
			   cfg->ext_psk_len > 0 && cfg->ext_psk_len <= PETREL_MAX_HASH_LEN &&
			   cfg->ext_psk_identity_len > 0 &&
			   cfg->ext_psk_identity_len <= PETREL_HS13_MAX_PSK_IDENTITY &&
			   cfg->psk_hash == PETREL_HASH_SHA256;
	petrel_random(c->random, sizeof c->random);
	/* A 1.2 session offered too (RFC 5246 7.4.1.2), or a fresh ID with
	 * its ticket so the echo tells us it was accepted (RFC 5077 3.4). */
	if (cfg->offer_dtls12 && cfg->session_id12_len > 0 &&
	    cfg->session_id12_len <= sizeof c->legacy_sid) {
		memcpy(c->legacy_sid, cfg->session_id12, cfg->session_id12_len);
		c->legacy_sid_len = cfg->session_id12_len;
	} else if (cfg->offer_dtls12 && cfg->offer_ticket12 && cfg->ticket12_len > 0) {
		petrel_random(c->legacy_sid, sizeof c->legacy_sid);
		c->legacy_sid_len = sizeof c->legacy_sid;
	}
	return 0;
}

void petrel_dtls13_client_free(struct petrel_dtls13_client *c)
{
	petrel_hs13_peer_chain_free(&c->peer);
	petrel_dtls13_ks_wipe(&c->ks);
	petrel_dtls13_transcript_wipe(&c->transcript);
	petrel_wipe(c, sizeof *c);
}

static int put_ext(struct petrel_writer *w, uint16_t type, struct petrel_len_scope *s)
{
	return petrel_put_u16(w, type) && petrel_put_len_open(w, 2, s) ? 0 : PETREL_E_SHORT_BUFFER;
}

static int close_ext(struct petrel_writer *w, struct petrel_len_scope *s)
{
	return petrel_put_len_close(w, s) ? 0 : PETREL_E_SHORT_BUFFER;
}

static int make_share(struct petrel_dtls13_client *c, uint16_t group, struct petrel_key_share *ks,
		      uint8_t *pub, size_t *pub_len)
{
	size_t i = c->share_count;
	if (i >= 2)
		return PETREL_E_LIMIT_EXCEEDED;
	int rc = petrel_kx_keygen((enum petrel_group)group, c->share_priv[i], pub, pub_len);
	if (rc < 0)
		return rc;
	c->share_group[i] = group;
	memcpy(c->share_pub[i], pub, *pub_len);
	c->share_pub_len[i] = *pub_len;
	c->share_count++;
	ks->group = group;
	ks->key_exchange = c->share_pub[i];
	ks->key_exchange_len = *pub_len;
	return 0;
}

/* The supported_groups list: the 1.3 groups, and P-384 too when 1.2 is
 * offered with the default groups: in 1.2 the list also names the curves
 * a server's ECDSA certificate may use (RFC 8422 5.1; OpenSSL refuses a
 * P-384 certificate unless listed), as dtls12/client12.c our_groups. Key
 * shares still go for the first groups only (petrel_dtls13_client_start). */
static const uint16_t *listed_groups(const struct petrel_dtls13_client *c, size_t *count)
{
	static const uint16_t with_p384[] = {PETREL_GROUP_X25519, PETREL_GROUP_SECP256R1,
					     PETREL_GROUP_SECP384R1};
	if (!c->cfg.offer_dtls12 || (c->cfg.groups != NULL && c->cfg.group_count > 0))
		return petrel_hs13_groups(&c->cfg, count);
	*count = sizeof with_p384 / sizeof with_p384[0];
	return with_p384;
}

/* Builds ClientHello into c->ch. shares: the key shares to send. The PSK
 * binder covers the transcript before it (after an HRR: message_hash,
 * HelloRetryRequest) and this ClientHello up to the binders (RFC 8446
 * 4.2.11.2). */
static int build_client_hello(struct petrel_dtls13_client *c, const struct petrel_key_share *shares,
			      size_t share_n)
{
	size_t suite_n, group_n;
	const uint16_t *suites = petrel_hs13_suites(&c->cfg, &suite_n);
	const uint16_t *groups = listed_groups(c, &group_n);
	struct petrel_writer w;
	struct petrel_len_scope exts, e, list;
	petrel_writer_init(&w, c->ch, sizeof c->ch);
	petrel_put_u16(&w, 0xFEFDu); /* legacy_version: DTLS 1.2 (RFC 9147 5.3) */
	petrel_put_bytes(&w, c->random, 32);
	/* legacy_session_id: empty, or a 1.2 session's (RFC 8446 4.1.2) */
	petrel_put_opaque8(&w, c->legacy_sid, c->legacy_sid_len);
	/* legacy_cookie: empty in DTLS 1.3 (RFC 9147 5.3), a 1.2 server's
	 * cookie after its HelloVerifyRequest (we offer 1.2 too). */
	petrel_put_opaque8(&w, c->legacy_cookie, c->legacy_cookie_len);
	petrel_put_len_open(&w, 2, &list);
	for (size_t i = 0; i < suite_n; i++)
		if (!c->hrr_suite_set || suites[i] == c->hrr_suite)
			petrel_put_u16(&w, suites[i]);
	for (size_t i = 0; c->cfg.offer_dtls12 && !c->hrr_seen && i < c->cfg.suite12_count; i++)
		petrel_put_u16(&w, c->cfg.suites12[i]);
	petrel_put_len_close(&w, &list);
	petrel_put_u8(&w, 1);
	petrel_put_u8(&w, 0); /* null compression only */
	petrel_put_len_open(&w, 2, &exts);

	uint16_t versions[2] = {PETREL_WIRE_DTLS13, 0xFEFDu};
	int rc = put_ext(&w, PETREL_EXT13_SUPPORTED_VERSIONS, &e);
	if (rc == 0)
		rc = petrel_ext13_versions_write(&w, versions, c->cfg.offer_dtls12 ? 2 : 1);
	if (rc == 0)
		rc = close_ext(&w, &e);
	/* supported_groups and key_share go together (RFC 8446 9.2): both
	 * left out for psk_ke only. */
	if (rc == 0 && !c->cfg.psk_only && (rc = put_ext(&w, 10 /* supported_groups */, &e)) == 0 &&
	    (rc = petrel_hs13_u16_list_write(&w, groups, group_n)) == 0)
		rc = close_ext(&w, &e);
	if (rc == 0 && (rc = put_ext(&w, 13 /* signature_algorithms */, &e)) == 0) {
		uint16_t schemes[32];
		size_t n = 0;
		for (size_t i = 0; i < petrel_hs13_sig_scheme_count && n < 32; i++)
			schemes[n++] = petrel_hs13_sig_schemes[i];
		for (size_t i = 0; c->cfg.offer_dtls12 && i < c->cfg.sig_scheme12_count && n < 32; i++)
			if (!petrel_hs13_u16_in(schemes, n, c->cfg.sig_schemes12[i]))
				schemes[n++] = c->cfg.sig_schemes12[i];
		rc = petrel_hs13_u16_list_write(&w, schemes, n);
		if (rc == 0)
			rc = close_ext(&w, &e);
	}
	if (rc == 0) /* server_name, ALPN (RFC 6066 3, RFC 7301 3.1) */
		rc = petrel_ext13_names_client_write(&c->names, &c->cfg, &w);
	/* For a DTLS 1.2 server (RFC 8422 5.1.2, RFC 7627 5.1, RFC 5746 3.4):
	 * uncompressed points, extended master secret, an empty
	 * renegotiation_info. A 1.3 server ignores them (RFC 8446 4.1.2). */
	if (rc == 0 && c->cfg.offer_dtls12 && !c->hrr_seen) {
		static const uint8_t formats[] = {1, 0};
		static const uint8_t reneg[] = {0};
		if ((rc = put_ext(&w, 11 /* ec_point_formats */, &e)) == 0 &&
		    petrel_put_bytes(&w, formats, sizeof formats))
			rc = close_ext(&w, &e);
		if (rc == 0 && (rc = put_ext(&w, 23 /* extended_master_secret */, &e)) == 0)
			rc = close_ext(&w, &e);
		if (rc == 0 && (rc = put_ext(&w, 0xff01 /* renegotiation_info */, &e)) == 0 &&
		    petrel_put_bytes(&w, reneg, sizeof reneg))
			rc = close_ext(&w, &e);
		/* RFC 5077 3.2: the 1.2 ticket to resume, or empty to get one. */
		if (rc == 0 && c->cfg.offer_ticket12 &&
		    (rc = put_ext(&w, 35 /* session_ticket */, &e)) == 0 &&
		    petrel_put_bytes(&w, c->cfg.ticket12, c->cfg.ticket12_len))
			rc = close_ext(&w, &e);
	}
	if (rc == 0 && !c->cfg.psk_only && (rc = put_ext(&w, PETREL_EXT13_KEY_SHARE, &e)) == 0 &&
	    (rc = petrel_ext13_client_shares_write(&w, shares, share_n)) == 0)
		rc = close_ext(&w, &e);
	if (rc == 0 && c->cookie_len > 0 && (rc = put_ext(&w, PETREL_EXT13_COOKIE, &e)) == 0 &&
	    (rc = petrel_ext13_cookie_write(&w, c->cookie, c->cookie_len)) == 0)
		rc = close_ext(&w, &e);
	if (rc == 0) /* use_srtp (RFC 5764 4.1.1), when configured */
		rc = petrel_srtp13_client_hello_ext(&w, c->cfg.srtp);
	if (rc == 0) /* certificate types (RFC 7250 4.1), when raw keys are used */
		rc = petrel_rpk13_client_hello_ext(&c->cfg.rpk, &w);
	if (rc == 0) /* ka13: heartbeat (RFC 6520 2) for a 1.2 server's heartbeats */
		rc = petrel_ka13_heartbeat_offer_write(&w, c->cfg.offer_heartbeat);
	if (rc == 0) /* RFC 9147 9; before pre_shared_key, the last one */
		rc = petrel_cid13_write_offer(&c->cfg.cid, &w);
	uint8_t *binders_at = NULL;
	size_t hash_len = c->offer_psk ? petrel_hash_len(c->cfg.psk_hash) : 0;
	if (rc == 0 && c->offer_psk) {
		struct petrel_psk_modes modes;
		petrel_psk13_client_offer(&c->cfg, &modes);
		if ((rc = put_ext(&w, PETREL_EXT13_PSK_KEY_EXCHANGE_MODES, &e)) == 0 &&
		    (rc = petrel_ext13_psk_modes_write(&w, &modes)) == 0)
			rc = close_ext(&w, &e);
		/* pre_shared_key is the last extension (RFC 8446 4.2.11). */
		struct petrel_psk_identity ids[2] = {
			{c->cfg.psk_identity, c->cfg.psk_identity_len, c->cfg.psk_obfuscated_age},
			{c->cfg.ext_psk_identity, c->cfg.ext_psk_identity_len, 0}};
		size_t n = c->offer_ext_psk ? 2 : 1;
		if (rc == 0 && (rc = put_ext(&w, PETREL_EXT13_PRE_SHARED_KEY, &e)) == 0 &&
		    (rc = petrel_ext13_offered_psks_write(&w, ids, n, hash_len, &binders_at)) == 0)
			rc = close_ext(&w, &e);
	}
	if (rc == 0 && !petrel_put_len_close(&w, &exts))
		rc = PETREL_E_SHORT_BUFFER;
	if (rc == 0 && !petrel_writer_ok(&w))
		rc = PETREL_E_SHORT_BUFFER;
	if (rc < 0)
		return rc;
	c->ch_len = petrel_writer_len(&w);
	if (binders_at != NULL) {
		size_t truncated = (size_t)(binders_at - c->ch);
		uint8_t th[PETREL_MAX_HASH_LEN], binder_key[PETREL_MAX_HASH_LEN];
		struct petrel_dtls13_ks early;
		petrel_hs13_truncated_hash(c->transcript_started ? &c->transcript : NULL,
					   c->cfg.psk_hash, c->ch, c->ch_len, truncated, th);
		/* binders list: u16 length, then u8 length and binder each */
		for (size_t i = 0; rc == 0 && i < (c->offer_ext_psk ? 2u : 1u); i++) {
			bool ext = i == 1;
			rc = petrel_dtls13_ks_init(&early, c->cfg.psk_hash,
						   ext ? c->cfg.ext_psk : c->cfg.psk,
						   ext ? c->cfg.ext_psk_len : c->cfg.psk_len);
			if (rc == 0)
				rc = petrel_dtls13_binder_key(&early, !ext && c->cfg.psk_resumption,
							      binder_key);
			if (rc == 0)
				rc = petrel_dtls13_finished(c->cfg.psk_hash, PETREL_DTLS13_LABEL_PREFIX,
							    binder_key, th,
							    binders_at + 3 + i * (1 + hash_len));
			petrel_dtls13_ks_wipe(&early);
		}
		petrel_wipe(binder_key, sizeof binder_key);
	}
	return rc;
}

static int emit_client_hello(struct petrel_dtls13_client *c, struct petrel_hs13_output *out)
{
	struct petrel_writer w;
	int rc = petrel_hs13_out_begin(out, c->ch_len, &w);
	if (rc < 0)
		return rc;
	petrel_put_bytes(&w, c->ch, c->ch_len);
	return petrel_hs13_out_commit(out, PETREL_HT13_CLIENT_HELLO, PETREL_EPOCH13_PLAINTEXT, &w);
}

int petrel_dtls13_client_start(struct petrel_dtls13_client *c, struct petrel_hs13_output *out)
{
	if (c->state != PETREL_C13_START)
		return PETREL_E_INVALID_REQUEST;
	size_t group_n;
	const uint16_t *groups = petrel_hs13_groups(&c->cfg, &group_n);
	size_t want = c->cfg.key_share_count ? c->cfg.key_share_count : 1;
	if (want > 2 || want > group_n)
		return PETREL_E_INVALID_REQUEST;
	struct petrel_key_share shares[2];
	uint8_t pubs[2][PETREL_KX_MAX_PUB_LEN];
	size_t pub_len[2];
	int rc = 0;
	for (size_t i = 0; rc == 0 && !c->cfg.psk_only && i < want; i++)
		rc = make_share(c, groups[i], &shares[i], pubs[i], &pub_len[i]);
	if (rc == 0)
		rc = build_client_hello(c, shares, c->cfg.psk_only ? 0 : want);
	if (rc == 0)
		rc = emit_client_hello(c, out);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	c->state = PETREL_C13_WAIT_SH;
	return 0;
}

/* ServerHello and HelloRetryRequest share a layout (RFC 8446 4.1.3). */
struct sh13 {
	uint16_t legacy_version;
	const uint8_t *random;
	uint16_t suite;
	const uint8_t *exts;
	size_t exts_len;
	bool has_exts;
	const uint8_t *sid;
	size_t sid_len;
};

static int parse_sh(const uint8_t *body, size_t len, struct sh13 *sh)
{
	struct petrel_reader r;
	const uint8_t *sid;
	size_t sid_len;
	uint8_t comp;
	petrel_reader_init(&r, body, len);
	memset(sh, 0, sizeof *sh);
	if (!petrel_get_u16(&r, &sh->legacy_version) || !petrel_get_bytes(&r, 32, &sh->random) ||
	    !petrel_get_opaque8(&r, &sid, &sid_len) || sid_len > 32 ||
	    !petrel_get_u16(&r, &sh->suite) || !petrel_get_u8(&r, &comp))
		return PETREL_E_DECODE_ERROR;
	if (petrel_reader_left(&r) > 0) {
		if (!petrel_get_opaque16(&r, &sh->exts, &sh->exts_len) || !petrel_reader_done(&r))
			return PETREL_E_DECODE_ERROR;
		sh->has_exts = true;
	}
	sh->sid = sid;
	sh->sid_len = sid_len; /* a 1.2 server may give a session ID */
	if (comp != 0)
		return PETREL_E_ILLEGAL_PARAMETER;
	return 0;
}

static bool offered_suite(const struct petrel_dtls13_client *c, uint16_t suite)
{
	size_t n;
	const uint16_t *suites = petrel_hs13_suites(&c->cfg, &n);
	return petrel_hs13_u16_in(suites, n, suite);
}

static int set_suite(struct petrel_dtls13_client *c, uint16_t suite)
{
	if (!offered_suite(c, suite))
		return PETREL_E_ILLEGAL_PARAMETER;
	int rc = petrel_tls13_suite_params(suite, &c->hash, &c->aead);
	if (rc < 0)
		return PETREL_E_ILLEGAL_PARAMETER;
	c->suite = suite;
	return 0;
}

static int selected_version(const struct sh13 *sh, uint16_t *version)
{
	const uint8_t *b;
	size_t bl;
	int rc = petrel_ext_find(sh->exts, sh->exts_len, PETREL_EXT13_SUPPORTED_VERSIONS, &b, &bl);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return 0;
	return petrel_ext13_selected_version_parse(b, bl, version) < 0 ? PETREL_E_DECODE_ERROR : 1;
}

static int handle_hrr(struct petrel_dtls13_client *c, const struct sh13 *sh, const uint8_t *body,
		      size_t len, struct petrel_hs13_output *out)
{
	/* RFC 8446 4.1.4: at most one HelloRetryRequest. */
	if (c->hrr_seen)
		return FAIL(PETREL_E_UNEXPECTED_MESSAGE, 0);
	int rc = set_suite(c, sh->suite);
	if (rc < 0)
		return FAIL(rc, 0);
	const uint8_t *b;
	size_t bl;
	uint16_t group = 0;
	bool new_group = false;
	rc = petrel_ext_find(sh->exts, sh->exts_len, PETREL_EXT13_KEY_SHARE, &b, &bl);
	if (rc == 1) {
		if (petrel_ext13_hrr_group_parse(b, bl, &group) < 0)
			return FAIL(PETREL_E_DECODE_ERROR, 0);
		size_t group_n;
		const uint16_t *groups = listed_groups(c, &group_n);
		/* A group we did not list, or one we already sent a share
		 * for: illegal_parameter (RFC 8446 4.2.8). */
		if (!petrel_hs13_u16_in(groups, group_n, group) ||
		    petrel_hs13_u16_in(c->share_group, c->share_count, group) || c->cfg.psk_only)
			return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
		new_group = true;
	} else if (rc < 0) {
		return FAIL(rc, 0);
	}
	/* The block is checked whole above (petrel_ext_find): a plain walk. */
	struct petrel_ext_iter it;
	uint16_t ext_type;
	petrel_ext_iter_init(&it, sh->exts, sh->exts_len);
	while ((rc = petrel_ext_iter_next(&it, &ext_type, &b, &bl)) == 1 &&
	       ext_type != PETREL_EXT13_COOKIE)
		;
	if (rc == 1) {
		const uint8_t *cookie;
		size_t cookie_len;
		if (petrel_ext13_cookie_parse(b, bl, &cookie, &cookie_len) < 0)
			return FAIL(PETREL_E_DECODE_ERROR, 0);
		if (cookie_len > sizeof c->cookie)
			return FAIL(PETREL_E_LIMIT_EXCEEDED, PETREL_ALERT13_ILLEGAL_PARAMETER);
		memcpy(c->cookie, cookie, cookie_len);
		c->cookie_len = cookie_len;
	} else if (rc < 0) {
		return FAIL(rc, 0);
	}
	/* An HRR that would not change the ClientHello: illegal_parameter. */
	if (!new_group && c->cookie_len == 0)
		return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
	/* Transcript: message_hash(ClientHello1) || HelloRetryRequest (4.4.1). */
	petrel_dtls13_transcript_init(&c->transcript, c->hash);
	c->transcript_started = true;
	rc = petrel_dtls13_transcript_add(&c->transcript, PETREL_HT13_CLIENT_HELLO, c->ch, c->ch_len);
	if (rc == 0)
		rc = petrel_dtls13_transcript_hrr(&c->transcript);
	if (rc == 0)
		rc = petrel_dtls13_transcript_add(&c->transcript, PETREL_HT13_SERVER_HELLO, body, len);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	c->hrr_seen = true;
	c->hrr_suite_set = true;
	c->hrr_suite = sh->suite;
	/* A PSK whose hash is not the suite's cannot be used now (4.1.4). */
	if (c->offer_psk && c->cfg.psk_hash != c->hash) {
		if (c->cfg.psk_only)
			return FAIL(PETREL_E_HANDSHAKE_FAILURE, PETREL_ALERT13_ILLEGAL_PARAMETER);
		c->offer_psk = false;
	}
	struct petrel_key_share shares[2];
	uint8_t pub[PETREL_KX_MAX_PUB_LEN];
	size_t pub_len = 0, share_n = 0;
	if (new_group) {
		/* Only the requested group's share goes in ClientHello2. */
		petrel_wipe(c->share_priv, sizeof c->share_priv);
		c->share_count = 0;
		rc = make_share(c, group, &shares[0], pub, &pub_len);
		share_n = 1;
	} else {
		/* Cookie only: the same shares again (RFC 8446 4.1.2). */
		for (size_t i = 0; i < c->share_count; i++) {
			shares[i].group = c->share_group[i];
			shares[i].key_exchange = c->share_pub[i];
			shares[i].key_exchange_len = c->share_pub_len[i];
		}
		share_n = c->share_count;
	}
	if (rc == 0)
		rc = build_client_hello(c, shares, share_n);
	if (rc == 0)
		rc = emit_client_hello(c, out);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	return 0;
}

static int handle_server_hello(struct petrel_dtls13_client *c, const uint8_t *body, size_t len,
			       struct petrel_hs13_output *out)
{
	struct sh13 sh;
	int rc = parse_sh(body, len, &sh);
	if (rc < 0)
		return FAIL(rc, 0);
	uint16_t version = 0;
	rc = sh.has_exts ? selected_version(&sh, &version) : 0;
	if (rc < 0)
		return FAIL(rc, 0);
	if (rc == 0) {
		/* No supported_versions: the server speaks DTLS 1.2 or older. A
		 * 1.3 server doing that on purpose marks its random; seeing the
		 * mark means an attacker removed 1.3 (RFC 8446 4.1.3). */
		if (petrel_random_has_downgrade_sentinel(sh.random))
			return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
		if (!c->cfg.offer_dtls12 || sh.legacy_version != 0xFEFDu || c->hrr_seen)
			return FAIL(PETREL_E_PROTOCOL_VERSION, 0);
		out->event = PETREL_HS13_EV_FALLBACK_12;
		out->fallback_body = body;
		out->fallback_len = len;
		c->state = PETREL_C13_FALLBACK;
		return 0;
	}
	/* RFC 8446 4.2.1: selected_version must be one we offered, and the
	 * legacy_version stays DTLS 1.2; our legacy_session_id was empty, so
	 * the echo must be (4.1.3). */
	if (version != PETREL_WIRE_DTLS13 || sh.legacy_version != 0xFEFDu ||
	    sh.sid_len != c->legacy_sid_len ||
	    (sh.sid_len > 0 && memcmp(sh.sid, c->legacy_sid, sh.sid_len) != 0))
		return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
	if (memcmp(sh.random, petrel_hrr_random, 32) == 0)
		return handle_hrr(c, &sh, body, len, out);
	if (c->hrr_seen && sh.suite != c->hrr_suite)
		return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
	rc = set_suite(c, sh.suite);
	if (rc < 0)
		return FAIL(rc, 0);

	/* pre_shared_key: the index of the identity the server took. */
	const uint8_t *b;
	size_t bl;
	const uint8_t *psk = NULL;
	size_t psk_len = 0;
	rc = petrel_ext_find(sh.exts, sh.exts_len, PETREL_EXT13_PRE_SHARED_KEY, &b, &bl);
	if (rc < 0)
		return FAIL(rc, 0);
	if (rc == 1) {
		uint16_t index;
		if (petrel_ext13_selected_identity_parse(b, bl, &index) < 0)
			return FAIL(PETREL_E_DECODE_ERROR, 0);
		/* 4.2.11: out of range, or a PSK whose hash is not the suite's. */
		if (!c->offer_psk || index > (c->offer_ext_psk ? 1 : 0) || c->cfg.psk_hash != c->hash)
			return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
		c->psk_accepted = true;
		c->psk_index = index;
		psk = index == 1 ? c->cfg.ext_psk : c->cfg.psk;
		psk_len = index == 1 ? c->cfg.ext_psk_len : c->cfg.psk_len;
	} else if (c->cfg.psk_only) {
		return FAIL(PETREL_E_HANDSHAKE_FAILURE, PETREL_ALERT13_MISSING_EXTENSION);
	}
	uint8_t shared[PETREL_KX_SHARED_LEN];
	size_t shared_len = 0;
	rc = petrel_ext_find(sh.exts, sh.exts_len, PETREL_EXT13_KEY_SHARE, &b, &bl);
	if (rc < 0)
		return FAIL(rc, 0);
	if (rc == 1) {
		struct petrel_key_share share;
		if (petrel_ext13_server_share_parse(b, bl, &share) < 0)
			return FAIL(PETREL_E_DECODE_ERROR, 0);
		size_t i = 0;
		while (i < c->share_count && c->share_group[i] != share.group)
			i++;
		if (i == c->share_count) /* a group we sent no share for */
			return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
		c->group = share.group; /* for petrel_session_get_group_name */
		rc = petrel_kx_derive((enum petrel_group)share.group, c->share_priv[i],
				      share.key_exchange, share.key_exchange_len, shared);
		if (rc < 0)
			return FAIL(rc, PETREL_ALERT13_ILLEGAL_PARAMETER);
		shared_len = petrel_kx_shared_len((enum petrel_group)share.group);
	} else if (!c->psk_accepted) {
		/* Certificate mode needs (EC)DHE (RFC 8446 4.2.8, 9.2). */
		return FAIL(PETREL_E_HANDSHAKE_FAILURE, PETREL_ALERT13_MISSING_EXTENSION);
	}
	/* RFC 8446 4.2.9: the PSK mode must be one we offered. */
	if (c->psk_accepted && !petrel_psk13_client_accepts(&c->cfg, shared_len > 0)) {
		petrel_wipe(shared, sizeof shared);
		return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
	}
	petrel_wipe(c->share_priv, sizeof c->share_priv);
	rc = petrel_cid13_client_on_server_hello(&c->cfg.cid, sh.exts, sh.exts_len);
	if (rc < 0) /* RFC 9147 9 */
		return FAIL(rc, rc == PETREL_E_UNSUPPORTED ? 110 /* unsupported_extension */ : 0);

	if (!c->transcript_started) {
		petrel_dtls13_transcript_init(&c->transcript, c->hash);
		c->transcript_started = true;
	}
	rc = petrel_dtls13_transcript_add(&c->transcript, PETREL_HT13_CLIENT_HELLO, c->ch, c->ch_len);
	if (rc == 0)
		rc = petrel_dtls13_transcript_add(&c->transcript, PETREL_HT13_SERVER_HELLO, body, len);
	uint8_t th[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&c->transcript, th);
	if (rc == 0)
		rc = petrel_dtls13_ks_init(&c->ks, c->hash, psk, psk_len);
	if (rc == 0)
		rc = petrel_dtls13_ks_handshake(&c->ks, shared_len ? shared : NULL, shared_len, th);
	petrel_wipe(shared, sizeof shared);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	petrel_hs13_out_key(out, false, PETREL_EPOCH13_HANDSHAKE, c->ks.server_handshake_traffic,
			    c->ks.hash_len);
	petrel_hs13_out_key(out, true, PETREL_EPOCH13_HANDSHAKE, c->ks.client_handshake_traffic,
			    c->ks.hash_len);
	c->state = PETREL_C13_WAIT_EE;
	return 0;
}

static int add_msg(struct petrel_dtls13_client *c, uint8_t type, const uint8_t *body, size_t len,
		   struct petrel_hs13_output *out)
{
	int rc = petrel_dtls13_transcript_add(&c->transcript, type, body, len);
	return rc < 0 ? FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR) : 0;
}

static int handle_encrypted_extensions(struct petrel_dtls13_client *c, const uint8_t *body,
				       size_t len, struct petrel_hs13_output *out)
{
	const uint8_t *block;
	size_t block_len;
	int rc = petrel_encrypted_extensions_parse(body, len, &block, &block_len);
	if (rc < 0)
		return FAIL(rc, 0);
	/* RFC 8446 4.3.1: extensions that belong in ServerHello (or that
	 * we never offered) here are illegal_parameter / unsupported. */
	static const uint16_t forbidden[] = {PETREL_EXT13_KEY_SHARE, PETREL_EXT13_PRE_SHARED_KEY,
					     PETREL_EXT13_SUPPORTED_VERSIONS, PETREL_EXT13_COOKIE};
	for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++) {
		const uint8_t *b;
		size_t bl;
		rc = petrel_ext_find(block, block_len, forbidden[i], &b, &bl);
		if (rc < 0)
			return FAIL(rc, 0);
		if (rc == 1)
			return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
	}
	uint8_t srtp_alert;
	rc = petrel_srtp13_client_check(&c->srtp, c->cfg.srtp, block, block_len, &srtp_alert);
	if (rc < 0)
		return FAIL(rc, srtp_alert);
	rc = petrel_ext13_names_client_check(&c->names, block, block_len);
	if (rc < 0)
		return FAIL(rc, petrel_ext13_names_alert(rc));
	rc = petrel_rpk13_client_check(&c->cfg, block, block_len, !c->psk_accepted); /* RFC 7250 4.2 */
	if (rc < 0)
		return FAIL(rc, petrel_rpk13_alert(rc));
	rc = add_msg(c, PETREL_HT13_ENCRYPTED_EXTENSIONS, body, len, out);
	if (rc == 0)
		c->state = c->psk_accepted ? PETREL_C13_WAIT_FINISHED : PETREL_C13_WAIT_CERT_CR;
	return rc;
}

static int handle_certificate_request(struct petrel_dtls13_client *c, const uint8_t *body,
				      size_t len, struct petrel_hs13_output *out)
{
	const uint8_t *ctx, *exts, *b;
	size_t ctx_len, exts_len, bl;
	int rc = petrel_certificate_request13_parse(body, len, &ctx, &ctx_len, &exts, &exts_len);
	if (rc < 0)
		return FAIL(rc, 0);
	/* signature_algorithms is mandatory here (RFC 8446 4.3.2). */
	rc = petrel_ext_find(exts, exts_len, 13, &b, &bl);
	if (rc < 0)
		return FAIL(rc, 0);
	if (rc == 0)
		return FAIL(PETREL_E_HANDSHAKE_FAILURE, PETREL_ALERT13_MISSING_EXTENSION);
	rc = petrel_hs13_u16_list_parse(b, bl, c->cr_schemes, 16, &c->cr_scheme_count);
	if (rc < 0)
		return FAIL(rc, 0);
	memcpy(c->cr_context, ctx, ctx_len);
	c->cr_context_len = ctx_len;
	c->cert_requested = true;
	rc = add_msg(c, PETREL_HT13_CERTIFICATE_REQUEST, body, len, out);
	if (rc == 0)
		c->state = PETREL_C13_WAIT_CERT;
	return rc;
}

static int handle_certificate(struct petrel_dtls13_client *c, const uint8_t *body, size_t len,
			      struct petrel_hs13_output *out)
{
	int rc = petrel_rpk13_take_certificate(&c->cfg.rpk, true, &c->peer, body, len, NULL, 0,
					       &c->cfg.verifier); /* X.509 or raw (RFC 7250 3) */
	if (rc == PETREL_E_NO_CERTIFICATE) /* 4.4.2.4: empty from a server */
		return FAIL(PETREL_E_DECODE_ERROR, 0);
	if (rc < 0)
		return FAIL(rc, 0);
	rc = add_msg(c, PETREL_HT13_CERTIFICATE, body, len, out);
	if (rc == 0)
		c->state = PETREL_C13_WAIT_CV;
	return rc;
}

static int handle_certificate_verify(struct petrel_dtls13_client *c, const uint8_t *body,
				     size_t len, struct petrel_hs13_output *out)
{
	uint8_t th[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&c->transcript, th);
	int rc = petrel_hs13_check_cert_verify(body, len, true, &c->peer.key, petrel_hs13_sig_schemes,
					       petrel_hs13_sig_scheme_count, th, c->ks.hash_len);
	if (rc < 0)
		return FAIL(rc, 0);
	/* Checked above: the body starts with the scheme (RFC 8446 4.4.3). */
	c->sig_scheme = (uint16_t)(body[0] << 8 | body[1]);
	rc = add_msg(c, PETREL_HT13_CERTIFICATE_VERIFY, body, len, out);
	if (rc == 0)
		c->state = PETREL_C13_WAIT_FINISHED;
	return rc;
}

static int write_finished(struct petrel_hs13_output *out, enum petrel_hash_alg hash,
			  const uint8_t *base_key, struct petrel_dtls13_transcript *t, uint16_t epoch)
{
	uint8_t th[PETREL_MAX_HASH_LEN];
	size_t hl = petrel_hash_len(hash);
	struct petrel_writer w;
	petrel_dtls13_transcript_hash(t, th);
	int rc = petrel_hs13_out_begin(out, hl, &w);
	if (rc < 0)
		return rc;
	uint8_t *vd;
	petrel_put_reserve(&w, hl, &vd);
	rc = petrel_dtls13_finished(hash, PETREL_DTLS13_LABEL_PREFIX, base_key, th, vd);
	if (rc == 0)
		rc = petrel_dtls13_transcript_add(t, PETREL_HT13_FINISHED, vd, hl);
	if (rc < 0) {
		petrel_wipe(w.start, hl);
		free(w.start);
		return rc;
	}
	return petrel_hs13_out_commit(out, PETREL_HT13_FINISHED, epoch, &w);
}

static int last_msg_to_transcript(struct petrel_dtls13_client *c, struct petrel_hs13_output *out)
{
	const struct petrel_hs13_out_msg *m = &out->msgs[out->msg_count - 1];
	return petrel_dtls13_transcript_add(&c->transcript, m->type, m->body, m->len);
}

static int handle_finished(struct petrel_dtls13_client *c, const uint8_t *body, size_t len,
			   struct petrel_hs13_output *out)
{
	uint8_t th[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&c->transcript, th);
	int rc = petrel_dtls13_finished_check(c->hash, PETREL_DTLS13_LABEL_PREFIX,
					      c->ks.server_handshake_traffic, th, body, len);
	if (rc < 0)
		return FAIL(PETREL_E_DECRYPTION_FAILED, PETREL_ALERT13_DECRYPT_ERROR);
	rc = add_msg(c, PETREL_HT13_FINISHED, body, len, out);
	if (rc < 0)
		return rc;
	petrel_dtls13_transcript_hash(&c->transcript, th);
	rc = petrel_dtls13_ks_master(&c->ks, th);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	/* Our second flight, all in the handshake epoch (RFC 8446 4.4). */
	if (c->cert_requested) {
		bool have = c->cfg.key != NULL && c->cfg.chain_count > 0;
		uint16_t scheme = 0;
		if (have && petrel_hs13_pick_scheme(c->cfg.key, c->cr_schemes, c->cr_scheme_count,
						    &scheme) < 0)
			have = false; /* no scheme in common: send no certificate */
		rc = petrel_hs13_write_certificate(out, PETREL_EPOCH13_HANDSHAKE, c->cr_context,
						   c->cr_context_len, have ? c->cfg.chain : NULL,
						   have ? c->cfg.chain_lens : NULL,
						   have ? c->cfg.chain_count : 0);
		if (rc == 0)
			rc = last_msg_to_transcript(c, out);
		if (rc == 0 && have) {
			petrel_dtls13_transcript_hash(&c->transcript, th);
			rc = petrel_hs13_write_cert_verify(out, PETREL_EPOCH13_HANDSHAKE, false,
							   c->cfg.key, scheme, th, c->ks.hash_len);
			if (rc == 0)
				rc = last_msg_to_transcript(c, out);
		}
	}
	if (rc == 0)
		rc = write_finished(out, c->hash, c->ks.client_handshake_traffic, &c->transcript,
				    PETREL_EPOCH13_HANDSHAKE);
	if (rc == 0) {
		petrel_dtls13_transcript_hash(&c->transcript, th);
		rc = petrel_dtls13_ks_resumption(&c->ks, th);
	}
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	petrel_hs13_out_key(out, false, PETREL_EPOCH13_APPLICATION, c->ks.server_application_traffic,
			    c->ks.hash_len);
	petrel_hs13_out_key(out, true, PETREL_EPOCH13_APPLICATION, c->ks.client_application_traffic,
			    c->ks.hash_len);
	out->event = PETREL_HS13_EV_DONE;
	c->state = PETREL_C13_CONNECTED;
	return 0;
}

static int handle_new_session_ticket(struct petrel_dtls13_client *c, const uint8_t *body,
				     size_t len, uint64_t now_ms, struct petrel_hs13_output *out)
{
	struct petrel_new_session_ticket13 t;
	int rc = petrel_new_session_ticket13_parse(body, len, &t);
	if (rc < 0)
		return FAIL(rc, 0);
	if (t.ticket_len > PETREL_DTLS13_TICKET_MAX)
		return 0; /* too big to keep: ignore it, not an error */
	struct petrel_dtls13_ticket *k = &c->ticket;
	rc = petrel_dtls13_ticket_psk(c->hash, PETREL_DTLS13_LABEL_PREFIX, c->ks.resumption_master,
				      t.nonce, t.nonce_len, k->psk);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	k->suite = c->suite;
	k->hash = c->hash;
	k->psk_len = c->ks.hash_len;
	memcpy(k->ticket, t.ticket, t.ticket_len);
	k->ticket_len = t.ticket_len;
	k->age_add = t.age_add;
	k->lifetime_s = t.lifetime_s;
	k->received_ms = now_ms;
	c->has_ticket = true;
	out->event = PETREL_HS13_EV_TICKET;
	return 0;
}

/* A DTLS 1.2 server's cookie exchange (RFC 6347 4.2.1) when we offered
 * 1.2 too: the same ClientHello again with its cookie (the same key
 * shares); the ServerHello then says which version it is. */
static int handle_hello_verify(struct petrel_dtls13_client *c, const uint8_t *body, size_t len,
			       struct petrel_hs13_output *out)
{
	struct petrel_reader r;
	uint16_t version;
	const uint8_t *cookie;
	size_t cookie_len;
	petrel_reader_init(&r, body, len);
	if (!petrel_get_u16(&r, &version) || !petrel_get_opaque8(&r, &cookie, &cookie_len) ||
	    !petrel_reader_done(&r))
		return FAIL(PETREL_E_DECODE_ERROR, 0);
	if (!c->cfg.offer_dtls12 || c->hrr_seen || c->hvr_seen || cookie_len == 0)
		return FAIL(PETREL_E_UNEXPECTED_MESSAGE, PETREL_ALERT13_UNEXPECTED_MESSAGE);
	memcpy(c->legacy_cookie, cookie, cookie_len);
	c->legacy_cookie_len = cookie_len;
	c->hvr_seen = true;
	struct petrel_key_share shares[2];
	for (size_t i = 0; i < c->share_count; i++) {
		shares[i].group = c->share_group[i];
		shares[i].key_exchange = c->share_pub[i];
		shares[i].key_exchange_len = c->share_pub_len[i];
	}
	int rc = build_client_hello(c, shares, c->cfg.psk_only ? 0 : c->share_count);
	if (rc == 0)
		rc = emit_client_hello(c, out);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	return 0;
}

int petrel_dtls13_client_handle(struct petrel_dtls13_client *c, uint8_t type, const uint8_t *body,
				size_t len, uint64_t now_ms, struct petrel_hs13_output *out)
{
	int rc;
	switch (c->state) {
	case PETREL_C13_WAIT_SH:
		if (type == 3 /* hello_verify_request */)
			rc = handle_hello_verify(c, body, len, out);
		else
			rc = type == PETREL_HT13_SERVER_HELLO ? handle_server_hello(c, body, len, out)
							      : UNEXPECTED;
		break;
	case PETREL_C13_WAIT_EE:
		rc = type == PETREL_HT13_ENCRYPTED_EXTENSIONS
			     ? handle_encrypted_extensions(c, body, len, out)
			     : UNEXPECTED;
		break;
	case PETREL_C13_WAIT_CERT_CR:
		if (type == PETREL_HT13_CERTIFICATE_REQUEST)
			rc = handle_certificate_request(c, body, len, out);
		else if (type == PETREL_HT13_CERTIFICATE)
			rc = handle_certificate(c, body, len, out);
		else
			rc = UNEXPECTED;
		break;
	case PETREL_C13_WAIT_CERT:
		rc = type == PETREL_HT13_CERTIFICATE ? handle_certificate(c, body, len, out) : UNEXPECTED;
		break;
	case PETREL_C13_WAIT_CV:
		rc = type == PETREL_HT13_CERTIFICATE_VERIFY
			     ? handle_certificate_verify(c, body, len, out)
			     : UNEXPECTED;
		break;
	case PETREL_C13_WAIT_FINISHED:
		rc = type == PETREL_HT13_FINISHED ? handle_finished(c, body, len, out) : UNEXPECTED;
		break;
	case PETREL_C13_CONNECTED:
		/* KeyUpdate goes through dtls13/keyupdate.h. */
		rc = type == PETREL_HT13_NEW_SESSION_TICKET
			     ? handle_new_session_ticket(c, body, len, now_ms, out)
			     : UNEXPECTED;
		break;
	default:
		rc = UNEXPECTED;
		break;
	}
	if (rc == UNEXPECTED) /* a message this state does not take (STYLE.md) */
		rc = FAIL(PETREL_E_UNEXPECTED_MESSAGE, PETREL_ALERT13_UNEXPECTED_MESSAGE);
	if (rc < 0)
		c->state = PETREL_C13_FAILED;
	return rc;
}
