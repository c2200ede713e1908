/* libFuzzer target: the DER reader (x509/der.h) walked recursively over
 * arbitrary bytes, every typed getter tried at each element, plus the
 * credential loaders (PEM chain + PEM key through the public API) and the
 * trust store's PEM bundle loader. Seeds: fuzz/corpus/der/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "x509/der.h"
#include "x509/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(struct petrel_reader *r, unsigned depth)
{
	if (depth > 32)
		return;
	for (unsigned n = 0; n < 4096 && petrel_reader_left(r) > 0; n++) {
		struct petrel_reader copy = *r;
		const uint8_t *p;
		size_t len;
		uint32_t small;
		bool flag;
		int64_t t;
		struct petrel_reader c;
		c = copy; (void)petrel_der_get_uint(&c, &p, &len);
		c = copy; (void)petrel_der_get_small_uint(&c, &small);
		c = copy; (void)petrel_der_get_bool(&c, &flag);
		c = copy; (void)petrel_der_get_bits(&c, &p, &len);
		c = copy; (void)petrel_der_get_oid(&c, &p, &len);
		c = copy; (void)petrel_der_get_time(&c, &t);
		struct petrel_der_tlv tlv;
		if (petrel_der_get(r, &tlv) < 0)
			return;
		if (tlv.tag & 0x20) {
			struct petrel_reader sub;
			petrel_reader_init(&sub, tlv.body, tlv.len);
			walk(&sub, depth + 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct petrel_reader r;
	petrel_reader_init(&r, data, size);
	walk(&r, 0);
	(void)petrel_der_check(data, size);

	/* Split at the first NUL: chain PEM before it, key PEM after it. */
	const uint8_t *nul = memchr(data, 0, size);
	size_t cert_len = nul ? (size_t)(nul - data) : size;
	const char *key = nul ? (const char *)nul + 1 : "";
	size_t key_len = nul ? size - cert_len - 1 : 0;
	petrel_credentials *creds = NULL;
	if (petrel_credentials_new(&creds) == 0) {
		(void)petrel_credentials_set_key_mem(creds, (const char *)data, cert_len, key, key_len);
		uint8_t fp[32];
		(void)petrel_credentials_get_fingerprint(creds, fp);
		petrel_credentials_free(creds);
	}
	struct petrel_x509_store store;
	petrel_x509_store_init(&store);
	(void)petrel_x509_store_add_pem(&store, (const char *)data, size);
	(void)petrel_x509_store_add_der(&store, data, size);
	petrel_x509_store_free(&store);
	return 0;
}
