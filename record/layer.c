/* Record layer lifecycle and epoch bookkeeping (RFC 6347 4.1: epochs,
 * per-epoch 48-bit sequence numbers). */
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/internal.h"

static void epoch_init_null(struct petrel_rl_epoch_state *st)
{
	memset(st, 0, sizeof(*st));
	st->in_use = true;
	st->epoch = 0;
	st->keys.aead = PETREL_RL_NULL_CIPHER;
	petrel_replay_init(&st->replay);
}

void petrel_rl_init(struct petrel_record_layer *rl)
{
	memset(rl, 0, sizeof(*rl));
	/* Both directions start in epoch 0 with the null cipher (RFC 6347 4.1). */
	epoch_init_null(&rl->write[0]);
	epoch_init_null(&rl->read[0]);
}

int petrel_rl_epoch_aead(struct petrel_rl_epoch_state *st)
{
	if (st->aead != NULL)
		return 0;
	struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size_for(st->keys.aead));
	if (ctx == NULL)
		return PETREL_E_MEMORY;
	int rc = petrel_aead_init(ctx, st->keys.aead, st->keys.key);
	if (rc < 0) {
		petrel_aead_wipe(ctx);
		free(ctx);
		return rc;
	}
	st->aead = ctx;
	return 0;
}

void petrel_rl_epoch_drop_aead(struct petrel_rl_epoch_state *st)
{
	if (st->aead != NULL) {
		petrel_aead_wipe(st->aead);
		free(st->aead);
		st->aead = NULL;
	}
}

void petrel_rl_epoch_retire(struct petrel_rl_epoch_state *st)
{
	petrel_rl_epoch_drop_aead(st);
	petrel_wipe(st, sizeof(*st));
	st->in_use = false;
}

static void drop_buffer(struct petrel_record_layer *rl)
{
	if (rl->buffer != NULL) {
		petrel_wipe(rl->buffer, PETREL_RL_MAX_BUFFERED_BYTES);
		free(rl->buffer);
		rl->buffer = NULL;
	}
	rl->buffer_used = 0;
	rl->buffered_count = 0;
}

void petrel_rl_clear(struct petrel_record_layer *rl)
{
	for (int i = 0; i < 2; i++) {
		petrel_rl_epoch_retire(&rl->write[i]);
		petrel_rl_epoch_retire(&rl->read[i]);
	}
	drop_buffer(rl);
	petrel_wipe(rl, sizeof(*rl));
}

void petrel_rl_release_cache(struct petrel_record_layer *rl)
{
	for (int i = 0; i < 2; i++) {
		petrel_rl_epoch_drop_aead(&rl->write[i]);
		petrel_rl_epoch_drop_aead(&rl->read[i]);
	}
	if (petrel_rl_buffered_count(rl) == 0)
		drop_buffer(rl);
}

bool petrel_rl_holds_cache(const struct petrel_record_layer *rl)
{
	for (int i = 0; i < 2; i++)
		if (rl->write[i].aead != NULL || rl->read[i].aead != NULL)
			return true;
	return rl->buffer != NULL && petrel_rl_buffered_count(rl) == 0;
}

void petrel_rl_set_bad_record_limit(struct petrel_record_layer *rl, uint64_t limit)
{
	rl->bad_record_limit = limit;
}

static int check_keys(const struct petrel_epoch_keys *keys)
{
	if (keys == NULL)
		return PETREL_E_INVALID_REQUEST;
	switch (keys->aead) {
	case PETREL_AEAD_AES128_GCM:
	case PETREL_AEAD_AES256_GCM:
	case PETREL_AEAD_AES128_CCM:
	case PETREL_AEAD_AES128_CCM8:
	case PETREL_AEAD_CHACHA20_POLY1305:
		return 0;
	default:
		/* Only epoch 0 is unprotected; DTLS 1.2 here is AEAD-only. */
		return PETREL_E_INVALID_REQUEST;
	}
}

/* Epochs only move forward by one (RFC 6347 4.1: incremented on each
 * ChangeCipherSpec); 65535 cannot be followed. */
static int install(struct petrel_rl_epoch_state pair[2], uint16_t epoch,
		   const struct petrel_epoch_keys *keys)
{
	int rc = check_keys(keys);
	if (rc < 0)
		return rc;
	if (pair[0].epoch == UINT16_MAX || epoch != pair[0].epoch + 1)
		return PETREL_E_INVALID_REQUEST;
	petrel_rl_epoch_retire(&pair[1]);
	pair[1] = pair[0];
	memset(&pair[0], 0, sizeof(pair[0]));
	pair[0].in_use = true;
	pair[0].epoch = epoch;
	pair[0].keys = *keys;
	petrel_replay_init(&pair[0].replay);
	return 0;
}

int petrel_rl_set_write_keys(struct petrel_record_layer *rl, uint16_t epoch,
			     const struct petrel_epoch_keys *keys)
{
	return install(rl->write, epoch, keys);
}

int petrel_rl_set_read_keys(struct petrel_record_layer *rl, uint16_t epoch,
			    const struct petrel_epoch_keys *keys)
{
	return install(rl->read, epoch, keys);
}

void petrel_rl_retire_previous_read(struct petrel_record_layer *rl)
{
	petrel_rl_epoch_retire(&rl->read[1]);
}

uint16_t petrel_rl_write_epoch(const struct petrel_record_layer *rl) { return rl->write[0].epoch; }
uint16_t petrel_rl_read_epoch(const struct petrel_record_layer *rl) { return rl->read[0].epoch; }

static const struct petrel_rl_epoch_state *write_state(const struct petrel_record_layer *rl,
							uint16_t epoch)
{
	for (int i = 0; i < 2; i++)
		if (rl->write[i].in_use && rl->write[i].epoch == epoch)
			return &rl->write[i];
	return NULL;
}

size_t petrel_rl_write_overhead(const struct petrel_record_layer *rl, uint16_t epoch)
{
	const struct petrel_rl_epoch_state *st = write_state(rl, epoch);
	enum petrel_aead_alg aead = st ? st->keys.aead : rl->write[0].keys.aead;
	return petrel_record_overhead(aead) + petrel_rl_cid_extra(rl, aead); /* RFC 9146 */
}

uint64_t petrel_rl_next_write_seq(const struct petrel_record_layer *rl, uint16_t epoch)
{
	const struct petrel_rl_epoch_state *st = write_state(rl, epoch);
	return st ? st->next_seq : 0;
}

void petrel_rl_set_next_write_seq(struct petrel_record_layer *rl, uint16_t epoch, uint64_t seq)
{
	for (int i = 0; i < 2; i++)
		if (rl->write[i].in_use && rl->write[i].epoch == epoch)
			rl->write[i].next_seq = seq;
}

const struct petrel_record_stats *petrel_rl_stats(const struct petrel_record_layer *rl)
{
	return &rl->stats;
}

size_t petrel_rl_buffered_count(const struct petrel_record_layer *rl)
{
	size_t n = 0;
	for (size_t i = 0; i < rl->buffered_count; i++)
		if (!rl->buffered[i].taken)
			n++;
	return n;
}
