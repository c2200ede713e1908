#include "dtls/keyschedule.h"

#include <string.h>

#include "common/reader.h"
#include "petrel/petrel.h"

int petrel_psk_premaster(const uint8_t *other, size_t other_len, const uint8_t *psk,
			 size_t psk_len, uint8_t *out, size_t cap, size_t *out_len)
{
	struct petrel_writer w;
	petrel_writer_init(&w, out, cap);
	if (psk_len == 0 || psk_len > PETREL_MAX_PSK_LEN)
		return PETREL_E_INVALID_KEY;
	if (other == NULL) {
		/* Plain PSK: other_secret is psk_len zero bytes (RFC 4279 2). */
		uint8_t *zeros;
		if (!petrel_put_u16(&w, (uint16_t)psk_len) || !petrel_put_reserve(&w, psk_len, &zeros))
			return PETREL_E_SHORT_BUFFER;
		memset(zeros, 0, psk_len);
	} else if (!petrel_put_opaque16(&w, other, other_len)) {
		return PETREL_E_SHORT_BUFFER;
	}
	if (!petrel_put_opaque16(&w, psk, psk_len))
		return PETREL_E_SHORT_BUFFER;
	*out_len = petrel_writer_len(&w);
	return 0;
}

int petrel_master_secret(enum petrel_hash_alg alg, const uint8_t *premaster, size_t premaster_len,
			 const uint8_t *session_hash, const uint8_t client_random[PETREL_RANDOM_LEN],
			 const uint8_t server_random[PETREL_RANDOM_LEN],
			 uint8_t master[PETREL_MASTER_SECRET_LEN])
{
	if (session_hash != NULL)
		return petrel_tls12_prf(alg, premaster, premaster_len, "extended master secret",
					session_hash, petrel_hash_len(alg), NULL, 0, master,
					PETREL_MASTER_SECRET_LEN);
	return petrel_tls12_prf(alg, premaster, premaster_len, "master secret", client_random,
				PETREL_RANDOM_LEN, server_random, PETREL_RANDOM_LEN, master,
				PETREL_MASTER_SECRET_LEN);
}

int petrel_derive_epoch_keys(const struct petrel_suite *suite,
			     const struct petrel_prf_key *master_key,
			     const uint8_t client_random[PETREL_RANDOM_LEN],
			     const uint8_t server_random[PETREL_RANDOM_LEN],
			     struct petrel_epoch_keys *client_write, struct petrel_epoch_keys *server_write)
{
	/* AEAD suites have no MAC keys: key block = client key, server key,
	 * client IV, server IV (RFC 5246 6.3). */
	uint8_t block[2 * (PETREL_AEAD_MAX_KEY_LEN + PETREL_AEAD_NONCE_LEN)];
	size_t need = 2u * suite->key_len + 2u * suite->fixed_iv_len;
	int rc = petrel_tls12_prf_keyed(master_key, "key expansion", server_random,
					 PETREL_RANDOM_LEN, client_random, PETREL_RANDOM_LEN, block, need);
	if (rc < 0)
		return rc;
	memset(client_write, 0, sizeof *client_write);
	memset(server_write, 0, sizeof *server_write);
	client_write->aead = suite->aead;
	server_write->aead = suite->aead;
	const uint8_t *p = block;
	memcpy(client_write->key, p, suite->key_len);
	p += suite->key_len;
	memcpy(server_write->key, p, suite->key_len);
	p += suite->key_len;
	memcpy(client_write->fixed_iv, p, suite->fixed_iv_len);
	p += suite->fixed_iv_len;
	memcpy(server_write->fixed_iv, p, suite->fixed_iv_len);
	petrel_wipe(block, sizeof block);
	return 0;
}

int petrel_finished_verify_data(const struct petrel_prf_key *master_key, bool from_client,
				const uint8_t *transcript_hash, size_t hash_len,
				uint8_t out[PETREL_VERIFY_DATA_LEN])
{
	return petrel_tls12_prf_keyed(master_key, from_client ? "client finished" : "server finished",
				      transcript_hash, hash_len, NULL, 0, out, PETREL_VERIFY_DATA_LEN);
}

int petrel_export_keying_material(enum petrel_hash_alg alg, const uint8_t master[PETREL_MASTER_SECRET_LEN],
				  const uint8_t client_random[PETREL_RANDOM_LEN],
				  const uint8_t server_random[PETREL_RANDOM_LEN], const char *label,
				  const uint8_t *context, size_t context_len, bool use_context,
				  uint8_t *out, size_t out_len)
{
	/* RFC 5705 4: seed = client_random + server_random [+ context_length + context]. */
	uint8_t seed[2 * PETREL_RANDOM_LEN + 2 + 256];
	if (use_context && context_len > 256)
		return PETREL_E_INVALID_REQUEST;
	struct petrel_writer w;
	petrel_writer_init(&w, seed, sizeof seed);
	petrel_put_bytes(&w, client_random, PETREL_RANDOM_LEN);
	petrel_put_bytes(&w, server_random, PETREL_RANDOM_LEN);
	if (use_context)
		petrel_put_opaque16(&w, context, context_len);
	if (!petrel_writer_ok(&w))
		return PETREL_E_INVALID_REQUEST;
	return petrel_tls12_prf(alg, master, PETREL_MASTER_SECRET_LEN, label, seed,
				petrel_writer_len(&w), NULL, 0, out, out_len);
}
