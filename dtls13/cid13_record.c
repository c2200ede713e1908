/* Connection IDs in DTLS 1.3 records (see dtls13/cid13_record.h). */
#include "dtls13/cid13_record.h"

#include "crypto/crypto.h"
#include "dtls13/cid13_retire.h"
#include "dtls13/cid13_update.h"

static const struct petrel_cid_params *negotiated(const struct petrel_cid13_config *c)
{
	if (c == NULL || !c->enabled || c->result == NULL || !c->result->negotiated)
		return NULL;
	return c->result;
}

void petrel_cid13_tx(const struct petrel_cid13_config *c, const uint8_t **cid, size_t *cid_len)
{
	const struct petrel_cid_params *p = negotiated(c);
	*cid = p != NULL && p->tx_cid_len > 0 ? p->tx_cid : NULL;
	*cid_len = *cid != NULL ? p->tx_cid_len : 0;
}

void petrel_cid13_send_opts(const struct petrel_cid13_config *c, struct petrel_dtls13_send_opts *o)
{
	petrel_cid13_tx(c, &o->cid, &o->cid_len);
}

size_t petrel_cid13_rx_len(const struct petrel_cid13_config *c)
{
	const struct petrel_cid_params *p = negotiated(c);
	return p != NULL ? p->rx_cid_len : 0;
}

bool petrel_cid13_rx_accept(const struct petrel_cid13_config *c, const struct petrel_dtls13_header *h)
{
	size_t want = petrel_cid13_rx_len(c);
	if (h->cid_len != want)
		return false;
	if (want == 0)
		return true;
	/* Not secret, but no reason to leak where a guess went wrong. */
	if (petrel_ct_equal(h->cid, negotiated(c)->rx_cid, want) == 1)
		return !petrel_cid13_negotiated_retired(c); /* cid13: retired (cid13_retire.h) */
	/* tkt13: or one we issued since (NewConnectionId, RFC 9147 9). */
	return c->issued != NULL && petrel_cid13_issued_has(*c->issued, h->cid, want);
}

bool petrel_cid13_moves_peer(const struct petrel_dtls13_header *h,
			     const struct petrel_dtls13_record *rec, uint64_t newest_epoch)
{
	return h->cid_len > 0 && rec->newest && rec->epoch == newest_epoch;
}
