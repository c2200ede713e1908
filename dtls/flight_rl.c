/* Binds flight emission to the DTLS 1.2 record layer: each planned record
 * is protected with petrel_rl_write in the entry's epoch, so a
 * retransmission gets fresh record sequence numbers (RFC 6347 4.2.4) but
 * the same handshake fragments. */
#include "dtls/flight.h"

#include "record/record.h"

static size_t rl_overhead(void *ctx, uint16_t epoch)
{
	return petrel_rl_write_overhead((const struct petrel_record_layer *)ctx, epoch);
}

static int rl_write(void *ctx, uint16_t epoch, uint8_t content_type, const uint8_t *payload,
		    size_t len, struct petrel_writer *w)
{
	return petrel_rl_write((struct petrel_record_layer *)ctx, epoch, content_type, payload, len,
			       w);
}

void petrel_flight_records_rl(struct petrel_flight_records *rec, struct petrel_record_layer *rl)
{
	rec->overhead = rl_overhead;
	rec->write = rl_write;
	rec->ctx = rl;
	rec->max_record_plaintext = 0;
}
