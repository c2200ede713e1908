/* DTLS 1.3 server handshake core (see server13.h). */
#include <stdlib.h>
#include <string.h>

#include "dtls/session.h" /* petrel_ticket_seal/open, struct petrel_credentials */
#include "dtls13/cookie13.h"
#include "dtls13/export13_psk.h"
#include "dtls13/server13.h"
#include "dtls13/ticket13.h"
#include "petrel/petrel.h"

#define FAIL(rc, alert) petrel_hs13_fail(out, (rc), (alert))
#define UNEXPECTED 1 /* positive: never a PETREL_E_* code */

int petrel_dtls13_server_init(struct petrel_dtls13_server *s, const struct petrel_hs13_config *cfg)
{
	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
	return 0;
}

void petrel_dtls13_server_free(struct petrel_dtls13_server *s)
{
	petrel_hs13_peer_chain_free(&s->peer);
	/* The secrets are all in ks (the PSK choice is wiped where it is
	 * made); the rest (config pointers, names, transcript of public
	 * messages) is not wiped byte by byte: a stateless HelloRetryRequest
	 * frees a whole server per ClientHello. */
	petrel_dtls13_ks_wipe(&s->ks);
	petrel_dtls13_transcript_wipe(&s->transcript);
	s->state = PETREL_S13_FAILED;
}

/* ---- ClientHello ---- */

struct ch13 {
	uint16_t legacy_version;
	const uint8_t *sid;
	size_t sid_len;
	size_t legacy_cookie_len;
	const uint8_t *suites;
	size_t suites_len;
	const uint8_t *comp;
	size_t comp_len;
	const uint8_t *exts;
	size_t exts_len;
};

static int parse_ch(const uint8_t *body, size_t len, struct ch13 *ch)
{
	struct petrel_reader r;
	const uint8_t *random, *cookie;
	petrel_reader_init(&r, body, len);
	memset(ch, 0, sizeof *ch);
	if (!petrel_get_u16(&r, &ch->legacy_version) || !petrel_get_bytes(&r, 32, &random) ||
	    !petrel_get_opaque8(&r, &ch->sid, &ch->sid_len) || ch->sid_len > 32 ||
	    !petrel_get_opaque8(&r, &cookie, &ch->legacy_cookie_len) ||
	    !petrel_get_opaque16(&r, &ch->suites, &ch->suites_len) || ch->suites_len < 2 ||
	    ch->suites_len % 2 != 0 || !petrel_get_opaque8(&r, &ch->comp, &ch->comp_len) ||
	    ch->comp_len < 1)
		return PETREL_E_DECODE_ERROR;
	if (petrel_reader_left(&r) > 0 &&
	    (!petrel_get_opaque16(&r, &ch->exts, &ch->exts_len) || !petrel_reader_done(&r)))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

static bool ch_has_suite(const struct ch13 *ch, uint16_t suite)
{
	struct petrel_reader r;
	uint16_t x;
	petrel_reader_init(&r, ch->suites, ch->suites_len);
	while (petrel_get_u16(&r, &x))
		if (x == suite)
			return true;
	return false;
}

/* Our preferred suite the client offers; with want_hash set, one of that
 * hash first (so a PSK can be used). 0 when none. */
static uint16_t pick_suite(const struct petrel_dtls13_server *s, const struct ch13 *ch,
			   bool want_hash, enum petrel_hash_alg hash)
{
	size_t n;
	const uint16_t *suites = petrel_hs13_suites(&s->cfg, &n);
	for (int pass = want_hash ? 0 : 1; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			enum petrel_hash_alg h;
			enum petrel_aead_alg a;
			if (!ch_has_suite(ch, suites[i]) ||
			    petrel_tls13_suite_params(suites[i], &h, &a) < 0)
				continue;
			if (pass == 0 && h != hash)
				continue;
			return suites[i];
		}
	return 0;
}

/* One extension of a ClientHello whose block petrel_ext_find already
 * checked whole (well formed, no type twice, RFC 8446 4.2): a plain walk,
 * without a duplicate bitmap per lookup. 1 found, 0 absent. */
static int find(const struct ch13 *ch, uint16_t type, const uint8_t **b, size_t *bl)
{
	struct petrel_ext_iter it;
	uint16_t t;
	int rc;
	petrel_ext_iter_init(&it, ch->exts, ch->exts_len);
	while ((rc = petrel_ext_iter_next(&it, &t, b, bl)) == 1)
		if (t == type)
			return 1;
	return rc;
}

/* HelloRetryRequest body; rebuilt byte for byte from the cookie when the
 * second ClientHello comes, so no state is needed in between. */
static int write_hrr(struct petrel_writer *w, const struct ch13 *ch, uint16_t suite,
		     uint16_t group, const uint8_t *cookie, size_t cookie_len)
{
	struct petrel_len_scope exts, e;
	petrel_put_u16(w, 0xFEFDu);
	petrel_put_bytes(w, petrel_hrr_random, 32);
	petrel_put_opaque8(w, ch->sid, ch->sid_len);
	petrel_put_u16(w, suite);
	petrel_put_u8(w, 0);
	petrel_put_len_open(w, 2, &exts);
	petrel_put_u16(w, PETREL_EXT13_SUPPORTED_VERSIONS);
	petrel_put_len_open(w, 2, &e);
	petrel_ext13_selected_version_write(w, PETREL_WIRE_DTLS13);
	petrel_put_len_close(w, &e);
	if (group != 0) {
		petrel_put_u16(w, PETREL_EXT13_KEY_SHARE);
		petrel_put_len_open(w, 2, &e);
		petrel_ext13_hrr_group_write(w, group);
		petrel_put_len_close(w, &e);
	}
	petrel_put_u16(w, PETREL_EXT13_COOKIE);
	petrel_put_len_open(w, 2, &e);
	petrel_ext13_cookie_write(w, cookie, cookie_len);
	petrel_put_len_close(w, &e);
	petrel_put_len_close(w, &exts);
	return petrel_writer_ok(w) ? 0 : PETREL_E_SHORT_BUFFER;
}

/* ---- PSK ---- */

struct psk_choice {
	bool found;
	bool resumption;
	uint8_t key[PETREL_MAX_HASH_LEN];
	uint8_t key_alt[PETREL_MAX_HASH_LEN]; /* resumption: a wolfSSL 5.5.4 client's */
	size_t key_len;
	enum petrel_hash_alg hash;
	struct petrel_offered_psks offered;
	size_t binders_at; /* offset of the binders list in the ClientHello body */
	bool dhe_ke, ke;
	uint8_t binding[PETREL_TICKET13_BINDING_LEN]; /* a ticket's SNI/ALPN (ticket13.h) */
	uint16_t index; /* the identity taken (selected_identity) */
};

/* Identities looked at, at most: a client offers its ticket, then its
 * external PSK (dtls13/client13.c); more only cost lookups. */
#define PSK_IDENTITIES_TRIED 4

/* The first identity from `first` on that we know (4.2.11: unknown ones
 * are skipped): one of our tickets (dtls13/ticket13.c), else an external
 * PSK, so a ticket sealed under another key, or refused later for its
 * hash or its name (next_usable_psk), falls back to the external PSK
 * offered after it. */
static void next_known_psk(const struct petrel_dtls13_server *s, struct psk_choice *pc,
			   uint16_t first)
{
	struct petrel_psk_identity id;
	petrel_wipe(pc->key, sizeof pc->key);
	petrel_wipe(pc->key_alt, sizeof pc->key_alt);
	pc->found = false;
	pc->resumption = false;
	for (uint16_t i = first; i < PSK_IDENTITIES_TRIED; i++) {
		if (!petrel_offered_psk_identity(&pc->offered, i, &id))
			break;
		pc->index = i;
		uint16_t ticket_suite;
		if (petrel_ticket13_accept(&s->cfg, id.identity, id.identity_len,
					   id.obfuscated_ticket_age, pc->key, pc->key_alt, &pc->key_len,
					   &pc->hash, &ticket_suite, pc->binding) == 1) {
			pc->found = true;
			pc->resumption = true;
			return;
		}
		if (s->cfg.psk_lookup != NULL) {
			size_t key_len = 0;
			enum petrel_hash_alg hash = PETREL_HASH_SHA256;
			if (s->cfg.psk_lookup(s->cfg.psk_lookup_ctx, id.identity, id.identity_len,
					      pc->key, &key_len, &hash) == 0 &&
			    key_len > 0 && key_len <= PETREL_MAX_HASH_LEN) {
				pc->key_len = key_len;
				pc->hash = hash;
				pc->found = true;
				return;
			}
		}
	}
	pc->index = 0;
}

/* Resolves the first identity: one of our tickets, else an external PSK.
 * Unknown identities are ignored (RFC 8446 4.2.11). */
static int resolve_psk(const struct petrel_dtls13_server *s, const struct ch13 *ch,
		       const uint8_t *body, struct psk_choice *pc)
{
	const uint8_t *b, *mb;
	size_t bl, mbl;
	memset(pc, 0, sizeof *pc);
	int rc = find(ch, PETREL_EXT13_PRE_SHARED_KEY, &b, &bl);
	if (rc <= 0)
		return rc;
	/* pre_shared_key must be the last extension (4.2.11). */
	if (b + bl != ch->exts + ch->exts_len)
		return PETREL_E_ILLEGAL_PARAMETER;
	rc = find(ch, PETREL_EXT13_PSK_KEY_EXCHANGE_MODES, &mb, &mbl);
	if (rc < 0)
		return rc;
	if (rc == 0) /* 4.2.9: a PSK without modes */
		return PETREL_E_HANDSHAKE_FAILURE;
	struct petrel_psk_modes modes;
	if (petrel_ext13_psk_modes_parse(mb, mbl, &modes) < 0)
		return PETREL_E_DECODE_ERROR;
	rc = petrel_ext13_offered_psks_parse(b, bl, &pc->offered);
	if (rc < 0)
		return rc;
	pc->binders_at = (size_t)(b - body) + pc->offered.binders_offset;
	pc->dhe_ke = modes.psk_dhe_ke;
	pc->ke = modes.psk_ke && s->cfg.psk_only;
	struct petrel_psk_identity id;
	if (!petrel_offered_psk_identity(&pc->offered, 0, &id))
		return PETREL_E_DECODE_ERROR;
	next_known_psk(s, pc, 0);
	return 0;
}

static int check_binder_with(const struct petrel_dtls13_server *s, struct psk_choice *pc,
			     const uint8_t *body, size_t len, bool alt)
{
	const uint8_t *binder;
	size_t binder_len;
	uint8_t th[PETREL_MAX_HASH_LEN], binder_key[PETREL_MAX_HASH_LEN];
	if (!petrel_offered_psk_binder(&pc->offered, pc->index, &binder, &binder_len))
		return PETREL_E_DECODE_ERROR;
	petrel_hs13_truncated_hash(s->transcript_started ? &s->transcript : NULL, pc->hash, body, len,
				   pc->binders_at, th);
	struct petrel_dtls13_ks early;
	int rc = petrel_dtls13_ks_init(&early, pc->hash, pc->key, pc->key_len);
	if (rc == 0)
		rc = petrel_dtls13_binder_key(&early, pc->resumption, binder_key);
	if (rc == 0) /* 4.2.11: a bad binder aborts with decrypt_error */
		rc = petrel_dtls13_finished_check(pc->hash, PETREL_DTLS13_LABEL_PREFIX, binder_key,
						  th, binder, binder_len);
	petrel_dtls13_ks_wipe(&early);
	petrel_wipe(binder_key, sizeof binder_key);
	if (rc < 0 && pc->resumption && !alt) { /* ticket13.h: the other label */
		memcpy(pc->key, pc->key_alt, pc->key_len);
		return check_binder_with(s, pc, body, len, true);
	}
	return rc;
}

static int check_binder(const struct petrel_dtls13_server *s, struct psk_choice *pc,
			const uint8_t *body, size_t len)
{
	return check_binder_with(s, pc, body, len, false);
}

/* ---- the first flight ---- */

static int add_out(struct petrel_dtls13_server *s, struct petrel_hs13_output *out)
{
	const struct petrel_hs13_out_msg *m = &out->msgs[out->msg_count - 1];
	return petrel_dtls13_transcript_add(&s->transcript, m->type, m->body, m->len);
}

static int write_server_hello(struct petrel_dtls13_server *s, const struct ch13 *ch,
			      const uint8_t *pub, size_t pub_len, struct petrel_hs13_output *out)
{
	struct petrel_writer w;
	struct petrel_len_scope exts, e;
	uint8_t random[32];
	int rc = petrel_hs13_out_begin(out, 256 + pub_len, &w);
	if (rc < 0)
		return rc;
	petrel_random(random, sizeof random);
	petrel_put_u16(&w, 0xFEFDu);
	petrel_put_bytes(&w, random, 32);
	petrel_put_opaque8(&w, ch->sid, ch->sid_len);
	petrel_put_u16(&w, s->suite);
	petrel_put_u8(&w, 0);
	petrel_put_len_open(&w, 2, &exts);
	petrel_put_u16(&w, PETREL_EXT13_SUPPORTED_VERSIONS);
	petrel_put_len_open(&w, 2, &e);
	petrel_ext13_selected_version_write(&w, PETREL_WIRE_DTLS13);
	petrel_put_len_close(&w, &e);
	if (s->group != 0) {
		struct petrel_key_share share = {s->group, pub, pub_len};
		petrel_put_u16(&w, PETREL_EXT13_KEY_SHARE);
		petrel_put_len_open(&w, 2, &e);
		petrel_ext13_server_share_write(&w, &share);
		petrel_put_len_close(&w, &e);
	}
	if (s->psk_accepted) {
		petrel_put_u16(&w, PETREL_EXT13_PRE_SHARED_KEY);
		petrel_put_len_open(&w, 2, &e);
		petrel_ext13_selected_identity_write(&w, s->psk_index);
		petrel_put_len_close(&w, &e);
	}
	rc = petrel_cid13_write_answer(&s->cfg.cid, &w); /* RFC 9147 9 */
	if (rc < 0)
		return rc;
	petrel_put_len_close(&w, &exts);
	return petrel_hs13_out_commit(out, PETREL_HT13_SERVER_HELLO, PETREL_EPOCH13_PLAINTEXT, &w);
}

static int write_simple(struct petrel_hs13_output *out, uint8_t type, const uint8_t *body,
			size_t len)
{
	struct petrel_writer w;
	int rc = petrel_hs13_out_begin(out, len, &w);
	if (rc < 0)
		return rc;
	petrel_put_bytes(&w, body, len);
	return petrel_hs13_out_commit(out, type, PETREL_EPOCH13_HANDSHAKE, &w);
}

static int write_finished(struct petrel_dtls13_server *s, struct petrel_hs13_output *out)
{
	uint8_t th[PETREL_MAX_HASH_LEN], vd[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&s->transcript, th);
	int rc = petrel_dtls13_finished(s->hash, PETREL_DTLS13_LABEL_PREFIX,
					s->ks.server_handshake_traffic, th, vd);
	if (rc == 0)
		rc = write_simple(out, PETREL_HT13_FINISHED, vd, s->ks.hash_len);
	if (rc == 0)
		rc = add_out(s, out);
	return rc;
}

/* After ServerHello: EncryptedExtensions, [CertificateRequest,
 * Certificate, CertificateVerify], Finished (RFC 8446 2). */
static int server_flight(struct petrel_dtls13_server *s, const uint16_t *client_schemes,
			 size_t scheme_n, struct petrel_hs13_output *out)
{
	uint8_t ee[PETREL_SRTP13_EE_MAX];
	size_t ee_len = 0;
	int rc = petrel_srtp13_encrypted_extensions(&s->srtp, ee, sizeof ee, &ee_len);
	if (rc == 0)
		rc = write_simple(out, PETREL_HT13_ENCRYPTED_EXTENSIONS, ee, ee_len);
	if (rc == 0) /* server_name, ALPN answers (RFC 8446 4.2) */
		rc = petrel_ext13_names_server_answer(&s->names, &out->msgs[out->msg_count - 1]);
	if (rc == 0) /* certificate types (RFC 7250 4.2) */
		rc = petrel_rpk13_server_answer(&s->cfg.rpk, &out->msgs[out->msg_count - 1]);
	if (rc == 0)
		rc = add_out(s, out);
	if (rc == 0 && !s->psk_accepted) {
		uint16_t scheme;
		if (s->cfg.key == NULL || s->cfg.chain_count == 0)
			return PETREL_E_NO_CERTIFICATE;
		rc = petrel_hs13_pick_scheme(s->cfg.key, client_schemes, scheme_n, &scheme);
		if (rc < 0)
			return rc;
		s->sig_scheme = scheme; /* for petrel_session_get_signature_name */
		if (s->cfg.request_client_cert || s->cfg.require_client_cert) {
			/* certificate_request_context empty; signature_algorithms. */
			uint8_t cr[8 + 2 * 8];
			struct petrel_writer w;
			struct petrel_len_scope exts, e;
			petrel_writer_init(&w, cr, sizeof cr);
			petrel_put_u8(&w, 0);
			petrel_put_len_open(&w, 2, &exts);
			petrel_put_u16(&w, 13);
			petrel_put_len_open(&w, 2, &e);
			petrel_hs13_u16_list_write(&w, petrel_hs13_sig_schemes,
						   petrel_hs13_sig_scheme_count);
			petrel_put_len_close(&w, &e);
			petrel_put_len_close(&w, &exts);
			if (!petrel_writer_ok(&w))
				return PETREL_E_INTERNAL;
			rc = write_simple(out, PETREL_HT13_CERTIFICATE_REQUEST, cr,
					  petrel_writer_len(&w));
			if (rc == 0)
				rc = add_out(s, out);
			s->cert_requested = true;
		}
		if (rc == 0)
			rc = petrel_hs13_write_certificate(out, PETREL_EPOCH13_HANDSHAKE, NULL, 0,
							   s->cfg.chain, s->cfg.chain_lens,
							   s->cfg.chain_count);
		if (rc == 0)
			rc = add_out(s, out);
		if (rc == 0) {
			uint8_t th[PETREL_MAX_HASH_LEN];
			petrel_dtls13_transcript_hash(&s->transcript, th);
			rc = petrel_hs13_write_cert_verify(out, PETREL_EPOCH13_HANDSHAKE, true,
							   s->cfg.key, scheme, th, s->ks.hash_len);
		}
		if (rc == 0)
			rc = add_out(s, out);
	}
	if (rc == 0)
		rc = write_finished(s, out);
	return rc;
}

static int send_hrr(struct petrel_dtls13_server *s, const struct ch13 *ch, const uint8_t *body,
		    size_t len, uint16_t group, uint64_t now_ms, struct petrel_hs13_output *out)
{
	if (s->cfg.cookie_secret == NULL)
		return FAIL(PETREL_E_INVALID_REQUEST, PETREL_ALERT13_INTERNAL_ERROR);
	uint8_t ch1_hash[PETREL_MAX_HASH_LEN];
	int rc = petrel_dtls13_message_hash(s->hash, PETREL_HT13_CLIENT_HELLO, body, len, ch1_hash);
	uint8_t cookie[PETREL_HS13_COOKIE_LEN(PETREL_MAX_HASH_LEN)];
	size_t cookie_len = rc < 0 ? 0
				   : petrel_hs13_cookie_make(&s->cfg, (uint32_t)now_ms, s->suite,
							     group, ch1_hash,
							     petrel_hash_len(s->hash), cookie);
	struct petrel_writer w;
	if (rc == 0 && cookie_len == 0)
		rc = PETREL_E_INTERNAL;
	if (rc == 0)
		rc = petrel_hs13_out_begin(out, 128 + cookie_len + ch->sid_len, &w);
	if (rc == 0) {
		rc = write_hrr(&w, ch, s->suite, group, cookie, cookie_len);
		if (rc < 0)
			free(w.start);
	}
	if (rc == 0)
		rc = petrel_hs13_out_commit(out, PETREL_HT13_SERVER_HELLO, PETREL_EPOCH13_PLAINTEXT, &w);
	if (rc < 0)
		return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	out->event = PETREL_HS13_EV_STATELESS_HRR;
	s->state = PETREL_S13_WAIT_CH2;
	return 0;
}

static int handle_client_hello(struct petrel_dtls13_server *s, const uint8_t *body, size_t len,
			       uint64_t now_ms, struct petrel_hs13_output *out)
{
	struct ch13 ch;
	const uint8_t *b;
	size_t bl;
	int rc = parse_ch(body, len, &ch);
	if (rc < 0)
		return FAIL(rc, 0);
	if (ch.exts_len > 0 && (rc = petrel_ext_find(ch.exts, ch.exts_len, 0xffff, &b, &bl)) < 0)
		return FAIL(rc, 0); /* every extension well formed, none twice */
	rc = find(&ch, PETREL_EXT13_SUPPORTED_VERSIONS, &b, &bl);
	const uint8_t *versions = NULL;
	size_t version_n = 0;
	if (rc == 1 && petrel_ext13_versions_parse(b, bl, &versions, &version_n) < 0)
		return FAIL(PETREL_E_DECODE_ERROR, 0);
	if (rc < 0)
		return FAIL(rc, 0);
	if (rc == 0 || !petrel_ext13_versions_contains(versions, version_n, PETREL_WIRE_DTLS13)) {
		if (s->state == PETREL_S13_WAIT_CH && s->cfg.offer_dtls12) {
			out->event = PETREL_HS13_EV_FALLBACK_12;
			out->fallback_body = body;
			out->fallback_len = len;
			s->state = PETREL_S13_FALLBACK;
			return 0;
		}
		return FAIL(PETREL_E_PROTOCOL_VERSION, 0);
	}
	/* RFC 9147 5.3: legacy_cookie empty; RFC 8446 4.1.2: compression null only. */
	if (ch.legacy_cookie_len != 0 || ch.comp_len != 1 || ch.comp[0] != 0)
		return FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
	/* use_srtp (RFC 5764 4.1.1), answered in EncryptedExtensions. */
	if ((rc = petrel_srtp13_server_select(&s->srtp, s->cfg.srtp, ch.exts, ch.exts_len)) < 0)
		return FAIL(rc, 0);

	struct psk_choice psk;
	rc = resolve_psk(s, &ch, body, &psk);
	if (rc < 0) {
		petrel_wipe(&psk, sizeof psk);
		return FAIL(rc, rc == PETREL_E_HANDSHAKE_FAILURE ? PETREL_ALERT13_MISSING_EXTENSION : 0);
	}

	/* A cookie: this is ClientHello2 after our (stateless) HRR. */
	struct petrel_hs13_cookie cd = {0};
	bool have_cookie = false;
	rc = find(&ch, PETREL_EXT13_COOKIE, &b, &bl);
	if (rc == 1) {
		const uint8_t *cookie;
		size_t cookie_len;
		if (petrel_ext13_cookie_parse(b, bl, &cookie, &cookie_len) < 0) {
			rc = FAIL(PETREL_E_DECODE_ERROR, 0);
			goto done;
		}
		rc = petrel_hs13_cookie_check(&s->cfg, cookie, cookie_len, (uint32_t)now_ms, &cd);
		if (rc < 0 || !ch_has_suite(&ch, cd.suite)) {
			rc = FAIL(PETREL_E_BAD_COOKIE, PETREL_ALERT13_ILLEGAL_PARAMETER);
			goto done;
		}
		have_cookie = true;
		s->cookie_age_set = true;
		s->cookie_age_ms = cd.age_ms;
		/* The suite our (or the endpoint's) HRR fixed must be one we
		 * allow (petrel_session_set_ciphers, petrel_endpoint_set_hello_ciphers). */
		size_t our_n;
		const uint16_t *ours = petrel_hs13_suites(&s->cfg, &our_n);
		if (!petrel_hs13_u16_in(ours, our_n, cd.suite)) {
			rc = FAIL(PETREL_E_NO_COMMON_CIPHER, PETREL_ALERT13_HANDSHAKE_FAILURE);
			goto done;
		}
		s->suite = cd.suite;
		petrel_tls13_suite_params(s->suite, &s->hash, &s->aead);
		/* message_hash(CH1) || HRR as we sent it (RFC 8446 4.4.1). */
		rc = petrel_dtls13_transcript_init_from_ch1_hash(&s->transcript, s->hash, cd.ch1_hash,
								  cd.hash_len);
		uint8_t hrr[512];
		struct petrel_writer w;
		petrel_writer_init(&w, hrr, sizeof hrr);
		if (rc == 0)
			rc = write_hrr(&w, &ch, cd.suite, cd.group, cookie, cookie_len);
		if (rc == 0)
			rc = petrel_dtls13_transcript_add(&s->transcript, PETREL_HT13_SERVER_HELLO, hrr,
							  petrel_writer_len(&w));
		if (rc < 0) {
			rc = FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
			goto done;
		}
		s->transcript_started = true;
	} else if (rc < 0) {
		rc = FAIL(rc, 0);
		goto done;
	} else if (s->state == PETREL_S13_WAIT_CH2) {
		/* The client must echo our cookie (RFC 8446 4.2.2). */
		rc = FAIL(PETREL_E_HANDSHAKE_FAILURE, PETREL_ALERT13_MISSING_EXTENSION);
		goto done;
	} else {
		s->suite = pick_suite(s, &ch, psk.found, psk.hash);
		if (s->suite == 0) {
			rc = FAIL(PETREL_E_NO_COMMON_CIPHER, PETREL_ALERT13_HANDSHAKE_FAILURE);
			goto done;
		}
		petrel_tls13_suite_params(s->suite, &s->hash, &s->aead);
	}

	/* SNI, ALPN (RFC 6066 3, RFC 7301 3.2). Without a cookie a failure
	 * waits for the HelloRetryRequest decisions below (the cookie may
	 * still be asked for); with one, the address is proven and hears
	 * no_application_protocol in the clear (the engine sends it,
	 * engine13.c); elsewhere the ClientHello is dropped like any refused
	 * hello. */
	int names_rc = petrel_ext13_names_server_read(&s->names, &s->cfg, ch.exts, ch.exts_len);
	if (names_rc < 0 && have_cookie) {
		s->alert_in_clear = names_rc == PETREL_E_ALPN_MISMATCH;
		rc = FAIL(names_rc, petrel_ext13_names_alert(names_rc));
		goto done;
	}
	/* 4.2.11: a PSK's hash must be the suite's; a ticket resumes only
	 * the server name and ALPN outcome it was issued for (RFC 6066 3,
	 * RFC 8446 4.6.1). A refused identity gives way to the next known
	 * one (the external PSK after a ticket), else a full handshake. */
	uint8_t now_binding[PETREL_TICKET13_BINDING_LEN];
	petrel_ticket13_binding(&s->names, now_binding);
	while (psk.found && (psk.hash != s->hash ||
			     (names_rc == 0 && psk.resumption &&
			      !petrel_ct_equal(now_binding, psk.binding, sizeof now_binding))))
		next_known_psk(s, &psk, (uint16_t)(psk.index + 1));

	/* Group: ours in preference order with a share from the client;
	 * else one it supports, asked for by HelloRetryRequest (4.1.1). */
	size_t group_n;
	const uint16_t *groups = petrel_hs13_groups(&s->cfg, &group_n);
	uint16_t client_groups[16];
	size_t client_group_n = 0;
	bool has_groups = false, has_shares = false;
	rc = find(&ch, 10, &b, &bl);
	if (rc == 1) {
		has_groups = true;
		rc = petrel_hs13_u16_list_parse(b, bl, client_groups, 16, &client_group_n);
	}
	if (rc < 0) {
		rc = FAIL(rc, 0);
		goto done;
	}
	struct petrel_key_share chosen = {0};
	struct petrel_key_share_iter it;
	size_t share_n = 0;
	rc = find(&ch, PETREL_EXT13_KEY_SHARE, &b, &bl);
	if (rc == 1) {
		has_shares = true;
		rc = petrel_ext13_client_shares_parse(b, bl, &it, &share_n);
	}
	if (rc < 0) {
		rc = FAIL(rc, 0);
		goto done;
	}
	/* RFC 8446 9.2: key_share and supported_groups come together. */
	if (has_shares != has_groups) {
		rc = FAIL(PETREL_E_HANDSHAKE_FAILURE, PETREL_ALERT13_MISSING_EXTENSION);
		goto done;
	}
	for (size_t g = 0; g < group_n && chosen.group == 0 && has_shares; g++) {
		struct petrel_key_share share;
		struct petrel_key_share_iter walk = it;
		while (petrel_key_share_next(&walk, &share))
			if (share.group == groups[g]) {
				/* 4.2.8: each share must be for a group listed. */
				if (!petrel_hs13_u16_in(client_groups, client_group_n, share.group)) {
					rc = FAIL(PETREL_E_ILLEGAL_PARAMETER, 0);
					goto done;
				}
				chosen = share;
				break;
			}
	}
	uint16_t hrr_group = 0;
	for (size_t g = 0; g < group_n && chosen.group == 0 && hrr_group == 0; g++)
		if (petrel_hs13_u16_in(client_groups, client_group_n, groups[g]))
			hrr_group = groups[g];

	/* PSK modes (RFC 8446 4.2.9): psk_dhe_ke when a share can be had,
	 * psk_ke only when we allow it (psk_only). */
	bool use_psk, need_dhe;
	petrel_psk13_server_pick(&s->cfg, psk.found, psk.dhe_ke, psk.ke,
				 chosen.group != 0 || hrr_group != 0, &use_psk, &need_dhe);
	if (need_dhe && chosen.group == 0) {
		if (hrr_group == 0 || have_cookie) {
			/* No common group, or still none after our HRR. */
			rc = FAIL(have_cookie ? PETREL_E_ILLEGAL_PARAMETER : PETREL_E_NO_COMMON_GROUP,
				  0);
			goto done;
		}
		rc = send_hrr(s, &ch, body, len, hrr_group, now_ms, out);
		goto done;
	}
	if (s->cfg.force_hrr && !have_cookie) {
		rc = send_hrr(s, &ch, body, len, 0, now_ms, out);
		goto done;
	}
	if (have_cookie && cd.group != 0 && chosen.group != cd.group) {
		rc = FAIL(PETREL_E_ILLEGAL_PARAMETER, 0); /* not the group we asked for */
		goto done;
	}
	/* Certificate types (RFC 7250 4.2, dtls13/rpk13.h): none in common
	 * is unsupported_certificate, in the clear once our cookie proved
	 * the address (as no_application_protocol). Before the check below,
	 * which a raw key alone (no chain) would fail. */
	if (!use_psk && (rc = petrel_rpk13_server_choose(&s->cfg, ch.exts, ch.exts_len)) < 0) {
		s->alert_in_clear = have_cookie;
		rc = FAIL(rc, petrel_rpk13_alert(rc));
		goto done;
	}
	if (!use_psk && psk.found == false && find(&ch, PETREL_EXT13_PRE_SHARED_KEY, &b, &bl) == 1 &&
	    (s->cfg.key == NULL || s->cfg.chain_count == 0)) {
		/* A PSK-only server that knows none of the identities. */
		rc = FAIL(PETREL_E_UNKNOWN_PSK_IDENTITY, 0);
		goto done;
	}

	if (names_rc < 0) {
		rc = FAIL(names_rc, petrel_ext13_names_alert(names_rc));
		goto done;
	}
	/* Signature schemes for our CertificateVerify. */
	uint16_t client_schemes[16];
	size_t scheme_n = 0;
	if (!use_psk) {
		rc = find(&ch, 13, &b, &bl);
		if (rc == 0) { /* 9.2: certificate auth needs signature_algorithms */
			rc = FAIL(PETREL_E_HANDSHAKE_FAILURE, PETREL_ALERT13_MISSING_EXTENSION);
			goto done;
		}
		if (rc == 1)
			rc = petrel_hs13_u16_list_parse(b, bl, client_schemes, 16, &scheme_n);
		if (rc < 0) {
			rc = FAIL(rc, 0);
			goto done;
		}
	}

	if (!s->transcript_started) {
		petrel_dtls13_transcript_init(&s->transcript, s->hash);
		s->transcript_started = true;
	}
	if (use_psk && (rc = check_binder(s, &psk, body, len)) < 0) {
		rc = FAIL(PETREL_E_DECRYPTION_FAILED, PETREL_ALERT13_DECRYPT_ERROR);
		goto done;
	}
	s->psk_accepted = use_psk;
	s->psk_resumed = use_psk && psk.resumption;
	s->psk_index = use_psk ? psk.index : 0;
	s->group = need_dhe ? chosen.group : 0;

	uint8_t priv[PETREL_KX_PRIV_LEN], pub[PETREL_KX_MAX_PUB_LEN], shared[PETREL_KX_SHARED_LEN];
	size_t pub_len = 0, shared_len = 0;
	rc = petrel_dtls13_transcript_add(&s->transcript, PETREL_HT13_CLIENT_HELLO, body, len);
	if (rc == 0 && s->group != 0) {
		rc = petrel_kx_keygen((enum petrel_group)s->group, priv, pub, &pub_len);
		if (rc == 0) {
			rc = petrel_kx_derive((enum petrel_group)s->group, priv, chosen.key_exchange,
					      chosen.key_exchange_len, shared);
			if (rc < 0) { /* a bad client share */
				petrel_wipe(priv, sizeof priv);
				rc = FAIL(rc, PETREL_ALERT13_ILLEGAL_PARAMETER);
				goto done;
			}
		}
		shared_len = petrel_kx_shared_len((enum petrel_group)s->group);
		petrel_wipe(priv, sizeof priv);
	}
	if (rc == 0 && petrel_cid13_server_on_client_hello(&s->cfg.cid, ch.exts, ch.exts_len) < 0)
		rc = FAIL(PETREL_E_DECODE_ERROR, PETREL_ALERT13_DECODE_ERROR); /* RFC 9147 9 */
	if (rc == 0)
		rc = write_server_hello(s, &ch, pub, pub_len, out);
	if (rc == 0)
		rc = add_out(s, out);
	uint8_t th[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&s->transcript, th);
	if (rc == 0)
		rc = petrel_dtls13_ks_init(&s->ks, s->hash, use_psk ? psk.key : NULL,
					   use_psk ? psk.key_len : 0);
	if (rc == 0)
		rc = petrel_dtls13_ks_handshake(&s->ks, shared_len ? shared : NULL, shared_len, th);
	petrel_wipe(shared, sizeof shared);
	if (rc < 0) {
		rc = FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
		goto done;
	}
	petrel_hs13_out_key(out, true, PETREL_EPOCH13_HANDSHAKE, s->ks.server_handshake_traffic,
			    s->ks.hash_len);
	petrel_hs13_out_key(out, false, PETREL_EPOCH13_HANDSHAKE, s->ks.client_handshake_traffic,
			    s->ks.hash_len);
	rc = server_flight(s, client_schemes, scheme_n, out);
	if (rc < 0) {
		rc = FAIL(rc, 0);
		goto done;
	}
	petrel_dtls13_transcript_hash(&s->transcript, th);
	rc = petrel_dtls13_ks_master(&s->ks, th);
	if (rc < 0) {
		rc = FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
		goto done;
	}
	/* 0.5-RTT: we may write in epoch 3 now, but read it only after the
	 * client's Finished (RFC 8446 4.4.4). */
	petrel_hs13_out_key(out, true, PETREL_EPOCH13_APPLICATION, s->ks.server_application_traffic,
			    s->ks.hash_len);
	s->state = s->cert_requested ? PETREL_S13_WAIT_CERT : PETREL_S13_WAIT_FINISHED;
done:
	petrel_wipe(&psk, sizeof psk);
	return rc;
}

/* ---- the client's second flight ---- */

static int add_in(struct petrel_dtls13_server *s, uint8_t type, const uint8_t *body, size_t len,
		  struct petrel_hs13_output *out)
{
	int rc = petrel_dtls13_transcript_add(&s->transcript, type, body, len);
	return rc < 0 ? FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR) : 0;
}

static int handle_certificate(struct petrel_dtls13_server *s, const uint8_t *body, size_t len,
			      struct petrel_hs13_output *out)
{
	int rc = petrel_rpk13_take_certificate(&s->cfg.rpk, false, &s->peer, body, len, NULL, 0,
					       &s->cfg.verifier); /* X.509 or raw (RFC 7250 3) */
	if (rc == PETREL_E_NO_CERTIFICATE && !s->cfg.require_client_cert) {
		rc = add_in(s, PETREL_HT13_CERTIFICATE, body, len, out);
		if (rc == 0)
			s->state = PETREL_S13_WAIT_FINISHED;
		return rc;
	}
	if (rc < 0) /* empty and required: certificate_required (4.4.2.4) */
		return FAIL(rc, 0);
	rc = add_in(s, PETREL_HT13_CERTIFICATE, body, len, out);
	if (rc == 0)
		s->state = PETREL_S13_WAIT_CV;
	return rc;
}

static int handle_certificate_verify(struct petrel_dtls13_server *s, const uint8_t *body,
				     size_t len, struct petrel_hs13_output *out)
{
	uint8_t th[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&s->transcript, th);
	int rc = petrel_hs13_check_cert_verify(body, len, false, &s->peer.key, petrel_hs13_sig_schemes,
					       petrel_hs13_sig_scheme_count, th, s->ks.hash_len);
	if (rc < 0)
		return FAIL(rc, 0);
	rc = add_in(s, PETREL_HT13_CERTIFICATE_VERIFY, body, len, out);
	if (rc == 0)
		s->state = PETREL_S13_WAIT_FINISHED;
	return rc;
}

int petrel_dtls13_server_send_ticket(struct petrel_dtls13_server *s, struct petrel_hs13_output *out)
{
	if (s->state != PETREL_S13_CONNECTED || s->cfg.ticket_keys == NULL || !s->res_master_ready)
		return PETREL_E_INVALID_REQUEST;
	uint8_t binding[PETREL_TICKET13_BINDING_LEN];
	petrel_ticket13_binding(&s->names, binding);
	return petrel_ticket13_issue(&s->cfg, s->suite, s->hash, s->ks.resumption_master, binding,
				     s->tickets_sent++, out);
}

static int handle_finished(struct petrel_dtls13_server *s, const uint8_t *body, size_t len,
			   struct petrel_hs13_output *out)
{
	uint8_t th[PETREL_MAX_HASH_LEN];
	petrel_dtls13_transcript_hash(&s->transcript, th);
	int rc = petrel_dtls13_finished_check(s->hash, PETREL_DTLS13_LABEL_PREFIX,
					      s->ks.client_handshake_traffic, th, body, len);
	if (rc < 0)
		return FAIL(PETREL_E_DECRYPTION_FAILED, PETREL_ALERT13_DECRYPT_ERROR);
	rc = add_in(s, PETREL_HT13_FINISHED, body, len, out);
	if (rc < 0)
		return rc;
	/* resumption_master_secret (RFC 8446 7.1) only feeds our tickets
	 * (4.6.1): without them the master secret is wiped underived. */
	bool tickets = s->cfg.send_ticket && s->cfg.ticket_keys != NULL;
	if (tickets) {
		petrel_dtls13_transcript_hash(&s->transcript, th);
		rc = petrel_dtls13_ks_resumption(&s->ks, th);
		if (rc < 0)
			return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	} else {
		petrel_wipe(s->ks.master_secret, sizeof s->ks.master_secret);
		petrel_hkdf_key_wipe(&s->ks.master_key);
		s->ks.master_keyed = false;
	}
	s->res_master_ready = tickets;
	petrel_hs13_out_key(out, false, PETREL_EPOCH13_APPLICATION, s->ks.client_application_traffic,
			    s->ks.hash_len);
	s->state = PETREL_S13_CONNECTED;
	out->event = PETREL_HS13_EV_DONE;
	if (s->cfg.send_ticket && s->cfg.ticket_keys != NULL) {
		rc = petrel_dtls13_server_send_ticket(s, out);
		if (rc < 0)
			return FAIL(rc, PETREL_ALERT13_INTERNAL_ERROR);
	}
	return 0;
}

int petrel_dtls13_server_handle(struct petrel_dtls13_server *s, uint8_t type, const uint8_t *body,
				size_t len, uint64_t now_ms, struct petrel_hs13_output *out)
{
	int rc;
	switch (s->state) {
	case PETREL_S13_WAIT_CH:
	case PETREL_S13_WAIT_CH2:
		rc = type == PETREL_HT13_CLIENT_HELLO ? handle_client_hello(s, body, len, now_ms, out)
						      : UNEXPECTED;
		break;
	case PETREL_S13_WAIT_CERT:
		rc = type == PETREL_HT13_CERTIFICATE ? handle_certificate(s, body, len, out) : UNEXPECTED;
		break;
	case PETREL_S13_WAIT_CV:
		rc = type == PETREL_HT13_CERTIFICATE_VERIFY
			     ? handle_certificate_verify(s, body, len, out)
			     : UNEXPECTED;
		break;
	case PETREL_S13_WAIT_FINISHED:
		rc = type == PETREL_HT13_FINISHED ? handle_finished(s, body, len, out) : UNEXPECTED;
		break;
	default:
		rc = UNEXPECTED;
		break;
	}
	if (rc == UNEXPECTED)
		rc = FAIL(PETREL_E_UNEXPECTED_MESSAGE, PETREL_ALERT13_UNEXPECTED_MESSAGE);
	if (rc < 0)
		s->state = PETREL_S13_FAILED;
	return rc;
}

/* ---- the stateless front door (issue #20 item 1) ---- */

/* The group a HelloRetryRequest asks for, 0 when the client's shares do
 * (only the cookie is asked for then). PETREL_E_NO_COMMON_GROUP when the
 * client lists groups and none is ours. A ClientHello without groups
 * (psk_ke only, RFC 8446 4.2.9) asks for none: the session decides. */
static int front_group(const struct petrel_dtls13_server *s, const struct ch13 *ch,
		       uint16_t *group)
{
	const uint8_t *b;
	size_t bl, group_n, client_group_n = 0, share_n = 0;
	const uint16_t *groups = petrel_hs13_groups(&s->cfg, &group_n);
	uint16_t client_groups[16];
	struct petrel_key_share_iter it;
	*group = 0;
	int rc = find(ch, 10, &b, &bl);
	if (rc <= 0)
		return rc;
	rc = petrel_hs13_u16_list_parse(b, bl, client_groups, 16, &client_group_n);
	if (rc < 0)
		return rc;
	bool has_shares = (rc = find(ch, PETREL_EXT13_KEY_SHARE, &b, &bl)) == 1;
	if (has_shares)
		rc = petrel_ext13_client_shares_parse(b, bl, &it, &share_n);
	if (rc < 0)
		return rc;
	for (size_t g = 0; g < group_n && has_shares; g++) {
		struct petrel_key_share share;
		struct petrel_key_share_iter walk = it;
		while (petrel_key_share_next(&walk, &share))
			if (share.group == groups[g])
				return 0; /* a usable share: only the cookie is asked for */
	}
	for (size_t g = 0; g < group_n; g++)
		if (petrel_hs13_u16_in(client_groups, client_group_n, groups[g])) {
			*group = groups[g];
			return 0;
		}
	return PETREL_E_NO_COMMON_GROUP;
}

int petrel_dtls13_server_front(const struct petrel_hs13_config *cfg, const uint8_t *body,
			       size_t len, uint64_t now_ms, struct petrel_hs13_output *out)
{
	struct petrel_dtls13_server *s = calloc(1, sizeof *s);
	if (s == NULL)
		return PETREL_E_MEMORY;
	petrel_dtls13_server_init(s, cfg);
	struct ch13 ch;
	const uint8_t *b, *versions;
	size_t bl, version_n;
	int rc = parse_ch(body, len, &ch);
	if (rc == 0 && ch.exts_len > 0)
		rc = petrel_ext_find(ch.exts, ch.exts_len, 0xffff, &b, &bl); /* well formed, none twice */
	if (rc >= 0)
		rc = find(&ch, PETREL_EXT13_SUPPORTED_VERSIONS, &b, &bl) == 1 &&
				     petrel_ext13_versions_parse(b, bl, &versions, &version_n) == 0 &&
				     petrel_ext13_versions_contains(versions, version_n,
								    PETREL_WIRE_DTLS13)
			     ? 0
			     : PETREL_E_PROTOCOL_VERSION;
	/* RFC 9147 5.3: legacy_cookie empty; RFC 8446 4.1.2: null compression. */
	if (rc == 0 && (ch.legacy_cookie_len != 0 || ch.comp_len != 1 || ch.comp[0] != 0))
		rc = PETREL_E_ILLEGAL_PARAMETER;
	if (rc == 0 && (rc = find(&ch, PETREL_EXT13_COOKIE, &b, &bl)) == 1) {
		/* The second ClientHello: its cookie must be ours, for this
		 * address, young enough, for a suite it offers. A bad one is
		 * dropped: a client answers one HelloRetryRequest only (RFC
		 * 8446 4.1.4), so another would not help. */
		const uint8_t *cookie;
		size_t cookie_len;
		struct petrel_hs13_cookie cd;
		rc = petrel_ext13_cookie_parse(b, bl, &cookie, &cookie_len) == 0 &&
				     petrel_hs13_cookie_check(cfg, cookie, cookie_len, (uint32_t)now_ms,
							      &cd) == 0 &&
				     ch_has_suite(&ch, cd.suite)
			     ? 1
			     : PETREL_E_BAD_COOKIE;
	} else if (rc == 0) {
		uint16_t group = 0;
		s->suite = pick_suite(s, &ch, false, PETREL_HASH_SHA256);
		rc = s->suite == 0 ? PETREL_E_NO_COMMON_CIPHER : front_group(s, &ch, &group);
		if (rc == 0)
			rc = petrel_tls13_suite_params(s->suite, &s->hash, &s->aead);
		if (rc == 0)
			rc = send_hrr(s, &ch, body, len, group, now_ms, out);
	}
	petrel_dtls13_server_free(s);
	free(s);
	return rc;
}
