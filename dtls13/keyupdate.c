/* KeyUpdate hooks (see keyupdate.h). */
#include <string.h>

#include "dtls13/keyschedule.h"
#include "dtls13/keyupdate.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

int petrel_dtls13_key_update_init(struct petrel_dtls13_key_update *ku, enum petrel_hash_alg hash,
				  const uint8_t *write_secret, const uint8_t *read_secret,
				  uint64_t epoch)
{
	memset(ku, 0, sizeof *ku);
	ku->hash_len = petrel_hash_len(hash);
	if (ku->hash_len == 0 || write_secret == NULL || read_secret == NULL)
		return PETREL_E_INVALID_REQUEST;
	ku->hash = hash;
	memcpy(ku->write_secret, write_secret, ku->hash_len);
	memcpy(ku->read_secret, read_secret, ku->hash_len);
	ku->write_epoch = epoch;
	ku->read_epoch = epoch;
	return 0;
}

int petrel_dtls13_key_update_request(struct petrel_dtls13_key_update *ku, bool update_requested,
				     uint8_t body[1], size_t *body_len)
{
	if (ku->pending)
		return PETREL_E_AGAIN; /* RFC 9147 8: one at a time */
	if (ku->write_epoch >= PETREL_DTLS13_MAX_EPOCH)
		return PETREL_E_SEQ_EXHAUSTED;
	struct petrel_writer w;
	petrel_writer_init(&w, body, 1);
	int rc = petrel_key_update_write(&w, update_requested);
	if (rc < 0)
		return rc;
	memcpy(ku->pending_secret, ku->write_secret, ku->hash_len);
	rc = petrel_dtls13_next_traffic_secret(ku->hash, PETREL_DTLS13_LABEL_PREFIX,
					       ku->pending_secret);
	if (rc < 0) {
		petrel_wipe(ku->pending_secret, sizeof ku->pending_secret);
		return rc;
	}
	ku->pending = true;
	*body_len = petrel_writer_len(&w);
	return 0;
}

int petrel_dtls13_key_update_acked(struct petrel_dtls13_key_update *ku,
				   uint8_t next_secret[PETREL_MAX_HASH_LEN], uint64_t *epoch)
{
	if (!ku->pending)
		return PETREL_E_INVALID_REQUEST;
	memcpy(ku->write_secret, ku->pending_secret, ku->hash_len);
	petrel_wipe(ku->pending_secret, sizeof ku->pending_secret);
	ku->pending = false;
	ku->write_epoch++;
	memcpy(next_secret, ku->write_secret, ku->hash_len);
	*epoch = ku->write_epoch;
	return 0;
}

int petrel_dtls13_key_update_received(struct petrel_dtls13_key_update *ku, const uint8_t *body,
				      size_t len, uint8_t next_secret[PETREL_MAX_HASH_LEN],
				      uint64_t *epoch, bool *must_answer)
{
	bool requested;
	int rc = petrel_key_update_parse(body, len, &requested);
	if (rc < 0)
		return rc;
	if (ku->read_epoch >= PETREL_DTLS13_MAX_EPOCH)
		return PETREL_E_SEQ_EXHAUSTED;
	rc = petrel_dtls13_next_traffic_secret(ku->hash, PETREL_DTLS13_LABEL_PREFIX, ku->read_secret);
	if (rc < 0)
		return rc;
	ku->read_epoch++;
	memcpy(next_secret, ku->read_secret, ku->hash_len);
	*epoch = ku->read_epoch;
	/* RFC 8446 4.6.3: answer update_requested with update_not_requested;
	 * a KeyUpdate of ours already in flight counts as the answer. */
	*must_answer = requested && !ku->pending;
	return 0;
}

void petrel_dtls13_key_update_wipe(struct petrel_dtls13_key_update *ku)
{
	petrel_wipe(ku, sizeof *ku);
}
