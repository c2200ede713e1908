/* libFuzzer target: certificate, SPKI, private key and PEM parsers. Every
 * input goes through each parser; none may crash, leak or read out of
 * bounds, whatever it returns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "x509/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cert_paths(const uint8_t *data, size_t size)
{
	struct petrel_x509_cert cert;
	if (petrel_x509_parse(data, size, &cert) != 0)
		return;
	/* Exercise what handshakes do with a parsed certificate. */
	(void)petrel_x509_check_name(&cert, "leaf.petrel.test");
	(void)petrel_x509_check_name(&cert, "127.0.0.1");
	if (cert.pubkey.type != PETREL_KEY_NONE)
		(void)petrel_x509_check_signature(&cert, &cert.pubkey);
	struct petrel_x509_verify_params params = { .now = 1893456000, .host = "x.petrel.test" };
	(void)petrel_x509_verify_chain(&cert, 1, NULL, &params);
	char fp[PETREL_X509_FINGERPRINT_SDP_LEN];
	(void)petrel_x509_fingerprint_sdp(data, size, fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cert_paths(data, size);

	struct petrel_pubkey pub;
	if (petrel_x509_spki_parse(data, size, &pub) == 0) {
		uint8_t out[1200];
		size_t out_len;
		(void)petrel_x509_spki_encode(&pub, out, sizeof(out), &out_len);
	}

	struct petrel_privkey *key = NULL;
	if (petrel_x509_privkey_from_der(data, size, &key) == 0)
		petrel_privkey_free(key);

	/* PEM: every block of a bundle, each decoded body parsed as a cert. */
	size_t pos = 0;
	char label[PETREL_PEM_LABEL_MAX];
	uint8_t *der;
	size_t der_len;
	for (int i = 0; i < 16 && petrel_pem_next((const char *)data, size, &pos, label, &der,
						       &der_len) == 1; i++) {
		cert_paths(der, der_len);
		free(der);
	}
	key = NULL;
	if (petrel_x509_privkey_from_pem((const char *)data, size, &key) == 0)
		petrel_privkey_free(key);
	return 0;
}
