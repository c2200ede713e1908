/* Session lifecycle, settings and queries. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtls/first_hello.h"
#include "dtls/session.h"
#include "dtls/dispatch.h"
#include "dtls/session_cid.h"
#include "dtls/suites13.h"
#include "dtls13/engine13.h"
#include "record/cid.h"
#include "mtu/mtu.h"

static uint64_t monotonic_ms(void *ptr)
{
	(void)ptr;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int petrel_session_new(petrel_session **out, unsigned flags)
{
	unsigned role = flags & 3u;
	if (out == NULL || (role != PETREL_CLIENT && role != PETREL_SERVER))
		return PETREL_E_INVALID_REQUEST;
	petrel_session *s = calloc(1, sizeof *s);
	if (s == NULL)
		return PETREL_E_MEMORY;
	s->role = role;
	s->flags = flags;
	s->clock = monotonic_ms;
	s->fd = -1;
	s->last_alert = -1;
	s->retrans_initial_ms = PETREL_RTO_DEFAULT_INITIAL_MS;
	s->rto_floor_ms = PETREL_RTO_DEFAULT_FLOOR_MS;
	s->rto_cap_ms = PETREL_RTO_DEFAULT_CAP_MS;
	s->total_timeout_ms = 60000;
	s->link_mtu = 1500;
	s->mtu_floor = PETREL_MTU_MIN_IPV4;
	s->black_hole_threshold = 1;
	s->mtu_max = 1500;
	s->verify_mode = PETREL_VERIFY_CHAIN;
	s->version_min = PETREL_V_DTLS12;
	/* Servers answer 1.3 ClientHellos in 1.3; clients offer 1.3 and 1.2,
	 * or 1.2 only when the session uses a 1.2-only feature: settled
	 * when the handshake starts (petrel_client_default_versions). */
	s->version_max = PETREL_V_DTLS13;
	petrel_rl_init(&s->rl);
	*out = s;
	return 0;
}

void petrel_session_free(petrel_session *s)
{
	if (s == NULL)
		return;
	petrel_first_hello_release(s);
	petrel_hs_free(s);
	petrel_engine13_free(s);
	if (s->final) {
		petrel_flight_reset(&s->final->flight);
		free(s->final);
	}
	petrel_session_cid_free(s);
	petrel_srtp_free(s);
	petrel_keepalive_free(s);
	petrel_rl_clear(&s->rl);
	free(s->server_name);
	free(s->alpn_offer);
	free(s->alpn_selected);
	free(s->sni_received);
	if (s->resume_blob) {
		petrel_wipe(s->resume_blob, s->resume_blob_len);
		free(s->resume_blob);
	}
	free(s->peer_cert);
	if (s->ticket) /* a 1.3 client's holds a PSK (dtls13/ticket13.h) */
		petrel_wipe(s->ticket, s->ticket_len);
	free(s->ticket);
	if (s->rx_app)
		petrel_wipe(s->rx_app, s->rx_app_len); /* decrypted application data */
	free(s->rx_app);
	petrel_wipe(s, sizeof *s);
	free(s);
}

int petrel_session_set_credentials(petrel_session *s, petrel_credentials *creds)
{
	s->creds = creds;
	return 0;
}

static int set_string(char **dst, const char *src)
{
	char *copy = NULL;
	if (src != NULL) {
		copy = strdup(src);
		if (copy == NULL)
			return PETREL_E_MEMORY;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

int petrel_session_set_server_name(petrel_session *s, const char *name)
{
	/* RFC 6066 3: HostName goes "without a trailing dot"; the
	 * certificate check (RFC 6125 6.4.1) and the resumption binding then
	 * see the same name the server does. */
	size_t n = name ? strlen(name) : 0;
	if (n > 1 && name[n - 1] == '.') {
		char *copy = strndup(name, n - 1);
		if (copy == NULL)
			return PETREL_E_MEMORY;
		int rc = set_string(&s->server_name, copy);
		free(copy);
		return rc;
	}
	return set_string(&s->server_name, name);
}

int petrel_session_set_alpn(petrel_session *s, const char *list)
{
	if (list != NULL && (strlen(list) == 0 || strlen(list) > 255))
		return PETREL_E_INVALID_REQUEST;
	return set_string(&s->alpn_offer, list);
}

const char *petrel_session_get_alpn(const petrel_session *s)
{
	return s->alpn_selected;
}

int petrel_session_set_ciphers(petrel_session *s, const char *list)
{
	uint16_t ids[PETREL_MAX_CIPHERS], ids13[PETREL_MAX_CIPHERS];
	uint8_t count, count13;
	int rc = petrel_cipher_list_parse(list, ids, &count, ids13, &count13);
	if (rc < 0)
		return rc;
	memcpy(s->ciphers, ids, sizeof ids[0] * count);
	s->cipher_count = count;
	memcpy(s->ciphers13, ids13, sizeof ids13[0] * count13);
	s->cipher13_count = count13;
	return 0;
}

int petrel_session_set_groups(petrel_session *s, const char *list)
{
	char buf[256];
	if (list == NULL || strlen(list) >= sizeof buf)
		return PETREL_E_INVALID_REQUEST;
	strcpy(buf, list);
	uint8_t count = 0;
	uint16_t ids[PETREL_MAX_GROUPS];
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",: ", &save); tok; tok = strtok_r(NULL, ",: ", &save)) {
		uint16_t id = petrel_group_by_name(tok);
		if (id == 0)
			return PETREL_E_UNSUPPORTED;
		if (count == PETREL_MAX_GROUPS)
			return PETREL_E_LIMIT_EXCEEDED;
		ids[count++] = id;
	}
	if (count == 0)
		return PETREL_E_INVALID_REQUEST;
	memcpy(s->groups, ids, sizeof ids[0] * count);
	s->group_count = count;
	return 0;
}

void petrel_transport_set_ptr(petrel_session *s, void *ptr) { s->transport_ptr = ptr; }
void petrel_transport_set_push_function(petrel_session *s, petrel_push_fn fn) { s->push = fn; }
void petrel_transport_set_pull_function(petrel_session *s, petrel_pull_fn fn) { s->pull = fn; }
void petrel_transport_set_pull_timeout_function(petrel_session *s, petrel_pull_timeout_fn fn)
{
	s->pull_timeout = fn;
}
void petrel_transport_set_clock_function(petrel_session *s, petrel_clock_fn fn, void *ptr)
{
	s->clock = fn ? fn : monotonic_ms;
	s->clock_ptr = ptr;
}

int petrel_record_get_direction(const petrel_session *s) { return s->direction; }

unsigned petrel_dtls_get_timeout(const petrel_session *s)
{
	uint64_t deadline = petrel_engine_next_deadline(s);
	if (deadline == UINT64_MAX)
		return s->hs ? s->retrans_initial_ms : 0;
	uint64_t now = petrel_session_now(s);
	return deadline <= now ? 0 : (unsigned)(deadline - now);
}

void petrel_dtls_set_timeouts(petrel_session *s, unsigned retrans_ms, unsigned total_ms)
{
	/* DTLS-SRTP's 400 ms (RFC 9147 5.8.2) is the default itself
	 * (dtls/rto.h); 0 keeps the current value. */
	if (retrans_ms)
		s->retrans_initial_ms = retrans_ms;
	s->total_timeout_ms = total_ms;
}

void petrel_dtls_set_timeout_limits(petrel_session *s, unsigned floor_ms, unsigned cap_ms)
{
	if (floor_ms)
		s->rto_floor_ms = floor_ms;
	if (cap_ms)
		s->rto_cap_ms = cap_ms;
}

void petrel_dtls_set_mtu(petrel_session *s, unsigned mtu)
{
	if (mtu < 256)
		mtu = 256;
	if (mtu > PETREL_MAX_DATAGRAM + 48)
		mtu = PETREL_MAX_DATAGRAM + 48;
	/* A configured MTU below the usual floor is the floor. */
	if (mtu < s->mtu_floor)
		s->mtu_floor = (uint16_t)mtu;
	petrel_set_mtu(s, (uint16_t)mtu, PETREL_MTU_CONFIGURED);
}

void petrel_dtls_set_mtu_max(petrel_session *s, unsigned mtu)
{
	if (mtu > PETREL_MAX_DATAGRAM + 48)
		mtu = PETREL_MAX_DATAGRAM + 48;
	s->mtu_max = (uint16_t)(mtu < 256 ? 256 : mtu);
}

void petrel_dtls_set_mtu_callback(petrel_session *s, petrel_mtu_event_fn fn, void *ptr)
{
	s->mtu_cb = fn;
	s->mtu_cb_ptr = ptr;
}

void petrel_dtls_set_black_hole_threshold(petrel_session *s, unsigned retransmissions)
{
	s->black_hole_threshold = retransmissions ? retransmissions : 1;
}

unsigned petrel_dtls_get_mtu(const petrel_session *s) { return s->link_mtu; }

unsigned petrel_dtls_get_data_mtu(const petrel_session *s)
{
	size_t dgram = petrel_output_max_datagram(s);
	size_t overhead = petrel_rl_write_overhead(&s->rl, petrel_rl_write_epoch(&s->rl));
	if (s->version == PETREL_V_DTLS13)
		overhead = petrel_engine13_overhead(s);
	if (overhead >= dgram)
		return 0;
	size_t data = dgram - overhead;
	if (s->peer_record_limit && data > s->peer_record_limit)
		data = s->peer_record_limit; /* RFC 8449 / RFC 6066 */
	size_t max = petrel_rl_max_content(&s->rl); /* 2^14, less one with a CID */
	return (unsigned)(data > max ? max : data);
}

int petrel_alert_get(const petrel_session *s) { return s->last_alert; }

void petrel_session_set_ptr(petrel_session *s, void *ptr) { s->user_ptr = ptr; }
void *petrel_session_get_ptr(const petrel_session *s) { return s->user_ptr; }

const char *petrel_alert_get_name(int alert)
{
	switch (alert) {
	case ALERT_CLOSE_NOTIFY: return "close_notify";
	case ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
	case ALERT_BAD_RECORD_MAC: return "bad_record_mac";
	case ALERT_RECORD_OVERFLOW: return "record_overflow";
	case ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
	case ALERT_BAD_CERTIFICATE: return "bad_certificate";
	case ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
	case ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
	case ALERT_CERTIFICATE_UNKNOWN: return "certificate_unknown";
	case ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
	case ALERT_UNKNOWN_CA: return "unknown_ca";
	case ALERT_DECODE_ERROR: return "decode_error";
	case ALERT_DECRYPT_ERROR: return "decrypt_error";
	case ALERT_PROTOCOL_VERSION: return "protocol_version";
	case ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
	case ALERT_INTERNAL_ERROR: return "internal_error";
	case ALERT_NO_RENEGOTIATION: return "no_renegotiation";
	case ALERT_UNSUPPORTED_EXTENSION: return "unsupported_extension";
	case ALERT_UNKNOWN_PSK_IDENTITY: return "unknown_psk_identity";
	case ALERT_NO_APPLICATION_PROTOCOL: return "no_application_protocol";
	case -1: return "none";
	default: return "unknown_alert";
	}
}

const char *petrel_session_get_cipher_name(const petrel_session *s)
{
	if (s->version == PETREL_V_DTLS13)
		return petrel_engine13_cipher_name(s);
	return s->suite ? s->suite->name : NULL;
}

uint16_t petrel_session_get_cipher_id(const petrel_session *s)
{
	if (s->version == PETREL_V_DTLS13)
		return petrel_engine13_cipher_id(s);
	return s->suite ? s->suite->id : 0;
}

const char *petrel_session_get_group_name(const petrel_session *s)
{
	return petrel_group_name(s->group);
}

const char *petrel_session_get_signature_name(const petrel_session *s)
{
	switch (s->sig_scheme) {
	case PETREL_SIG_ECDSA_SECP256R1_SHA256: return "ecdsa_secp256r1_sha256";
	case PETREL_SIG_ECDSA_SECP384R1_SHA384: return "ecdsa_secp384r1_sha384";
	case PETREL_SIG_ED25519: return "ed25519";
	case PETREL_SIG_RSA_PKCS1_SHA256: return "rsa_pkcs1_sha256";
	case PETREL_SIG_RSA_PKCS1_SHA384: return "rsa_pkcs1_sha384";
	case PETREL_SIG_RSA_PSS_RSAE_SHA256: return "rsa_pss_rsae_sha256";
	case PETREL_SIG_RSA_PSS_RSAE_SHA384: return "rsa_pss_rsae_sha384";
	default: return NULL;
	}
}

int petrel_session_is_resumed(const petrel_session *s) { return s->resumed ? 1 : 0; }
int petrel_session_ems_negotiated(const petrel_session *s) { return s->ems ? 1 : 0; }

int petrel_session_get_peer_certificate(const petrel_session *s, size_t index, const uint8_t **der,
					size_t *len)
{
	/* Any certificate of the chain (dtls/session_peer.c keeps it all). */
	const uint8_t *all_der[PETREL_MAX_CHAIN];
	size_t all_len[PETREL_MAX_CHAIN], count = PETREL_MAX_CHAIN;
	int rc = petrel_session_get_peer_certificates(s, all_der, all_len, &count);
	if (rc < 0 || index >= count)
		return PETREL_E_NO_CERTIFICATE;
	*der = all_der[index];
	*len = all_len[index];
	return 0;
}

int petrel_session_get_stats(const petrel_session *s, struct petrel_stats *stats)
{
	*stats = s->stats;
	if (s->hs) {
		stats->rtt_ms = s->hs->rto.stats.srtt_ms;
		stats->rto_ms = petrel_rto_current_ms(&s->hs->rto);
	}
	return 0;
}

int petrel_session_set_peer_address(petrel_session *s, const void *addr, size_t len)
{
	if (len > sizeof s->peer_addr)
		len = sizeof s->peer_addr;
	memcpy(s->peer_addr, addr, len);
	s->peer_addr_len = len;
	return 0;
}
