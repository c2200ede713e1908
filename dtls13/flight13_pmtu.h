/* DTLS 1.3 flights and the path MTU (dtls13/flight13.c): the timer's
 * side. A flight that timed out may have met a black hole; the rule of
 * 1.2's flights (mtu/mtu.h petrel_mtu_black_hole_fallback) lowers the MTU
 * and the unacknowledged rest is cut again for it (RFC 9147 4.4). */
#ifndef PETREL_DTLS13_FLIGHT13_PMTU_H
#define PETREL_DTLS13_FLIGHT13_PMTU_H

#include <stdint.h>

#include "petrel/petrel.h"

/* The retransmission timer fired (the back-off already counted): apply
 * the black-hole rule, then resend what is not acknowledged. */
int petrel_flight13_on_timeout(petrel_session *s, uint64_t now_ms);

#endif
