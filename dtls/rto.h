/* Retransmission timeout with RTT estimation (issue #11).
 *
 * Before the first RTT sample the timeout is the configured initial value
 * (default 400 ms, below). Each flight that was
 * sent once and answered gives a sample (Karn's rule, RFC 6298 3: a
 * retransmitted flight's answer cannot be matched to one transmission, so
 * it gives none). From the samples, RFC 6298 2:
 *   first:  SRTT = R, RTTVAR = R/2
 *   next:   RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|;  SRTT = 7/8 SRTT + 1/8 R
 *   RTO = max(floor, SRTT + max(G, 4 * RTTVAR))
 * Each consecutive timeout doubles the timeout up to the cap; an answered
 * flight resets the back-off (RFC 6298 5.7).
 *
 * Defaults, and why they are safe for the network:
 * - initial 400 ms for both versions and roles, not the 1 s of RFC 6347
 *   4.2.4.1 / RFC 9147 5.8.2: 5.8.2 lets profiles choose shorter timers
 *   and recommends 400 ms for DTLS-SRTP; NSS (Firefox's DTLS) starts at
 *   50 ms. Only the very first flight is timed without an RTT sample:
 *   later flights use RFC 6298 samples (the HelloVerifyRequest or
 *   HelloRetryRequest gives the client one), and a server times its first
 *   flight from its cookie's age. A loss in the cookie exchange (clean
 *   with probability 0.49 at 30% loss each way) cost a whole second with
 *   1 s (issue #20). Back-off, floor and cap below apply as before, and
 *   petrel_dtls_set_timeouts(s, 1000, ...) gives the RFC's 1 s;
 * - floor 100 ms, lower than TCP's 1 s (RFC 6298 2.4): the sample includes
 *   the peer's crypto time and the floor absorbs its jitter on
 *   sub-millisecond paths;
 * - back-off cap 4 s, below the 60 s of RFC 6298 2.5 / RFC 6347 4.2.4.1
 *   on purpose: under heavy loss a 60 s cap leaves ~6 tries in the
 *   handshake's total time and a few unlucky drops cost tens of seconds
 *   (what OpenSSL and GnuTLS do, issue #11). The cap only bounds the
 *   back-off: an RTT-derived timeout above it is used as is, so a slow
 *   path is never retransmitted into faster than its RTT.
 * No flood: a handshake flight is a few small datagrams, at most one
 * flight goes out per timeout, the handshake ends at its total timeout
 * (60 s: at most ~20 flights to a dead peer, ~1 datagram/s), and a server
 * sends nothing but one HelloVerifyRequest per ClientHello before a valid
 * cookie. petrel_dtls_set_timeout_limits(s, floor, 60000) restores the
 * RFC cap. Pure arithmetic in ms, no clock. */
#ifndef PETREL_DTLS_RTO_H
#define PETREL_DTLS_RTO_H

#include <stdbool.h>
#include <stdint.h>

#define PETREL_RTO_DEFAULT_INITIAL_MS 400u
#define PETREL_RTO_DEFAULT_FLOOR_MS 100u
#define PETREL_RTO_DEFAULT_CAP_MS 4000u
/* No RTT-derived timeout above this (RFC 6298 2.5's maximum). */
#define PETREL_RTO_MAX_MS 60000u
/* G of RFC 6298: the clock granularity term; 10 ms keeps a perfectly
 * steady RTT from giving a timeout equal to the RTT itself. */
#define PETREL_RTO_GRANULARITY_MS 10u
/* A flight the peer must do public-key work to answer (verify a chain,
 * sign, derive an ECDHE secret) waits at least this long once RTT samples
 * set the timeout: the cookie exchange's sample covers the network only,
 * and with RFC 6298's 1/8 gain later samples barely lift the estimate
 * (issue #17 item 5: on loopback gnutls-cli took ~150 ms to answer a
 * server's certificate flight and gnutls-serv ~100 ms to answer a
 * client's final flight; a 100 ms timeout resent both). Before any
 * sample the initial timeout applies as configured. */
#define PETREL_RTO_DEFAULT_PEER_WORK_MS 400u

struct petrel_rto_stats {
	uint64_t samples;
	uint64_t timeouts;      /* total, not just consecutive */
	uint64_t karn_skipped;  /* answers of retransmitted flights */
	uint32_t srtt_ms;       /* 0 before the first sample */
	uint32_t rttvar_ms;
	uint32_t rto_ms;        /* current timeout incl. back-off */
};

struct petrel_rto {
	uint32_t initial_ms, floor_ms, cap_ms;
	bool have_sample;
	/* Fixed point, microseconds, so 1/8 and 1/4 gains do not truncate. */
	uint64_t srtt_us, rttvar_us;
	uint32_t base_ms; /* timeout without back-off */
	uint32_t peer_work_ms; /* floor for flights needing peer work */
	bool flight_peer_work; /* the outstanding flight needs public-key work to answer */
	unsigned backoff; /* consecutive timeouts */
	/* The outstanding flight, for petrel_rto_flight_sent/_answered. */
	bool flight_outstanding;
	bool flight_retransmitted;
	uint64_t flight_sent_ms;
	struct petrel_rto_stats stats;
};

/* 0 for any argument selects its default. PETREL_E_INVALID_REQUEST if
 * floor_ms > cap_ms or an argument exceeds PETREL_RTO_MAX_MS (the rto is
 * still initialised with defaults then). An initial timeout above the cap
 * is allowed: like an RTT-derived one, it is used as is, undoubled. */
int petrel_rto_init(struct petrel_rto *rto, uint32_t initial_ms, uint32_t floor_ms,
		    uint32_t cap_ms);

/* Feed one RTT measurement (ms) of a flight sent once. */
void petrel_rto_on_sample(struct petrel_rto *rto, uint32_t rtt_ms);
/* The timeout to arm now, back-off included. */
uint32_t petrel_rto_current_ms(const struct petrel_rto *rto);
/* Our timer fired without an answer: double (up to cap). Only then
 * (RFC 6347 4.2.4.1): a resend the peer's repeated flight asks for is
 * not a timeout, and anyone can send an old message. */
void petrel_rto_on_timeout(struct petrel_rto *rto);
/* The peer answered the flight: clear the back-off. */
void petrel_rto_on_answer(struct petrel_rto *rto);

/* The next flight (petrel_rto_flight_sent with retransmission=false)
 * needs the peer's public-key work to answer: see
 * PETREL_RTO_DEFAULT_PEER_WORK_MS. */
void petrel_rto_next_flight_needs_work(struct petrel_rto *rto, bool needs_work);

/* Karn's rule in one place: call flight_sent on each (re)transmission of
 * the current flight with retransmission=false for its first send; call
 * flight_answered when the peer's next flight starts to arrive. A sample
 * (now - first send) is taken only if the flight was never re-sent; the
 * back-off is reset either way. Answering twice has no effect. */
void petrel_rto_flight_sent(struct petrel_rto *rto, uint64_t now_ms, bool retransmission);
void petrel_rto_flight_answered(struct petrel_rto *rto, uint64_t now_ms);

const struct petrel_rto_stats *petrel_rto_stats(const struct petrel_rto *rto);

/* A one-shot deadline. */
struct petrel_timer {
	bool armed;
	uint64_t deadline_ms;
};

static inline void petrel_timer_arm(struct petrel_timer *t, uint64_t now_ms, uint32_t timeout_ms)
{
	t->armed = true;
	t->deadline_ms = now_ms + timeout_ms;
}
static inline void petrel_timer_stop(struct petrel_timer *t) { t->armed = false; }
static inline bool petrel_timer_expired(const struct petrel_timer *t, uint64_t now_ms)
{
	return t->armed && now_ms >= t->deadline_ms;
}
/* ms until the deadline (0 if expired); UINT64_MAX when not armed. */
static inline uint64_t petrel_timer_remaining_ms(const struct petrel_timer *t, uint64_t now_ms)
{
	if (!t->armed)
		return UINT64_MAX;
	return now_ms >= t->deadline_ms ? 0 : t->deadline_ms - now_ms;
}

#endif
