/* Sending our handshake flights (dtls/hs_output.c). */
#ifndef PETREL_DTLS_HS_OUTPUT_H
#define PETREL_DTLS_HS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "petrel/petrel.h"

/* (Re)send the current flight (or the kept final flight once the
 * handshake is over) and arm the retransmission timer.
 * PETREL_E_LARGE_PACKET when the MTU was lowered and the flight is
 * pending for the next call. */
int petrel_hs_send_flight(petrel_session *s, uint64_t now_ms, bool retransmission);

#endif
