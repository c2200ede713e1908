/* DTLS 1.2 server state machine (RFC 6347 4.2, RFC 5246 7.3): stateless
 * cookie exchange first (no per-client state before a valid cookie), then
 * a table of states, each naming the messages it accepts. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtls/session.h"
#include "dtls/first_hello.h"
#include "dtls/first_record.h"
#include "dtls/rpk.h"
#include "dtls/session_cid.h"
#include "dtls/session_peer.h"
#include "dtls/sni12_ticket.h"
#include "dtls13/messages13.h"

static bool have_psk(const petrel_session *s)
{
	return s->creds && (s->creds->psk_count > 0 || s->creds->psk_lookup != NULL);
}

/* Stateless HelloVerifyRequest: record sequence number copied from the
 * ClientHello (its first record when fragmented), message_seq too (RFC
 * 6347 4.2.1, 4.2.2); smaller than the ClientHello, so no amplification,
 * and one record of 50 bytes, so it fits any MTU. */
static int send_hello_verify(petrel_session *s, uint64_t record_seq, uint16_t message_seq,
			     const struct petrel_client_hello *ch, uint64_t now_ms)
{
	uint8_t msg[PETREL_HVR_MESSAGE_MAX];
	size_t msg_len;
	int rc = petrel_hello_verify_message(s->creds, s->peer_addr, s->peer_addr_len, ch, now_ms,
					     record_seq, message_seq, msg, sizeof msg, &msg_len);
	if (rc < 0)
		return rc;
	uint8_t dgram[128];
	struct petrel_writer w;
	petrel_writer_init(&w, dgram, sizeof dgram);
	petrel_rl_set_next_write_seq(&s->rl, 0, record_seq);
	rc = petrel_rl_write(&s->rl, 0, PETREL_CT_HANDSHAKE, msg, msg_len, &w);
	if (rc < 0)
		return rc;
	if (s->push == NULL)
		return PETREL_E_PUSH_ERROR;
	(void)petrel_outq_session_drain(s, dgram, petrel_writer_len(&w), NULL); /* a lost one is asked again */
	return 0;
}

static bool key_fits_suite(const petrel_session *s, const struct petrel_suite *suite,
			   const struct petrel_client_hello *ch)
{
	if (petrel_suite_uses_psk(suite))
		return have_psk(s);
	/* A raw public key (RFC 7250) needs the key only. */
	if (s->creds == NULL || s->creds->key == NULL ||
	    (s->creds->chain_count == 0 && s->server_cert_type != PETREL_CERT_TYPE_RAW_PUBLIC_KEY))
		return false;
	enum petrel_key_type type = petrel_privkey_type(s->creds->key);
	if (suite->kx == PETREL_KX_ECDHE_RSA)
		return type == PETREL_KEY_RSA;
	/* RFC 8422 5.1: in TLS 1.2 the client's supported_groups also names
	 * the curves it takes in our ECDSA certificate (OpenSSL aborts with
	 * "wrong curve" otherwise); no extension means any curve (RFC 8422 4). */
	uint16_t cert_curve = type == PETREL_KEY_EC_P256   ? PETREL_GROUP_SECP256R1
			      : type == PETREL_KEY_EC_P384 ? PETREL_GROUP_SECP384R1
							   : 0;
	if (cert_curve && ch->ext.has_supported_groups &&
	    !petrel_u16_list_contains(ch->ext.supported_groups, ch->ext.supported_groups_len, cert_curve))
		return false;
	return cert_curve != 0 || type == PETREL_KEY_ED25519;
}

static size_t server_suites(const petrel_session *s, uint16_t *out)
{
	if (s->cipher_count) {
		memcpy(out, s->ciphers, s->cipher_count * sizeof out[0]);
		return s->cipher_count;
	}
	size_t count, n = 0;
	const struct petrel_suite *all = petrel_suite_list(&count);
	for (size_t i = 0; i < count && n < PETREL_MAX_CIPHERS; i++)
		out[n++] = all[i].id;
	return n;
}

static uint16_t pick_group(const petrel_session *s, const struct petrel_client_hello *ch)
{
	uint16_t ours[PETREL_MAX_GROUPS] = {PETREL_GROUP_X25519, PETREL_GROUP_SECP256R1,
					    PETREL_GROUP_SECP384R1};
	size_t n = 3;
	if (s->group_count) {
		memcpy(ours, s->groups, s->group_count * sizeof ours[0]);
		n = s->group_count;
	}
	if (!ch->ext.has_supported_groups) {
		/* RFC 8422 4: no extension means any curve; P-256 is the safe pick. */
		for (size_t i = 0; i < n; i++)
			if (ours[i] == PETREL_GROUP_SECP256R1)
				return PETREL_GROUP_SECP256R1;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (petrel_u16_list_contains(ch->ext.supported_groups, ch->ext.supported_groups_len, ours[i]))
			return ours[i];
	return 0;
}

static int choose_suite(petrel_session *s, const struct petrel_client_hello *ch)
{
	struct petrel_hs *hs = s->hs;
	uint16_t ours[PETREL_MAX_CIPHERS];
	size_t n = server_suites(s, ours);
	uint16_t client_schemes[24];
	size_t client_scheme_count = 0;
	if (ch->ext.has_signature_algorithms) {
		struct petrel_u16_iter it;
		uint16_t v;
		petrel_u16_iter_init(&it, ch->ext.signature_algorithms, ch->ext.signature_algorithms_len);
		while (petrel_u16_iter_next(&it, &v) && client_scheme_count < 24)
			client_schemes[client_scheme_count++] = v;
	}
	bool group_missing = false;
	for (size_t i = 0; i < n; i++) {
		const struct petrel_suite *suite = petrel_suite_by_id(ours[i]);
		if (suite == NULL || !petrel_u16_list_contains(ch->cipher_suites, ch->cipher_suites_len, suite->id))
			continue;
		if (!key_fits_suite(s, suite, ch))
			continue;
		uint16_t group = 0;
		if (petrel_suite_uses_ecdhe(suite)) {
			group = pick_group(s, ch);
			if (group == 0) {
				group_missing = true;
				continue;
			}
		}
		uint16_t scheme = 0;
		if (petrel_suite_uses_certificate(suite) &&
		    petrel_pick_sig_scheme(s, client_schemes, client_scheme_count, &scheme) < 0)
			continue;
		hs->suite = suite;
		hs->group = group;
		hs->peer_sig_scheme = scheme; /* ours, for the session report */
		memcpy(hs->peer_sig_schemes, client_schemes, client_scheme_count * sizeof client_schemes[0]);
		hs->peer_sig_scheme_count = client_scheme_count;
		return 0;
	}
	return group_missing ? PETREL_E_NO_COMMON_GROUP : PETREL_E_NO_COMMON_CIPHER;
}

static bool client_offers_ems(const petrel_session *s, const struct petrel_client_hello *ch)
{
	return ch->ext.extended_master_secret && !(s->flags & PETREL_FLAG_TEST_OMIT_EMS);
}

/* Resume from a sealed session state (a ticket, or a cache value):
 * 1 resumed, 0 full handshake, < 0 abort. *stale (may be NULL) is set
 * when the state itself no longer opens (retired key, damaged), as
 * opposed to a ClientHello that does not fit it. */
static int resume_from_sealed(petrel_session *s, const struct petrel_client_hello *ch,
			      const uint8_t *sealed, size_t sealed_len, bool *stale)
{
	struct petrel_hs *hs = s->hs;
	uint16_t suite_id;
	bool ems;
	uint8_t master[PETREL_MASTER_SECRET_LEN], binding[PETREL_TICKET13_BINDING_LEN];
	if (petrel_ticket_open_bound_at(s->creds, (int64_t)time(NULL), sealed, sealed_len,
					&suite_id, &ems, master, binding) < 0) {
		if (stale)
			*stale = true;
		return 0;
	}
	/* RFC 6066 3: never resumed under another server_name (or with one
	 * where the session had none, or none where it had one): a full
	 * handshake, before the EMS check below can abort. */
	if (hs->sni_unbound || !petrel_ct_equal(binding, hs->sni_binding, sizeof binding)) {
		petrel_wipe(master, sizeof master);
		return 0;
	}
	const struct petrel_suite *suite = petrel_suite_by_id(suite_id);
	bool client_ems = client_offers_ems(s, ch);
	/* RFC 7627 5.3: an original session with EMS resumed by a ClientHello
	 * without it is aborted; one without EMS is never resumed (full
	 * handshake instead), whatever the new ClientHello says. */
	if (ems && !client_ems) {
		petrel_wipe(master, sizeof master);
		return PETREL_E_HANDSHAKE_FAILURE;
	}
	/* The suite must still be one the client offers and we allow. */
	uint16_t ours[PETREL_MAX_CIPHERS];
	size_t n_ours = server_suites(s, ours);
	bool allowed = false;
	for (size_t i = 0; i < n_ours; i++)
		allowed = allowed || ours[i] == suite_id;
	if (suite == NULL || !ems || !allowed ||
	    !petrel_u16_list_contains(ch->cipher_suites, ch->cipher_suites_len, suite_id)) {
		petrel_wipe(master, sizeof master);
		return 0;
	}
	hs->suite = suite;
	hs->ems = ems;
	memcpy(hs->master, master, sizeof master);
	petrel_wipe(master, sizeof master);
	hs->resuming = true;
	return 1;
}

static int try_resume(petrel_session *s, const struct petrel_client_hello *ch)
{
	if ((s->flags & PETREL_FLAG_NO_TICKETS) || !ch->ext.has_session_ticket ||
	    ch->ext.session_ticket_len == 0)
		return 0;
	return resume_from_sealed(s, ch, ch->ext.session_ticket, ch->ext.session_ticket_len, NULL);
}

/* Session-ID resumption from the application's cache (RFC 5246 7.4.1.2):
 * the cached value is a sealed ticket, opened as one. */
static int try_resume_from_cache(petrel_session *s, const struct petrel_client_hello *ch)
{
	const struct petrel_credentials *c = s->creds;
	if (c->db_retrieve == NULL || ch->session_id_len == 0)
		return 0;
	uint8_t sealed[PETREL_TICKET_LEN];
	long n = c->db_retrieve(c->db_ptr, ch->session_id, ch->session_id_len, sealed, sizeof sealed);
	if (n < 0)
		return 0;
	bool stale = n != (long)sizeof sealed;
	int rc = stale ? 0 : resume_from_sealed(s, ch, sealed, sizeof sealed, &stale);
	petrel_wipe(sealed, sizeof sealed);
	/* An entry that no longer opens (retired key, damaged) never will.
	 * One the ClientHello does not fit stays: session IDs travel in the
	 * clear, and anyone who saw one must not be able to evict it. */
	if (stale && c->db_remove)
		(void)c->db_remove(c->db_ptr, ch->session_id, ch->session_id_len);
	return rc;
}

/* After a full handshake: remember it under the session ID we sent. */
static void store_in_cache(petrel_session *s)
{
	const struct petrel_credentials *c = s->creds;
	struct petrel_hs *hs = s->hs;
	if (c->db_store == NULL || hs->session_id_len == 0 || !hs->ems)
		return; /* RFC 7627 5.3: a session without EMS is never resumed */
	uint8_t sealed[PETREL_TICKET_LEN], nonce[12];
	petrel_hs_random(hs, nonce, sizeof nonce);
	if (petrel_ticket_seal_bound_at(c, (int64_t)time(NULL), nonce, hs->suite, hs->ems, hs->master,
					hs->sni_binding, sealed) == 0)
		(void)c->db_store(c->db_ptr, hs->session_id, hs->session_id_len, sealed, sizeof sealed);
}

static int append_body(petrel_session *s, uint8_t type, struct petrel_writer *w, uint8_t *buf)
{
	return petrel_hs_append_message(s, type, buf, petrel_writer_len(w), 0);
}

static int append_new_session_ticket(petrel_session *s)
{
	struct petrel_hs *hs = s->hs;
	uint8_t ticket[PETREL_TICKET_LEN], nonce[12];
	petrel_hs_random(hs, nonce, sizeof nonce);
	int rc = petrel_ticket_seal_bound_at(s->creds, (int64_t)time(NULL), nonce, hs->suite, hs->ems,
					     hs->master, hs->sni_binding, ticket);
	if (rc < 0)
		return rc;
	struct petrel_new_session_ticket nst = {petrel_ticket_lifetime_hint_s(s->creds), ticket,
						sizeof ticket};
	uint8_t body[16 + PETREL_TICKET_LEN];
	struct petrel_writer w;
	petrel_writer_init(&w, body, sizeof body);
	rc = petrel_new_session_ticket_write(&w, &nst);
	if (rc < 0)
		return rc;
	return append_body(s, PETREL_HS_NEW_SESSION_TICKET, &w, body);
}

static int send_server_flight(petrel_session *s, const struct petrel_client_hello *ch, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	uint8_t body[2048];
	struct petrel_writer w;
	int rc;
	uint8_t alpn[256];
	size_t alpn_len = 0;
	uint8_t srtp_profile[2];
	struct petrel_rpk_offer rpk_answer;

	petrel_hs_random(hs, hs->server_random, PETREL_RANDOM_LEN);
	/* RFC 8446 4.1.3: a server that could speak 1.3 marks a 1.2 answer,
	 * so a 1.3 client whose offer was stripped on the path aborts. */
	if (petrel_session_allows_dtls13(s))
		petrel_random_set_downgrade_sentinel(hs->server_random);
	struct petrel_server_hello sh;
	memset(&sh, 0, sizeof sh);
	sh.server_version = PETREL_WIRE_DTLS12;
	sh.random = hs->server_random;
	if (hs->resuming) {
		/* RFC 5077 3.4 / RFC 5246 7.4.1.3: echo the client's session ID
		 * to accept the ticket or the cached session. */
		memcpy(hs->session_id, ch->session_id, ch->session_id_len);
		hs->session_id_len = ch->session_id_len;
	} else if (s->creds->db_store) {
		hs->session_id_len = PETREL_SESSION_ID_MAX;
		petrel_hs_random(hs, hs->session_id, hs->session_id_len);
	}
	sh.session_id = hs->session_id;
	sh.session_id_len = hs->session_id_len;
	sh.cipher_suite = hs->suite->id;
	sh.has_extensions = true;
	rc = petrel_reneg_server_hello_ext(s, ch, &sh.ext); /* RFC 5746 3.6 / 3.7 */
	if (rc < 0)
		return rc;
	sh.ext.extended_master_secret = hs->ems;
	if (!hs->resuming && petrel_suite_uses_ecdhe(hs->suite) && ch->ext.has_ec_point_formats) {
		static const uint8_t formats[] = {PETREL_EC_POINT_UNCOMPRESSED};
		sh.ext.has_ec_point_formats = true;
		sh.ext.ec_point_formats = formats;
		sh.ext.ec_point_formats_len = 1;
	}
	/* No ticket for a session without EMS: it is never resumed (RFC 7627 5.3). */
	hs->send_ticket = !(s->flags & PETREL_FLAG_NO_TICKETS) && ch->ext.has_session_ticket && hs->ems;
	sh.ext.has_session_ticket = hs->send_ticket;
	if (ch->ext.has_heartbeat) {
		/* RFC 6520 2: we always answer heartbeats (path MTU probes). */
		if (ch->ext.heartbeat_mode != 1 && ch->ext.heartbeat_mode != 2)
			return PETREL_E_ILLEGAL_PARAMETER;
		sh.ext.has_heartbeat = true;
		sh.ext.heartbeat_mode = 1;
		s->hb_negotiated = true;
		s->hb_peer_allows = ch->ext.heartbeat_mode == 1;
	}
	if (ch->ext.has_record_size_limit) {
		/* RFC 8449 4: never send records with more plaintext than the
		 * client takes; answer with our own limit (we take 2^14). */
		if (ch->ext.record_size_limit < 64)
			return PETREL_E_ILLEGAL_PARAMETER;
		s->peer_record_limit = ch->ext.record_size_limit;
		sh.ext.has_record_size_limit = true;
		sh.ext.record_size_limit = PETREL_MAX_PLAINTEXT;
	} else if (ch->ext.has_max_fragment_length) {
		/* RFC 6066 4 (ignored when record_size_limit is there, RFC 8449 5). */
		uint8_t code = ch->ext.max_fragment_length;
		if (code < 1 || code > 4)
			return PETREL_E_ILLEGAL_PARAMETER;
		s->peer_record_limit = (uint16_t)(1u << (8 + code));
		sh.ext.has_max_fragment_length = true;
		sh.ext.max_fragment_length = code;
	}
	if (s->alpn_offer && ch->ext.has_alpn) {
		/* RFC 7301 3.2: the server's preference among the client's names. */
		const char *p = s->alpn_offer;
		while (*p && alpn_len == 0) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			if (n > 0 && petrel_alpn_list_contains(ch->ext.alpn, ch->ext.alpn_len, (const uint8_t *)p, n)) {
				alpn[0] = (uint8_t)n;
				memcpy(alpn + 1, p, n);
				alpn_len = n + 1;
				free(s->alpn_selected);
				s->alpn_selected = strndup(p, n);
			}
			p += n;
			if (*p == ',')
				p++;
		}
		if (alpn_len == 0)
			return PETREL_E_ALPN_MISMATCH;
		sh.ext.has_alpn = true;
		sh.ext.alpn = alpn;
		sh.ext.alpn_len = alpn_len;
	}
	/* RFC 5764 4.1.1: one profile of ours the client offered; none in
	 * common: no use_srtp (the client decides whether to go on). */
	struct petrel_srtp_state *srtp = s->srtp; /* NULL: no SRTP configured */
	if (srtp != NULL) {
		bool echo_mki;
		petrel_srtp_server_select(srtp->profiles, srtp->profile_count, srtp->mki,
					  srtp->mki_len, &ch->ext, &srtp->selected, &echo_mki);
		if (srtp->selected != 0) {
			petrel_store_u16(srtp_profile, srtp->selected);
			sh.ext.has_use_srtp = true;
			sh.ext.srtp_profiles = srtp_profile;
			sh.ext.srtp_profiles_len = 2;
			if (echo_mki) {
				/* The MKI in use is the client's (ours is empty or equal). */
				memcpy(srtp->mki, ch->ext.srtp_mki, ch->ext.srtp_mki_len);
				srtp->mki_len = (uint8_t)ch->ext.srtp_mki_len;
				sh.ext.srtp_mki = srtp->mki;
				sh.ext.srtp_mki_len = srtp->mki_len;
			}
			srtp->mki_used = echo_mki;
		}
	}
	if (!hs->resuming)
		petrel_rpk_server_answer(s, ch, petrel_suite_uses_certificate(hs->suite) &&
						       (s->flags & (PETREL_FLAG_REQUEST_CLIENT_CERT |
								    PETREL_FLAG_REQUIRE_CLIENT_CERT)),
					 &rpk_answer, &sh.ext);
	rc = petrel_cid_on_client_hello(s, &ch->ext, &sh.ext); /* RFC 9146 3 */
	if (rc < 0)
		return rc;
	petrel_writer_init(&w, body, sizeof body);
	rc = petrel_server_hello_write(&w, &sh);
	if (rc == 0)
		rc = append_body(s, PETREL_HS_SERVER_HELLO, &w, body);
	if (rc < 0)
		return rc;

	if (hs->resuming) {
		rc = petrel_hs_derive_keys(hs);
		if (rc == 0 && hs->send_ticket)
			rc = append_new_session_ticket(s);
		if (rc == 0)
			rc = petrel_hs_append_ccs_finished(s);
		if (rc < 0)
			return rc;
		hs->state = HS_S_WAIT_CCS;
		return petrel_hs_send_flight(s, now_ms, false);
	}

	if (petrel_suite_uses_certificate(hs->suite) &&
	    s->server_cert_type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY) {
		bool sent;
		rc = petrel_rpk_append_certificate(s, &sent); /* RFC 7250 3 */
		if (rc < 0)
			return rc;
	} else if (petrel_suite_uses_certificate(hs->suite)) {
		struct petrel_certificate_msg msg = {0};
		size_t cap = 16;
		for (size_t i = 0; i < s->creds->chain_count && i < PETREL_CERT_CHAIN_MAX; i++) {
			msg.certs[i].der = s->creds->chain_der[i];
			msg.certs[i].der_len = s->creds->chain_len[i];
			msg.count = i + 1;
			cap += 3 + s->creds->chain_len[i];
		}
		uint8_t *cert_body = malloc(cap);
		if (cert_body == NULL)
			return PETREL_E_MEMORY;
		petrel_writer_init(&w, cert_body, cap);
		rc = petrel_certificate_write(&w, &msg);
		if (rc == 0)
			rc = append_body(s, PETREL_HS_CERTIFICATE, &w, cert_body);
		free(cert_body);
		if (rc < 0)
			return rc;
	}
	const struct petrel_credentials *c = s->creds;
	if (hs->suite->kx == PETREL_KX_PSK && c->psk_hint_len > 0) {
		/* RFC 4279 2: plain PSK sends ServerKeyExchange only for a hint. */
		petrel_writer_init(&w, body, sizeof body);
		petrel_put_opaque16(&w, c->psk_hint, c->psk_hint_len);
		rc = append_body(s, PETREL_HS_SERVER_KEY_EXCHANGE, &w, body);
		if (rc < 0)
			return rc;
	}
	if (petrel_suite_uses_ecdhe(hs->suite)) {
		rc = petrel_kx_keygen((enum petrel_group)hs->group, hs->kx_priv, hs->kx_pub, &hs->kx_pub_len);
		if (rc < 0)
			return rc;
		petrel_writer_init(&w, body, sizeof body);
		if (hs->suite->kx == PETREL_KX_ECDHE_PSK) /* psk_identity_hint, RFC 5489 2 */
			petrel_put_opaque16(&w, c->psk_hint, c->psk_hint_len);
		uint8_t *params = w.p;
		rc = petrel_ecdh_params_write(&w, hs->group, hs->kx_pub, hs->kx_pub_len);
		if (rc < 0)
			return rc;
		if (petrel_suite_uses_certificate(hs->suite)) {
			size_t params_len = (size_t)(w.p - params);
			uint8_t signed_data[2 * PETREL_RANDOM_LEN + 4 + PETREL_KX_MAX_PUB_LEN];
			memcpy(signed_data, hs->client_random, PETREL_RANDOM_LEN);
			memcpy(signed_data + PETREL_RANDOM_LEN, hs->server_random, PETREL_RANDOM_LEN);
			memcpy(signed_data + 2 * PETREL_RANDOM_LEN, params, params_len);
			uint8_t sig[PETREL_MAX_SIG_LEN];
			size_t sig_len;
			rc = petrel_sign(s->creds->key, hs->peer_sig_scheme, signed_data,
					 2 * PETREL_RANDOM_LEN + params_len, sig, sizeof sig, &sig_len);
			if (rc < 0)
				return rc;
			struct petrel_digitally_signed ds = {hs->peer_sig_scheme, sig, sig_len};
			rc = petrel_digitally_signed_write(&w, &ds);
			if (rc < 0)
				return rc;
		}
		rc = append_body(s, PETREL_HS_SERVER_KEY_EXCHANGE, &w, body);
		if (rc < 0)
			return rc;
	}
	if (petrel_suite_uses_certificate(hs->suite) &&
	    (s->flags & (PETREL_FLAG_REQUEST_CLIENT_CERT | PETREL_FLAG_REQUIRE_CLIENT_CERT))) {
		static const uint8_t types[] = {PETREL_CERT_TYPE_ECDSA_SIGN, PETREL_CERT_TYPE_RSA_SIGN};
		uint16_t schemes[16];
		size_t n = petrel_our_sig_schemes(schemes, 16);
		uint8_t scheme_bytes[32];
		for (size_t i = 0; i < n; i++)
			petrel_store_u16(scheme_bytes + 2 * i, schemes[i]);
		struct petrel_certificate_request cr = {types, sizeof types, scheme_bytes, 2 * n, NULL, 0};
		petrel_writer_init(&w, body, sizeof body);
		rc = petrel_certificate_request_write(&w, &cr);
		if (rc == 0)
			rc = append_body(s, PETREL_HS_CERTIFICATE_REQUEST, &w, body);
		if (rc < 0)
			return rc;
		hs->cert_requested = true;
	}
	petrel_writer_init(&w, body, sizeof body);
	rc = append_body(s, PETREL_HS_SERVER_HELLO_DONE, &w, body);
	if (rc < 0)
		return rc;
	hs->state = hs->cert_requested ? HS_S_WAIT_CERT : HS_S_WAIT_CKE;
	return petrel_hs_send_flight(s, now_ms, false);
}

static int process_client_hello(petrel_session *s, const struct petrel_client_hello *ch, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	/* DTLS versions count down: 0xfeff (1.0) > 0xfefd (1.2). RFC 6347
	 * 4.1 / RFC 5246 E.1: an older-only client gets protocol_version.
	 * Every DTLS version is 0xfeXX (RFC 6347 4.1, RFC 9147 5.3); a TLS
	 * number such as 0x0303 is numerically below 0xfefd but names no
	 * DTLS version, newer or older: protocol_version too. */
	if (ch->client_version > PETREL_WIRE_DTLS12 || (ch->client_version >> 8) != 0xfe)
		return PETREL_E_PROTOCOL_VERSION;
	memcpy(hs->client_random, ch->random, PETREL_RANDOM_LEN);
	/* RFC 6066 3: what this connection's tickets and cache entry are
	 * bound to, and what an offered session must match. */
	hs->sni_unbound = !petrel_sni12_binding(ch->ext.has_server_name ? ch->ext.server_name : NULL,
					       ch->ext.has_server_name ? ch->ext.server_name_len : 0,
					       hs->sni_binding);
	int resumed = try_resume(s, ch);
	if (resumed == 0)
		resumed = try_resume_from_cache(s, ch);
	if (resumed < 0)
		return resumed;
	if (resumed == 0) {
		int rc = petrel_rpk_server_choose(s, ch); /* RFC 7250 4.2 */
		if (rc == 0)
			rc = choose_suite(s, ch);
		if (rc < 0)
			return rc;
		/* EMS preferred, not required, unless the user asks (RFC 7627
		 * 5.2 allows the legacy master secret). */
		hs->ems = client_offers_ems(s, ch);
		if (!hs->ems && (s->flags & PETREL_FLAG_REQUIRE_EMS))
			return PETREL_E_EMS_REQUIRED;
	}
	return send_server_flight(s, ch, now_ms);
}

/* Stateless until the cookie checks: the ClientHello, whole in one record
 * or assembled from fragments within the caps of dtls/first_hello.h
 * (issue #20 item 4), is answered with a HelloVerifyRequest or starts the
 * handshake; anything else is dropped without an answer. */
static int first_hello(petrel_session *s, const struct petrel_first_hello_msg *m, uint64_t now_ms)
{
	struct petrel_client_hello ch;
	if (petrel_client_hello_parse(m->body, m->h.length, &ch) < 0)
		return 0;
	if (s->creds == NULL)
		return PETREL_E_INVALID_REQUEST;
	uint32_t age_ms = 0;
	uint16_t hvr_seq = 0;
	bool cookie_sample = false;
	if (!(s->flags & PETREL_FLAG_NO_COOKIE)) {
		if (petrel_cookie_check(s->creds, s->peer_addr, s->peer_addr_len, &ch, (uint32_t)now_ms,
					&age_ms, &hvr_seq) < 0)
			return send_hello_verify(s, m->first_record_seq, m->h.message_seq, &ch, now_ms);
		/* Only the client's first answer to that HelloVerifyRequest
		 * times one round trip (see cookie.c): its first record follows
		 * the records of the ClientHello the HelloVerifyRequest echoed,
		 * no more of them than this one took; a retransmission starts
		 * later. */
		uint16_t gap = (uint16_t)((uint16_t)m->first_record_seq - hvr_seq);
		cookie_sample = gap >= 1 && gap <= m->records;
	}
	int rc = petrel_hs_start(s, now_ms);
	if (rc < 0)
		return rc;
	struct petrel_hs *hs = s->hs;
	hs->state = HS_S_WAIT_CH;
	/* RFC 6347 4.2.2: our message_seq continues from the ClientHello's. */
	hs->next_send_seq = m->h.message_seq;
	petrel_reasm_set_next_seq(&hs->rx, (uint16_t)(m->h.message_seq + 1));
	if (cookie_sample)
		petrel_rto_on_sample(&hs->rto, age_ms); /* the cookie round trip */
	uint8_t full_header[PETREL_HS_HEADER_LEN];
	petrel_hs_header_encode_full(full_header, m->h.msg_type, m->h.message_seq, m->h.length);
	rc = petrel_hs_transcript_add(hs, full_header, sizeof full_header);
	if (rc == 0)
		rc = petrel_hs_transcript_add(hs, m->body, m->h.length);
	if (rc == 0)
		rc = process_client_hello(s, &ch, now_ms);
	return rc;
}

int petrel_server_first_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms)
{
	struct petrel_first_hello_msg m;
	if (petrel_first_hello_take(s, rec, now_ms, &m) != 1)
		return 0;
	int rc = first_hello(s, &m, now_ms);
	/* Answered or started (the transcript holds its bytes): the next
	 * ClientHello, if any, is assembled afresh. */
	petrel_first_hello_release(s);
	return rc;
}

static int handle_client_certificate(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_certificate_msg msg;
	int rc;
	if (s->client_cert_type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY) {
		bool empty;
		rc = petrel_rpk_handle_certificate(s, m, &empty); /* RFC 7250 3 */
		if (rc < 0)
			return rc;
		if (empty && (s->flags & PETREL_FLAG_REQUIRE_CLIENT_CERT))
			return PETREL_E_NO_CERTIFICATE;
		hs->peer_sent_cert = !empty;
		hs->state = HS_S_WAIT_CKE;
		return petrel_hs_add_peer_message(hs, m);
	}
	rc = petrel_certificate_parse(m->body, m->length, &msg);
	if (rc < 0)
		return rc;
	if (msg.count == 0) {
		if (s->flags & PETREL_FLAG_REQUIRE_CLIENT_CERT)
			return PETREL_E_NO_CERTIFICATE;
	} else {
		rc = petrel_store_peer_chain(hs, &msg);
		if (rc == 0)
			rc = petrel_verify_peer(s, false);
		if (rc < 0)
			return rc;
		hs->peer_sent_cert = true;
	}
	hs->state = HS_S_WAIT_CKE;
	return petrel_hs_add_peer_message(hs, m);
}

/* The key for a client's identity: among the credentials' PSKs, else from
 * the application's lookup (petrel_credentials_set_psk_function). The
 * entry is copied into the session, which keeps the identity for
 * petrel_session_get_psk_identity; the key is wiped once used. */
static const struct petrel_psk_entry *find_psk(petrel_session *s, const uint8_t *id, size_t len)
{
	const struct petrel_credentials *c = s->creds;
	struct petrel_psk_entry *used = &s->psk_used;
	/* RFC 4279 5.3: identities up to 128 bytes; we keep one below that
	 * so it can be handed out NUL terminated. */
	if (c == NULL || len == 0 || len >= sizeof used->identity)
		return NULL;
	bool found = false;
	for (size_t i = 0; i < c->psk_count && !found; i++) {
		const struct petrel_psk_entry *e = &c->psks[i];
		if (e->identity_len == len && memcmp(e->identity, id, len) == 0) {
			memcpy(used->key, e->key, e->key_len);
			used->key_len = e->key_len;
			found = true;
		}
	}
	if (!found && c->psk_lookup) {
		long n = c->psk_lookup(c->psk_lookup_ptr, id, len, used->key, sizeof used->key);
		if (n > 0 && (size_t)n <= sizeof used->key) {
			used->key_len = (size_t)n;
			found = true;
		} else {
			petrel_wipe(used->key, sizeof used->key);
		}
	}
	if (!found)
		return NULL;
	memset(used->identity, 0, sizeof used->identity);
	memcpy(used->identity, id, len);
	used->identity_len = len;
	s->psk_used_set = true;
	return used;
}

static int handle_client_key_exchange(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_client_key_exchange cke;
	int rc = petrel_client_key_exchange_parse(m->body, m->length, petrel_msg_kx_of(hs->suite), &cke);
	if (rc < 0)
		return rc;
	if (petrel_suite_uses_psk(hs->suite)) {
		hs->psk = find_psk(s, cke.psk_identity, cke.psk_identity_len);
		if (hs->psk == NULL)
			return PETREL_E_UNKNOWN_PSK_IDENTITY;
	}
	if (petrel_suite_uses_ecdhe(hs->suite)) {
		rc = petrel_kx_derive((enum petrel_group)hs->group, hs->kx_priv, cke.point, cke.point_len,
				      hs->premaster);
		hs->premaster_len = petrel_kx_shared_len((enum petrel_group)hs->group);
	}
	petrel_wipe(hs->kx_priv, sizeof hs->kx_priv);
	if (rc == 0)
		rc = petrel_hs_add_peer_message(hs, m);
	if (rc == 0)
		rc = petrel_hs_compute_master(s);
	/* The PSK is in the master secret now (or the handshake failed): the
	 * session keeps only the identity. */
	petrel_wipe(s->psk_used.key, sizeof s->psk_used.key);
	s->psk_used.key_len = 0;
	hs->psk = NULL;
	if (rc < 0)
		return rc;
	hs->state = hs->peer_sent_cert ? HS_S_WAIT_CV : HS_S_WAIT_CCS;
	return 0;
}

static int handle_certificate_verify(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_digitally_signed ds;
	int rc = petrel_certificate_verify_parse(m->body, m->length, &ds);
	if (rc < 0)
		return rc;
	uint16_t ours[16];
	size_t n = petrel_our_sig_schemes(ours, 16);
	bool offered = false;
	for (size_t i = 0; i < n; i++)
		offered |= ours[i] == ds.scheme;
	if (!offered)
		return PETREL_E_ILLEGAL_PARAMETER;
	/* RFC 5246 7.4.8: over every handshake message before this one. */
	rc = petrel_verify(ds.scheme, &hs->peer_key, hs->transcript, hs->transcript_len, ds.signature,
			   ds.signature_len);
	if (rc < 0)
		return PETREL_E_SIGNATURE_INVALID;
	hs->state = HS_S_WAIT_CCS;
	return petrel_hs_add_peer_message(hs, m);
}

static int handle_finished(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	int rc = petrel_hs_check_peer_finished(s, m);
	if (rc < 0)
		return rc;
	if (!hs->resuming) {
		store_in_cache(s);
		petrel_flight_restart(&hs->flight);
		if (hs->send_ticket && (rc = append_new_session_ticket(s)) < 0)
			return rc;
		if ((rc = petrel_hs_send_ccs_finished(s, now_ms)) < 0)
			return rc;
	}
	petrel_keep_peer_chain(s);
	return petrel_hs_done(s, m, now_ms);
}

/* A renegotiating ClientHello (dtls/reneg.c): the handshake state exists
 * already (a HelloRequest may be in its flight); no cookie exchange on an
 * authenticated association (RFC 6347 4.2.1 lets it be omitted). */
int petrel_server_reneg_client_hello(petrel_session *s, const struct petrel_hs_message *m,
				     uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_client_hello ch;
	int rc = petrel_client_hello_parse(m->body, m->length, &ch);
	if (rc < 0)
		return rc;
	petrel_flight_restart(&hs->flight); /* the HelloRequest is answered */
	hs->transcript_len = 0;
	hs->th_ready = false;
	/* RFC 6347 4.2.2: our message_seq continues from the ClientHello's,
	 * after our HelloRequest's if we sent one. */
	if (m->message_seq > hs->next_send_seq)
		hs->next_send_seq = m->message_seq;
	rc = petrel_hs_add_peer_message(hs, m);
	if (rc < 0)
		return rc;
	return process_client_hello(s, &ch, now_ms);
}

int petrel_server_handle(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	switch (hs->state) {
	case HS_S_WAIT_CH:
		if (m->msg_type == PETREL_HS_CLIENT_HELLO && s->reneg.active)
			return petrel_server_reneg_client_hello(s, m, now_ms);
		break;
	case HS_S_WAIT_CERT:
		if (m->msg_type == PETREL_HS_CERTIFICATE)
			return handle_client_certificate(s, m);
		break;
	case HS_S_WAIT_CKE:
		if (m->msg_type == PETREL_HS_CLIENT_KEY_EXCHANGE)
			return handle_client_key_exchange(s, m);
		break;
	case HS_S_WAIT_CV:
		if (m->msg_type == PETREL_HS_CERTIFICATE_VERIFY)
			return handle_certificate_verify(s, m);
		break;
	case HS_S_WAIT_FINISHED:
		if (m->msg_type == PETREL_HS_FINISHED)
			return handle_finished(s, m, now_ms);
		break;
	default:
		break;
	}
	return PETREL_E_UNEXPECTED_MESSAGE;
}

int petrel_server_on_ccs(petrel_session *s)
{
	return petrel_hs_accept_ccs(s, HS_S_WAIT_CCS, HS_S_WAIT_FINISHED);
}

/* For endpoints that demultiplex many peers: decide, without any session,
 * whether a datagram from an unknown peer deserves one (RFC 6347 4.2.1).
 * Returns 1 when it holds a ClientHello with a valid cookie (create a
 * session and feed it the datagram), 0 when a HelloVerifyRequest was
 * written to hvr (send it back), PETREL_E_AGAIN to drop it silently.
 * Looks at a ClientHello whole in the first record only; the endpoint
 * assembles fragmented ones first (petrel_ep_check_client_hello). */
int petrel_server_stateless_check(const struct petrel_credentials *creds, const uint8_t *peer,
				  size_t peer_len, const uint8_t *dgram, size_t len, uint64_t now_ms,
				  uint8_t *hvr, size_t hvr_cap, size_t *hvr_len)
{
	struct petrel_reader r;
	struct petrel_record_header rh;
	petrel_reader_init(&r, dgram, len);
	if (!petrel_record_header_read(&r, &rh) || rh.content_type != PETREL_CT_HANDSHAKE ||
	    rh.epoch != 0 || rh.length > petrel_reader_left(&r))
		return PETREL_E_AGAIN;
	struct petrel_reader body;
	petrel_get_sub(&r, rh.length, &body);
	struct petrel_hs_header h;
	const uint8_t *frag;
	if (petrel_hs_header_read(&body, &h, &frag) < 0 || h.msg_type != PETREL_HS_CLIENT_HELLO ||
	    h.fragment_offset != 0 || h.fragment_length != h.length)
		return PETREL_E_AGAIN;
	struct petrel_first_hello_msg m = {h, frag, rh.seq, 1};
	return petrel_hello_verify_answer(creds, peer, peer_len, &m, now_ms, hvr, hvr_cap, hvr_len);
}
