/* The peer's spare CIDs (see dtls13/cid13_spare.h). */
#include "dtls13/cid13_spare.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"

struct petrel_cid13_issued *petrel_cid13_state(struct petrel_cid13_issued **state)
{
	if (*state == NULL)
		*state = calloc(1, sizeof **state);
	return *state;
}

int petrel_cid13_spare_add(struct petrel_cid13_issued **state, const struct petrel_cid_params *p,
			   const uint8_t *cid, size_t len)
{
	if (len == 0 || len > PETREL_CID_EXT_MAX_LEN)
		return 0; /* an empty spare would mean "no CID": not a CID to move to */
	if (len == p->tx_cid_len && memcmp(cid, p->tx_cid, len) == 0)
		return 0;
	struct petrel_cid13_issued *st = petrel_cid13_state(state);
	if (st == NULL)
		return PETREL_E_MEMORY;
	for (size_t i = 0; i < st->spare_count; i++)
		if (st->spare_len[i] == len && memcmp(st->spares[i], cid, len) == 0)
			return 0;
	if (st->spare_count >= PETREL_CID13_SPARE_MAX)
		return 0; /* RFC 9147 9: extra spares MAY be discarded */
	memcpy(st->spares[st->spare_count], cid, len);
	st->spare_len[st->spare_count] = (uint8_t)len;
	st->spare_count++;
	return 0;
}

int petrel_cid13_spare_take(struct petrel_cid13_issued *state, struct petrel_cid_params *p)
{
	while (state != NULL && state->spare_count > 0) {
		size_t len = state->spare_len[0];
		/* A spare the peer made current since (cid_immediate) is no
		 * move at all: skipped. */
		bool in_use = len == p->tx_cid_len && memcmp(state->spares[0], p->tx_cid, len) == 0;
		if (!in_use) {
			memcpy(p->tx_cid, state->spares[0], len);
			p->tx_cid_len = len;
		}
		state->spare_count--;
		memmove(state->spares[0], state->spares[1],
			state->spare_count * sizeof state->spares[0]);
		memmove(&state->spare_len[0], &state->spare_len[1], state->spare_count);
		if (!in_use)
			return 0;
	}
	return PETREL_E_LIMIT_EXCEEDED;
}
