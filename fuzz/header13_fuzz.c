/* libFuzzer target: the DTLS 1.3 unified header (RFC 9147 4) and the
 * first-byte dispatch, record number reconstruction (4.2.2) and masking
 * (4.2.3) around it.
 *
 * Input: byte 0 picks the CID length the receiver issued (0, 1, 8 or 20,
 * from bits 0-1) and, with the next 16 bytes, the reconstruction inputs;
 * the rest is a datagram read record by record as the receive path does.
 * Every header read must lie inside the datagram and describe it exactly;
 * writing the header back from what was read gives the same bytes;
 * masking twice restores the sequence number; reconstruction keeps the
 * wire bits and stays within half a window of the expected number.
 * Seeds: fuzz/corpus/header13/ (fuzz/make-seeds13.py). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/reader.h"
#include "record/header13.h"
#include "fuzz/fuzz_check.h"

static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void check_reconstruction(const uint8_t *p)
{
	uint64_t expected = load_u64(p), current = load_u64(p + 8);
	uint16_t low = (uint16_t)(p[0] << 8 | p[15]);
	for (unsigned bits = 8; bits <= 16; bits += 8) {
		uint64_t win = UINT64_C(1) << bits, mask = win - 1;
		uint64_t got = petrel_dtls13_seq_reconstruct(expected, low, bits);
		CHECK((got & mask) == (low & mask));
		/* Away from the ends of the number space the answer is the
		 * candidate closest to expected (RFC 9147 4.2.2). */
		if (expected >= win && expected <= UINT64_MAX - win) {
			uint64_t dist = got > expected ? got - expected : expected - got;
			CHECK(dist <= win / 2);
		}
	}
	uint8_t ebits = p[7] & 3u;
	uint64_t epoch = petrel_dtls13_epoch_reconstruct(current, ebits);
	uint64_t lowest = current >= 2 ? current - 2 : 0;
	CHECK((epoch & 3u) == ebits);
	/* The window [current - 2, current + 1] exists below 2^64 - 2 only;
	 * epochs never get near that (one per KeyUpdate, RFC 9147 4.2.1). */
	if (current < UINT64_MAX - 3)
		CHECK(epoch >= lowest && epoch - lowest <= 3);
}

/* Writes h (as read) back and compares with the bytes it came from. */
static void check_rewrite(const uint8_t *rec, const struct petrel_dtls13_header *h)
{
	uint8_t out[PETREL_DTLS13_HEADER_MAX];
	struct petrel_writer w;
	petrel_writer_init(&w, out, sizeof out);
	struct petrel_dtls13_header_params hp = {
		.epoch = h->epoch_bits, .seq = h->seq_wire, .cid = h->cid, .cid_len = h->cid_len,
		.seq16 = h->seq16, .with_length = h->has_length, .length = h->length,
	};
	size_t seq_offset = 0;
	CHECK(petrel_dtls13_header_write(&w, &hp, &seq_offset));
	CHECK(petrel_writer_len(&w) == h->header_len);
	CHECK(h->header_len == petrel_dtls13_header_len(h->cid_len, h->seq16, h->has_length));
	CHECK(seq_offset == h->seq_offset);
	CHECK(memcmp(out, rec, h->header_len) == 0);
}

static void read_datagram(uint8_t *dgram, size_t len, size_t cid_len, const uint8_t *mask)
{
	struct petrel_reader r;
	petrel_reader_init(&r, dgram, len);
	unsigned n = 0;
	while (petrel_reader_left(&r) > 0) {
		uint8_t *rec = (uint8_t *)r.p;
		size_t left = petrel_reader_left(&r);
		enum petrel_record_kind kind = petrel_record_kind(rec[0]);
		struct petrel_dtls13_header h;
		const uint8_t *body;
		bool ok = petrel_dtls13_header_read(&r, cid_len, &h, &body);
		if (!ok)
			break; /* the rest of the datagram is dropped */
		CHECK(kind == PETREL_REC_UNIFIED);
		CHECK(h.header_len + h.length <= left);
		CHECK(body == rec + h.header_len);
		CHECK(h.has_length || h.header_len + h.length == left);
		CHECK(h.cid == NULL ? h.cid_len == 0 : (h.cid == rec + 1 && h.cid_len == cid_len));
		CHECK(h.seq16 ? h.seq_wire <= 0xffff : h.seq_wire <= 0xff);
		CHECK(h.seq_offset < h.header_len);
		check_rewrite(rec, &h);
		/* Unmasking in place and masking again restores the bytes. */
		uint8_t saved[2] = {rec[h.seq_offset], h.seq16 ? rec[h.seq_offset + 1] : 0};
		uint16_t wire = h.seq_wire;
		petrel_dtls13_unmask_seq(rec, &h, mask);
		CHECK(h.seq_wire == (uint16_t)(wire ^ (h.seq16 ? (mask[0] << 8 | mask[1]) : mask[0])));
		petrel_dtls13_mask_seq(rec + h.seq_offset, h.seq16, mask);
		CHECK(rec[h.seq_offset] == saved[0] && (!h.seq16 || rec[h.seq_offset + 1] == saved[1]));
		CHECK(++n <= len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t cid_lens[4] = {0, 1, 8, 20};
	if (size < 17 || size > 65536 + 17)
		return 0;
	size_t cid_len = cid_lens[data[0] & 3];
	check_reconstruction(data + 1);
	const uint8_t *mask = data + 1; /* 16 bytes */
	size_t len = size - 17;
	uint8_t *dgram = malloc(len ? len : 1);
	if (dgram == NULL)
		return 0;
	memcpy(dgram, data + 17, len);
	read_datagram(dgram, len, cid_len, mask);
	free(dgram);
	return 0;
}
