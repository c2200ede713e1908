/* Session tickets (RFC 5077 4) and the values of the session-ID cache:
 * the server's session state sealed under a ticket key. Keys are derived
 * per period from a master secret, so every worker and machine given the
 * same master seals and opens the same tickets, and keys rotate without
 * coordination (issue #19 item 5). */
#ifndef PETREL_DTLS_TICKET_H
#define PETREL_DTLS_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/keyschedule.h"

struct petrel_credentials;
struct petrel_suite;

/* RFC 5077 4's recommended layout with an AEAD in place of AES-CBC +
 * HMAC: key_name(16) || nonce(12) || ChaCha20-Poly1305(version(1)=3 ||
 * suite(2) || ems(1) || master(48) || binding(32)) || tag(16). key_name
 * is the key's generation (u64) and an 8-byte check derived with the
 * key, so the server picks the key without trial decryption. binding is
 * the hash of the session's server_name (dtls/sni12_ticket.h): RFC 6066
 * 3, no resumption under another name. Version 2 had no binding and is
 * 32 bytes shorter: such a ticket or cache entry no longer opens, so a
 * full handshake follows. */
#define PETREL_TICKET_KEY_NAME_LEN 16
#define PETREL_TICKET13_BINDING_LEN 32
#define PETREL_TICKET_LEN                                                                          \
	(PETREL_TICKET_KEY_NAME_LEN + 12 + 1 + 2 + 1 + PETREL_MASTER_SECRET_LEN +                    \
	 PETREL_TICKET13_BINDING_LEN + 16)
#define PETREL_TICKET_DEFAULT_PERIOD_S 7200

/* In the credentials (wiped with them). */
struct petrel_ticket_keys {
	uint8_t prk[32];    /* HKDF-Extract(master), RFC 5869 2.2 */
	uint32_t period_s;  /* key lifetime; 0: rotated only by hand */
	uint64_t rotations; /* petrel_credentials_rotate_ticket_key calls */
};

/* A fresh random master with the default period (one process alone). */
void petrel_ticket_keys_init_random(struct petrel_ticket_keys *keys);
/* The generation sealing at now_s (Unix seconds). */
uint64_t petrel_ticket_generation(const struct petrel_ticket_keys *keys, int64_t now_s);
/* The NewSessionTicket lifetime hint (RFC 5077 3.3): a ticket opens for
 * at least one period after it is sealed; 0 (unspecified) without one. */
uint32_t petrel_ticket_lifetime_hint_s(const struct petrel_credentials *creds);

/* Seal under the current key; open under the previous, current or next
 * (clock skew between machines, staggered manual rotation). A ticket that
 * does not open (retired or unknown key, forged, truncated, an older
 * version) is PETREL_E_DECRYPTION_FAILED: the caller does a full
 * handshake. The _bound forms seal and return the binding; the others
 * (dtls/sni12_ticket.c) seal the binding of a session without a
 * server_name and ignore it on opening. The forms without _at take the
 * time from the wall clock. */
int petrel_ticket_seal_bound_at(const struct petrel_credentials *creds, int64_t now_s,
				const uint8_t nonce[12], const struct petrel_suite *suite, bool ems,
				const uint8_t master[PETREL_MASTER_SECRET_LEN],
				const uint8_t binding[PETREL_TICKET13_BINDING_LEN],
				uint8_t out[PETREL_TICKET_LEN]);
int petrel_ticket_open_bound_at(const struct petrel_credentials *creds, int64_t now_s,
				const uint8_t *ticket, size_t len, uint16_t *suite_id, bool *ems,
				uint8_t master[PETREL_MASTER_SECRET_LEN],
				uint8_t binding[PETREL_TICKET13_BINDING_LEN]);
int petrel_ticket_seal_at(const struct petrel_credentials *creds, int64_t now_s,
			  const uint8_t nonce[12], const struct petrel_suite *suite, bool ems,
			  const uint8_t master[PETREL_MASTER_SECRET_LEN], uint8_t out[PETREL_TICKET_LEN]);
int petrel_ticket_open_at(const struct petrel_credentials *creds, int64_t now_s,
			  const uint8_t *ticket, size_t len, uint16_t *suite_id, bool *ems,
			  uint8_t master[PETREL_MASTER_SECRET_LEN]);
int petrel_ticket_seal(const struct petrel_credentials *creds, const uint8_t nonce[12],
		       const struct petrel_suite *suite,
		       bool ems, const uint8_t master[PETREL_MASTER_SECRET_LEN], uint8_t out[PETREL_TICKET_LEN]);
int petrel_ticket_open(const struct petrel_credentials *creds, const uint8_t *ticket, size_t len,
		       uint16_t *suite_id, bool *ems, uint8_t master[PETREL_MASTER_SECRET_LEN]);

/* DTLS 1.3 tickets (RFC 8446 4.6.1): the same keys, key_name, nonce and
 * AEAD, so every worker sharing the master opens them and rotation works
 * alike; the body is version(1)=0x13 || suite(2) || secret_len(1) ||
 * resumption_master_secret(48, zero padded) || ticket_nonce(8) ||
 * issued_s(8) || age_add(4) || lifetime_s(4) || binding(32): the PSK is
 * derived from the secret and nonce when the ticket comes back (RFC 8446
 * 4.6.1); binding is the hash of the connection's server_name and ALPN
 * (dtls13/ticket13.h), compared on resumption (RFC 8446 4.6.1, RFC 6066
 * 3). Version 0x14 (0x13 had no binding, and a different length: such a
 * ticket no longer opens, so a full handshake follows). Its length
 * differs from a 1.2 ticket's, so neither opens as the other. */
struct petrel_ticket13_state {
	uint16_t suite;
	uint8_t psk[PETREL_MAX_HASH_LEN]; /* the resumption master secret */
	size_t psk_len;
	uint8_t nonce[8]; /* the NewSessionTicket's ticket_nonce */
	int64_t issued_s; /* wall clock seconds */
	uint32_t age_add;
	uint32_t lifetime_s;
	uint8_t binding[PETREL_TICKET13_BINDING_LEN];
};
#define PETREL_TICKET13_PLAIN_LEN (1 + 2 + 1 + PETREL_MAX_HASH_LEN + 8 + 8 + 4 + 4 + PETREL_TICKET13_BINDING_LEN)
#define PETREL_TICKET13_LEN (PETREL_TICKET_KEY_NAME_LEN + 12 + PETREL_TICKET13_PLAIN_LEN + 16)
int petrel_ticket13_seal_at(const struct petrel_ticket_keys *keys, int64_t now_s,
			    const uint8_t nonce[12], const struct petrel_ticket13_state *st,
			    uint8_t out[PETREL_TICKET13_LEN]);
/* PETREL_E_DECRYPTION_FAILED for anything that is not one of our live
 * 1.3 tickets (forged, retired key, a 1.2 ticket, truncated). */
int petrel_ticket13_open_at(const struct petrel_ticket_keys *keys, int64_t now_s,
			    const uint8_t *ticket, size_t len, struct petrel_ticket13_state *st);

#endif
