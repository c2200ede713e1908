/* The output checks both DTLS 1.3 handshake fuzz targets share: whatever
 * the input, what the handshake hands back stays within its bounds. */
#ifndef PETREL_FUZZ_HS13_CHECK_H
#define PETREL_FUZZ_HS13_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "dtls13/hs13.h"
#include "fuzz/fuzz_check.h"

static void hs13_check_output(int rc, const struct petrel_hs13_output *out, const uint8_t *in,
			      size_t in_len)
{
	CHECK(out->msg_count <= PETREL_HS13_MAX_OUT_MSGS);
	CHECK(out->key_count <= PETREL_HS13_MAX_KEY_CHANGES);
	if (rc < 0) {
		CHECK(out->alert != 0);
		return;
	}
	for (size_t i = 0; i < out->msg_count; i++) {
		const struct petrel_hs13_out_msg *m = &out->msgs[i];
		CHECK(m->body != NULL || m->len == 0);
		CHECK(m->epoch == 0 || m->epoch == 2 || m->epoch == 3);
		CHECK(m->len < (1u << 24));
	}
	for (size_t i = 0; i < out->key_count; i++) {
		CHECK(out->keys[i].secret_len <= PETREL_MAX_HASH_LEN);
		CHECK(out->keys[i].write_before <= out->msg_count);
	}
	if (out->event == PETREL_HS13_EV_FALLBACK_12)
		CHECK(out->fallback_body >= in && out->fallback_body + out->fallback_len <= in + in_len);
}

#endif
