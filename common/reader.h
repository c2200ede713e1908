/* The one bounds-checked buffer reader and its mirror writer (STYLE.md).
 * Every parser in Petrel goes through these: a short read fails cleanly
 * and leaves the reader marked failed, so a chain of gets needs one check. */
#ifndef PETREL_COMMON_READER_H
#define PETREL_COMMON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct petrel_reader {
	const uint8_t *p;
	const uint8_t *end;
	bool failed;
};

static inline void petrel_reader_init(struct petrel_reader *r, const uint8_t *buf, size_t len)
{
	r->p = buf;
	r->end = buf != NULL ? buf + len : buf; /* an empty body may be NULL (NULL + 0 is UB) */
	r->failed = false;
}

static inline size_t petrel_reader_left(const struct petrel_reader *r)
{
	return r->failed ? 0 : (size_t)(r->end - r->p);
}

static inline bool petrel_reader_ok(const struct petrel_reader *r) { return !r->failed; }

/* True when everything was read and nothing failed. */
static inline bool petrel_reader_done(const struct petrel_reader *r)
{
	return !r->failed && r->p == r->end;
}

bool petrel_get_u8(struct petrel_reader *r, uint8_t *out);
/* petrel_get_u8 and petrel_get_bytes inline, same checks and the same
 * failure marking: for the per-record paths (a DTLS 1.3 header per
 * record), where the call is most of the cost. */
static inline bool petrel_get_u8_inline(struct petrel_reader *r, uint8_t *out)
{
	if (r->failed || r->p == r->end) {
		r->failed = true;
		return false;
	}
	*out = *r->p++;
	return true;
}
static inline bool petrel_get_bytes_inline(struct petrel_reader *r, size_t len,
					   const uint8_t **out)
{
	if (r->failed || (size_t)(r->end - r->p) < len) {
		r->failed = true;
		return false;
	}
	*out = r->p;
	r->p += len;
	return true;
}
bool petrel_get_u16(struct petrel_reader *r, uint16_t *out);
bool petrel_get_u24(struct petrel_reader *r, uint32_t *out);
bool petrel_get_u32(struct petrel_reader *r, uint32_t *out);
bool petrel_get_u48(struct petrel_reader *r, uint64_t *out);
bool petrel_get_u64(struct petrel_reader *r, uint64_t *out);
/* Point at the next len bytes (no copy). */
bool petrel_get_bytes(struct petrel_reader *r, size_t len, const uint8_t **out);
/* Copy the next len bytes. */
bool petrel_get_copy(struct petrel_reader *r, uint8_t *dst, size_t len);
bool petrel_skip(struct petrel_reader *r, size_t len);
/* Length-prefixed vectors (TLS opaque<..>): point at the body. */
bool petrel_get_opaque8(struct petrel_reader *r, const uint8_t **body, size_t *len);
bool petrel_get_opaque16(struct petrel_reader *r, const uint8_t **body, size_t *len);
bool petrel_get_opaque24(struct petrel_reader *r, const uint8_t **body, size_t *len);
/* A sub-reader over a length-prefixed vector. */
bool petrel_get_sub8(struct petrel_reader *r, struct petrel_reader *sub);
bool petrel_get_sub16(struct petrel_reader *r, struct petrel_reader *sub);
bool petrel_get_sub24(struct petrel_reader *r, struct petrel_reader *sub);
/* A sub-reader over the next len bytes. */
bool petrel_get_sub(struct petrel_reader *r, size_t len, struct petrel_reader *sub);

struct petrel_writer {
	uint8_t *start;
	uint8_t *p;
	uint8_t *end;
	bool failed;
};

static inline void petrel_writer_init(struct petrel_writer *w, uint8_t *buf, size_t cap)
{
	w->start = buf;
	w->p = buf;
	w->end = buf + cap;
	w->failed = false;
}

static inline size_t petrel_writer_len(const struct petrel_writer *w) { return (size_t)(w->p - w->start); }
static inline size_t petrel_writer_left(const struct petrel_writer *w)
{
	return w->failed ? 0 : (size_t)(w->end - w->p);
}
static inline bool petrel_writer_ok(const struct petrel_writer *w) { return !w->failed; }

bool petrel_put_u8(struct petrel_writer *w, uint8_t v);
bool petrel_put_u16(struct petrel_writer *w, uint16_t v);
bool petrel_put_u24(struct petrel_writer *w, uint32_t v);
bool petrel_put_u32(struct petrel_writer *w, uint32_t v);
bool petrel_put_u48(struct petrel_writer *w, uint64_t v);
bool petrel_put_u64(struct petrel_writer *w, uint64_t v);
bool petrel_put_bytes(struct petrel_writer *w, const uint8_t *src, size_t len);
/* Reserve len bytes to fill later; *out points at them. */
bool petrel_put_reserve(struct petrel_writer *w, size_t len, uint8_t **out);
/* The same inline, for the per-record paths (one DTLS 1.3 record). */
static inline bool petrel_put_reserve_inline(struct petrel_writer *w, size_t len, uint8_t **out)
{
	if (w->failed || (size_t)(w->end - w->p) < len) {
		w->failed = true;
		return false;
	}
	*out = w->p;
	w->p += len;
	return true;
}
bool petrel_put_opaque8(struct petrel_writer *w, const uint8_t *src, size_t len);
bool petrel_put_opaque16(struct petrel_writer *w, const uint8_t *src, size_t len);
bool petrel_put_opaque24(struct petrel_writer *w, const uint8_t *src, size_t len);

/* Length-prefix scopes: open reserves the prefix, close fills it in with the
 * number of bytes written since (fails if it does not fit the prefix). */
struct petrel_len_scope {
	uint8_t *prefix;
	unsigned width;
};
bool petrel_put_len_open(struct petrel_writer *w, unsigned width, struct petrel_len_scope *scope);
bool petrel_put_len_close(struct petrel_writer *w, const struct petrel_len_scope *scope);

/* Big-endian helpers for fixed buffers already bounds-checked by the caller. */
static inline void petrel_store_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void petrel_store_u24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}
static inline void petrel_store_u48(uint8_t *p, uint64_t v)
{
	for (int i = 5; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}
static inline void petrel_store_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}
/* Loads for bytes the caller already took through a reader. */
static inline uint16_t petrel_load_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint64_t petrel_load_u48(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

#endif
