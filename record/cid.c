/* RFC 9146 tls12_cid records: header codec, additional data, inner
 * plaintext, sealing and opening (see record/cid.h for the wire format). */
#include "record/cid.h"

#include <string.h>

#include "petrel/petrel.h"
#include "record/internal.h"
#include "record/protect.h"

bool petrel_cid_header_read(struct petrel_reader *r, size_t cid_len, struct petrel_cid_header *h)
{
	uint8_t type;
	if (cid_len > PETREL_CID_MAX_LEN)
		return false;
	if (!petrel_get_u8(r, &type) || type != PETREL_CT_TLS12_CID)
		return false;
	const uint8_t *p;
	/* The CID sits between the sequence number and the length, so the
	 * fixed fields come in two pieces. */
	if (!petrel_get_bytes(r, 10, &p) || !petrel_get_bytes(r, cid_len, &h->cid) ||
	    !petrel_get_u16(r, &h->length))
		return false;
	h->version = petrel_load_u16(p);
	h->epoch = petrel_load_u16(p + 2);
	h->seq = petrel_load_u48(p + 4);
	h->cid_len = cid_len;
	return true;
}

bool petrel_cid_header_write(struct petrel_writer *w, const struct petrel_cid_header *h)
{
	if (h->seq > PETREL_MAX_SEQ || h->cid_len > PETREL_CID_MAX_LEN ||
	    (h->cid == NULL && h->cid_len > 0))
		return false;
	return petrel_put_u8(w, PETREL_CT_TLS12_CID) && petrel_put_u16(w, h->version) &&
	       petrel_put_u16(w, h->epoch) && petrel_put_u48(w, h->seq) &&
	       petrel_put_bytes(w, h->cid, h->cid_len) && petrel_put_u16(w, h->length);
}

size_t petrel_cid_additional_data(uint8_t ad[PETREL_CID_AD_MAX], uint16_t version, uint16_t epoch,
				  uint64_t seq, const uint8_t *cid, size_t cid_len,
				  uint16_t inner_len)
{
	/* RFC 9146 5 (the final form, not the drafts'): the 0xff placeholder
	 * where the 1.2 seq_num was, then tls12_cid, cid_length and tls12_cid
	 * again, so this input can never equal a non-CID record's. */
	if (cid_len > PETREL_CID_MAX_LEN)
		cid_len = PETREL_CID_MAX_LEN; /* callers check; never overrun ad */
	memset(ad, 0xff, 8);
	ad[8] = PETREL_CT_TLS12_CID;
	ad[9] = (uint8_t)cid_len;
	ad[10] = PETREL_CT_TLS12_CID;
	petrel_store_u16(ad + 11, version);
	petrel_store_u16(ad + 13, epoch);
	petrel_store_u48(ad + 15, seq);
	if (cid_len > 0)
		memcpy(ad + 21, cid, cid_len);
	petrel_store_u16(ad + 21 + cid_len, inner_len);
	return PETREL_CID_AD_LEN(cid_len);
}

int petrel_cid_inner_write(struct petrel_writer *w, const uint8_t *content, size_t len,
			   uint8_t real_type, size_t padding_len)
{
	if (real_type == 0 || (content == NULL && len > 0) || len > PETREL_CID_MAX_CONTENT ||
	    padding_len > PETREL_CID_MAX_CONTENT - len)
		return PETREL_E_INVALID_REQUEST;
	uint8_t *pad;
	if (!petrel_put_bytes(w, content, len) || !petrel_put_u8(w, real_type) ||
	    !petrel_put_reserve(w, padding_len, &pad))
		return PETREL_E_SHORT_BUFFER;
	if (padding_len > 0)
		memset(pad, 0, padding_len);
	return 0;
}

int petrel_cid_inner_parse(const uint8_t *inner, size_t len, uint8_t *real_type,
			   size_t *content_len)
{
	/* RFC 9146 4 / RFC 8446 5.4: the last non-zero byte is the type; the
	 * zeros after it are padding. (inner[0..len) is the caller's buffer
	 * of known length: the scan stays inside it.) */
	size_t n = inner != NULL ? len : 0;
	while (n > 0 && inner[n - 1] == 0)
		n--;
	if (n == 0)
		return PETREL_E_UNEXPECTED_MESSAGE;
	*real_type = inner[n - 1];
	*content_len = n - 1;
	return 0;
}

size_t petrel_cid_record_overhead(enum petrel_aead_alg aead, size_t cid_len)
{
	size_t tag = aead == PETREL_RL_NULL_CIPHER ? 0 : petrel_aead_tag_len(aead);
	return PETREL_CID_HEADER_LEN(cid_len) + petrel_record_explicit_nonce_len(aead) + 1 + tag;
}

int petrel_cid_seal(const struct petrel_epoch_keys *keys, const struct petrel_aead_ctx *aead,
		    uint16_t epoch, uint64_t seq, const uint8_t *cid, size_t cid_len,
		    uint8_t real_type, const uint8_t *payload, size_t len, size_t padding_len,
		    struct petrel_writer *w)
{
	/* RFC 9146 3: only protected records carry a CID. */
	if (keys == NULL || aead == NULL || keys->aead == PETREL_RL_NULL_CIPHER ||
	    cid_len > PETREL_CID_MAX_LEN || (cid == NULL && cid_len > 0) || real_type == 0 ||
	    (payload == NULL && len > 0))
		return PETREL_E_INVALID_REQUEST;
	if (seq > PETREL_MAX_SEQ)
		return PETREL_E_SEQ_EXHAUSTED;
	if (len > PETREL_CID_MAX_CONTENT || padding_len > PETREL_CID_MAX_CONTENT - len)
		return PETREL_E_RECORD_OVERFLOW;

	size_t inner_len = len + 1 + padding_len;
	size_t explicit_len = petrel_record_explicit_nonce_len(keys->aead);
	size_t tag_len = petrel_aead_tag_len(keys->aead);
	size_t header_len = PETREL_CID_HEADER_LEN(cid_len);
	size_t body_len = explicit_len + inner_len + tag_len;
	if (!petrel_writer_ok(w) || petrel_writer_left(w) < header_len + body_len)
		return PETREL_E_SHORT_BUFFER;
	uint8_t *record_start = w->p;
	size_t record_len = header_len + body_len;
	/* The payload is in place (where the content goes) or apart from the
	 * record; so is the CID, copied into the header. */
	if ((payload != record_start + header_len + explicit_len &&
	     petrel_rl_overlaps(payload, len, record_start, record_len)) ||
	    petrel_rl_overlaps(cid, cid_len, record_start, record_len))
		return PETREL_E_INVALID_REQUEST;

	struct petrel_cid_header h = {
		.version = PETREL_DTLS12_VERSION,
		.epoch = epoch,
		.seq = seq,
		.cid = cid,
		.cid_len = cid_len,
		.length = (uint16_t)body_len,
	};
	uint8_t *explicit_nonce = NULL, *text = NULL;
	petrel_cid_header_write(w, &h);
	/* Unique per key (RFC 5288 3): epoch||seq, as for other records. */
	if (explicit_len) {
		petrel_put_reserve(w, explicit_len, &explicit_nonce);
		petrel_store_u16(explicit_nonce, epoch);
		petrel_store_u48(explicit_nonce + 2, seq);
	}
	petrel_put_reserve(w, inner_len + tag_len, &text);
	if (!petrel_writer_ok(w)) {
		w->p = record_start;
		return PETREL_E_INTERNAL; /* sizes were checked above */
	}
	if (len > 0 && payload != text)
		memcpy(text, payload, len);
	text[len] = real_type;
	memset(text + len + 1, 0, padding_len);

	uint8_t nonce[PETREL_AEAD_NONCE_LEN], ad[PETREL_CID_AD_MAX];
	petrel_rl_nonce(keys, epoch, seq, explicit_nonce, nonce);
	size_t ad_len = petrel_cid_additional_data(ad, h.version, epoch, seq, cid, cid_len,
						   (uint16_t)inner_len);
	int rc = petrel_aead_seal(aead, nonce, ad, ad_len, text, inner_len);
	if (rc < 0) {
		petrel_wipe(record_start, record_len);
		w->p = record_start;
		return rc;
	}
	return 0;
}

int petrel_cid_open(const struct petrel_epoch_keys *keys, const struct petrel_aead_ctx *aead,
		    const struct petrel_cid_header *h, uint8_t *body, uint8_t *real_type,
		    uint8_t **content, size_t *content_len)
{
	if (keys == NULL || aead == NULL || keys->aead == PETREL_RL_NULL_CIPHER ||
	    h->cid_len > PETREL_CID_MAX_LEN || (body == NULL && h->length > 0))
		return PETREL_E_INVALID_REQUEST;
	size_t explicit_len = petrel_record_explicit_nonce_len(keys->aead);
	size_t tag_len = petrel_aead_tag_len(keys->aead);
	/* At least one inner byte: the real type. */
	if (h->length < explicit_len + 1 + tag_len)
		return PETREL_E_DECODE_ERROR;
	size_t inner_len = h->length - explicit_len - tag_len;
	if (inner_len > PETREL_CID_MAX_INNER)
		return PETREL_E_RECORD_OVERFLOW;

	uint8_t nonce[PETREL_AEAD_NONCE_LEN], ad[PETREL_CID_AD_MAX];
	petrel_rl_nonce(keys, h->epoch, h->seq, body, nonce);
	size_t ad_len = petrel_cid_additional_data(ad, h->version, h->epoch, h->seq, h->cid,
						   h->cid_len, (uint16_t)inner_len);
	uint8_t *inner = body + explicit_len;
	int rc = petrel_aead_open(aead, nonce, ad, ad_len, inner, inner_len + tag_len);
	if (rc < 0)
		return rc;
	rc = petrel_cid_inner_parse(inner, inner_len, real_type, content_len);
	if (rc < 0)
		return rc;
	*content = inner;
	return 0;
}

int petrel_rl_write_cid(struct petrel_record_layer *rl, uint16_t epoch, const uint8_t *cid,
			size_t cid_len, uint8_t content_type, const uint8_t *payload, size_t len,
			size_t padding_len, struct petrel_writer *w)
{
	struct petrel_rl_epoch_state *st = petrel_rl_write_state(rl, epoch);
	if (st == NULL || st->keys.aead == PETREL_RL_NULL_CIPHER)
		return PETREL_E_INVALID_REQUEST;
	/* RFC 6347 4.1: no wrap; a new epoch is the only way on. */
	if (st->next_seq > PETREL_MAX_SEQ)
		return PETREL_E_SEQ_EXHAUSTED;
	int rc = petrel_rl_epoch_aead(st);
	if (rc < 0)
		return rc;
	rc = petrel_cid_seal(&st->keys, st->aead, epoch, st->next_seq, cid, cid_len, content_type,
			     payload, len, padding_len, w);
	if (rc < 0)
		return rc;
	st->next_seq++;
	rl->stats.records_out++;
	return 0;
}

int petrel_rl_unprotect_cid(struct petrel_record_layer *rl, struct petrel_rl_epoch_state *st,
			    const struct petrel_cid_header *h, uint8_t *body,
			    struct petrel_record *out, bool *newest)
{
	if (newest != NULL)
		*newest = false;
	/* RFC 9146 3: never in plaintext epochs; RFC 9146 4: version as in
	 * DTLS 1.2. Invalid records are dropped (RFC 6347 4.1.2.7). */
	if (st->keys.aead == PETREL_RL_NULL_CIPHER || h->version != PETREL_DTLS12_VERSION ||
	    h->length > PETREL_MAX_RECORD_BODY) {
		rl->stats.dropped_malformed++;
		return 0;
	}
	if (!petrel_replay_check(&st->replay, h->seq)) {
		rl->stats.dropped_replay++;
		return 0;
	}
	int rc = petrel_rl_epoch_aead(st);
	if (rc < 0)
		return rc;
	uint8_t real_type = 0, *content = NULL;
	size_t content_len = 0;
	rc = petrel_cid_open(&st->keys, st->aead, h, body, &real_type, &content, &content_len);
	if (rc == PETREL_E_DECRYPTION_FAILED) {
		rl->stats.dropped_bad_mac++;
		rl->bad_records++;
		if (rl->bad_record_limit && rl->bad_records > rl->bad_record_limit)
			return PETREL_E_TOO_MANY_BAD_RECORDS;
		return 0;
	}
	if (rc < 0) {
		/* Too short, too long, or authentic but without a real type:
		 * the window stays as it was. */
		rl->stats.dropped_malformed++;
		return 0;
	}
	/* RFC 9146 6: only the newest authentic record may move the peer. */
	bool is_newest = st == &rl->read[0] && (!st->replay.any || h->seq > st->replay.top);
	petrel_replay_update(&st->replay, h->seq);
	if (newest != NULL)
		*newest = is_newest;
	rl->stats.records_in++;
	out->content_type = real_type;
	out->epoch = h->epoch;
	out->seq = h->seq;
	out->fragment = content;
	out->length = content_len;
	return 1;
}

int petrel_rl_set_cid(struct petrel_record_layer *rl, const uint8_t *tx_cid, size_t tx_cid_len,
		      const uint8_t *rx_cid, size_t rx_cid_len)
{
	if (tx_cid_len > PETREL_CID_MAX_LEN || rx_cid_len > PETREL_CID_MAX_LEN ||
	    (tx_cid_len && tx_cid == NULL) || (rx_cid_len && rx_cid == NULL))
		return PETREL_E_INVALID_REQUEST;
	rl->tx_cid = tx_cid_len ? tx_cid : NULL;
	rl->tx_cid_len = (uint8_t)tx_cid_len;
	rl->rx_cid = rx_cid_len ? rx_cid : NULL;
	rl->rx_cid_len = (uint8_t)rx_cid_len;
	rl->cid_newest = false;
	return 0;
}

size_t petrel_rl_cid_extra(const struct petrel_record_layer *rl, enum petrel_aead_alg aead)
{
	if (rl->tx_cid_len == 0 || aead == PETREL_RL_NULL_CIPHER)
		return 0;
	return petrel_cid_record_overhead(aead, rl->tx_cid_len) - petrel_record_overhead(aead);
}

bool petrel_rl_take_cid_newest(struct petrel_record_layer *rl)
{
	bool newest = rl->cid_newest;
	rl->cid_newest = false;
	return newest;
}

size_t petrel_rl_max_content(const struct petrel_record_layer *rl)
{
	return rl->tx_cid_len > 0 ? PETREL_CID_MAX_CONTENT : PETREL_MAX_PLAINTEXT;
}
