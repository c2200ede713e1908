/* Link MTU -> datagram -> record plaintext -> handshake fragment. */
#include "mtu/mtu.h"

#include "petrel/petrel.h"
#include "record/record.h"

static uint16_t floor_for(bool ipv6) { return ipv6 ? PETREL_MTU_MIN_IPV6 : PETREL_MTU_MIN_IPV4; }

void petrel_mtu_init(struct petrel_mtu_state *m, bool ipv6)
{
	m->ipv6 = ipv6;
	m->link_mtu_bytes = ipv6 ? PETREL_MTU_DEFAULT_IPV6 : PETREL_MTU_DEFAULT_IPV4;
}

int petrel_mtu_set_link_mtu(struct petrel_mtu_state *m, uint32_t link_mtu_bytes)
{
	if (link_mtu_bytes < floor_for(m->ipv6) || link_mtu_bytes > PETREL_MTU_MAX)
		return PETREL_E_INVALID_REQUEST;
	m->link_mtu_bytes = (uint16_t)link_mtu_bytes;
	return 0;
}

size_t petrel_mtu_ip_udp_overhead(const struct petrel_mtu_state *m)
{
	return m->ipv6 ? PETREL_IPV6_UDP_OVERHEAD : PETREL_IPV4_UDP_OVERHEAD;
}

size_t petrel_mtu_max_datagram(const struct petrel_mtu_state *m)
{
	size_t overhead = petrel_mtu_ip_udp_overhead(m);
	return m->link_mtu_bytes > overhead ? m->link_mtu_bytes - overhead : 0;
}

size_t petrel_mtu_max_record_plaintext(const struct petrel_mtu_state *m, enum petrel_aead_alg aead)
{
	size_t datagram = petrel_mtu_max_datagram(m);
	size_t overhead = petrel_record_overhead(aead);
	if (datagram <= overhead)
		return 0;
	size_t plaintext = datagram - overhead;
	return plaintext > PETREL_MAX_PLAINTEXT ? PETREL_MAX_PLAINTEXT : plaintext;
}

size_t petrel_mtu_max_handshake_fragment(const struct petrel_mtu_state *m,
					 enum petrel_aead_alg aead)
{
	size_t plaintext = petrel_mtu_max_record_plaintext(m, aead);
	return plaintext > PETREL_HANDSHAKE_HEADER_LEN ? plaintext - PETREL_HANDSHAKE_HEADER_LEN : 0;
}

uint16_t petrel_mtu_next_plateau(uint32_t mtu_bytes, bool ipv6)
{
	static const uint16_t plateaus[] = {1500, 1400, 1280, 1200, 1000, 576};
	uint16_t floor_bytes = floor_for(ipv6);
	for (size_t i = 0; i < sizeof(plateaus) / sizeof(plateaus[0]); i++)
		if (plateaus[i] < mtu_bytes)
			return plateaus[i] < floor_bytes ? floor_bytes : plateaus[i];
	return floor_bytes;
}

bool petrel_mtu_back_off(struct petrel_mtu_state *m)
{
	uint16_t next = petrel_mtu_next_plateau(m->link_mtu_bytes, m->ipv6);
	if (next >= m->link_mtu_bytes)
		return false;
	m->link_mtu_bytes = next;
	return true;
}

uint16_t petrel_mtu_black_hole_fallback(uint16_t link_mtu, uint16_t floor, bool ipv6,
					size_t largest_ip_bytes)
{
	uint16_t base = ipv6 ? PETREL_MTU_MIN_IPV6 : PETREL_MTU_BASE_PLPMTU_IPV4;
	if (base < floor)
		base = floor;
	if (link_mtu > base && largest_ip_bytes > base)
		return base;
	/* Below the base only when the base itself failed (or was set). */
	if (link_mtu <= base && link_mtu > floor && largest_ip_bytes > floor)
		return floor;
	return 0;
}
