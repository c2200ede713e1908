/* The raw public key (RFC 7250) policy types both DTLS versions share:
 * what one side may present and accept, and the type lists it offers.
 * No includes beyond the standard ones: dtls13/hs13.h embeds them. */
#ifndef PETREL_DTLS_RPK_POLICY_H
#define PETREL_DTLS_RPK_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* Room for the CertificateType lists we send. */
struct petrel_rpk_offer {
	uint8_t server_types[2];
	uint8_t client_types[2];
};

/* What one side may present and accept (RFC 7250 4), taken from the
 * session and its credentials. */
struct petrel_rpk_policy {
	unsigned flags;       /* PETREL_RPK_* */
	bool have_creds;      /* credentials at all */
	bool have_key;        /* a private key */
	bool have_raw;        /* its SubjectPublicKeyInfo, sendable raw */
	bool have_chain;      /* an X.509 chain for it */
	bool asks_client_key; /* server: requests or requires the client's */
};

#endif
