/* Session internals shared by the files of dtls/. Idle sessions hold only
 * what an established association needs (keys, sequence state, a few
 * settings); everything the handshake needs lives in struct petrel_hs,
 * allocated for the handshake and freed when it is over. */
#ifndef PETREL_DTLS_SESSION_H
#define PETREL_DTLS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "dtls/flight.h"
#include "dtls/keepalive.h"
#include "dtls/keyschedule.h"
#include "dtls/messages.h"
#include "dtls/outq.h"
#include "dtls/reassembly.h"
#include "dtls/reneg.h"
#include "dtls/rto.h"
#include "dtls/suites.h"
#include "dtls/ticket.h"
#include "petrel/petrel.h"
#include "record/record.h"
#include "mtu/pmtud.h"

#define PETREL_MAX_CIPHERS 16
#define PETREL_MAX_GROUPS 4
#define PETREL_MAX_PSK_IDENTITY 128
#define PETREL_MAX_PSKS 8
#define PETREL_MAX_CHAIN 8
/* Largest datagram we build: one full 2^14 record with header and AEAD
 * expansion (RFC 5246 6.2.3: at most 2^14 + 2048 in all). */
#define PETREL_MAX_DATAGRAM (PETREL_MAX_PLAINTEXT + 256)
#define PETREL_RECV_BUFFER (PETREL_MAX_PLAINTEXT + 2048 + 2 * PETREL_RECORD_HEADER_LEN)
#define PETREL_MAX_TRANSCRIPT (128u * 1024u)
#define PETREL_MAX_TICKET 1024
/* Server: how long the final flight is kept to answer a retransmitted
 * client Finished flight when no application data confirms it arrived. */
#define PETREL_FINAL_FLIGHT_KEEP_MS 30000u
/* Retransmissions the peer triggers (by repeating an old message) send at
 * most this many times the bytes received from it. */
#define PETREL_PEER_RETX_FACTOR 3u

struct petrel_psk_entry {
	uint8_t identity[PETREL_MAX_PSK_IDENTITY];
	size_t identity_len;
	uint8_t key[PETREL_MAX_PSK_LEN];
	size_t key_len;
};

struct petrel_x509_store;

struct petrel_credentials {
	struct petrel_privkey *key;
	uint8_t *chain_der[PETREL_MAX_CHAIN]; /* own chain, leaf first */
	size_t chain_len[PETREL_MAX_CHAIN];
	size_t chain_count;
	struct petrel_x509_store *trust;
	bool trust_loaded;
	struct petrel_psk_entry psks[PETREL_MAX_PSKS];
	size_t psk_count;
	/* Stateless cookie secret, shared by every session using these
	 * credentials; rotated by the endpoint. */
	uint8_t cookie_secret[32];
	uint8_t cookie_secret_prev[32];
	/* Session-ticket keys (RFC 5077 4): a master, random or shared by
	 * workers and machines, and its rotation (dtls/ticket.c). */
	struct petrel_ticket_keys ticket_keys;
	/* Session-ID cache (petrel_credentials_set_session_cache). */
	petrel_db_store_fn db_store;
	petrel_db_retrieve_fn db_retrieve;
	petrel_db_remove_fn db_remove;
	void *db_ptr;
	/* PSK server side (issue #21 item 4): identity hint sent in
	 * ServerKeyExchange (RFC 4279 2) and the application's lookup. */
	uint8_t psk_hint[PETREL_MAX_PSK_IDENTITY];
	size_t psk_hint_len;
	petrel_psk_lookup_fn psk_lookup;
	void *psk_lookup_ptr;
	/* Raw public key (RFC 7250): our key's SubjectPublicKeyInfo, sent in
	 * place of the chain to a peer that takes RawPublicKey (heap). */
	uint8_t *rpk_spki;
	size_t rpk_spki_len;
};

enum petrel_hs_state {
	/* client */
	HS_C_START = 1,
	HS_C_WAIT_SH,            /* ServerHello or HelloVerifyRequest */
	HS_C_WAIT_CERT,
	HS_C_WAIT_SKE,
	HS_C_WAIT_CR_OR_SHD,     /* CertificateRequest or ServerHelloDone */
	HS_C_WAIT_SHD,
	HS_C_WAIT_NST_OR_CCS,    /* NewSessionTicket (if promised) then CCS */
	HS_C_WAIT_CCS,
	HS_C_WAIT_FINISHED,
	/* server */
	HS_S_WAIT_CH,
	HS_S_WAIT_CERT,          /* client certificate (if requested) */
	HS_S_WAIT_CKE,
	HS_S_WAIT_CV,
	HS_S_WAIT_CCS,
	HS_S_WAIT_FINISHED,
	HS_DONE,
};

/* Handshake-only state (heap; freed on completion, except the final
 * flight, which the server keeps in struct petrel_session.final). */
#define PETREL_HELLO_TX_TRACKED 8
/* An established session idle this long drops its expanded AEAD contexts
 * (GCM's is 4 KB) and keeps only raw keys: idle sessions stay small.
 * Records only mark activity (no clock read per record), so the check at
 * idle_check_ms re-arms once after the last record: release in 1-2x this. */
#define PETREL_IDLE_RELEASE_MS 1000u

struct petrel_hs {
	enum petrel_hs_state state;
	unsigned version; /* the session's version when it began (dtls/dispatch.h) */
	struct petrel_reasm rx;
	struct petrel_flight flight;
	struct petrel_rto rto;
	struct petrel_timer retransmit;
	uint16_t next_send_seq;

	/* All handshake messages so far, unfragmented (RFC 6347 4.2.6): hashed
	 * on demand for EMS, CertificateVerify and Finished. */
	uint8_t *transcript;
	size_t transcript_len, transcript_cap;
	struct petrel_hash_ctx th; /* running hash of the transcript, once asked for */
	bool th_ready;

	uint8_t client_random[PETREL_RANDOM_LEN];
	uint8_t server_random[PETREL_RANDOM_LEN];
	uint8_t session_id[PETREL_SESSION_ID_MAX];
	size_t session_id_len;
	uint8_t cookie[PETREL_COOKIE_MAX];
	size_t cookie_len;

	const struct petrel_suite *suite;
	uint16_t group;
	uint8_t kx_priv[PETREL_KX_PRIV_LEN];
	uint8_t kx_pub[PETREL_KX_MAX_PUB_LEN];
	size_t kx_pub_len;
	uint8_t premaster[PETREL_MAX_PREMASTER_LEN];
	size_t premaster_len;
	uint8_t master[PETREL_MASTER_SECRET_LEN];
	struct petrel_prf_key master_key; /* master keyed once: key block, both Finished */
	/* Randomness for this handshake's randoms, session ID and ticket nonce,
	 * drawn from the OS in one call (a getrandom() costs ~0.5 us here). */
	uint8_t rand_pool[128];
	uint8_t rand_left;
	struct petrel_epoch_keys client_write, server_write;
	bool ems;
	bool resuming;          /* abbreviated handshake in progress */
	bool ticket_expected;   /* server promised a NewSessionTicket */
	bool send_ticket;       /* server: send one in the final flight */
	bool cert_requested;    /* server asked / client was asked for a cert */
	bool peer_sent_cert;
	uint16_t peer_sig_scheme; /* the scheme the peer signed with */
	uint16_t client_sig_scheme; /* client: scheme for CertificateVerify */

	/* PSK in use (points into credentials) and peer's identity. */
	const struct petrel_psk_entry *psk;
	uint8_t psk_hint[PETREL_MAX_PSK_IDENTITY];
	size_t psk_hint_len;

	/* The peer's offered signature schemes (server: from ClientHello;
	 * client: from CertificateRequest). */
	uint16_t peer_sig_schemes[24];
	size_t peer_sig_scheme_count;
	/* Peer certificates (copies), leaf first. */
	uint8_t *peer_chain[PETREL_MAX_CHAIN];
	size_t peer_chain_len[PETREL_MAX_CHAIN];
	size_t peer_chain_count;
	/* The leaf's public key, pointing into peer_chain[0]. */
	struct petrel_pubkey peer_key;

	/* New ticket to hand the client (server), or received (client). */
	uint8_t *ticket;
	size_t ticket_len;
	uint32_t ticket_lifetime_s;

	uint64_t start_ms;
	uint64_t last_tx_ms;
	uint64_t deadline_total_ms;
	/* Client: record sequence number and time of each ClientHello
	 * transmission (the last 8). The HelloVerifyRequest echoes the
	 * sequence number (RFC 6347 4.2.1), so it names the transmission it
	 * answers: an RTT sample even after retransmissions (no Karn doubt),
	 * and a second HelloVerifyRequest is taken only when it names a
	 * retransmission of our cookie-bearing ClientHello. */
	uint64_t hello_tx_seq[PETREL_HELLO_TX_TRACKED];
	uint64_t hello_tx_ms[PETREL_HELLO_TX_TRACKED];
	bool hello_tx_resent[PETREL_HELLO_TX_TRACKED]; /* a retransmission, cookie included */
	unsigned hello_tx_count;
	uint64_t last_rx_seq;  /* record sequence number of the record being handled */
	size_t flight_largest_dgram; /* largest datagram of the last (re)transmission */
	unsigned unexpected_dropped; /* epoch-0 messages of a type the state does not take */
	/* The last error of a dropped epoch-0 message or alert since the
	 * handshake last moved on, reported at the timeout (dtls/hs_drop.c). */
	int dropped_error;
	bool flight_pending;   /* a built flight not yet (fully) sent */
	bool got_peer_flight;  /* part of the peer's current flight arrived */
	/* The peer's ChangeCipherSpec was taken, and how many records had
	 * failed authentication then: more by the timeout name a key
	 * mismatch (PETREL_E_PEER_KEY_MISMATCH) instead of a plain timeout. */
	bool peer_ccs_taken;
	uint64_t bad_mac_at_peer_ccs;
	/* Our datagrams waiting for the transport's drain (issue #18: the
	 * engine queues, the transport drains; dtls/outq_session.c). Here,
	 * not on the session: an idle session keeps no queue. */
	struct petrel_outq outq;
	/* sni12: server: the ClientHello's server_name binding, sealed in
	 * tickets and cache entries and compared on resumption (RFC 6066 3;
	 * dtls/sni12_ticket.h); sni_unbound: a name that cannot be bound,
	 * never resumed. */
	uint8_t sni_binding[PETREL_TICKET13_BINDING_LEN];
	bool sni_unbound;
};

/* Kept after a server's handshake while the client may still need it. */
struct petrel_final_flight {
	struct petrel_flight flight; /* compacted: bytes only, planned again to resend */
	size_t wire_bytes;           /* one transmission, for the peer's retransmission credit */
	uint64_t expires_ms;
	uint16_t last_peer_seq;
	uint64_t last_tx_ms;
};

/* DTLS-SRTP (RFC 5764 4.1): profiles offered (client) or accepted in
 * preference order (server), our MKI, and what was negotiated (selected
 * 0: none; mki_used: the MKI was echoed). A heap block (~280 bytes) made
 * only for sessions that use SRTP, so idle sessions stay small. */
#define PETREL_SRTP_MAX_PROFILES 8
struct petrel_srtp_state {
	uint16_t profiles[PETREL_SRTP_MAX_PROFILES];
	uint8_t profile_count;
	uint8_t mki_len;
	uint8_t mki[255];
	uint16_t selected;
	bool mki_used;
};

struct petrel_session {
	unsigned role; /* PETREL_CLIENT or PETREL_SERVER */
	unsigned version; /* enum petrel_dtls_version (dtls/dispatch.h): picks the handshake operations */
	/* The versions this session may speak (enum petrel_dtls_version), set by
	 * petrel_session_set_versions (dtls/version.c): the handshake offers or
	 * accepts only versions in [version_min, version_max]. */
	uint8_t version_min, version_max;
	/* The application set the range; else a client's default is settled
	 * when its handshake starts (dtls/first_record.c). */
	bool versions_set;
	unsigned flags;
	petrel_credentials *creds;

	void *user_ptr; /* petrel_session_set_ptr */
	void *transport_ptr;
	petrel_push_fn push;
	petrel_pull_fn pull;
	petrel_pull_timeout_fn pull_timeout;
	petrel_clock_fn clock;
	void *clock_ptr;
	int fd; /* petrel_transport_set_udp_fd, else -1 */

	uint32_t retrans_initial_ms, total_timeout_ms, rto_floor_ms, rto_cap_ms;
	unsigned recv_timeout_ms; /* petrel_record_set_timeout */
	/* Idle release without a clock read per record: records set
	 * app_activity; the tick at idle_check_ms drops the expanded AEAD
	 * contexts if nothing moved since the previous check, else re-arms. */
	uint64_t idle_check_ms;
	uint64_t clock_seen_ms; /* the last time read on the record path */
	bool app_activity;
	uint16_t link_mtu;
	uint16_t mtu_floor;     /* black-hole back-off stops here */
	uint16_t peer_record_limit; /* record_size_limit / max_fragment_length, 0 = none */
	uint16_t mtu_max;       /* probing stops here */
	bool hb_negotiated;     /* heartbeat extension exchanged: we answer requests */
	bool hb_peer_allows;    /* the peer accepts our requests (mode 1) */
	struct petrel_pmtud pmtud;
	uint16_t kernel_pmtu;   /* path MTU the transport read after EMSGSIZE, 0 if none */
	unsigned black_hole_threshold;
	petrel_mtu_event_fn mtu_cb;
	void *mtu_cb_ptr;
	bool ipv6;
	uint16_t ciphers[PETREL_MAX_CIPHERS];
	uint8_t cipher_count;
	/* The cipher list's DTLS 1.3 suites (dtls/suites13.h), in order. */
	uint16_t ciphers13[PETREL_MAX_CIPHERS];
	uint8_t cipher13_count;
	uint16_t groups[PETREL_MAX_GROUPS];
	uint8_t group_count;
	int verify_mode;
	uint8_t pin[32];
	char *server_name;
	char *alpn_offer;    /* comma separated, as configured */
	char *alpn_selected;
	char *sni_received; /* server: the client's SNI host_name (dtls13/ext13_session.c) */
	/* Peer address bytes for the stateless cookie (server). */
	uint8_t peer_addr[32];
	size_t peer_addr_len;

	/* The endpoint's fragment budget, handed to each handshake's
	 * reassembler (NULL for a session on its own). */
	struct petrel_frag_budget *frag_budget;

	struct petrel_record_layer rl;
	/* A server's first ClientHello while its fragments arrive, before
	 * the cookie (dtls/first_hello.h); NULL otherwise. */
	struct petrel_first_hello *first_hello;
	struct petrel_hs *hs;
	struct petrel_final_flight *final;

	/* Established association. */
	bool established;
	bool closed;          /* close_notify received or sent */
	int fatal_error;      /* sticky once set */
	int last_alert;
	/* Records received that authenticated (epoch >= 1): the endpoint's
	 * idle timer counts only these (spoofed datagrams keep nothing alive). */
	uint64_t authenticated_records;
	int direction;
	const struct petrel_suite *suite;
	uint16_t group;
	uint16_t sig_scheme;
	bool resumed, ems;
	uint8_t master[PETREL_MASTER_SECRET_LEN];
	uint8_t client_random[PETREL_RANDOM_LEN];
	uint8_t server_random[PETREL_RANDOM_LEN];
	/* Client resumption material (petrel_session_set_data), and what the
	 * last handshake gave for petrel_session_get_data. */
	uint8_t *resume_blob;
	size_t resume_blob_len;
	uint8_t session_id[PETREL_SESSION_ID_MAX];
	size_t session_id_len;
	uint8_t *ticket;
	size_t ticket_len;
	int64_t (*wall_clock)(void); /* seconds, for certificate validity */
	/* Leaf certificate of the peer (copy) for petrel_session_get_peer_certificate;
	 * the rest of its chain follows the leaf in the same buffer,
	 * peer_chain_extra_len bytes of u24-length-prefixed certificates. */
	uint8_t *peer_cert;
	size_t peer_cert_len;
	size_t peer_chain_extra_len;
	/* The PSK identity of this session (both roles) and, on a server, the
	 * key its lookup callback gave (wiped once the master secret exists). */
	struct petrel_psk_entry psk_used;
	bool psk_used_set;

	/* Received application data waiting for petrel_engine_read: one
	 * datagram's worth at a time, heap only while non-empty. */
	uint8_t *rx_app;
	size_t rx_app_len;
	bool rx_app_ready;
	/* While petrel_record_recv runs: the caller's buffer, so a record's
	 * plaintext goes there straight from the decrypted datagram (no
	 * allocation, one copy). rx_in_user marks data delivered that way. */
	uint8_t *rx_user_buf;
	size_t rx_user_cap;
	bool rx_in_user;

	/* DTLS-SRTP (dtls/srtp.c): NULL unless petrel_srtp_set_profiles or
	 * petrel_srtp_set_mki configured it; NULL means no use_srtp. */
	struct petrel_srtp_state *srtp;
	/* Raw public keys (RFC 7250): PETREL_RPK_* flags set by the user, and
	 * the certificate types the handshake settled on (0 X.509, 2 RPK). */
	unsigned rpk_flags;
	uint8_t server_cert_type, client_cert_type;

	/* Secure renegotiation (RFC 5746, dtls/reneg.c). */
	struct petrel_reneg reneg;

	struct petrel_stats stats;
	uint64_t peer_retx_bytes; /* sent by retransmissions the peer triggered */

	/* petrel_session_set_keepalive: pings and dead-peer timer
	 * (dtls/keepalive.c); NULL unless the application set one. */
	struct petrel_keepalive *keepalive;
	/* RFC 9146 Connection IDs (dtls/session_cid.c): NULL unless enabled. */
	struct petrel_session_cid *cid;
	/* DTLS 1.3 driver state (dtls13/engine13.c): NULL unless 1.3 is spoken. */
	struct petrel_d13 *d13;
	/* DTLS 1.3 PSK key exchange modes (petrel_session_set_psk_modes,
	 * PETREL_PSK_MODE_* bits; 0: psk_dhe_ke only). */
	uint8_t psk_modes13;
};

/* The session's clock (petrel_transport_set_clock_function, monotonic by
 * default); inline so that services read it without calling up into
 * dtls/session.c. */
static inline uint64_t petrel_session_now(const petrel_session *s)
{
	return s->clock(s->clock_ptr);
}

/* dtls/srtp.c: the SRTP block, wiped and freed (session free path). */
void petrel_srtp_free(petrel_session *s);

/* dtls/probe.c: RFC 8899 probing with RFC 6520 heartbeats */
void petrel_probe_start(petrel_session *s, uint64_t now_ms);
int petrel_probe_tick(petrel_session *s, uint64_t now_ms);
int petrel_probe_on_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms);

/* dtls12/server12.c: the endpoint's stateless ClientHello check (HelloVerifyRequest
 * into hvr when the cookie is missing or stale). */
int petrel_server_stateless_check(const struct petrel_credentials *creds, const uint8_t *peer,
				  size_t peer_len, const uint8_t *dgram, size_t len, uint64_t now_ms,
				  uint8_t *hvr, size_t hvr_cap, size_t *hvr_len);
/* Peer address bytes for the cookie (endpoints set it per session). */
int petrel_session_set_peer_address(petrel_session *s, const void *addr, size_t len);

/* dtls12/hello_verify.c: the HelloVerifyRequest message (12-byte header
 * and body) answering ch, for the record numbered record_seq. */
#define PETREL_HVR_MESSAGE_MAX (PETREL_HS_HEADER_LEN + 3 + PETREL_COOKIE_LEN)
int petrel_hello_verify_message(const struct petrel_credentials *creds, const uint8_t *peer,
				size_t peer_len, const struct petrel_client_hello *ch, uint64_t now_ms,
				uint64_t record_seq, uint16_t message_seq, uint8_t *msg, size_t cap,
				size_t *msg_len);
/* The stateless answer to a whole ClientHello m (dtls/first_hello.h)
 * from peer: 1 when its cookie is valid, 0 when a HelloVerifyRequest
 * record was written to out, PETREL_E_AGAIN to drop it (unparsable). */
struct petrel_first_hello_msg;
int petrel_hello_verify_answer(const struct petrel_credentials *creds, const uint8_t *peer,
			       size_t peer_len, const struct petrel_first_hello_msg *m, uint64_t now_ms,
			       uint8_t *out, size_t cap, size_t *out_len);

/* dtls/cookie.c (RFC 6347 4.2.1) */
#define PETREL_COOKIE_LEN 22
size_t petrel_cookie_make(const struct petrel_credentials *creds, const uint8_t *peer, size_t peer_len,
			  const struct petrel_client_hello *ch, uint32_t now_ms, uint16_t hvr_seq,
			  uint8_t out[PETREL_COOKIE_LEN]);
/* 0 when valid; *age_ms is the time since the cookie was issued and
 * *hvr_seq the low 16 bits of the HelloVerifyRequest's record number. */
int petrel_cookie_check(const struct petrel_credentials *creds, const uint8_t *peer, size_t peer_len,
			const struct petrel_client_hello *ch, uint32_t now_ms, uint32_t *age_ms,
			uint16_t *hvr_seq);

/* dtls/hs_common.c */
/* Signature schemes we accept, in preference order (RFC 5246 7.4.1.4.1). */
size_t petrel_our_sig_schemes(uint16_t *out, size_t cap);
enum petrel_msg_kx petrel_msg_kx_of(const struct petrel_suite *suite);
/* Check the peer's chain in hs->peer_chain per the session's verify mode
 * and fill hs->peer_key. */
int petrel_verify_peer(petrel_session *s, bool peer_is_server);
/* Sign data with our key and a scheme acceptable to the peer. */
int petrel_pick_sig_scheme(const petrel_session *s, const uint16_t *peer_schemes, size_t count,
			   uint16_t *scheme);
int petrel_store_peer_chain(struct petrel_hs *hs, const struct petrel_certificate_msg *msg);
/* Fill an extensions struct's ALPN list from "a,b,c" into buf. */
int petrel_alpn_encode(const char *list, uint8_t *buf, size_t cap, size_t *len);
/* len bytes of fresh randomness from the handshake's pool. */
void petrel_hs_random(struct petrel_hs *hs, void *out, size_t len);
/* The client's resumption blob (tickets: dtls/ticket.h). */
struct petrel_resume_data {
	uint16_t suite_id;
	bool ems;
	uint8_t master[PETREL_MASTER_SECRET_LEN];
	const uint8_t *session_id; size_t session_id_len;
	const uint8_t *ticket; size_t ticket_len;
	/* sni12: the server name the session was made with (version 2
	 * blobs); a version 1 blob has none recorded. */
	const uint8_t *server_name; size_t server_name_len;
	/* sni12fix: false for a version 1 blob, which is never offered
	 * (its ticket predates the binding: a full handshake). */
	bool name_recorded;
};
int petrel_resume_parse(const uint8_t *blob, size_t len, struct petrel_resume_data *out);
/* sni12: whether the resumption data may be offered on a connection to
 * server_name (NULL: none): only to the same name (RFC 6066 3; the 1.3
 * rule, dtls13/ticket13.c petrel_ticket13_client_offer), and only for a
 * session with extended master secret (RFC 7627 5.3). */
bool petrel_resume_offerable(const struct petrel_resume_data *d, const char *server_name);

int petrel_hs_add_peer_message(struct petrel_hs *hs, const struct petrel_hs_message *m);
int petrel_hs_derive_keys(struct petrel_hs *hs);
/* Premaster (incl. PSK framing, RFC 4279 2) -> master (RFC 7627 with EMS) -> keys. */
int petrel_hs_compute_master(petrel_session *s);
/* CCS, switch write epoch, Finished: the end of either side's flight. */
int petrel_hs_append_ccs_finished(petrel_session *s);
/* Both roles' end of the handshake: the peer's Finished verified and
 * hashed; our CCS + Finished appended and sent; the handshake closed. */
int petrel_hs_check_peer_finished(petrel_session *s, const struct petrel_hs_message *m);
int petrel_hs_send_ccs_finished(petrel_session *s, uint64_t now_ms);
int petrel_hs_done(petrel_session *s, const struct petrel_hs_message *peer_finished, uint64_t now_ms);

/* The services the handshake operations call (each in its own file
 * with its own header; none calls back into the dispatcher or the role
 * files). Included here so every file of dtls/ sees them. */
#include "dtls/alert.h"
#include "dtls/hs_output.h"
#include "dtls/hs_state.h"
#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls/transcript.h"

#endif
