/* Keyed chained hash table (see dtls/peer_table.h). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/peer_table.h"
#include "petrel/petrel.h"

int petrel_table_init(struct petrel_table *t, size_t initial_buckets)
{
	size_t n = 16;
	while (n < initial_buckets)
		n *= 2;
	t->buckets = calloc(n, sizeof *t->buckets);
	if (t->buckets == NULL)
		return PETREL_E_MEMORY;
	t->bucket_count = n;
	t->count = 0;
	petrel_shorthash_keygen(t->hash_key);
	return 0;
}

void petrel_table_free(struct petrel_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->bucket_count = t->count = 0;
}

void petrel_table_node_set_key(struct petrel_table_node *n, const uint8_t *key, size_t len)
{
	assert(len <= PETREL_TABLE_KEY_MAX);
	memcpy(n->key, key, len);
	n->key_len = (uint8_t)len;
}

static uint32_t hash_of(const struct petrel_table *t, const uint8_t *key, size_t len)
{
	uint64_t h = petrel_shorthash(t->hash_key, key, len);
	return (uint32_t)(h ^ (h >> 32));
}

struct petrel_table_node *petrel_table_find(const struct petrel_table *t, const uint8_t *key, size_t len)
{
	uint32_t h = hash_of(t, key, len);
	struct petrel_table_node *n = t->buckets[h & (t->bucket_count - 1)];
	while (n && (n->hash != h || n->key_len != len || memcmp(n->key, key, len) != 0))
		n = n->next;
	return n;
}

static void grow(struct petrel_table *t)
{
	size_t count = t->bucket_count * 2;
	if (count > SIZE_MAX / sizeof *t->buckets)
		return;
	struct petrel_table_node **buckets = calloc(count, sizeof *buckets);
	if (buckets == NULL)
		return;
	for (size_t b = 0; b < t->bucket_count; b++) {
		struct petrel_table_node *n = t->buckets[b];
		while (n) {
			struct petrel_table_node *next = n->next;
			size_t i = n->hash & (count - 1);
			n->next = buckets[i];
			buckets[i] = n;
			n = next;
		}
	}
	free(t->buckets);
	t->buckets = buckets;
	t->bucket_count = count;
}

void petrel_table_insert(struct petrel_table *t, struct petrel_table_node *n)
{
	if (t->count + 1 > t->bucket_count)
		grow(t);
	n->hash = hash_of(t, n->key, n->key_len);
	struct petrel_table_node **b = &t->buckets[n->hash & (t->bucket_count - 1)];
	n->next = *b;
	*b = n;
	t->count++;
}

void petrel_table_remove(struct petrel_table *t, struct petrel_table_node *n)
{
	struct petrel_table_node **p = &t->buckets[n->hash & (t->bucket_count - 1)];
	while (*p && *p != n)
		p = &(*p)->next;
	if (*p == n) {
		*p = n->next;
		t->count--;
	}
	n->next = NULL;
}
