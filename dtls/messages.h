/* Codecs for DTLS 1.2 handshake message bodies and hello extensions
 * (RFC 6347 4.2/4.3, RFC 5246 7.4, RFC 8422, RFC 4279, RFC 5489, RFC 5077).
 *
 * Scope: the body after the 12-byte handshake header (dtls/hs_header does
 * that). Parsers take (body, len) and fill a struct whose pointers point into
 * body (zero copy: keep body alive while the struct is used). They return 0,
 * PETREL_E_DECODE_ERROR (truncation, trailing bytes, vector lengths outside
 * the RFC bounds, empty lists the RFC forbids) or PETREL_E_ILLEGAL_PARAMETER
 * (well formed but a value the RFC forbids), PETREL_E_LIMIT_EXCEEDED where a
 * bounded array overflows, PETREL_E_ALPN_MISMATCH for a server ALPN answer
 * without exactly one name (RFC 7301 3.2: no_application_protocol). Writers append to a petrel_writer and return 0,
 * PETREL_E_SHORT_BUFFER, or PETREL_E_INVALID_REQUEST when the struct itself
 * breaks a vector bound (a caller bug). Lists are exposed as the raw wire
 * vector body (pointer + length); use the helpers at the end to walk them. */
#ifndef PETREL_DTLS_MESSAGES_H
#define PETREL_DTLS_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "dtls/hs_header.h"

/* ---- Constants ---------------------------------------------------------- */

/* HandshakeType lives in dtls/hs_header.h (one definition for the layer). */

/* ProtocolVersion on the wire (RFC 6347 4.1: one's complement of 1.x). */
#define PETREL_WIRE_DTLS10 0xFEFFu
#define PETREL_WIRE_DTLS12 0xFEFDu

/* ExtensionType codes (IANA TLS ExtensionType registry). */
enum petrel_ext_type {
	PETREL_EXT_SERVER_NAME = 0,             /* RFC 6066 3 */
	PETREL_EXT_MAX_FRAGMENT_LENGTH = 1,     /* RFC 6066 4 */
	PETREL_EXT_SUPPORTED_GROUPS = 10,       /* RFC 8422 5.1.1 */
	PETREL_EXT_EC_POINT_FORMATS = 11,       /* RFC 8422 5.1.2 */
	PETREL_EXT_SIGNATURE_ALGORITHMS = 13,   /* RFC 5246 7.4.1.4.1 */
	PETREL_EXT_USE_SRTP = 14,               /* RFC 5764 4.1.1 */
	PETREL_EXT_HEARTBEAT = 15,              /* RFC 6520 2 */
	PETREL_EXT_ALPN = 16,                   /* RFC 7301 3.1 */
	PETREL_EXT_CLIENT_CERTIFICATE_TYPE = 19, /* RFC 7250 3 */
	PETREL_EXT_SERVER_CERTIFICATE_TYPE = 20, /* RFC 7250 3 */
	PETREL_EXT_ENCRYPT_THEN_MAC = 22,       /* RFC 7366 2 */
	PETREL_EXT_EXTENDED_MASTER_SECRET = 23, /* RFC 7627 5.1 */
	PETREL_EXT_RECORD_SIZE_LIMIT = 28,      /* RFC 8449 4 */
	PETREL_EXT_SESSION_TICKET = 35,         /* RFC 5077 3.2 */
	PETREL_EXT_CONNECTION_ID = 54,          /* RFC 9146 3 */
	PETREL_EXT_RENEGOTIATION_INFO = 0xff01, /* RFC 5746 3.2 */
};

/* CipherSuite codes (IANA TLS Cipher Suites registry). */
#define PETREL_CS_ECDHE_ECDSA_AES_128_GCM_SHA256 0xC02Bu      /* RFC 5289 */
#define PETREL_CS_ECDHE_ECDSA_AES_256_GCM_SHA384 0xC02Cu      /* RFC 5289 */
#define PETREL_CS_ECDHE_ECDSA_CHACHA20_POLY1305_SHA256 0xCCA9u /* RFC 7905 */
#define PETREL_CS_ECDHE_RSA_AES_128_GCM_SHA256 0xC02Fu        /* RFC 5289 */
#define PETREL_CS_ECDHE_RSA_AES_256_GCM_SHA384 0xC030u        /* RFC 5289 */
#define PETREL_CS_ECDHE_RSA_CHACHA20_POLY1305_SHA256 0xCCA8u   /* RFC 7905 */
#define PETREL_CS_ECDHE_ECDSA_AES_128_CCM_8 0xC0AEu           /* RFC 7251 */
#define PETREL_CS_ECDHE_ECDSA_AES_128_CCM 0xC0ACu             /* RFC 7251 */
#define PETREL_CS_PSK_AES_128_CCM_8 0xC0A8u                   /* RFC 6655 */
#define PETREL_CS_PSK_AES_128_CCM 0xC0A4u                     /* RFC 6655 */
#define PETREL_CS_PSK_AES_128_GCM_SHA256 0x00A8u              /* RFC 5487 */
#define PETREL_CS_PSK_AES_256_GCM_SHA384 0x00A9u              /* RFC 5487 */
#define PETREL_CS_PSK_CHACHA20_POLY1305_SHA256 0xCCABu         /* RFC 7905 */
#define PETREL_CS_ECDHE_PSK_CHACHA20_POLY1305_SHA256 0xCCACu   /* RFC 7905 */
#define PETREL_CS_ECDHE_PSK_AES_128_GCM_SHA256 0xD001u         /* RFC 8442 */
#define PETREL_CS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00FFu        /* RFC 5746 3.3 */

/* ECCurveType named_curve (RFC 8422 5.4); the only one we accept. */
#define PETREL_EC_CURVE_TYPE_NAMED 3u
/* ECPointFormat uncompressed (RFC 8422 5.1.2). */
#define PETREL_EC_POINT_UNCOMPRESSED 0u
/* CompressionMethod null (RFC 5246 7.4.1.2). */
#define PETREL_COMPRESSION_NULL 0u
/* NameType host_name (RFC 6066 3). */
#define PETREL_SNI_HOST_NAME 0u
/* ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5). */
#define PETREL_CERT_TYPE_RSA_SIGN 1u
#define PETREL_CERT_TYPE_ECDSA_SIGN 64u

#define PETREL_RANDOM_LEN 32
#define PETREL_SESSION_ID_MAX 32
#define PETREL_COOKIE_MAX 255
#define PETREL_FINISHED_LEN 12 /* verify_data_length, RFC 5246 7.4.9 */
#define PETREL_CERT_CHAIN_MAX 10
/* Tests only (a session flag bit the public header never uses): behave as
 * a peer without RFC 7627, i.e. neither offer nor echo
 * extended_master_secret, to test how Petrel meets such peers. */
#define PETREL_FLAG_TEST_OMIT_EMS (1u << 30)

/* Which side sent a hello: some extension bodies differ (RFC 6066 3 empty
 * server_name, RFC 7301 3.1 exactly one ALPN name, RFC 5764 4.1.1 one SRTP
 * profile). */
enum petrel_msg_origin { PETREL_FROM_CLIENT = 0, PETREL_FROM_SERVER = 1 };

/* Key exchange family, selecting the ServerKeyExchange/ClientKeyExchange
 * layout (RFC 8422 5.4/5.7, RFC 4279 2, RFC 5489 2). */
enum petrel_msg_kx {
	PETREL_MSG_KX_ECDHE = 1,     /* ECDHE_ECDSA, ECDHE_RSA: signed params */
	PETREL_MSG_KX_PSK = 2,       /* plain PSK: hint / identity only */
	PETREL_MSG_KX_ECDHE_PSK = 3, /* hint + unsigned params / identity + point */
};

/* ---- Hello extensions --------------------------------------------------- */

/* One flag per known extension. The parser sets has_* and the fields; the
 * writer emits exactly the extensions whose has_* is set, in the order of
 * this struct. Pointers are raw vector bodies (without their length prefix). */
struct petrel_extensions {
	/* server_name: client: the host_name (other name types skipped);
	 * server: empty body, server_name_len == 0. */
	bool has_server_name;
	const uint8_t *server_name;
	size_t server_name_len;

	bool has_max_fragment_length;
	uint8_t max_fragment_length; /* 1..4 = 2^9..2^12 (RFC 6066 4) */

	bool has_supported_groups; /* NamedGroup list, u16 each, non-empty */
	const uint8_t *supported_groups;
	size_t supported_groups_len;

	bool has_ec_point_formats; /* u8 each, must contain uncompressed */
	const uint8_t *ec_point_formats;
	size_t ec_point_formats_len;

	bool has_signature_algorithms; /* u16 each, non-empty */
	const uint8_t *signature_algorithms;
	size_t signature_algorithms_len;

	bool has_use_srtp; /* profiles u16 each (one from a server), mki opaque8 */
	const uint8_t *srtp_profiles;
	size_t srtp_profiles_len;
	const uint8_t *srtp_mki;
	size_t srtp_mki_len;

	bool has_heartbeat;
	uint8_t heartbeat_mode; /* 1 peer_allowed_to_send, 2 not allowed */

	bool has_alpn; /* ProtocolName list: opaque8 entries, each non-empty */
	const uint8_t *alpn;
	size_t alpn_len;

	/* RFC 7250 3: a client lists CertificateTypes<1..2^8-1> (raw list
	 * body here); a server's extension_data is the one type it chose
	 * (cert_types_len 1 after parsing; the writer sends cert_types[0]). */
	bool has_client_cert_type;
	const uint8_t *client_cert_types;
	size_t client_cert_types_len;
	bool has_server_cert_type;
	const uint8_t *server_cert_types;
	size_t server_cert_types_len;

	bool encrypt_then_mac;       /* presence is the whole message */
	bool extended_master_secret; /* presence is the whole message */

	bool has_record_size_limit;
	uint16_t record_size_limit; /* >= 64 (RFC 8449 4) */

	bool has_session_ticket; /* opaque ticket, may be empty */
	const uint8_t *session_ticket;
	size_t session_ticket_len;

	bool has_connection_id; /* cid<0..255> */
	const uint8_t *connection_id;
	size_t connection_id_len;

	bool has_renegotiation_info; /* renegotiated_connection<0..255> */
	const uint8_t *renegotiation_info;
	size_t renegotiation_info_len;

	/* Parse only: extensions of other types, ignored (RFC 5246 7.4.1.4). */
	unsigned unknown_count;
};

/* Parse the body of an extensions<0..2^16-1> block (after its u16 length).
 * Duplicate types -> PETREL_E_DECODE_ERROR. Zeroes *out first. */
int petrel_extensions_parse(const uint8_t *block, size_t len, enum petrel_msg_origin origin,
			    struct petrel_extensions *out);
/* Write the u16 length and the extensions with has_* set. */
int petrel_extensions_write(struct petrel_writer *w, enum petrel_msg_origin origin,
			    const struct petrel_extensions *ext);

/* ---- Hello messages ----------------------------------------------------- */

/* ClientHello, RFC 6347 4.2.1 / RFC 5246 7.4.1.2. */
struct petrel_client_hello {
	uint16_t client_version;
	const uint8_t *random; /* PETREL_RANDOM_LEN bytes */
	const uint8_t *session_id;
	size_t session_id_len; /* 0..32 */
	const uint8_t *cookie;
	size_t cookie_len; /* 0..255 */
	const uint8_t *cipher_suites; /* u16 each; 2..2^16-2 bytes */
	size_t cipher_suites_len;
	const uint8_t *compression_methods; /* u8 each, contains null */
	size_t compression_methods_len;
	/* The extensions block may be absent entirely (RFC 5246 7.4.1.2). */
	bool has_extensions;
	const uint8_t *extensions_raw; /* block body, for hashing / cookies */
	size_t extensions_raw_len;
	struct petrel_extensions ext;
};
int petrel_client_hello_parse(const uint8_t *body, size_t len, struct petrel_client_hello *out);
/* Writes from the fields above; extensions_raw is ignored (ext is encoded). */
int petrel_client_hello_write(struct petrel_writer *w, const struct petrel_client_hello *ch);

/* ServerHello, RFC 5246 7.4.1.3. compression_method must be null. */
struct petrel_server_hello {
	uint16_t server_version;
	const uint8_t *random; /* PETREL_RANDOM_LEN bytes */
	const uint8_t *session_id;
	size_t session_id_len;
	uint16_t cipher_suite;
	uint8_t compression_method;
	bool has_extensions;
	const uint8_t *extensions_raw;
	size_t extensions_raw_len;
	struct petrel_extensions ext;
};
int petrel_server_hello_parse(const uint8_t *body, size_t len, struct petrel_server_hello *out);
int petrel_server_hello_write(struct petrel_writer *w, const struct petrel_server_hello *sh);

/* HelloVerifyRequest, RFC 6347 4.2.1. */
struct petrel_hello_verify_request {
	uint16_t server_version;
	const uint8_t *cookie;
	size_t cookie_len; /* 0..255 */
};
int petrel_hello_verify_request_parse(const uint8_t *body, size_t len,
				      struct petrel_hello_verify_request *out);
int petrel_hello_verify_request_write(struct petrel_writer *w,
				      const struct petrel_hello_verify_request *hvr);

/* HelloRequest and ServerHelloDone: empty bodies (RFC 5246 7.4.1.1, 7.4.5). */
int petrel_hello_request_parse(const uint8_t *body, size_t len);
int petrel_server_hello_done_parse(const uint8_t *body, size_t len);

/* ---- Certificates ------------------------------------------------------- */

/* Certificate, RFC 5246 7.4.2: an empty list is legal (client with no
 * certificate); more than PETREL_CERT_CHAIN_MAX -> PETREL_E_LIMIT_EXCEEDED. */
struct petrel_cert_entry {
	const uint8_t *der;
	size_t der_len; /* 1..2^24-1 */
};
struct petrel_certificate_msg {
	size_t count;
	struct petrel_cert_entry certs[PETREL_CERT_CHAIN_MAX];
};
int petrel_certificate_parse(const uint8_t *body, size_t len, struct petrel_certificate_msg *out);
int petrel_certificate_write(struct petrel_writer *w, const struct petrel_certificate_msg *msg);

/* CertificateRequest, RFC 5246 7.4.4. certificate_authorities is the raw
 * DistinguishedName list: opaque16 entries (walk with petrel_opaque_iter). */
struct petrel_certificate_request {
	const uint8_t *certificate_types; /* u8 each, 1..255 */
	size_t certificate_types_len;
	const uint8_t *signature_algorithms; /* u16 each, 2..2^16-2 bytes */
	size_t signature_algorithms_len;
	const uint8_t *certificate_authorities;
	size_t certificate_authorities_len;
};
int petrel_certificate_request_parse(const uint8_t *body, size_t len,
				     struct petrel_certificate_request *out);
int petrel_certificate_request_write(struct petrel_writer *w,
				     const struct petrel_certificate_request *cr);

/* digitally-signed with a SignatureAndHashAlgorithm (RFC 5246 4.7, 7.4.1.4.1):
 * CertificateVerify body, and the tail of a signed ServerKeyExchange. */
struct petrel_digitally_signed {
	uint16_t scheme; /* hash << 8 | signature, as enum petrel_sig_scheme */
	const uint8_t *signature;
	size_t signature_len; /* 0..2^16-1 */
};
int petrel_certificate_verify_parse(const uint8_t *body, size_t len,
				    struct petrel_digitally_signed *out);
int petrel_digitally_signed_write(struct petrel_writer *w, const struct petrel_digitally_signed *ds);

/* ---- Key exchange ------------------------------------------------------- */

/* ServerECDHParams, RFC 8422 5.4: curve_type(3) named_curve(u16) point<1..255>.
 * raw/raw_len span curve_type..point: the bytes the signature covers after
 * client_random || server_random (RFC 8422 5.4). */
struct petrel_ecdh_params {
	uint16_t named_group;
	const uint8_t *point;
	size_t point_len; /* 1..255 */
	const uint8_t *raw;
	size_t raw_len;
};
int petrel_ecdh_params_write(struct petrel_writer *w, uint16_t named_group, const uint8_t *point,
			     size_t point_len);

/* ServerKeyExchange for the three families. Fields not used by the family are
 * left zero by the parser and ignored by the writer:
 * ECDHE: ecdh + sig; PSK: psk_identity_hint; ECDHE_PSK: hint + ecdh. */
struct petrel_server_key_exchange {
	const uint8_t *psk_identity_hint;
	size_t psk_identity_hint_len; /* 0..2^16-1 */
	struct petrel_ecdh_params ecdh;
	struct petrel_digitally_signed sig;
};
int petrel_server_key_exchange_parse(const uint8_t *body, size_t len, enum petrel_msg_kx kx,
				     struct petrel_server_key_exchange *out);
/* For ECDHE the signature must already be known; a server that signs can
 * instead write petrel_ecdh_params_write, sign the bytes it wrote, then
 * petrel_digitally_signed_write. */
int petrel_server_key_exchange_write(struct petrel_writer *w, enum petrel_msg_kx kx,
				     const struct petrel_server_key_exchange *ske);

/* ClientKeyExchange (RFC 8422 5.7, RFC 4279 2, RFC 5489 2):
 * ECDHE: point<1..255>; PSK: identity<0..2^16-1>; ECDHE_PSK: identity, point. */
struct petrel_client_key_exchange {
	const uint8_t *psk_identity;
	size_t psk_identity_len;
	const uint8_t *point;
	size_t point_len;
};
int petrel_client_key_exchange_parse(const uint8_t *body, size_t len, enum petrel_msg_kx kx,
				     struct petrel_client_key_exchange *out);
int petrel_client_key_exchange_write(struct petrel_writer *w, enum petrel_msg_kx kx,
				     const struct petrel_client_key_exchange *cke);

/* ---- Finished and tickets ----------------------------------------------- */

/* Finished, RFC 5246 7.4.9: exactly PETREL_FINISHED_LEN bytes. */
int petrel_finished_parse(const uint8_t *body, size_t len, const uint8_t **verify_data);
int petrel_finished_write(struct petrel_writer *w, const uint8_t verify_data[PETREL_FINISHED_LEN]);

/* NewSessionTicket, RFC 5077 3.3. */
struct petrel_new_session_ticket {
	uint32_t lifetime_hint_s;
	const uint8_t *ticket;
	size_t ticket_len; /* 0..2^16-1 */
};
int petrel_new_session_ticket_parse(const uint8_t *body, size_t len,
				    struct petrel_new_session_ticket *out);
int petrel_new_session_ticket_write(struct petrel_writer *w,
				    const struct petrel_new_session_ticket *nst);

/* ---- List helpers ------------------------------------------------------- */

/* A list of u16 values (cipher suites, groups, signature schemes, SRTP
 * profiles). An odd trailing byte is ignored (parsers reject odd lengths). */
struct petrel_u16_iter {
	const uint8_t *p;
	const uint8_t *end;
};
static inline void petrel_u16_iter_init(struct petrel_u16_iter *it, const uint8_t *list, size_t len)
{
	it->p = list;
	it->end = list != NULL ? list + len : list;
}
bool petrel_u16_iter_next(struct petrel_u16_iter *it, uint16_t *out);
bool petrel_u16_list_contains(const uint8_t *list, size_t len, uint16_t value);
bool petrel_u8_list_contains(const uint8_t *list, size_t len, uint8_t value);

/* A list of length-prefixed entries (width 1: ALPN names; width 2:
 * DistinguishedNames). next() returns false at the end or on a malformed
 * entry (parsers have already checked the lists they expose). */
struct petrel_opaque_iter {
	struct petrel_reader r;
	unsigned width;
};
void petrel_opaque_iter_init(struct petrel_opaque_iter *it, const uint8_t *list, size_t len,
			     unsigned width);
bool petrel_opaque_iter_next(struct petrel_opaque_iter *it, const uint8_t **entry, size_t *entry_len);
/* True when an ALPN ProtocolName list holds exactly this name. */
bool petrel_alpn_list_contains(const uint8_t *list, size_t len, const uint8_t *name, size_t name_len);

/* ---- DTLS-SRTP negotiation (RFC 5764 4.1; dtls/msg_srtp.c) ---------------- */

struct petrel_srtp_profile_info {
	uint16_t id;
	const char *name; /* IANA */
	const char *alias; /* OpenSSL's spelling, or NULL */
	uint8_t key_len, salt_len; /* SRTP master key and salt (RFC 5764 4.1.2, RFC 7714 12) */
};
/* NULL for a profile we do not implement. */
const struct petrel_srtp_profile_info *petrel_srtp_profile_by_id(uint16_t id);
/* By name (IANA or alias, case-sensitive), NULL if unknown. */
const struct petrel_srtp_profile_info *petrel_srtp_profile_by_name(const char *name, size_t len);

/* Server: the first of ours (preference order) the client's use_srtp
 * (already parsed) offers; 0 in *profile when none (RFC 5764 4.1.1: leave
 * use_srtp out). *echo_mki: whether to answer the client's MKI (it is
 * non-empty and we have none or the same one) or an empty one. */
void petrel_srtp_server_select(const uint16_t *ours, size_t count, const uint8_t *our_mki,
			       size_t our_mki_len, const struct petrel_extensions *client,
			       uint16_t *profile, bool *echo_mki);
/* Client: check the server's use_srtp answer against what was offered:
 * one profile (the parser checked) and one we offered, else
 * PETREL_E_ILLEGAL_PARAMETER; a non-empty MKI other than ours,
 * PETREL_E_ILLEGAL_PARAMETER (RFC 5764 4.1.1). */
int petrel_srtp_client_check(const uint16_t *offered, size_t count, const uint8_t *our_mki,
			     size_t our_mki_len, const struct petrel_extensions *server,
			     uint16_t *profile, bool *mki_used);

/* ---- Raw public keys (RFC 7250; dtls/msg_certtype.c) ------------------- */

/* CertificateType values (IANA TLS Certificate Types registry). */
#define PETREL_CERT_TYPE_X509 0u
#define PETREL_CERT_TYPE_RAW_PUBLIC_KEY 2u

/* One certificate-type extension body (RFC 7250 3). A client's is a
 * CertificateType list<1..255>; a server's is one CertificateType. */
int petrel_cert_type_ext_parse(struct petrel_reader *body, enum petrel_msg_origin origin,
			       const uint8_t **types, size_t *types_len);
bool petrel_cert_type_ext_write(struct petrel_writer *w, uint16_t ext_type,
				enum petrel_msg_origin origin, const uint8_t *types, size_t types_len);
/* RFC 7250 3: a Certificate message carrying a raw public key is one
 * opaque ASN.1_subjectPublicKeyInfo<1..2^24-1> (no list). spki_len 0 is
 * accepted by the parser only as a client's "no key" answer to a
 * CertificateRequest (as an empty X.509 list would be). */
int petrel_rpk_certificate_parse(const uint8_t *body, size_t len, const uint8_t **spki,
				 size_t *spki_len);
int petrel_rpk_certificate_write(struct petrel_writer *w, const uint8_t *spki, size_t spki_len);
/* The type to use among a peer's list (preference: raw public key when
 * allowed, then X.509 when we have or take certificates), or
 * PETREL_E_CERT_UNSUPPORTED_ALGORITHM (unsupported_certificate, RFC 7250
 * 4.2) when none fits. */
int petrel_cert_type_choose(const uint8_t *offered, size_t offered_len, bool rpk_ok, bool x509_ok,
			    uint8_t *chosen);

#endif
