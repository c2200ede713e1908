/* Our KeyUpdate as a flight (RFC 8446 4.6.3, RFC 9147 8), taken but not
 * sent: the engine sends it as it is, a path MTU probe (probe13.h) pads
 * its one record first. */
#ifndef PETREL_DTLS13_KU13_TAKE_H
#define PETREL_DTLS13_KU13_TAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "dtls/session.h"

/* Builds KeyUpdate(update_requested or not) in the current write epoch
 * (the next keys wait for its ACK) and makes it the outstanding flight;
 * counts it. The caller checks that no flight is out. */
int petrel_ku13_take(petrel_session *s, bool update_requested, uint64_t now_ms);
/* ka13: whether a KeyUpdate of our own may start now (RFC 9147 8: one at
 * a time, and nothing of ours outstanding: no flight, no deferred ACK of
 * the peer's records); probe13.c and ka13.c ask it. */
struct petrel_d13;
bool petrel_ku13_can_start(const struct petrel_d13 *d);

#endif
