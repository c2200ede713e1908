/* Credentials from tests/fixtures/x509, shared by the unit tests. */
#ifndef PETREL_TESTS_FIXTURE_CREDS_H
#define PETREL_TESTS_FIXTURE_CREDS_H

#include <stddef.h>

#include "petrel/petrel.h"

/* The file's bytes, NUL-terminated, in one of three rotating static
 * buffers (so three may be held at once); fails the test if unreadable. */
const char *fixture_read(const char *name, size_t *len);
/* RSA leaf + intermediate (rsa_pss_rsae_sha256 in DTLS 1.3): the server's
 * flight is ~2.5 KB, two full datagrams at MTU 1500. */
petrel_credentials *fixture_rsa_chain_creds(void);

#endif
