/* A DTLS 1.3 session at rest (issue #20): like 1.2 (dtls/engine.c), an
 * established session idle for PETREL_IDLE_RELEASE_MS drops its epochs'
 * expanded AEAD and record number contexts and keeps only raw traffic
 * keys; a record rebuilds them. Handshake leftovers go too: our flight's
 * bookkeeping once it is acknowledged or given up, the handshake epoch
 * (2) once no retransmission can need it (client: its Finished
 * acknowledged; server: PETREL_FINAL_FLIGHT_KEEP_MS after completion, as
 * long as the 1.2 server keeps its final flight), reassembly buffers and
 * the list of records to acknowledge. Also the session's own count of the
 * heap its 1.3 state holds. */
#ifndef PETREL_DTLS13_PERF13_IDLE_H
#define PETREL_DTLS13_PERF13_IDLE_H

#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

struct petrel_d13;
struct petrel_reasm;

/* From petrel_engine13_tick: the release and retire checks due at now_ms. */
void petrel_perf13_idle_tick(petrel_session *s, uint64_t now_ms);
/* The earlier of next and the session's next idle check. */
uint64_t petrel_perf13_idle_deadline(const petrel_session *s, uint64_t next);
/* Heap bytes held by the session's DTLS 1.3 state (the driver, the epoch
 * table with any expanded contexts, flight, ACK list, reassembly
 * buffers, and the message cores' structures while they live); 0 for a
 * session without 1.3 state. The session structure itself is not in it. */
size_t petrel_perf13_heap_bytes(const petrel_session *s);
/* The handshake reassembler, made on first use with the numbering kept
 * at rest; NULL when out of memory. _free: wipe and free it. */
struct petrel_reasm *petrel_perf13_rx(petrel_session *s);
void petrel_perf13_rx_free(struct petrel_d13 *d);
/* The peer's handshake epoch and next message_seq, held or at rest. */
uint16_t petrel_perf13_rx_epoch(const struct petrel_d13 *d);
uint16_t petrel_perf13_rx_next_seq(const struct petrel_d13 *d);

#endif
