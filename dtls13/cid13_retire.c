/* Retiring the CIDs we issued (see dtls13/cid13_retire.h). */
#include "dtls13/cid13_retire.h"

#include <string.h>

#include "crypto/crypto.h"
#include "dtls13/cid13_update.h"

bool petrel_cid13_negotiated_retired(const struct petrel_cid13_config *c)
{
	return c != NULL && c->issued != NULL && *c->issued != NULL && (*c->issued)->gone_below > 0;
}

/* The serial of our CID cid (len bytes): false when it is none of ours. */
static bool serial_of(const struct petrel_cid13_issued *st, const struct petrel_cid_params *p,
		      const uint8_t *cid, size_t len, uint32_t *serial)
{
	if (len != p->rx_cid_len)
		return false;
	if (petrel_ct_equal(cid, p->rx_cid, len) == 1) {
		*serial = 0;
		return true;
	}
	for (size_t i = 0; i < st->count; i++) {
		if (memcmp(st->cids[i], cid, len) == 0) {
			*serial = st->serial[i];
			return true;
		}
	}
	return false;
}

void petrel_cid13_retire_below(struct petrel_cid13_issued *st, const struct petrel_cid_params *p,
			       uint32_t below)
{
	if (below <= st->gone_below)
		return;
	if (st->gone_below == 0 && st->on_retire != NULL)
		st->on_retire(st->on_retire_ctx, p->rx_cid, p->rx_cid_len, true);
	size_t kept = 0;
	for (size_t i = 0; i < st->count; i++) {
		if (st->serial[i] < below) {
			if (st->on_retire != NULL)
				st->on_retire(st->on_retire_ctx, st->cids[i], p->rx_cid_len, false);
			continue;
		}
		if (kept != i) {
			memcpy(st->cids[kept], st->cids[i], p->rx_cid_len);
			st->serial[kept] = st->serial[i];
		}
		kept++;
	}
	st->count = kept;
	st->gone_below = below;
}

/* Whether record (epoch, seq) is numbered below the cutoff. */
static bool before_cutoff(const struct petrel_cid13_issued *st, uint64_t epoch, uint64_t seq)
{
	return epoch < st->cutoff_epoch || (epoch == st->cutoff_epoch && seq < st->cutoff_seq);
}

bool petrel_cid13_rx_opened(const struct petrel_cid13_config *c, const struct petrel_dtls13_header *h,
			    const struct petrel_dtls13_record *rec, uint64_t newest_epoch)
{
	if (c == NULL || c->issued == NULL || *c->issued == NULL || c->result == NULL ||
	    h->cid_len == 0)
		return true;
	struct petrel_cid13_issued *st = *c->issued;
	uint32_t serial;
	if (!serial_of(st, c->result, h->cid, h->cid_len, &serial))
		return true; /* not ours: petrel_cid13_rx_accept refused it already */
	if (serial < st->current) /* retiring: only what was sent before the move */
		return before_cutoff(st, rec->epoch, rec->seq);
	if (!rec->newest || rec->epoch != newest_epoch)
		return true;
	if (serial > st->current) {
		/* The peer moved: the CIDs retiring since its last move go for
		 * good, those below this one start retiring. */
		petrel_cid13_retire_below(st, c->result, st->current);
		st->current = serial;
		st->cutoff_epoch = rec->epoch;
		st->cutoff_seq = rec->seq;
	} else if (st->gone_below < st->current &&
		   (rec->epoch > st->cutoff_epoch ||
		    rec->seq - st->cutoff_seq >= PETREL_CID13_RETIRE_GRACE)) {
		petrel_cid13_retire_below(st, c->result, st->current); /* grace over */
	}
	return true;
}
