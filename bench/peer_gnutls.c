/* GnuTLS (GNUTLS_DATAGRAM) behind the bench driver interface: push/pull
 * functions over the in-memory queues; cookies with the prestate API. */
#ifdef BENCH_HAVE_GNUTLS
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>

#include "bench/common.h"

struct gnutls_ctx {
	enum bench_kind kind;
	bool cookie;
	gnutls_certificate_credentials_t server_cert, client_cert;
	gnutls_psk_server_credentials_t server_psk;
	gnutls_psk_client_credentials_t client_psk;
	gnutls_priority_t priority;
	gnutls_datum_t ticket_key, cookie_key, session_data;
};

struct gnutls_pair {
	struct gnutls_ctx *ctx;
	gnutls_session_t side[2];
	bool cookie_checked;
	gnutls_dtls_prestate_st prestate;
};

static const int directions[2] = {0, 1};

static ssize_t queue_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	int dir = *(const int *)ptr;
	if (bench_queue_push(dir, data, len) < 0) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)len;
}

static ssize_t queue_pull(gnutls_transport_ptr_t ptr, void *buf, size_t cap)
{
	int dir = 1 - *(const int *)ptr;
	long n = bench_queue_pop(dir, buf, cap);
	if (n < 0) {
		errno = EAGAIN;
		return -1;
	}
	return n;
}

static int queue_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	(void)ms;
	int dir = 1 - *(const int *)ptr;
	return bench_queue_count(dir) > 0 ? 1 : 0;
}

static int psk_server_cb(gnutls_session_t session, const char *username, gnutls_datum_t *key)
{
	(void)session;
	if (strcmp(username, BENCH_PSK_IDENTITY) != 0)
		return -1;
	key->data = gnutls_malloc(sizeof bench_psk_key);
	if (key->data == NULL)
		return -1;
	memcpy(key->data, bench_psk_key, sizeof bench_psk_key);
	key->size = sizeof bench_psk_key;
	return 0;
}

static void ctx_free(void *p)
{
	struct gnutls_ctx *ctx = p;
	if (ctx == NULL)
		return;
	if (ctx->server_cert)
		gnutls_certificate_free_credentials(ctx->server_cert);
	if (ctx->client_cert)
		gnutls_certificate_free_credentials(ctx->client_cert);
	if (ctx->server_psk)
		gnutls_psk_free_server_credentials(ctx->server_psk);
	if (ctx->client_psk)
		gnutls_psk_free_client_credentials(ctx->client_psk);
	if (ctx->priority)
		gnutls_priority_deinit(ctx->priority);
	gnutls_free(ctx->ticket_key.data);
	gnutls_free(ctx->cookie_key.data);
	gnutls_free(ctx->session_data.data);
	free(ctx);
}

static int pair_init(void *p, void *pair_mem);
static int handshake(void *pair_mem);
static void free_side(void *pair_mem, int side);

static void *ctx_new(enum bench_kind kind, bool cookie)
{
	const struct bench_keys *k = bench_keys();
	struct gnutls_ctx *ctx = calloc(1, sizeof *ctx);
	int rc = 0;
	if (ctx == NULL || (kind != BENCH_PSK_CCM8 && k == NULL))
		goto fail;
	ctx->kind = kind;
	ctx->cookie = cookie;
	const char *prio;
	if (kind == BENCH_PSK_CCM8)
		prio = "NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+GROUP-ALL:+SIGN-ALL";
	else if (kind == BENCH_X25519_ED25519)
		prio = "NONE:+VERS-DTLS1.2:+ECDHE-ECDSA:+AES-128-GCM:+AEAD:+COMP-NULL:+GROUP-X25519:"
		       "+SIGN-EDDSA-ED25519";
	else
		prio = "NONE:+VERS-DTLS1.2:+ECDHE-ECDSA:+AES-128-GCM:+AEAD:+COMP-NULL:+GROUP-SECP256R1:"
		       "+SIGN-ECDSA-SHA256";
	if ((rc = gnutls_priority_init(&ctx->priority, prio, NULL)) < 0 ||
	    (rc = gnutls_key_generate(&ctx->cookie_key, GNUTLS_COOKIE_KEY_SIZE)) < 0 ||
	    (rc = gnutls_session_ticket_key_generate(&ctx->ticket_key)) < 0)
		goto fail;
	if (kind == BENCH_PSK_CCM8) {
		gnutls_datum_t key = {(unsigned char *)bench_psk_key, sizeof bench_psk_key};
		if ((rc = gnutls_psk_allocate_server_credentials(&ctx->server_psk)) < 0 ||
		    (rc = gnutls_psk_allocate_client_credentials(&ctx->client_psk)) < 0 ||
		    (rc = gnutls_psk_set_client_credentials(ctx->client_psk, BENCH_PSK_IDENTITY, &key,
							     GNUTLS_PSK_KEY_RAW)) < 0)
			goto fail;
		gnutls_psk_set_server_credentials_function(ctx->server_psk, psk_server_cb);
	} else {
		bool ed = kind == BENCH_X25519_ED25519;
		gnutls_datum_t cert = {(unsigned char *)(ed ? k->ed_cert_pem : k->p256_cert_pem),
				       (unsigned)(ed ? k->ed_cert_len : k->p256_cert_len)};
		gnutls_datum_t key = {(unsigned char *)(ed ? k->ed_key_pem : k->p256_key_pem),
				      (unsigned)(ed ? k->ed_key_len : k->p256_key_len)};
		if ((rc = gnutls_certificate_allocate_credentials(&ctx->server_cert)) < 0 ||
		    (rc = gnutls_certificate_allocate_credentials(&ctx->client_cert)) < 0 ||
		    (rc = gnutls_certificate_set_x509_key_mem(ctx->server_cert, &cert, &key,
							      GNUTLS_X509_FMT_PEM)) < 0 ||
		    (rc = gnutls_certificate_set_x509_trust_file(ctx->client_cert,
								 ed ? k->ed_ca : k->p256_ca,
								 GNUTLS_X509_FMT_PEM)) < 0)
			goto fail;
	}
	if (kind == BENCH_RESUMED) {
		_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
		if (pair_init(ctx, pair) < 0)
			goto fail;
		struct gnutls_pair *pp = (struct gnutls_pair *)pair;
		rc = handshake(pair);
		if (rc == 0)
			rc = gnutls_session_get_data2(pp->side[BENCH_CLIENT_SIDE], &ctx->session_data);
		free_side(pair, BENCH_CLIENT_SIDE);
		free_side(pair, BENCH_SERVER_SIDE);
		if (rc < 0)
			goto fail;
	}
	return ctx;
fail:
	if (rc < 0)
		fprintf(stderr, "gnutls: %s: %s\n", bench_kind_name(kind), gnutls_strerror(rc));
	ctx_free(ctx);
	return NULL;
}

static gnutls_session_t new_session(struct gnutls_ctx *ctx, int side)
{
	gnutls_session_t s;
	unsigned flags = GNUTLS_DATAGRAM | GNUTLS_NONBLOCK;
	flags |= side == BENCH_CLIENT_SIDE ? GNUTLS_CLIENT : GNUTLS_SERVER;
	if (ctx->kind != BENCH_RESUMED)
		flags |= GNUTLS_NO_TICKETS;
	if (gnutls_init(&s, flags) < 0)
		return NULL;
	int rc = gnutls_priority_set(s, ctx->priority);
	if (ctx->kind == BENCH_PSK_CCM8)
		rc = rc < 0 ? rc
			    : gnutls_credentials_set(s, GNUTLS_CRD_PSK,
						     side == BENCH_CLIENT_SIDE ? (void *)ctx->client_psk
									       : (void *)ctx->server_psk);
	else
		rc = rc < 0 ? rc
			    : gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
						     side == BENCH_CLIENT_SIDE ? ctx->client_cert
									       : ctx->server_cert);
	if (rc >= 0 && side == BENCH_SERVER_SIDE && ctx->kind == BENCH_RESUMED)
		rc = gnutls_session_ticket_enable_server(s, &ctx->ticket_key);
	if (rc >= 0 && side == BENCH_CLIENT_SIDE)
		rc = gnutls_server_name_set(s, GNUTLS_NAME_DNS, BENCH_SERVER_NAME,
					    strlen(BENCH_SERVER_NAME));
	/* The client checks the chain and the host name in the handshake. */
	if (rc >= 0 && side == BENCH_CLIENT_SIDE && ctx->kind != BENCH_PSK_CCM8)
		gnutls_session_set_verify_cert(s, BENCH_SERVER_NAME, 0);
	if (rc >= 0 && side == BENCH_CLIENT_SIDE && ctx->session_data.size > 0)
		rc = gnutls_session_set_data(s, ctx->session_data.data, ctx->session_data.size);
	if (rc < 0) {
		fprintf(stderr, "gnutls: session setup: %s\n", gnutls_strerror(rc));
		gnutls_deinit(s);
		return NULL;
	}
	gnutls_transport_set_ptr(s, (gnutls_transport_ptr_t)&directions[side]);
	gnutls_transport_set_push_function(s, queue_push);
	gnutls_transport_set_pull_function(s, queue_pull);
	gnutls_transport_set_pull_timeout_function(s, queue_pull_timeout);
	gnutls_dtls_set_mtu(s, bench_mtu - 28);
	return s;
}

static int pair_init(void *p, void *pair_mem)
{
	struct gnutls_ctx *ctx = p;
	struct gnutls_pair *pair = pair_mem;
	_Static_assert(sizeof(struct gnutls_pair) <= BENCH_PAIR_STORAGE, "pair storage");
	memset(pair, 0, sizeof *pair);
	pair->ctx = ctx;
	pair->cookie_checked = !ctx->cookie;
	pair->side[0] = new_session(ctx, BENCH_CLIENT_SIDE);
	pair->side[1] = new_session(ctx, BENCH_SERVER_SIDE);
	if (pair->side[0] == NULL || pair->side[1] == NULL) {
		if (pair->side[0])
			gnutls_deinit(pair->side[0]);
		if (pair->side[1])
			gnutls_deinit(pair->side[1]);
		return -1;
	}
	return 0;
}

/* The stateless cookie round as the GnuTLS manual describes it: verify the
 * first ClientHello; answer a HelloVerifyRequest until one carries the
 * cookie, then hand the prestate to the session. */
static void server_cookie_step(struct gnutls_pair *pair)
{
	static const char client_addr[] = "127.0.0.1:4433";
	size_t len;
	const uint8_t *msg;
	while (!pair->cookie_checked && (msg = bench_queue_peek(0, &len)) != NULL) {
		memset(&pair->prestate, 0, sizeof pair->prestate);
		if (gnutls_dtls_cookie_verify(&pair->ctx->cookie_key, (void *)client_addr,
					      sizeof client_addr, (void *)msg, len, &pair->prestate) <
		    0) {
			uint8_t drop[1];
			bench_queue_pop(0, drop, sizeof drop);
			gnutls_dtls_cookie_send(&pair->ctx->cookie_key, (void *)client_addr,
						sizeof client_addr, &pair->prestate,
						(gnutls_transport_ptr_t)&directions[BENCH_SERVER_SIDE],
						queue_push);
			continue;
		}
		gnutls_dtls_prestate_set(pair->side[BENCH_SERVER_SIDE], &pair->prestate);
		pair->cookie_checked = true;
	}
}

static int handshake(void *pair_mem)
{
	struct gnutls_pair *pair = pair_mem;
	bench_queue_reset();
	bool done[2] = {false, false};
	for (int round = 0; round < 64; round++) {
		for (int side = 0; side < 2; side++) {
			if (done[side])
				continue;
			if (side == BENCH_SERVER_SIDE) {
				server_cookie_step(pair);
				if (!pair->cookie_checked)
					continue;
			}
			int r = gnutls_handshake(pair->side[side]);
			if (r == 0) {
				done[side] = true;
				continue;
			}
			if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED && gnutls_error_is_fatal(r)) {
				fprintf(stderr, "gnutls: %s handshake: %s\n", side ? "server" : "client",
					gnutls_strerror(r));
				return -1;
			}
		}
		if (done[0] && done[1]) {
			if (pair->ctx->session_data.size > 0 &&
			    !gnutls_session_is_resumed(pair->side[BENCH_CLIENT_SIDE])) {
				fprintf(stderr, "gnutls: ticket was not accepted\n");
				return -1;
			}
			return 0;
		}
	}
	fprintf(stderr, "gnutls: handshake made no progress\n");
	return -1;
}

static long send_data(void *pair_mem, int side, const uint8_t *data, size_t len)
{
	struct gnutls_pair *pair = pair_mem;
	return gnutls_record_send(pair->side[side], data, len);
}

static long recv_data(void *pair_mem, int side, uint8_t *buf, size_t cap)
{
	struct gnutls_pair *pair = pair_mem;
	return gnutls_record_recv(pair->side[side], buf, cap);
}

static void free_side(void *pair_mem, int side)
{
	struct gnutls_pair *pair = pair_mem;
	if (pair->side[side])
		gnutls_deinit(pair->side[side]);
	pair->side[side] = NULL;
}

static size_t max_payload(void *pair_mem)
{
	struct gnutls_pair *pair = pair_mem;
	return gnutls_dtls_get_data_mtu(pair->side[BENCH_CLIENT_SIDE]);
}

/* bench/loss: one side over a UDP socket. The session stays non-blocking:
 * gnutls_handshake retransmits by itself when called after
 * gnutls_dtls_get_timeout() ms, so the loop waits that long for a datagram
 * and calls again. The server runs the stateless cookie round first, as
 * the GnuTLS manual's DTLS echo server does. */
static ssize_t udp_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
	return send((int)(intptr_t)ptr, data, len, 0);
}

static ssize_t udp_pull(gnutls_transport_ptr_t ptr, void *buf, size_t cap)
{
	return recv((int)(intptr_t)ptr, buf, cap, MSG_DONTWAIT);
}

static int udp_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct pollfd pfd = {(int)(intptr_t)ptr, POLLIN, 0};
	return poll(&pfd, 1, (int)ms);
}

static bool udp_wait(int fd, long timer_ms, double deadline)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	int wait = bench_wait_ms(deadline, timer_ms);
	if (wait > 0)
		(void)poll(&pfd, 1, wait);
	return bench_now() < deadline;
}

/* Answers HelloVerifyRequests until a ClientHello carries a valid cookie,
 * leaving that one queued for the session. */
static int udp_cookie_round(struct gnutls_ctx *ctx, gnutls_session_t s, int fd, double deadline)
{
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof peer;
	gnutls_dtls_prestate_st prestate;
	if (getpeername(fd, (struct sockaddr *)&peer, &peer_len) < 0)
		return -1;
	for (;;) {
		uint8_t buf[2048];
		ssize_t n = recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
		if (n < 0) {
			if (!udp_wait(fd, -1, deadline))
				return -1;
			continue;
		}
		memset(&prestate, 0, sizeof prestate);
		if (gnutls_dtls_cookie_verify(&ctx->cookie_key, &peer, peer_len, buf, (size_t)n,
					      &prestate) == 0)
			break;
		(void)recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		gnutls_dtls_cookie_send(&ctx->cookie_key, &peer, peer_len, &prestate,
					(gnutls_transport_ptr_t)(intptr_t)fd, udp_push);
	}
	gnutls_dtls_prestate_set(s, &prestate);
	return 0;
}

static int udp_side(void *p, int side, int fd, double deadline)
{
	struct gnutls_ctx *ctx = p;
	if (side == BENCH_SERVER_SIDE && bench_udp_connect_first(fd, deadline) < 0)
		return -1;
	gnutls_session_t s = new_session(ctx, side);
	if (s == NULL)
		return -1;
	gnutls_transport_set_ptr(s, (gnutls_transport_ptr_t)(intptr_t)fd);
	gnutls_transport_set_push_function(s, udp_push);
	gnutls_transport_set_pull_function(s, udp_pull);
	gnutls_transport_set_pull_timeout_function(s, udp_pull_timeout);
	if (side == BENCH_SERVER_SIDE && ctx->cookie && udp_cookie_round(ctx, s, fd, deadline) < 0) {
		gnutls_deinit(s);
		return -1;
	}
	int r;
	while ((r = gnutls_handshake(s)) != 0) {
		if ((r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED && gnutls_error_is_fatal(r)) ||
		    !udp_wait(fd, (long)gnutls_dtls_get_timeout(s), deadline)) {
			fprintf(stderr, "gnutls: %s handshake: %s\n", side ? "server" : "client",
				gnutls_strerror(r));
			gnutls_deinit(s);
			return -1;
		}
	}
	/* The server answers a retransmitted final flight from the client. */
	while (side == BENCH_SERVER_SIDE) {
		uint8_t buf[2048];
		ssize_t n = gnutls_record_recv(s, buf, sizeof buf);
		if ((n < 0 && n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED &&
		     gnutls_error_is_fatal((int)n)) ||
		    !udp_wait(fd, -1, deadline))
			break;
	}
	gnutls_deinit(s);
	return 0;
}

const struct bench_lib bench_gnutls = {
	.name = "GnuTLS",
	.ctx_new = ctx_new,
	.ctx_free = ctx_free,
	.pair_init = pair_init,
	.handshake = handshake,
	.send = send_data,
	.recv = recv_data,
	.free_side = free_side,
	.max_payload = max_payload,
	.udp_side = udp_side,
};

#else
typedef int bench_bench_have_gnutls_absent;
#endif
