/* The one way out for a session's datagrams (dtls/output.c). */
#ifndef PETREL_DTLS_OUTPUT_H
#define PETREL_DTLS_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

/* Largest UDP payload for the session's link MTU (mtu/mtu.c). */
size_t petrel_output_max_datagram(const petrel_session *s);
/* IP and UDP header bytes for the session's IP version (mtu/mtu.c). */
size_t petrel_output_ip_udp_overhead(const petrel_session *s);
/* Hand one datagram to the transport and count it. Returns the push
 * callback's result (>= 0 sent, else a PETREL_E_* code); the caller
 * decides what a refusal means for it. */
long petrel_output_datagram(petrel_session *s, const uint8_t *dgram, size_t len);
/* The same for datagrams a timer resends (flights, alerts): a transport
 * that would block (AGAIN/INTERRUPTED) counts as loss, 0. The signature
 * of a flight's send callback; session is the petrel_session. */
int petrel_output_datagram_lossy(void *session, const uint8_t *dgram, size_t len);

/* Set the link MTU, counting and reporting a change (mtu_cb). */
void petrel_set_mtu(petrel_session *s, uint16_t mtu, int reason);
/* Lower the MTU after EMSGSIZE or a black hole: to the kernel's path MTU
 * when the transport read one, else the next plateau. 0 if lowered,
 * PETREL_E_PUSH_ERROR when already at the floor. */
int petrel_lower_mtu(petrel_session *s, int reason);

#endif
