#include "petrel/petrel.h"

#include <stdio.h>

const char *petrel_check_version(const char *req)
{
	unsigned major = 0, minor = 0, patch = 0;
	if (req == NULL)
		return PETREL_VERSION;
	if (sscanf(req, "%u.%u.%u", &major, &minor, &patch) < 1)
		return NULL;
	unsigned want = (major << 16) | (minor << 8) | patch;
	return want <= (unsigned)PETREL_VERSION_NUMBER ? PETREL_VERSION : NULL;
}
