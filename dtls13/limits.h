/* AEAD usage limits for DTLS 1.3 (RFC 9147 4.5.3, RFC 8446 5.5): how many
 * records one key may protect (confidentiality) and how many records that
 * fail to authenticate a receiver tolerates under one key (integrity; DTLS
 * drops bad records instead of closing, so forgeries can be retried). A
 * sender updates its keys (KeyUpdate, update_requested) before either. */
#ifndef PETREL_DTLS13_LIMITS_H
#define PETREL_DTLS13_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/crypto.h"

struct petrel_aead_limits {
	uint64_t confidentiality; /* records protected under one key */
	uint64_t integrity;       /* records failing authentication under one key */
};

/* Limits of an AEAD; both 0 for an unknown one. */
struct petrel_aead_limits petrel_dtls13_aead_limits(enum petrel_aead_alg alg);

/* True once a key has protected 3/4 of its confidentiality limit or seen
 * 3/4 of its integrity limit in forgeries: time to send KeyUpdate, with
 * room left for the update to complete. */
bool petrel_dtls13_key_update_due(enum petrel_aead_alg alg, uint64_t records_protected,
				  uint64_t records_failed);
/* True once a limit is reached: the key must not be used any more (RFC
 * 9147 4.5.3: close the connection, or drop the key if an update is
 * under way). */
bool petrel_dtls13_key_exhausted(enum petrel_aead_alg alg, uint64_t records_protected,
				 uint64_t records_failed);

#endif
