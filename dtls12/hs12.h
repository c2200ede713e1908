/* The DTLS 1.2 handshake (RFC 6347, RFC 5246): the two roles' operations
 * (dtls12/client12.c, dtls12/server12.c) and their dispatcher entries
 * (dtls12/hs12_ops.c). Only the dispatcher and the 1.2 files include it. */
#ifndef PETREL_DTLS_HS12_H
#define PETREL_DTLS_HS12_H

#include "dtls/dispatch.h"

extern const struct petrel_hs_ops petrel_hs12_client_ops;
extern const struct petrel_hs_ops petrel_hs12_server_ops;

/* dtls12/client12.c */
int petrel_client_begin(petrel_session *s, uint64_t now_ms);
int petrel_client_handle(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms);
int petrel_client_on_ccs(petrel_session *s);
/* The DTLS 1.3 client fell back: its ClientHello (which carried our
 * suites and extensions) becomes ours (struct petrel_hs_ops.take_over). */
int petrel_client_take_over(petrel_session *s, const uint8_t *ch, size_t ch_len,
			    const uint8_t *random, uint16_t ch_message_seq, const uint8_t *cookie,
			    size_t cookie_len, uint64_t next_plain_seq, uint64_t now_ms);
/* dtls12/server12.c */
int petrel_server_handle(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms);
int petrel_server_on_ccs(petrel_session *s);
/* Stateless ClientHello handling before any handshake state exists: the
 * ClientHello, whole in rec or assembled with earlier fragments
 * (petrel_first_hello_take, dtls/first_hello.h), is answered with a
 * HelloVerifyRequest or starts the handshake; 0 while fragments are
 * missing or for anything else (dropped). The partial state is released
 * either way once the hello was used. */
int petrel_server_first_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms);

#endif
