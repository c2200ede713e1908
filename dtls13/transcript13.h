/* The DTLS 1.3 handshake transcript (RFC 9147 5.2, RFC 8446 4.4.1): each
 * message enters as TLS 1.3 frames it, msg_type || uint24 length || body,
 * without DTLS's message_seq and fragment fields; after a
 * HelloRetryRequest the first ClientHello is replaced by the synthetic
 * message_hash(254) || 00 00 Hash.length || Hash(ClientHello1). A
 * stateless server keeps Hash(ClientHello1) in its cookie and rebuilds
 * the transcript from it. Hash with the negotiated suite's hash from the
 * start: a client that may get an HRR keeps ClientHello1 until it knows. */
#ifndef PETREL_DTLS13_TRANSCRIPT13_H
#define PETREL_DTLS13_TRANSCRIPT13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

struct petrel_dtls13_transcript {
	struct petrel_hash_ctx hash;
	enum petrel_hash_alg alg;
	size_t messages;
	/* The last Transcript-Hash, kept until the next message: both peers
	 * hash CH..server Finished twice (Master Secret, then a Finished). */
	bool digest_valid;
	uint8_t digest[PETREL_MAX_HASH_LEN];
};

void petrel_dtls13_transcript_init(struct petrel_dtls13_transcript *t, enum petrel_hash_alg alg);
/* Adds one whole message (body without any header). PETREL_E_INVALID_REQUEST
 * for a body over 2^24 - 1 bytes. */
int petrel_dtls13_transcript_add(struct petrel_dtls13_transcript *t, uint8_t msg_type,
				 const uint8_t *body, size_t len);
/* Adds a message given with its 12-byte DTLS handshake header, unfragmented
 * (fragment_offset 0, fragment_length = length): the 4 TLS header bytes
 * and the body go in, message_seq and the fragment fields do not. */
int petrel_dtls13_transcript_add_dtls(struct petrel_dtls13_transcript *t, const uint8_t *msg,
				      size_t len);
/* The current Transcript-Hash (the running hash unchanged; the value is
 * kept in t until the next message, so asking twice hashes once). */
void petrel_dtls13_transcript_hash(struct petrel_dtls13_transcript *t, uint8_t *out);
/* After a HelloRetryRequest (RFC 8446 4.4.1): the ClientHello1 already in
 * t (it must be the only message) becomes message_hash. */
int petrel_dtls13_transcript_hrr(struct petrel_dtls13_transcript *t);
/* A stateless server's restart: t holds message_hash of ClientHello1 made
 * from its hash (hash_len bytes, as stored in the cookie); then add the
 * HelloRetryRequest and the second ClientHello. */
int petrel_dtls13_transcript_init_from_ch1_hash(struct petrel_dtls13_transcript *t,
						enum petrel_hash_alg alg,
						const uint8_t *ch1_hash, size_t hash_len);
/* Hash(msg_type || uint24 length || body) of one message alone, as the
 * transcript frames it: a stateless server's Hash(ClientHello1) for its
 * cookie (RFC 8446 4.2.2). PETREL_E_INVALID_REQUEST as transcript_add. */
int petrel_dtls13_message_hash(enum petrel_hash_alg alg, uint8_t msg_type, const uint8_t *body,
			       size_t len, uint8_t *out);
void petrel_dtls13_transcript_wipe(struct petrel_dtls13_transcript *t);

#endif
