/* OpenSSL 3 (DTLS_method) behind the bench driver interface: a small BIO
 * method moves datagrams through the same in-memory queues Petrel uses. */
#ifdef BENCH_HAVE_OPENSSL
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/ssl.h>

#include "bench/common.h"

struct openssl_ctx {
	enum bench_kind kind;
	bool cookie;
	SSL_CTX *server, *client;
	SSL_SESSION *ticket;
};

struct openssl_pair {
	struct openssl_ctx *ctx;
	SSL *side[2];
};

static BIO_METHOD *queue_method;

static int qbio_write(BIO *b, const char *data, int len)
{
	int dir = (int)(intptr_t)BIO_get_data(b);
	BIO_clear_retry_flags(b);
	if (len < 0 || bench_queue_push(dir, (const uint8_t *)data, (size_t)len) < 0) {
		BIO_set_retry_write(b);
		return -1;
	}
	return len;
}

static int qbio_read(BIO *b, char *buf, int cap)
{
	int dir = 1 - (int)(intptr_t)BIO_get_data(b);
	BIO_clear_retry_flags(b);
	long n = cap < 0 ? -1 : bench_queue_pop(dir, (uint8_t *)buf, (size_t)cap);
	if (n < 0) {
		BIO_set_retry_read(b);
		return -1;
	}
	return (int)n;
}

static long qbio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return (long)bench_mtu - 28;
	default:
		return 0;
	}
}

static int qbio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO *queue_bio(int side)
{
	if (queue_method == NULL) {
		queue_method = BIO_meth_new(BIO_TYPE_SOURCE_SINK | BIO_get_new_index(), "bench queue");
		BIO_meth_set_write(queue_method, qbio_write);
		BIO_meth_set_read(queue_method, qbio_read);
		BIO_meth_set_ctrl(queue_method, qbio_ctrl);
		BIO_meth_set_create(queue_method, qbio_create);
	}
	BIO *b = BIO_new(queue_method);
	if (b != NULL)
		BIO_set_data(b, (void *)(intptr_t)side);
	return b;
}

static const uint8_t cookie_secret[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Stands in for HMAC(secret, peer address): the queues have no address. */
static int cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	(void)ssl;
	static const unsigned char peer[] = "127.0.0.1:4433";
	unsigned int n = 0;
	unsigned char mac[EVP_MAX_MD_SIZE];
	if (HMAC(EVP_sha256(), cookie_secret, sizeof cookie_secret, peer, sizeof peer, mac, &n) ==
	    NULL)
		return 0;
	memcpy(cookie, mac, 16);
	*len = 16;
	return 1;
}

static int cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	unsigned char expect[16];
	unsigned int n;
	if (!cookie_generate(ssl, expect, &n) || len != n)
		return 0;
	return CRYPTO_memcmp(expect, cookie, n) == 0;
}

static unsigned int psk_server_cb(SSL *ssl, const char *identity, unsigned char *psk,
				  unsigned int max_len)
{
	(void)ssl;
	if (identity == NULL || strcmp(identity, BENCH_PSK_IDENTITY) != 0 ||
	    max_len < sizeof bench_psk_key)
		return 0;
	memcpy(psk, bench_psk_key, sizeof bench_psk_key);
	return sizeof bench_psk_key;
}

static unsigned int psk_client_cb(SSL *ssl, const char *hint, char *identity,
				  unsigned int max_identity_len, unsigned char *psk,
				  unsigned int max_psk_len)
{
	(void)ssl;
	(void)hint;
	if (max_identity_len < sizeof BENCH_PSK_IDENTITY || max_psk_len < sizeof bench_psk_key)
		return 0;
	memcpy(identity, BENCH_PSK_IDENTITY, sizeof BENCH_PSK_IDENTITY);
	memcpy(psk, bench_psk_key, sizeof bench_psk_key);
	return sizeof bench_psk_key;
}

static void ctx_free(void *p)
{
	struct openssl_ctx *ctx = p;
	if (ctx == NULL)
		return;
	SSL_SESSION_free(ctx->ticket);
	SSL_CTX_free(ctx->server);
	SSL_CTX_free(ctx->client);
	free(ctx);
}

static int pair_init(void *p, void *pair_mem);
static int handshake(void *pair_mem);
static void free_side(void *pair_mem, int side);

static bool configure(SSL_CTX *c, enum bench_kind kind)
{
	const char *cipher = kind == BENCH_PSK_CCM8 ? "PSK-AES128-CCM8" : "ECDHE-ECDSA-AES128-GCM-SHA256";
	if (!SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) || !SSL_CTX_set_cipher_list(c, cipher))
		return false;
	if (kind == BENCH_X25519_ED25519)
		return SSL_CTX_set1_groups_list(c, "X25519") && SSL_CTX_set1_sigalgs_list(c, "ed25519");
	if (kind != BENCH_PSK_CCM8)
		return SSL_CTX_set1_groups_list(c, "P-256") &&
		       SSL_CTX_set1_sigalgs_list(c, "ECDSA+SHA256");
	return true;
}

static void *ctx_new(enum bench_kind kind, bool cookie)
{
	const struct bench_keys *k = bench_keys();
	struct openssl_ctx *ctx = calloc(1, sizeof *ctx);
	if (ctx == NULL || (kind != BENCH_PSK_CCM8 && k == NULL))
		goto fail;
	ctx->kind = kind;
	ctx->cookie = cookie;
	ctx->server = SSL_CTX_new(DTLS_server_method());
	ctx->client = SSL_CTX_new(DTLS_client_method());
	if (ctx->server == NULL || ctx->client == NULL || !configure(ctx->server, kind) ||
	    !configure(ctx->client, kind))
		goto fail;
	/* No server-side session cache: tickets carry resumption state. */
	SSL_CTX_set_session_cache_mode(ctx->server, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx->server, SSL_OP_NO_QUERY_MTU);
	SSL_CTX_set_options(ctx->client, SSL_OP_NO_QUERY_MTU);
	if (kind != BENCH_RESUMED) {
		SSL_CTX_set_options(ctx->server, SSL_OP_NO_TICKET);
		SSL_CTX_set_options(ctx->client, SSL_OP_NO_TICKET);
	}
	if (cookie) {
		SSL_CTX_set_cookie_generate_cb(ctx->server, cookie_generate);
		SSL_CTX_set_cookie_verify_cb(ctx->server, cookie_verify);
		SSL_CTX_set_options(ctx->server, SSL_OP_COOKIE_EXCHANGE);
	}
	if (kind == BENCH_PSK_CCM8) {
		SSL_CTX_set_psk_server_callback(ctx->server, psk_server_cb);
		SSL_CTX_set_psk_client_callback(ctx->client, psk_client_cb);
	} else {
		const char *cert = kind == BENCH_X25519_ED25519 ? k->ed_cert : k->p256_cert;
		const char *key = kind == BENCH_X25519_ED25519 ? k->ed_key : k->p256_key;
		const char *ca = kind == BENCH_X25519_ED25519 ? k->ed_ca : k->p256_ca;
		if (SSL_CTX_use_certificate_file(ctx->server, cert, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx->server, key, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_load_verify_locations(ctx->client, ca, NULL) != 1)
			goto fail;
		/* The client checks the chain and the host name (new_ssl). */
		SSL_CTX_set_verify(ctx->client, SSL_VERIFY_PEER, NULL);
	}
	if (kind == BENCH_RESUMED) {
		_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
		if (pair_init(ctx, pair) < 0)
			goto fail;
		struct openssl_pair *pp = (struct openssl_pair *)pair;
		if (handshake(pair) == 0)
			ctx->ticket = SSL_get1_session(pp->side[BENCH_CLIENT_SIDE]);
		free_side(pair, BENCH_CLIENT_SIDE);
		free_side(pair, BENCH_SERVER_SIDE);
		if (ctx->ticket == NULL)
			goto fail;
	}
	return ctx;
fail:
	ERR_print_errors_fp(stderr);
	ctx_free(ctx);
	return NULL;
}

static SSL *new_ssl(struct openssl_ctx *ctx, int side)
{
	SSL *ssl = SSL_new(side == BENCH_CLIENT_SIDE ? ctx->client : ctx->server);
	BIO *bio = queue_bio(side);
	if (ssl == NULL || bio == NULL) {
		SSL_free(ssl);
		BIO_free(bio);
		return NULL;
	}
	SSL_set_bio(ssl, bio, bio);
	SSL_set_mtu(ssl, (long)bench_mtu - 28);
	if (side == BENCH_CLIENT_SIDE) {
		SSL_set_connect_state(ssl);
		if (SSL_set_tlsext_host_name(ssl, BENCH_SERVER_NAME) != 1 ||
		    (ctx->kind != BENCH_PSK_CCM8 && SSL_set1_host(ssl, BENCH_SERVER_NAME) != 1)) {
			SSL_free(ssl);
			return NULL;
		}
		if (ctx->ticket)
			SSL_set_session(ssl, ctx->ticket);
	} else {
		SSL_set_accept_state(ssl);
	}
	return ssl;
}

static int pair_init(void *p, void *pair_mem)
{
	struct openssl_ctx *ctx = p;
	struct openssl_pair *pair = pair_mem;
	_Static_assert(sizeof(struct openssl_pair) <= BENCH_PAIR_STORAGE, "pair storage");
	pair->ctx = ctx;
	pair->side[0] = new_ssl(ctx, BENCH_CLIENT_SIDE);
	pair->side[1] = new_ssl(ctx, BENCH_SERVER_SIDE);
	if (pair->side[0] == NULL || pair->side[1] == NULL) {
		SSL_free(pair->side[0]);
		SSL_free(pair->side[1]);
		return -1;
	}
	return 0;
}

static int handshake(void *pair_mem)
{
	struct openssl_pair *pair = pair_mem;
	bench_queue_reset();
	bool done[2] = {false, false};
	for (int round = 0; round < 64; round++) {
		for (int side = 0; side < 2; side++) {
			if (done[side])
				continue;
			int r = SSL_do_handshake(pair->side[side]);
			if (r == 1) {
				done[side] = true;
				continue;
			}
			int err = SSL_get_error(pair->side[side], r);
			if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
				fprintf(stderr, "openssl: %s handshake error %d\n",
					side ? "server" : "client", err);
				ERR_print_errors_fp(stderr);
				return -1;
			}
		}
		if (done[0] && done[1]) {
			if (pair->ctx->ticket && !SSL_session_reused(pair->side[BENCH_CLIENT_SIDE])) {
				fprintf(stderr, "openssl: ticket was not accepted\n");
				return -1;
			}
			return 0;
		}
	}
	fprintf(stderr, "openssl: handshake made no progress\n");
	return -1;
}

static long send_data(void *pair_mem, int side, const uint8_t *data, size_t len)
{
	struct openssl_pair *pair = pair_mem;
	return SSL_write(pair->side[side], data, (int)len);
}

static long recv_data(void *pair_mem, int side, uint8_t *buf, size_t cap)
{
	struct openssl_pair *pair = pair_mem;
	return SSL_read(pair->side[side], buf, (int)cap);
}

static void free_side(void *pair_mem, int side)
{
	struct openssl_pair *pair = pair_mem;
	/* Quiet shutdown (no alert, like the other drivers): freeing without
	 * it marks the session not resumable. */
	if (pair->side[side])
		SSL_set_shutdown(pair->side[side], SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(pair->side[side]);
	pair->side[side] = NULL;
}

static size_t max_payload(void *pair_mem)
{
	struct openssl_pair *pair = pair_mem;
	return DTLS_get_data_mtu(pair->side[BENCH_CLIENT_SIDE]);
}

/* bench/loss: one side over a non-blocking UDP socket (a datagram BIO),
 * waiting with DTLSv1_get_timeout and retransmitting through
 * DTLSv1_handle_timeout, as the OpenSSL manual's event loop does. */
static bool udp_wait(SSL *ssl, int fd, double deadline)
{
	struct timeval tv;
	long timer_ms = DTLSv1_get_timeout(ssl, &tv) ? tv.tv_sec * 1000 + tv.tv_usec / 1000 : -1;
	int wait = bench_wait_ms(deadline, timer_ms);
	struct pollfd pfd = {fd, POLLIN, 0};
	if (wait > 0 && poll(&pfd, 1, wait) > 0)
		return true;
	if (DTLSv1_handle_timeout(ssl) < 0)
		return false;
	return bench_now() < deadline;
}

static int udp_side(void *p, int side, int fd, double deadline)
{
	struct openssl_ctx *ctx = p;
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof peer;
	if (side == BENCH_SERVER_SIDE && bench_udp_connect_first(fd, deadline) < 0)
		return -1;
	if (getpeername(fd, (struct sockaddr *)&peer, &peer_len) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return -1;
	SSL *ssl = new_ssl(ctx, side);
	BIO *bio = BIO_new_dgram(fd, BIO_NOCLOSE);
	if (ssl == NULL || bio == NULL) {
		SSL_free(ssl);
		BIO_free(bio);
		return -1;
	}
	BIO_ctrl_set_connected(bio, &peer);
	SSL_set_bio(ssl, bio, bio); /* frees the queue BIO */
	int r;
	while ((r = SSL_do_handshake(ssl)) != 1) {
		int err = SSL_get_error(ssl, r);
		if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
		    !udp_wait(ssl, fd, deadline)) {
			fprintf(stderr, "openssl: %s handshake failed (%d)\n", side ? "server" : "client",
				err);
			ERR_print_errors_fp(stderr);
			SSL_free(ssl);
			return -1;
		}
	}
	/* The server answers a retransmitted final flight from the client. */
	while (side == BENCH_SERVER_SIDE) {
		char buf[2048];
		r = SSL_read(ssl, buf, sizeof buf);
		int err = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
		if ((err != SSL_ERROR_NONE && err != SSL_ERROR_WANT_READ) || !udp_wait(ssl, fd, deadline))
			break;
	}
	SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(ssl);
	return 0;
}

const struct bench_lib bench_openssl = {
	.name = "OpenSSL",
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
typedef int bench_bench_have_openssl_absent;
#endif
