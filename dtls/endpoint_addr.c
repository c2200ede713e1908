/* Peer addresses as the endpoint's table keys, and back (a peer keeps
 * only its 23-byte key, not a 128-byte sockaddr_storage) and the clock.
 * A service of the endpoint files: it calls none of them. */
#include <string.h>
#include <time.h>

#include "dtls/endpoint_internal.h"

uint64_t petrel_ep_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

size_t petrel_ep_addr_key(const struct sockaddr_storage *ss, socklen_t ss_len, uint8_t key[EP_KEY_MAX])
{
	if (ss->ss_family == AF_INET && ss_len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		key[0] = 4;
		memcpy(key + 1, &a->sin_port, 2);
		memcpy(key + 3, &a->sin_addr, 4);
		return 7;
	}
	if (ss->ss_family == AF_INET6 && ss_len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		key[0] = 6;
		memcpy(key + 1, &a->sin6_port, 2);
		memcpy(key + 3, &a->sin6_addr, 16);
		memcpy(key + 19, &a->sin6_scope_id, 4);
		return 23;
	}
	return 0;
}

socklen_t petrel_ep_key_to_sockaddr(const uint8_t *key, size_t key_len, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (key_len == 7 && key[0] == 4) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		memcpy(&a->sin_port, key + 1, 2);
		memcpy(&a->sin_addr, key + 3, 4);
		return sizeof *a;
	}
	if (key_len == 23 && key[0] == 6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		memcpy(&a->sin6_port, key + 1, 2);
		memcpy(&a->sin6_addr, key + 3, 16);
		memcpy(&a->sin6_scope_id, key + 19, 4);
		return sizeof *a;
	}
	return 0;
}

