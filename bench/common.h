/* Shared pieces of the benchmarks: clock, statistics, the in-memory
 * datagram queues that join a client and a server in one process, test
 * keys made once per run, and one driver per library (Petrel, OpenSSL,
 * GnuTLS) behind the same small interface. */
#ifndef PETREL_BENCH_COMMON_H
#define PETREL_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

double bench_now(void);
/* Sorts v in place and returns the q-quantile (0.5 = median). */
double bench_quantile(double *v, size_t n, double q);
/* BENCH_QUICK=1 in the environment: fewer rounds and seeds. */
bool bench_quick(void);

/* ---- in-memory datagram queues: direction 0 = client->server ---- */
#define BENCH_QUEUE_SLOTS 64
#define BENCH_QUEUE_DATAGRAM 18432
void bench_queue_reset(void);
/* Returns len, or -1 when full or too large. */
long bench_queue_push(int dir, const uint8_t *data, size_t len);
/* Copies the oldest datagram (truncating like UDP); -1 when empty. */
long bench_queue_pop(int dir, uint8_t *buf, size_t cap);
/* The oldest datagram without removing it, or NULL. */
const uint8_t *bench_queue_peek(int dir, size_t *len);
size_t bench_queue_count(int dir);

/* ---- keys: certificate chains made with the openssl CLI ---- */
struct bench_keys {
	char dir[64];
	/* Each server certificate is a leaf (CN and DNS name BENCH_SERVER_NAME)
	 * issued by its own CA of the same key type; clients trust the CA. */
	char p256_cert[96], p256_key[96], ed_cert[96], ed_key[96];
	char p256_ca[96], p256_ca_key[96], ed_ca[96], ed_ca_key[96], csr[96], ext[96];
	char *p256_cert_pem, *p256_key_pem, *ed_cert_pem, *ed_key_pem;
	size_t p256_cert_len, p256_key_len, ed_cert_len, ed_key_len;
};
#define BENCH_SERVER_NAME "petrel.bench"
/* Made on first use, removed at exit. NULL if the openssl tool failed. */
const struct bench_keys *bench_keys(void);
extern const uint8_t bench_psk_key[16];
#define BENCH_PSK_IDENTITY "bench-device"

/* ---- library drivers ---- */
enum bench_kind {
	BENCH_P256_GCM = 0,     /* ECDHE-ECDSA, P-256, AES-128-GCM */
	BENCH_X25519_ED25519,   /* ECDHE-ECDSA suite, X25519, Ed25519 cert */
	BENCH_PSK_CCM8,         /* PSK, AES-128-CCM-8 */
	BENCH_RESUMED,          /* ticket resumption of the P-256 suite */
	BENCH_KIND_COUNT,
};
const char *bench_kind_name(enum bench_kind kind);

enum { BENCH_CLIENT_SIDE = 0, BENCH_SERVER_SIDE = 1 };

#define BENCH_PAIR_STORAGE 128

struct bench_lib {
	const char *name;
	/* Shared state (credentials, contexts) for one kind; NULL when the
	 * library cannot do that kind. cookie: server sends HelloVerifyRequest. */
	void *(*ctx_new)(enum bench_kind kind, bool cookie);
	void (*ctx_free)(void *ctx);
	/* A client and a server session wired to the queues, in pair (the
	 * caller's BENCH_PAIR_STORAGE bytes, so the bench allocates nothing). */
	int (*pair_init)(void *ctx, void *pair);
	/* Drives both sides to completion; 0 on success. */
	int (*handshake)(void *pair);
	long (*send)(void *pair, int side, const uint8_t *data, size_t len);
	/* One datagram's application data; < 0 when none could be read. */
	long (*recv)(void *pair, int side, uint8_t *buf, size_t cap);
	void (*free_side)(void *pair, int side);
	/* Largest application payload one record may carry (client side). */
	size_t (*max_payload)(void *pair);
	/* Let both sides run the timers an idle session would (NULL: the
	 * library has none that free memory). */
	void (*idle)(void *pair);
	/* One side of a handshake over a real UDP socket with the library's
	 * default retransmission timers (bench/loss runs each side in its own
	 * process). The client's fd is connected to its peer; it returns 0 once
	 * its handshake is complete, -1 on failure or at deadline (bench_now()
	 * seconds). The server's fd is bound: it answers the first sender
	 * (bench_udp_connect_first), then keeps answering until deadline (the
	 * client may retransmit its last flight); -1 if its handshake failed. */
	int (*udp_side)(void *ctx, int side, int fd, double deadline);
};

/* Waits (until deadline) for the first datagram on fd and connects fd to
 * its sender, leaving the datagram queued; 0 or -1. */
int bench_udp_connect_first(int fd, double deadline);
/* Milliseconds to wait for min(timer_ms, deadline - now), at least 0. */
int bench_wait_ms(double deadline, long timer_ms);

extern const struct bench_lib bench_petrel;
/* The same driver with both sides on DTLS 1.3 only (name "Petrel13"). */
extern const struct bench_lib bench_petrel13;
/* The Petrel session of one side of a bench_petrel pair. */
struct petrel_session *bench_petrel_session(void *pair, int side);
#ifdef BENCH_HAVE_OPENSSL
extern const struct bench_lib bench_openssl;
#endif
#ifdef BENCH_HAVE_GNUTLS
extern const struct bench_lib bench_gnutls;
#endif
/* Petrel first, then the peers that were found at configure time. */
size_t bench_libs(const struct bench_lib **out, size_t cap);

/* The path MTU every driver sets on both sides (default 1400; the record
 * bench raises it so a 16384-byte payload fits one datagram). */
extern unsigned bench_mtu;
#define BENCH_MTU_LARGE 17000

#endif
