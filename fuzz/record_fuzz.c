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

#include "fuzz/record_fuzz_common.h"
#include "petrel/petrel.h"
#include "record/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	fuzz_read_records(&rl, dgram, size);
	if ((mode & 1) == 0) {
		petrel_rl_clear(&rl);
		free(dgram);
		return 0;
	}

	enum petrel_aead_alg alg = (enum petrel_aead_alg)(1 + (mode >> 1) % 5);
	struct petrel_epoch_keys k1, k2;
	fuzz_fixed_keys(&k1, alg, 0x11);
	fuzz_fixed_keys(&k2, alg, 0x22);
	CHECK(petrel_rl_set_read_keys(&rl, 1, &k1) == 0);
	memcpy(dgram, data, size);
	fuzz_read_records(&rl, dgram, size);

	struct petrel_record_layer tx;
	petrel_rl_init(&tx);
	CHECK(petrel_rl_set_write_keys(&tx, 1, &k1) == 0);
	fuzz_seal_and_read(&tx, &rl, fuzz_read_records, data, size, mode, 40);
	petrel_rl_clear(&tx);

	CHECK(petrel_rl_set_read_keys(&rl, 2, &k2) == 0);
	fuzz_drain_buffered(&rl);
	memcpy(dgram, data, size);
	fuzz_read_records(&rl, dgram, size);
	petrel_rl_retire_previous_read(&rl);
	petrel_rl_release_cache(&rl);
	memcpy(dgram, data, size);
	fuzz_read_records(&rl, dgram, size);
	(void)petrel_rl_stats(&rl);
	petrel_rl_clear(&rl);
	free(dgram);
	return 0;
}
