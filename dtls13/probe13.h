/* Path MTU probing after a DTLS 1.3 handshake (RFC 8899 DPLPMTUD, issue
 * #20). DTLS 1.3 has no heartbeat (RFC 8446 removed it; 1.2 probes with
 * padded RFC 6520 requests, dtls/probe.c), so the probe is the one
 * handshake message every RFC 9147 peer must acknowledge whatever was
 * negotiated: KeyUpdate(update_not_requested) (RFC 9147 8), sent alone in
 * one record padded with zeros (RFC 8446 5.4) to the size being tried.
 * The peer's ACK naming that record's number (RFC 9147 7) proves the size
 * crossed the path; the usual retransmission timer declares it lost, and
 * the KeyUpdate then goes out again at the current, unpadded size (RFC
 * 8899 3, 4.1: a probe is never retransmitted, and its loss is not
 * congestion). The search, its sizes and the black-hole check are
 * mtu/pmtud.c's, the same as 1.2's; PETREL_FLAG_PMTU_PROBE and
 * petrel_dtls_set_mtu_max are the knobs for both versions. */
#ifndef PETREL_DTLS13_PROBE13_H
#define PETREL_DTLS13_PROBE13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

/* Kept in struct petrel_d13 (dtls13/engine13_internal.h). */
struct petrel_probe13 {
	bool outstanding; /* a padded KeyUpdate is in flight and not yet lost */
	uint32_t id;      /* mtu/pmtud.h's identifier of that probe */
	uint64_t epoch, seq; /* its record number */
	/* Counters (tests): probes sent, confirmed by an ACK, lost. */
	uint64_t sent, confirmed, lost;
};

/* engine13.c's timer: start the search after the handshake, and send a
 * probe when one is due and nothing else of ours is in flight (RFC 9147
 * 8: one KeyUpdate at a time; no probe under a handshake, KeyUpdate or
 * NewConnectionId flight). */
int petrel_probe13_tick(petrel_session *s, uint64_t now_ms);
/* engine13.c's next deadline, merged into next. */
uint64_t petrel_probe13_deadline(const petrel_session *s, uint64_t next);
/* An ACK record arrived (before the flight's own bookkeeping): raises
 * the MTU when it names the outstanding probe's record. */
void petrel_probe13_on_ack(petrel_session *s, const uint8_t *body, size_t len, uint64_t now_ms);
/* The retransmission timer fired (the back-off already doubled): when a
 * probe was in flight it is lost, and the back-off is taken back. */
void petrel_probe13_on_timeout(petrel_session *s, uint64_t now_ms);

#endif
