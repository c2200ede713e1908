/* Reading records out of a received datagram (RFC 6347 4.1): several
 * records per datagram, replay check before decryption, window update
 * after it, invalid records dropped and counted (4.1.2.7), early records
 * of the next epoch held in a bounded buffer. */
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/header13.h"
#include "record/internal.h"
#include "record/protect.h"

static bool known_content_type(uint8_t t)
{
	return t >= PETREL_CT_CHANGE_CIPHER_SPEC && t <= PETREL_CT_HEARTBEAT;
}

static int count_bad(struct petrel_record_layer *rl)
{
	rl->stats.dropped_bad_mac++;
	rl->bad_records++;
	/* RFC 6347 4.1.2.7: bad records are dropped, but an implementation may
	 * end a session that receives too many of them. */
	if (rl->bad_record_limit && rl->bad_records > rl->bad_record_limit)
		return PETREL_E_TOO_MANY_BAD_RECORDS;
	return 0;
}

int petrel_rl_unprotect(struct petrel_record_layer *rl, struct petrel_rl_epoch_state *st,
			const struct petrel_record_header *h, uint8_t *body,
			struct petrel_record *out)
{
	enum petrel_aead_alg aead = st->keys.aead;
	/* Epoch 0 has no MAC, so its window would be whatever forgeries made
	 * of it: one spoofed datagram of 64 empty records numbered just ahead
	 * would make the next 64 genuine ones "replays" and stall the
	 * handshake. Every epoch-0 record goes on to the handshake layer,
	 * which drops duplicate messages itself (RFC 6347 4.1.2.6 makes
	 * replay detection a MAC-backed mechanism). */
	if (aead != PETREL_RL_NULL_CIPHER && !petrel_replay_check(&st->replay, h->seq)) {
		rl->stats.dropped_replay++;
		return 0;
	}
	uint8_t *plaintext = body;
	size_t plaintext_len = h->length;
	if (aead != PETREL_RL_NULL_CIPHER) {
		size_t explicit_len = petrel_record_explicit_nonce_len(aead);
		size_t tag_len = petrel_aead_tag_len(aead);
		if (h->length < explicit_len + tag_len) {
			rl->stats.dropped_malformed++;
			return 0;
		}
		plaintext = body + explicit_len;
		plaintext_len = h->length - explicit_len - tag_len;
		if (plaintext_len > PETREL_MAX_PLAINTEXT) {
			rl->stats.dropped_malformed++;
			return 0;
		}
		int rc = petrel_rl_epoch_aead(st);
		if (rc < 0)
			return rc;
		uint8_t nonce[PETREL_AEAD_NONCE_LEN], ad[PETREL_RL_AD_LEN];
		petrel_rl_nonce(&st->keys, h->epoch, h->seq, body, nonce);
		petrel_rl_additional_data(ad, h->epoch, h->seq, h->content_type, h->version,
					  (uint16_t)plaintext_len);
		uint8_t *dst = plaintext;
		/* (Never into a buffer overlapping the record: the AEADs take
		 * the same buffer or disjoint ones.) */
		if (rl->app_dst != NULL && h->content_type == PETREL_CT_APPLICATION_DATA &&
		    plaintext_len <= rl->app_dst_cap &&
		    !petrel_rl_overlaps(rl->app_dst, plaintext_len, body, h->length))
			dst = rl->app_dst;
		/* The nonce is left unwiped: AEAD security never needs it
		 * secret (RFC 5116 3.1), and it is mostly on the wire. */
		rc = petrel_aead_open_to(st->aead, nonce, ad, sizeof(ad), dst, plaintext,
					 plaintext_len + tag_len);
		if (rc < 0)
			return count_bad(rl);
		if (dst != plaintext) {
			/* One record per destination: the next one opens in place. */
			rl->app_dst = NULL;
			rl->app_dst_cap = 0;
			plaintext = dst;
		}
	} else if (plaintext_len > PETREL_MAX_PLAINTEXT) {
		rl->stats.dropped_malformed++;
		return 0;
	}
	/* Epoch 0 has no MAC, so anyone can forge its sequence numbers: let
	 * such a record mark itself seen, but never drag the window far ahead
	 * (a forged 2^48-2 would make every genuine handshake record "old"). */
	if (aead != PETREL_RL_NULL_CIPHER || h->seq <= st->replay.top ||
	    h->seq - st->replay.top <= PETREL_RL_EPOCH0_MAX_JUMP)
		petrel_replay_update(&st->replay, h->seq);
	rl->stats.records_in++;
	out->content_type = h->content_type;
	out->epoch = h->epoch;
	out->seq = h->seq;
	out->fragment = plaintext;
	out->length = plaintext_len;
	return 1;
}

void petrel_rl_set_app_dst(struct petrel_record_layer *rl, uint8_t *dst, size_t cap)
{
	rl->app_dst = cap > 0 ? dst : NULL;
	rl->app_dst_cap = rl->app_dst != NULL ? cap : 0;
}

/* Copy a whole record (header included) of the next epoch into the
 * bounded buffer; counted either way. */
static int buffer_record(struct petrel_record_layer *rl, uint16_t epoch, const uint8_t *record,
			 size_t record_len)
{
	if (petrel_rl_buffered_count(rl) == 0) {
		rl->buffer_used = 0;
		rl->buffered_count = 0;
	}
	if (rl->buffered_count >= PETREL_RL_MAX_BUFFERED_RECORDS ||
	    record_len > (size_t)(PETREL_RL_MAX_BUFFERED_BYTES - rl->buffer_used)) {
		rl->stats.dropped_buffer_full++;
		return 0;
	}
	if (rl->buffer == NULL) {
		rl->buffer = malloc(PETREL_RL_MAX_BUFFERED_BYTES);
		if (rl->buffer == NULL)
			return PETREL_E_MEMORY;
	}
	struct petrel_rl_buffered *b = &rl->buffered[rl->buffered_count++];
	b->epoch = epoch;
	b->offset = rl->buffer_used;
	b->length = (uint16_t)record_len;
	b->taken = false;
	memcpy(rl->buffer + rl->buffer_used, record, record_len);
	rl->buffer_used = (uint16_t)(rl->buffer_used + record_len);
	rl->stats.buffered_next_epoch++;
	return 0;
}

static struct petrel_rl_epoch_state *read_state(struct petrel_record_layer *rl, uint16_t epoch)
{
	return petrel_rl_read_state(rl, epoch);
}

/* Unprotect a tls12_cid record (RFC 9146 4) whose header was read; notes
 * a newest authentic record for the address-update rule (RFC 9146 6). */
static int unprotect_cid(struct petrel_record_layer *rl, struct petrel_rl_epoch_state *st,
			 const struct petrel_cid_header *h, uint8_t *body, struct petrel_record *out)
{
	bool newest = false;
	int rc = petrel_rl_unprotect_cid(rl, st, h, body, out, &newest);
	if (rc == 1 && newest)
		rl->cid_newest = true;
	return rc;
}

/* One tls12_cid record at dgram + *offset, when we issued a CID: like the
 * plain path below. Returns 1 (*out set), 0 (dropped or buffered: go on),
 * 2 (malformed: the rest of the datagram is dropped) or < 0 (fatal). */
static int read_cid_record(struct petrel_record_layer *rl, uint8_t *dgram, size_t dgram_len,
			   size_t *offset, struct petrel_record *out)
{
	uint8_t *record = dgram + *offset;
	size_t header_len = PETREL_CID_HEADER_LEN(rl->rx_cid_len);
	struct petrel_reader r;
	struct petrel_cid_header h;
	const uint8_t *body_const;
	petrel_reader_init(&r, record, dgram_len - *offset);
	if (!petrel_cid_header_read(&r, rl->rx_cid_len, &h) || h.length > PETREL_MAX_RECORD_BODY ||
	    !petrel_get_bytes(&r, h.length, &body_const)) {
		rl->stats.dropped_malformed++;
		*offset = dgram_len;
		return 2;
	}
	*offset += header_len + h.length;
	/* Not the CID we issued: not for this session (the AEAD would fail
	 * anyway, the additional data holds the CID). */
	if (memcmp(h.cid, rl->rx_cid, rl->rx_cid_len) != 0) {
		rl->stats.dropped_malformed++;
		return 0;
	}
	struct petrel_rl_epoch_state *st = read_state(rl, h.epoch);
	if (st == NULL) {
		if (rl->read[0].epoch != UINT16_MAX && h.epoch == rl->read[0].epoch + 1)
			return buffer_record(rl, h.epoch, record, header_len + h.length);
		rl->stats.dropped_bad_epoch++;
		return 0;
	}
	return unprotect_cid(rl, st, &h, record + header_len, out);
}

int petrel_rl_read(struct petrel_record_layer *rl, uint8_t *dgram, size_t dgram_len,
		   size_t *offset, struct petrel_record *out)
{
	while (*offset < dgram_len) {
		uint8_t *record = dgram + *offset;
		struct petrel_reader r;
		struct petrel_record_header h;
		const uint8_t *body_const;
		/* The first byte says how the record is framed (RFC 9147 4.1,
		 * RFC 9146 4). */
		switch (petrel_record_kind(record[0])) {
		case PETREL_REC_TLS12_CID:
			if (rl->rx_cid_len > 0) {
				int rc = read_cid_record(rl, dgram, dgram_len, offset, out);
				if (rc == 2)
					return 0;
				if (rc != 0)
					return rc;
				continue;
			}
			/* We issued no CID: its header length is unknown. */
			/* fall through */
		case PETREL_REC_UNIFIED: /* DTLS 1.3 ciphertext: not in a 1.2 session */
		case PETREL_REC_INVALID:
			/* No way to find the next record: drop the rest (RFC 6347
			 * 4.1.2.7 allows dropping the whole datagram). */
			rl->stats.dropped_malformed++;
			*offset = dgram_len;
			return 0;
		case PETREL_REC_PLAINTEXT:
			break;
		}
		petrel_reader_init(&r, record, dgram_len - *offset);
		/* A header we cannot parse, or a length running past the
		 * datagram, leaves no way to find the next record: drop the rest. */
		if (!petrel_record_header_read(&r, &h) || h.length > PETREL_MAX_RECORD_BODY ||
		    !petrel_get_bytes(&r, h.length, &body_const)) {
			rl->stats.dropped_malformed++;
			*offset = dgram_len;
			return 0;
		}
		*offset += PETREL_RECORD_HEADER_LEN + h.length;
		/* A framed record of a type this version does not use (the DTLS
		 * 1.3 ACK, 26): skip it alone, the next record may be ours. */
		if (!known_content_type(h.content_type)) {
			rl->stats.dropped_malformed++;
			continue;
		}
		uint8_t *body = record + PETREL_RECORD_HEADER_LEN;
		/* 0xfeff appears on epoch-0 records of the first flight and in
		 * HelloVerifyRequest (RFC 6347 4.2.1). */
		if (h.version != PETREL_DTLS12_VERSION && h.version != PETREL_DTLS10_VERSION) {
			rl->stats.dropped_malformed++;
			continue;
		}
		struct petrel_rl_epoch_state *st = read_state(rl, h.epoch);
		if (st == NULL) {
			if (rl->read[0].epoch != UINT16_MAX && h.epoch == rl->read[0].epoch + 1) {
				int rc = buffer_record(rl, h.epoch, record,
						       PETREL_RECORD_HEADER_LEN + h.length);
				if (rc < 0)
					return rc;
			} else {
				rl->stats.dropped_bad_epoch++;
			}
			continue;
		}
		int rc = petrel_rl_unprotect(rl, st, &h, body, out);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int petrel_rl_take_buffered(struct petrel_record_layer *rl, struct petrel_record *out)
{
	for (size_t i = 0; i < rl->buffered_count; i++) {
		struct petrel_rl_buffered *b = &rl->buffered[i];
		if (b->taken)
			continue;
		struct petrel_rl_epoch_state *st = read_state(rl, b->epoch);
		if (st == NULL) {
			if (b->epoch == rl->read[0].epoch + 1)
				continue; /* keys not here yet: keep it */
			b->taken = true;
			rl->stats.dropped_bad_epoch++;
			continue;
		}
		b->taken = true;
		uint8_t *record = rl->buffer + b->offset;
		struct petrel_reader r;
		struct petrel_record_header h;
		petrel_reader_init(&r, record, b->length);
		if (rl->rx_cid_len > 0 && record[0] == PETREL_CT_TLS12_CID) {
			struct petrel_cid_header ch;
			if (!petrel_cid_header_read(&r, rl->rx_cid_len, &ch)) {
				rl->stats.dropped_malformed++; /* cannot happen: checked on entry */
				continue;
			}
			int rc = unprotect_cid(rl, st, &ch,
					       record + PETREL_CID_HEADER_LEN(rl->rx_cid_len), out);
			if (rc != 0)
				return rc;
			continue;
		}
		if (!petrel_record_header_read(&r, &h)) {
			rl->stats.dropped_malformed++; /* cannot happen: checked on entry */
			continue;
		}
		int rc = petrel_rl_unprotect(rl, st, &h, record + PETREL_RECORD_HEADER_LEN, out);
		if (rc != 0)
			return rc;
	}
	return 0;
}
