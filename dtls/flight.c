/* Outgoing flights: storage, stable fragmentation/packing plan, emission
 * (RFC 6347 4.1.1, 4.2.3, 4.2.4). See flight.h for the packing rule. */
#include "dtls/flight.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"

/* RFC 5246 6.2.1: a record's plaintext is at most 2^14 bytes. */
#define MAX_RECORD_PLAINTEXT 16384u

void petrel_flight_init(struct petrel_flight *fl)
{
	memset(fl, 0, sizeof *fl);
}

static void plan_free(struct petrel_flight *fl)
{
	/* One block holds fragments, datagrams and scratch (petrel_flight_plan).
	 * The scratch held only what went on the wire: records are sealed from
	 * fl->bytes straight into it, so no wipe. */
	free(fl->fragments);
	fl->fragments = NULL;
	fl->datagrams = NULL;
	fl->scratch = NULL;
	fl->fragment_count = 0;
	fl->datagram_count = 0;
	fl->max_datagram = 0;
	fl->planned = false;
}

void petrel_flight_restart(struct petrel_flight *fl)
{
	plan_free(fl);
	uint8_t *bytes = fl->bytes;
	size_t cap = fl->bytes_cap;
	if (bytes != NULL)
		petrel_wipe(bytes, fl->bytes_len); /* reserve() copies only bytes_len */
	memset(fl, 0, sizeof *fl);
	fl->bytes = bytes;
	fl->bytes_cap = cap;
}

void petrel_flight_compact(struct petrel_flight *fl)
{
	plan_free(fl);
	if (fl->bytes == NULL || fl->bytes_cap == fl->bytes_len)
		return;
	uint8_t *bytes = NULL;
	if (fl->bytes_len > 0) {
		bytes = malloc(fl->bytes_len);
		if (bytes == NULL)
			return; /* keeps the larger buffer: still correct */
		memcpy(bytes, fl->bytes, fl->bytes_len);
	}
	petrel_wipe(fl->bytes, fl->bytes_len);
	free(fl->bytes);
	fl->bytes = bytes;
	fl->bytes_cap = fl->bytes_len;
}

size_t petrel_flight_wire_bytes(const struct petrel_flight *fl)
{
	size_t n = 0;
	for (size_t i = 0; i < fl->datagram_count; i++)
		n += fl->datagrams[i].length;
	return n;
}

void petrel_flight_reset(struct petrel_flight *fl)
{
	petrel_flight_restart(fl);
	free(fl->bytes);
	memset(fl, 0, sizeof *fl);
}

/* Make room for n more bytes. The old buffer is wiped, not just realloc'd
 * away, since flights carry e.g. Finished verify_data. */
static int reserve(struct petrel_flight *fl, size_t n)
{
	if (n > PETREL_FLIGHT_MAX_BYTES - fl->bytes_len)
		return PETREL_E_LIMIT_EXCEEDED;
	size_t need = fl->bytes_len + n;
	if (need <= fl->bytes_cap)
		return 0;
	size_t cap = fl->bytes_cap ? fl->bytes_cap * 2 : 1024;
	while (cap < need)
		cap *= 2;
	if (cap > PETREL_FLIGHT_MAX_BYTES)
		cap = PETREL_FLIGHT_MAX_BYTES;
	uint8_t *p = malloc(cap);
	if (p == NULL)
		return PETREL_E_MEMORY;
	if (fl->bytes != NULL) {
		memcpy(p, fl->bytes, fl->bytes_len);
		petrel_wipe(fl->bytes, fl->bytes_len);
		free(fl->bytes);
	}
	fl->bytes = p;
	fl->bytes_cap = cap;
	return 0;
}

static int check_add(const struct petrel_flight *fl)
{
	if (fl->planned)
		return PETREL_E_INVALID_REQUEST;
	if (fl->entry_count >= PETREL_FLIGHT_MAX_ENTRIES)
		return PETREL_E_LIMIT_EXCEEDED;
	return 0;
}

int petrel_flight_add_handshake(struct petrel_flight *fl, uint8_t msg_type, uint16_t message_seq,
				uint16_t epoch, const uint8_t *body, size_t len)
{
	int rc = check_add(fl);
	if (rc < 0)
		return rc;
	if (len > PETREL_HS_MAX_LENGTH || (len > 0 && body == NULL))
		return PETREL_E_INVALID_REQUEST;
	rc = reserve(fl, PETREL_HS_HEADER_LEN + len);
	if (rc < 0)
		return rc;
	struct petrel_flight_entry *e = &fl->entries[fl->entry_count++];
	e->content_type = PETREL_FLIGHT_CT_HANDSHAKE;
	e->msg_type = msg_type;
	e->message_seq = message_seq;
	e->epoch = epoch;
	e->offset = fl->bytes_len;
	e->length = (uint32_t)len;
	/* Stored with its unfragmented header: exactly the transcript bytes
	 * (RFC 6347 4.2.6). */
	petrel_hs_header_encode_full(fl->bytes + fl->bytes_len, msg_type, message_seq,
				     (uint32_t)len);
	if (len > 0)
		memcpy(fl->bytes + fl->bytes_len + PETREL_HS_HEADER_LEN, body, len);
	fl->bytes_len += PETREL_HS_HEADER_LEN + len;
	return 0;
}

int petrel_flight_add_ccs(struct petrel_flight *fl, uint16_t epoch)
{
	int rc = check_add(fl);
	if (rc < 0)
		return rc;
	rc = reserve(fl, 1);
	if (rc < 0)
		return rc;
	struct petrel_flight_entry *e = &fl->entries[fl->entry_count++];
	memset(e, 0, sizeof *e);
	e->content_type = PETREL_FLIGHT_CT_CCS;
	e->epoch = epoch;
	e->offset = fl->bytes_len;
	e->length = 1;
	fl->bytes[fl->bytes_len++] = 0x01; /* RFC 5246 7.1 */
	return 0;
}

int petrel_flight_transcript(const struct petrel_flight *fl, size_t i, const uint8_t **bytes,
			     size_t *len)
{
	if (i >= fl->entry_count)
		return PETREL_E_INVALID_REQUEST;
	const struct petrel_flight_entry *e = &fl->entries[i];
	if (e->content_type != PETREL_FLIGHT_CT_HANDSHAKE)
		return 0;
	*bytes = fl->bytes + e->offset;
	*len = PETREL_HS_HEADER_LEN + (size_t)e->length;
	return 1;
}

/* Running state of one layout pass. With NULL arrays it only counts. */
struct layout {
	size_t max_datagram;
	struct petrel_flight_fragment *fragments;
	struct petrel_flight_datagram *datagrams;
	size_t nf, nd;
	size_t used; /* bytes in the current (last) datagram; 0 = none open */
};

static void place(struct layout *lo, bool new_datagram, size_t record_len, uint16_t entry,
		  uint32_t offset, uint32_t length)
{
	if (new_datagram || lo->nd == 0) {
		if (lo->datagrams != NULL) {
			lo->datagrams[lo->nd].first_fragment = lo->nf;
			lo->datagrams[lo->nd].fragment_count = 0;
			lo->datagrams[lo->nd].length = 0;
		}
		lo->nd++;
		lo->used = 0;
	}
	if (lo->fragments != NULL) {
		lo->fragments[lo->nf] = (struct petrel_flight_fragment){entry, offset, length};
		lo->datagrams[lo->nd - 1].fragment_count++;
		lo->datagrams[lo->nd - 1].length += record_len;
	}
	lo->nf++;
	lo->used += record_len;
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

static int layout(const struct petrel_flight *fl, const struct petrel_flight_records *rec,
		  struct layout *lo)
{
	const size_t max = lo->max_datagram;
	size_t plaintext_cap = MAX_RECORD_PLAINTEXT;
	if (rec->max_record_plaintext && rec->max_record_plaintext < plaintext_cap)
		plaintext_cap = rec->max_record_plaintext;
	if (plaintext_cap <= PETREL_HS_HEADER_LEN)
		return PETREL_E_INVALID_REQUEST;
	for (size_t i = 0; i < fl->entry_count; i++) {
		const struct petrel_flight_entry *e = &fl->entries[i];
		size_t overhead = rec->overhead(rec->ctx, e->epoch);
		size_t space = lo->nd > 0 ? max - lo->used : 0;
		if (e->content_type == PETREL_FLIGHT_CT_CCS) {
			size_t record_len = overhead + 1;
			if (record_len > max)
				return PETREL_E_INVALID_REQUEST;
			place(lo, record_len > space, record_len, (uint16_t)i, 0, 1);
			continue;
		}
		/* Smallest record of this message: header plus one body byte (or
		 * none for an empty message). */
		size_t per_record = overhead + PETREL_HS_HEADER_LEN;
		if (per_record + (e->length > 0) > max)
			return PETREL_E_INVALID_REQUEST;
		const size_t body_cap =
			min_size(max - per_record, plaintext_cap - PETREL_HS_HEADER_LEN);
		const size_t min_split = min_size(PETREL_FLIGHT_MIN_SPLIT, body_cap);
		uint32_t off = 0;
		do {
			size_t left = e->length - off;
			space = lo->nd > 0 ? max - lo->used : 0;
			size_t take;
			bool fresh;
			size_t fit = space >= per_record ? min_size(space - per_record, body_cap) : 0;
			if (space >= per_record && (left <= fit || fit >= min_split)) {
				take = min_size(left, fit);
				fresh = false;
			} else {
				take = min_size(left, body_cap);
				fresh = true;
			}
			place(lo, fresh, per_record + take, (uint16_t)i, off, (uint32_t)take);
			off += (uint32_t)take;
		} while (off < e->length);
	}
	return 0;
}

int petrel_flight_plan(struct petrel_flight *fl, size_t max_datagram,
		       const struct petrel_flight_records *rec)
{
	if (fl->planned)
		return 0;
	if (fl->entry_count == 0)
		return PETREL_E_INVALID_REQUEST;
	struct layout lo = {.max_datagram = max_datagram};
	int rc = layout(fl, rec, &lo);
	if (rc < 0)
		return rc;
	/* The plan in one allocation: fragments, then datagrams, then one
	 * record payload of scratch (it never exceeds a datagram). */
	size_t frag_bytes = lo.nf * sizeof(struct petrel_flight_fragment);
	size_t dg_at = (frag_bytes + _Alignof(struct petrel_flight_datagram) - 1) /
		       _Alignof(struct petrel_flight_datagram) * _Alignof(struct petrel_flight_datagram);
	size_t scratch_at = dg_at + lo.nd * sizeof(struct petrel_flight_datagram);
	uint8_t *block = malloc(scratch_at + max_datagram);
	if (block == NULL)
		return PETREL_E_MEMORY;
	memset(block, 0, scratch_at);
	struct layout fill = {.max_datagram = max_datagram};
	fill.fragments = (struct petrel_flight_fragment *)(void *)block;
	fill.datagrams = (struct petrel_flight_datagram *)(void *)(block + dg_at);
	uint8_t *scratch = block + scratch_at;
	rc = layout(fl, rec, &fill);
	if (rc < 0 || fill.nf != lo.nf || fill.nd != lo.nd) {
		/* overhead() must be a pure function of the epoch. */
		free(block);
		return rc < 0 ? rc : PETREL_E_INTERNAL;
	}
	fl->fragments = fill.fragments;
	fl->fragment_count = fill.nf;
	fl->datagrams = fill.datagrams;
	fl->datagram_count = fill.nd;
	fl->scratch = scratch;
	fl->max_datagram = max_datagram;
	fl->planned = true;
	return 0;
}

int petrel_flight_replan(struct petrel_flight *fl, size_t max_datagram,
			 const struct petrel_flight_records *rec)
{
	plan_free(fl);
	return petrel_flight_plan(fl, max_datagram, rec);
}

size_t petrel_flight_entry_fragment_count(const struct petrel_flight *fl, size_t i)
{
	size_t n = 0;
	if (!fl->planned)
		return 0;
	for (size_t f = 0; f < fl->fragment_count; f++)
		n += fl->fragments[f].entry == i;
	return n;
}

/* Protect one planned fragment as a record into w. */
static int write_fragment(struct petrel_flight *fl, const struct petrel_flight_records *rec,
			  const struct petrel_flight_fragment *frag, struct petrel_writer *w)
{
	const struct petrel_flight_entry *e = &fl->entries[frag->entry];
	if (e->content_type == PETREL_FLIGHT_CT_CCS)
		return rec->write(rec->ctx, e->epoch, e->content_type, fl->bytes + e->offset, 1, w);
	struct petrel_writer pw;
	petrel_writer_init(&pw, fl->scratch, fl->max_datagram);
	struct petrel_hs_header h = {
		.msg_type = e->msg_type,
		.length = e->length,
		.message_seq = e->message_seq,
		.fragment_offset = frag->offset,
		.fragment_length = frag->length,
	};
	int rc = petrel_hs_header_write(&pw, &h);
	if (rc < 0)
		return rc;
	const uint8_t *body = fl->bytes + e->offset + PETREL_HS_HEADER_LEN;
	if (!petrel_put_bytes(&pw, body + frag->offset, frag->length))
		return PETREL_E_INTERNAL; /* the plan keeps records <= max_datagram */
	return rec->write(rec->ctx, e->epoch, e->content_type, fl->scratch, petrel_writer_len(&pw),
			  w);
}

int petrel_flight_send(struct petrel_flight *fl, const struct petrel_flight_records *rec,
		       uint8_t *buf, size_t buf_cap, petrel_flight_send_fn send, void *send_ctx)
{
	if (!fl->planned)
		return PETREL_E_INVALID_REQUEST;
	if (buf_cap < fl->max_datagram)
		return PETREL_E_SHORT_BUFFER;
	int sent = 0;
	int rc = 0;
	for (size_t d = 0; d < fl->datagram_count; d++) {
		const struct petrel_flight_datagram *dg = &fl->datagrams[d];
		struct petrel_writer w;
		/* Never emit more than the planned maximum, whatever the buffer. */
		petrel_writer_init(&w, buf, fl->max_datagram);
		for (size_t f = 0; f < dg->fragment_count; f++) {
			rc = write_fragment(fl, rec, &fl->fragments[dg->first_fragment + f], &w);
			if (rc < 0)
				goto out;
		}
		rc = send(send_ctx, buf, petrel_writer_len(&w));
		if (rc < 0)
			goto out;
		sent++;
	}
	rc = sent;
out:
	if (sent > 0)
		fl->transmissions++;
	return rc;
}
