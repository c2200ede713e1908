/* Helpers shared by the record layer's files; not for other layers. */
#ifndef PETREL_RECORD_INTERNAL_H
#define PETREL_RECORD_INTERNAL_H

#include "record/record.h"

/* Expand the epoch's AEAD key on first use (heap, petrel_aead_ctx_size_for(alg)). */
int petrel_rl_epoch_aead(struct petrel_rl_epoch_state *st);
/* Wipe keys and free the expanded context. */
void petrel_rl_epoch_retire(struct petrel_rl_epoch_state *st);
/* Free only the expanded context (raw keys stay). */
void petrel_rl_epoch_drop_aead(struct petrel_rl_epoch_state *st);

/* Unprotect one record whose header h was read and whose body (h->length
 * bytes) is in place at body: replay check, AEAD open, window update.
 * 1 = *out filled, 0 = dropped and counted, < 0 fatal. */
int petrel_rl_unprotect(struct petrel_record_layer *rl, struct petrel_rl_epoch_state *st,
			const struct petrel_record_header *h, uint8_t *body,
			struct petrel_record *out);

#endif
