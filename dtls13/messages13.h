/* Codecs for what DTLS 1.3 changes in handshake messages and extensions
 * (RFC 9147 5, 7, RFC 8446 4), beside the 1.2 codecs of dtls/messages.h.
 * Same conventions: parsers take (body, len) and point into body; they
 * return 0, PETREL_E_DECODE_ERROR (truncation, trailing bytes, vector
 * bounds) or PETREL_E_ILLEGAL_PARAMETER (well formed but forbidden);
 * writers append to a petrel_writer and return 0, PETREL_E_SHORT_BUFFER or
 * PETREL_E_INVALID_REQUEST (the arguments break a vector bound). */
#ifndef PETREL_DTLS13_MESSAGES13_H
#define PETREL_DTLS13_MESSAGES13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/reader.h"
#include "record/record.h"

/* ProtocolVersion of DTLS 1.3 on the wire: {254, 252} (RFC 9147 5.3). */
#define PETREL_WIRE_DTLS13 0xFEFCu

/* Extensions new in TLS 1.3 (RFC 8446 4.2). */
enum petrel_ext13_type {
	PETREL_EXT13_PRE_SHARED_KEY = 41,
	PETREL_EXT13_EARLY_DATA = 42,
	PETREL_EXT13_SUPPORTED_VERSIONS = 43,
	PETREL_EXT13_COOKIE = 44,
	PETREL_EXT13_PSK_KEY_EXCHANGE_MODES = 45,
	PETREL_EXT13_CERTIFICATE_AUTHORITIES = 47,
	PETREL_EXT13_POST_HANDSHAKE_AUTH = 49,
	PETREL_EXT13_SIGNATURE_ALGORITHMS_CERT = 50,
	PETREL_EXT13_KEY_SHARE = 51,
};

/* Handshake types new in TLS 1.3 / DTLS 1.3 (RFC 8446 4, RFC 9147 5.2). */
enum petrel_hs13_type {
	PETREL_HS13_END_OF_EARLY_DATA = 5,
	PETREL_HS13_ENCRYPTED_EXTENSIONS = 8,
	PETREL_HS13_REQUEST_CONNECTION_ID = 9,
	PETREL_HS13_NEW_CONNECTION_ID = 10,
	PETREL_HS13_KEY_UPDATE = 24,
	PETREL_HS13_MESSAGE_HASH = 254,
};

/* ContentType ack (RFC 9147 7). */
#define PETREL_CT_ACK 26

/* ---- Extension blocks ---------------------------------------------------- */

/* Walks an extensions<..> block body (after its u16 length). */
struct petrel_ext_iter {
	struct petrel_reader r;
};
void petrel_ext_iter_init(struct petrel_ext_iter *it, const uint8_t *block, size_t len);
/* 1 = *type and *body set, 0 = end, PETREL_E_DECODE_ERROR on a broken entry. */
int petrel_ext_iter_next(struct petrel_ext_iter *it, uint16_t *type, const uint8_t **body,
			 size_t *len);
/* Checks the whole block (every entry well formed, no type twice: RFC 8446
 * 4.2 -> PETREL_E_ILLEGAL_PARAMETER) and finds type: 1 found, 0 absent. */
int petrel_ext_find(const uint8_t *block, size_t len, uint16_t type, const uint8_t **body,
		    size_t *body_len);

/* ---- supported_versions (RFC 8446 4.2.1) ---- */
/* ClientHello: versions<2..254> (u16 each). *versions points at the list. */
int petrel_ext13_versions_parse(const uint8_t *body, size_t len, const uint8_t **versions,
				size_t *count);
bool petrel_ext13_versions_contains(const uint8_t *versions, size_t count, uint16_t version);
int petrel_ext13_versions_write(struct petrel_writer *w, const uint16_t *versions, size_t count);
/* ServerHello / HelloRetryRequest: selected_version. */
int petrel_ext13_selected_version_parse(const uint8_t *body, size_t len, uint16_t *version);
int petrel_ext13_selected_version_write(struct petrel_writer *w, uint16_t version);

/* ---- key_share (RFC 8446 4.2.8) ---- */
struct petrel_key_share {
	uint16_t group;
	const uint8_t *key_exchange; /* <1..2^16-1> */
	size_t key_exchange_len;
};
/* ClientHello: client_shares<0..2^16-1>; walk it with next(). Each group
 * at most once (RFC 8446 4.2.8 -> PETREL_E_ILLEGAL_PARAMETER). */
struct petrel_key_share_iter {
	struct petrel_reader r;
};
int petrel_ext13_client_shares_parse(const uint8_t *body, size_t len,
				     struct petrel_key_share_iter *it, size_t *count);
bool petrel_key_share_next(struct petrel_key_share_iter *it, struct petrel_key_share *out);
int petrel_ext13_client_shares_write(struct petrel_writer *w, const struct petrel_key_share *shares,
				     size_t count);
/* ServerHello: one KeyShareEntry. */
int petrel_ext13_server_share_parse(const uint8_t *body, size_t len, struct petrel_key_share *out);
int petrel_ext13_server_share_write(struct petrel_writer *w, const struct petrel_key_share *share);
/* HelloRetryRequest: selected_group. */
int petrel_ext13_hrr_group_parse(const uint8_t *body, size_t len, uint16_t *group);
int petrel_ext13_hrr_group_write(struct petrel_writer *w, uint16_t group);

/* ---- cookie (RFC 8446 4.2.2): opaque cookie<1..2^16-1> ---- */
int petrel_ext13_cookie_parse(const uint8_t *body, size_t len, const uint8_t **cookie,
			      size_t *cookie_len);
int petrel_ext13_cookie_write(struct petrel_writer *w, const uint8_t *cookie, size_t cookie_len);

/* ---- psk_key_exchange_modes (RFC 8446 4.2.9): ke_modes<1..255> ---- */
#define PETREL_PSK_KE 0u
#define PETREL_PSK_DHE_KE 1u
struct petrel_psk_modes {
	bool psk_ke, psk_dhe_ke; /* unknown modes are ignored */
};
int petrel_ext13_psk_modes_parse(const uint8_t *body, size_t len, struct petrel_psk_modes *out);
int petrel_ext13_psk_modes_write(struct petrel_writer *w, const struct petrel_psk_modes *modes);

/* ---- pre_shared_key (RFC 8446 4.2.11) ---- */
struct petrel_psk_identity {
	const uint8_t *identity; /* <1..2^16-1> */
	size_t identity_len;
	uint32_t obfuscated_ticket_age;
};
/* ClientHello: OfferedPsks. binders_offset: where the binders list (its
 * u16 length) starts in body, so the caller can hash the ClientHello up
 * to it for the binder (RFC 8446 4.2.11.2). The counts of identities and
 * binders must match (-> PETREL_E_ILLEGAL_PARAMETER). */
struct petrel_offered_psks {
	const uint8_t *identities; /* list body */
	size_t identities_len;
	size_t count;
	const uint8_t *binders; /* list body */
	size_t binders_len;
	size_t binders_offset;
};
int petrel_ext13_offered_psks_parse(const uint8_t *body, size_t len,
				    struct petrel_offered_psks *out);
/* The i-th identity / binder (0-based); false past the end. */
bool petrel_offered_psk_identity(const struct petrel_offered_psks *psks, size_t index,
				 struct petrel_psk_identity *out);
bool petrel_offered_psk_binder(const struct petrel_offered_psks *psks, size_t index,
			       const uint8_t **binder, size_t *binder_len);
/* Writes the extension body with binders of binder_len zero bytes each
 * (PskBinderEntry<32..255>), and says where the binders list starts
 * (*binders_at, pointing into w's buffer) so the caller computes them over
 * the truncated ClientHello and fills them in. */
int petrel_ext13_offered_psks_write(struct petrel_writer *w, const struct petrel_psk_identity *ids,
				    size_t count, size_t binder_len, uint8_t **binders_at);
/* ServerHello: selected_identity. */
int petrel_ext13_selected_identity_parse(const uint8_t *body, size_t len, uint16_t *index);
int petrel_ext13_selected_identity_write(struct petrel_writer *w, uint16_t index);

/* ---- use_srtp (RFC 5764 4.1.1): ClientHello and EncryptedExtensions
 * (RFC 8446 4.2) ---- */
/* Fills out's srtp_* fields and has_use_srtp (the 1.2 struct, so the 1.2
 * negotiation rules of dtls/msg_srtp.c apply); from_server: exactly one
 * profile (else PETREL_E_ILLEGAL_PARAMETER). */
struct petrel_extensions;
int petrel_ext13_use_srtp_parse(const uint8_t *body, size_t len, bool from_server,
				struct petrel_extensions *out);
int petrel_ext13_use_srtp_write(struct petrel_writer *w, const uint16_t *profiles, size_t count,
				const uint8_t *mki, size_t mki_len);

/* ---- ServerHello and HelloRetryRequest (RFC 8446 4.1.3, 4.1.4) ---- */
/* True when a ServerHello body carries the HelloRetryRequest random,
 * SHA-256("HelloRetryRequest"). */
bool petrel_server_hello_is_hrr(const uint8_t *body, size_t len);
extern const uint8_t petrel_hrr_random[32];
/* RFC 8446 4.1.3: a 1.3-capable server that answers DTLS 1.2 (or 1.0)
 * ends its random with "DOWNGRD" 01 (or 00); a client that offered 1.3
 * and got an older version aborts (illegal_parameter) when it sees
 * either. True for both sentinels. */
bool petrel_random_has_downgrade_sentinel(const uint8_t random[32]);
/* Sets the DTLS 1.2 sentinel ("DOWNGRD" 01). */
void petrel_random_set_downgrade_sentinel(uint8_t random[32]);

/* ---- EncryptedExtensions (RFC 8446 4.3.1): extensions<0..2^16-1> ---- */
int petrel_encrypted_extensions_parse(const uint8_t *body, size_t len, const uint8_t **block,
				      size_t *block_len);

/* ---- Certificate (RFC 8446 4.4.2) ---- */
struct petrel_certificate13 {
	const uint8_t *request_context; /* <0..255> */
	size_t request_context_len;
	const uint8_t *entries; /* certificate_list<0..2^24-1> body */
	size_t entries_len;
	size_t count;
};
int petrel_certificate13_parse(const uint8_t *body, size_t len, struct petrel_certificate13 *out);
/* The i-th CertificateEntry: cert_data<1..2^24-1> and extensions<0..2^16-1>. */
bool petrel_certificate13_entry(const struct petrel_certificate13 *c, size_t index,
				const uint8_t **cert, size_t *cert_len, const uint8_t **exts,
				size_t *exts_len);
/* Entries with empty extensions. */
int petrel_certificate13_write(struct petrel_writer *w, const uint8_t *context, size_t context_len,
			       const uint8_t *const *certs, const size_t *cert_lens, size_t count);

/* ---- CertificateRequest (RFC 8446 4.3.2) ---- */
int petrel_certificate_request13_parse(const uint8_t *body, size_t len, const uint8_t **context,
				       size_t *context_len, const uint8_t **exts, size_t *exts_len);

/* ---- CertificateVerify (RFC 8446 4.4.3) ---- */
/* The signed content: 64 x 0x20, the context string "TLS 1.3, server
 * CertificateVerify" or "TLS 1.3, client CertificateVerify" (DTLS 1.3
 * keeps TLS 1.3's strings), 0x00, the transcript hash. Returns its length
 * (<= PETREL_CV_CONTENT_MAX) or 0 when hash_len is over 64. */
#define PETREL_CV_CONTENT_MAX (64 + 33 + 1 + 64)
size_t petrel_cert_verify_content(bool server, const uint8_t *transcript_hash, size_t hash_len,
				  uint8_t out[PETREL_CV_CONTENT_MAX]);
int petrel_cert_verify_parse(const uint8_t *body, size_t len, uint16_t *scheme,
			     const uint8_t **signature, size_t *signature_len);
int petrel_cert_verify_write(struct petrel_writer *w, uint16_t scheme, const uint8_t *signature,
			     size_t signature_len);

/* ---- NewSessionTicket (RFC 8446 4.6.1) ---- */
struct petrel_new_session_ticket13 {
	uint32_t lifetime_s; /* <= 604800 (7 days) */
	uint32_t age_add;
	const uint8_t *nonce; /* <0..255> */
	size_t nonce_len;
	const uint8_t *ticket; /* <1..2^16-1> */
	size_t ticket_len;
	const uint8_t *extensions; /* <0..2^16-2> block body */
	size_t extensions_len;
};
int petrel_new_session_ticket13_parse(const uint8_t *body, size_t len,
				      struct petrel_new_session_ticket13 *out);
int petrel_new_session_ticket13_write(struct petrel_writer *w,
				      const struct petrel_new_session_ticket13 *t);

/* ---- KeyUpdate (RFC 8446 4.6.3) ---- */
#define PETREL_KEY_UPDATE_NOT_REQUESTED 0u
#define PETREL_KEY_UPDATE_REQUESTED 1u
int petrel_key_update_parse(const uint8_t *body, size_t len, bool *update_requested);
int petrel_key_update_write(struct petrel_writer *w, bool update_requested);

/* ---- NewConnectionId / RequestConnectionId (RFC 9147 9) ---- */
#define PETREL_CID_IMMEDIATE 0u /* use one of these CIDs from now on */
#define PETREL_CID_SPARE 1u     /* spares for later */
struct petrel_new_connection_id {
	const uint8_t *cids; /* ConnectionId cids<0..2^16-1> body: opaque8 entries */
	size_t cids_len;
	size_t count;
	uint8_t usage;
};
/* usage other than immediate/spare -> PETREL_E_ILLEGAL_PARAMETER. */
int petrel_new_connection_id_parse(const uint8_t *body, size_t len,
				   struct petrel_new_connection_id *out);
bool petrel_new_connection_id_entry(const struct petrel_new_connection_id *n, size_t index,
				    const uint8_t **cid, size_t *cid_len);
int petrel_new_connection_id_write(struct petrel_writer *w, const uint8_t *const *cids,
				   const size_t *cid_lens, size_t count, uint8_t usage);
int petrel_request_connection_id_parse(const uint8_t *body, size_t len, uint8_t *num_cids);
int petrel_request_connection_id_write(struct petrel_writer *w, uint8_t num_cids);

/* ---- ACK (RFC 9147 7): RecordNumber record_numbers<0..2^16-1> ---- */
/* struct petrel_record_number: record/record.h (one definition for the
 * record layer and ACKs). */
#define PETREL_RECORD_NUMBER_LEN 16
struct petrel_ack {
	struct petrel_reader r;
	size_t count;
};
int petrel_ack_parse(const uint8_t *body, size_t len, struct petrel_ack *out);
bool petrel_ack_next(struct petrel_ack *ack, struct petrel_record_number *out);
/* Record numbers must be in increasing order (RFC 9147 7), else
 * PETREL_E_INVALID_REQUEST. */
int petrel_ack_write(struct petrel_writer *w, const struct petrel_record_number *numbers,
		     size_t count);
/* How many record numbers fit in cap bytes of ACK body. */
size_t petrel_ack_capacity(size_t cap);

#endif
