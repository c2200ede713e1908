/* Full DTLS 1.2 handshakes per second, client and server in one process
 * joined by in-memory datagram queues (no sockets, no sleeping), for
 * Petrel and the peer libraries found at configure time, run in
 * interleaved rounds (A B C A B C ...) so drift hits every library alike.
 * Each timed handshake creates both sessions, completes, frees both.
 * Then the crypto floor: the public-key work one handshake must do with
 * Petrel's own primitives, and Petrel's handshake time over it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/common.h"
#include "crypto/crypto.h"

#define MAX_LIBS 3
#define MAX_ROUNDS 9

static double round_seconds;

/* Handshakes per second over one round of about round_seconds. */
static double one_round(const struct bench_lib *lib, void *ctx)
{
	_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
	unsigned count = 0;
	double start = bench_now(), elapsed;
	do {
		if (lib->pair_init(ctx, pair) < 0)
			return -1;
		int rc = lib->handshake(pair);
		lib->free_side(pair, BENCH_CLIENT_SIDE);
		lib->free_side(pair, BENCH_SERVER_SIDE);
		if (rc < 0)
			return -1;
		count++;
		elapsed = bench_now() - start;
	} while (elapsed < round_seconds || count < 3);
	return count / elapsed;
}

static double median_rate[BENCH_KIND_COUNT][2][MAX_LIBS];

static void run_row(enum bench_kind kind, bool cookie, const struct bench_lib **libs, size_t nlibs,
		    int rounds)
{
	void *ctx[MAX_LIBS];
	double rate[MAX_LIBS][MAX_ROUNDS];
	bool ok[MAX_LIBS];
	for (size_t l = 0; l < nlibs; l++) {
		ctx[l] = libs[l]->ctx_new(kind, cookie);
		ok[l] = ctx[l] != NULL;
		/* Warm-up (first-use costs: tables, lazy init). */
		if (ok[l]) {
			double saved = round_seconds;
			round_seconds = 0.02;
			ok[l] = one_round(libs[l], ctx[l]) > 0;
			round_seconds = saved;
		}
	}
	for (int r = 0; r < rounds; r++)
		for (size_t l = 0; l < nlibs; l++)
			if (ok[l] && (rate[l][r] = one_round(libs[l], ctx[l])) < 0)
				ok[l] = false;
	printf("%-30s %-6s", bench_kind_name(kind), cookie ? "on" : "off");
	for (size_t l = 0; l < nlibs; l++) {
		median_rate[kind][cookie][l] = ok[l] ? bench_quantile(rate[l], (size_t)rounds, 0.5) : 0;
		if (ok[l])
			printf(" %10.0f", median_rate[kind][cookie][l]);
		else
			printf(" %10s", "n/a");
		if (ctx[l])
			libs[l]->ctx_free(ctx[l]);
	}
	for (size_t l = 1; l < nlibs; l++) {
		double p = median_rate[kind][cookie][0], q = median_rate[kind][cookie][l];
		if (p > 0 && q > 0)
			printf(" %9.2fx", p / q);
		else
			printf(" %10s", "n/a");
	}
	printf("\n");
	fflush(stdout);
}

/* ---- crypto floor ---- */

typedef int (*op_fn)(void *arg);

/* Median of per-call time (microseconds) over batches. */
static double op_usec(op_fn fn, void *arg, int calls)
{
	double t[15];
	int batches = bench_quick() ? 5 : 15;
	for (int b = 0; b < batches; b++) {
		double start = bench_now();
		for (int i = 0; i < calls; i++)
			if (fn(arg) < 0) {
				fprintf(stderr, "crypto floor: operation failed\n");
				exit(1);
			}
		t[b] = (bench_now() - start) * 1e6 / calls;
	}
	return bench_quantile(t, (size_t)batches, 0.5);
}

struct floor_state {
	enum petrel_group group;
	uint16_t scheme;
	struct petrel_privkey *key;
	struct petrel_pubkey pub;
	uint8_t msg[128];
	uint8_t sig[PETREL_MAX_SIG_LEN];
	size_t sig_len;
	uint8_t priv[PETREL_KX_PRIV_LEN], peer_pub[PETREL_KX_MAX_PUB_LEN];
	size_t peer_pub_len;
};

static int op_sign(void *arg)
{
	struct floor_state *f = arg;
	return petrel_sign(f->key, f->scheme, f->msg, sizeof f->msg, f->sig, sizeof f->sig, &f->sig_len);
}

static int op_verify(void *arg)
{
	struct floor_state *f = arg;
	return petrel_verify(f->scheme, &f->pub, f->msg, sizeof f->msg, f->sig, f->sig_len);
}

static int op_keygen(void *arg)
{
	struct floor_state *f = arg;
	uint8_t pub[PETREL_KX_MAX_PUB_LEN];
	size_t len;
	return petrel_kx_keygen(f->group, f->priv, pub, &len);
}

static int op_derive(void *arg)
{
	struct floor_state *f = arg;
	uint8_t shared[PETREL_KX_SHARED_LEN];
	return petrel_kx_derive(f->group, f->priv, f->peer_pub, f->peer_pub_len, shared);
}

static double crypto_floor(enum petrel_key_type type, uint16_t scheme, enum petrel_group group,
			   const char *label)
{
	struct floor_state f;
	memset(&f, 0, sizeof f);
	f.group = group;
	f.scheme = scheme;
	memset(f.msg, 0x5a, sizeof f.msg);
	uint8_t other[PETREL_KX_PRIV_LEN], own_pub[PETREL_KX_MAX_PUB_LEN];
	size_t own_pub_len;
	if (petrel_privkey_generate(type, &f.key) < 0 ||
	    petrel_kx_keygen(group, other, f.peer_pub, &f.peer_pub_len) < 0 ||
	    petrel_kx_keygen(group, f.priv, own_pub, &own_pub_len) < 0) {
		fprintf(stderr, "crypto floor: setup failed\n");
		exit(1);
	}
	petrel_privkey_public(f.key, &f.pub);
	op_sign(&f);
	int calls = bench_quick() ? 20 : 50;
	double sign = op_usec(op_sign, &f, calls);
	double verify = op_usec(op_verify, &f, calls);
	double keygen = op_usec(op_keygen, &f, calls);
	double derive = op_usec(op_derive, &f, calls);
	petrel_privkey_free(f.key);
	double total = sign + verify + 2 * keygen + 2 * derive;
	printf("%-24s %9.1f %9.1f %9.1f %9.1f %11.1f\n", label, sign, verify, keygen, derive, total);
	return total;
}

/* `handshake --profile LIB KIND COOKIE N`: only N handshakes of one
 * library and kind (0..3), for callgrind or perf. */
static int profile(int argc, char **argv)
{
	const struct bench_lib *libs[MAX_LIBS];
	size_t nlibs = bench_libs(libs, MAX_LIBS);
	if (argc != 6)
		return 2;
	for (size_t l = 0; l < nlibs; l++) {
		if (strcmp(libs[l]->name, argv[2]) != 0)
			continue;
		void *ctx = libs[l]->ctx_new((enum bench_kind)atoi(argv[3]), atoi(argv[4]) != 0);
		_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
		for (int i = 0; ctx && i < atoi(argv[5]); i++) {
			if (libs[l]->pair_init(ctx, pair) < 0 || libs[l]->handshake(pair) < 0)
				return 1;
			libs[l]->free_side(pair, BENCH_CLIENT_SIDE);
			libs[l]->free_side(pair, BENCH_SERVER_SIDE);
		}
		return ctx ? 0 : 1;
	}
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--profile") == 0)
		return profile(argc, argv);
	const struct bench_lib *libs[MAX_LIBS];
	size_t nlibs = bench_libs(libs, MAX_LIBS);
	int rounds = bench_quick() ? 3 : 7;
	round_seconds = bench_quick() ? 0.1 : 0.25;
	if (bench_keys() == NULL)
		fprintf(stderr, "handshake: the openssl tool could not make test certificates\n");

	printf("Full DTLS 1.2 handshakes per second (client+server in one process, in-memory "
	       "datagrams, MTU %u;\n%d interleaved rounds of %.2f s per library, median; every "
	       "handshake creates and frees both sessions; tickets off except the resumed rows)\n",
	       bench_mtu, rounds, round_seconds);
	printf("%-30s %-6s", "suite", "cookie");
	for (size_t l = 0; l < nlibs; l++)
		printf(" %10s", libs[l]->name);
	for (size_t l = 1; l < nlibs; l++) {
		char head[32];
		snprintf(head, sizeof head, "P/%s", libs[l]->name);
		printf(" %10s", head);
	}
	printf("\n");
	for (int kind = 0; kind < BENCH_KIND_COUNT; kind++)
		for (int cookie = 0; cookie < 2; cookie++)
			run_row((enum bench_kind)kind, cookie != 0, libs, nlibs, rounds);

	printf("n/a: the library could not complete that configuration (reason on stderr).\n");
	for (size_t l = 1; l < nlibs; l++) {
		double want = strcmp(libs[l]->name, "OpenSSL") == 0 ? 1.2 : 1.5;
		int met = 0, rows = 0;
		for (int kind = 0; kind < BENCH_KIND_COUNT; kind++)
			for (int cookie = 0; cookie < 2; cookie++) {
				double p = median_rate[kind][cookie][0], q = median_rate[kind][cookie][l];
				if (p <= 0 || q <= 0)
					continue;
				rows++;
				met += p >= want * q;
			}
		printf("target Petrel >= %.1fx %s handshakes/s: met in %d of %d rows\n", want,
		       libs[l]->name, met, rows);
	}

	printf("\nCrypto floor: public-key operations one full handshake needs, Petrel's "
	       "primitives (crypto/crypto.h), median us per call\n");
	printf("%-24s %9s %9s %9s %9s %11s\n", "suite", "sign", "verify", "keygen", "ecdh",
	       "floor(1s+1v+2k+2e)");
	double floor_p256 = crypto_floor(PETREL_KEY_EC_P256, PETREL_SIG_ECDSA_SECP256R1_SHA256,
					 PETREL_GROUP_SECP256R1, "ECDSA P-256 / P-256");
	double floor_ed = crypto_floor(PETREL_KEY_ED25519, PETREL_SIG_ED25519, PETREL_GROUP_X25519,
				       "Ed25519 / X25519");
	printf("\n%-30s %-6s %12s %10s %12s\n", "Petrel handshake vs floor", "cookie", "hs us",
	       "floor us", "hs/floor");
	for (int cookie = 0; cookie < 2; cookie++) {
		const struct {
			enum bench_kind kind;
			double floor;
		} rows[] = {{BENCH_P256_GCM, floor_p256}, {BENCH_X25519_ED25519, floor_ed}};
		for (size_t i = 0; i < 2; i++) {
			double rate = median_rate[rows[i].kind][cookie][0];
			double us = rate > 0 ? 1e6 / rate : 0;
			double ratio = rows[i].floor > 0 ? us / rows[i].floor : 0;
			printf("%-30s %-6s %12.1f %10.1f %11.2fx  (<= 1.15x: %s)\n",
			       bench_kind_name(rows[i].kind), cookie ? "on" : "off", us, rows[i].floor, ratio,
			       ratio > 0 && ratio <= 1.15 ? "met" : "MISSED");
		}
	}
	return 0;
}
