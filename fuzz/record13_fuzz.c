/* libFuzzer target: DTLS 1.3 record protection (RFC 9147 4, 4.2.3; RFC
 * 8446 5.2-5.4) over one epoch's fixed keys: unified header, record
 * number encryption, the AEAD and TLSInnerPlaintext.
 *
 * Byte 0: bits 0-2 the AEAD (of five), bit 3 a 4-byte CID, bit 4 the
 * wolfSSL ChaCha20 counter order, bit 5 flips one bit of the sealed
 * records; bytes 1-2: the expected sequence number's low bits. Then:
 *  - the rest as a received datagram: each record opened on an exact-size
 *    copy (bad tags, short and oversized records, all-zero inner
 *    plaintext): only the documented codes, and on failure the header is
 *    back in its wire form;
 *  - the rest cut into [type][len8][shape] chunks that a sender with the
 *    same keys seals into one datagram, which is then read and opened:
 *    every untouched record gives back its sequence number, type and
 *    content, and a second opening against the replay window is refused.
 * Seeds: fuzz/corpus/record13/ (fuzz/make-seeds13.py). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/record13.h"
#include "petrel/petrel.h"
#include "record/record.h"
#include "fuzz/fuzz_check.h"

static const enum petrel_aead_alg aeads[] = {
	PETREL_AEAD_AES128_GCM, PETREL_AEAD_AES256_GCM, PETREL_AEAD_AES128_CCM,
	PETREL_AEAD_AES128_CCM8, PETREL_AEAD_CHACHA20_POLY1305,
};
static const uint8_t cid4[4] = {0xc1, 0xd2, 0xe3, 0xf4};

struct keyset {
	struct petrel_aead_ctx *aead;
	struct petrel_rn_key sn;
	struct petrel_dtls13_record_keys keys;
};

static bool keyset_init(struct keyset *k, enum petrel_aead_alg alg,
			enum petrel_rn_chacha_counter order)
{
	uint8_t key[32], sn_key[32];
	for (int i = 0; i < 32; i++) {
		key[i] = (uint8_t)(0x11 + i);
		sn_key[i] = (uint8_t)(0x77 ^ i);
	}
	k->aead = malloc(petrel_aead_ctx_size());
	if (k->aead == NULL)
		return false;
	CHECK(petrel_aead_init(k->aead, alg, key) == 0);
	CHECK(petrel_rn_key_init(&k->sn, alg, sn_key) == 0);
	k->keys.aead = k->aead;
	k->keys.alg = alg;
	for (int i = 0; i < PETREL_AEAD_NONCE_LEN; i++)
		k->keys.iv[i] = (uint8_t)(0xa0 + i);
	k->keys.sn = &k->sn;
	k->keys.counter_order = order;
	return true;
}

static void keyset_free(struct keyset *k)
{
	petrel_aead_wipe(k->aead);
	free(k->aead);
	petrel_rn_key_wipe(&k->sn);
}

static bool expected_code(int rc)
{
	return rc == PETREL_E_DECODE_ERROR || rc == PETREL_E_RECORD_OVERFLOW ||
	       rc == PETREL_E_DECRYPTION_FAILED || rc == PETREL_E_UNEXPECTED_MESSAGE ||
	       rc == PETREL_E_REPLAYED;
}

/* Opens one record (rec_len bytes, header h) on an exact-size copy. */
static int open_copy(const struct keyset *k, const uint8_t *rec, size_t rec_len,
		     const struct petrel_dtls13_header *h_in, uint64_t expected,
		     const struct petrel_replay_window *win, uint64_t *seq, uint8_t *type,
		     uint8_t *content_out, size_t *content_len)
{
	uint8_t *copy = malloc(rec_len);
	CHECK(copy != NULL);
	memcpy(copy, rec, rec_len);
	struct petrel_dtls13_header h = *h_in;
	if (h.cid)
		h.cid = copy + (h.cid - rec);
	uint8_t *content = NULL;
	int rc = petrel_dtls13_open(&k->keys, copy, &h, expected, win, seq, type, &content,
				    content_len);
	if (rc == 0) {
		CHECK(*type != 0);
		CHECK(content == copy + h.header_len);
		CHECK(*content_len + 1 + petrel_aead_tag_len(k->keys.alg) <= h.length);
		CHECK(*content_len <= PETREL_DTLS13_MAX_INNER - 1);
		if (content_out)
			memcpy(content_out, content, *content_len);
	} else {
		CHECK(expected_code(rc));
		if (rc != PETREL_E_UNEXPECTED_MESSAGE) /* decrypted, then no type */
			CHECK(memcmp(copy, rec, h.header_len) == 0);
		CHECK(h.seq_wire == h_in->seq_wire || rc == PETREL_E_UNEXPECTED_MESSAGE);
	}
	petrel_wipe(copy, rec_len);
	free(copy);
	return rc;
}

static void open_datagram(const struct keyset *k, const uint8_t *dgram, size_t len,
			  size_t cid_len, uint64_t expected)
{
	struct petrel_reader r;
	petrel_reader_init(&r, dgram, len);
	while (petrel_reader_left(&r) > 0) {
		const uint8_t *rec = r.p;
		struct petrel_dtls13_header h;
		const uint8_t *body;
		if (!petrel_dtls13_header_read(&r, cid_len, &h, &body))
			break;
		uint64_t seq;
		uint8_t type;
		size_t clen;
		(void)open_copy(k, rec, h.header_len + h.length, &h, expected, NULL, &seq, &type,
				NULL, &clen);
	}
}

#define MAX_SEALED 64
struct sealed {
	size_t offset, len;
	uint64_t seq;
	uint8_t type;
	const uint8_t *content;
	size_t content_len;
};

static void seal_and_open(const struct keyset *k, const uint8_t *in, size_t size, uint8_t mode,
			  uint64_t first_seq)
{
	size_t cid_len = mode & 0x08 ? sizeof cid4 : 0;
	size_t cap = size * 2 + MAX_SEALED * 64 + 64;
	uint8_t *dgram = malloc(cap);
	CHECK(dgram != NULL);
	struct petrel_writer w;
	petrel_writer_init(&w, dgram, cap);
	struct sealed recs[MAX_SEALED];
	size_t n = 0, pos = 0;
	uint64_t seq = first_seq;
	while (pos + 3 <= size && n < MAX_SEALED) {
		uint8_t type = in[pos], len = in[pos + 1], shape = in[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = (uint8_t)(size - pos);
		struct petrel_dtls13_header_params hp = {
			.epoch = 3, .seq = seq, .cid = cid_len ? cid4 : NULL, .cid_len = cid_len,
			.seq16 = (shape & 1) != 0,
			/* Only the last record may omit its length (RFC 9147 4). */
			.with_length = (shape & 2) != 0 || pos + len + 3 <= size,
		};
		size_t at = petrel_writer_len(&w);
		int rc = petrel_dtls13_seal(&k->keys, &hp, type, in + pos, len, shape >> 3, &w);
		if (type == 0) {
			CHECK(rc == PETREL_E_INVALID_REQUEST);
		} else {
			CHECK(rc == 0);
			recs[n++] = (struct sealed){at, petrel_writer_len(&w) - at, seq, type, in + pos,
						    len};
			/* Gaps up to 100: within half an 8-bit window of the number
			 * after the previous record, so reconstruction must work. */
			seq += 1 + (shape & 4 ? 100u : 0u);
		}
		pos += len;
		if (!hp.with_length)
			break;
	}
	size_t dgram_len = petrel_writer_len(&w);
	size_t flipped = SIZE_MAX;
	if (dgram_len > 0 && (mode & 0x20)) {
		flipped = (size_t)in[size - 1] * 131 % dgram_len;
		dgram[flipped] ^= (uint8_t)(1u << (in[0] & 7));
	}

	struct petrel_replay_window win;
	petrel_replay_init(&win);
	struct petrel_reader r;
	petrel_reader_init(&r, dgram, dgram_len);
	uint8_t *content = malloc(PETREL_DTLS13_MAX_INNER);
	CHECK(content != NULL);
	for (size_t i = 0; i < n; i++) {
		/* The receiver expects the number after the previous record. */
		uint64_t expected = i == 0 ? first_seq : recs[i - 1].seq + 1;
		const uint8_t *rec = r.p;
		struct petrel_dtls13_header h;
		const uint8_t *body;
		bool read = petrel_dtls13_header_read(&r, cid_len, &h, &body);
		bool touched = flipped != SIZE_MAX && flipped >= recs[i].offset &&
			       flipped < recs[i].offset + recs[i].len;
		if (!read) {
			CHECK(touched); /* only a flipped header stops the reader */
			break;
		}
		if (!touched) {
			CHECK(rec == dgram + recs[i].offset && h.header_len + h.length == recs[i].len);
		} else if (rec != dgram + recs[i].offset || h.header_len + h.length != recs[i].len) {
			break; /* a flipped length or flag: the rest no longer lines up */
		}
		uint64_t got_seq;
		uint8_t type;
		size_t clen;
		int rc = open_copy(k, rec, h.header_len + h.length, &h, expected, &win, &got_seq,
				   &type, content, &clen);
		CHECK(!touched || rc != 0); /* the AEAD covers header and body */
		if (!touched) {
			CHECK(rc == 0);
			CHECK(got_seq == recs[i].seq && type == recs[i].type);
			CHECK(clen == recs[i].content_len);
			CHECK(clen == 0 || memcmp(content, recs[i].content, clen) == 0);
		}
		if (rc == 0) {
			petrel_replay_update(&win, got_seq);
			/* The same record again is a replay, refused before the AEAD. */
			CHECK(open_copy(k, rec, h.header_len + h.length, &h, expected, &win,
					&got_seq, &type, NULL, &clen) == PETREL_E_REPLAYED);
		}
	}
	free(content);
	free(dgram);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3 || size > 3 * 65536)
		return 0;
	uint8_t mode = data[0];
	uint64_t expected = (uint64_t)data[1] << 8 | data[2];
	data += 3;
	size -= 3;
	struct keyset k;
	if (!keyset_init(&k, aeads[(mode & 7) % 5],
			 mode & 0x10 ? PETREL_RN_COUNTER_BE : PETREL_RN_COUNTER_LE))
		return 0;
	uint8_t *dgram = malloc(size ? size : 1);
	CHECK(dgram != NULL);
	memcpy(dgram, data, size);
	open_datagram(&k, dgram, size, mode & 0x08 ? sizeof cid4 : 0, expected);
	free(dgram);
	if (size > 0)
		seal_and_open(&k, data, size, mode, expected);
	keyset_free(&k);
	return 0;
}
