/* Handshake fragment reassembly (RFC 6347 4.2.2, 4.2.3). See reassembly.h
 * for the bounds and why each exists. */
#include "dtls/reassembly.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "petrel/petrel.h"

static struct petrel_reasm_slot *slot_for(struct petrel_reasm *ra, uint16_t seq)
{
	return &ra->slots[seq % PETREL_REASM_MAX_WINDOW];
}

static void slot_free(struct petrel_reasm *ra, struct petrel_reasm_slot *s)
{
	if (s->alloc != NULL) {
		/* Handshake bodies can hold PSK identities and Finished data. */
		petrel_wipe(s->alloc, s->alloc_len);
		free(s->alloc);
		assert(ra->total_bytes >= s->alloc_len);
		ra->total_bytes -= s->alloc_len;
		if (ra->shared_budget != NULL) {
			assert(ra->shared_budget->used_bytes >= s->alloc_len);
			ra->shared_budget->used_bytes -= s->alloc_len;
		}
	}
	memset(s, 0, sizeof *s);
}

static void free_all(struct petrel_reasm *ra)
{
	for (size_t i = 0; i < PETREL_REASM_MAX_WINDOW; i++)
		slot_free(ra, &ra->slots[i]);
	slot_free(ra, &ra->delivered);
}

void petrel_reasm_init(struct petrel_reasm *ra)
{
	memset(ra, 0, sizeof *ra);
	ra->window = PETREL_REASM_DEFAULT_WINDOW;
	ra->max_message_len = PETREL_REASM_DEFAULT_MAX_MESSAGE_LEN;
	ra->max_total_bytes = PETREL_REASM_DEFAULT_MAX_TOTAL_BYTES;
}

int petrel_reasm_configure(struct petrel_reasm *ra, uint16_t window, uint32_t max_message_len,
			   size_t max_total_bytes)
{
	uint16_t w = window ? window : ra->window;
	uint32_t m = max_message_len ? max_message_len : ra->max_message_len;
	size_t t = max_total_bytes ? max_total_bytes : ra->max_total_bytes;
	if (w > PETREL_REASM_MAX_WINDOW || m > PETREL_HS_MAX_LENGTH || m > t)
		return PETREL_E_INVALID_REQUEST;
	ra->window = w;
	ra->max_message_len = m;
	ra->max_total_bytes = t;
	return 0;
}

void petrel_reasm_set_next_seq(struct petrel_reasm *ra, uint16_t next_seq)
{
	free_all(ra);
	ra->next_seq = next_seq;
}

void petrel_reasm_set_epoch(struct petrel_reasm *ra, uint16_t epoch)
{
	if (epoch <= ra->epoch)
		return;
	ra->epoch = epoch;
	for (size_t i = 0; i < PETREL_REASM_MAX_WINDOW; i++)
		if (ra->slots[i].in_use && ra->slots[i].epoch < epoch)
			slot_free(ra, &ra->slots[i]);
}

void petrel_reasm_set_budget(struct petrel_reasm *ra, struct petrel_frag_budget *budget)
{
	assert(ra->total_bytes == 0);
	ra->shared_budget = budget;
}

static bool slot_complete(const struct petrel_reasm_slot *s)
{
	return s->in_use && s->received == s->length;
}

static bool bit_get(const uint8_t *bitmap, uint32_t i)
{
	return (bitmap[i / 8] >> (i % 8)) & 1u;
}

static void bit_set(uint8_t *bitmap, uint32_t i)
{
	bitmap[i / 8] = (uint8_t)(bitmap[i / 8] | (1u << (i % 8)));
}

/* Whether no bit of [off, off + n) is set; whole bytes at a time. */
static bool range_unseen(const uint8_t *bitmap, uint32_t off, uint32_t n)
{
	uint32_t i = off, end = off + n;
	for (; i < end && i % 8 != 0; i++)
		if (bit_get(bitmap, i))
			return false;
	for (; end - i >= 8; i += 8)
		if (bitmap[i / 8] != 0)
			return false;
	for (; i < end; i++)
		if (bit_get(bitmap, i))
			return false;
	return true;
}

static void range_mark(uint8_t *bitmap, uint32_t off, uint32_t n)
{
	uint32_t i = off, end = off + n;
	for (; i < end && i % 8 != 0; i++)
		bit_set(bitmap, i);
	if (end - i >= 8) {
		memset(bitmap + i / 8, 0xff, (end - i) / 8);
		i += (end - i) / 8 * 8;
	}
	for (; i < end; i++)
		bit_set(bitmap, i);
}

static int count(struct petrel_reasm *ra, int result)
{
	struct petrel_reasm_stats *st = &ra->stats;
	switch (result) {
	case PETREL_REASM_ACCEPTED: st->accepted++; break;
	case PETREL_REASM_DUPLICATE: st->duplicate++; break;
	case PETREL_REASM_OLD: st->old++; break;
	case PETREL_REASM_DROP_FUTURE: st->dropped_future++; break;
	case PETREL_REASM_DROP_INCONSISTENT: st->dropped_inconsistent++; break;
	case PETREL_REASM_DROP_CONFLICT: st->dropped_conflict++; break;
	case PETREL_REASM_DROP_TOO_LONG: st->dropped_too_long++; break;
	case PETREL_REASM_DROP_TOTAL_CAP: st->dropped_total_cap++; break;
	case PETREL_REASM_DROP_OLD_EPOCH: st->dropped_old_epoch++; break;
	default: break;
	}
	return result;
}

/* Claim the slot for a message first seen now; its buffer is allocated
 * once at the declared length. */
static int slot_open(struct petrel_reasm *ra, struct petrel_reasm_slot *s,
		     const struct petrel_hs_header *h)
{
	if (h->length > ra->max_message_len)
		return PETREL_REASM_DROP_TOO_LONG;
	size_t alloc_len = (size_t)h->length + ((size_t)h->length + 7) / 8;
	if (ra->total_bytes > ra->max_total_bytes ||
	    alloc_len > ra->max_total_bytes - ra->total_bytes)
		return PETREL_REASM_DROP_TOTAL_CAP;
	struct petrel_frag_budget *budget = ra->shared_budget;
	if (budget != NULL &&
	    (budget->used_bytes > budget->cap_bytes || alloc_len > budget->cap_bytes - budget->used_bytes))
		return PETREL_REASM_DROP_TOTAL_CAP;
	uint8_t *alloc = NULL;
	if (alloc_len > 0) {
		alloc = calloc(1, alloc_len);
		if (alloc == NULL)
			return PETREL_E_MEMORY;
	}
	s->in_use = true;
	s->epoch = ra->epoch;
	s->msg_type = h->msg_type;
	s->message_seq = h->message_seq;
	s->length = h->length;
	s->received = 0;
	s->record_seq = ra->record_seq;
	s->alloc = alloc;
	s->alloc_len = alloc_len;
	ra->total_bytes += alloc_len;
	if (budget != NULL)
		budget->used_bytes += alloc_len;
	return PETREL_REASM_ACCEPTED;
}

/* Whether a fragment disagrees with what the slot holds: other type or
 * length, or different bytes where both have them. */
static bool contradicts(const struct petrel_reasm_slot *s, const struct petrel_hs_header *h,
			const uint8_t *fragment)
{
	if (s->msg_type != h->msg_type || s->length != h->length)
		return true;
	if (s->length == 0)
		return false;
	const uint8_t *body = s->alloc, *bitmap = s->alloc + s->length;
	if (range_unseen(bitmap, h->fragment_offset, h->fragment_length))
		return false; /* the usual case: nothing to compare */
	for (uint32_t i = 0; i < h->fragment_length; i++)
		if (bit_get(bitmap, h->fragment_offset + i) &&
		    body[h->fragment_offset + i] != fragment[i])
			return true;
	return false;
}

static int add_fragment(struct petrel_reasm *ra, const struct petrel_hs_header *h,
			const uint8_t *fragment)
{
	if (h->message_seq < ra->next_seq)
		return PETREL_REASM_OLD;
	if ((uint32_t)(h->message_seq - ra->next_seq) >= ra->window)
		return PETREL_REASM_DROP_FUTURE;

	struct petrel_reasm_slot *s = slot_for(ra, h->message_seq);
	if (s->in_use && s->epoch > ra->epoch)
		return PETREL_REASM_DROP_OLD_EPOCH;
	/* Authenticated (higher) epoch wins over what a lower one buffered;
	 * on epoch 0 the newest of two contradicting fragments wins (see
	 * reassembly.h: a forgery must not pin the slot). The slot's epoch
	 * equals ra->epoch otherwise. Empty fragments carry nothing to judge. */
	if (s->in_use && (s->epoch < ra->epoch ||
			  (ra->epoch == 0 && (h->fragment_length > 0 || h->length == 0) &&
			   contradicts(s, h, fragment)))) {
		slot_free(ra, s);
		ra->stats.replaced++;
	}
	if (s->in_use) {
		if (s->msg_type != h->msg_type || s->length != h->length)
			return PETREL_REASM_DROP_INCONSISTENT;
	} else {
		/* An empty fragment of a non-empty message carries nothing; do not
		 * let it reserve a slot and fix the message's length. */
		if (h->fragment_length == 0 && h->length > 0)
			return PETREL_REASM_DUPLICATE;
		int rc = slot_open(ra, s, h);
		if (rc != PETREL_REASM_ACCEPTED)
			return rc;
		if (h->length == 0)
			return PETREL_REASM_ACCEPTED;
	}

	/* A repeat of an empty message: nothing to store, and no buffer to
	 * index (alloc is NULL for length 0). */
	if (s->length == 0)
		return PETREL_REASM_DUPLICATE;

	const uint32_t off = h->fragment_offset, n = h->fragment_length;
	uint8_t *body = s->alloc;
	uint8_t *bitmap = s->alloc + s->length;
	/* The usual case, a whole message or a fragment not seen before:
	 * copy it and mark its range, without the byte-by-byte walk. */
	if (n > 0 && range_unseen(bitmap, off, n)) {
		memcpy(body + off, fragment, n);
		range_mark(bitmap, off, n);
		s->received += n;
		s->record_seq = ra->record_seq;
		return PETREL_REASM_ACCEPTED;
	}
	/* Check the whole fragment before storing any of it, so a conflicting
	 * fragment leaves no trace (RFC 6347 4.2.3 lets overlaps happen; they
	 * must agree). */
	uint32_t fresh = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!bit_get(bitmap, off + i))
			fresh++;
		else if (body[off + i] != fragment[i])
			return PETREL_REASM_DROP_CONFLICT;
	}
	if (fresh == 0)
		return PETREL_REASM_DUPLICATE;
	for (uint32_t i = 0; i < n; i++) {
		if (!bit_get(bitmap, off + i)) {
			body[off + i] = fragment[i];
			bit_set(bitmap, off + i);
		}
	}
	s->received += fresh;
	s->record_seq = ra->record_seq;
	return PETREL_REASM_ACCEPTED;
}

int petrel_reasm_add(struct petrel_reasm *ra, const struct petrel_hs_header *h,
		     const uint8_t *fragment)
{
	assert(h->fragment_length == 0 || fragment != NULL);
	assert((uint64_t)h->fragment_offset + h->fragment_length <= h->length);
	ra->stats.fragments_in++;
	int rc = add_fragment(ra, h, fragment);
	if (rc < 0)
		return rc;
	return count(ra, rc);
}

int petrel_reasm_add_record(struct petrel_reasm *ra, const uint8_t *payload, size_t len,
			    struct petrel_reasm_record_result *res)
{
	struct petrel_reasm_record_result local;
	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	struct petrel_reader r;
	petrel_reader_init(&r, payload, len);
	while (petrel_reader_left(&r) > 0) {
		struct petrel_hs_header h;
		const uint8_t *fragment;
		if (petrel_hs_header_read(&r, &h, &fragment) < 0) {
			ra->stats.dropped_malformed++;
			res->malformed = true;
			break;
		}
		int rc = petrel_reasm_add(ra, &h, fragment);
		switch (rc) {
		case PETREL_REASM_ACCEPTED: res->accepted++; break;
		case PETREL_REASM_DUPLICATE: res->duplicate++; break;
		case PETREL_REASM_OLD:
			if (res->old == 0 || h.message_seq > res->max_old_seq)
				res->max_old_seq = h.message_seq;
			res->old++;
			break;
		default:
			if (rc < 0)
				return rc;
			res->dropped++;
			break;
		}
	}
	return 0;
}

bool petrel_reasm_ready(const struct petrel_reasm *ra)
{
	return slot_complete(&ra->slots[ra->next_seq % PETREL_REASM_MAX_WINDOW]);
}

int petrel_reasm_pop(struct petrel_reasm *ra, struct petrel_hs_message *out)
{
	struct petrel_reasm_slot *s = slot_for(ra, ra->next_seq);
	if (!slot_complete(s))
		return 0;
	slot_free(ra, &ra->delivered);
	ra->delivered = *s;
	memset(s, 0, sizeof *s);

	const struct petrel_reasm_slot *d = &ra->delivered;
	out->msg_type = d->msg_type;
	out->message_seq = d->message_seq;
	out->length = d->length;
	out->record_seq = d->record_seq;
	out->body = d->length > 0 ? d->alloc : NULL;
	petrel_hs_header_encode_full(out->header, d->msg_type, d->message_seq, d->length);
	ra->next_seq++;
	ra->stats.messages_out++;
	return 1;
}

int petrel_reasm_unpop(struct petrel_reasm *ra)
{
	if (!ra->delivered.in_use || ra->delivered.message_seq != (uint16_t)(ra->next_seq - 1))
		return 0;
	slot_free(ra, &ra->delivered);
	ra->next_seq--;
	ra->stats.messages_out--;
	return 1;
}

size_t petrel_reasm_buffered_count(const struct petrel_reasm *ra)
{
	size_t n = 0;
	for (size_t i = 0; i < PETREL_REASM_MAX_WINDOW; i++)
		n += ra->slots[i].in_use;
	return n;
}

void petrel_reasm_reset(struct petrel_reasm *ra)
{
	free_all(ra);
	ra->next_seq = 0;
	ra->epoch = 0;
}

void petrel_reasm_clear(struct petrel_reasm *ra)
{
	petrel_reasm_reset(ra);
	memset(&ra->stats, 0, sizeof ra->stats);
}
