/* Reads the recorded DTLS sessions in tests/vectors (copied from
 * ../shared/vectors, see its README): "c2s HEX" and "s2c HEX" lines are
 * datagrams, '#' lines carry the key log and the CIDs. Shared by the 1.2,
 * RFC 9146 and 1.3 vector tests. */
#ifndef PETREL_TESTS_VECTOR_READER_H
#define PETREL_TESTS_VECTOR_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"
#include "record/record.h"

enum { C2S = 0, S2C = 1 };

struct vector_datagram {
	int dir; /* C2S or S2C */
	size_t len;
	uint8_t *data;
};

/* Called with every '#' line of the file, newline included. */
typedef void vector_comment_fn(const char *line, void *ctx);

/* Decodes the hex token at s (up to white space or the end) with the
 * project's decoder: bytes written, 0 for no token, -1 if it is not hex
 * or does not fit cap. */
long vector_unhex(const char *s, uint8_t *out, size_t cap);

/* Loads PETREL_VECTORS_DIR/<path built from fmt>: every datagram line into
 * dg (at most cap of them, asserted), every '#' line to on_comment (may be
 * NULL). Asserts the file opens; returns the datagram count. */
size_t vector_load(struct vector_datagram *dg, size_t cap, vector_comment_fn *on_comment,
		   void *ctx, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void vector_unload(struct vector_datagram *dg, size_t count);

/* A key log line "CLIENT_RANDOM <random> <master secret>" (RFC 5246
 * sessions): true, with both copied (asserted 32 and 48 bytes), if line
 * is one. */
bool vector_client_random(const char *line, uint8_t client_random[32], uint8_t master[48]);

/* "# cid: c2s=HEX s2c=HEX", the CID each direction's records carry: true,
 * with both copied (c2s asserted non-empty), if line is one. */
bool vector_cid(const char *line, uint8_t *c2s, uint8_t *s2c, size_t cap, size_t cid_len[2]);

/* A recorded DTLS 1.2 session: its datagrams, the key log's client random
 * and master secret (RFC 5246 8.1), and the CID each direction's records
 * carry where the file names them (RFC 9146 sessions). */
#define VECTOR_MAX_DATAGRAMS12 64
struct vector_session12 {
	uint8_t client_random[32];
	uint8_t master[48];
	bool have_cid;
	uint8_t cid[2][32];
	size_t cid_len[2];
	size_t count;
	struct vector_datagram dg[VECTOR_MAX_DATAGRAMS12];
};

/* Loads PETREL_VECTORS_DIR/path, asserting it has a key log line; free
 * with vector_unload(s->dg, s->count). */
void vector_load12(const char *path, struct vector_session12 *s);

/* The ServerHello in the server's epoch-0 records (RFC 6347 4.2.2 header,
 * asserted sent whole and DTLS 1.2): its random and cipher suite. */
void vector_server_hello12(const struct vector_session12 *s, uint8_t server_random[32],
			   uint16_t *suite);

/* The RFC 5246 6.3 key block of an AEAD suite (no MAC keys): keys[C2S]
 * from client_write_key and _IV, keys[S2C] from the server's. */
void vector_keys12(const struct vector_session12 *s, const uint8_t server_random[32],
		   enum petrel_hash_alg prf_hash, enum petrel_aead_alg aead, size_t iv_len,
		   struct petrel_epoch_keys keys[2]);

#endif
