/* The GnuTLS-style calls (petrel_handshake, petrel_record_send/recv) as a
 * thin loop over the engine and the transport callbacks, plus a ready
 * transport for a connected UDP socket. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dtls/alert.h"
#include "dtls/dispatch.h"
#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls/session.h"
#include "dtls13/engine13.h"
#include "mtu/mtu.h"

/* Whether the engine needs the current time: until established (a server
 * before its first ClientHello has no handshake state yet), while
 * the final flight is kept, while probing the path MTU, or to bound a
 * blocking wait. An established session moving data needs none, so the
 * record path reads no clock (it costs ~5% of a 1200-byte record). */
static bool needs_clock(const petrel_session *s)
{
	return !s->established || s->hs != NULL || s->final != NULL || s->pull_timeout != NULL ||
	       (s->d13 != NULL && petrel_engine13_next_deadline(s) != UINT64_MAX) ||
	       petrel_pmtud_deadline(&s->pmtud) != UINT64_MAX || petrel_keepalive_active(s);
}

/* The time for a step of the engine: read, or the last value read. */
static uint64_t step_time(petrel_session *s)
{
	if (needs_clock(s))
		s->clock_seen_ms = petrel_session_now(s);
	return s->clock_seen_ms;
}

/* Receive one datagram and feed it, waiting (with pull_timeout) at most
 * limit_ms or until the engine's next deadline; returns the engine's
 * result, or AGAIN/INTERRUPTED/PULL_ERROR from the transport. */
static int pull_and_feed(petrel_session *s, uint64_t *now, uint64_t limit_ms)
{
	/* Received 3 bytes in, so the ciphertext after a 13-byte header and
	 * 8-byte explicit nonce is 8-byte aligned, as on the send side. */
	_Alignas(16) uint8_t space[PETREL_RECV_BUFFER + 8];
	uint8_t *buf = space + (8 - PETREL_RECORD_HEADER_LEN % 8) % 8;
	if (s->pull == NULL)
		return PETREL_E_PULL_ERROR;
	if (s->pull_timeout) {
		uint64_t deadline = petrel_engine_next_deadline(s);
		uint64_t wait = limit_ms;
		if (deadline != UINT64_MAX)
			wait = deadline > *now ? deadline - *now : 0;
		if (wait > limit_ms)
			wait = limit_ms;
		int ready = s->pull_timeout(s->transport_ptr, wait >= PETREL_INDEFINITE_TIMEOUT
								   ? PETREL_INDEFINITE_TIMEOUT
								   : (unsigned)wait);
		if (ready < 0)
			return PETREL_E_PULL_ERROR;
		if (ready == 0) {
			*now = petrel_session_now(s);
			return PETREL_E_AGAIN;
		}
	}
	long n = s->pull(s->transport_ptr, buf, PETREL_RECV_BUFFER);
	*now = step_time(s);
	if (n < 0)
		return (int)n;
	return petrel_engine_feed(s, buf, (size_t)n, *now);
}

int petrel_handshake(petrel_session *s)
{
	if (s->fatal_error)
		return s->fatal_error;
	if (s->version == PETREL_V_DTLS13 && s->established)
		return petrel_engine13_rehandshake(s);
	if (s->established && s->hs == NULL)
		return 0;
	uint64_t now = petrel_session_now(s);
	int rc;
	if (s->hs == NULL) {
		/* A client sends its first flight; a server's operations have
		 * no begin (it waits for a ClientHello). */
		rc = petrel_dispatch_begin(s, now);
		if (rc < 0) {
			if (rc == PETREL_E_LARGE_PACKET)
				return rc;
			return petrel_session_fail(s, rc, petrel_alert_for_error(rc));
		}
	}
	for (;;) {
		rc = petrel_engine_tick(s, now);
		if (rc < 0) {
			s->direction = 1;
			return rc;
		}
		if (s->established && s->hs == NULL)
			return 0;
		/* A renegotiation (dtls/reneg.c): data of the old epoch is the
		 * caller's to read first, as GnuTLS does. */
		if (s->rx_app_ready)
			return PETREL_E_GOT_APPLICATION_DATA;
		/* During the handshake wait for the next timer (at most a minute). */
		rc = pull_and_feed(s, &now, 60000u);
		if (s->established && s->hs == NULL) /* done, or a renegotiation refused */
			return rc == PETREL_E_WARNING_ALERT_RECEIVED ? rc : 0;
		if (s->rx_app_ready)
			return PETREL_E_GOT_APPLICATION_DATA;
		if (rc == PETREL_E_AGAIN && s->pull_timeout) {
			/* A timed wait ran out: loop to let the timer fire, unless
			 * the caller's transport is non-blocking (then report). */
			if (petrel_engine_next_deadline(s) <= now)
				continue;
		}
		if (rc == PETREL_E_AGAIN || rc == PETREL_E_INTERRUPTED) {
			s->direction = 0;
			return rc;
		}
		if (rc < 0)
			return rc;
	}
}

long petrel_record_send(petrel_session *s, const void *data, size_t len)
{
	if (s->fatal_error)
		return s->fatal_error;
	if (!s->established || s->closed)
		return PETREL_E_INVALID_REQUEST;
	if (len > petrel_dtls_get_data_mtu(s))
		return PETREL_E_LARGE_PACKET;
	if (s->version == PETREL_V_DTLS13)
		return petrel_engine13_send(s, data, len);
	/* Start 3 bytes in, so the ciphertext after the 13-byte header (and
	 * 8-byte explicit nonce) is 8-byte aligned: nettle's CTR mode then
	 * writes the key stream straight into it instead of through a buffer. */
	_Alignas(16) uint8_t space[PETREL_MAX_DATAGRAM + 64 + 8];
	uint8_t *buf = space + (8 - PETREL_RECORD_HEADER_LEN % 8) % 8;
	struct petrel_writer w;
	petrel_writer_init(&w, buf, PETREL_MAX_DATAGRAM + 64);
	int rc = petrel_rl_write(&s->rl, petrel_rl_write_epoch(&s->rl), PETREL_CT_APPLICATION_DATA, data,
				 len, &w);
	if (rc < 0)
		return rc;
	/* Out through the drain, behind anything a handshake queued. */
	long r = petrel_outq_session_drain(s, buf, petrel_writer_len(&w), NULL);
	if (r == PETREL_E_LARGE_PACKET) {
		/* The path is smaller than we thought (EMSGSIZE): report it; the
		 * caller re-sizes its messages to petrel_dtls_get_data_mtu(). */
		(void)petrel_lower_mtu(s, PETREL_MTU_EMSGSIZE);
		return PETREL_E_LARGE_PACKET;
	}
	if (r < 0) {
		s->direction = 1;
		return r;
	}
	s->app_activity = true;
	return (long)len;
}

static long record_recv(petrel_session *s, void *out, size_t cap)
{
	/* petrel_record_set_timeout: the whole call waits that long for data
	 * (issue #17 item 7). Internal timers (idle check, probes, the kept
	 * final flight) wake the wait earlier; they are served and the wait
	 * goes on for what is left. */
	bool indefinite = s->recv_timeout_ms == PETREL_INDEFINITE_TIMEOUT;
	uint64_t start = s->recv_timeout_ms && s->pull_timeout ? petrel_session_now(s) : 0;
	for (;;) {
		if (s->rx_app_ready)
			return petrel_engine_read(s, out, cap);
		if (s->closed)
			return 0;
		if (s->fatal_error)
			return s->fatal_error;
		uint64_t now = step_time(s);
		int rc = needs_clock(s) ? petrel_engine_tick(s, now) : 0;
		if (rc < 0)
			return rc;
		uint64_t left = 0;
		if (indefinite)
			left = UINT64_MAX;
		else if (s->recv_timeout_ms && s->pull_timeout) {
			uint64_t t = petrel_session_now(s);
			uint64_t spent = t > start ? t - start : 0;
			left = spent < s->recv_timeout_ms ? s->recv_timeout_ms - spent : 0;
		}
		rc = pull_and_feed(s, &now, left);
		if (rc == PETREL_E_SESSION_CLOSED)
			return 0;
		if (s->rx_app_ready)
			continue;
		if (rc == PETREL_E_AGAIN && left > 0 && s->pull_timeout) {
			/* Woken by a timer, not by the caller's timeout: serve it
			 * (the tick at the top of the loop) and wait on. */
			uint64_t t = petrel_session_now(s);
			if (indefinite || t - start < s->recv_timeout_ms)
				continue;
		}
		if (rc == PETREL_E_AGAIN && !needs_clock(s)) {
			/* Nothing to read: the caller is about to wait, so this is
			 * when timers a busy session skipped (the idle check) are
			 * due their turn, with the real time. */
			s->clock_seen_ms = petrel_session_now(s);
			int tick_rc = petrel_engine_tick(s, s->clock_seen_ms);
			if (tick_rc < 0)
				return tick_rc;
		}
		if (rc < 0) {
			s->direction = 0;
			return rc;
		}
	}
}

long petrel_record_recv(petrel_session *s, void *out, size_t cap)
{
	/* Lend the caller's buffer to the engine for this call only. */
	if (!s->rx_app_ready) {
		s->rx_user_buf = out;
		s->rx_user_cap = out ? cap : 0;
	}
	long n = record_recv(s, out, cap);
	s->rx_user_buf = NULL;
	s->rx_user_cap = 0;
	return n;
}

void petrel_record_set_timeout(petrel_session *s, unsigned ms)
{
	s->recv_timeout_ms = ms;
}

void petrel_record_set_bad_record_limit(petrel_session *s, uint64_t limit)
{
	petrel_rl_set_bad_record_limit(&s->rl, limit);
}

int petrel_bye(petrel_session *s)
{
	if (!s->established || s->fatal_error)
		return PETREL_E_INVALID_REQUEST;
	if (s->version == PETREL_V_DTLS13)
		return petrel_engine13_bye(s);
	int rc = petrel_send_alert(s, PETREL_ALERT_WARNING, ALERT_CLOSE_NOTIFY);
	s->closed = true;
	return rc;
}

/* ---- connected UDP socket transport ---- */

static long udp_push(void *ptr, const uint8_t *data, size_t len)
{
	petrel_session *s = ptr;
	int fd = s->fd;
	ssize_t n = send(fd, data, len, 0);
	if (n >= 0)
		return (long)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return PETREL_E_AGAIN;
	if (errno == EINTR)
		return PETREL_E_INTERRUPTED;
	if (errno == EMSGSIZE) {
		/* The kernel learned the path MTU from an ICMP "fragmentation
		 * needed" / "packet too big" (RFC 1191, RFC 8201): use it. */
		int mtu = 0;
		socklen_t ml = sizeof mtu;
		int r = s->ipv6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &ml)
				: getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &ml);
		if (r == 0 && mtu >= 256 && mtu < 65536)
			s->kernel_pmtu = (uint16_t)mtu;
		return PETREL_E_LARGE_PACKET;
	}
	if (errno == ECONNREFUSED)
		return PETREL_E_AGAIN; /* ICMP port unreachable: treat as loss */
	return PETREL_E_PUSH_ERROR;
}

static long udp_pull(void *ptr, uint8_t *buf, size_t cap)
{
	int fd = ((petrel_session *)ptr)->fd;
	ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);
	if (n >= 0)
		return (long)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED)
		return PETREL_E_AGAIN;
	if (errno == EINTR)
		return PETREL_E_INTERRUPTED;
	return PETREL_E_PULL_ERROR;
}

static int udp_pull_timeout(void *ptr, unsigned ms)
{
	struct pollfd pfd = {((petrel_session *)ptr)->fd, POLLIN, 0};
	int r = poll(&pfd, 1, ms == PETREL_INDEFINITE_TIMEOUT ? -1 : ms > INT32_MAX ? INT32_MAX : (int)ms);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	return r;
}

int petrel_transport_set_udp_fd(petrel_session *s, int fd)
{
	if (fd < 0)
		return PETREL_E_INVALID_REQUEST;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_INET6) {
		s->ipv6 = true;
		if (s->mtu_floor == PETREL_MTU_MIN_IPV4)
			s->mtu_floor = PETREL_MTU_MIN_IPV6;
		int on = 1;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof on);
#ifdef IPV6_MTU_DISCOVER
		int pmtu = IPV6_PMTUDISC_DO;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu);
#endif
	} else {
#ifdef IP_MTU_DISCOVER
		/* DF set: an oversized datagram fails with EMSGSIZE instead of
		 * being fragmented (RFC 6347 4.1.1.1). */
		int pmtu = IP_PMTUDISC_DO;
		(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
#endif
	}
	s->fd = fd;
	s->transport_ptr = s;
	s->push = udp_push;
	s->pull = udp_pull;
	s->pull_timeout = udp_pull_timeout;
	/* The peer address keys the stateless cookie (RFC 6347 4.2.1). */
	sl = sizeof ss;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		size_t n = sl < sizeof s->peer_addr ? sl : sizeof s->peer_addr;
		memcpy(s->peer_addr, &ss, n);
		s->peer_addr_len = n;
	}
	return 0;
}
