/* Petrel: a DTLS library for UDP. This header is the whole public API. */
#ifndef PETREL_PETREL_H
#define PETREL_PETREL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PETREL_VERSION_MAJOR 0
#define PETREL_VERSION_MINOR 1
#define PETREL_VERSION_PATCH 0
#define PETREL_VERSION "0.1.0"
#define PETREL_VERSION_NUMBER \
	((PETREL_VERSION_MAJOR << 16) | (PETREL_VERSION_MINOR << 8) | PETREL_VERSION_PATCH)

#if defined(__GNUC__)
#define PETREL_API __attribute__((visibility("default")))
#else
#define PETREL_API
#endif

/* Error codes: every call returns >= 0 on success or one of these.
 * The first five are non-fatal: the caller calls again. */
enum {
	PETREL_E_SUCCESS = 0,
	PETREL_E_AGAIN = -1,
	PETREL_E_INTERRUPTED = -2,
	PETREL_E_WARNING_ALERT_RECEIVED = -3,
	PETREL_E_LARGE_PACKET = -4,
	PETREL_E_GOT_APPLICATION_DATA = -5,

	PETREL_E_FATAL_ALERT_RECEIVED = -10,
	PETREL_E_TIMEDOUT = -11,
	PETREL_E_DECRYPTION_FAILED = -12,
	PETREL_E_UNEXPECTED_MESSAGE = -13,
	PETREL_E_MEMORY = -14,
	PETREL_E_INVALID_REQUEST = -15,
	PETREL_E_SHORT_BUFFER = -16,
	PETREL_E_DECODE_ERROR = -17,
	PETREL_E_ILLEGAL_PARAMETER = -18,
	PETREL_E_HANDSHAKE_FAILURE = -19,
	PETREL_E_NO_COMMON_CIPHER = -20,
	PETREL_E_NO_COMMON_GROUP = -21,
	PETREL_E_CRYPTO = -22,
	PETREL_E_INVALID_KEY = -23,
	PETREL_E_SIGNATURE_INVALID = -24,
	PETREL_E_SEQ_EXHAUSTED = -25,
	PETREL_E_REPLAYED = -26,
	PETREL_E_TOO_MANY_BAD_RECORDS = -27,
	PETREL_E_PUSH_ERROR = -28,
	PETREL_E_PULL_ERROR = -29,
	PETREL_E_SESSION_CLOSED = -30,
	PETREL_E_RECORD_OVERFLOW = -31,
	PETREL_E_LIMIT_EXCEEDED = -32,
	PETREL_E_UNSUPPORTED = -33,
	PETREL_E_NO_RENEGOTIATION = -34,
	PETREL_E_EMS_REQUIRED = -35,
	PETREL_E_BAD_COOKIE = -36,
	PETREL_E_FILE_ERROR = -37,
	PETREL_E_INTERNAL = -38,
	PETREL_E_UNKNOWN_PSK_IDENTITY = -39,
	PETREL_E_NO_CERTIFICATE = -40,
	PETREL_E_BAD_CERTIFICATE = -41,
	PETREL_E_ALPN_MISMATCH = -42,
	PETREL_E_PROTOCOL_VERSION = -43,
	PETREL_E_PEER_DEAD = -44, /* keepalive: nothing from the peer for dead_after_ms */
	/* The handshake timed out after records from the peer failed
	 * authentication under the new keys: a wrong PSK or key, likely. */
	PETREL_E_PEER_KEY_MISMATCH = -45,

	/* Certificate validation: each failure has its own code. */
	PETREL_E_CERT_PARSE = -60,
	PETREL_E_CERT_EXPIRED = -61,
	PETREL_E_CERT_NOT_YET_VALID = -62,
	PETREL_E_CERT_BAD_SIGNATURE = -63,
	PETREL_E_CERT_UNKNOWN_ISSUER = -64,
	PETREL_E_CERT_NOT_CA = -65,
	PETREL_E_CERT_PATHLEN_EXCEEDED = -66,
	PETREL_E_CERT_NAME_MISMATCH = -67,
	PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION = -68,
	PETREL_E_CERT_CHAIN_TOO_LONG = -69,
	PETREL_E_CERT_KEY_USAGE = -70,
	PETREL_E_CERT_PIN_MISMATCH = -71,
	PETREL_E_CERT_UNSUPPORTED_ALGORITHM = -72,
	PETREL_E_CERT_UNTRUSTED = -73,
	/* The peer answered an extension we did not offer (RFC 5246 7.4.1.4). */
	PETREL_E_UNSUPPORTED_EXTENSION = -74,
};

/* A short description of an error code ("the handshake timed out");
 * petrel_strerror_name gives the constant's name. */
PETREL_API const char *petrel_strerror(int code);
/* The constant's name, e.g. "PETREL_E_AGAIN"; "PETREL_E_UNKNOWN" for others. */
PETREL_API const char *petrel_strerror_name(int code);
/* Hex text ("0a1b2c" or "0A:1B:2C") to bytes: 0 and *len, or
 * PETREL_E_DECODE_ERROR (bad digit, odd length, empty, mixed separators),
 * PETREL_E_SHORT_BUFFER (more than cap bytes). */
PETREL_API int petrel_hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len);
/* 1 if the code ends the session, 0 if the caller may call again. */
PETREL_API int petrel_error_is_fatal(int code);

/* The library's version string, and a check that it is at least `req`. */
PETREL_API const char *petrel_check_version(const char *req);

/* ------------------------------------------------------------------ */
/* Sessions                                                            */

typedef struct petrel_session petrel_session;
typedef struct petrel_credentials petrel_credentials;

enum { PETREL_CLIENT = 1, PETREL_SERVER = 2 };

/* Session flags (petrel_session_new's flags, or'ed with the role). */
enum {
	PETREL_FLAG_NO_COOKIE = 1 << 4,        /* server: skip HelloVerifyRequest */
	PETREL_FLAG_ALLOW_NO_EMS = 1 << 5,     /* no-op, kept for compatibility: accepting
						  peers without RFC 7627 is the default now
						  (see PETREL_FLAG_REQUIRE_EMS) */
	PETREL_FLAG_NO_TICKETS = 1 << 6,       /* no RFC 5077 session tickets */
	PETREL_FLAG_REQUIRE_CLIENT_CERT = 1 << 7, /* server: CertificateRequest, fail without one */
	PETREL_FLAG_REQUEST_CLIENT_CERT = 1 << 8, /* server: CertificateRequest, optional */
	PETREL_FLAG_NO_PMTUD = 1 << 9,         /* keep the MTU: no black-hole back-off */
	PETREL_FLAG_PMTU_PROBE = 1 << 10,      /* probe for a larger MTU after the handshake
						  (RFC 8899 with RFC 6520 heartbeats; the
						  peer must negotiate heartbeats) */
	/* (probe13) DTLS 1.3 sessions probe with a padded KeyUpdate, which
	 * every DTLS 1.3 peer acknowledges (RFC 9147 8): no heartbeats, and a
	 * client with this flag alone still offers DTLS 1.3. */
	/* RFC 7627 extended master secret is always offered and preferred; a
	 * peer without it still completes a full handshake (as OpenSSL, GnuTLS
	 * and Go allow), but such a session is never resumed (RFC 7627 5.3).
	 * This flag refuses peers without it (PETREL_E_EMS_REQUIRED).
	 * petrel_session_ems_negotiated() tells which happened. */
	PETREL_FLAG_REQUIRE_EMS = 1 << 11,
};

PETREL_API int petrel_session_new(petrel_session **session, unsigned flags);
/* An application pointer carried by the session (endpoint callbacks get the
 * session; this leads back to the caller's own state). */
PETREL_API void petrel_session_set_ptr(petrel_session *session, void *ptr);
PETREL_API void *petrel_session_get_ptr(const petrel_session *session);
PETREL_API void petrel_session_free(petrel_session *session);
/* The credentials must outlive the session; many sessions may share them. */
PETREL_API int petrel_session_set_credentials(petrel_session *session, petrel_credentials *creds);
/* Client: the name to send as SNI and to check the server certificate against. */
PETREL_API int petrel_session_set_server_name(petrel_session *session, const char *name);
/* petrel_session_set_ciphers: the list may mix DTLS 1.3 suites (TLS_AES_128_GCM_SHA256,
 * TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256,
 * TLS_AES_128_CCM_SHA256, TLS_AES_128_CCM_8_SHA256) with 1.2 ones: each
 * version offers / picks from its own names, in list order. Only 1.3
 * names: the session speaks 1.3 only; only 1.2 names: 1.2 only; both:
 * both. An unknown name: PETREL_E_UNSUPPORTED. */
/* Cipher suites by IANA name, comma or colon separated ("TLS_PSK_WITH_AES_128_CCM_8,..."). */
PETREL_API int petrel_session_set_ciphers(petrel_session *session, const char *list);
/* Groups by name ("x25519,secp256r1"). */
PETREL_API int petrel_session_set_groups(petrel_session *session, const char *list);
/* ALPN protocols, comma separated, in preference order. */
PETREL_API int petrel_session_set_alpn(petrel_session *session, const char *list);
/* The negotiated ALPN protocol, or NULL. */
PETREL_API const char *petrel_session_get_alpn(const petrel_session *session);
/* Server: the host_name the client sent as SNI (RFC 6066 3; DTLS 1.3), or
 * NULL; client: the name set with petrel_session_set_server_name. */
PETREL_API const char *petrel_session_get_sni(const petrel_session *session);

/* Peer verification (client side by default; servers with client certs). */
enum {
	PETREL_VERIFY_CHAIN = 0,     /* chain to the trust store + name check (default) */
	PETREL_VERIFY_PIN = 1,       /* only the pinned certificate SHA-256 (WebRTC) */
	PETREL_VERIFY_PIN_SPKI = 2,  /* only the pinned SubjectPublicKeyInfo SHA-256 */
	PETREL_VERIFY_NONE = 3,      /* insecure: accept any certificate */
};
PETREL_API int petrel_session_set_verify(petrel_session *session, int mode,
					 const uint8_t *pin_sha256, size_t pin_len);

/* ------------------------------------------------------------------ */
/* Transport: callbacks, or a connected UDP socket.                    */

/* push: send one datagram; returns its length, PETREL_E_AGAIN,
 * PETREL_E_LARGE_PACKET (EMSGSIZE: the path MTU is smaller) or
 * PETREL_E_PUSH_ERROR. */
typedef long (*petrel_push_fn)(void *ptr, const uint8_t *data, size_t len);
/* pull: receive one datagram into buf; returns its length, PETREL_E_AGAIN,
 * PETREL_E_INTERRUPTED or PETREL_E_PULL_ERROR. */
typedef long (*petrel_pull_fn)(void *ptr, uint8_t *buf, size_t cap);
/* pull_timeout: wait up to ms for a datagram; > 0 ready, 0 timed out, < 0 error. */
typedef int (*petrel_pull_timeout_fn)(void *ptr, unsigned ms);
/* The session's clock in milliseconds (monotonic). Default: CLOCK_MONOTONIC. */
typedef uint64_t (*petrel_clock_fn)(void *ptr);

PETREL_API void petrel_transport_set_ptr(petrel_session *session, void *ptr);
PETREL_API void petrel_transport_set_push_function(petrel_session *session, petrel_push_fn fn);
PETREL_API void petrel_transport_set_pull_function(petrel_session *session, petrel_pull_fn fn);
PETREL_API void petrel_transport_set_pull_timeout_function(petrel_session *session,
							   petrel_pull_timeout_fn fn);
PETREL_API void petrel_transport_set_clock_function(petrel_session *session, petrel_clock_fn fn,
						    void *ptr);
/* Use a connected UDP socket (sets IP_MTU_DISCOVER/IPV6_DONTFRAG so an
 * oversized datagram fails with EMSGSIZE, and the callbacks above). */
PETREL_API int petrel_transport_set_udp_fd(petrel_session *session, int fd);

/* ------------------------------------------------------------------ */
/* Handshake, data, close (GnuTLS-style non-blocking contract).        */

PETREL_API int petrel_handshake(petrel_session *session);
/* 0: the last call was blocked reading, 1: writing. */
PETREL_API int petrel_record_get_direction(const petrel_session *session);
/* Milliseconds until the next retransmission is due (0: now). */
PETREL_API unsigned petrel_dtls_get_timeout(const petrel_session *session);
/* Initial retransmission timeout and total handshake timeout (ms). The
 * initial one is 400 ms by default (RFC 9147 5.8.2's DTLS-SRTP value;
 * 1000 gives its general 1 s); set here (retrans_ms != 0, before or after
 * petrel_srtp_set_profiles) it is used as given. 0 keeps it. */
PETREL_API void petrel_dtls_set_timeouts(petrel_session *session, unsigned retrans_ms,
					 unsigned total_ms);
/* Floor under the RTT-derived timeout and cap on the back-off (ms). */
PETREL_API void petrel_dtls_set_timeout_limits(petrel_session *session, unsigned floor_ms,
					       unsigned cap_ms);
PETREL_API void petrel_dtls_set_mtu(petrel_session *session, unsigned mtu);
PETREL_API unsigned petrel_dtls_get_mtu(const petrel_session *session);
/* Why the MTU changed (petrel_mtu_event_fn's reason). */
enum {
	PETREL_MTU_CONFIGURED = 1, /* petrel_dtls_set_mtu */
	PETREL_MTU_EMSGSIZE = 2,   /* the kernel refused a datagram (ICMP frag needed) */
	PETREL_MTU_BLACK_HOLE = 3, /* large flights or probes went unanswered: step down */
	PETREL_MTU_PROBE = 4,      /* a probe of this size was acknowledged (RFC 8899) */
};
/* Upper bound for probing (PETREL_FLAG_PMTU_PROBE); default 1500. */
PETREL_API void petrel_dtls_set_mtu_max(petrel_session *session, unsigned mtu);
typedef void (*petrel_mtu_event_fn)(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason);
/* Called on every MTU change, with its reason (for logs and tests). */
PETREL_API void petrel_dtls_set_mtu_callback(petrel_session *session, petrel_mtu_event_fn fn,
					     void *ptr);
/* Unanswered transmissions of a flight with datagrams over a known-good
 * size before the MTU falls back to it (RFC 8899 5.1.2: 1200, then the
 * floor). Default 1. */
PETREL_API void petrel_dtls_set_black_hole_threshold(petrel_session *session, unsigned retransmissions);
/* Largest application payload one record can carry at the current MTU. */
PETREL_API unsigned petrel_dtls_get_data_mtu(const petrel_session *session);

/* One record = one message. Returns bytes sent, or PETREL_E_LARGE_PACKET
 * when len exceeds petrel_dtls_get_data_mtu(). */
PETREL_API long petrel_record_send(petrel_session *session, const void *data, size_t len);
/* Returns bytes of one message, 0 after close_notify, or an error. With a
 * pull_timeout transport (e.g. petrel_transport_set_udp_fd) it waits for a
 * message up to the record timeout, then returns PETREL_E_AGAIN. */
PETREL_API long petrel_record_recv(petrel_session *session, void *buf, size_t cap);
#define PETREL_INDEFINITE_TIMEOUT 0xFFFFFFFFu
/* How long petrel_record_recv waits (ms): 0 (default) not at all,
 * PETREL_INDEFINITE_TIMEOUT until a message arrives. */
PETREL_API void petrel_record_set_timeout(petrel_session *session, unsigned ms);
/* Records failing authentication are dropped silently (RFC 6347 4.1.2.7),
 * during and after the handshake. With a limit > 0, the bad record after
 * `limit` such records ends the session with PETREL_E_TOO_MANY_BAD_RECORDS;
 * 0 (default) never does. */
PETREL_API void petrel_record_set_bad_record_limit(petrel_session *session, uint64_t limit);
/* Sends close_notify. */
PETREL_API int petrel_bye(petrel_session *session);

/* Keepalive and dead-peer detection (GnuTLS: gnutls_heartbeat_ping).
 * After interval_ms without an authenticated record from the peer the
 * session sends a ping, again every interval_ms while the silence lasts;
 * after dead_after_ms without one, petrel_record_recv, petrel_engine_tick
 * and an endpoint's on_closed report PETREL_E_PEER_DEAD (fatal; every
 * later call returns it too). 0 turns either off. Call before the
 * handshake: a client then offers RFC 6520 heartbeats (a Petrel server
 * always accepts them). The ping is
 *  - a HeartbeatRequest when heartbeats were negotiated and the peer
 *    allows requests: the peer must answer, so a live but quiet peer is
 *    never declared dead (choose dead_after_ms >= 2 * interval_ms plus an
 *    RTT, so one lost ping or answer is forgiven);
 *  - else nothing (or an empty record, see below): only the peer's own
 *    traffic shows it is alive, and a quiet peer is declared dead after
 *    dead_after_ms (an idle timeout).
 * A close_notify from the peer (e.g. a server closing an idle session)
 * ends the session as always: petrel_record_recv returns 0,
 * petrel_engine_feed PETREL_E_SESSION_CLOSED.
 * To reconnect after PETREL_E_PEER_DEAD or a close: petrel_session_get_data
 * on the old session (before freeing it), a new session on a new socket,
 * petrel_session_set_data, petrel_handshake: an abbreviated handshake when
 * the server still knows the session or ticket, else a full one. */
PETREL_API int petrel_session_set_keepalive(petrel_session *session, unsigned interval_ms,
					    unsigned dead_after_ms);
/* 1 when the keepalive pings with heartbeats (negotiated and allowed by
 * the peer), 0 when it cannot ping (or before the handshake). */
PETREL_API int petrel_session_keepalive_uses_heartbeat(const petrel_session *session);
/* Without heartbeats, ping with empty application_data records (enable
 * 1; default 0). They keep NAT bindings open but prove nothing. GnuTLS
 * and Petrel skip them; OpenSSL 3's DTLS SSL_read returns 0 for one,
 * which OpenSSL applications take for an error (s_server closes): enable
 * only for peers known to skip them. */
PETREL_API int petrel_session_set_keepalive_empty_records(petrel_session *session, int enable);
/* ka13: on a DTLS 1.3 session (no heartbeats there) the ping is a
 * KeyUpdate(update_not_requested), which the peer must acknowledge (RFC
 * 9147 8): a live quiet peer is never declared dead, as with heartbeats;
 * with empty records enabled, a zero-length application_data record
 * instead (RFC 8446 5.4). petrel_session_keepalive_uses_heartbeat stays 0
 * there. A keepalive no longer keeps a default client on DTLS 1.2: its
 * 1.3 ClientHello offers the heartbeat extension too, so a session that
 * falls back to a 1.2 server gets heartbeats as before. */

/* Alerts (RFC 5246 7.2): the last alert received (its description code),
 * or -1 when none was; petrel_alert_get_name(-1) is "none". */
PETREL_API int petrel_alert_get(const petrel_session *session);
PETREL_API const char *petrel_alert_get_name(int alert);

/* ------------------------------------------------------------------ */
/* Feed-driven engine for event loops that own sockets and timers.     */

/* Process one received datagram (modified in place) at now_ms. Returns 0,
 * or an error code as petrel_handshake would. */
PETREL_API int petrel_engine_feed(petrel_session *session, uint8_t *dgram, size_t len,
				  uint64_t now_ms);
/* Act on timers at now_ms (retransmits; PETREL_E_TIMEDOUT when over). */
PETREL_API int petrel_engine_tick(petrel_session *session, uint64_t now_ms);
/* Absolute time of the next deadline, UINT64_MAX when none. */
PETREL_API uint64_t petrel_engine_next_deadline(const petrel_session *session);
/* 1 when the handshake has completed. */
PETREL_API int petrel_handshake_is_complete(const petrel_session *session);
/* Pop application data received while feeding: bytes, or PETREL_E_AGAIN. */
PETREL_API long petrel_engine_read(petrel_session *session, void *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* Session information                                                 */

PETREL_API const char *petrel_session_get_cipher_name(const petrel_session *session);
PETREL_API uint16_t petrel_session_get_cipher_id(const petrel_session *session);
PETREL_API const char *petrel_session_get_group_name(const petrel_session *session);
PETREL_API const char *petrel_session_get_signature_name(const petrel_session *session);
PETREL_API int petrel_session_is_resumed(const petrel_session *session);
/* 1 when the handshake used the RFC 7627 extended master secret. */
PETREL_API int petrel_session_ems_negotiated(const petrel_session *session);
/* RFC 5705 exporter (DTLS-SRTP uses "EXTRACTOR-dtls_srtp"). */
/* On a DTLS 1.3 session it is the TLS 1.3 exporter (RFC 8446 7.5) from
 * exporter_master_secret, with the "dtls13" label prefix (RFC 9147 5.9):
 * no context and an empty context give the same value there (use_context
 * 0 ignores context), labels are at most 249 bytes, out_len at most 255
 * times the suite's hash length. */
PETREL_API int petrel_prf_export(petrel_session *session, const char *label,
				 const uint8_t *context, size_t context_len, int use_context,
				 uint8_t *out, size_t out_len);
/* Resumption: opaque blob, write into buf (len in/out); size query with buf NULL. */
PETREL_API int petrel_session_get_data(const petrel_session *session, uint8_t *buf, size_t *len);
PETREL_API int petrel_session_set_data(petrel_session *session, const uint8_t *buf, size_t len);
/* Peer certificate (DER) of the given index in the chain the peer sent. */
PETREL_API int petrel_session_get_peer_certificate(const petrel_session *session, size_t index,
						   const uint8_t **der, size_t *len);
/* The whole chain the peer sent, leaf first (GnuTLS:
 * gnutls_certificate_get_peers), for logging or pinning intermediates:
 * *count in is the room in der[] and len[], out the chain's length; the
 * pointers stay valid while the session lives. 0, PETREL_E_SHORT_BUFFER
 * (*count says how many are needed), PETREL_E_NO_CERTIFICATE (none: PSK,
 * or a resumed session's handshake carried none). */
PETREL_API int petrel_session_get_peer_certificates(const petrel_session *session,
						    const uint8_t **der, size_t *len, size_t *count);
/* Both answer alike on DTLS 1.2 and 1.3 (peer13): the chain is kept once
 * the handshake verified it, stays through KeyUpdates and post-handshake
 * messages, and goes with the session. A resumed session (1.2 session ID
 * or ticket, 1.3 ticket PSK) has none on either version: the session data
 * keeps no certificate, so check the fingerprint on the full handshake. */
/* RFC 9146 Connection IDs (DTLS 1.2). Before the handshake: offer
 * (client) or accept (server) the connection_id extension, asking the
 * peer to put `cid` (len bytes, copied; NULL with len > 0: random bytes)
 * in the records it sends us. len 0 asks for none: we still send the
 * peer's CID if it wants one. A CID lets the peer's address change
 * (NAT rebinding) without losing the session; endpoint servers issue
 * their own (petrel_endpoint_set_cid_length). 0, PETREL_E_INVALID_REQUEST
 * (over 255 bytes, handshake begun), PETREL_E_MEMORY. */
PETREL_API int petrel_session_set_cid(petrel_session *session, const uint8_t *cid, size_t len);
enum { PETREL_CID_OURS = 0, PETREL_CID_PEERS = 1 };
/* The negotiated CIDs: PETREL_CID_OURS is in the records we receive,
 * PETREL_CID_PEERS in those we send (either may be empty). *cid stays
 * valid while the session lives. 0, or PETREL_E_UNSUPPORTED when the
 * handshake negotiated no CID. */
PETREL_API int petrel_session_get_cid(const petrel_session *session, int which,
				      const uint8_t **cid, size_t *len);
/* DTLS 1.3 (RFC 9147 9): sends the peer `count` (1..4) fresh CIDs of ours
 * in a NewConnectionId, retransmitted until acknowledged. usage
 * PETREL_CID_USAGE_SPARE: for the peer to switch to when it likes (say,
 * when its address changes, so the old and new paths are not linked);
 * PETREL_CID_USAGE_IMMEDIATE: it should switch now. The CIDs have our
 * negotiated CID's length; an endpoint makes them (unique, routed to
 * this session whatever the source address), a lone session makes them
 * at random. Records carrying the negotiated CID or any issued one are
 * accepted. A peer's RequestConnectionId is answered the same way, with
 * spares, as many as it asks within the caps. Caps: 4 per message, 8
 * held per session (retired ones leave room: doc/api.txt gives the
 * rule). 0; PETREL_E_INVALID_REQUEST (handshake not
 * done, no non-empty CID of ours negotiated, bad count or usage),
 * PETREL_E_UNSUPPORTED (a DTLS 1.2 session: RFC 9146 has no such
 * message), PETREL_E_AGAIN (a flight of ours, e.g. a KeyUpdate or
 * earlier CIDs, is not yet acknowledged: call again later),
 * PETREL_E_LIMIT_EXCEEDED (8 held already), PETREL_E_MEMORY. */
enum { PETREL_CID_USAGE_IMMEDIATE = 0, PETREL_CID_USAGE_SPARE = 1 };
PETREL_API int petrel_session_new_cids(petrel_session *session, unsigned count, int usage);
/* cid13: DTLS 1.3 (RFC 9147 9) CIDs the peer gave us. Spares (sent
 * marked cid_spare, or after the first of a cid_immediate list, which we
 * switch to at once) are kept in the order given, up to 8; extra ones
 * are discarded. petrel_session_rotate_cid switches the CID our records
 * carry to the oldest spare, from the next record on: call it when the
 * application knows its address changed, so the new path shows a CID
 * the old one never did (RFC 9146 8). When that takes the last spare, or
 * none was left, a RequestConnectionId asks the peer for 4 more (one
 * request at a time, only of a peer that has sent a NewConnectionId
 * itself, answered when the peer likes: call
 * petrel_session_spare_cids to see what arrived). 0;
 * PETREL_E_LIMIT_EXCEEDED (no spare held), PETREL_E_INVALID_REQUEST
 * (handshake not done, no CID negotiated, or we send none),
 * PETREL_E_UNSUPPORTED (a DTLS 1.2 session). */
PETREL_API int petrel_session_rotate_cid(petrel_session *session);
/* How many spare CIDs of the peer's we hold (0..8), or
 * PETREL_E_INVALID_REQUEST for a NULL session. */
PETREL_API int petrel_session_spare_cids(const petrel_session *session);

/* What Petrel implements, for listings (GnuTLS's gnutls_cipher_suite_info
 * style): the IANA name of entry `index` and its code point in *id (may be
 * NULL), or NULL past the end. Suites are DTLS 1.2 AEAD suites only (no
 * CBC: PETREL_E_UNSUPPORTED), in default preference order; groups are TLS
 * NamedGroups; signature algorithms are TLS SignatureSchemes. */
PETREL_API const char *petrel_cipher_suite_info(size_t index, uint16_t *id);
PETREL_API const char *petrel_group_info(size_t index, uint16_t *id);
PETREL_API const char *petrel_sign_algorithm_info(size_t index, uint16_t *id);
/* The same for the DTLS 1.3 suites (RFC 8446 B.4), which
 * petrel_session_set_ciphers also takes. */
PETREL_API const char *petrel_cipher_suite13_info(size_t index, uint16_t *id);

struct petrel_stats {
	uint64_t flights_sent;
	uint64_t retransmissions;
	uint64_t timeouts;
	uint64_t datagrams_sent, datagrams_received;
	uint64_t bytes_sent, bytes_received;
	uint64_t records_dropped;
	unsigned rtt_ms;          /* smoothed RTT, 0 before a sample */
	unsigned rto_ms;          /* current retransmission timeout */
	unsigned round_trips;     /* our flights the peer answered (its view of the exchange) */
	unsigned mtu_changes;
	uint64_t handshake_ms;    /* time from first flight to completion */
};
PETREL_API int petrel_session_get_stats(const petrel_session *session, struct petrel_stats *stats);

/* ------------------------------------------------------------------ */
/* Credentials                                                         */

PETREL_API int petrel_credentials_new(petrel_credentials **creds);
PETREL_API void petrel_credentials_free(petrel_credentials *creds);
/* Certificate chain (PEM, leaf first) and private key (PEM: PKCS#8, SEC1, PKCS#1). */
PETREL_API int petrel_credentials_set_key_file(petrel_credentials *creds, const char *cert_file,
					       const char *key_file);
PETREL_API int petrel_credentials_set_key_mem(petrel_credentials *creds, const char *cert_pem,
					      size_t cert_len, const char *key_pem, size_t key_len);
enum { PETREL_KEYTYPE_ECDSA_P256 = 1, PETREL_KEYTYPE_ED25519 = 2 };
/* A fresh key and a self-signed certificate for common_name (WebRTC style). */
PETREL_API int petrel_credentials_generate(petrel_credentials *creds, int keytype,
					   const char *common_name);
/* The own certificate's SHA-256 fingerprint (32 bytes); the SDP form is
 * petrel_credentials_get_fingerprint_sdp. */
PETREL_API int petrel_credentials_get_fingerprint(const petrel_credentials *creds,
						  uint8_t out[32]);
/* SDP fingerprints (RFC 8122 5, as WebRTC signals them): the attribute
 * line "a=fingerprint:sha-256 AB:CD:..." (32 upper-case hex pairs, no CRLF),
 * PETREL_SDP_FINGERPRINT_SIZE bytes with the NUL; the attribute value
 * ("sha-256 AB:...") starts at out + PETREL_SDP_FINGERPRINT_VALUE_OFFSET.
 * Errors: PETREL_E_NO_CERTIFICATE, PETREL_E_SHORT_BUFFER (cap too small). */
#define PETREL_SDP_FINGERPRINT_SIZE 118
#define PETREL_SDP_FINGERPRINT_VALUE_OFFSET 14
PETREL_API int petrel_credentials_get_fingerprint_sdp(const petrel_credentials *creds, char *out,
						      size_t cap);
/* The same line for a DER certificate (e.g. petrel_session_get_peer_certificate's). */
PETREL_API int petrel_certificate_fingerprint_sdp(const uint8_t *der, size_t der_len, char *out,
						  size_t cap);
/* Parses an SDP fingerprint, with or without "a=fingerprint:", hash name
 * and hex case-insensitive, trailing CR/LF/blanks allowed, into the 32
 * bytes petrel_session_set_verify(s, PETREL_VERIFY_PIN, out, 32) takes.
 * Errors: PETREL_E_UNSUPPORTED (a hash other than sha-256, e.g. sha-1),
 * PETREL_E_DECODE_ERROR (no hash name, a bad hex digit, a separator other
 * than one ':' between pairs), PETREL_E_ILLEGAL_PARAMETER (not 32 bytes). */
PETREL_API int petrel_fingerprint_parse_sdp(const char *text, uint8_t out[32]);
/* petrel_fingerprint_parse_sdp, then pin the peer's certificate to it
 * (PETREL_VERIFY_PIN). Same errors; the session is unchanged on error. */
PETREL_API int petrel_session_set_verify_sdp(petrel_session *session, const char *text);
/* Trust anchors: a PEM bundle file, or NULL for the system store. */
PETREL_API int petrel_credentials_set_trust_file(petrel_credentials *creds, const char *file);
/* Server-side session cache for session-ID resumption (RFC 5246 7.4.1.2),
 * as GnuTLS's db functions: store a value under a key, retrieve it into
 * data (its length, or < 0 when absent), remove it. Values are sealed
 * with the credentials' ticket key, so the cache never holds a master
 * secret in the clear. Without a cache, servers resume by ticket only. */
typedef int (*petrel_db_store_fn)(void *ptr, const uint8_t *key, size_t key_len,
				  const uint8_t *data, size_t data_len);
typedef long (*petrel_db_retrieve_fn)(void *ptr, const uint8_t *key, size_t key_len,
				      uint8_t *data, size_t cap);
typedef int (*petrel_db_remove_fn)(void *ptr, const uint8_t *key, size_t key_len);
PETREL_API void petrel_credentials_set_session_cache(petrel_credentials *creds,
						     petrel_db_store_fn store,
						     petrel_db_retrieve_fn retrieve,
						     petrel_db_remove_fn remove, void *ptr);
/* The session cache's contract. store is called after each full
 * handshake that can be resumed (extended master secret, RFC 7627 5.3)
 * with a fresh 32-byte key (the session ID) and a value of at most 96
 * bytes; retrieve when a ClientHello offers a session ID, with cap the
 * size a value can have; remove when a retrieved value does not resume
 * (its ticket key retired, damaged, or the session may not be resumed),
 * so stale entries go away when they are asked for. A value is a sealed
 * ticket: anyone holding it learns nothing without the ticket key, and
 * servers that share the ticket key (petrel_credentials_set_ticket_key)
 * share the cache, across processes and machines. The callbacks run
 * inside petrel_handshake / petrel_endpoint_process on the session's
 * thread; a cache shared by threads must lock. Their return values are
 * advisory: a failed store or remove only costs a later full handshake.
 * petrel_session_cache_entry_expiry says when an entry is dead. */
/* Session tickets (RFC 5077) shared by every worker and machine. The
 * ticket key is a master secret (PETREL_TICKET_KEY_LEN to
 * PETREL_TICKET_KEY_MAX_LEN bytes) from which one key per period is
 * derived: the current key seals, the previous, current and next open
 * (clock skew up to one period), so a ticket opens for one to two
 * periods. Servers given the same master and period resume each other's
 * tickets and cache entries. A ticket under a retired or unknown key is
 * refused quietly: the handshake is a full one. Without this call each
 * credentials object has its own random master, 7200-second period. */
#define PETREL_TICKET_KEY_LEN 32
#define PETREL_TICKET_KEY_MAX_LEN 64
/* Fills key with PETREL_TICKET_KEY_LEN random bytes: a new master. */
PETREL_API int petrel_ticket_key_generate(uint8_t key[PETREL_TICKET_KEY_LEN]);
/* Sets the master (copied; wiped with the credentials) and the period in
 * seconds; 0 means keys change only by petrel_credentials_rotate_ticket_key.
 * Periods count from the Unix epoch, so machines agree on them. */
PETREL_API int petrel_credentials_set_ticket_key(petrel_credentials *creds, const uint8_t *key,
						 size_t len, uint32_t period_s);
/* Moves to the next key at once (a suspected leak): tickets of the key
 * before the previous are refused from now on. Servers sharing the
 * master should all rotate; until they do, each accepts the other's
 * tickets (one generation apart). Not thread-safe against handshakes
 * running on the same credentials. */
PETREL_API void petrel_credentials_rotate_ticket_key(petrel_credentials *creds);
/* For a cache back-end: the Unix time (seconds) after which a stored
 * value no longer resumes under these credentials' keys (INT64_MAX when
 * keys rotate only by hand); PETREL_E_INVALID_REQUEST for a value that
 * is not one. Entries past it can be purged. */
PETREL_API int64_t petrel_session_cache_entry_expiry(const petrel_credentials *creds,
						     const uint8_t *data, size_t len);
/* New cookie secret; cookies made with the previous one stay valid until
 * the next rotation (the endpoint rotates every 5 minutes). */
PETREL_API void petrel_credentials_rotate_cookie_secret(petrel_credentials *creds);
/* PSK: client identity + key; servers look identities up among those set. */
PETREL_API int petrel_credentials_set_psk(petrel_credentials *creds, const char *identity,
					  const uint8_t *key, size_t key_len);
/* PSK for many devices (GnuTLS: gnutls_psk_set_server_credentials_function).
 * A server calls the lookup for an identity not among those set with
 * petrel_credentials_set_psk: it writes the key (1..key_cap bytes) and
 * returns its length, or returns < 0 for an unknown identity (the client
 * gets unknown_psk_identity). Called during petrel_handshake, from the
 * thread driving the session. */
typedef long (*petrel_psk_lookup_fn)(void *ptr, const uint8_t *identity, size_t identity_len,
				     uint8_t *key, size_t key_cap);
PETREL_API void petrel_credentials_set_psk_function(petrel_credentials *creds,
						    petrel_psk_lookup_fn lookup, void *ptr);
/* Server: the PSK identity hint sent in ServerKeyExchange (RFC 4279 2),
 * NULL for none (the default). */
PETREL_API int petrel_credentials_set_psk_hint(petrel_credentials *creds, const char *hint);
/* The PSK identity the session's handshake used (server: what the client
 * sent, as gnutls_psk_server_get_username; client: its own), NUL
 * terminated; NULL for certificate suites and resumed sessions. */
PETREL_API const char *petrel_session_get_psk_identity(const petrel_session *session);

/* ------------------------------------------------------------------ */
/* Server endpoint: one UDP socket, many peers.                        */

typedef struct petrel_endpoint petrel_endpoint;

struct petrel_endpoint_callbacks {
	/* A new session was created for a peer whose cookie checked out:
	 * configure it (ciphers, ALPN, verify mode) here. */
	void (*on_new_session)(void *ptr, petrel_session *session);
	void (*on_established)(void *ptr, petrel_session *session);
	void (*on_data)(void *ptr, petrel_session *session, const uint8_t *data, size_t len);
	/* The session ended (close_notify, fatal error or idle timeout); it is
	 * freed after this returns. */
	void (*on_closed)(void *ptr, petrel_session *session, int reason);
	void *ptr;
};

/* fd: a bound, unconnected UDP socket (made non-blocking by the call). */
PETREL_API int petrel_endpoint_new(petrel_endpoint **ep, int fd, petrel_credentials *creds,
				   unsigned session_flags, const struct petrel_endpoint_callbacks *cb);
PETREL_API void petrel_endpoint_free(petrel_endpoint *ep);
/* Caps: sessions in total and handshakes in progress (half-open). */
PETREL_API void petrel_endpoint_set_limits(petrel_endpoint *ep, unsigned max_sessions,
					   unsigned max_half_open);
/* Half-open handshakes (cookie checked, not yet established) from one
 * address and from one prefix (/24 for IPv4, /56 for IPv6; an IPv4-mapped
 * IPv6 address counts as IPv4). A ClientHello over either cap is dropped
 * (the client retries), so one address or network holding handshakes
 * open cannot lock others out. When the total cap above is reached, the
 * oldest half-open handshake is dropped to make room (on_closed with
 * PETREL_E_LIMIT_EXCEEDED). Defaults: 64 per address, 256 per prefix,
 * 1000 in all; 0 keeps a value. */
PETREL_API void petrel_endpoint_set_half_open_limits(petrel_endpoint *ep, unsigned per_address,
						     unsigned per_prefix);
/* One budget for the handshake fragments every session of the endpoint
 * buffers while reassembling (each session also keeps its own 256 KiB
 * cap). Above three quarters of it, the half-open handshakes holding the
 * most are dropped until half is free. Default 4 MiB; 0 keeps the value. */
PETREL_API void petrel_endpoint_set_fragment_budget(petrel_endpoint *ep, size_t bytes);
/* Bytes of handshake fragments buffered now, and half-open handshakes. */
PETREL_API size_t petrel_endpoint_fragment_bytes(const petrel_endpoint *ep);
PETREL_API unsigned petrel_endpoint_half_open_count(const petrel_endpoint *ep);
/* Established sessions that receive nothing for idle_ms are closed
 * (on_closed with PETREL_E_TIMEDOUT); 0 disables. Default 300000 (5 min). */
PETREL_API void petrel_endpoint_set_idle_timeout(petrel_endpoint *ep, unsigned idle_ms);
/* RFC 9146: every new session offers the clients a fresh random
 * Connection ID of len bytes (1..20; 0, the default, turns CIDs off). A
 * datagram carrying a session's CID reaches it whatever its source
 * address; one that authenticates and is newer than any before moves the
 * session to that address (RFC 9146 6). 0 or PETREL_E_INVALID_REQUEST. */
PETREL_API int petrel_endpoint_set_cid_length(petrel_endpoint *ep, unsigned len);
/* Read every datagram waiting on the socket and run due timers; never
 * blocks. Returns the number of datagrams processed, or an error. */
PETREL_API int petrel_endpoint_process(petrel_endpoint *ep);
/* ms until petrel_endpoint_process should run again for timers. */
PETREL_API unsigned petrel_endpoint_get_timeout(const petrel_endpoint *ep);
PETREL_API unsigned petrel_endpoint_session_count(const petrel_endpoint *ep);
/* The peer address of a session managed by the endpoint. */
PETREL_API int petrel_endpoint_session_peer(const petrel_endpoint *ep, const petrel_session *session,
					    void *addr, unsigned *addr_len);
/* close_notify to every established peer (before petrel_endpoint_free,
 * when a server stops); the sessions stay until freed. */
PETREL_API void petrel_endpoint_shutdown(petrel_endpoint *ep);
/* Counters of an endpoint's caps and timers. */
struct petrel_endpoint_stats {
	unsigned sessions, half_open;
	size_t fragment_bytes;        /* buffered handshake fragments now */
	uint64_t half_open_refused;   /* ClientHellos over a per-address or per-prefix cap */
	uint64_t half_open_evicted;   /* oldest half-open dropped at the total cap */
	uint64_t fragment_evicted;    /* half-open dropped for the fragment budget */
	uint64_t timer_visits;        /* peers whose deadline came due and was looked at */
	uint64_t cid_address_updates; /* sessions moved to a new address by their CID (RFC 9146 6) */
	uint64_t cid_address_updates_refused; /* not moved: another session holds that address */
	/* ClientHellos arriving in fragments from peers without a session,
	 * held until whole (before their cookie), and dropped for room. */
	unsigned partial_hellos;
	uint64_t partial_hellos_evicted;
};
PETREL_API void petrel_endpoint_get_stats(const petrel_endpoint *ep, struct petrel_endpoint_stats *st);
/* Sans-I/O endpoint (for an event loop of one's own, io_uring, tests):
 * no socket; the caller feeds each datagram with its source address and
 * the time, sends what petrel_endpoint_next_datagram hands out, and calls
 * petrel_endpoint_handle_timeout at petrel_endpoint_next_deadline. Times
 * are milliseconds of CLOCK_MONOTONIC (the sessions' own clock). The
 * callbacks, caps and the other endpoint calls work as with a socket;
 * petrel_endpoint_process and petrel_endpoint_get_timeout are for socket
 * endpoints only. */
PETREL_API int petrel_endpoint_new_sans_io(petrel_endpoint **ep, petrel_credentials *creds,
					   unsigned session_flags, const struct petrel_endpoint_callbacks *cb);
/* addr: a struct sockaddr_in or sockaddr_in6 of addr_len bytes. */
PETREL_API int petrel_endpoint_feed(petrel_endpoint *ep, uint8_t *dgram, size_t len, const void *addr,
				    unsigned addr_len, uint64_t now_ms);
PETREL_API int petrel_endpoint_handle_timeout(petrel_endpoint *ep, uint64_t now_ms);
/* Absolute time of the next timer (UINT64_MAX: none). */
PETREL_API uint64_t petrel_endpoint_next_deadline(const petrel_endpoint *ep);
/* The next datagram to send and its destination: its length,
 * PETREL_E_AGAIN when none waits, PETREL_E_SHORT_BUFFER when cap is too
 * small (the datagram stays; 17 KiB always fits: one 2^14 record). Up
 * to 1 MiB waits; more is dropped as loss. */
PETREL_API long petrel_endpoint_next_datagram(petrel_endpoint *ep, uint8_t *buf, size_t cap, void *addr,
					      unsigned *addr_len);

/* Before a session exists, a ClientHello offering DTLS 1.3 gets a
 * stateless HelloRetryRequest with a cookie (RFC 9147 5.1) naming the
 * suite and group the session made from the next ClientHello must use;
 * match what on_new_session sets: max_version PETREL_DTLS1_2 answers such
 * ClientHellos with the 1.2 cookie exchange instead, groups the
 * petrel_session_set_groups list (NULL: the defaults). 0, or
 * PETREL_E_INVALID_REQUEST / PETREL_E_UNSUPPORTED / PETREL_E_LIMIT_EXCEEDED. */
PETREL_API int petrel_endpoint_set_hello_policy(petrel_endpoint *ep, int max_version,
						const char *groups);
/* The same for suites: the DTLS 1.3 names of a petrel_session_set_ciphers
 * list (its 1.2 names are ignored; NULL: the default 1.3 suites), for
 * servers whose sessions get that list. 0, or the errors of
 * petrel_session_set_ciphers. */
PETREL_API int petrel_endpoint_set_hello_ciphers(petrel_endpoint *ep, const char *list);

/* ------------------------------------------------------------------ */
/* Connection IDs that name their worker and server (dtls/cid_route.h, */
/* doc/load-balancing.md), and SO_REUSEPORT steering by them.          */

/* CID layout (RFC 9146 CIDs a server issues; QUIC-LB style):
 *   byte 0:  config (bits 7-6, 0..2; 3 = unroutable) | worker id (bits 5-0)
 *   bytes 1..server_id_len: the server (machine) id, for a load balancer
 *   the rest: random (petrel_random), at least PETREL_CID_ROUTE_MIN_RANDOM
 * The worker and server ids are in the clear: a CID is linkable across
 * address changes anyway (RFC 9146 8); the random bytes make it
 * unguessable. */
#define PETREL_CID_ROUTE_MIN_LEN 4
#define PETREL_CID_ROUTE_MAX_LEN 20
#define PETREL_CID_ROUTE_MAX_SERVER_ID 8
#define PETREL_CID_ROUTE_MIN_RANDOM 3
#define PETREL_CID_ROUTE_MAX_WORKERS 64
#define PETREL_CID_ROUTE_UNROUTABLE 3 /* config value of a CID no rule routes */
struct petrel_cid_route_config {
	uint8_t config_id;     /* 0..2: rotates when the server ids are reassigned */
	uint8_t cid_len;       /* PETREL_CID_ROUTE_MIN_LEN..PETREL_CID_ROUTE_MAX_LEN */
	uint8_t server_id_len; /* 0..PETREL_CID_ROUTE_MAX_SERVER_ID */
	uint8_t server_id[PETREL_CID_ROUTE_MAX_SERVER_ID];
};
/* Checks a configuration: 0 or PETREL_E_INVALID_REQUEST. */
PETREL_API int petrel_cid_route_check(const struct petrel_cid_route_config *cfg);
/* The endpoint's sessions get CIDs naming worker_id in this layout
 * (petrel_cid_route_issue; unique among the endpoint's), so steering by
 * CID brings a client whose address changed back to this worker (RFC
 * 9146 6). Replaces petrel_endpoint_set_cid_length. 0 or
 * PETREL_E_INVALID_REQUEST. */
PETREL_API int petrel_endpoint_set_cid_route(petrel_endpoint *ep,
					     const struct petrel_cid_route_config *cfg,
					     unsigned worker_id);
/* Issues a CID naming worker_id (< PETREL_CID_ROUTE_MAX_WORKERS) into cid:
 * returns cfg->cid_len; PETREL_E_INVALID_REQUEST for a bad configuration
 * or worker id, PETREL_E_SHORT_BUFFER when cap is too small. */
PETREL_API int petrel_cid_route_issue(const struct petrel_cid_route_config *cfg, unsigned worker_id,
				      uint8_t *cid, size_t cap);
/* What a received datagram's CID says. */
struct petrel_cid_route {
	uint8_t config_id;
	uint8_t worker_id;
	const uint8_t *server_id; /* into the datagram; server_id_len bytes */
	const uint8_t *cid;       /* into the datagram; cid_len bytes */
};
/* Reads the CID of the first record of a datagram: a tls12_cid record
 * (content type 25, RFC 9146 4) or a DTLS 1.3 unified header with the C
 * bit (RFC 9147 4), cfg->cid_len bytes long. 1 = *out filled; 0 = no
 * routable CID (a ClientHello, a record without CID, a truncated header,
 * the unroutable config value): route by address instead. The caller
 * compares out->config_id with the configurations it accepts. */
PETREL_API int petrel_cid_route_from_datagram(const struct petrel_cid_route_config *cfg,
					      const uint8_t *dgram, size_t len,
					      struct petrel_cid_route *out);

/* A reuseport group (Linux SO_REUSEPORT): the kernel numbers the sockets
 * bound to one port 0, 1, ... in bind order; when one closes, the last
 * takes its index. The group below mirrors that, so a CID's stable worker
 * id maps to the worker's socket index however workers come and go. */
struct petrel_reuseport_group {
	unsigned count;                                   /* sockets in the group */
	uint8_t worker_at[PETREL_CID_ROUTE_MAX_WORKERS];  /* socket index -> worker id */
};
/* A worker's socket was bound: returns its index, or
 * PETREL_E_LIMIT_EXCEEDED / PETREL_E_INVALID_REQUEST (id in use or too big). */
PETREL_API int petrel_reuseport_group_join(struct petrel_reuseport_group *g, unsigned worker_id);
/* A worker's socket was closed (its last descriptor): the last socket
 * takes its index, as in the kernel. 0 or PETREL_E_INVALID_REQUEST. */
PETREL_API int petrel_reuseport_group_leave(struct petrel_reuseport_group *g, unsigned worker_id);
/* Attaches (or replaces) the group's steering program through fd, one of
 * its sockets (SO_ATTACH_REUSEPORT_CBPF): a datagram whose CID
 * (cid_len bytes, the layout above) names a worker of g goes to that
 * worker's socket; everything else (ClientHellos, records without CID,
 * CIDs of workers gone) to the kernel's usual hash of the addresses.
 * Call again after each join or leave. 0, PETREL_E_UNSUPPORTED (not
 * Linux), or PETREL_E_INVALID_REQUEST (setsockopt failed: errno says why). */
PETREL_API int petrel_reuseport_attach(int fd, const struct petrel_reuseport_group *g, size_t cid_len);

/* ------------------------------------------------------------------ */
/* DTLS-SRTP (RFC 5764): the use_srtp extension and SRTP keying.       */

/* SRTPProtectionProfile code points (IANA; RFC 5764 4.1.2, RFC 7714 14.2). */
enum {
	PETREL_SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001,
	PETREL_SRTP_AES128_CM_HMAC_SHA1_32 = 0x0002,
	PETREL_SRTP_AEAD_AES_128_GCM = 0x0007,
	PETREL_SRTP_AEAD_AES_256_GCM = 0x0008,
};
/* The profiles to offer (client) or accept, in preference order
 * (server): IANA names separated by ',' or ':' ("SRTP_AES128_CM_HMAC_SHA1_80";
 * OpenSSL's spelling "SRTP_AES128_CM_SHA1_80" is accepted too), NULL or
 * "" for none (the default: no use_srtp). A server picks the first of its
 * list the client offers; with none in common it leaves use_srtp out and
 * the handshake goes on without SRTP (RFC 5764 4.1.1). Errors:
 * PETREL_E_UNSUPPORTED (unknown name), PETREL_E_LIMIT_EXCEEDED (more
 * than 8), PETREL_E_INVALID_REQUEST (empty entry). With profiles set the
 * initial retransmission timeout is 400 ms, the DTLS-SRTP value of RFC
 * 9147 5.8.2 (1.2 and 1.3), unless petrel_dtls_set_timeouts set one. */
PETREL_API int petrel_srtp_set_profiles(petrel_session *session, const char *list);
/* The MKI (srtp_mki, 0..255 bytes; RFC 5764 4.1.1): a client offers it;
 * a server echoes a client's MKI when it has none set or the same one,
 * else answers with an empty MKI (it will not use the client's). A
 * client aborts (PETREL_E_ILLEGAL_PARAMETER) when the server answers a
 * non-empty MKI other than the one offered. */
PETREL_API int petrel_srtp_set_mki(petrel_session *session, const uint8_t *mki, size_t len);
/* After the handshake: the MKI in use (empty when the server did not
 * echo it): 0, or PETREL_E_INVALID_REQUEST when no profile was
 * negotiated. The pointer stays valid while the session lives. */
PETREL_API int petrel_srtp_get_mki(const petrel_session *session, const uint8_t **mki, size_t *len);
/* The negotiated profile (PETREL_SRTP_*), or 0 when use_srtp was not
 * negotiated (or before the handshake completes). */
PETREL_API uint16_t petrel_srtp_get_selected_profile(const petrel_session *session);
/* The IANA name of a profile ("SRTP_AEAD_AES_128_GCM"), NULL if unknown. */
PETREL_API const char *petrel_srtp_get_profile_name(uint16_t profile);
/* The SRTP master keys and salts of the negotiated profile (RFC 5764
 * 4.2): the RFC 5705 exporter with label "EXTRACTOR-dtls_srtp", no
 * context, 2 * (key_len + salt_len) bytes split as client_write_key,
 * server_write_key, client_write_salt, server_write_salt. key_len/
 * salt_len: 16/14 for the AES-CM profiles, 16/12 and 32/12 for
 * AEAD_AES_128_GCM / AEAD_AES_256_GCM (RFC 7714 12). The client's
 * keys protect what the client sends. Errors: PETREL_E_INVALID_REQUEST
 * (no profile negotiated, or the handshake is not complete). Wipe the
 * struct after use. */
#define PETREL_SRTP_MAX_KEY_LEN 32
#define PETREL_SRTP_MAX_SALT_LEN 14
struct petrel_srtp_keys {
	uint16_t profile;
	size_t key_len, salt_len;
	uint8_t client_key[PETREL_SRTP_MAX_KEY_LEN];
	uint8_t client_salt[PETREL_SRTP_MAX_SALT_LEN];
	uint8_t server_key[PETREL_SRTP_MAX_KEY_LEN];
	uint8_t server_salt[PETREL_SRTP_MAX_SALT_LEN];
};
/* The same on DTLS 1.3: use_srtp goes in ClientHello and comes back in
 * EncryptedExtensions (RFC 8446 4.2), the material from the 1.3 exporter. */
PETREL_API int petrel_srtp_get_keys(petrel_session *session, struct petrel_srtp_keys *keys);
/* The same keying material unsplit, as the exporter gives it (what
 * openssl -keymatexport and gnutls-cli print): *len bytes into out.
 * PETREL_E_SHORT_BUFFER when cap is too small (*len says how many). */
PETREL_API int petrel_srtp_get_keying_material(petrel_session *session, uint8_t *out, size_t cap,
					       size_t *len);

/* ------------------------------------------------------------------ */
/* Raw public keys (RFC 7250): a bare SubjectPublicKeyInfo in place of   */
/* a certificate, authenticated by pinning (IoT, tinydtls, libcoap).     */

/* Credentials from a private key alone (PEM: PKCS#8, SEC1, PKCS#1), no
 * certificate: usable only with peers that take raw public keys. Any
 * credentials with a key (petrel_credentials_set_key_file too) can also
 * present that key raw. */
PETREL_API int petrel_credentials_set_raw_key_file(petrel_credentials *creds, const char *key_file);
PETREL_API int petrel_credentials_set_raw_key_mem(petrel_credentials *creds, const char *key_pem,
						  size_t key_len);
/* The own key's SubjectPublicKeyInfo (DER; valid while the credentials
 * are unchanged) and its SHA-256, the value a peer pins
 * (PETREL_VERIFY_PIN_SPKI). PETREL_E_NO_CERTIFICATE without a key. */
PETREL_API int petrel_credentials_get_spki(const petrel_credentials *creds, const uint8_t **der,
					   size_t *len);
PETREL_API int petrel_credentials_get_spki_sha256(const petrel_credentials *creds, uint8_t out[32]);
/* Which raw public keys a session uses (the client_certificate_type and
 * server_certificate_type extensions, RFC 7250 4), or'ed:
 * PETREL_RPK_SERVER: the server's key may be raw: a client offers it
 * (before X.509), a server sends its key raw when the client offers it;
 * PETREL_RPK_CLIENT: the same for the client's key (client
 * authentication);
 * PETREL_RPK_ONLY: raw public keys only, no X.509 for those roles (a
 * peer without them fails with PETREL_E_CERT_UNSUPPORTED_ALGORITHM,
 * alert unsupported_certificate).
 * A raw key cannot chain to a trust anchor: pin it with
 * petrel_session_set_verify(PETREL_VERIFY_PIN_SPKI, sha256, 32) or
 * petrel_session_set_verify_spki (PETREL_VERIFY_CHAIN fails with
 * PETREL_E_CERT_UNTRUSTED; PETREL_VERIFY_NONE accepts any key). The
 * peer's SPKI is petrel_session_get_peer_certificate's entry 0.
 * DTLS 1.2 and 1.3 alike (on 1.3 the types come back in
 * EncryptedExtensions, RFC 8446 4.2); a default-range client offers both
 * versions with the types, so 1.2 servers still answer it. */
enum { PETREL_RPK_SERVER = 1, PETREL_RPK_CLIENT = 2, PETREL_RPK_ONLY = 4 };
PETREL_API int petrel_session_set_raw_public_keys(petrel_session *session, unsigned flags);
/* Pin the peer's SubjectPublicKeyInfo (DER, whole): PETREL_VERIFY_PIN_SPKI
 * with its SHA-256. Applies to certificates (their SPKI) and raw keys. */
PETREL_API int petrel_session_set_verify_spki(petrel_session *session, const uint8_t *spki,
					      size_t len);
/* 1 when the peer authenticated with a raw public key, else 0. */
PETREL_API int petrel_session_peer_uses_raw_key(const petrel_session *session);

/* Secure renegotiation (RFC 5746), DTLS 1.2 only, off by default, as in
 * GnuTLS. Enabled, a session takes the peer's request for a new handshake
 * (a client's ClientHello, a server's HelloRequest) when the peer signalled
 * RFC 5746 in the first handshake, at most 4 a minute; otherwise it
 * answers with a no_renegotiation warning. petrel_rehandshake asks for one:
 * a server sends HelloRequest, a client a new ClientHello; then call
 * petrel_handshake until it returns 0. While the new handshake runs,
 * application data still flows in the old epoch: petrel_handshake returns
 * PETREL_E_GOT_APPLICATION_DATA when some arrived (read it with
 * petrel_record_recv, then call petrel_handshake again), and
 * petrel_record_recv also drives the handshake (a client answers a
 * HelloRequest that way without any call of its own). A peer's
 * no_renegotiation ends the attempt: PETREL_E_WARNING_ALERT_RECEIVED, the
 * session goes on. petrel_rehandshake: 0, PETREL_E_INVALID_REQUEST (not
 * enabled, not established, a handshake running), PETREL_E_NO_RENEGOTIATION
 * (the peer has no RFC 5746 support; the session goes on). */
/* On a DTLS 1.3 session petrel_rehandshake returns PETREL_E_UNSUPPORTED
 * (RFC 8446 4.1.2: no renegotiation in 1.3; petrel_handshake there sends
 * a KeyUpdate instead). */
PETREL_API int petrel_session_set_renegotiation(petrel_session *session, int enable);
PETREL_API int petrel_rehandshake(petrel_session *session);
/* Renegotiations completed on this session. */
PETREL_API unsigned petrel_session_get_renegotiations(const petrel_session *session);

/* ------------------------------------------------------------------ */
/* Protocol versions: DTLS 1.2 (RFC 6347) and DTLS 1.3 (RFC 9147).      */

/* Public version numbers, ordered (PETREL_DTLS1_2 < PETREL_DTLS1_3), so a
 * range compares naturally; they are not the wire values ({254, 253} and
 * {254, 252}, which run backwards). */
enum petrel_version { PETREL_DTLS1_2 = 12, PETREL_DTLS1_3 = 13 };
/* The versions a session may use, both ends included. A client offers
 * every version of the range this build speaks, a server answers in the
 * highest one both sides support (RFC 8446 4.2.1). Default: DTLS 1.2 to
 * 1.3 for both roles; a client offers both and falls back to 1.2 against a
 * 1.2 server (RFC 8446 4.1.3 downgrade sentinels checked), except that a
 * client configured with something only DTLS 1.2 has (renegotiation; a
 * petrel_session_set_ciphers list of 1.2 suites only) offers 1.2 only, and
 * a list of 1.3 suites only gives 1.3 only, decided when the handshake
 * starts. A range set here always wins (doc/api.txt). Errors:
 * PETREL_E_INVALID_REQUEST (a value that is not a petrel_version,
 * min > max, or the handshake has started), PETREL_E_UNSUPPORTED (this
 * build speaks no version in the range, e.g. DTLS 1.3 only in a build
 * without it); the session is unchanged on error. */
/* (A keepalive, PETREL_FLAG_PMTU_PROBE and raw public keys work on 1.3:
 * see petrel_session_set_keepalive_empty_records.) */
PETREL_API int petrel_session_set_versions(petrel_session *session, int min, int max);
/* The negotiated version (PETREL_DTLS1_2 or PETREL_DTLS1_3) once the
 * handshake has completed (it stays readable after close);
 * PETREL_E_INVALID_REQUEST before that: the version is not known until
 * the peer has answered, so this never guesses the configured maximum. */
PETREL_API int petrel_session_get_version(const petrel_session *session);
/* 1 when this build can speak the version (both roles), else 0 (also for
 * values that are not a petrel_version). */
PETREL_API int petrel_version_supported(int version);
/* "DTLS 1.2" or "DTLS 1.3"; NULL for other values. */
PETREL_API const char *petrel_version_name(int version);

/* DTLS 1.3 PSK key exchange modes (RFC 8446 4.2.9), or'ed:
 * PETREL_PSK_MODE_DHE: psk_dhe_ke, the PSK with an (EC)DHE exchange
 * (forward secrecy; the default); PETREL_PSK_MODE_PLAIN: psk_ke, the PSK
 * alone (no key_share: less computation, no forward secrecy). A client
 * offers the modes given (PLAIN alone: no key_share at all); a server
 * accepts them and prefers psk_dhe_ke when both are allowed and the
 * client offers both. A client refuses a server's mode it did not offer
 * (PETREL_E_ILLEGAL_PARAMETER). DTLS 1.2 PSK suites are chosen by cipher
 * suite instead and ignore this. Errors: PETREL_E_INVALID_REQUEST (0,
 * unknown bits, or the handshake has started). */
enum { PETREL_PSK_MODE_DHE = 1, PETREL_PSK_MODE_PLAIN = 2 };
PETREL_API int petrel_session_set_psk_modes(petrel_session *session, unsigned modes);

#ifdef __cplusplus
}
#endif
#endif
