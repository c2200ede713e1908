/* Explicit file loading for keys and trust stores: the only I/O in x509/. */
#include <stdio.h>
#include <stdlib.h>

#include "petrel/petrel.h"
#include "x509/x509.h"

/* Bigger than any CA bundle we expect (the Debian one is ~220 KB). */
#define FILE_MAX (16L * 1024 * 1024)

int petrel_x509_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return PETREL_E_FILE_ERROR;
	long size = -1;
	if (fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (size < 0 || size > FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return PETREL_E_FILE_ERROR;
	}
	uint8_t *buf = malloc((size_t)size + 1);
	if (buf == NULL) {
		fclose(f);
		return PETREL_E_MEMORY;
	}
	size_t got = fread(buf, 1, (size_t)size, f);
	fclose(f);
	if (got != (size_t)size) {
		free(buf);
		return PETREL_E_FILE_ERROR;
	}
	buf[got] = 0;
	*data = buf;
	*len = got;
	return 0;
}
