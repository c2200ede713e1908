/* libFuzzer target: DTLS 1.3 Connection IDs (RFC 9147 9).
 *
 * Input: a selector byte, then either an extensions block (the client
 * reads a ServerHello's, the server a ClientHello's, then writes its
 * answer), a NewConnectionId / RequestConnectionId body, or a unified
 * header read with our CID length and checked against our CID. Every
 * outcome is an error code or a result within bounds: CIDs of at most 255
 * bytes, an answer only to an offer, a header CID only of our length.
 * Selector bit 4 (helper "rcidtest"): the session's post-handshake CID
 * state is there (c.issued), so a NewConnectionId's spares are kept
 * (dtls13/cid13_spare.c): at most PETREL_CID13_SPARE_MAX, none empty,
 * none twice, and petrel_cid13_spare_take then hands each out in order. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/cid13_ext.h"
#include "dtls13/cid13_record.h"
#include "dtls13/cid13_spare.h"
#include "dtls13/cid13_update.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

/* The spares kept: within the cap, none empty, none twice; taken one by
 * one, in order, each becomes the CID we send with, then none is left. */
static void check_spares(struct petrel_cid13_issued *st, struct petrel_cid_params *result)
{
	CHECK(st->spare_count <= PETREL_CID13_SPARE_MAX);
	CHECK(st->count == 0 && !st->request_out);
	for (size_t i = 0; i < st->spare_count; i++) {
		CHECK(st->spare_len[i] >= 1);
		for (size_t j = 0; j < i; j++)
			CHECK(st->spare_len[j] != st->spare_len[i] ||
			      memcmp(st->spares[j], st->spares[i], st->spare_len[i]) != 0);
	}
	size_t kept = st->spare_count;
	uint8_t first[PETREL_CID_EXT_MAX_LEN];
	size_t first_len = kept > 0 ? st->spare_len[0] : 0;
	if (kept > 0)
		memcpy(first, st->spares[0], first_len);
	size_t moves = 0;
	while (petrel_cid13_spare_take(st, result) == 0) {
		moves++;
		if (moves == 1)
			CHECK(result->tx_cid_len == first_len &&
			      memcmp(result->tx_cid, first, first_len) == 0);
	}
	CHECK(moves == kept && st->spare_count == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 70000)
		return 0;
	uint8_t sel = data[0];
	size_t len = size - 1;
	uint8_t *in = malloc(len ? len : 1); /* exact size: ASan sees any overrun */
	CHECK(in != NULL);
	memcpy(in, data + 1, len);
	static const uint8_t ours[8] = {'o', 'u', 'r', '-', 'c', 'i', 'd', '!'};
	struct petrel_cid_params result;
	memset(&result, 0, sizeof result);
	result.negotiated = true;
	result.rx_cid_len = sel >> 5; /* 0..7 bytes of ours */
	memcpy(result.rx_cid, ours, sizeof ours);
	struct petrel_cid13_config c = {
		.enabled = (sel & 8) == 0, .ours = ours, .ours_len = result.rx_cid_len, .result = &result};
	struct petrel_cid13_issued *issued = NULL;
	if (sel & 0x10)
		c.issued = &issued;
	switch (sel & 7) {
	case 0: {
		int rc = petrel_cid13_client_on_server_hello(&c, in, len);
		CHECK(rc <= 0);
		if (rc == 0 && c.enabled && result.negotiated)
			CHECK(result.tx_cid_len <= 255 && result.rx_cid_len == c.ours_len);
		break;
	}
	case 1: {
		int rc = petrel_cid13_server_on_client_hello(&c, in, len);
		CHECK(rc <= 1);
		CHECK(rc != 1 || (c.enabled && result.negotiated && result.tx_cid_len <= 255));
		uint8_t sh[300];
		struct petrel_writer w;
		petrel_writer_init(&w, sh, sizeof sh);
		CHECK(petrel_cid13_write_answer(&c, &w) == 0);
		CHECK(petrel_writer_len(&w) == (rc == 1 ? 5 + c.ours_len : 0));
		break;
	}
	case 2:
	case 3: {
		uint8_t type = (sel & 7) == 2 ? PETREL_HS13_NEW_CONNECTION_ID
					       : PETREL_HS13_REQUEST_CONNECTION_ID;
		int rc = petrel_cid13_on_message(&c, type, in, len);
		CHECK(rc <= 0);
		CHECK(c.enabled || rc == PETREL_E_UNEXPECTED_MESSAGE);
		CHECK(result.tx_cid_len <= 255);
		if (issued != NULL)
			check_spares(issued, &result);
		break;
	}
	default: {
		struct petrel_reader r;
		struct petrel_dtls13_header h;
		const uint8_t *body;
		petrel_reader_init(&r, in, len);
		if (petrel_dtls13_header_read(&r, petrel_cid13_rx_len(&c), &h, &body) &&
		    petrel_cid13_rx_accept(&c, &h)) {
			CHECK(h.cid_len == (c.enabled ? result.rx_cid_len : 0));
			CHECK(h.cid_len == 0 || memcmp(h.cid, ours, h.cid_len) == 0);
		}
		break;
	}
	}
	free(issued);
	free(in);
	return 0;
}
