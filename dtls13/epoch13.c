/* One DTLS 1.3 epoch of one direction (see dtls13/epoch13.h). */
#include "dtls13/epoch13.h"

#include <stdlib.h>
#include <string.h>

#include "dtls13/limits.h"
#include "petrel/petrel.h"

int petrel_dtls13_epoch_init(struct petrel_dtls13_epoch *e, uint64_t epoch,
			     const struct petrel_dtls13_traffic_keys *keys,
			     enum petrel_rn_chacha_counter counter_order)
{
	if (e == NULL || keys == NULL || petrel_aead_key_len(keys->aead) == 0)
		return PETREL_E_INVALID_REQUEST;
	memset(e, 0, sizeof *e);
	e->in_use = true;
	e->epoch = epoch;
	e->keys = *keys;
	e->counter_order = counter_order;
	petrel_replay_init(&e->replay);
	return 0;
}

void petrel_dtls13_epoch_release(struct petrel_dtls13_epoch *e)
{
	if (e->aead != NULL) {
		petrel_aead_wipe(e->aead);
		free(e->aead);
		e->aead = NULL;
	}
	if (e->sn != NULL) {
		petrel_rn_key_wipe(e->sn);
		free(e->sn);
		e->sn = NULL;
	}
}

bool petrel_dtls13_epoch_holds_cache(const struct petrel_dtls13_epoch *e)
{
	return e->aead != NULL || e->sn != NULL;
}

void petrel_dtls13_epoch_clear(struct petrel_dtls13_epoch *e)
{
	petrel_dtls13_epoch_release(e);
	petrel_wipe(e, sizeof *e);
}

/* Expands the contexts on first use and fills the per-record view. */
static int expand(struct petrel_dtls13_epoch *e, struct petrel_dtls13_record_keys *rk)
{
	if (!e->in_use)
		return PETREL_E_INVALID_REQUEST;
	if (e->aead == NULL) {
		struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size_for(e->keys.aead));
		if (ctx == NULL)
			return PETREL_E_MEMORY;
		int rc = petrel_aead_init(ctx, e->keys.aead, e->keys.key);
		if (rc < 0) {
			petrel_aead_wipe(ctx);
			free(ctx);
			return rc;
		}
		e->aead = ctx;
	}
	if (e->sn == NULL) {
		struct petrel_rn_key *sn = malloc(sizeof *sn);
		if (sn == NULL)
			return PETREL_E_MEMORY;
		int rc = petrel_rn_key_init(sn, e->keys.aead, e->keys.sn_key);
		if (rc < 0) {
			free(sn);
			return rc;
		}
		e->sn = sn;
	}
	rk->aead = e->aead;
	rk->alg = e->keys.aead;
	memcpy(rk->iv, e->keys.iv, sizeof rk->iv);
	rk->sn = e->sn;
	rk->counter_order = e->counter_order;
	return 0;
}

int petrel_dtls13_epoch_seal(struct petrel_dtls13_epoch *e, const struct petrel_dtls13_send_opts *o,
			     uint8_t content_type, const uint8_t *payload, size_t len,
			     struct petrel_writer *w, uint64_t *seq)
{
	struct petrel_dtls13_record_keys rk;
	/* RFC 9147 4.5.3: never past the confidentiality limit. */
	if (petrel_dtls13_key_exhausted(e->keys.aead, e->records_protected, 0))
		return PETREL_E_LIMIT_EXCEEDED;
	int rc = expand(e, &rk);
	if (rc < 0)
		return rc;
	struct petrel_dtls13_header_params hp = {
		.epoch = e->epoch,
		.seq = e->next_seq,
		.cid = o != NULL ? o->cid : NULL,
		.cid_len = o != NULL ? o->cid_len : 0,
		.seq16 = o == NULL || o->seq16,
		.with_length = o == NULL || o->with_length,
	};
	rc = petrel_dtls13_seal(&rk, &hp, content_type, payload, len, o != NULL ? o->padding : 0, w);
	if (rc < 0)
		return rc;
	if (seq != NULL)
		*seq = e->next_seq;
	e->next_seq++;
	e->records_protected++;
	return 0;
}

int petrel_dtls13_epoch_open(struct petrel_dtls13_epoch *e, uint8_t *record,
			     struct petrel_dtls13_header *h, struct petrel_dtls13_record *out)
{
	struct petrel_dtls13_record_keys rk;
	int rc = expand(e, &rk);
	if (rc < 0)
		return rc;
	/* RFC 9147 4.2.2: closest to one past the highest deprotected. */
	uint64_t expected = e->replay.any ? e->replay.top + 1 : 0;
	uint64_t seq = 0;
	uint8_t type = 0, *content = NULL;
	size_t len = 0;
	rc = petrel_dtls13_open(&rk, record, h, expected, &e->replay, &seq, &type, &content, &len);
	if (rc == PETREL_E_DECRYPTION_FAILED) {
		e->records_failed++;
		/* RFC 9147 4.5.3: count forgeries per key. */
		if (petrel_dtls13_key_exhausted(e->keys.aead, 0, e->records_failed))
			return PETREL_E_LIMIT_EXCEEDED;
		return 0;
	}
	if (rc < 0) {
		/* Replayed, malformed, no real type: dropped (RFC 9147 4.5.2). */
		if (rc == PETREL_E_REPLAYED)
			e->dropped_replay++;
		else
			e->dropped_malformed++;
		return 0;
	}
	bool newest = !e->replay.any || seq > e->replay.top;
	petrel_replay_update(&e->replay, seq);
	out->epoch = e->epoch;
	out->seq = seq;
	out->content_type = type;
	out->fragment = content;
	out->length = len;
	out->newest = newest;
	return 1;
}

bool petrel_dtls13_epoch_update_due(const struct petrel_dtls13_epoch *e)
{
	return petrel_dtls13_key_update_due(e->keys.aead, e->records_protected, e->records_failed);
}
