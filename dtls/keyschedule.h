/* DTLS 1.2 key schedule (RFC 5246 6.3, 7.4.9, 8.1; RFC 7627; RFC 4279 2;
 * RFC 5705). Pure functions over fixed-size secrets. */
#ifndef PETREL_DTLS_KEYSCHEDULE_H
#define PETREL_DTLS_KEYSCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls/suites.h"
#include "record/record.h"

#define PETREL_MASTER_SECRET_LEN 48
#define PETREL_RANDOM_LEN 32
#define PETREL_VERIFY_DATA_LEN 12
#define PETREL_MAX_PSK_LEN 64
#define PETREL_MAX_PREMASTER_LEN (4 + 2 * PETREL_MAX_PSK_LEN + 2 * PETREL_KX_SHARED_LEN)

/* RFC 4279 2 / RFC 5489 2: other_secret (zeros of psk length for plain PSK,
 * the ECDH shared secret for ECDHE_PSK) framed with the PSK. */
int petrel_psk_premaster(const uint8_t *other, size_t other_len, const uint8_t *psk,
			 size_t psk_len, uint8_t *out, size_t cap, size_t *out_len);

/* RFC 7627 4 when session_hash != NULL ("extended master secret"), else
 * RFC 5246 8.1 ("master secret", client_random || server_random). */
int petrel_master_secret(enum petrel_hash_alg alg, const uint8_t *premaster, size_t premaster_len,
			 const uint8_t *session_hash, const uint8_t client_random[PETREL_RANDOM_LEN],
			 const uint8_t server_random[PETREL_RANDOM_LEN],
			 uint8_t master[PETREL_MASTER_SECRET_LEN]);

/* RFC 5246 6.3 key expansion into per-direction record keys. */
int petrel_derive_epoch_keys(const struct petrel_suite *suite,
			     const struct petrel_prf_key *master_key,
			     const uint8_t client_random[PETREL_RANDOM_LEN],
			     const uint8_t server_random[PETREL_RANDOM_LEN],
			     struct petrel_epoch_keys *client_write, struct petrel_epoch_keys *server_write);

/* RFC 5246 7.4.9: PRF(master, "client finished"/"server finished", hash). */
int petrel_finished_verify_data(const struct petrel_prf_key *master_key, bool from_client,
				const uint8_t *transcript_hash, size_t hash_len,
				uint8_t out[PETREL_VERIFY_DATA_LEN]);

/* RFC 5705 4 exporter. context may be NULL (no context) or any length < 2^16. */
int petrel_export_keying_material(enum petrel_hash_alg alg, const uint8_t master[PETREL_MASTER_SECRET_LEN],
				  const uint8_t client_random[PETREL_RANDOM_LEN],
				  const uint8_t server_random[PETREL_RANDOM_LEN], const char *label,
				  const uint8_t *context, size_t context_len, bool use_context,
				  uint8_t *out, size_t out_len);

#endif
