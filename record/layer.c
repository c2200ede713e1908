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
	for (int i = 0; i < PETREL_RL_EPOCH_SLOTS; i++) {
		petrel_rl_epoch_retire(&rl->write[i]);
		petrel_rl_epoch_retire(&rl->read[i]);
	}
	drop_buffer(rl);
	petrel_wipe(rl, sizeof(*rl));
}

void petrel_rl_release_cache(struct petrel_record_layer *rl)
{
	for (int i = 0; i < PETREL_RL_EPOCH_SLOTS; i++) {
		petrel_rl_epoch_drop_aead(&rl->write[i]);
		petrel_rl_epoch_drop_aead(&rl->read[i]);
	}
	if (petrel_rl_buffered_count(rl) == 0)
		drop_buffer(rl);
}

bool petrel_rl_holds_cache(const struct petrel_record_layer *rl)
{
	for (int i = 0; i < PETREL_RL_EPOCH_SLOTS; i++)
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

/* Epochs only move forward (RFC 6347 4.1: incremented on each
 * ChangeCipherSpec; RFC 9147 6.1: 1.3 may skip epoch 1). The new epoch
 * becomes slot 0, older ones move down a slot and the oldest leaves. */
static int install(struct petrel_rl_epoch_state table[PETREL_RL_EPOCH_SLOTS], uint16_t epoch,
		   const struct petrel_epoch_keys *keys)
{
	int rc = check_keys(keys);
	if (rc < 0)
		return rc;
	if (epoch <= table[0].epoch)
		return PETREL_E_INVALID_REQUEST;
	petrel_rl_epoch_retire(&table[PETREL_RL_EPOCH_SLOTS - 1]);
	for (int i = PETREL_RL_EPOCH_SLOTS - 1; i > 0; i--)
		table[i] = table[i - 1];
	memset(&table[0], 0, sizeof(table[0]));
	table[0].in_use = true;
	table[0].epoch = epoch;
	table[0].keys = *keys;
	petrel_replay_init(&table[0].replay);
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
	for (int i = 1; i < PETREL_RL_EPOCH_SLOTS; i++)
		petrel_rl_epoch_retire(&rl->read[i]);
}

uint16_t petrel_rl_write_epoch(const struct petrel_record_layer *rl) { return rl->write[0].epoch; }
uint16_t petrel_rl_read_epoch(const struct petrel_record_layer *rl) { return rl->read[0].epoch; }

static struct petrel_rl_epoch_state *find(struct petrel_rl_epoch_state *table, uint16_t epoch)
{
	for (int i = 0; i < PETREL_RL_EPOCH_SLOTS; i++)
		if (table[i].in_use && table[i].epoch == epoch)
			return &table[i];
	return NULL;
}

struct petrel_rl_epoch_state *petrel_rl_write_state(struct petrel_record_layer *rl, uint16_t epoch)
{
	return find(rl->write, epoch);
}

struct petrel_rl_epoch_state *petrel_rl_read_state(struct petrel_record_layer *rl, uint16_t epoch)
{
	return find(rl->read, epoch);
}

static const struct petrel_rl_epoch_state *write_state(const struct petrel_record_layer *rl,
							uint16_t epoch)
{
	return find((struct petrel_rl_epoch_state *)rl->write, epoch);
}

struct petrel_record_number petrel_rl_next_write_number(const struct petrel_record_layer *rl)
{
	return (struct petrel_record_number){rl->write[0].epoch, rl->write[0].next_seq};
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
	struct petrel_rl_epoch_state *st = petrel_rl_write_state(rl, epoch);
	if (st != NULL)
		st->next_seq = seq;
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
