/* libFuzzer target: DTLS 1.3 Connection IDs (RFC 9147 9).
 *
 * Input: a selector byte, then either an extensions block (the client
 * reads a ServerHello's, the server a ClientHello's, then writes its
 * answer), a NewConnectionId / RequestConnectionId body, or a unified
 * header read with our CID length and checked against our CID. Every
 * outcome is an error code or a result within bounds: CIDs of at most 255
 * bytes, an answer only to an offer, a header CID only of our length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/cid13_ext.h"
#include "dtls13/cid13_record.h"
#include "dtls13/cid13_update.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

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
	free(in);
	return 0;
}
