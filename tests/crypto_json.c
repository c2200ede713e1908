/* Test-only recursive-descent JSON parser (RFC 8259), enough for Wycheproof. */
#include "tests/crypto_json.h"

#include "common/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct parser {
	const char *p, *end;
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

static struct crypto_json *new_value(enum crypto_json_type type)
{
	struct crypto_json *v = calloc(1, sizeof *v);
	if (v != NULL)
		v->type = type;
	return v;
}

static int append(struct crypto_json *v, char *key, struct crypto_json *item)
{
	struct crypto_json **items = realloc(v->items, (v->count + 1) * sizeof *items);
	if (items == NULL)
		return -1;
	v->items = items;
	if (v->type == CRYPTO_JSON_OBJECT) {
		char **keys = realloc(v->keys, (v->count + 1) * sizeof *keys);
		if (keys == NULL)
			return -1;
		v->keys = keys;
		v->keys[v->count] = key;
	}
	v->items[v->count++] = item;
	return 0;
}

/* Parses a string body after the opening quote; \u escapes become UTF-8
 * (surrogate pairs are not joined: Wycheproof inputs are hex). */
static char *parse_string(struct parser *ps)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	while (ps->p < ps->end && *ps->p != '"') {
		char c = *ps->p++;
		char buf[4];
		size_t blen = 1;

		buf[0] = c;
		if (c == '\\') {
			if (ps->p >= ps->end)
				goto fail;
			c = *ps->p++;
			switch (c) {
			case 'n': buf[0] = '\n'; break;
			case 't': buf[0] = '\t'; break;
			case 'r': buf[0] = '\r'; break;
			case 'b': buf[0] = '\b'; break;
			case 'f': buf[0] = '\f'; break;
			case 'u': {
				unsigned cp = 0;
				if (ps->end - ps->p < 4)
					goto fail;
				for (int i = 0; i < 4; i++) {
					int h = petrel_hex_digit(*ps->p++);
					if (h < 0)
						goto fail;
					cp = cp << 4 | (unsigned)h;
				}
				if (cp < 0x80) {
					buf[0] = (char)cp;
				} else if (cp < 0x800) {
					buf[0] = (char)(0xc0 | cp >> 6);
					buf[1] = (char)(0x80 | (cp & 0x3f));
					blen = 2;
				} else {
					buf[0] = (char)(0xe0 | cp >> 12);
					buf[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
					buf[2] = (char)(0x80 | (cp & 0x3f));
					blen = 3;
				}
				break;
			}
			default: buf[0] = c; break; /* \" \\ \/ */
			}
		}
		if (n + blen + 1 > cap) {
			char *bigger;
			cap *= 2;
			bigger = realloc(out, cap);
			if (bigger == NULL)
				goto fail;
			out = bigger;
		}
		memcpy(out + n, buf, blen);
		n += blen;
	}
	if (ps->p >= ps->end)
		goto fail;
	ps->p++; /* closing quote */
	out[n] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

static struct crypto_json *parse_value(struct parser *ps, int depth);

static struct crypto_json *parse_container(struct parser *ps, int depth, int object)
{
	struct crypto_json *v = new_value(object ? CRYPTO_JSON_OBJECT : CRYPTO_JSON_ARRAY);
	char close = object ? '}' : ']';

	if (v == NULL)
		return NULL;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct crypto_json *item;

		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				goto fail;
			ps->p++;
			key = parse_string(ps);
			skip_ws(ps);
			if (key == NULL || ps->p >= ps->end || *ps->p != ':') {
				free(key);
				goto fail;
			}
			ps->p++;
		}
		item = parse_value(ps, depth + 1);
		if (item == NULL || append(v, key, item) != 0) {
			free(key);
			crypto_json_free(item);
			goto fail;
		}
		skip_ws(ps);
		if (ps->p >= ps->end)
			goto fail;
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return v;
		}
		goto fail;
	}
fail:
	crypto_json_free(v);
	return NULL;
}

static struct crypto_json *parse_value(struct parser *ps, int depth)
{
	struct crypto_json *v;

	if (depth > MAX_DEPTH)
		return NULL;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return NULL;
	switch (*ps->p) {
	case '{':
		ps->p++;
		return parse_container(ps, depth, 1);
	case '[':
		ps->p++;
		return parse_container(ps, depth, 0);
	case '"':
		ps->p++;
		v = new_value(CRYPTO_JSON_STRING);
		if (v == NULL)
			return NULL;
		v->string = parse_string(ps);
		if (v->string == NULL) {
			free(v);
			return NULL;
		}
		return v;
	}
	if ((size_t)(ps->end - ps->p) >= 4 && memcmp(ps->p, "null", 4) == 0) {
		ps->p += 4;
		return new_value(CRYPTO_JSON_NULL);
	}
	if ((size_t)(ps->end - ps->p) >= 4 && memcmp(ps->p, "true", 4) == 0) {
		ps->p += 4;
		v = new_value(CRYPTO_JSON_BOOL);
		if (v != NULL)
			v->number = 1;
		return v;
	}
	if ((size_t)(ps->end - ps->p) >= 5 && memcmp(ps->p, "false", 5) == 0) {
		ps->p += 5;
		return new_value(CRYPTO_JSON_BOOL);
	}
	{
		char buf[64];
		size_t n = 0;
		char *endp;
		while (ps->p + n < ps->end && n < sizeof buf - 1 &&
		       strchr("+-0123456789.eE", ps->p[n]) != NULL)
			n++;
		if (n == 0)
			return NULL;
		memcpy(buf, ps->p, n);
		buf[n] = '\0';
		v = new_value(CRYPTO_JSON_NUMBER);
		if (v == NULL)
			return NULL;
		v->number = strtod(buf, &endp);
		if (endp != buf + n) {
			free(v);
			return NULL;
		}
		ps->p += n;
		return v;
	}
}

struct crypto_json *crypto_json_parse(const char *text, size_t len)
{
	struct parser ps = {text, text + len};
	struct crypto_json *v = parse_value(&ps, 0);

	skip_ws(&ps);
	if (v != NULL && ps.p != ps.end) {
		crypto_json_free(v);
		return NULL;
	}
	return v;
}

struct crypto_json *crypto_json_parse_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long size;
	struct crypto_json *v = NULL;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	text = malloc((size_t)size + 1);
	if (text != NULL && fread(text, 1, (size_t)size, f) == (size_t)size)
		v = crypto_json_parse(text, (size_t)size);
	free(text);
	fclose(f);
	return v;
}

void crypto_json_free(struct crypto_json *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->count; i++) {
		crypto_json_free(v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
	free(v);
}

const struct crypto_json *crypto_json_get(const struct crypto_json *obj, const char *key)
{
	if (obj == NULL || obj->type != CRYPTO_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->count; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

const struct crypto_json *crypto_json_at(const struct crypto_json *arr, size_t i)
{
	if (arr == NULL || arr->type != CRYPTO_JSON_ARRAY || i >= arr->count)
		return NULL;
	return arr->items[i];
}

size_t crypto_json_len(const struct crypto_json *arr)
{
	return arr != NULL && arr->type == CRYPTO_JSON_ARRAY ? arr->count : 0;
}

const char *crypto_json_str(const struct crypto_json *obj, const char *key)
{
	const struct crypto_json *v = crypto_json_get(obj, key);
	return v != NULL && v->type == CRYPTO_JSON_STRING ? v->string : NULL;
}

long crypto_json_int(const struct crypto_json *obj, const char *key)
{
	const struct crypto_json *v = crypto_json_get(obj, key);
	return v != NULL && v->type == CRYPTO_JSON_NUMBER ? (long)v->number : -1;
}
