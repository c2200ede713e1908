/* Shared plumbing for the Wycheproof test files (test-only): loading a
 * vector file and decoding hex members. */
#ifndef PETREL_TESTS_CRYPTO_WYCHEPROOF_H
#define PETREL_TESTS_CRYPTO_WYCHEPROOF_H

#include <stddef.h>
#include <stdint.h>

#include "tests/crypto_json.h"

enum wp_result { WP_VALID, WP_INVALID, WP_ACCEPTABLE };

/* Loads PETREL_VECTORS_DIR "/wycheproof/<name>"; fails the test if missing.
 * *total gets numberOfTests, cross-checked against the groups' contents. */
struct crypto_json *wp_load(const char *name, size_t *total);
/* Decodes a hex member into a fresh buffer (never NULL, free it); fails the
 * test on a missing member or bad hex. */
uint8_t *wp_hex(const struct crypto_json *obj, const char *key, size_t *len);
enum wp_result wp_result(const struct crypto_json *test);
long wp_tcid(const struct crypto_json *test);
/* Whether the test's flags list names flag. */
int wp_has_flag(const struct crypto_json *test, const char *flag);

#endif
