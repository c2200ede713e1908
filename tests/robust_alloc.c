#include "tests/robust_alloc.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

size_t robust_heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

bool robust_heap_measurable(void)
{
	size_t before = robust_heap_in_use();
	volatile unsigned char *p = malloc(4096);
	if (p == NULL)
		return false;
	p[0] = 1;
	size_t during = robust_heap_in_use();
	free((void *)p);
	return during >= before + 4096;
}
