/* Helpers shared by the dtls/msg_*.c codecs only. */
#ifndef PETREL_DTLS_MSG_INTERNAL_H
#define PETREL_DTLS_MSG_INTERNAL_H

#include "common/reader.h"

/* A reader over (body, len) that tolerates body == NULL for an empty body
 * (pointer arithmetic on NULL is undefined even with a zero offset). */
static inline void petrel_msg_reader_init(struct petrel_reader *r, const uint8_t *body, size_t len)
{
	static const uint8_t empty_body[1];

	petrel_reader_init(r, body != NULL ? body : empty_body, body != NULL ? len : 0);
}

#endif
