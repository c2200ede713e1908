#ifndef PETREL_COMMON_ERRORS_H
#define PETREL_COMMON_ERRORS_H

#include <stddef.h>

struct petrel_error_info {
	int code;
	const char *name;
	const char *text;
	int fatal;
};

/* Every defined error code, for tests and tools that list them. */
const struct petrel_error_info *petrel_error_table(size_t *count);

#endif
