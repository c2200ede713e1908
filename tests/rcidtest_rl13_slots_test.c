/* The DTLS 1.3 epoch table's slots (dtls13/rl13.c) start clean whatever
 * the heap held before: a slot made over blocks of the same size filled
 * with 0xAA, or reused for a later epoch (slot = epoch mod 4, issue #18),
 * equals, byte for byte, an epoch set up on zeroed memory with the same
 * keys, and its first record is number 0 with fresh counters and replay
 * window (RFC 9147 4.2.1, 4.5.3).
 *
 * What this proves: no stale byte reaches a live slot. What it does not:
 * that the slot's calloc (review fix of 0baa8db) matters on its own;
 * petrel_dtls13_epoch_init zeroes the slot too, and the only path that
 * would read a never-initialised slot (epoch_init failing after the
 * traffic keys were made) cannot be reached. These tests fail if both
 * the calloc and that memset go. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/engine13_internal.h"
#include "dtls13/epoch13.h"
#include "dtls13/keyschedule.h"
#include "petrel/petrel.h"
#include "record/header13.h"
#include "record/record.h"

static const uint8_t secret[32] = {
	0x5e, 0xc7, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e};

/* Blocks of the slot's size, filled with 0xAA and freed, so the next
 * allocations of that size come back holding the pattern (at least
 * past the allocator's own free-list words). */
static void poison_heap(void)
{
	enum { BLOCKS = 32 };
	void *blocks[BLOCKS];
	for (size_t i = 0; i < BLOCKS; i++) {
		blocks[i] = malloc(sizeof(struct petrel_dtls13_epoch));
		cr_assert_not_null(blocks[i]);
		memset(blocks[i], 0xAA, sizeof(struct petrel_dtls13_epoch));
	}
	for (size_t i = BLOCKS; i-- > 0;)
		free(blocks[i]);
}

static struct petrel_d13 *new_d13(enum petrel_aead_alg aead)
{
	struct petrel_d13 *d = calloc(1, sizeof *d);
	cr_assert_not_null(d);
	d->hash = PETREL_HASH_SHA256;
	d->aead = aead;
	d->counter_order = PETREL_RN_COUNTER_LE;
	return d;
}

static void free_d13(struct petrel_d13 *d)
{
	petrel_rl13_clear(d);
	free(d);
}

/* The slot as an epoch set up on zeroed memory would be. */
static void assert_clean(const struct petrel_dtls13_epoch *slot, const struct petrel_d13 *d,
			 uint64_t epoch)
{
	cr_assert_not_null(slot);
	struct petrel_dtls13_traffic_keys k;
	cr_assert_eq(petrel_dtls13_traffic_keys(d->hash, PETREL_DTLS13_LABEL_PREFIX, d->aead, secret,
						&k), 0);
	struct petrel_dtls13_epoch ref;
	memset(&ref, 0, sizeof ref);
	cr_assert_eq(petrel_dtls13_epoch_init(&ref, epoch, &k, d->counter_order), 0);
	petrel_dtls13_traffic_keys_wipe(&k);
	cr_assert(slot->in_use);
	cr_assert_eq(slot->epoch, epoch);
	cr_assert_null(slot->cache, "no expanded contexts before the first record");
	cr_assert_eq(slot->next_seq, 0);
	cr_assert_eq(slot->records_protected + slot->records_failed, 0);
	cr_assert_eq(slot->dropped_replay + slot->dropped_malformed, 0);
	cr_assert_not(slot->replay.any);
	cr_assert_eq(memcmp(slot, &ref, sizeof ref), 0, "every byte, padding too");
	petrel_dtls13_epoch_clear(&ref);
}

/* One record sealed in the write slot of epoch and opened through the
 * read slot: its number, and the read slot's counters after. */
static uint64_t round_trip(struct petrel_d13 *d, uint64_t epoch, const char *msg)
{
	uint8_t buf[256];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	uint64_t seq = UINT64_MAX;
	cr_assert_eq(petrel_rl13_seal(d, epoch, PETREL_CT_APPLICATION_DATA, (const uint8_t *)msg,
				      strlen(msg), &w, &seq), 0);
	struct petrel_reader r;
	struct petrel_dtls13_header h;
	const uint8_t *body;
	petrel_reader_init(&r, buf, petrel_writer_len(&w));
	cr_assert(petrel_dtls13_header_read(&r, 0, &h, &body));
	struct petrel_dtls13_record out;
	cr_assert_eq(petrel_dtls13_epoch_open(petrel_rl13_read(d, epoch), buf, &h, &out), 1);
	cr_assert_eq(out.seq, seq);
	cr_assert_eq(out.length, strlen(msg));
	cr_assert_eq(memcmp(out.fragment, msg, out.length), 0);
	return seq;
}

Test(rl13_slots, fresh_slots_over_a_poisoned_heap_hold_nothing_stale)
{
	static const enum petrel_aead_alg algs[] = {PETREL_AEAD_AES128_GCM,
						    PETREL_AEAD_CHACHA20_POLY1305};
	for (size_t a = 0; a < 2; a++) {
		struct petrel_d13 *d = new_d13(algs[a]);
		for (uint64_t epoch = 1; epoch <= 3; epoch++) {
			for (int write = 0; write < 2; write++) {
				poison_heap();
				cr_assert_eq(petrel_rl13_install(d, write, epoch, secret, sizeof secret), 0);
				assert_clean(write ? d->wr[epoch % D13_SLOTS] : d->rd[epoch % D13_SLOTS], d,
					     epoch);
			}
			cr_assert_eq(round_trip(d, epoch, "first"), 0, "the first record is number 0");
			cr_assert_eq(round_trip(d, epoch, "second"), 1);
			const struct petrel_dtls13_epoch *rd = petrel_rl13_read(d, epoch);
			cr_assert_eq(rd->records_failed + rd->dropped_replay + rd->dropped_malformed, 0);
			cr_assert_eq(rd->replay.top, 1);
		}
		free_d13(d);
	}
}

/* Epoch 7 takes epoch 3's slots (KeyUpdates, RFC 9147 8): in place while
 * 3 is live, or afresh after 3 was retired over a poisoned heap. */
Test(rl13_slots, a_slot_taken_by_a_later_epoch_starts_clean)
{
	for (int retire_first = 0; retire_first < 2; retire_first++) {
		struct petrel_d13 *d = new_d13(PETREL_AEAD_AES128_GCM);
		cr_assert_eq(petrel_rl13_install(d, true, 3, secret, sizeof secret), 0);
		cr_assert_eq(petrel_rl13_install(d, false, 3, secret, sizeof secret), 0);
		for (uint64_t i = 0; i < 5; i++)
			cr_assert_eq(round_trip(d, 3, "in epoch 3"), i);
		cr_assert(petrel_dtls13_epoch_holds_cache(d->wr[3]));
		if (retire_first) {
			petrel_rl13_retire(d, 3);
			cr_assert_null(d->wr[3]);
			cr_assert_null(d->rd[3]);
			poison_heap();
		}
		cr_assert_eq(petrel_rl13_install(d, true, 7, secret, sizeof secret), 0);
		cr_assert_eq(petrel_rl13_install(d, false, 7, secret, sizeof secret), 0);
		assert_clean(d->wr[3], d, 7);
		assert_clean(d->rd[3], d, 7);
		cr_assert_null(petrel_rl13_read(d, 3), "epoch 3 is gone");
		cr_assert_eq(round_trip(d, 7, "in epoch 7"), 0, "numbering starts again");
		cr_assert_eq(d->rd[3]->records_protected + d->wr[3]->records_protected, 1,
			     "counted once, from zero");
		free_d13(d);
	}
}
