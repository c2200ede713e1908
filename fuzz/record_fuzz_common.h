/* Shared body of the record-layer fuzz targets (record_fuzz.c, RFC 6347
 * 4.1 records; record_cid_fuzz.c, RFC 9146 tls12_cid records): the checks
 * on every record the reader hands out, the fixed keys, and sealing the
 * input's chunks so authenticated records reach the reader too. */
#ifndef PETREL_FUZZ_RECORD_FUZZ_COMMON_H
#define PETREL_FUZZ_RECORD_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "record/record.h"
#include "fuzz/fuzz_check.h"

typedef void fuzz_read_fn(struct petrel_record_layer *rl, uint8_t *dgram, size_t len);

/* Reads every record of dgram: each lies inside it, within
 * PETREL_MAX_PLAINTEXT, and each took at least a header's bytes. */
static void fuzz_read_records(struct petrel_record_layer *rl, uint8_t *dgram, size_t len)
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

/* Takes every buffered record (the next epoch's, now keyed). */
static void fuzz_drain_buffered(struct petrel_record_layer *rl)
{
	struct petrel_record rec;
	unsigned n = 0;
	while (petrel_rl_take_buffered(rl, &rec) == 1) {
		CHECK(rec.length <= PETREL_MAX_PLAINTEXT);
		CHECK(++n <= PETREL_RL_MAX_BUFFERED_RECORDS);
	}
	CHECK(petrel_rl_buffered_count(rl) <= PETREL_RL_MAX_BUFFERED_RECORDS);
}

static void fuzz_fixed_keys(struct petrel_epoch_keys *k, enum petrel_aead_alg alg, uint8_t fill)
{
	memset(k, 0, sizeof *k);
	k->aead = alg;
	memset(k->key, fill, sizeof k->key);
	memset(k->fixed_iv, (uint8_t)(fill ^ 0x5a), sizeof k->fixed_iv);
}

/* Cuts data into chunks [type][len8][bytes]... that tx seals as epoch-1
 * records (at most overhead bytes added to each), flips one bit of the
 * result when mode has 0x40, and hands it to read. */
static void fuzz_seal_and_read(struct petrel_record_layer *tx, struct petrel_record_layer *rl,
			       fuzz_read_fn *read, const uint8_t *data, size_t size, uint8_t mode,
			       size_t overhead)
{
	size_t cap = size * 2 + 256 * overhead;
	uint8_t *sealed = malloc(cap);
	if (sealed == NULL)
		return;
	struct petrel_writer w;
	petrel_writer_init(&w, sealed, cap);
	size_t pos = 0;
	while (pos + 2 <= size) {
		uint8_t type = data[pos], n = data[pos + 1];
		pos += 2;
		if (n > size - pos)
			n = (uint8_t)(size - pos);
		if (petrel_rl_write(tx, 1, type, data + pos, n, &w) < 0)
			break;
		pos += n;
	}
	size_t sealed_len = petrel_writer_len(&w);
	if (sealed_len > 0 && (mode & 0x40))
		sealed[data[size - 1] % sealed_len] ^= (uint8_t)(1u << (mode & 7));
	read(rl, sealed, sealed_len);
	free(sealed);
}

#endif
