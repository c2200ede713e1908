/* The DTLS 1.3 client handing its handshake to the DTLS 1.2 client
 * (dtls12/take_over12.c). */
#ifndef PETREL_DTLS12_TAKE_OVER12_H
#define PETREL_DTLS12_TAKE_OVER12_H

#include <stddef.h>
#include <stdint.h>

#include "dtls/session.h"

/* s->version is DTLS 1.2 already. The 1.2 client goes on from the
 * ClientHello the 1.3 client sent (body ch, random, message_seq
 * ch_message_seq, legacy cookie; our epoch-0 records continue at
 * next_plain_seq), then takes the server's message m (a 1.2 ServerHello
 * or HelloVerifyRequest) completed by record record_seq. */
int petrel_hs12_take_over(petrel_session *s, const uint8_t *ch, size_t ch_len,
			  const uint8_t *random, uint16_t ch_message_seq, const uint8_t *cookie,
			  size_t cookie_len, uint64_t next_plain_seq,
			  const struct petrel_hs_message *m, uint64_t record_seq, uint64_t now_ms);

#endif
