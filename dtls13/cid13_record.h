/* Connection IDs in DTLS 1.3 records (RFC 9147 4, 9): once the hellos
 * negotiated them, every protected record we send carries the peer's CID
 * (C bit set, unless the peer asked for none), and every protected record
 * we accept carries ours. The unified header gives no CID length: the
 * receiver knows the length of the CIDs it issued (RFC 9147 9).
 * Record number encryption is unaffected: its mask covers only the
 * sequence number, the CID stays in the clear and in the additional data.
 *
 * An authentic record carrying our CID that is newer than every record
 * before it lets the endpoint move the session to the record's address
 * (RFC 9146 6, the rule RFC 9147 9 keeps); a replayed or forged one never
 * opens, so never moves anything. */
#ifndef PETREL_DTLS13_CID13_RECORD_H
#define PETREL_DTLS13_CID13_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtls13/cid13_ext.h"
#include "dtls13/epoch13.h"
#include "record/header13.h"

/* The CID to put in our records (*cid NULL / 0 = none). */
void petrel_cid13_tx(const struct petrel_cid13_config *c, const uint8_t **cid, size_t *cid_len);
/* Sets o's CID fields for a protected record. */
void petrel_cid13_send_opts(const struct petrel_cid13_config *c, struct petrel_dtls13_send_opts *o);
/* The length of the CIDs we receive, for petrel_dtls13_header_read. */
size_t petrel_cid13_rx_len(const struct petrel_cid13_config *c);
/* Whether a protected record with header h may be opened: with CIDs
 * negotiated it must carry ours (records without one are dropped), and
 * without, none (RFC 9147 9). */
bool petrel_cid13_rx_accept(const struct petrel_cid13_config *c, const struct petrel_dtls13_header *h);
/* After rec (header h) opened: true when it is an address-update
 * candidate: it carried a CID, is in the newest read epoch and newer than
 * every record that epoch authenticated before. */
bool petrel_cid13_moves_peer(const struct petrel_dtls13_header *h,
			     const struct petrel_dtls13_record *rec, uint64_t newest_epoch);

#endif
