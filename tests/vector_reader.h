/* Reads the recorded DTLS sessions in tests/vectors (copied from
 * ../shared/vectors, see its README): "c2s HEX" and "s2c HEX" lines are
 * datagrams, '#' lines carry the key log and the CIDs. Shared by the 1.2,
 * RFC 9146 and 1.3 vector tests. */
#ifndef PETREL_TESTS_VECTOR_READER_H
#define PETREL_TESTS_VECTOR_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
