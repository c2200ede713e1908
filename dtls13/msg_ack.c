/* The DTLS 1.3 ACK (RFC 9147 7): the record numbers of handshake records
 * received, so the peer retransmits only what is missing. Carried in its
 * own content type (26), never in the transcript. */
#include "dtls/msg_internal.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

int petrel_ack_parse(const uint8_t *body, size_t len, struct petrel_ack *out)
{
	struct petrel_reader r, list;
	petrel_msg_reader_init(&r, body, len);
	/* RecordNumber record_numbers<0..2^16-1>, 16 bytes each. */
	if (!petrel_get_sub16(&r, &list) || !petrel_reader_done(&r) ||
	    petrel_reader_left(&list) % PETREL_RECORD_NUMBER_LEN != 0)
		return PETREL_E_DECODE_ERROR;
	out->r = list;
	out->count = petrel_reader_left(&list) / PETREL_RECORD_NUMBER_LEN;
	return 0;
}

bool petrel_ack_next(struct petrel_ack *ack, struct petrel_record_number *out)
{
	return petrel_reader_left(&ack->r) >= PETREL_RECORD_NUMBER_LEN &&
	       petrel_get_u64(&ack->r, &out->epoch) && petrel_get_u64(&ack->r, &out->seq);
}

static bool before(const struct petrel_record_number *a, const struct petrel_record_number *b)
{
	return a->epoch < b->epoch || (a->epoch == b->epoch && a->seq < b->seq);
}

int petrel_ack_write(struct petrel_writer *w, const struct petrel_record_number *numbers,
		     size_t count)
{
	struct petrel_len_scope scope;
	if (count > petrel_ack_capacity(SIZE_MAX) || (numbers == NULL && count > 0))
		return PETREL_E_INVALID_REQUEST;
	/* RFC 9147 7: "in numerically increasing order". */
	for (size_t i = 1; i < count; i++)
		if (!before(&numbers[i - 1], &numbers[i]))
			return PETREL_E_INVALID_REQUEST;
	if (petrel_writer_left(w) < 2 + count * PETREL_RECORD_NUMBER_LEN ||
	    !petrel_put_len_open(w, 2, &scope))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++)
		if (!petrel_put_u64(w, numbers[i].epoch) || !petrel_put_u64(w, numbers[i].seq))
			return PETREL_E_SHORT_BUFFER;
	return petrel_put_len_close(w, &scope) ? 0 : PETREL_E_SHORT_BUFFER;
}

size_t petrel_ack_capacity(size_t cap)
{
	size_t max = UINT16_MAX / PETREL_RECORD_NUMBER_LEN;
	if (cap < 2)
		return 0;
	size_t n = (cap - 2) / PETREL_RECORD_NUMBER_LEN;
	return n < max ? n : max;
}
