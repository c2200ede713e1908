/* A chained hash table of nodes embedded in their owners, keyed by short
 * byte strings a peer chooses (an address with port, an address prefix,
 * a Connection ID the endpoint issued, RFC 9146). The hash is keyed with a per-table
 * secret (crypto/shorthash.h) so nobody can aim collisions at one chain;
 * lookups cost O(1) on average whatever the peers send. The table grows
 * with its contents, never shrinks below its first size. */
#ifndef PETREL_DTLS_PEER_TABLE_H
#define PETREL_DTLS_PEER_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/shorthash.h"

/* Room for the longest key: an address key (family, port, IPv6 address,
 * scope id) or a Connection ID (RFC 9146 allows 255 bytes; an endpoint
 * issues at most 20, EP_CID_MAX). */
#define PETREL_TABLE_KEY_MAX 24

struct petrel_table_node {
	struct petrel_table_node *next;
	uint32_t hash;
	uint8_t key_len;
	uint8_t key[PETREL_TABLE_KEY_MAX];
};

struct petrel_table {
	struct petrel_table_node **buckets;
	size_t bucket_count; /* power of two */
	size_t count;
	uint8_t hash_key[PETREL_SHORTHASH_KEY_LEN];
};

/* 0 or PETREL_E_MEMORY. A fresh random hash key per table. */
int petrel_table_init(struct petrel_table *t, size_t initial_buckets);
/* Frees the buckets; the nodes belong to their owners. */
void petrel_table_free(struct petrel_table *t);
/* Set a node's key before inserting it (len <= PETREL_TABLE_KEY_MAX). */
void petrel_table_node_set_key(struct petrel_table_node *n, const uint8_t *key, size_t len);
struct petrel_table_node *petrel_table_find(const struct petrel_table *t, const uint8_t *key,
					    size_t len);
/* Insert a node whose key is not in the table. Grows the table when it is
 * fuller than one node per bucket; if growing fails the node still goes
 * in (chains get longer), so inserting cannot fail. */
void petrel_table_insert(struct petrel_table *t, struct petrel_table_node *n);
void petrel_table_remove(struct petrel_table *t, struct petrel_table_node *n);

#endif
