#include "common/reader.h"

#include <string.h>

static bool fail_reader(struct petrel_reader *r)
{
	r->failed = true;
	return false;
}

static bool get_uint(struct petrel_reader *r, unsigned width, uint64_t *out)
{
	if (r->failed || (size_t)(r->end - r->p) < width)
		return fail_reader(r);
	uint64_t v = 0;
	for (unsigned i = 0; i < width; i++)
		v = (v << 8) | r->p[i];
	r->p += width;
	*out = v;
	return true;
}

/* One implementation: the inline forms in reader.h (the per-record paths
 * call those directly). */
bool petrel_get_u8(struct petrel_reader *r, uint8_t *out)
{
	return petrel_get_u8_inline(r, out);
}

bool petrel_get_u16(struct petrel_reader *r, uint16_t *out)
{
	uint64_t v;
	if (!get_uint(r, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool petrel_get_u24(struct petrel_reader *r, uint32_t *out)
{
	uint64_t v;
	if (!get_uint(r, 3, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool petrel_get_u32(struct petrel_reader *r, uint32_t *out)
{
	uint64_t v;
	if (!get_uint(r, 4, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool petrel_get_u48(struct petrel_reader *r, uint64_t *out) { return get_uint(r, 6, out); }
bool petrel_get_u64(struct petrel_reader *r, uint64_t *out) { return get_uint(r, 8, out); }

bool petrel_get_bytes(struct petrel_reader *r, size_t len, const uint8_t **out)
{
	return petrel_get_bytes_inline(r, len, out);
}

bool petrel_get_copy(struct petrel_reader *r, uint8_t *dst, size_t len)
{
	const uint8_t *src;
	if (!petrel_get_bytes(r, len, &src))
		return false;
	if (len)
		memcpy(dst, src, len);
	return true;
}

bool petrel_skip(struct petrel_reader *r, size_t len)
{
	const uint8_t *ignored;
	return petrel_get_bytes(r, len, &ignored);
}

static bool get_opaque(struct petrel_reader *r, unsigned width, const uint8_t **body, size_t *len)
{
	uint64_t n;
	if (!get_uint(r, width, &n))
		return false;
	if (!petrel_get_bytes(r, (size_t)n, body))
		return false;
	*len = (size_t)n;
	return true;
}

bool petrel_get_opaque8(struct petrel_reader *r, const uint8_t **body, size_t *len) { return get_opaque(r, 1, body, len); }
bool petrel_get_opaque16(struct petrel_reader *r, const uint8_t **body, size_t *len) { return get_opaque(r, 2, body, len); }
bool petrel_get_opaque24(struct petrel_reader *r, const uint8_t **body, size_t *len) { return get_opaque(r, 3, body, len); }

static bool get_sub(struct petrel_reader *r, unsigned width, struct petrel_reader *sub)
{
	const uint8_t *body;
	size_t len;
	if (!get_opaque(r, width, &body, &len)) {
		sub->failed = true;
		sub->p = sub->end = NULL;
		return false;
	}
	petrel_reader_init(sub, body, len);
	return true;
}

bool petrel_get_sub8(struct petrel_reader *r, struct petrel_reader *sub) { return get_sub(r, 1, sub); }
bool petrel_get_sub16(struct petrel_reader *r, struct petrel_reader *sub) { return get_sub(r, 2, sub); }
bool petrel_get_sub24(struct petrel_reader *r, struct petrel_reader *sub) { return get_sub(r, 3, sub); }

bool petrel_get_sub(struct petrel_reader *r, size_t len, struct petrel_reader *sub)
{
	const uint8_t *body;
	if (!petrel_get_bytes(r, len, &body)) {
		sub->failed = true;
		sub->p = sub->end = NULL;
		return false;
	}
	petrel_reader_init(sub, body, len);
	return true;
}

static bool fail_writer(struct petrel_writer *w)
{
	w->failed = true;
	return false;
}

static bool put_uint(struct petrel_writer *w, unsigned width, uint64_t v)
{
	if (w->failed || (size_t)(w->end - w->p) < width)
		return fail_writer(w);
	if (width < 8 && (v >> (8 * width)) != 0)
		return fail_writer(w);
	for (unsigned i = width; i > 0; i--) {
		w->p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
	w->p += width;
	return true;
}

bool petrel_put_u8(struct petrel_writer *w, uint8_t v) { return put_uint(w, 1, v); }
bool petrel_put_u16(struct petrel_writer *w, uint16_t v) { return put_uint(w, 2, v); }
bool petrel_put_u24(struct petrel_writer *w, uint32_t v) { return put_uint(w, 3, v); }
bool petrel_put_u32(struct petrel_writer *w, uint32_t v) { return put_uint(w, 4, v); }
bool petrel_put_u48(struct petrel_writer *w, uint64_t v) { return put_uint(w, 6, v); }
bool petrel_put_u64(struct petrel_writer *w, uint64_t v) { return put_uint(w, 8, v); }

bool petrel_put_reserve(struct petrel_writer *w, size_t len, uint8_t **out)
{
	return petrel_put_reserve_inline(w, len, out);
}

bool petrel_put_bytes(struct petrel_writer *w, const uint8_t *src, size_t len)
{
	uint8_t *dst;
	if (!petrel_put_reserve(w, len, &dst))
		return false;
	if (len)
		memmove(dst, src, len);
	return true;
}

static bool put_opaque(struct petrel_writer *w, unsigned width, const uint8_t *src, size_t len)
{
	return put_uint(w, width, len) && petrel_put_bytes(w, src, len);
}

bool petrel_put_opaque8(struct petrel_writer *w, const uint8_t *src, size_t len) { return put_opaque(w, 1, src, len); }
bool petrel_put_opaque16(struct petrel_writer *w, const uint8_t *src, size_t len) { return put_opaque(w, 2, src, len); }
bool petrel_put_opaque24(struct petrel_writer *w, const uint8_t *src, size_t len) { return put_opaque(w, 3, src, len); }

bool petrel_put_len_open(struct petrel_writer *w, unsigned width, struct petrel_len_scope *scope)
{
	scope->width = width;
	scope->prefix = NULL;
	if (width < 1 || width > 3)
		return fail_writer(w);
	return petrel_put_reserve(w, width, &scope->prefix);
}

bool petrel_put_len_close(struct petrel_writer *w, const struct petrel_len_scope *scope)
{
	if (w->failed || scope->prefix == NULL)
		return fail_writer(w);
	size_t len = (size_t)(w->p - (scope->prefix + scope->width));
	if ((uint64_t)len >> (8 * scope->width))
		return fail_writer(w);
	for (unsigned i = scope->width; i > 0; i--) {
		scope->prefix[i - 1] = (uint8_t)len;
		len >>= 8;
	}
	return true;
}
