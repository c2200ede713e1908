/* Helpers shared by the record layer's files; not for other layers. */
#ifndef PETREL_RECORD_INTERNAL_H
#define PETREL_RECORD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

/* The table entry of epoch in one direction, or NULL (record/layer.c). */
struct petrel_rl_epoch_state *petrel_rl_write_state(struct petrel_record_layer *rl, uint16_t epoch);
struct petrel_rl_epoch_state *petrel_rl_read_state(struct petrel_record_layer *rl, uint16_t epoch);

/* Expand the epoch's AEAD key on first use (heap, petrel_aead_ctx_size_for(alg)). */
int petrel_rl_epoch_aead(struct petrel_rl_epoch_state *st);
/* Wipe keys and free the expanded context. */
void petrel_rl_epoch_retire(struct petrel_rl_epoch_state *st);
/* Free only the expanded context (raw keys stay). */
void petrel_rl_epoch_drop_aead(struct petrel_rl_epoch_state *st);

/* Whether [a, a+a_len) and [b, b+b_len) share a byte (compared as
 * integers: the buffers may be unrelated objects). */
static inline bool petrel_rl_overlaps(const void *a, size_t a_len, const void *b, size_t b_len)
{
	uintptr_t a_at = (uintptr_t)a, b_at = (uintptr_t)b;
	return a_len && b_len && a_at < b_at + b_len && b_at < a_at + a_len;
}

/* Unprotect one record whose header h was read and whose body (h->length
 * bytes) is in place at body: replay check, AEAD open, window update.
 * 1 = *out filled, 0 = dropped and counted, < 0 fatal. */
int petrel_rl_unprotect(struct petrel_record_layer *rl, struct petrel_rl_epoch_state *st,
			const struct petrel_record_header *h, uint8_t *body,
			struct petrel_record *out);

#endif
