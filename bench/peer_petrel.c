/* Petrel behind the bench driver interface, on the public API only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/common.h"
#include "petrel/petrel.h"

struct petrel_ctx {
	enum bench_kind kind;
	unsigned server_flags, client_flags;
	petrel_credentials *server_creds, *client_creds;
	const char *ciphers, *groups;
	uint8_t ticket[2048];
	size_t ticket_len;
	bool dtls13; /* both sides speak DTLS 1.3 only (bench_petrel13) */
};

struct petrel_pair {
	struct petrel_ctx *ctx;
	petrel_session *side[2];
};

static const int directions[2] = {0, 1};

static long queue_push(void *ptr, const uint8_t *data, size_t len)
{
	int dir = *(const int *)ptr;
	return bench_queue_push(dir, data, len) < 0 ? PETREL_E_PUSH_ERROR : (long)len;
}

static long queue_pull(void *ptr, uint8_t *buf, size_t cap)
{
	int dir = 1 - *(const int *)ptr;
	long n = bench_queue_pop(dir, buf, cap);
	return n < 0 ? PETREL_E_AGAIN : n;
}

static void ctx_free(void *p)
{
	struct petrel_ctx *ctx = p;
	if (ctx == NULL)
		return;
	petrel_credentials_free(ctx->server_creds);
	petrel_credentials_free(ctx->client_creds);
	free(ctx);
}

static int pair_init(void *p, void *pair_mem);
static int handshake(void *pair_mem);
static void free_side(void *pair_mem, int side);

static void *ctx_new(enum bench_kind kind, bool cookie)
{
	const struct bench_keys *k = bench_keys();
	struct petrel_ctx *ctx = calloc(1, sizeof *ctx);
	if (ctx == NULL || (kind != BENCH_PSK_CCM8 && k == NULL))
		goto fail;
	ctx->kind = kind;
	ctx->server_flags = PETREL_SERVER | (cookie ? 0 : PETREL_FLAG_NO_COOKIE);
	ctx->client_flags = PETREL_CLIENT;
	if (kind != BENCH_RESUMED) {
		ctx->server_flags |= PETREL_FLAG_NO_TICKETS;
		ctx->client_flags |= PETREL_FLAG_NO_TICKETS;
	}
	if (petrel_credentials_new(&ctx->server_creds) < 0 ||
	    petrel_credentials_new(&ctx->client_creds) < 0)
		goto fail;
	int rc = 0;
	switch (kind) {
	case BENCH_P256_GCM:
	case BENCH_RESUMED:
		rc = petrel_credentials_set_key_mem(ctx->server_creds, k->p256_cert_pem,
						    k->p256_cert_len, k->p256_key_pem, k->p256_key_len);
		if (rc >= 0)
			rc = petrel_credentials_set_trust_file(ctx->client_creds, k->p256_ca);
		ctx->ciphers = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
		ctx->groups = "secp256r1";
		break;
	case BENCH_X25519_ED25519:
		rc = petrel_credentials_set_key_mem(ctx->server_creds, k->ed_cert_pem, k->ed_cert_len,
						    k->ed_key_pem, k->ed_key_len);
		if (rc >= 0)
			rc = petrel_credentials_set_trust_file(ctx->client_creds, k->ed_ca);
		ctx->ciphers = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
		ctx->groups = "x25519";
		break;
	case BENCH_PSK_CCM8:
		rc = petrel_credentials_set_psk(ctx->server_creds, BENCH_PSK_IDENTITY, bench_psk_key,
						sizeof bench_psk_key);
		if (rc >= 0)
			rc = petrel_credentials_set_psk(ctx->client_creds, BENCH_PSK_IDENTITY,
							bench_psk_key, sizeof bench_psk_key);
		ctx->ciphers = "TLS_PSK_WITH_AES_128_CCM_8";
		ctx->groups = NULL;
		break;
	default:
		goto fail;
	}
	if (rc < 0) {
		fprintf(stderr, "petrel: credentials for %s: %s\n", bench_kind_name(kind),
			petrel_strerror(rc));
		goto fail;
	}
	if (kind == BENCH_RESUMED) {
		/* One full handshake to get the ticket every timed one resumes. */
		_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
		if (pair_init(ctx, pair) < 0)
			goto fail;
		struct petrel_pair *pp = (struct petrel_pair *)pair;
		size_t len = sizeof ctx->ticket;
		rc = handshake(pair);
		if (rc == 0)
			rc = petrel_session_get_data(pp->side[BENCH_CLIENT_SIDE], ctx->ticket, &len);
		free_side(pair, BENCH_CLIENT_SIDE);
		free_side(pair, BENCH_SERVER_SIDE);
		if (rc < 0)
			goto fail;
		ctx->ticket_len = len;
	}
	return ctx;
fail:
	ctx_free(ctx);
	return NULL;
}

static petrel_session *new_session(struct petrel_ctx *ctx, int side)
{
	petrel_session *s;
	unsigned flags = side == BENCH_CLIENT_SIDE ? ctx->client_flags : ctx->server_flags;
	if (petrel_session_new(&s, flags) < 0)
		return NULL;
	petrel_session_set_credentials(s, side == BENCH_CLIENT_SIDE ? ctx->client_creds
								    : ctx->server_creds);
	petrel_transport_set_ptr(s, (void *)&directions[side]);
	petrel_transport_set_push_function(s, queue_push);
	petrel_transport_set_pull_function(s, queue_pull);
	petrel_dtls_set_mtu(s, bench_mtu);
	/* The 1.2 rows stay DTLS 1.2 whatever the client default (issue #20
	 * item 3: clients offer 1.3 and 1.2 by default). */
	if (!ctx->dtls13 && petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2) < 0) {
		petrel_session_free(s);
		return NULL;
	}
	if (ctx->dtls13 && petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3) < 0) {
		petrel_session_free(s);
		return NULL;
	}
	if (side == BENCH_CLIENT_SIDE) {
		/* Certificates: the default check, chain to the CA + host name. */
		if (petrel_session_set_server_name(s, BENCH_SERVER_NAME) < 0 ||
		    /* 1.2 suite names would make the session a 1.2 one. */
		    (!ctx->dtls13 && petrel_session_set_ciphers(s, ctx->ciphers) < 0) ||
		    (ctx->groups && petrel_session_set_groups(s, ctx->groups) < 0) ||
		    (ctx->ticket_len && petrel_session_set_data(s, ctx->ticket, ctx->ticket_len) < 0)) {
			petrel_session_free(s);
			return NULL;
		}
	}
	return s;
}

static int pair_init(void *p, void *pair_mem)
{
	struct petrel_ctx *ctx = p;
	struct petrel_pair *pair = pair_mem;
	_Static_assert(sizeof(struct petrel_pair) <= BENCH_PAIR_STORAGE, "pair storage");
	pair->ctx = ctx;
	pair->side[0] = new_session(ctx, BENCH_CLIENT_SIDE);
	pair->side[1] = new_session(ctx, BENCH_SERVER_SIDE);
	if (pair->side[0] == NULL || pair->side[1] == NULL) {
		petrel_session_free(pair->side[0]);
		petrel_session_free(pair->side[1]);
		return -1;
	}
	return 0;
}

static int handshake(void *pair_mem)
{
	struct petrel_pair *pair = pair_mem;
	bench_queue_reset();
	int rc[2] = {PETREL_E_AGAIN, PETREL_E_AGAIN};
	for (int round = 0; round < 64; round++) {
		for (int side = 0; side < 2; side++) {
			if (rc[side] == 0)
				continue;
			rc[side] = petrel_handshake(pair->side[side]);
			if (rc[side] < 0 && petrel_error_is_fatal(rc[side])) {
				fprintf(stderr, "petrel: %s handshake: %s\n",
					side ? "server" : "client", petrel_strerror(rc[side]));
				return -1;
			}
		}
		if (rc[0] == 0 && rc[1] == 0)
			return 0;
	}
	fprintf(stderr, "petrel: handshake made no progress\n");
	return -1;
}

static long send_data(void *pair_mem, int side, const uint8_t *data, size_t len)
{
	struct petrel_pair *pair = pair_mem;
	return petrel_record_send(pair->side[side], data, len);
}

static long recv_data(void *pair_mem, int side, uint8_t *buf, size_t cap)
{
	struct petrel_pair *pair = pair_mem;
	return petrel_record_recv(pair->side[side], buf, cap);
}

static void free_side(void *pair_mem, int side)
{
	struct petrel_pair *pair = pair_mem;
	petrel_session_free(pair->side[side]);
	pair->side[side] = NULL;
}

petrel_session *bench_petrel_session(void *pair_mem, int side)
{
	return ((struct petrel_pair *)pair_mem)->side[side];
}

static size_t max_payload(void *pair_mem)
{
	return petrel_dtls_get_data_mtu(bench_petrel_session(pair_mem, BENCH_CLIENT_SIDE));
}

/* Run each side's timers at their deadlines until none is left: an idle
 * session drops its expanded AEAD contexts (PETREL_IDLE_RELEASE_MS). The
 * sessions read a virtual clock meanwhile (from now, moved to each
 * deadline), and whatever they send each other is delivered: a DTLS 1.3
 * client's Finished is acknowledged that way (its ACK was dropped with
 * the queues before the echo). */
static uint64_t idle_now_ms;

static uint64_t idle_clock(void *ptr)
{
	(void)ptr;
	return idle_now_ms;
}

static void idle(void *pair)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	idle_now_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	for (int side = 0; side < 2; side++)
		petrel_transport_set_clock_function(bench_petrel_session(pair, side), idle_clock, NULL);
	/* The final flight's expiry, then the idle checks: the first after
	 * the last record re-arms, the next releases. */
	for (int step = 0; step < 16; step++) {
		uint8_t buf[2048];
		for (int side = 0; side < 2; side++)
			while (bench_queue_count(1 - side) > 0)
				(void)petrel_record_recv(bench_petrel_session(pair, side), buf, sizeof buf);
		uint64_t due = UINT64_MAX;
		for (int side = 0; side < 2; side++) {
			uint64_t d = petrel_engine_next_deadline(bench_petrel_session(pair, side));
			if (d < due)
				due = d;
		}
		if (due == UINT64_MAX)
			break;
		if (due > idle_now_ms)
			idle_now_ms = due;
		for (int side = 0; side < 2; side++)
			(void)petrel_engine_tick(bench_petrel_session(pair, side), idle_now_ms);
	}
	for (int side = 0; side < 2; side++)
		petrel_transport_set_clock_function(bench_petrel_session(pair, side), NULL, NULL);
}

/* bench/loss: one side over a UDP socket; petrel_handshake waits on the
 * socket up to the retransmission timer (petrel_transport_set_udp_fd). */
static int udp_side(void *p, int side, int fd, double deadline)
{
	struct petrel_ctx *ctx = p;
	if (side == BENCH_SERVER_SIDE && bench_udp_connect_first(fd, deadline) < 0)
		return -1;
	petrel_session *s = new_session(ctx, side);
	if (s == NULL || petrel_transport_set_udp_fd(s, fd) < 0) {
		petrel_session_free(s);
		return -1;
	}
	int rc;
	while ((rc = petrel_handshake(s)) != 0) {
		if ((rc < 0 && petrel_error_is_fatal(rc)) || bench_now() > deadline) {
			fprintf(stderr, "petrel: %s handshake: %s\n", side ? "server" : "client",
				petrel_strerror(rc));
			petrel_session_free(s);
			return -1;
		}
	}
	/* The server answers a retransmitted final flight from the client. */
	petrel_record_set_timeout(s, 100);
	while (side == BENCH_SERVER_SIDE && bench_now() < deadline) {
		uint8_t buf[2048];
		long n = petrel_record_recv(s, buf, sizeof buf);
		if (n < 0 && petrel_error_is_fatal((int)n))
			break;
	}
	petrel_session_free(s);
	return 0;
}

const struct bench_lib bench_petrel = {
	.name = "Petrel",
	.ctx_new = ctx_new,
	.ctx_free = ctx_free,
	.pair_init = pair_init,
	.handshake = handshake,
	.send = send_data,
	.recv = recv_data,
	.free_side = free_side,
	.max_payload = max_payload,
	.idle = idle,
	.udp_side = udp_side,
};

/* DTLS 1.3 (RFC 9147) on both sides, same keys, group and certificate
 * check as bench_petrel; the suite is the 1.3 default
 * (TLS_AES_128_GCM_SHA256): the 1.2 suite names do not apply. The PSK row
 * is psk_dhe_ke (X25519) there. No 1.3 ticket rows. */
static void *ctx_new13(enum bench_kind kind, bool cookie)
{
	if (kind == BENCH_RESUMED)
		return NULL;
	struct petrel_ctx *ctx = ctx_new(kind, cookie);
	if (ctx != NULL)
		ctx->dtls13 = true;
	return ctx;
}

const struct bench_lib bench_petrel13 = {
	.name = "Petrel13",
	.ctx_new = ctx_new13,
	.ctx_free = ctx_free,
	.pair_init = pair_init,
	.handshake = handshake,
	.send = send_data,
	.recv = recv_data,
	.free_side = free_side,
	.max_payload = max_payload,
	.idle = idle,
	.udp_side = udp_side,
};
