/* Connection IDs that name the worker (and the machine) that issued them,
 * so a reuseport program on one host and a load balancer in front of many
 * route a datagram by its CID bytes alone (doc/load-balancing.md). The
 * public half (layout, issue, read from a datagram) is in petrel.h; this
 * header adds what the steering program needs to know about the wire.
 *
 * Layout, QUIC-LB style (draft-ietf-quic-load-balancers, "config rotation"
 * bits in the first octet):
 *
 *   +--+--+--+--+--+--+--+--+
 *   |CR   |worker id (0..63)|  byte 0: CR = config rotation, 3 = unroutable
 *   +--+--+--+--+--+--+--+--+
 *   | server id (0..8 bytes)|  bytes 1..k: the machine, for a load balancer
 *   +-----------------------+
 *   | random (>= 3 bytes)   |  petrel_random: nobody can guess a live CID
 *   +-----------------------+
 *
 * RFC 9146 CIDs carry no length on the wire: every CID one server issues
 * has the configured length, so the routing byte sits at a fixed offset:
 * the CID's first byte. */
#ifndef PETREL_DTLS_CID_ROUTE_H
#define PETREL_DTLS_CID_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "petrel/petrel.h"

/* Where the CID starts in a datagram's first record. tls12_cid (RFC 9146
 * 4): type(1) version(2) epoch(2) sequence_number(6), then the CID. DTLS
 * 1.3 unified header (RFC 9147 4): the CID follows the first byte. */
#define PETREL_CID_ROUTE_TLS12_OFFSET 11
#define PETREL_CID_ROUTE_UNIFIED_OFFSET 1

#define PETREL_CID_ROUTE_WORKER_MASK 0x3f
#define PETREL_CID_ROUTE_CONFIG_SHIFT 6

static inline uint8_t petrel_cid_route_first_byte(unsigned config_id, unsigned worker_id)
{
	return (uint8_t)((config_id << PETREL_CID_ROUTE_CONFIG_SHIFT) |
			 (worker_id & PETREL_CID_ROUTE_WORKER_MASK));
}

/* The CID bytes (cid_len of them: the receiver knows its CID length,
 * RFC 9146 3, RFC 9147 9) of the datagram's first record, a tls12_cid
 * record or a DTLS 1.3 unified header with the C bit, read through the
 * record parsers. NULL when it carries none. Used by the endpoint to find
 * a session by CID before by address. */
const uint8_t *petrel_cid_datagram_cid(const uint8_t *d, size_t len, size_t cid_len);

#endif
