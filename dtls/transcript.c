/* The handshake transcript (RFC 6347 4.2.6, RFC 5246 7.4.9): every
 * handshake message as if unfragmented, with a running hash. A service:
 * calls nothing above it. */
#include "dtls/transcript.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls13/messages13.h" /* PETREL_HS13_MESSAGE_HASH */

int petrel_hs_transcript_add(struct petrel_hs *hs, const uint8_t *data, size_t len)
{
	if (hs->transcript_len + len > PETREL_MAX_TRANSCRIPT)
		return PETREL_E_LIMIT_EXCEEDED;
	if (hs->transcript_len + len > hs->transcript_cap) {
		size_t cap = hs->transcript_cap ? hs->transcript_cap : 2048;
		while (cap < hs->transcript_len + len)
			cap *= 2;
		/* Not realloc: it may free the old block without wiping it,
		 * leaving handshake contents on the heap. */
		uint8_t *p = malloc(cap);
		if (p == NULL)
			return PETREL_E_MEMORY;
		if (hs->transcript) {
			memcpy(p, hs->transcript, hs->transcript_len);
			petrel_wipe(hs->transcript, hs->transcript_cap);
			free(hs->transcript);
		}
		hs->transcript = p;
		hs->transcript_cap = cap;
	}
	memcpy(hs->transcript + hs->transcript_len, data, len);
	hs->transcript_len += len;
	if (hs->th_ready)
		petrel_hash_update(&hs->th, data, len);
	return 0;
}

void petrel_hs_transcript_truncate(struct petrel_hs *hs, size_t len)
{
	if (len >= hs->transcript_len)
		return;
	petrel_wipe(hs->transcript + len, hs->transcript_len - len);
	hs->transcript_len = len;
	/* The running hash has the removed bytes in it: rebuilt on demand. */
	hs->th_ready = false;
}

void petrel_hs_transcript_hash(struct petrel_hs *hs, enum petrel_hash_alg alg, uint8_t *out)
{
	/* A running hash from the first request on: the transcript is hashed
	 * once, not again at each of the handshake's ~6 uses. */
	if (!hs->th_ready || hs->th.alg != alg) {
		petrel_hash_init(&hs->th, alg);
		petrel_hash_update(&hs->th, hs->transcript, hs->transcript_len);
		hs->th_ready = true;
	}
	petrel_hash_peek(&hs->th, out);
}

/* The framing differs by version: DTLS 1.2 hashes each message with its
 * 12-byte DTLS header, as if unfragmented (RFC 6347 4.2.6); DTLS 1.3 as
 * TLS 1.3 frames it, msg_type and uint24 length only (RFC 9147 5.2). */
static size_t header_hashed(const struct petrel_hs *hs)
{
	return hs->version == PETREL_V_DTLS13 ? PETREL_HS13_TRANSCRIPT_HEADER_LEN : PETREL_HS_HEADER_LEN;
}

int petrel_hs_transcript_add_message(struct petrel_hs *hs, const uint8_t *header,
				     const uint8_t *body, size_t len)
{
	int rc = petrel_hs_transcript_add(hs, header, header_hashed(hs));
	if (rc == 0 && len)
		rc = petrel_hs_transcript_add(hs, body, len);
	return rc;
}

int petrel_hs_transcript_hrr(struct petrel_hs *hs, enum petrel_hash_alg alg)
{
	/* RFC 8446 4.4.1: after a HelloRetryRequest, ClientHello1 (the only
	 * message so far) is replaced by message_hash(254) || 00 00 ||
	 * Hash.length || Hash(ClientHello1). */
	if (hs->version != PETREL_V_DTLS13 || hs->transcript_len == 0)
		return PETREL_E_INVALID_REQUEST;
	uint8_t msg[PETREL_HS13_TRANSCRIPT_HEADER_LEN + PETREL_MAX_HASH_LEN];
	size_t hash_len = petrel_hash_len(alg);
	petrel_hash(alg, hs->transcript, hs->transcript_len, msg + PETREL_HS13_TRANSCRIPT_HEADER_LEN);
	msg[0] = PETREL_HS13_MESSAGE_HASH;
	msg[1] = 0;
	msg[2] = 0;
	msg[3] = (uint8_t)hash_len;
	petrel_wipe(hs->transcript, hs->transcript_len);
	hs->transcript_len = 0;
	hs->th_ready = false;
	return petrel_hs_transcript_add(hs, msg, PETREL_HS13_TRANSCRIPT_HEADER_LEN + hash_len);
}

/* Add one of our handshake messages to the current flight and to the
 * transcript. */
int petrel_hs_append_message(petrel_session *s, uint8_t msg_type, const uint8_t *body, size_t len,
			     uint16_t epoch)
{
	epoch = petrel_reneg_message_epoch(s, epoch); /* renegotiation: current epoch */
	struct petrel_hs *hs = s->hs;
	int rc = petrel_flight_add_handshake(&hs->flight, msg_type, hs->next_send_seq, epoch, body, len);
	if (rc < 0)
		return rc;
	const uint8_t *bytes;
	size_t bytes_len;
	rc = petrel_flight_transcript(&hs->flight, hs->flight.entry_count - 1, &bytes, &bytes_len);
	if (rc <= 0) /* 0: not a handshake entry, which the add above rules out */
		return rc < 0 ? rc : PETREL_E_INTERNAL;
	hs->next_send_seq++;
	if (bytes_len < PETREL_HS_HEADER_LEN)
		return PETREL_E_INTERNAL;
	return petrel_hs_transcript_add_message(hs, bytes, bytes + PETREL_HS_HEADER_LEN,
						bytes_len - PETREL_HS_HEADER_LEN);
}

