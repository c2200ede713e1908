/* Internals shared by the endpoint's files: dtls/endpoint.c (peers,
 * datagrams, timers), dtls/endpoint_half_open.c (half-open caps and the
 * fragment budget, issue #17 item 8), dtls/endpoint_addr.c (address
 * keys) and dtls/endpoint_io.c (the socket and sans-I/O entry points,
 * issue #19), which drain the output queue (dtls/outq.c). */
#ifndef PETREL_DTLS_ENDPOINT_INTERNAL_H
#define PETREL_DTLS_ENDPOINT_INTERNAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dtls/outq.h"
#include "dtls/first_hello.h"
#include "dtls/peer_table.h"
#include "dtls/session.h"
#include "dtls/timer_heap.h"

#define EP_BATCH 32
/* Datagrams waiting to be sent (dtls/outq.c): more is dropped (the
 * sessions treat it as loss). */
#define EP_OUT_MAX_BYTES (1024u * 1024u)
#define EP_DEFAULT_MAX_SESSIONS 100000u
#define EP_DEFAULT_MAX_HALF_OPEN 1000u
#define EP_DEFAULT_MAX_HALF_OPEN_PER_ADDR 64u
#define EP_DEFAULT_MAX_HALF_OPEN_PER_PREFIX 256u
#define EP_DEFAULT_FRAG_BUDGET (4u * 1024u * 1024u)
#define EP_DEFAULT_IDLE_MS 300000u
/* Longer than a cookie's 60 s life: the previous secret still checks. */
#define EP_COOKIE_ROTATE_MS 300000u
/* Address key: family, port and address bytes (IPv6 with scope id). */
#define EP_KEY_MAX 23
_Static_assert(EP_KEY_MAX <= PETREL_TABLE_KEY_MAX, "address keys fit the table");
_Static_assert(EP_KEY_MAX <= PETREL_OUTQ_KEY_MAX, "address keys fit the output queue");

enum { GROUP_ADDR = 0, GROUP_PREFIX = 1, GROUP_KINDS = 2 };

struct ep_group;

/* Bookkeeping of a handshake in progress; freed once established, so an
 * idle session carries one pointer for it. */
struct ep_half_open {
	struct ep_peer *peer;
	struct ep_half_open *prev, *next; /* every half-open peer, oldest first */
	struct ep_group *group[GROUP_KINDS];
	size_t frag_bytes; /* the session's buffered fragments when last looked */
};

/* Half-open handshakes from one address or one prefix. Exists while it
 * counts at least one. */
struct ep_group {
	struct petrel_table_node node;
	unsigned count;
};

struct ep_peer {
	struct petrel_table_node node; /* key: the address key */
	struct petrel_heap_timer timer; /* no later than the peer's next deadline */
	petrel_endpoint *ep;
	petrel_session *session;
	struct ep_half_open *half_open; /* NULL once established */
	uint64_t last_rx_ms;
	/* In ep->cids (key: the CID this peer's records carry, RFC 9146)
	 * when the endpoint issues CIDs. */
	struct petrel_table_node cid_node;
	/* tkt13: DTLS 1.3 CIDs its session issued since (endpoint_cid13.c). */
	struct ep_cid13 *cids13;
};

struct petrel_endpoint {
	int fd; /* -1: sans-I/O */
	/* Inside an endpoint call: sessions' datagrams are queued (and, with
	 * a socket, sent in one sendmmsg when the call ends). */
	unsigned depth;
	struct petrel_outq out; /* capped at EP_OUT_MAX_BYTES */
	bool clock_started;
	petrel_credentials *creds;
	unsigned session_flags;
	struct petrel_endpoint_callbacks cb;
	struct petrel_table peers;  /* by address */
	struct petrel_table groups; /* half-open counts by address and prefix */
	struct petrel_timer_heap timers;
	struct ep_half_open *oldest, *newest;
	unsigned session_count, half_open;
	unsigned max_sessions, max_half_open, max_half_open_per_addr, max_half_open_per_prefix;
	/* The fragment budget every session's reassembler charges, and the
	 * sum of what the half-open sessions held when last looked at. */
	struct petrel_frag_budget frag_budget;
	size_t frag_seen_bytes;
	/* ClientHellos arriving in fragments from peers without a session,
	 * before their cookie (dtls/first_hello.h); made on first use. */
	struct petrel_first_hello_table first_hellos;
	uint64_t idle_ms;
	uint64_t cookie_rotated_ms;
	uint64_t half_open_refused, half_open_evicted, fragment_evicted, timer_visits;
	/* The peer being fed or ticked: its deadline is recomputed after the
	 * call, so its own sends need not touch the heap. */
	struct ep_peer *busy;
	/* RFC 9146: length of the CIDs issued (0: none), the peers by CID,
	 * and the address updates made and refused (address in use). */
	size_t cid_len;
	struct petrel_table cids;
	/* CIDs naming this worker (petrel_endpoint_set_cid_route), else random. */
	bool cid_routed;
	unsigned cid_worker;
	struct petrel_cid_route_config cid_route;
	uint64_t cid_moves, cid_moves_refused;
	/* tkt13: DTLS 1.3 CIDs issued after handshakes (endpoint_cid13.c). */
	struct petrel_table cids13;
	uint8_t rx[EP_BATCH][PETREL_RECV_BUFFER];
	uint8_t app[PETREL_MAX_PLAINTEXT]; /* one record's plaintext for on_data */
	/* What a ClientHello offering DTLS 1.3 gets before a session exists
	 * (petrel_endpoint_set_hello_policy, dtls/front13_hrr.h): the 1.2
	 * cookie exchange when front12_only, else a stateless
	 * HelloRetryRequest asking for one of front_groups (none: defaults). */
	bool front12_only;
	uint16_t front_groups[PETREL_MAX_GROUPS];
	size_t front_group_count;
	/* ... and one of these 1.3 suites (petrel_endpoint_set_hello_ciphers; none: defaults). */
	uint16_t front_suites13[PETREL_MAX_CIPHERS];
	size_t front_suite13_count;
};

/* dtls/endpoint.c */
struct ep_peer *petrel_ep_find_peer(const petrel_endpoint *ep, const uint8_t *key, size_t len);
/* on_closed, then the peer and its session are freed. */
void petrel_ep_remove_peer(petrel_endpoint *ep, struct ep_peer *p, int reason);
void petrel_ep_handle_datagram(petrel_endpoint *ep, uint8_t *d, size_t len,
			       const struct sockaddr_storage *ss, socklen_t ss_len, uint64_t now);
void petrel_ep_run_timers(petrel_endpoint *ep, uint64_t now);
void petrel_ep_start_clock(petrel_endpoint *ep, uint64_t now);
int petrel_ep_alloc(petrel_endpoint **out, petrel_credentials *creds, unsigned session_flags,
		    const struct petrel_endpoint_callbacks *cb);

/* Longest CID an endpoint issues (its table's key room). */
#define EP_CID_MAX 20
_Static_assert(EP_CID_MAX <= PETREL_TABLE_KEY_MAX, "CIDs fit the table");

/* dtls/endpoint_half_open.c */
int petrel_ep_half_open_begin(petrel_endpoint *ep, struct ep_peer *p);
void petrel_ep_half_open_end(petrel_endpoint *ep, struct ep_peer *p);
void petrel_ep_note_frag_bytes(petrel_endpoint *ep, struct ep_peer *p);
size_t petrel_ep_frag_bytes_in_use(const petrel_endpoint *ep);
/* A datagram starting with a ClientHello from a peer without handshake
 * state: 1 when its ClientHello is whole (in this datagram or assembled
 * with earlier fragments) with a valid cookie (make the session, then
 * petrel_ep_hand_over_first_hello), 0 when a HelloVerifyRequest was
 * written to hvr, PETREL_E_AGAIN when there is nothing to do yet. */
int petrel_ep_check_client_hello(petrel_endpoint *ep, const uint8_t *key, size_t key_len,
				 const uint8_t *d, size_t len, uint64_t now, uint8_t *hvr,
				 size_t hvr_cap, size_t *hvr_len);
/* The new peer's assembled ClientHello goes to its session. */
void petrel_ep_hand_over_first_hello(petrel_endpoint *ep, struct ep_peer *p);
void petrel_ep_expire_first_hellos(petrel_endpoint *ep, uint64_t now);
bool petrel_ep_fragment_budget_strained(const petrel_endpoint *ep);
struct ep_peer *petrel_ep_fragment_victim(const petrel_endpoint *ep);
bool petrel_ep_half_open_refuses(petrel_endpoint *ep, const uint8_t *akey);
struct ep_peer *petrel_ep_half_open_victim(const petrel_endpoint *ep);

/* close_notify to every established peer. */
void petrel_ep_say_goodbye(petrel_endpoint *ep);
/* Queue a datagram for the address key (dtls/outq.c): its length, or
 * PETREL_E_AGAIN when the queue is full (loss: the session retransmits). */
static inline long petrel_ep_enqueue(petrel_endpoint *ep, const uint8_t *key, size_t key_len,
				     const uint8_t *data, size_t len)
{
	return petrel_outq_push(&ep->out, key, key_len, data, len);
}

/* dtls/endpoint.c: the one way out to the socket. Sends the queue with
 * sendmmsg, EP_BATCH at a time, straight from the queue's buffer. A
 * datagram the kernel refuses as too big lowers its session's MTU (RFC
 * 6347 4.1.1.1): the retransmission is re-fragmented. Other failures are
 * loss, and a full socket buffer drops the rest of the queue (the
 * sessions retransmit). With report (one datagram queued, outside the
 * endpoint's calls): its length sent, or its error for the sender
 * (PETREL_E_LARGE_PACKET: the sender lowers its MTU). */
long petrel_ep_flush(petrel_endpoint *ep, bool report);

/* dtls/endpoint_addr.c */
uint64_t petrel_ep_now(void);
/* 0 for an address that is neither IPv4 nor IPv6. */
size_t petrel_ep_addr_key(const struct sockaddr_storage *ss, socklen_t ss_len, uint8_t key[EP_KEY_MAX]);
socklen_t petrel_ep_key_to_sockaddr(const uint8_t *key, size_t key_len, struct sockaddr_storage *ss);

/* dtls/endpoint_io.c */
/* An endpoint call ends (calls nest through ep->depth). */
void petrel_ep_leave(petrel_endpoint *ep);

#endif
