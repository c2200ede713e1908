/* Protecting outgoing records: header, explicit nonce, AEAD seal from the
 * caller's bytes into the record (RFC 6347 4.1, RFC 5246 6.2.3.3). No
 * allocation or copy per record. */
#include <string.h>

#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/internal.h"
#include "record/protect.h"

int petrel_rl_write(struct petrel_record_layer *rl, uint16_t epoch, uint8_t content_type,
		    const uint8_t *payload, size_t len, struct petrel_writer *w)
{
	struct petrel_rl_epoch_state *st = petrel_rl_write_state(rl, epoch);
	if (st == NULL)
		return PETREL_E_INVALID_REQUEST;
	/* RFC 6347 4.1: the sequence number must not wrap; a new epoch (a
	 * re-handshake) is the only way on. */
	if (st->next_seq > PETREL_MAX_SEQ)
		return PETREL_E_SEQ_EXHAUSTED;
	if (len > PETREL_MAX_PLAINTEXT)
		return PETREL_E_RECORD_OVERFLOW;
	if (len > 0 && payload == NULL)
		return PETREL_E_INVALID_REQUEST;

	enum petrel_aead_alg aead = st->keys.aead;
	size_t explicit_len = petrel_record_explicit_nonce_len(aead);
	if (rl->tx_cid_len > 0 && aead != PETREL_RL_NULL_CIPHER) {
		/* RFC 9146 3: once the peer gave a CID, every protected record
		 * is a tls12_cid record carrying it. */
		if (len > PETREL_CID_MAX_CONTENT)
			return PETREL_E_RECORD_OVERFLOW;
		if (!petrel_writer_ok(w) ||
		    petrel_writer_left(w) < petrel_cid_record_overhead(aead, rl->tx_cid_len) + len)
			return PETREL_E_SHORT_BUFFER;
		/* A payload placed where a plain record's text goes moves to
		 * where the tls12_cid record's text goes. */
		uint8_t *plain_text = w->p + PETREL_RECORD_HEADER_LEN + explicit_len;
		if (len > 0 && payload == plain_text) {
			memmove(plain_text + rl->tx_cid_len, plain_text, len);
			payload = plain_text + rl->tx_cid_len;
		}
		return petrel_rl_write_cid(rl, epoch, rl->tx_cid, rl->tx_cid_len, content_type,
					   payload, len, 0, w);
	}
	size_t tag_len = aead == PETREL_RL_NULL_CIPHER ? 0 : petrel_aead_tag_len(aead);
	size_t body_len = explicit_len + len + tag_len;
	if (!petrel_writer_ok(w) || petrel_writer_left(w) < PETREL_RECORD_HEADER_LEN + body_len)
		return PETREL_E_SHORT_BUFFER;
	/* The payload is either already in place (where the record's text
	 * goes) or apart from the whole record: header and nonce are written
	 * first and would overwrite a payload lying under them. */
	uint8_t *record_start = w->p;
	if (payload != record_start + PETREL_RECORD_HEADER_LEN + explicit_len &&
	    petrel_rl_overlaps(payload, len, record_start, PETREL_RECORD_HEADER_LEN + body_len))
		return PETREL_E_INVALID_REQUEST;
	if (aead != PETREL_RL_NULL_CIPHER) {
		int rc = petrel_rl_epoch_aead(st);
		if (rc < 0)
			return rc;
	}

	uint64_t seq = st->next_seq;
	struct petrel_record_header h = {
		.content_type = content_type,
		.version = PETREL_DTLS12_VERSION,
		.epoch = epoch,
		.seq = seq,
		.length = (uint16_t)body_len,
	};
	uint8_t *explicit_nonce = NULL, *text = NULL;
	petrel_record_header_write(w, &h);
	/* RFC 5288 3: the explicit nonce must be unique per key; epoch||seq is
	 * (and is what the other DTLS stacks send). */
	if (explicit_len) {
		petrel_put_reserve(w, explicit_len, &explicit_nonce);
		petrel_store_u16(explicit_nonce, epoch);
		petrel_store_u48(explicit_nonce + 2, seq);
	}
	petrel_put_reserve(w, len + tag_len, &text);
	if (!petrel_writer_ok(w))
		return PETREL_E_INTERNAL; /* sizes were checked above */
	/* Sealed straight from the caller's bytes (no copy into the record). */
	const uint8_t *src = len ? payload : text;
	if (aead == PETREL_RL_NULL_CIPHER && len && src != text)
		memcpy(text, src, len);

	if (aead != PETREL_RL_NULL_CIPHER) {
		uint8_t nonce[PETREL_AEAD_NONCE_LEN], ad[PETREL_RL_AD_LEN];
		petrel_rl_nonce(&st->keys, epoch, seq, explicit_nonce, nonce);
		petrel_rl_additional_data(ad, epoch, seq, content_type, h.version, (uint16_t)len);
		int rc = petrel_aead_seal_from(st->aead, nonce, ad, sizeof(ad), text, src, len);
		if (rc < 0) {
			/* Leave no half-protected plaintext in the output. */
			petrel_wipe(record_start, PETREL_RECORD_HEADER_LEN + body_len);
			w->p = record_start;
			return rc;
		}
	}
	st->next_seq = seq + 1;
	rl->stats.records_out++;
	return 0;
}
