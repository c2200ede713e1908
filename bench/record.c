/* Seal+open throughput of 1200-byte records through the record layer,
 * next to the raw AEAD calls it wraps, so the layer's own cost (header,
 * nonce and AD building, replay window) is visible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/record.h"

#define RECORD_PAYLOAD 1200
#define ITERATIONS 20000

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double raw_mb_per_s(enum petrel_aead_alg alg, const uint8_t *key)
{
	struct petrel_aead_ctx *ctx = malloc(petrel_aead_ctx_size());
	if (ctx == NULL || petrel_aead_init(ctx, alg, key) < 0) {
		free(ctx);
		return 0;
	}
	uint8_t buf[RECORD_PAYLOAD + PETREL_AEAD_MAX_TAG_LEN], nonce[PETREL_AEAD_NONCE_LEN] = {0};
	uint8_t ad[13] = {0};
	memset(buf, 0x42, sizeof(buf));
	size_t tag = petrel_aead_tag_len(alg);
	double start = now_seconds();
	for (int i = 0; i < ITERATIONS; i++) {
		nonce[11] = (uint8_t)i;
		nonce[10] = (uint8_t)(i >> 8);
		if (petrel_aead_seal(ctx, nonce, ad, sizeof(ad), buf, RECORD_PAYLOAD) < 0 ||
		    petrel_aead_open(ctx, nonce, ad, sizeof(ad), buf, RECORD_PAYLOAD + tag) < 0) {
			fprintf(stderr, "raw AEAD failed\n");
			exit(1);
		}
	}
	double elapsed = now_seconds() - start;
	petrel_aead_wipe(ctx);
	free(ctx);
	return (double)RECORD_PAYLOAD * ITERATIONS / elapsed / 1e6;
}

static double layer_mb_per_s(enum petrel_aead_alg alg, const uint8_t *key)
{
	struct petrel_record_layer tx, rx;
	struct petrel_epoch_keys keys;
	memset(&keys, 0, sizeof(keys));
	keys.aead = alg;
	memcpy(keys.key, key, PETREL_AEAD_MAX_KEY_LEN);
	petrel_rl_init(&tx);
	petrel_rl_init(&rx);
	if (petrel_rl_set_write_keys(&tx, 1, &keys) < 0 || petrel_rl_set_read_keys(&rx, 1, &keys) < 0)
		return 0;
	uint8_t payload[RECORD_PAYLOAD], dgram[RECORD_PAYLOAD + 64];
	memset(payload, 0x42, sizeof(payload));
	double start = now_seconds();
	for (int i = 0; i < ITERATIONS; i++) {
		struct petrel_writer w;
		petrel_writer_init(&w, dgram, sizeof(dgram));
		if (petrel_rl_write(&tx, 1, PETREL_CT_APPLICATION_DATA, payload, sizeof(payload), &w) < 0) {
			fprintf(stderr, "record write failed\n");
			exit(1);
		}
		size_t off = 0;
		struct petrel_record rec;
		if (petrel_rl_read(&rx, dgram, petrel_writer_len(&w), &off, &rec) != 1) {
			fprintf(stderr, "record read failed\n");
			exit(1);
		}
	}
	double elapsed = now_seconds() - start;
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rx);
	return (double)RECORD_PAYLOAD * ITERATIONS / elapsed / 1e6;
}

int main(void)
{
	static const struct {
		enum petrel_aead_alg alg;
		const char *name;
	} aeads[] = {
		{PETREL_AEAD_AES128_GCM, "AES-128-GCM"},
		{PETREL_AEAD_AES256_GCM, "AES-256-GCM"},
		{PETREL_AEAD_AES128_CCM, "AES-128-CCM"},
		{PETREL_AEAD_AES128_CCM8, "AES-128-CCM-8"},
		{PETREL_AEAD_CHACHA20_POLY1305, "ChaCha20-Poly1305"},
	};
	uint8_t key[PETREL_AEAD_MAX_KEY_LEN];
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	printf("seal+open of %d-byte records, %d iterations\n", RECORD_PAYLOAD, ITERATIONS);
	printf("%-18s %14s %14s %8s\n", "cipher", "record MB/s", "raw AEAD MB/s", "ratio");
	for (size_t i = 0; i < sizeof(aeads) / sizeof(aeads[0]); i++) {
		double raw = raw_mb_per_s(aeads[i].alg, key);
		double layer = layer_mb_per_s(aeads[i].alg, key);
		printf("%-18s %14.1f %14.1f %8.3f\n", aeads[i].name, layer, raw,
		       raw > 0 ? layer / raw : 0.0);
	}
	return 0;
}
