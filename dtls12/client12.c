/* DTLS 1.2 client state machine (RFC 6347 4.2, RFC 5246 7.3). Each state
 * names the messages it accepts; anything else is unexpected_message. */
#include <stdlib.h>
#include <string.h>

#include "dtls/ext_answer.h"
#include "dtls/session.h"
#include "dtls/rpk.h"
#include "dtls/session_cid.h"
#include "dtls/session_peer.h"

#define MAX_HELLO_VERIFY 3
/* Largest session ticket we keep (RFC 5077 3.3 allows 2^16-1). GnuTLS puts
 * the client's certificate chain into its tickets, so they pass 1 KB as
 * soon as client authentication is used; a larger one is ignored (no
 * resumption by ticket), it never fails the handshake. */
#define CLIENT_TICKET_MAX 4096

static bool have_psk(const petrel_session *s)
{
	return s->creds && s->creds->psk_count > 0;
}

/* Suites to offer: the configured list, else every suite we can use
 * (PSK suites first when a PSK is configured: IoT peers expect them). */
static size_t offered_suites(const petrel_session *s, uint16_t *out)
{
	size_t n = 0;
	if (s->cipher_count) {
		memcpy(out, s->ciphers, s->cipher_count * sizeof out[0]);
		return s->cipher_count;
	}
	size_t count;
	const struct petrel_suite *all = petrel_suite_list(&count);
	if (have_psk(s))
		for (size_t i = 0; i < count; i++)
			if (petrel_suite_uses_psk(&all[i]))
				out[n++] = all[i].id;
	for (size_t i = 0; i < count && n < PETREL_MAX_CIPHERS; i++)
		if (petrel_suite_uses_certificate(&all[i]))
			out[n++] = all[i].id;
	return n;
}

static size_t our_groups(const petrel_session *s, uint16_t *out)
{
	if (s->group_count) {
		memcpy(out, s->groups, s->group_count * sizeof out[0]);
		return s->group_count;
	}
	/* RFC 8422 5.1: in TLS 1.2 this list also names the curves we accept
	 * in the server's ECDSA certificate (OpenSSL refuses a P-384
	 * certificate unless P-384 is listed): every curve we do. */
	out[0] = PETREL_GROUP_X25519;
	out[1] = PETREL_GROUP_SECP256R1;
	out[2] = PETREL_GROUP_SECP384R1;
	return 3;
}

static bool is_ip_literal(const char *name)
{
	return strchr(name, ':') != NULL || strspn(name, "0123456789.") == strlen(name);
}

static int send_client_hello(petrel_session *s, uint64_t now_ms, bool retry)
{
	struct petrel_hs *hs = s->hs;
	uint16_t suites[PETREL_MAX_CIPHERS];
	size_t suite_count = offered_suites(s, suites);
	uint8_t suite_bytes[2 * PETREL_MAX_CIPHERS];
	for (size_t i = 0; i < suite_count; i++)
		petrel_store_u16(suite_bytes + 2 * i, suites[i]);
	uint16_t groups[PETREL_MAX_GROUPS];
	size_t group_count = our_groups(s, groups);
	uint8_t group_bytes[2 * PETREL_MAX_GROUPS];
	for (size_t i = 0; i < group_count; i++)
		petrel_store_u16(group_bytes + 2 * i, groups[i]);
	uint16_t schemes[16];
	size_t scheme_count = petrel_our_sig_schemes(schemes, 16);
	uint8_t scheme_bytes[32];
	for (size_t i = 0; i < scheme_count; i++)
		petrel_store_u16(scheme_bytes + 2 * i, schemes[i]);
	static const uint8_t point_formats[] = {PETREL_EC_POINT_UNCOMPRESSED};
	static const uint8_t compression[] = {PETREL_COMPRESSION_NULL};
	uint8_t alpn[256];
	size_t alpn_len = 0;
	uint8_t srtp_bytes[2 * PETREL_SRTP_MAX_PROFILES];
	struct petrel_rpk_offer rpk_offer;

	struct petrel_client_hello ch;
	memset(&ch, 0, sizeof ch);
	ch.client_version = PETREL_WIRE_DTLS12;
	ch.random = hs->client_random;
	ch.session_id = hs->session_id;
	ch.session_id_len = hs->session_id_len;
	ch.cookie = hs->cookie;
	ch.cookie_len = hs->cookie_len;
	ch.cipher_suites = suite_bytes;
	ch.cipher_suites_len = 2 * suite_count;
	ch.compression_methods = compression;
	ch.compression_methods_len = 1;
	ch.has_extensions = true;
	struct petrel_extensions *ext = &ch.ext;
	if (s->server_name && !is_ip_literal(s->server_name)) {
		ext->has_server_name = true;
		ext->server_name = (const uint8_t *)s->server_name;
		ext->server_name_len = strlen(s->server_name);
	}
	ext->has_supported_groups = true;
	ext->supported_groups = group_bytes;
	ext->supported_groups_len = 2 * group_count;
	ext->has_ec_point_formats = true;
	ext->ec_point_formats = point_formats;
	ext->ec_point_formats_len = 1;
	ext->has_signature_algorithms = true;
	ext->signature_algorithms = scheme_bytes;
	ext->signature_algorithms_len = 2 * scheme_count;
	if (s->alpn_offer) {
		int rc = petrel_alpn_encode(s->alpn_offer, alpn, sizeof alpn, &alpn_len);
		if (rc < 0)
			return rc;
		ext->has_alpn = true;
		ext->alpn = alpn;
		ext->alpn_len = alpn_len;
	}
	const struct petrel_srtp_state *srtp = s->srtp; /* NULL: no SRTP */
	if (srtp != NULL && srtp->profile_count > 0) {
		/* RFC 5764 4.1.1: our profiles in preference order, and our MKI. */
		for (size_t i = 0; i < srtp->profile_count; i++)
			petrel_store_u16(srtp_bytes + 2 * i, srtp->profiles[i]);
		ext->has_use_srtp = true;
		ext->srtp_profiles = srtp_bytes;
		ext->srtp_profiles_len = 2u * srtp->profile_count;
		ext->srtp_mki = srtp->mki;
		ext->srtp_mki_len = srtp->mki_len;
	}
	petrel_rpk_client_offer(s, &rpk_offer, ext); /* RFC 7250 4.1 */
	ext->extended_master_secret = !(s->flags & PETREL_FLAG_TEST_OMIT_EMS);
	if (!(s->flags & PETREL_FLAG_NO_TICKETS)) {
		ext->has_session_ticket = true;
		ext->session_ticket = hs->ticket;
		ext->session_ticket_len = hs->ticket_len;
	}
	/* RFC 5746 3.4 / 3.5: renegotiation_info (dtls/reneg.c). */
	petrel_reneg_client_hello_ext(s, ext);
	if (petrel_keepalive_offers_heartbeat(s)) {
		/* RFC 6520 2: we answer heartbeats; probes need the peer's. */
		ext->has_heartbeat = true;
		ext->heartbeat_mode = 1; /* peer_allowed_to_send */
	}
	petrel_cid_offer(s, ext); /* RFC 9146 3 */

	uint8_t body[1024 + CLIENT_TICKET_MAX];
	struct petrel_writer w;
	petrel_writer_init(&w, body, sizeof body);
	int rc = petrel_client_hello_write(&w, &ch);
	if (rc < 0)
		return rc;
	if (retry) {
		petrel_flight_restart(&hs->flight);
		/* RFC 6347 4.2.6: the first ClientHello and the HelloVerifyRequest
		 * are not part of the handshake hash. */
		hs->transcript_len = 0;
		hs->th_ready = false;
	}
	rc = petrel_hs_append_message(s, PETREL_HS_CLIENT_HELLO, body, petrel_writer_len(&w), 0);
	if (rc < 0)
		return rc;
	hs->state = HS_C_WAIT_SH;
	return petrel_hs_send_flight(s, now_ms, false);
}

int petrel_client_begin(petrel_session *s, uint64_t now_ms)
{
	int rc = petrel_hs_start(s, now_ms);
	if (rc < 0)
		return rc;
	struct petrel_hs *hs = s->hs;
	petrel_hs_random(hs, hs->client_random, PETREL_RANDOM_LEN);
	if (s->resume_blob) {
		struct petrel_resume_data data;
		if (petrel_resume_parse(s->resume_blob, s->resume_blob_len, &data) == 0) {
			/* RFC 7627 5.3: a session without extended master secret
			 * is never resumed; RFC 6066 3: nor one made with
			 * another server name. Its blob gives a full handshake. */
			if (!petrel_resume_offerable(&data, s->server_name))
				return send_client_hello(s, now_ms, false);
			hs->suite = petrel_suite_by_id(data.suite_id);
			hs->ems = data.ems;
			memcpy(hs->master, data.master, PETREL_MASTER_SECRET_LEN);
			if (data.ticket_len > 0 && data.ticket_len <= CLIENT_TICKET_MAX &&
			    !(s->flags & PETREL_FLAG_NO_TICKETS)) {
				hs->ticket = malloc(data.ticket_len);
				if (hs->ticket == NULL)
					return PETREL_E_MEMORY;
				memcpy(hs->ticket, data.ticket, data.ticket_len);
				hs->ticket_len = data.ticket_len;
				/* RFC 5077 3.4: a fresh session ID lets us see whether
				 * the server accepted the ticket (it echoes it). */
				hs->session_id_len = PETREL_SESSION_ID_MAX;
				petrel_hs_random(hs, hs->session_id, hs->session_id_len);
			} else {
				memcpy(hs->session_id, data.session_id, data.session_id_len);
				hs->session_id_len = data.session_id_len;
			}
		}
	}
	return send_client_hello(s, now_ms, false);
}

int petrel_client_take_over(petrel_session *s, const uint8_t *ch, size_t ch_len,
			    const uint8_t *random, uint16_t ch_message_seq, const uint8_t *cookie,
			    size_t cookie_len, uint64_t next_plain_seq, uint64_t now_ms)
{
	int rc = petrel_hs_start(s, now_ms);
	if (rc < 0)
		return rc;
	struct petrel_hs *hs = s->hs;
	memcpy(hs->client_random, random, PETREL_RANDOM_LEN);
	hs->session_id_len = 0;
	/* The 1.3 ClientHello offered the 1.2 session of the resumption data
	 * (dtls13/ticket13.h petrel_ticket13_offer12): resumed when the
	 * server echoes its legacy_session_id (RFC 5246 7.4.1.2, 5077 3.4). */
	struct petrel_resume_data data;
	struct petrel_reader r;
	const uint8_t *sid;
	size_t sid_len;
	petrel_reader_init(&r, ch, ch_len);
	if (s->resume_blob && petrel_resume_parse(s->resume_blob, s->resume_blob_len, &data) == 0 &&
	    petrel_resume_offerable(&data, s->server_name) && petrel_skip(&r, 2 + PETREL_RANDOM_LEN) && petrel_get_opaque8(&r, &sid, &sid_len) &&
	    sid_len > 0 && sid_len <= PETREL_SESSION_ID_MAX) {
		hs->suite = petrel_suite_by_id(data.suite_id);
		hs->ems = true;
		memcpy(hs->master, data.master, PETREL_MASTER_SECRET_LEN);
		memcpy(hs->session_id, sid, sid_len);
		hs->session_id_len = sid_len;
	}
	if (cookie_len > sizeof hs->cookie)
		return PETREL_E_ILLEGAL_PARAMETER;
	memcpy(hs->cookie, cookie, cookie_len);
	hs->cookie_len = cookie_len;
	/* In the transcript and the flight as if we had sent it (RFC 6347
	 * 4.2.6: the last ClientHello, with its message_seq); the 1.3
	 * client's record numbers go on. */
	hs->next_send_seq = ch_message_seq;
	rc = petrel_hs_append_message(s, PETREL_HS_CLIENT_HELLO, ch, ch_len, 0);
	if (rc < 0)
		return rc;
	petrel_rl_set_next_write_seq(&s->rl, 0, next_plain_seq);
	hs->state = HS_C_WAIT_SH;
	return 0;
}

static int handle_hello_verify(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_hello_verify_request hvr;
	int rc = petrel_hello_verify_request_parse(m->body, m->length, &hvr);
	if (rc < 0)
		return rc;
	if (hs->cookie_len == 0 && hvr.cookie_len == 0)
		return PETREL_E_ILLEGAL_PARAMETER;
	if (m->message_seq >= MAX_HELLO_VERIFY)
		return PETREL_E_UNEXPECTED_MESSAGE;
	if (hs->cookie_len == 0) {
		/* RTT from the ClientHello transmission this one answers. */
		unsigned n = hs->hello_tx_count < PETREL_HELLO_TX_TRACKED ? hs->hello_tx_count
									 : PETREL_HELLO_TX_TRACKED;
		for (unsigned i = 0; i < n; i++) {
			if (hs->hello_tx_seq[i] == hs->last_rx_seq && now_ms >= hs->hello_tx_ms[i]) {
				uint64_t rtt = now_ms - hs->hello_tx_ms[i];
				petrel_rto_on_sample(&hs->rto, rtt > 60000 ? 60000u : (uint32_t)rtt);
				break;
			}
		}
	}
	memcpy(hs->cookie, hvr.cookie, hvr.cookie_len);
	hs->cookie_len = hvr.cookie_len;
	hs->got_peer_flight = false;
	return send_client_hello(s, now_ms, true);
}

static bool suite_offered(const petrel_session *s, uint16_t id)
{
	uint16_t suites[PETREL_MAX_CIPHERS];
	size_t n = offered_suites(s, suites);
	for (size_t i = 0; i < n; i++)
		if (suites[i] == id)
			return true;
	return false;
}

static int handle_server_hello(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_server_hello sh;
	int rc = petrel_server_hello_parse(m->body, m->length, &sh);
	if (rc < 0)
		return rc;
	if (sh.server_version != PETREL_WIRE_DTLS12)
		return PETREL_E_UNSUPPORTED;
	rc = petrel_ext_answer_check_flight(&hs->flight, &sh); /* RFC 5246 7.4.1.4 */
	if (rc < 0)
		return rc;
	if (!suite_offered(s, sh.cipher_suite))
		return PETREL_E_ILLEGAL_PARAMETER;
	const struct petrel_suite *suite = petrel_suite_by_id(sh.cipher_suite);
	if (suite == NULL)
		return PETREL_E_ILLEGAL_PARAMETER;
	rc = petrel_reneg_check_server_hello(s, &sh.ext); /* RFC 5746 3.4 / 3.5 */
	if (rc < 0)
		return rc;
	memcpy(hs->server_random, sh.random, PETREL_RANDOM_LEN);
	rc = petrel_hs_add_peer_message(hs, m);
	if (rc < 0)
		return rc;
	if (sh.ext.has_alpn) {
		/* RFC 7301 3.2: one name (the parser checked), and one we
		 * offered; else no_application_protocol. */
		const uint8_t *name, *extra;
		size_t name_len, extra_len;
		struct petrel_opaque_iter it;
		uint8_t offered[256];
		size_t offered_len = 0;
		petrel_opaque_iter_init(&it, sh.ext.alpn, sh.ext.alpn_len, 1);
		if (s->alpn_offer == NULL || !petrel_opaque_iter_next(&it, &name, &name_len) ||
		    petrel_opaque_iter_next(&it, &extra, &extra_len) ||
		    petrel_alpn_encode(s->alpn_offer, offered, sizeof offered, &offered_len) < 0 ||
		    !petrel_alpn_list_contains(offered, offered_len, name, name_len))
			return PETREL_E_ALPN_MISMATCH;
		free(s->alpn_selected);
		s->alpn_selected = strndup((const char *)name, name_len);
		if (s->alpn_selected == NULL)
			return PETREL_E_MEMORY;
	}
	/* Without an SRTP block nothing was offered: any use_srtp answer is
	 * refused by the check (count 0). */
	uint16_t srtp_selected;
	bool srtp_mki_used;
	struct petrel_srtp_state *srtp = s->srtp;
	rc = petrel_srtp_client_check(srtp ? srtp->profiles : NULL, srtp ? srtp->profile_count : 0,
				      srtp ? srtp->mki : NULL, srtp ? srtp->mki_len : 0, &sh.ext,
				      &srtp_selected, &srtp_mki_used);
	if (rc < 0)
		return rc;
	if (srtp != NULL) {
		srtp->selected = srtp_selected;
		srtp->mki_used = srtp_mki_used;
	}
	hs->ticket_expected = sh.ext.has_session_ticket;
	if (sh.ext.has_heartbeat) {
		/* ka13: offered, as the check of our ClientHello above found: the
		 * 1.2 one, or the 1.3 one taken over after a fallback
		 * (dtls13/ka13_ext.h), whatever the settings say by now. */
		s->hb_negotiated = true;
		s->hb_peer_allows = sh.ext.heartbeat_mode == 1;
	}
	rc = petrel_cid_on_server_hello(s, &sh.ext); /* RFC 9146 3 */
	if (rc < 0)
		return rc;

	bool resumed = hs->suite != NULL && hs->session_id_len > 0 &&
		       sh.session_id_len == hs->session_id_len &&
		       memcmp(sh.session_id, hs->session_id, hs->session_id_len) == 0;
	if (resumed) {
		/* RFC 5246 7.4.1.3: the resumed session's suite; RFC 7627 5.3:
		 * EMS must be as in the original session. */
		if (hs->suite->id != suite->id || hs->ems != sh.ext.extended_master_secret)
			return PETREL_E_HANDSHAKE_FAILURE;
		hs->resuming = true;
		rc = petrel_hs_derive_keys(hs);
		if (rc < 0)
			return rc;
		hs->state = hs->ticket_expected ? HS_C_WAIT_NST_OR_CCS : HS_C_WAIT_CCS;
		return 0;
	}
	hs->suite = suite;
	rc = petrel_rpk_client_on_server_hello(s, &sh.ext);
	if (rc < 0)
		return rc;
	hs->ems = sh.ext.extended_master_secret;
	if (hs->ems && (s->flags & PETREL_FLAG_TEST_OMIT_EMS))
		return PETREL_E_ILLEGAL_PARAMETER; /* answered an extension never offered */
	/* EMS is preferred, not required (RFC 7627 5.2 lets the client go on
	 * with the legacy master secret), unless the user asks for it. */
	if (!hs->ems && (s->flags & PETREL_FLAG_REQUIRE_EMS))
		return PETREL_E_EMS_REQUIRED;
	memcpy(hs->session_id, sh.session_id, sh.session_id_len);
	hs->session_id_len = sh.session_id_len;
	free(hs->ticket); /* the offered ticket was not taken */
	hs->ticket = NULL;
	hs->ticket_len = 0;
	hs->state = petrel_suite_uses_certificate(suite) ? HS_C_WAIT_CERT : HS_C_WAIT_SKE;
	return 0;
}

static int handle_certificate(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	int rc;
	if (s->server_cert_type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY) {
		bool empty;
		rc = petrel_rpk_handle_certificate(s, m, &empty); /* RFC 7250 3 */
	} else {
		struct petrel_certificate_msg msg;
		rc = petrel_certificate_parse(m->body, m->length, &msg);
		if (rc == 0)
			rc = petrel_store_peer_chain(hs, &msg);
		if (rc == 0)
			rc = petrel_verify_peer(s, true);
	}
	if (rc < 0)
		return rc;
	/* ECDHE_ECDSA needs an EC or Ed25519 key, ECDHE_RSA an RSA key. */
	bool rsa = hs->peer_key.type == PETREL_KEY_RSA;
	if (rsa != (hs->suite->kx == PETREL_KX_ECDHE_RSA))
		return PETREL_E_BAD_CERTIFICATE;
	hs->state = HS_C_WAIT_SKE;
	return petrel_hs_add_peer_message(hs, m);
}

static bool group_ok(const petrel_session *s, uint16_t group)
{
	uint16_t groups[PETREL_MAX_GROUPS];
	size_t n = our_groups(s, groups);
	for (size_t i = 0; i < n; i++)
		if (groups[i] == group)
			return true;
	return false;
}

static int handle_server_key_exchange(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_server_key_exchange ske;
	int rc = petrel_server_key_exchange_parse(m->body, m->length, petrel_msg_kx_of(hs->suite), &ske);
	if (rc < 0)
		return rc;
	if (ske.psk_identity_hint_len > sizeof hs->psk_hint)
		return PETREL_E_ILLEGAL_PARAMETER;
	if (ske.psk_identity_hint_len > 0) /* hint may be NULL when empty */
		memcpy(hs->psk_hint, ske.psk_identity_hint, ske.psk_identity_hint_len);
	hs->psk_hint_len = ske.psk_identity_hint_len;
	if (petrel_suite_uses_ecdhe(hs->suite)) {
		if (!group_ok(s, ske.ecdh.named_group))
			return PETREL_E_ILLEGAL_PARAMETER;
		if (ske.ecdh.point_len > sizeof hs->kx_pub)
			return PETREL_E_ILLEGAL_PARAMETER;
		hs->group = ske.ecdh.named_group;
		/* Derive now: validates the point before we answer. */
		rc = petrel_kx_keygen((enum petrel_group)hs->group, hs->kx_priv, hs->kx_pub, &hs->kx_pub_len);
		if (rc < 0)
			return rc;
		/* The shared secret is the premaster (ECDHE_PSK: framed later
		 * with the PSK, RFC 5489 2). */
		rc = petrel_kx_derive((enum petrel_group)hs->group, hs->kx_priv, ske.ecdh.point,
				      ske.ecdh.point_len, hs->premaster);
		if (rc < 0)
			return rc;
		hs->premaster_len = petrel_kx_shared_len((enum petrel_group)hs->group);
	}
	if (petrel_suite_uses_certificate(hs->suite)) {
		/* RFC 8422 5.4: signature over client_random + server_random + params. */
		uint8_t signed_data[2 * PETREL_RANDOM_LEN + 4 + 256];
		memcpy(signed_data, hs->client_random, PETREL_RANDOM_LEN);
		memcpy(signed_data + PETREL_RANDOM_LEN, hs->server_random, PETREL_RANDOM_LEN);
		memcpy(signed_data + 2 * PETREL_RANDOM_LEN, ske.ecdh.raw, ske.ecdh.raw_len);
		uint16_t ours[16];
		size_t n = petrel_our_sig_schemes(ours, 16);
		bool offered = false;
		for (size_t i = 0; i < n; i++)
			offered |= ours[i] == ske.sig.scheme;
		if (!offered)
			return PETREL_E_ILLEGAL_PARAMETER;
		rc = petrel_verify(ske.sig.scheme, &hs->peer_key, signed_data,
				   2 * PETREL_RANDOM_LEN + ske.ecdh.raw_len, ske.sig.signature,
				   ske.sig.signature_len);
		if (rc < 0)
			return rc == PETREL_E_UNSUPPORTED ? PETREL_E_ILLEGAL_PARAMETER : PETREL_E_SIGNATURE_INVALID;
		hs->peer_sig_scheme = ske.sig.scheme;
	}
	hs->state = petrel_suite_uses_psk(hs->suite) ? HS_C_WAIT_SHD : HS_C_WAIT_CR_OR_SHD;
	return petrel_hs_add_peer_message(hs, m);
}

static int handle_certificate_request(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_certificate_request cr;
	int rc = petrel_certificate_request_parse(m->body, m->length, &cr);
	if (rc < 0)
		return rc;
	struct petrel_u16_iter it;
	petrel_u16_iter_init(&it, cr.signature_algorithms, cr.signature_algorithms_len);
	uint16_t v;
	hs->peer_sig_scheme_count = 0;
	while (petrel_u16_iter_next(&it, &v) && hs->peer_sig_scheme_count < 24)
		hs->peer_sig_schemes[hs->peer_sig_scheme_count++] = v;
	hs->cert_requested = true;
	hs->state = HS_C_WAIT_SHD;
	return petrel_hs_add_peer_message(hs, m);
}

static int send_client_key_exchange_flight(petrel_session *s, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	uint8_t body[1024];
	struct petrel_writer w;
	int rc;
	bool sent_cert = false;
	petrel_flight_restart(&hs->flight);
	if (hs->cert_requested && s->client_cert_type == PETREL_CERT_TYPE_RAW_PUBLIC_KEY) {
		rc = petrel_rpk_append_certificate(s, &sent_cert); /* RFC 7250 3 */
		if (rc < 0)
			return rc;
	} else if (hs->cert_requested) {
		struct petrel_certificate_msg msg = {0};
		if (s->creds && s->creds->key) {
			for (size_t i = 0; i < s->creds->chain_count && i < PETREL_CERT_CHAIN_MAX; i++) {
				msg.certs[i].der = s->creds->chain_der[i];
				msg.certs[i].der_len = s->creds->chain_len[i];
				msg.count = i + 1;
			}
		}
		size_t cap = 16;
		for (size_t i = 0; i < msg.count; i++)
			cap += 3 + msg.certs[i].der_len;
		uint8_t *cert_body = malloc(cap);
		if (cert_body == NULL)
			return PETREL_E_MEMORY;
		petrel_writer_init(&w, cert_body, cap);
		rc = petrel_certificate_write(&w, &msg);
		if (rc == 0)
			rc = petrel_hs_append_message(s, PETREL_HS_CERTIFICATE, cert_body, petrel_writer_len(&w), 0);
		free(cert_body);
		if (rc < 0)
			return rc;
		sent_cert = msg.count > 0;
	}
	struct petrel_client_key_exchange cke = {0};
	if (petrel_suite_uses_psk(hs->suite)) {
		hs->psk = &s->creds->psks[0];
		cke.psk_identity = hs->psk->identity;
		cke.psk_identity_len = hs->psk->identity_len;
		/* For petrel_session_get_psk_identity (the identity only). */
		memset(&s->psk_used, 0, sizeof s->psk_used);
		memcpy(s->psk_used.identity, hs->psk->identity, hs->psk->identity_len);
		s->psk_used.identity_len = hs->psk->identity_len;
		s->psk_used_set = true;
	}
	if (petrel_suite_uses_ecdhe(hs->suite)) {
		cke.point = hs->kx_pub;
		cke.point_len = hs->kx_pub_len;
	}
	petrel_writer_init(&w, body, sizeof body);
	rc = petrel_client_key_exchange_write(&w, petrel_msg_kx_of(hs->suite), &cke);
	if (rc < 0)
		return rc;
	rc = petrel_hs_append_message(s, PETREL_HS_CLIENT_KEY_EXCHANGE, body, petrel_writer_len(&w), 0);
	if (rc < 0)
		return rc;
	rc = petrel_hs_compute_master(s);
	if (rc < 0)
		return rc;
	if (sent_cert) {
		/* RFC 5246 7.4.8: signature over all handshake messages so far. */
		uint16_t scheme;
		rc = petrel_pick_sig_scheme(s, hs->peer_sig_schemes, hs->peer_sig_scheme_count, &scheme);
		if (rc < 0)
			return rc;
		uint8_t sig[PETREL_MAX_SIG_LEN];
		size_t sig_len;
		rc = petrel_sign(s->creds->key, scheme, hs->transcript, hs->transcript_len, sig,
				 sizeof sig, &sig_len);
		if (rc < 0)
			return rc;
		struct petrel_digitally_signed ds = {scheme, sig, sig_len};
		petrel_writer_init(&w, body, sizeof body);
		rc = petrel_digitally_signed_write(&w, &ds);
		if (rc == 0)
			rc = petrel_hs_append_message(s, PETREL_HS_CERTIFICATE_VERIFY, body,
						      petrel_writer_len(&w), 0);
		if (rc < 0)
			return rc;
	}
	rc = petrel_hs_append_ccs_finished(s);
	if (rc < 0)
		return rc;
	hs->state = hs->ticket_expected ? HS_C_WAIT_NST_OR_CCS : HS_C_WAIT_CCS;
	hs->got_peer_flight = false;
	return petrel_hs_send_flight(s, now_ms, false);
}

static int handle_server_hello_done(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	int rc = petrel_server_hello_done_parse(m->body, m->length);
	if (rc < 0)
		return rc;
	if (petrel_suite_uses_psk(hs->suite) && !have_psk(s))
		return PETREL_E_UNKNOWN_PSK_IDENTITY;
	rc = petrel_hs_add_peer_message(hs, m);
	if (rc < 0)
		return rc;
	return send_client_key_exchange_flight(s, now_ms);
}

static int handle_new_session_ticket(petrel_session *s, const struct petrel_hs_message *m)
{
	struct petrel_hs *hs = s->hs;
	struct petrel_new_session_ticket nst;
	int rc = petrel_new_session_ticket_parse(m->body, m->length, &nst);
	if (rc < 0)
		return rc;
	free(hs->ticket);
	hs->ticket = NULL;
	hs->ticket_len = 0;
	if (nst.ticket_len > 0 && nst.ticket_len <= CLIENT_TICKET_MAX) {
		hs->ticket = malloc(nst.ticket_len);
		if (hs->ticket == NULL)
			return PETREL_E_MEMORY;
		memcpy(hs->ticket, nst.ticket, nst.ticket_len);
		hs->ticket_len = nst.ticket_len;
	}
	hs->ticket_lifetime_s = nst.lifetime_hint_s;
	hs->state = HS_C_WAIT_CCS;
	return petrel_hs_add_peer_message(hs, m);
}

static int handle_finished(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	int rc = petrel_hs_check_peer_finished(s, m);
	if (rc < 0)
		return rc;
	if (s->hs->resuming) {
		/* Abbreviated handshake: our CCS + Finished close it (RFC 5246 7.3). */
		petrel_flight_restart(&s->hs->flight);
		rc = petrel_hs_send_ccs_finished(s, now_ms);
		if (rc < 0)
			return rc;
	}
	petrel_keep_peer_chain(s);
	return petrel_hs_done(s, m, now_ms);
}

int petrel_client_handle(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	switch (hs->state) {
	case HS_C_WAIT_SH:
		if (m->msg_type == PETREL_HS_HELLO_VERIFY_REQUEST)
			return handle_hello_verify(s, m, now_ms);
		if (m->msg_type == PETREL_HS_SERVER_HELLO)
			return handle_server_hello(s, m);
		break;
	case HS_C_WAIT_CERT:
		if (m->msg_type == PETREL_HS_CERTIFICATE)
			return handle_certificate(s, m);
		break;
	case HS_C_WAIT_SKE:
		if (m->msg_type == PETREL_HS_SERVER_KEY_EXCHANGE)
			return handle_server_key_exchange(s, m);
		/* RFC 4279 2: plain PSK servers may omit ServerKeyExchange. */
		if (m->msg_type == PETREL_HS_SERVER_HELLO_DONE && hs->suite->kx == PETREL_KX_PSK)
			return handle_server_hello_done(s, m, now_ms);
		break;
	case HS_C_WAIT_CR_OR_SHD:
		if (m->msg_type == PETREL_HS_CERTIFICATE_REQUEST)
			return handle_certificate_request(s, m);
		if (m->msg_type == PETREL_HS_SERVER_HELLO_DONE)
			return handle_server_hello_done(s, m, now_ms);
		break;
	case HS_C_WAIT_SHD:
		if (m->msg_type == PETREL_HS_SERVER_HELLO_DONE)
			return handle_server_hello_done(s, m, now_ms);
		break;
	case HS_C_WAIT_NST_OR_CCS:
		if (m->msg_type == PETREL_HS_NEW_SESSION_TICKET)
			return handle_new_session_ticket(s, m);
		break;
	case HS_C_WAIT_FINISHED:
		if (m->msg_type == PETREL_HS_FINISHED)
			return handle_finished(s, m, now_ms);
		break;
	default:
		break;
	}
	return PETREL_E_UNEXPECTED_MESSAGE;
}

int petrel_client_on_ccs(petrel_session *s)
{
	/* In HS_C_WAIT_NST_OR_CCS the promised ticket must come first (RFC 5077 3.3). */
	return petrel_hs_accept_ccs(s, HS_C_WAIT_CCS, HS_C_WAIT_FINISHED);
}
