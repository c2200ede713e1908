/* A handshake's lifetime (dtls/hs_state.c). */
#ifndef PETREL_DTLS_HS_STATE_H
#define PETREL_DTLS_HS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "dtls/session.h"



int petrel_hs_start(petrel_session *s, uint64_t now_ms);
void petrel_hs_free(petrel_session *s);
/* The handshake is over: keep what the association needs, drop the rest. */
int petrel_hs_finish(petrel_session *s, uint64_t now_ms);
/* Drop the kept final flight. */
void petrel_hs_free_final(petrel_session *s);
int petrel_install_keys(petrel_session *s, bool write_side);
/* The peer's ChangeCipherSpec in state expect: install its read keys and
 * move to next (1); in any other state 0 (dropped). */
int petrel_hs_accept_ccs(petrel_session *s, enum petrel_hs_state expect, enum petrel_hs_state next);

#endif
