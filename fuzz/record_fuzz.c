/* libFuzzer target: the record layer's datagram reader (RFC 6347 4.1).
 *
 * Byte 0 selects the mode, the rest is the datagram:
 *  - epoch 0 only (null cipher): the datagram as received;
 *  - keys installed for read epoch 1 (AEAD chosen by byte 0): the raw
 *    datagram (bad tags, epoch-2 records to buffer), then the same bytes
 *    cut into records that a writer with the same keys seals, one byte
 *    possibly flipped, so authenticated records reach the reader too;
 *    finally epoch 2 keys are installed and the buffer is drained.
 * Every record handed out must point inside the datagram (or the layer's
 * buffer) and respect PETREL_MAX_PLAINTEXT. Seeds: fuzz/corpus/record/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/record.h"

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		if (!(cond))                                                                  \
			abort();                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(struct petrel_record_layer *rl, uint8_t *dgram, size_t len)
{
	size_t offset = 0;
	struct petrel_record rec;
	int rc;
	unsigned n = 0;
	while ((rc = petrel_rl_read(rl, dgram, len, &offset, &rec)) == 1) {
		CHECK(rec.length <= PETREL_MAX_PLAINTEXT);
		CHECK(rec.length == 0 || (rec.fragment >= dgram && rec.fragment + rec.length <= dgram + len));
		CHECK(offset <= len);
		CHECK(++n <= len / PETREL_RECORD_HEADER_LEN);
	}
	CHECK(rc == 0 || rc == PETREL_E_TOO_MANY_BAD_RECORDS);
}

static void drain_buffered(struct petrel_record_layer *rl)
{
	struct petrel_record rec;
	unsigned n = 0;
	while (petrel_rl_take_buffered(rl, &rec) == 1) {
		CHECK(rec.length <= PETREL_MAX_PLAINTEXT);
		CHECK(++n <= PETREL_RL_MAX_BUFFERED_RECORDS);
	}
	CHECK(petrel_rl_buffered_count(rl) <= PETREL_RL_MAX_BUFFERED_RECORDS);
}

static void fixed_keys(struct petrel_epoch_keys *k, enum petrel_aead_alg alg, uint8_t fill)
{
	memset(k, 0, sizeof *k);
	k->aead = alg;
	memset(k->key, fill, sizeof k->key);
	memset(k->fixed_iv, (uint8_t)(fill ^ 0x5a), sizeof k->fixed_iv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4 * PETREL_MAX_RECORD_BODY)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	uint8_t *dgram = malloc(size + 1);
	if (dgram == NULL)
		return 0;

	struct petrel_record_layer rl;
	petrel_rl_init(&rl);
	petrel_rl_set_bad_record_limit(&rl, mode & 0x80 ? 4 : 0);
	memcpy(dgram, data, size);
	read_all(&rl, dgram, size);
	if ((mode & 1) == 0) {
		petrel_rl_clear(&rl);
		free(dgram);
		return 0;
	}

	enum petrel_aead_alg alg = (enum petrel_aead_alg)(1 + (mode >> 1) % 5);
	struct petrel_epoch_keys k1, k2;
	fixed_keys(&k1, alg, 0x11);
	fixed_keys(&k2, alg, 0x22);
	CHECK(petrel_rl_set_read_keys(&rl, 1, &k1) == 0);
	memcpy(dgram, data, size);
	read_all(&rl, dgram, size);

	/* Seal the input's chunks as epoch-1 records: [type][len8][bytes]... */
	struct petrel_record_layer tx;
	petrel_rl_init(&tx);
	CHECK(petrel_rl_set_write_keys(&tx, 1, &k1) == 0);
	size_t cap = size * 2 + 256 * 40;
	uint8_t *sealed = malloc(cap);
	if (sealed != NULL) {
		struct petrel_writer w;
		petrel_writer_init(&w, sealed, cap);
		size_t pos = 0;
		while (pos + 2 <= size) {
			uint8_t type = data[pos], n = data[pos + 1];
			pos += 2;
			if (n > size - pos)
				n = (uint8_t)(size - pos);
			if (petrel_rl_write(&tx, 1, type, data + pos, n, &w) < 0)
				break;
			pos += n;
		}
		size_t sealed_len = petrel_writer_len(&w);
		if (sealed_len > 0 && (mode & 0x40))
			sealed[data[size - 1] % sealed_len] ^= (uint8_t)(1u << (mode & 7));
		read_all(&rl, sealed, sealed_len);
		free(sealed);
	}
	petrel_rl_clear(&tx);

	CHECK(petrel_rl_set_read_keys(&rl, 2, &k2) == 0);
	drain_buffered(&rl);
	memcpy(dgram, data, size);
	read_all(&rl, dgram, size);
	petrel_rl_retire_previous_read(&rl);
	petrel_rl_release_cache(&rl);
	memcpy(dgram, data, size);
	read_all(&rl, dgram, size);
	(void)petrel_rl_stats(&rl);
	petrel_rl_clear(&rl);
	free(dgram);
	return 0;
}
