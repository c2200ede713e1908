/* The endpoint's stateless HelloRetryRequest picks its suite from the
 * 1.3 names of a cipher list (see petrel_endpoint_set_hello_ciphers in
 * petrel.h, dtls/front13_hrr.h), so the suite the cookie fixes is one the
 * sessions' cipher lists allow. */
#include <string.h>

#include "dtls/endpoint_internal.h"
#include "dtls/suites13.h"

int petrel_endpoint_set_hello_ciphers(petrel_endpoint *ep, const char *list)
{
	uint16_t ids[PETREL_MAX_CIPHERS], ids13[PETREL_MAX_CIPHERS];
	uint8_t count, count13;
	if (ep == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (list == NULL) {
		ep->front_suite13_count = 0;
		return 0;
	}
	int rc = petrel_cipher_list_parse(list, ids, &count, ids13, &count13);
	if (rc < 0)
		return rc;
	memcpy(ep->front_suites13, ids13, sizeof ids13[0] * count13);
	ep->front_suite13_count = count13;
	return 0;
}
