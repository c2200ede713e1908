/* Trust store: a list of anchor certificates, each owning its DER copy so
 * the parsed struct (which points into it) stays valid. */
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "x509/x509.h"

void petrel_x509_store_init(struct petrel_x509_store *store) { memset(store, 0, sizeof(*store)); }

void petrel_x509_store_free(struct petrel_x509_store *store)
{
	for (size_t i = 0; i < store->count; i++)
		free(store->entries[i].der);
	free(store->entries);
	memset(store, 0, sizeof(*store));
}

int petrel_x509_store_add_der(struct petrel_x509_store *store, const uint8_t *der, size_t len)
{
	struct petrel_x509_store_entry e;
	e.der = malloc(len ? len : 1);
	if (e.der == NULL)
		return PETREL_E_MEMORY;
	memcpy(e.der, der, len);
	e.der_len = len;
	int rc = petrel_x509_parse(e.der, len, &e.cert);
	if (rc < 0) {
		free(e.der);
		return rc;
	}
	if (store->count == store->cap) {
		size_t cap = store->cap ? store->cap * 2 : 16;
		struct petrel_x509_store_entry *grown = realloc(store->entries, cap * sizeof(*grown));
		if (grown == NULL) {
			free(e.der);
			return PETREL_E_MEMORY;
		}
		store->entries = grown;
		store->cap = cap;
	}
	store->entries[store->count++] = e;
	return 0;
}

int petrel_x509_store_add_pem(struct petrel_x509_store *store, const char *text, size_t len)
{
	size_t pos = 0;
	int added = 0;
	for (;;) {
		char label[PETREL_PEM_LABEL_MAX];
		uint8_t *der;
		size_t der_len;
		int rc = petrel_pem_next(text, len, &pos, label, &der, &der_len);
		if (rc == 0)
			return added;
		if (rc < 0)
			return rc;
		/* RFC 7468 5.1: "CERTIFICATE"; OpenSSL's "TRUSTED CERTIFICATE"
		 * carries trust settings after the DER we do not read. */
		if (strcmp(label, "CERTIFICATE") == 0) {
			rc = petrel_x509_store_add_der(store, der, der_len);
			if (rc == PETREL_E_MEMORY) {
				free(der);
				return rc;
			}
			if (rc < 0)
				store->skipped++;
			else
				added++;
		}
		free(der);
	}
}

int petrel_x509_store_load_file(struct petrel_x509_store *store, const char *path)
{
	uint8_t *data;
	size_t len;
	int rc = petrel_x509_read_file(path ? path : PETREL_X509_SYSTEM_BUNDLE, &data, &len);
	if (rc < 0)
		return rc;
	rc = petrel_x509_store_add_pem(store, (const char *)data, len);
	free(data);
	return rc;
}
