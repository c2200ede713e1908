/* libFuzzer target: the DTLS 1.3 ACK body (RFC 9147 7),
 * RecordNumber record_numbers<0..2^16-1>.
 *
 * Input: an ACK body as it arrives in a content-type-26 record. A parsed
 * ACK must yield exactly count record numbers from inside the input;
 * written back it gives the same bytes when the numbers are in the
 * increasing order RFC 9147 7 asks for, and PETREL_E_INVALID_REQUEST
 * otherwise; the writer's capacity rule holds for every buffer size.
 * Seeds: fuzz/corpus/ack/ (fuzz/make-seeds13.py). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls13/messages13.h"
#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 2 + 65536)
		return 0;
	uint8_t *body = malloc(size ? size : 1); /* exact size: ASan sees any overrun */
	if (body == NULL)
		return 0;
	memcpy(body, data, size);
	struct petrel_ack ack;
	int rc = petrel_ack_parse(body, size, &ack);
	if (rc != 0) {
		CHECK(rc == PETREL_E_DECODE_ERROR);
		free(body);
		return 0;
	}
	CHECK(size == 2 + ack.count * PETREL_RECORD_NUMBER_LEN);
	CHECK(ack.count <= UINT16_MAX / PETREL_RECORD_NUMBER_LEN);
	struct petrel_record_number *nums = malloc((ack.count ? ack.count : 1) * sizeof *nums);
	CHECK(nums != NULL);
	size_t n = 0;
	bool increasing = true;
	while (petrel_ack_next(&ack, &nums[n])) {
		if (n > 0 && petrel_record_number_cmp(nums[n - 1], nums[n]) >= 0)
			increasing = false;
		CHECK(++n <= ack.count);
	}
	CHECK(n == ack.count);
	CHECK(!petrel_ack_next(&ack, &nums[0]) || n == 0);

	uint8_t *out = malloc(size + 16);
	CHECK(out != NULL);
	struct petrel_writer w;
	petrel_writer_init(&w, out, size + 16);
	rc = petrel_ack_write(&w, nums, n);
	if (increasing) {
		CHECK(rc == 0);
		CHECK(petrel_writer_len(&w) == size && memcmp(out, body, size) == 0);
	} else {
		CHECK(rc == PETREL_E_INVALID_REQUEST);
	}
	/* As many numbers as petrel_ack_capacity promises fit; one more
	 * does not (an ACK is sized to the record it goes in). */
	size_t cap = size >= 2 ? ((size_t)data[0] << 2 | data[size - 1]) : size; /* 0..1023 */
	size_t fit = petrel_ack_capacity(cap);
	CHECK(fit == 0 || 2 + fit * PETREL_RECORD_NUMBER_LEN <= cap);
	CHECK(cap < 2 || 2 + (fit + 1) * PETREL_RECORD_NUMBER_LEN > cap ||
	      fit == UINT16_MAX / PETREL_RECORD_NUMBER_LEN);
	if (increasing && n > 0) {
		size_t k = fit < n ? fit : n;
		petrel_writer_init(&w, out, cap < size + 16 ? cap : size + 16);
		rc = petrel_ack_write(&w, nums, k);
		CHECK(cap < 2 ? rc == PETREL_E_SHORT_BUFFER : rc == 0);
	}
	free(out);
	free(nums);
	free(body);
	return 0;
}
