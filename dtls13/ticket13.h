/* DTLS 1.3 session resumption (RFC 8446 2.2, 4.2.11, 4.6.1; RFC 9147 5.8):
 * the server's NewSessionTicket sealed with the credentials' ticket keys
 * (dtls/ticket.h: shared by workers, rotated), the server's check of an
 * offered ticket (binder aside: server13 checks it), and the client's
 * side: the resumption secret kept after the handshake, a ticket turned
 * into the resumption blob petrel_session_get_data hands out, and that
 * blob turned back into a PSK offer (petrel_session_set_data). */
#ifndef PETREL_DTLS13_TICKET13_H
#define PETREL_DTLS13_TICKET13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/ticket.h"
#include "dtls13/hs13.h"
#include "petrel/petrel.h"

struct petrel_dtls13_client;
struct petrel_ext13_names;

/* How far the client's idea of the ticket's age may differ from ours
 * (RFC 8446 8.3 "freshness"): network delay plus the one-second
 * granularity of the issue time. */
#define PETREL_TICKET13_AGE_WINDOW_MS 11000u
/* Longest ticket a client keeps (a peer's format may be bigger than ours). */
#define PETREL_TICKET13_CLIENT_MAX PETREL_HS13_MAX_PSK_IDENTITY
/* The first byte of a 1.3 resumption blob (1.2's is 1). 0x13: before
 * the blob named its server; still taken by petrel_session_set_data but
 * never offered (a full handshake follows). */
#define PETREL_TICKET13_BLOB_VERSION 0x14u
#define PETREL_TICKET13_BLOB_VERSION_OLD 0x13u

/* ---- server ---- */

/* What a ticket is bound to: SHA-256 over a label, the client's
 * host_name in ASCII lower case (RFC 4343 3; empty without one) and the
 * negotiated ALPN protocol (exact bytes, RFC 7301 3.1; empty
 * without one), each length-prefixed. A ticket resumes only a
 * connection with the same binding: RFC 6066 3 (no resumption for
 * another server name), RFC 8446 4.6.1 / 4.2.11 (a PSK is tied to its
 * SNI and ALPN); ALPN is negotiated again on resumption and a different
 * outcome is, like a different name, a full handshake. A host_name too
 * long to keep (n->host_unbound) gives a random binding: never resumed. */
void petrel_ticket13_binding(const struct petrel_ext13_names *n,
			     uint8_t out[PETREL_TICKET13_BINDING_LEN]);

/* NewSessionTicket number index (its nonce) for a connection with this
 * suite and resumption_master, bound to binding (above), into out
 * (epoch 3). Lifetime: the configured one (at most 7 days, 4.6.1);
 * age_add random. */
int petrel_ticket13_issue(const struct petrel_hs13_config *cfg, uint16_t suite,
			  enum petrel_hash_alg hash, const uint8_t *resumption_master,
			  const uint8_t binding[PETREL_TICKET13_BINDING_LEN], uint64_t index,
			  struct petrel_hs13_output *out);
/* An offered identity: 1 when it is one of our live tickets, within its
 * lifetime and with an obfuscated age that fits (4.2.11.1): its PSK, the
 * PSK a wolfSSL 5.5.4 client derives (the "tls13 " label prefix, to try
 * when the binder does not verify with the first), the PSKs' hash and
 * the suite it was issued under and its binding are set; 0 when it is
 * not (unknown, forged, retired key, an old format, stale): a full
 * handshake follows. The caller compares the binding once it knows the
 * connection's SNI and ALPN. */
int petrel_ticket13_accept(const struct petrel_hs13_config *cfg, const uint8_t *identity,
			   size_t identity_len, uint32_t obfuscated_age, uint8_t *psk,
			   uint8_t *psk_tls13_label, size_t *psk_len, enum petrel_hash_alg *hash,
			   uint16_t *suite, uint8_t binding[PETREL_TICKET13_BINDING_LEN]);

/* ---- client ---- */

/* What a client keeps after its handshake to turn tickets into PSKs. */
struct petrel_ticket13_keep {
	bool set;
	uint16_t suite;
	enum petrel_hash_alg hash;
	uint8_t resumption_master[PETREL_MAX_HASH_LEN];
	size_t len;
};
void petrel_ticket13_keep_from(struct petrel_ticket13_keep *k, const struct petrel_dtls13_client *c);

/* The client's resumption blob: version(1)=0x14 || suite(2) ||
 * psk<1..48> || ticket<1..2^16-1> || age_add(4) || lifetime_s(4) ||
 * received_ms(8, wall clock milliseconds) || server_name<0..255> (the
 * name the session was connecting to; empty: none). A ticket is offered
 * only to the same name (RFC 8446 4.6.1, RFC 6066 3). */
struct petrel_ticket13_blob {
	uint16_t suite;
	enum petrel_hash_alg hash;
	const uint8_t *psk;
	size_t psk_len;
	const uint8_t *ticket;
	size_t ticket_len;
	uint32_t age_add;
	uint32_t lifetime_s;
	int64_t received_ms;
	const uint8_t *server_name;
	size_t server_name_len;
};
/* 0, or PETREL_E_INVALID_REQUEST when blob is not a current 1.3 one. */
int petrel_ticket13_blob_parse(const uint8_t *blob, size_t len, struct petrel_ticket13_blob *out);
/* A NewSessionTicket body into a blob (heap, *blob_len bytes) for a
 * connection to server_name (NULL: none). 0; 1 when the ticket is not
 * kept (too big, lifetime 0, a name over 255 bytes); <0 on a bad message. */
int petrel_ticket13_blob_from_nst(const struct petrel_ticket13_keep *k, const uint8_t *body,
				  size_t len, const char *server_name, int64_t now_ms,
				  uint8_t **blob, size_t *blob_len);
/* Client configuration offering blob's ticket (psk_dhe_ke, resumption
 * binder, obfuscated age). The cfg points into blob. 0; 1 when the
 * ticket is not offered (nothing set): too old, an old-format blob, or
 * obtained for another server_name than cfg->server_name. */
int petrel_ticket13_client_offer(const uint8_t *blob, size_t len, int64_t now_ms,
				 struct petrel_hs13_config *cfg);

/* ---- session glue ---- */

/* A 1.3 client session's resumption data (petrel_session_get_data): the
 * latest ticket, else the one this session resumed with. */
int petrel_ticket13_session_data(const petrel_session *s, uint8_t *buf, size_t *len);
/* A NewSessionTicket received on an established client session: kept
 * as the session's resumption data. */
int petrel_ticket13_on_ticket(petrel_session *s, const struct petrel_ticket13_keep *k,
			      const uint8_t *body, size_t len);
/* Client offering DTLS 1.2 too: the SessionTicket extension (unless
 * PETREL_FLAG_NO_TICKETS) and a 1.2 session to resume from the session's
 * resumption data, for a 1.2 server answering (dtls12/client12.c
 * petrel_client_take_over resumes it when the server echoes the ID). */
void petrel_ticket13_offer12(const petrel_session *s, struct petrel_hs13_config *cfg);
/* Whether a resumption blob is a 1.3 one (current or old format). */
bool petrel_ticket13_is_blob(const uint8_t *blob, size_t len);
/* The wall clock in seconds the handshake uses (the session's hook). */
int64_t petrel_ticket13_now_s(const struct petrel_hs13_config *cfg);
/* A client's wall clock in milliseconds for ticket ages (RFC 8446
 * 4.2.11.1): the session's hook (seconds) if set, else the real time. */
int64_t petrel_ticket13_client_now_ms(const petrel_session *s);

#endif
