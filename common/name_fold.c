/* ASCII case folding for host names (see name_fold.h). */
#include "common/name_fold.h"

bool petrel_ascii_eq_nocase(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (petrel_ascii_lower(a[i]) != petrel_ascii_lower(b[i]))
			return false;
	return true;
}

bool petrel_host_name_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	if (a == NULL)
		a_len = 0;
	if (b == NULL)
		b_len = 0;
	return a_len == b_len && (a_len == 0 || petrel_ascii_eq_nocase(a, b, a_len));
}

void petrel_host_name_fold(const uint8_t *name, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++)
		out[i] = petrel_ascii_lower(name[i]);
}
