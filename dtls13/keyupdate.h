/* KeyUpdate (RFC 8446 4.6.3, RFC 9147 8): the engine's hooks. Each
 * direction's application traffic secret moves on with "traffic upd" and
 * its epoch by one. DTLS 1.3 switches the sending side only when the
 * KeyUpdate is acknowledged (RFC 9147 8), and one KeyUpdate at a time may
 * be in flight. The receiving side installs the next read epoch at once
 * (records of the old epoch may still arrive: keep it for a while). */
#ifndef PETREL_DTLS13_KEYUPDATE_H
#define PETREL_DTLS13_KEYUPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* RFC 9147 4.2.1 carries epoch bits on the wire; 6.1 puts the epoch in a
 * 64-bit counter. We refuse to go past 2^48 - 1, the record number bound. */
#define PETREL_DTLS13_MAX_EPOCH ((UINT64_C(1) << 48) - 1)

struct petrel_dtls13_key_update {
	enum petrel_hash_alg hash;
	size_t hash_len;
	uint8_t write_secret[PETREL_MAX_HASH_LEN];
	uint64_t write_epoch;
	uint8_t read_secret[PETREL_MAX_HASH_LEN];
	uint64_t read_epoch;
	bool pending; /* our KeyUpdate sent, not yet acknowledged */
	uint8_t pending_secret[PETREL_MAX_HASH_LEN];
};

/* Starts from the epoch 3 secrets the handshake gave (client or server
 * application traffic secret per direction). */
int petrel_dtls13_key_update_init(struct petrel_dtls13_key_update *ku, enum petrel_hash_alg hash,
				  const uint8_t *write_secret, const uint8_t *read_secret,
				  uint64_t epoch);
/* Our KeyUpdate: body (1 byte) to send in the current write epoch; the next
 * write secret waits in ku until petrel_dtls13_key_update_acked.
 * PETREL_E_AGAIN while one is in flight; PETREL_E_SEQ_EXHAUSTED at the
 * last epoch. */
int petrel_dtls13_key_update_request(struct petrel_dtls13_key_update *ku, bool update_requested,
				     uint8_t body[1], size_t *body_len);
/* The peer acknowledged our KeyUpdate: next_secret / epoch to install for
 * writing (RFC 9147 8). PETREL_E_INVALID_REQUEST when none is pending. */
int petrel_dtls13_key_update_acked(struct petrel_dtls13_key_update *ku,
				   uint8_t next_secret[PETREL_MAX_HASH_LEN], uint64_t *epoch);
/* A KeyUpdate from the peer (whole body): the next read secret and epoch
 * to install, and whether to answer with our own KeyUpdate
 * (update_requested and none of ours in flight: RFC 8446 4.6.3).
 * PETREL_E_DECODE_ERROR / PETREL_E_ILLEGAL_PARAMETER for a bad body. */
int petrel_dtls13_key_update_received(struct petrel_dtls13_key_update *ku, const uint8_t *body,
				      size_t len, uint8_t next_secret[PETREL_MAX_HASH_LEN],
				      uint64_t *epoch, bool *must_answer);
void petrel_dtls13_key_update_wipe(struct petrel_dtls13_key_update *ku);

#endif
