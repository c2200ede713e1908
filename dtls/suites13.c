/* TLS 1.3 suite names (see suites13.h). */
#include "dtls/suites13.h"

#include <string.h>

#include "dtls/session.h"
#include "dtls/suites.h"

/* RFC 8446 B.4 code points; CCM and CCM-8 last (constrained peers, RFC
 * 7925 style), as the 1.2 table orders them. */
static const struct {
	uint16_t id;
	const char *name;
} suites13[] = {
	{0x1301, "TLS_AES_128_GCM_SHA256"},
	{0x1302, "TLS_AES_256_GCM_SHA384"},
	{0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
	{0x1304, "TLS_AES_128_CCM_SHA256"},
	{0x1305, "TLS_AES_128_CCM_8_SHA256"},
};

uint16_t petrel_suite13_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof suites13 / sizeof suites13[0]; i++)
		if (strcmp(suites13[i].name, name) == 0)
			return suites13[i].id;
	return 0;
}

const char *petrel_suite13_info(size_t index, uint16_t *id)
{
	if (index >= sizeof suites13 / sizeof suites13[0])
		return NULL;
	if (id)
		*id = suites13[index].id;
	return suites13[index].name;
}

const char *petrel_cipher_suite13_info(size_t index, uint16_t *id)
{
	return petrel_suite13_info(index, id);
}

int petrel_cipher_list_parse(const char *list, uint16_t *ids12, uint8_t *n12, uint16_t *ids13,
			     uint8_t *n13)
{
	char buf[1024];
	if (list == NULL || strlen(list) >= sizeof buf)
		return PETREL_E_INVALID_REQUEST;
	strcpy(buf, list);
	uint8_t count = 0, count13 = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",: ", &save); tok; tok = strtok_r(NULL, ",: ", &save)) {
		/* A 1.3 name goes to the 1.3 list, a 1.2 one to the 1.2 list
		 * (TLS 1.3 suites name no key exchange: RFC 8446 B.4). */
		uint16_t id13 = petrel_suite13_by_name(tok);
		const struct petrel_suite *suite = id13 ? NULL : petrel_suite_by_name(tok);
		if (id13 == 0 && suite == NULL)
			return PETREL_E_UNSUPPORTED;
		if ((id13 ? count13 : count) == PETREL_MAX_CIPHERS)
			return PETREL_E_LIMIT_EXCEEDED;
		if (id13)
			ids13[count13++] = id13;
		else
			ids12[count++] = suite->id;
	}
	if (count == 0 && count13 == 0)
		return PETREL_E_INVALID_REQUEST;
	*n12 = count;
	*n13 = count13;
	return 0;
}
