/* Path MTU accounting: the one place that turns a link MTU into the
 * largest datagram, record plaintext and handshake fragment (DESIGN.md
 * mtu/). Pure arithmetic, no I/O. */
#ifndef PETREL_MTU_MTU_H
#define PETREL_MTU_MTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define PETREL_MTU_DEFAULT_IPV4 1500 /* Ethernet */
#define PETREL_MTU_DEFAULT_IPV6 1280 /* the IPv6 minimum link MTU, RFC 8200 5 */
#define PETREL_MTU_MIN_IPV4 576      /* RFC 791: every host accepts 576-byte datagrams */
#define PETREL_MTU_MIN_IPV6 1280
/* RFC 8899 5.1.2 BASE_PLPMTU for IPv4: a size expected to pass on any
 * path; a black-holed flight falls back to it at once. */
#define PETREL_MTU_BASE_PLPMTU_IPV4 1200
#define PETREL_MTU_MAX 65535
#define PETREL_IPV4_UDP_OVERHEAD 28 /* IPv4 header 20 + UDP 8 */
#define PETREL_IPV6_UDP_OVERHEAD 48 /* IPv6 header 40 + UDP 8 */
#define PETREL_HANDSHAKE_HEADER_LEN 12 /* RFC 6347 4.2.2 */

struct petrel_mtu_state {
	uint16_t link_mtu_bytes; /* IP packet size the path carries */
	bool ipv6;
};

/* Default link MTU for the IP version. */
void petrel_mtu_init(struct petrel_mtu_state *m, bool ipv6);
/* PETREL_E_INVALID_REQUEST below the IP version's floor. */
int petrel_mtu_set_link_mtu(struct petrel_mtu_state *m, uint32_t link_mtu_bytes);
size_t petrel_mtu_ip_udp_overhead(const struct petrel_mtu_state *m);
/* Largest UDP payload: link MTU - IP/UDP headers. */
size_t petrel_mtu_max_datagram(const struct petrel_mtu_state *m);
/* Largest plaintext of one record filling a datagram alone, for records
 * protected with aead (PETREL_RL_NULL_CIPHER / 0 for epoch 0); capped at
 * 2^14. 0 if not even the overhead fits. */
size_t petrel_mtu_max_record_plaintext(const struct petrel_mtu_state *m, enum petrel_aead_alg aead);
/* Largest handshake fragment body: the plaintext less the 12-byte DTLS
 * handshake header. */
size_t petrel_mtu_max_handshake_fragment(const struct petrel_mtu_state *m,
					 enum petrel_aead_alg aead);

/* Black-hole back-off (RFC 8899 / RFC 4821 plateaus): the next plateau
 * strictly below mtu from {1500, 1400, 1280, 1200, 1000, 576}, never
 * below the IP version's floor (576 / 1280); the floor if already there. */
uint16_t petrel_mtu_next_plateau(uint32_t mtu_bytes, bool ipv6);
/* Lower the state's link MTU to the next plateau: true if it changed. */
bool petrel_mtu_back_off(struct petrel_mtu_state *m);
/* Where a timed-out handshake flight falls back to (RFC 8899 5.1.2), or 0
 * to keep link_mtu: a flight with datagrams (largest_ip_bytes, IP packet)
 * over a size known to pass goes straight to it, BASE_PLPMTU (1280 for
 * IPv6, never below floor), then floor once the base itself failed. One
 * rule for both versions' flights (dtls/engine.c, dtls13/flight13.c). */
uint16_t petrel_mtu_black_hole_fallback(uint16_t link_mtu, uint16_t floor, bool ipv6,
					size_t largest_ip_bytes);

#endif
