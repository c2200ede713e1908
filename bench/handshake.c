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
#include <unistd.h>

#include "bench/common.h"
#include "crypto/crypto.h"

#define MAX_LIBS 3
#define MAX_ROUNDS 9
#define FLOOR_ROUNDS 15

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

/* Microseconds per call over `calls` calls. */
static double op_usec(op_fn fn, void *arg, int calls)
{
	double start = bench_now();
	for (int i = 0; i < calls; i++)
		if (fn(arg) < 0) {
			fprintf(stderr, "crypto floor: operation failed\n");
			exit(1);
		}
	return (bench_now() - start) * 1e6 / calls;
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

/* One full handshake's public-key work: 1 sign, 1 verify, 2 keygen, 2 ECDH. */
static int floor_ops(void *arg)
{
	if (op_sign(arg) < 0 || op_verify(arg) < 0 || op_keygen(arg) < 0 || op_keygen(arg) < 0 ||
	    op_derive(arg) < 0 || op_derive(arg) < 0)
		return -1;
	return 0;
}

/* Petrel handshakes and the floor's operations alternate one for one, so
 * both see the same load from other processes; per round the mean of each,
 * then medians over rounds. The per-operation columns come from short
 * separate batches (information only). */
static void floor_row(enum bench_kind kind, enum petrel_key_type type, uint16_t scheme,
		      enum petrel_group group, const char *label, int rounds)
{
	struct floor_state f;
	memset(&f, 0, sizeof f);
	f.group = group;
	f.scheme = scheme;
	memset(f.msg, 0x5a, sizeof f.msg);
	uint8_t other[PETREL_KX_PRIV_LEN], own_pub[PETREL_KX_MAX_PUB_LEN];
	size_t own_pub_len;
	void *ctx[2] = {bench_petrel.ctx_new(kind, false), bench_petrel.ctx_new(kind, true)};
	if (petrel_privkey_generate(type, &f.key) < 0 ||
	    petrel_kx_keygen(group, other, f.peer_pub, &f.peer_pub_len) < 0 ||
	    petrel_kx_keygen(group, f.priv, own_pub, &own_pub_len) < 0 || !ctx[0] || !ctx[1]) {
		fprintf(stderr, "crypto floor: setup failed\n");
		exit(1);
	}
	petrel_privkey_public(f.key, &f.pub);
	op_sign(&f);
	static const op_fn ops[4] = {op_sign, op_verify, op_keygen, op_derive};
	double t[4][FLOOR_ROUNDS], hs[2][FLOOR_ROUNDS], fl[2][FLOOR_ROUNDS];
	for (int r = 0; r < rounds; r++) {
		for (int o = 0; o < 4; o++)
			t[o][r] = op_usec(ops[o], &f, 10);
		for (int c = 0; c < 2; c++) {
			double hs_time = 0, floor_time = 0;
			int n = 0;
			_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
			double round_start = bench_now();
			do {
				double t0 = bench_now();
				if (bench_petrel.pair_init(ctx[c], pair) < 0 || bench_petrel.handshake(pair) < 0)
					exit(1);
				bench_petrel.free_side(pair, BENCH_CLIENT_SIDE);
				bench_petrel.free_side(pair, BENCH_SERVER_SIDE);
				double t1 = bench_now();
				if (floor_ops(&f) < 0)
					exit(1);
				double t2 = bench_now();
				hs_time += t1 - t0;
				floor_time += t2 - t1;
				n++;
			} while (bench_now() - round_start < 0.06);
			hs[c][r] = hs_time * 1e6 / n;
			fl[c][r] = floor_time * 1e6 / n;
		}
	}
	double med[4];
	for (int o = 0; o < 4; o++)
		med[o] = bench_quantile(t[o], (size_t)rounds, 0.5);
	for (int c = 0; c < 2; c++) {
		double us = bench_quantile(hs[c], (size_t)rounds, 0.5);
		double floor = bench_quantile(fl[c], (size_t)rounds, 0.5), ratio = us / floor;
		printf("%-20s %7.1f %7.1f %7.1f %7.1f %8.1f %-6s %8.1f %8.2fx  %s\n", label, med[0],
		       med[1], med[2], med[3], floor, c ? "on" : "off", us, ratio,
		       ratio <= 1.15 ? "met" : "MISSED");
	}
	petrel_privkey_free(f.key);
	bench_petrel.ctx_free(ctx[0]);
	bench_petrel.ctx_free(ctx[1]);
}

/* Instructions (callgrind "I refs") of `handshake --profile WHAT KIND 0 N`, or -1. */
static double callgrind_refs(const char *self, const char *what, int kind, int n)
{
	char cmd[1024], line[512];
	snprintf(cmd, sizeof cmd,
		 "valgrind --tool=callgrind --callgrind-out-file=/dev/null %s --profile %s %d 0 %d 2>&1",
		 self, what, kind, n);
	FILE *p = popen(cmd, "r");
	double refs = -1;
	while (p && fgets(line, sizeof line, p)) {
		char *at = strstr(line, "I   refs:");
		if (at == NULL)
			continue;
		refs = 0;
		for (at += 9; *at; at++)
			if (*at >= '0' && *at <= '9')
				refs = refs * 10 + (*at - '0');
	}
	if (p && pclose(p) != 0)
		refs = -1;
	return refs;
}

/* The same ratio in instructions, which load from other processes cannot
 * disturb: (N2 - N1) handshakes over (N2 - N1) times the floor's work. */
static void floor_instructions(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0 || system("valgrind --version >/dev/null 2>&1") != 0) {
		printf("(valgrind not found: no instruction counts)\n");
		return;
	}
	self[n] = '\0';
	const int n1 = 5, n2 = 15;
	printf("\nSame in instructions (callgrind, cookie off, per handshake: difference of %d and %d "
	       "runs):\n%-20s %14s %14s %9s  %s\n",
	       n2, n1, "suite", "floor instr", "hs instr", "hs/floor", "<= 1.15x");
	static const struct {
		enum bench_kind kind;
		const char *label;
	} rows[] = {{BENCH_P256_GCM, "ECDSA P-256 / P-256"}, {BENCH_X25519_ED25519, "Ed25519 / X25519"}};
	for (size_t i = 0; i < 2; i++) {
		double f1 = callgrind_refs(self, "floor", rows[i].kind, n1);
		double f2 = callgrind_refs(self, "floor", rows[i].kind, n2);
		double h1 = callgrind_refs(self, "Petrel", rows[i].kind, n1);
		double h2 = callgrind_refs(self, "Petrel", rows[i].kind, n2);
		if (f1 < 0 || f2 < 0 || h1 < 0 || h2 < 0) {
			printf("%-20s callgrind failed\n", rows[i].label);
			continue;
		}
		double floor = (f2 - f1) / (n2 - n1), hs = (h2 - h1) / (n2 - n1);
		printf("%-20s %14.0f %14.0f %8.2fx  %s\n", rows[i].label, floor, hs, hs / floor,
		       hs / floor <= 1.15 ? "met" : "MISSED");
	}
}

/* `handshake --profile LIB KIND COOKIE N`: only N handshakes of one
 * library and kind (0..3), for callgrind or perf. */
static int profile(int argc, char **argv)
{
	const struct bench_lib *libs[MAX_LIBS];
	size_t nlibs = bench_libs(libs, MAX_LIBS);
	if (argc != 6)
		return 2;
	if (strcmp(argv[2], "floor") == 0) {
		/* `--profile floor KIND 0 N`: N times one handshake's public-key work. */
		bool p256 = atoi(argv[3]) == BENCH_P256_GCM;
		struct floor_state f;
		memset(&f, 0, sizeof f);
		f.group = p256 ? PETREL_GROUP_SECP256R1 : PETREL_GROUP_X25519;
		f.scheme = p256 ? PETREL_SIG_ECDSA_SECP256R1_SHA256 : PETREL_SIG_ED25519;
		uint8_t other[PETREL_KX_PRIV_LEN];
		if (petrel_privkey_generate(p256 ? PETREL_KEY_EC_P256 : PETREL_KEY_ED25519, &f.key) < 0 ||
		    petrel_kx_keygen(f.group, other, f.peer_pub, &f.peer_pub_len) < 0)
			return 1;
		petrel_privkey_public(f.key, &f.pub);
		for (int i = 0; i < atoi(argv[5]); i++)
			if (floor_ops(&f) < 0)
				return 1;
		petrel_privkey_free(f.key);
		return 0;
	}
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

	int floor_rounds = bench_quick() ? 7 : FLOOR_ROUNDS;
	printf("\nCrypto floor: the public-key operations one full handshake needs with Petrel's "
	       "primitives (crypto/crypto.h), us per call;\nfloor = 1 sign + 1 verify + 2 keygen + "
	       "2 ECDH; timed one for one alternating with Petrel handshakes\n(%d rounds of 60 ms, "
	       "medians of the per-round means); sign..ecdh: separate batches, medians.\n",
	       floor_rounds);
	printf("%-20s %7s %7s %7s %7s %8s %-6s %8s %9s  %s\n", "suite", "sign", "verify",
	       "keygen", "ecdh", "floor", "cookie", "hs us", "hs/floor", "<= 1.15x");
	floor_row(BENCH_P256_GCM, PETREL_KEY_EC_P256, PETREL_SIG_ECDSA_SECP256R1_SHA256,
		  PETREL_GROUP_SECP256R1, "ECDSA P-256 / P-256", floor_rounds);
	floor_row(BENCH_X25519_ED25519, PETREL_KEY_ED25519, PETREL_SIG_ED25519, PETREL_GROUP_X25519,
		  "Ed25519 / X25519", floor_rounds);
	floor_instructions();
	return 0;
}
