/* Walking the raw list vectors that the message parsers expose: u16 lists
 * (cipher suites, groups, signature schemes) and length-prefixed entries
 * (ALPN ProtocolNames, DistinguishedNames). */
#include <string.h>

#include "dtls/messages.h"

bool petrel_u16_iter_next(struct petrel_u16_iter *it, uint16_t *out)
{
	if (it->end - it->p < 2)
		return false;
	*out = (uint16_t)((unsigned)it->p[0] << 8 | it->p[1]);
	it->p += 2;
	return true;
}

bool petrel_u16_list_contains(const uint8_t *list, size_t len, uint16_t value)
{
	struct petrel_u16_iter it;
	uint16_t v;

	if (list == NULL)
		return false;
	petrel_u16_iter_init(&it, list, len);
	while (petrel_u16_iter_next(&it, &v))
		if (v == value)
			return true;
	return false;
}

bool petrel_u8_list_contains(const uint8_t *list, size_t len, uint8_t value)
{
	return list != NULL && len > 0 && memchr(list, value, len) != NULL;
}

void petrel_opaque_iter_init(struct petrel_opaque_iter *it, const uint8_t *list, size_t len,
			     unsigned width)
{
	static const uint8_t empty[1];

	petrel_reader_init(&it->r, list != NULL ? list : empty, list != NULL ? len : 0);
	it->width = width;
}

bool petrel_opaque_iter_next(struct petrel_opaque_iter *it, const uint8_t **entry, size_t *entry_len)
{
	if (petrel_reader_left(&it->r) == 0)
		return false;
	switch (it->width) {
	case 1:
		return petrel_get_opaque8(&it->r, entry, entry_len);
	case 2:
		return petrel_get_opaque16(&it->r, entry, entry_len);
	case 3:
		return petrel_get_opaque24(&it->r, entry, entry_len);
	default:
		return false;
	}
}

bool petrel_alpn_list_contains(const uint8_t *list, size_t len, const uint8_t *name, size_t name_len)
{
	struct petrel_opaque_iter it;
	const uint8_t *entry;
	size_t entry_len;

	petrel_opaque_iter_init(&it, list, len, 1);
	while (petrel_opaque_iter_next(&it, &entry, &entry_len))
		if (entry_len == name_len && memcmp(entry, name, name_len) == 0)
			return true;
	return false;
}
