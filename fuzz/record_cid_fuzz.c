/* libFuzzer target: the record layer's reader with RFC 9146 Connection IDs
 * negotiated (tls12_cid records, content type 25).
 *
 * Byte 0 selects the AEAD and the CID lengths (ours 1..8, the sender's
 * view of it the same bytes), the rest is the datagram: read raw (bad
 * CIDs, truncated headers, epoch-2 records to buffer), then cut into
 * chunks a writer with the same keys and CID seals (one byte possibly
 * flipped), then epoch 2 keys drain the buffer. Every record handed out
 * must lie inside its datagram or the layer's buffer and stay within
 * 2^14 - 1 bytes (RFC 9146 5); the newest flag is only ever set with an
 * authentic record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/record_fuzz_common.h"
#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t cid[8] = {0xc1, 0xd2, 0xe3, 0xf4, 0x05, 0x16, 0x27, 0x38};

/* RFC 9146 6: the newest flag (for address updates) only with an authentic record. */
static void read_all(struct petrel_record_layer *rl, uint8_t *dgram, size_t len)
{
	uint64_t in_before = petrel_rl_stats(rl)->records_in;
	fuzz_read_records(rl, dgram, len);
	if (petrel_rl_take_cid_newest(rl))
		CHECK(petrel_rl_stats(rl)->records_in > in_before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 4 * PETREL_MAX_RECORD_BODY)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	size_t cid_len = 1 + (mode & 7);
	enum petrel_aead_alg alg = (enum petrel_aead_alg)(1 + (mode >> 3) % 5);
	uint8_t *dgram = malloc(size);
	if (dgram == NULL)
		return 0;

	struct petrel_epoch_keys k1, k2;
	fuzz_fixed_keys(&k1, alg, 0x11);
	fuzz_fixed_keys(&k2, alg, 0x22);
	struct petrel_record_layer rl, tx;
	petrel_rl_init(&rl);
	petrel_rl_init(&tx);
	petrel_rl_set_bad_record_limit(&rl, mode & 0x80 ? 4 : 0);
	CHECK(petrel_rl_set_cid(&rl, NULL, 0, cid, cid_len) == 0);
	CHECK(petrel_rl_set_cid(&tx, cid, cid_len, NULL, 0) == 0);
	CHECK(petrel_rl_set_read_keys(&rl, 1, &k1) == 0);
	CHECK(petrel_rl_set_write_keys(&tx, 1, &k1) == 0);
	memcpy(dgram, data, size);
	read_all(&rl, dgram, size);

	/* The input's chunks sealed as epoch-1 tls12_cid records. */
	fuzz_seal_and_read(&tx, &rl, read_all, data, size, mode, 48);
	CHECK(petrel_rl_set_read_keys(&rl, 2, &k2) == 0);
	fuzz_drain_buffered(&rl);
	memcpy(dgram, data, size);
	read_all(&rl, dgram, size);
	petrel_rl_clear(&tx);
	petrel_rl_clear(&rl);
	free(dgram);
	return 0;
}
