/* One DTLS 1.3 epoch of one direction (see dtls13/epoch13.h). */
#include "dtls13/epoch13.h"

#include <stdlib.h>
#include <string.h>

#include "dtls13/limits.h"
#include "dtls13/record13_inline.h"
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

/* The expanded keys of one epoch, allocated together so that records
 * flowing through a busy epoch touch one block and build nothing: the
 * prepared record keys are filled once at expansion (RFC 9147 4.2.3's
 * sn_key schedule and the AEAD's key schedule, both done once per
 * epoch), and so are the key's AEAD limits (RFC 9147 4.5.3). */
struct petrel_dtls13_epoch_cache {
	struct petrel_dtls13_record_ctx rc;
	struct petrel_aead_limits limits;
	struct petrel_rn_key sn;
	_Alignas(16) unsigned char aead[]; /* petrel_aead_ctx_size_for(alg) bytes */
};

static size_t cache_size(enum petrel_aead_alg alg)
{
	return sizeof(struct petrel_dtls13_epoch_cache) + petrel_aead_ctx_size_for(alg);
}

void petrel_dtls13_epoch_release(struct petrel_dtls13_epoch *e)
{
	if (e->cache != NULL) {
		petrel_wipe(e->cache, cache_size(e->keys.aead));
		free(e->cache);
		e->cache = NULL;
	}
}

bool petrel_dtls13_epoch_holds_cache(const struct petrel_dtls13_epoch *e)
{
	return e->cache != NULL;
}

size_t petrel_dtls13_epoch_cache_bytes(const struct petrel_dtls13_epoch *e)
{
	return e->cache != NULL ? cache_size(e->keys.aead) : 0;
}

void petrel_dtls13_epoch_clear(struct petrel_dtls13_epoch *e)
{
	petrel_dtls13_epoch_release(e);
	petrel_wipe(e, sizeof *e);
}

/* Expands the contexts (first record, or the first after an idle
 * release); the per-record view after that is the cache's. */
static struct petrel_dtls13_epoch_cache *expand_slow(struct petrel_dtls13_epoch *e, int *rc)
{
	if (!e->in_use) {
		*rc = PETREL_E_INVALID_REQUEST;
		return NULL;
	}
	struct petrel_dtls13_epoch_cache *c = malloc(cache_size(e->keys.aead));
	if (c == NULL) {
		*rc = PETREL_E_MEMORY;
		return NULL;
	}
	struct petrel_aead_ctx *ctx = (struct petrel_aead_ctx *)(void *)c->aead;
	*rc = petrel_aead_init(ctx, e->keys.aead, e->keys.key);
	if (*rc == 0)
		*rc = petrel_rn_key_init(&c->sn, e->keys.aead, e->keys.sn_key);
	if (*rc < 0) {
		petrel_wipe(c, cache_size(e->keys.aead));
		free(c);
		return NULL;
	}
	struct petrel_dtls13_record_keys rk = {
		.aead = ctx,
		.alg = e->keys.aead,
		.sn = &c->sn,
		.counter_order = e->counter_order,
	};
	memcpy(rk.iv, e->keys.iv, sizeof rk.iv);
	*rc = petrel_dtls13_record_prepare(&c->rc, &rk);
	petrel_wipe(rk.iv, sizeof rk.iv);
	if (*rc < 0) {
		petrel_wipe(c, cache_size(e->keys.aead));
		free(c);
		return NULL;
	}
	c->limits = petrel_dtls13_aead_limits(e->keys.aead);
	e->cache = c;
	return c;
}

static inline struct petrel_dtls13_epoch_cache *expand(struct petrel_dtls13_epoch *e, int *rc)
{
	if (e->cache != NULL && e->in_use) {
		/* The ChaCha20 counter order may change after expansion
		 * (petrel_rl13_set_counter_order: wolfSSL detected). */
		e->cache->rc.keys.counter_order = e->counter_order;
		return e->cache;
	}
	return expand_slow(e, rc);
}

int petrel_dtls13_epoch_seal(struct petrel_dtls13_epoch *e, const struct petrel_dtls13_send_opts *o,
			     uint8_t content_type, const uint8_t *payload, size_t len,
			     struct petrel_writer *w, uint64_t *seq)
{
	int rc = 0;
	const struct petrel_dtls13_epoch_cache *c = expand(e, &rc);
	if (c == NULL)
		return rc;
	/* RFC 9147 4.5.3: never past the confidentiality limit (as
	 * petrel_dtls13_key_exhausted, from the limits kept at expansion). */
	if (e->records_protected >= c->limits.confidentiality)
		return PETREL_E_LIMIT_EXCEEDED;
	struct petrel_dtls13_header_params hp = {
		.epoch = e->epoch,
		.seq = e->next_seq,
		.cid = o != NULL ? o->cid : NULL,
		.cid_len = o != NULL ? o->cid_len : 0,
		.seq16 = o == NULL || o->seq16,
		.with_length = o == NULL || o->with_length,
	};
	rc = petrel_dtls13_seal_ctx(&c->rc, &hp, content_type, payload, len,
				    o != NULL ? o->padding : 0, w);
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
	int rc = 0;
	const struct petrel_dtls13_epoch_cache *c = expand(e, &rc);
	if (c == NULL)
		return rc;
	/* RFC 9147 4.2.2: closest to one past the highest deprotected. */
	uint64_t expected = e->replay.any ? e->replay.top + 1 : 0;
	uint64_t seq = 0;
	uint8_t type = 0, *content = NULL;
	size_t len = 0;
	rc = petrel_dtls13_open_ctx(&c->rc, record, h, expected, &e->replay, &seq, &type, &content,
				    &len);
	if (rc == PETREL_E_DECRYPTION_FAILED) {
		e->records_failed++;
		/* RFC 9147 4.5.3: count forgeries per key (as
		 * petrel_dtls13_key_exhausted). */
		if (e->records_failed >= c->limits.integrity)
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
