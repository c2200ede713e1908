/* What the fuzz targets share: libFuzzer's entry point, declared, and
 * CHECK, which aborts (a finding) when a result breaks its bound. */
#ifndef PETREL_FUZZ_CHECK_H
#define PETREL_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		if (!(cond))                                                                  \
			abort();                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
