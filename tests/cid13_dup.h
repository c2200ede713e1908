/* The DTLS 1.3 CID test prologue tests/tkt13_test.c and
 * tests/cid13_spare_test.c each wrote out (duplicates review), shared by
 * the newer CID tests: a 1.3 pair with 7-byte CIDs both ways, and one
 * post-handshake message injected from one session into the other. */
#ifndef PETREL_TESTS_CID13_DUP_H
#define PETREL_TESTS_CID13_DUP_H

#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

/* The client speaks DTLS 1.3 only. */
void cid13_dup_only13(petrel_session *s);
/* A 1.3 pair (ECDSA P-256, no verification) with CIDs "cli-cid" and
 * "srv-cid" (the CIDs each side receives), done, two echoes in, the
 * server's NewSessionTicket acknowledged. */
void cid13_dup_pair(struct harness *h, uint64_t seed);
/* One post-handshake message (type, body of len bytes, at most 400)
 * from `from`'s session to `to`'s, whole, sealed in from's write epoch
 * with to's next expected message_seq. Returns to's feed result. */
int cid13_dup_send_message(petrel_session *from, petrel_session *to, uint8_t type,
			   const uint8_t *body, size_t len, uint64_t now);

#endif
