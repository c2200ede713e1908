/* A small JSON reader for the Wycheproof vector files (test-only). Parses a
 * whole document into a tree; lookups return NULL when a key or index is
 * missing or the type does not match. */
#ifndef PETREL_TESTS_CRYPTO_JSON_H
#define PETREL_TESTS_CRYPTO_JSON_H

#include <stddef.h>
#include <stdint.h>

enum crypto_json_type {
	CRYPTO_JSON_NULL,
	CRYPTO_JSON_BOOL,
	CRYPTO_JSON_NUMBER,
	CRYPTO_JSON_STRING,
	CRYPTO_JSON_ARRAY,
	CRYPTO_JSON_OBJECT,
};

struct crypto_json {
	enum crypto_json_type type;
	double number;            /* NUMBER; BOOL as 0/1 */
	char *string;             /* STRING (NUL-terminated, escapes decoded) */
	size_t count;             /* ARRAY / OBJECT members */
	char **keys;              /* OBJECT member names */
	struct crypto_json **items;
};

/* NULL on a read or syntax error. */
struct crypto_json *crypto_json_parse_file(const char *path);
struct crypto_json *crypto_json_parse(const char *text, size_t len);
void crypto_json_free(struct crypto_json *v);

const struct crypto_json *crypto_json_get(const struct crypto_json *obj, const char *key);
const struct crypto_json *crypto_json_at(const struct crypto_json *arr, size_t i);
size_t crypto_json_len(const struct crypto_json *arr);
/* String member or NULL. */
const char *crypto_json_str(const struct crypto_json *obj, const char *key);
/* Number member, or -1 if missing. */
long crypto_json_int(const struct crypto_json *obj, const char *key);

#endif
