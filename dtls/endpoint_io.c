/* The endpoint's edges: peer addresses as table keys, the send queue,
 * the socket convenience (recvmmsg in, sendmmsg out, issue #19 item 3)
 * and the sans-I/O entry points (datagram, address and time in; queued
 * datagrams out). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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

/* The socket address back from an address key (the peer keeps only the
 * key: 23 bytes instead of a 128-byte sockaddr_storage). */
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

long petrel_ep_sendto_key(int fd, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t ss_len = petrel_ep_key_to_sockaddr(key, key_len, &ss);
	ssize_t n = sendto(fd, data, len, 0, (const struct sockaddr *)&ss, ss_len);
	if (n >= 0)
		return (long)n;
	if (errno == EMSGSIZE)
		return PETREL_E_LARGE_PACKET;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
		return PETREL_E_AGAIN; /* treated as loss */
	if (errno == EINTR)
		return PETREL_E_INTERRUPTED;
	return PETREL_E_PUSH_ERROR;
}

/* Queue a datagram for the address key: its length, or PETREL_E_AGAIN
 * when the queue is full (loss to the session, which retransmits). */
long petrel_ep_enqueue(petrel_endpoint *ep, const uint8_t *key, size_t key_len, const uint8_t *data,
		       size_t len)
{
	struct ep_out_header h;
	if (len > UINT16_MAX)
		return PETREL_E_LARGE_PACKET;
	size_t need = sizeof h + len;
	if (ep->out_len + need > EP_OUT_MAX_BYTES) {
		ep->out_dropped++;
		return PETREL_E_AGAIN;
	}
	if (ep->out_len + need > ep->out_cap) {
		size_t cap = ep->out_cap ? ep->out_cap : 64u * 1024u;
		while (cap < ep->out_len + need)
			cap *= 2;
		uint8_t *out = realloc(ep->out, cap);
		if (out == NULL) {
			ep->out_dropped++;
			return PETREL_E_AGAIN;
		}
		ep->out = out;
		ep->out_cap = cap;
	}
	memset(&h, 0, sizeof h);
	h.len = (uint16_t)len;
	h.key_len = (uint8_t)key_len;
	memcpy(h.key, key, key_len);
	memcpy(ep->out + ep->out_len, &h, sizeof h);
	memcpy(ep->out + ep->out_len + sizeof h, data, len);
	ep->out_len += need;
	ep->out_count++;
	return (long)len;
}

/* Send the queue with sendmmsg, EP_BATCH at a time. A datagram the kernel
 * refuses as too big lowers its session's MTU (RFC 6347 4.1.1.1): the
 * retransmission is re-fragmented. Other failures are loss, and a full
 * socket buffer drops the rest of the queue (the sessions retransmit). */
static void flush_socket(petrel_endpoint *ep)
{
	struct mmsghdr msgs[EP_BATCH];
	struct iovec iov[EP_BATCH];
	struct sockaddr_storage addrs[EP_BATCH];
	size_t offsets[EP_BATCH];
	while (ep->out_head < ep->out_len) {
		int n = 0;
		size_t off = ep->out_head;
		while (n < EP_BATCH && off < ep->out_len) {
			struct ep_out_header h;
			memcpy(&h, ep->out + off, sizeof h);
			memset(&msgs[n], 0, sizeof msgs[n]);
			iov[n].iov_base = ep->out + off + sizeof h;
			iov[n].iov_len = h.len;
			msgs[n].msg_hdr.msg_iov = &iov[n];
			msgs[n].msg_hdr.msg_iovlen = 1;
			msgs[n].msg_hdr.msg_name = &addrs[n];
			msgs[n].msg_hdr.msg_namelen = petrel_ep_key_to_sockaddr(h.key, h.key_len, &addrs[n]);
			offsets[n] = off;
			off += sizeof h + h.len;
			n++;
		}
		int sent = sendmmsg(ep->fd, msgs, (unsigned)n, 0);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			break; /* the socket buffer is full: the rest is loss */
		if (sent <= 0) {
			/* The first datagram failed: deal with it, go on after it. */
			struct ep_out_header h;
			memcpy(&h, ep->out + offsets[0], sizeof h);
			if (sent < 0 && errno == EMSGSIZE) {
				struct ep_peer *p = petrel_ep_find_peer(ep, h.key, h.key_len);
				if (p)
					(void)petrel_lower_mtu(p->session, PETREL_MTU_EMSGSIZE);
			}
			sent = 1;
		}
		ep->out_head = sent < n ? offsets[sent] : off;
	}
	ep->out_len = ep->out_head = 0;
	ep->out_count = 0;
}

/* An endpoint call ends: with a socket, send what it queued. */
void petrel_ep_leave(petrel_endpoint *ep)
{
	if (--ep->depth == 0 && ep->fd >= 0 && ep->out_len > 0)
		flush_socket(ep);
}

int petrel_endpoint_new(petrel_endpoint **out, int fd, petrel_credentials *creds,
			unsigned session_flags, const struct petrel_endpoint_callbacks *cb)
{
	if (fd < 0)
		return PETREL_E_INVALID_REQUEST;
	petrel_endpoint *ep;
	int rc = petrel_ep_alloc(&ep, creds, session_flags, cb);
	if (rc < 0)
		return rc;
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
#ifdef IP_MTU_DISCOVER
	/* DF set: oversized datagrams fail with EMSGSIZE (RFC 6347 4.1.1.1). */
	int pmtu = IP_PMTUDISC_DO;
	(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
#endif
	ep->fd = fd;
	ep->cookie_rotated_ms = petrel_ep_now();
	ep->clock_started = true;
	*out = ep;
	return 0;
}

int petrel_endpoint_process(petrel_endpoint *ep)
{
	int processed = 0;
	struct mmsghdr msgs[EP_BATCH];
	struct iovec iov[EP_BATCH];
	struct sockaddr_storage addrs[EP_BATCH];
	for (;;) {
		for (int i = 0; i < EP_BATCH; i++) {
			iov[i].iov_base = ep->rx[i];
			iov[i].iov_len = sizeof ep->rx[i];
			memset(&msgs[i], 0, sizeof msgs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &addrs[i];
			msgs[i].msg_hdr.msg_namelen = sizeof addrs[i];
		}
		int n = recvmmsg(ep->fd, msgs, EP_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
				break;
			if (errno == EINTR)
				continue;
			return PETREL_E_PULL_ERROR;
		}
		uint64_t now = petrel_ep_now();
		ep->depth++;
		for (int i = 0; i < n; i++)
			petrel_ep_handle_datagram(ep, ep->rx[i], msgs[i].msg_len, &addrs[i],
					msgs[i].msg_hdr.msg_namelen, now);
		petrel_ep_leave(ep);
		processed += n;
		if (n < EP_BATCH)
			break;
	}
	ep->depth++;
	petrel_ep_run_timers(ep, petrel_ep_now());
	petrel_ep_leave(ep);
	return processed;
}

int petrel_endpoint_feed(petrel_endpoint *ep, uint8_t *dgram, size_t len, const void *addr,
			 unsigned addr_len, uint64_t now_ms)
{
	if (ep == NULL || dgram == NULL || addr == NULL)
		return PETREL_E_INVALID_REQUEST;
	struct sockaddr_storage ss;
	if (addr_len > sizeof ss)
		addr_len = sizeof ss;
	memset(&ss, 0, sizeof ss);
	memcpy(&ss, addr, addr_len);
	uint8_t key[EP_KEY_MAX];
	if (petrel_ep_addr_key(&ss, (socklen_t)addr_len, key) == 0)
		return PETREL_E_INVALID_REQUEST;
	petrel_ep_start_clock(ep, now_ms);
	ep->depth++;
	petrel_ep_handle_datagram(ep, dgram, len, &ss, (socklen_t)addr_len, now_ms);
	petrel_ep_leave(ep);
	return 0;
}

int petrel_endpoint_handle_timeout(petrel_endpoint *ep, uint64_t now_ms)
{
	if (ep == NULL)
		return PETREL_E_INVALID_REQUEST;
	ep->depth++;
	petrel_ep_run_timers(ep, now_ms);
	petrel_ep_leave(ep);
	return 0;
}

long petrel_endpoint_next_datagram(petrel_endpoint *ep, uint8_t *buf, size_t cap, void *addr,
				   unsigned *addr_len)
{
	if (ep == NULL || buf == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (ep->out_head >= ep->out_len)
		return PETREL_E_AGAIN;
	struct ep_out_header h;
	memcpy(&h, ep->out + ep->out_head, sizeof h);
	if (h.len > cap)
		return PETREL_E_SHORT_BUFFER;
	memcpy(buf, ep->out + ep->out_head + sizeof h, h.len);
	if (addr_len) {
		struct sockaddr_storage ss;
		socklen_t ss_len = petrel_ep_key_to_sockaddr(h.key, h.key_len, &ss);
		if (addr)
			memcpy(addr, &ss, *addr_len < ss_len ? *addr_len : (unsigned)ss_len);
		*addr_len = (unsigned)ss_len;
	}
	ep->out_head += sizeof h + h.len;
	ep->out_count--;
	if (ep->out_head >= ep->out_len)
		ep->out_head = ep->out_len = 0;
	return (long)h.len;
}

unsigned petrel_endpoint_get_timeout(const petrel_endpoint *ep)
{
	uint64_t now = petrel_ep_now(), next = petrel_endpoint_next_deadline(ep);
	if (next == UINT64_MAX)
		return UINT32_MAX;
	return next <= now ? 0 : (unsigned)(next - now > UINT32_MAX ? UINT32_MAX : next - now);
}
