/* The endpoint's edges: the socket convenience (recvmmsg in, sendmmsg
 * out, issue #19 item 3) and the sans-I/O entry points (datagram,
 * address and time in; queued datagrams out). Both drain the one output
 * queue (dtls/outq.c) the sessions' datagrams went into. The top of the
 * endpoint files: it calls down into dtls/endpoint.c, never the reverse. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/endpoint_internal.h"

/* An endpoint call ends: with a socket, send what it queued. */
void petrel_ep_leave(petrel_endpoint *ep)
{
	if (--ep->depth == 0 && ep->fd >= 0 && !petrel_outq_empty(&ep->out))
		(void)petrel_ep_flush(ep, false);
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
	size_t pos = ep->out.head;
	struct petrel_outq_item it;
	if (!petrel_outq_next(&ep->out, &pos, &it))
		return PETREL_E_AGAIN;
	if (it.len > cap)
		return PETREL_E_SHORT_BUFFER;
	memcpy(buf, it.data, it.len);
	if (addr_len) {
		struct sockaddr_storage ss;
		socklen_t ss_len = petrel_ep_key_to_sockaddr(it.key, it.key_len, &ss);
		if (addr)
			memcpy(addr, &ss, *addr_len < ss_len ? *addr_len : (unsigned)ss_len);
		*addr_len = (unsigned)ss_len;
	}
	petrel_outq_consume(&ep->out, pos);
	return (long)it.len;
}

unsigned petrel_endpoint_get_timeout(const petrel_endpoint *ep)
{
	uint64_t now = petrel_ep_now(), next = petrel_endpoint_next_deadline(ep);
	if (next == UINT64_MAX)
		return UINT32_MAX;
	return next <= now ? 0 : (unsigned)(next - now > UINT32_MAX ? UINT32_MAX : next - now);
}

void petrel_endpoint_shutdown(petrel_endpoint *ep)
{
	ep->depth++;
	petrel_ep_say_goodbye(ep);
	petrel_ep_leave(ep);
}
