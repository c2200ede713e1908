/* The DTLS 1.3 handshake transcript (see dtls13/transcript13.h). */
#include "dtls13/transcript13.h"

#include <string.h>

#include "common/reader.h"
#include "dtls/hs_header.h"
#include "petrel/petrel.h"

#define MESSAGE_HASH 254 /* RFC 8446 4 */

void petrel_dtls13_transcript_init(struct petrel_dtls13_transcript *t, enum petrel_hash_alg alg)
{
	memset(t, 0, sizeof *t);
	t->alg = alg;
	petrel_hash_init(&t->hash, alg);
}

int petrel_dtls13_transcript_add(struct petrel_dtls13_transcript *t, uint8_t msg_type,
				 const uint8_t *body, size_t len)
{
	uint8_t header[4];
	if (len > PETREL_HS_MAX_LENGTH || (body == NULL && len > 0))
		return PETREL_E_INVALID_REQUEST;
	header[0] = msg_type;
	petrel_store_u24(header + 1, (uint32_t)len);
	petrel_hash_update(&t->hash, header, sizeof header);
	petrel_hash_update(&t->hash, body, len);
	t->messages++;
	t->digest_valid = false;
	return 0;
}

int petrel_dtls13_transcript_add_dtls(struct petrel_dtls13_transcript *t, const uint8_t *msg,
				      size_t len)
{
	struct petrel_reader r;
	struct petrel_hs_header h;
	const uint8_t *body;
	if (msg == NULL)
		return PETREL_E_INVALID_REQUEST;
	petrel_reader_init(&r, msg, len);
	if (petrel_hs_header_read(&r, &h, &body) != 0 || !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	/* Only whole messages: reassembly comes first (RFC 9147 5.2). */
	if (h.fragment_offset != 0 || h.fragment_length != h.length)
		return PETREL_E_INVALID_REQUEST;
	return petrel_dtls13_transcript_add(t, h.msg_type, body, h.length);
}

void petrel_dtls13_transcript_hash(struct petrel_dtls13_transcript *t, uint8_t *out)
{
	size_t len = petrel_hash_len(t->alg);
	if (!t->digest_valid) {
		petrel_hash_peek(&t->hash, t->digest);
		t->digest_valid = true;
	}
	memcpy(out, t->digest, len);
}

int petrel_dtls13_transcript_init_from_ch1_hash(struct petrel_dtls13_transcript *t,
						enum petrel_hash_alg alg,
						const uint8_t *ch1_hash, size_t hash_len)
{
	if (ch1_hash == NULL || hash_len == 0 || hash_len != petrel_hash_len(alg))
		return PETREL_E_INVALID_REQUEST;
	petrel_dtls13_transcript_init(t, alg);
	return petrel_dtls13_transcript_add(t, MESSAGE_HASH, ch1_hash, hash_len);
}

int petrel_dtls13_transcript_hrr(struct petrel_dtls13_transcript *t)
{
	uint8_t ch1_hash[PETREL_MAX_HASH_LEN];
	if (t->messages != 1)
		return PETREL_E_INVALID_REQUEST;
	petrel_dtls13_transcript_hash(t, ch1_hash);
	int rc = petrel_dtls13_transcript_init_from_ch1_hash(t, t->alg, ch1_hash,
							    petrel_hash_len(t->alg));
	petrel_wipe(ch1_hash, sizeof ch1_hash);
	return rc;
}

int petrel_dtls13_message_hash(enum petrel_hash_alg alg, uint8_t msg_type, const uint8_t *body,
			       size_t len, uint8_t *out)
{
	/* Public input only (a ClientHello): nothing to wipe. */
	struct petrel_hash_ctx ctx;
	uint8_t header[4];
	if (len > PETREL_HS_MAX_LENGTH || (body == NULL && len > 0))
		return PETREL_E_INVALID_REQUEST;
	header[0] = msg_type;
	petrel_store_u24(header + 1, (uint32_t)len);
	petrel_hash_init(&ctx, alg);
	petrel_hash_update(&ctx, header, sizeof header);
	petrel_hash_update(&ctx, body, len);
	petrel_hash_peek(&ctx, out);
	return 0;
}

void petrel_dtls13_transcript_wipe(struct petrel_dtls13_transcript *t)
{
	petrel_wipe(t, sizeof *t);
}
