/* Full DTLS 1.2 handshakes per second, client and server in one process
 * joined by in-memory datagram queues (no sockets, no sleeping), for
 * Petrel and the peer libraries found at configure time, run in
 * interleaved rounds (A B C A B C ...) so drift hits every library alike.
 * Each timed handshake creates both sessions, completes, frees both.
 * Then the crypto floor: the public-key work one handshake must do with
 * Petrel's own primitives, and each library's handshake time over it (for
 * a peer, the most Petrel could lead it by); then the same in instructions
 * under callgrind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/common.h"
#include "crypto/crypto.h"

#define MAX_LIBS 3
#define MAX_ROUNDS 15
#define FLOOR_ROUNDS 15

static double round_seconds;

/* Handshakes of one library for about `seconds` (at least `min` of them):
 * adds to *count and *elapsed; -1 on a failed handshake. */
static int run_for(const struct bench_lib *lib, void *ctx, double seconds, unsigned min,
		   unsigned *count, double *elapsed)
{
	_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
	unsigned n = 0;
	double start = bench_now(), spent;
	do {
		if (lib->pair_init(ctx, pair) < 0)
			return -1;
		int rc = lib->handshake(pair);
		lib->free_side(pair, BENCH_CLIENT_SIDE);
		lib->free_side(pair, BENCH_SERVER_SIDE);
		if (rc < 0)
			return -1;
		n++;
		spent = bench_now() - start;
	} while (spent < seconds || n < min);
	*count += n;
	*elapsed += spent;
	return 0;
}

/* Slices per round: the libraries take turns every round_seconds/ROUND_SLICES,
 * so a burst of load from elsewhere on a shared machine lands on all of
 * them instead of on one library's whole round. */
#define ROUND_SLICES 10

/* One round: handshakes per second of each library (rate[l], < 0 when it
 * failed), over ROUND_SLICES interleaved slices. */
static void one_round(const struct bench_lib **libs, void **ctx, const bool *ok, size_t nlibs,
		      double *rate)
{
	unsigned count[MAX_LIBS] = {0};
	double elapsed[MAX_LIBS] = {0};
	bool failed[MAX_LIBS] = {false};
	for (int slice = 0; slice < ROUND_SLICES; slice++)
		for (size_t l = 0; l < nlibs; l++)
			if (ok[l] && !failed[l])
				failed[l] = run_for(libs[l], ctx[l], round_seconds / ROUND_SLICES, 1,
						    &count[l], &elapsed[l]) < 0;
	for (size_t l = 0; l < nlibs; l++)
		rate[l] = ok[l] && !failed[l] && elapsed[l] > 0 ? count[l] / elapsed[l] : -1;
}

static double median_rate[BENCH_KIND_COUNT][2][MAX_LIBS];
/* Petrel over library l: the median of per-round ratios. Rounds of the
 * libraries run back to back, so each ratio compares adjacent moments;
 * on a shared machine that is steadier than a ratio of two medians. */
static double paired_ratio[BENCH_KIND_COUNT][2][MAX_LIBS];

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
		unsigned count = 0;
		double elapsed = 0;
		if (ok[l])
			ok[l] = run_for(libs[l], ctx[l], 0.02, 3, &count, &elapsed) == 0;
	}
	for (int r = 0; r < rounds; r++) {
		double round_rate[MAX_LIBS];
		one_round(libs, ctx, ok, nlibs, round_rate);
		for (size_t l = 0; l < nlibs; l++)
			if (ok[l] && (rate[l][r] = round_rate[l]) < 0)
				ok[l] = false;
	}
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
		double ratio[MAX_ROUNDS];
		for (int r = 0; ok[0] && ok[l] && r < rounds; r++)
			ratio[r] = rate[0][r] / rate[l][r];
		paired_ratio[kind][cookie][l] =
			ok[0] && ok[l] ? bench_quantile(ratio, (size_t)rounds, 0.5) : 0;
		if (paired_ratio[kind][cookie][l] > 0)
			printf(" %9.2fx", paired_ratio[kind][cookie][l]);
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

/* One full handshake's public-key work: the server signs its key exchange;
 * the client verifies the CA's signature on the leaf and the key exchange's;
 * each side makes a key pair and derives the shared secret. */
static int floor_ops(void *arg)
{
	if (op_sign(arg) < 0 || op_verify(arg) < 0 || op_verify(arg) < 0 || op_keygen(arg) < 0 ||
	    op_keygen(arg) < 0 || op_derive(arg) < 0 || op_derive(arg) < 0)
		return -1;
	return 0;
}

/* One round of about 60 ms of `lib` handshakes alternating one for one
 * with the floor's operations, so both see the same load from other
 * processes: the mean us of each; false if a handshake failed. */
static bool alternate_round(const struct bench_lib *lib, void *ctx, struct floor_state *f,
			    double *hs_us, double *floor_us)
{
	double hs_time = 0, floor_time = 0;
	int n = 0;
	_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
	double round_start = bench_now();
	do {
		double t0 = bench_now();
		if (lib->pair_init(ctx, pair) < 0)
			return false;
		int rc = lib->handshake(pair);
		lib->free_side(pair, BENCH_CLIENT_SIDE);
		lib->free_side(pair, BENCH_SERVER_SIDE);
		double t1 = bench_now();
		if (rc < 0)
			return false;
		if (floor_ops(f) < 0)
			exit(1);
		double t2 = bench_now();
		hs_time += t1 - t0;
		floor_time += t2 - t1;
		n++;
	} while (bench_now() - round_start < 0.06);
	*hs_us = hs_time * 1e6 / n;
	*floor_us = floor_time * 1e6 / n;
	return true;
}

/* The handshakes/s target over each peer (top table's verdict lines). */
static double target_ratio(const struct bench_lib *lib)
{
	return strcmp(lib->name, "OpenSSL") == 0 ? 1.2 : 1.5;
}

/* Per library and cookie setting, handshakes alternate with the floor
 * (alternate_round), medians over rounds; libraries interleave per round.
 * Petrel's hs/floor is the target; a peer's is the ceiling, the most any
 * Petrel could lead it by with zero time above the floor. The peers run
 * the rows they completed in the top table. The per-operation columns
 * come from short separate batches (information only). */
static void floor_row(enum bench_kind kind, enum petrel_key_type type, uint16_t scheme,
		      enum petrel_group group, const char *label, const struct bench_lib **libs,
		      size_t nlibs, int rounds)
{
	struct floor_state f;
	memset(&f, 0, sizeof f);
	f.group = group;
	f.scheme = scheme;
	memset(f.msg, 0x5a, sizeof f.msg);
	uint8_t other[PETREL_KX_PRIV_LEN], own_pub[PETREL_KX_MAX_PUB_LEN];
	size_t own_pub_len;
	void *ctx[MAX_LIBS][2] = {{NULL}};
	for (size_t l = 0; l < nlibs; l++)
		for (int c = 0; c < 2; c++)
			if (l == 0 || median_rate[kind][c][l] > 0)
				ctx[l][c] = libs[l]->ctx_new(kind, c != 0);
	if (petrel_privkey_generate(type, &f.key) < 0 ||
	    petrel_kx_keygen(group, other, f.peer_pub, &f.peer_pub_len) < 0 ||
	    petrel_kx_keygen(group, f.priv, own_pub, &own_pub_len) < 0 || !ctx[0][0] || !ctx[0][1]) {
		fprintf(stderr, "crypto floor: setup failed\n");
		exit(1);
	}
	petrel_privkey_public(f.key, &f.pub);
	op_sign(&f);
	static const op_fn ops[4] = {op_sign, op_verify, op_keygen, op_derive};
	double t[4][FLOOR_ROUNDS], hs[MAX_LIBS][2][FLOOR_ROUNDS], fl[MAX_LIBS][2][FLOOR_ROUNDS];
	bool ok[MAX_LIBS][2];
	for (size_t l = 0; l < nlibs; l++)
		for (int c = 0; c < 2; c++)
			ok[l][c] = ctx[l][c] != NULL;
	for (int r = 0; r < rounds; r++) {
		for (int o = 0; o < 4; o++)
			t[o][r] = op_usec(ops[o], &f, 10);
		for (size_t l = 0; l < nlibs; l++)
			for (int c = 0; c < 2; c++)
				if (ok[l][c])
					ok[l][c] = alternate_round(libs[l], ctx[l][c], &f, &hs[l][c][r],
								   &fl[l][c][r]);
	}
	if (!ok[0][0] || !ok[0][1])
		exit(1);
	double med[4], petrel_ratio[2] = {0, 0};
	for (int o = 0; o < 4; o++)
		med[o] = bench_quantile(t[o], (size_t)rounds, 0.5);
	for (size_t l = 0; l < nlibs; l++)
		for (int c = 0; c < 2; c++) {
			if (l == 0)
				printf("%-20s %7.1f %7.1f %7.1f %7.1f", label, med[0], med[1], med[2], med[3]);
			else
				printf("%-20s %31s", label, "");
			if (!ok[l][c]) {
				printf(" %8s %-8s %-6s %8s\n", "", libs[l]->name, c ? "on" : "off", "n/a");
				continue;
			}
			double us = bench_quantile(hs[l][c], (size_t)rounds, 0.5);
			double floor = bench_quantile(fl[l][c], (size_t)rounds, 0.5), ratio = us / floor;
			printf(" %8.1f %-8s %-6s %8.1f %8.2fx  ", floor, libs[l]->name, c ? "on" : "off", us,
			       ratio);
			if (l == 0) {
				petrel_ratio[c] = ratio;
				printf("%s\n", ratio <= 1.15 ? "met" : "MISSED");
			} else {
				printf("ceiling %s %.1fx target; P/%s %.2fx\n",
				       ratio < target_ratio(libs[l]) ? "<" : ">=", target_ratio(libs[l]),
				       libs[l]->name, ratio / petrel_ratio[c]);
			}
		}
	petrel_privkey_free(f.key);
	for (size_t l = 0; l < nlibs; l++)
		for (int c = 0; c < 2; c++)
			if (ctx[l][c])
				libs[l]->ctx_free(ctx[l][c]);
}

/* The first number in s (digits and thousands commas), or -1. */
static double leading_number(const char *s)
{
	while (*s && (*s < '0' || *s > '9'))
		s++;
	if (*s == '\0')
		return -1;
	double v = 0;
	for (; (*s >= '0' && *s <= '9') || *s == ','; s++)
		if (*s != ',')
			v = v * 10 + (*s - '0');
	return v;
}

struct cg_count {
	double refs;   /* all instructions ("I refs") */
	double sha256; /* in nettle's SHA-256 compression (-1: unknown) */
	double pk;     /* in libhogweed and libgmp: nettle's public-key code (-1: unknown) */
};

/* Self (exclusive) costs per function from callgrind_annotate, so a fat
 * dispatcher and the function it picks add up without counting anything
 * twice; --threshold=100 lists every function, --auto=no no source. */
static void annotate_sums(const char *file, struct cg_count *c)
{
	char cmd[4200], line[1024];
	snprintf(cmd, sizeof cmd,
		 "callgrind_annotate --inclusive=no --auto=no --threshold=100 %s 2>/dev/null", file);
	FILE *p = popen(cmd, "r");
	bool seen_total = false;
	c->sha256 = c->pk = 0;
	while (p && fgets(line, sizeof line, p)) {
		double v = leading_number(line);
		seen_total |= strstr(line, "PROGRAM TOTALS") != NULL;
		if (strstr(line, "sha256_compress"))
			c->sha256 += v;
		if (strstr(line, "/libhogweed.so") || strstr(line, "/libgmp.so"))
			c->pk += v;
	}
	if (p == NULL || pclose(p) != 0 || !seen_total)
		c->sha256 = c->pk = -1;
}

/* Callgrind counts of `handshake --profile WHAT KIND 0 N`; false on failure. */
static bool callgrind_count(const char *self, const char *what, int kind, int cookie, int n,
			    struct cg_count *c)
{
	char file[] = "/tmp/petrel-callgrind-XXXXXX", cmd[8400], line[512];
	int fd = mkstemp(file);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(cmd, sizeof cmd,
		 "valgrind --tool=callgrind --callgrind-out-file=%s %s --profile %s %d %d %d 2>&1", file,
		 self, what, kind, cookie, n);
	FILE *p = popen(cmd, "r");
	c->refs = -1;
	while (p && fgets(line, sizeof line, p)) {
		char *at = strstr(line, "I   refs:");
		if (at)
			c->refs = leading_number(at + 9);
	}
	if (p == NULL || pclose(p) != 0)
		c->refs = -1;
	if (c->refs > 0)
		annotate_sums(file, c);
	unlink(file);
	return c->refs > 0;
}

/* Per handshake: the difference of an n2 and an n1 run, so start-up
 * (certificates, contexts, dynamic linking) cancels out. */
static bool callgrind_per_hs(const char *self, const char *what, int kind, int cookie, int n1,
			     int n2, struct cg_count *per)
{
	struct cg_count a, b;
	if (!callgrind_count(self, what, kind, cookie, n1, &a) ||
	    !callgrind_count(self, what, kind, cookie, n2, &b))
		return false;
	per->refs = (b.refs - a.refs) / (n2 - n1);
	per->sha256 = a.sha256 < 0 || b.sha256 < 0 ? -1 : (b.sha256 - a.sha256) / (n2 - n1);
	per->pk = a.pk < 0 || b.pk < 0 ? -1 : (b.pk - a.pk) / (n2 - n1);
	return true;
}

/* One row's first columns: instructions per handshake and the share of
 * them in the floor's own code. */
static void instr_cells(const char *suite, const char *lib, const struct cg_count *c)
{
	printf("%-20s %-8s %10.0f", suite, lib, c->refs);
	if (c->pk >= 0)
		printf(" %10.1f%%", 100 * c->pk / c->refs);
	else
		printf(" %11s", "n/a");
}

/* The same ratio in instructions, which load from other processes cannot
 * disturb, and the peers next to it (those that completed the row in the
 * top table): a peer's instructions over the floor's are the most Petrel
 * could lead it by in instructions with nothing above the floor. */
static void floor_instructions(const struct bench_lib **libs, size_t nlibs)
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
	       "runs):\n%-20s %-8s %10s %11s %9s %-8s %8s %12s %10s %8s\n",
	       n2, n1, "suite", "library", "instr", "hogweed+gmp", "hs/floor", "<= 1.15x", "SHA-256",
	       "excl.SHA-256", "lib/Petrel", "ceiling");
	static const struct {
		enum bench_kind kind;
		const char *label;
	} rows[] = {{BENCH_P256_GCM, "ECDSA P-256 / P-256"}, {BENCH_X25519_ED25519, "Ed25519 / X25519"}};
	for (size_t i = 0; i < 2; i++) {
		const char *suite = rows[i].label;
		struct cg_count fl, hs;
		if (!callgrind_per_hs(self, "floor", rows[i].kind, 0, n1, n2, &fl) ||
		    !callgrind_per_hs(self, libs[0]->name, rows[i].kind, 0, n1, n2, &hs)) {
			printf("%-20s callgrind failed\n", suite);
			continue;
		}
		instr_cells(suite, "floor", &fl);
		printf("\n");
		double ratio = hs.refs / fl.refs;
		instr_cells(suite, libs[0]->name, &hs);
		printf(" %8.2fx %-8s", ratio, ratio <= 1.15 ? "met" : "MISSED");
		/* The P-256 floor hashes too (ECDSA digests): SHA-256 leaves both. */
		if (hs.sha256 >= 0 && fl.sha256 >= 0)
			printf(" %8.0f %11.2fx\n", hs.sha256, (hs.refs - hs.sha256) / (fl.refs - fl.sha256));
		else
			printf(" %8s %12s\n", "n/a", "n/a");
		for (size_t l = 1; l < nlibs; l++) {
			struct cg_count peer;
			if (median_rate[rows[i].kind][0][l] <= 0 ||
			    !callgrind_per_hs(self, libs[l]->name, rows[i].kind, 0, n1, n2, &peer)) {
				printf("%-20s %-8s %10s\n", suite, libs[l]->name, "n/a");
				continue;
			}
			instr_cells(suite, libs[l]->name, &peer);
			printf(" %9s %-8s %8s %12s %9.2fx %7.2fx\n", "", "", "", "", peer.refs / hs.refs,
			       peer.refs / fl.refs);
		}
		fflush(stdout);
	}
	printf("ceiling = lib instr / floor instr: the most Petrel could lead the library by "
	       "(lib/Petrel) with zero instructions above the floor.\nhogweed+gmp: share in nettle's "
	       "public-key code (the P-256 floor's own). Where a library's other instructions take more "
	       "time\neach than the floor's, its time ceiling (table above) is higher than this one.\n");
	/* nettle 3.8 on x86-64: about 3,000 instructions per 64-byte block in
	 * its x86_64 code, 179 (straight-line) with SHA-NI. */
	printf("SHA-256: Petrel's instructions in nettle's sha256_compress. Valgrind does not emulate "
	       "SHA-NI, so nettle runs its plain\nx86_64 code here, many times the instructions SHA-NI "
	       "needs. excl.SHA-256 = (hs - SHA-256) / (floor - floor's SHA-256):\ninformation only, "
	       "not the target verdict.\n");
}

/* `handshake --profile LIB KIND COOKIE N`: only N handshakes of one
 * library and kind (0..3), for callgrind or perf. */
static int profile(int argc, char **argv)
{
	const struct bench_lib *libs[MAX_LIBS + 1];
	size_t nlibs = bench_libs(libs, MAX_LIBS);
	if (argc != 6)
		return 2;
	int kind = atoi(argv[3]), count = atoi(argv[5]);
	if (strcmp(argv[2], "floor") == 0) {
		/* `--profile floor KIND 0 N`: N times one handshake's public-key work. */
		bool p256 = kind == BENCH_P256_GCM;
		struct floor_state f;
		memset(&f, 0, sizeof f);
		f.group = p256 ? PETREL_GROUP_SECP256R1 : PETREL_GROUP_X25519;
		f.scheme = p256 ? PETREL_SIG_ECDSA_SECP256R1_SHA256 : PETREL_SIG_ED25519;
		uint8_t other[PETREL_KX_PRIV_LEN];
		if (petrel_privkey_generate(p256 ? PETREL_KEY_EC_P256 : PETREL_KEY_ED25519, &f.key) < 0 ||
		    petrel_kx_keygen(f.group, other, f.peer_pub, &f.peer_pub_len) < 0)
			return 1;
		petrel_privkey_public(f.key, &f.pub);
		for (int i = 0; i < count; i++)
			if (floor_ops(&f) < 0)
				return 1;
		petrel_privkey_free(f.key);
		return 0;
	}
	if (nlibs < MAX_LIBS + 1)
		libs[nlibs++] = &bench_petrel13;
	for (size_t l = 0; l < nlibs; l++) {
		if (strcmp(libs[l]->name, argv[2]) != 0)
			continue;
		void *ctx = libs[l]->ctx_new((enum bench_kind)kind, atoi(argv[4]) != 0);
		_Alignas(16) uint8_t pair[BENCH_PAIR_STORAGE];
		for (int i = 0; ctx && i < count; i++) {
			if (libs[l]->pair_init(ctx, pair) < 0 || libs[l]->handshake(pair) < 0)
				return 1;
			libs[l]->free_side(pair, BENCH_CLIENT_SIDE);
			libs[l]->free_side(pair, BENCH_SERVER_SIDE);
		}
		return ctx ? 0 : 1;
	}
	return 2;
}

/* ---- DTLS 1.3 (issue #20) ---- */

/* Petrel's DTLS 1.3 handshakes against its 1.2 ones, same group and
 * certificate (bench_petrel13: the 1.3 suite is TLS_AES_128_GCM_SHA256;
 * the PSK row is psk_dhe_ke with X25519 there, plain PSK in 1.2),
 * interleaved as the top table; the ratio is the median of per-round
 * ratios. Then the same in instructions under callgrind. */
static void dtls13_rows(int rounds)
{
	const struct bench_lib *pair_libs[2] = {&bench_petrel, &bench_petrel13};
	printf("\nDTLS 1.3 against 1.2, Petrel both (same group and certificate; 1.3 suite "
	       "TLS_AES_128_GCM_SHA256; PSK: 1.3 psk_dhe_ke X25519 vs 1.2 plain PSK-CCM-8), "
	       "handshakes/s, %d rounds:\n%-30s %-6s %10s %10s %9s  %s\n",
	       rounds, "suite", "cookie", "1.2", "1.3", "1.3/1.2", ">= 0.9x");
	static const enum bench_kind kinds[] = {BENCH_P256_GCM, BENCH_X25519_ED25519, BENCH_PSK_CCM8};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (int cookie = 0; cookie < 2; cookie++) {
			void *ctx[2];
			bool ok[2];
			double rate[2][MAX_ROUNDS], ratio[MAX_ROUNDS];
			for (int l = 0; l < 2; l++) {
				ctx[l] = pair_libs[l]->ctx_new(kinds[k], cookie != 0);
				unsigned count = 0;
				double elapsed = 0;
				ok[l] = ctx[l] != NULL &&
					run_for(pair_libs[l], ctx[l], 0.02, 3, &count, &elapsed) == 0;
			}
			for (int r = 0; r < rounds && ok[0] && ok[1]; r++) {
				double rr[2];
				one_round(pair_libs, ctx, ok, 2, rr);
				rate[0][r] = rr[0];
				rate[1][r] = rr[1];
				ok[0] = rr[0] > 0;
				ok[1] = rr[1] > 0;
				ratio[r] = rr[1] / rr[0];
			}
			printf("%-30s %-6s", bench_kind_name(kinds[k]), cookie ? "on" : "off");
			if (ok[0] && ok[1]) {
				double q = bench_quantile(ratio, (size_t)rounds, 0.5);
				printf(" %10.0f %10.0f %8.2fx  %s\n", bench_quantile(rate[0], (size_t)rounds, 0.5),
				       bench_quantile(rate[1], (size_t)rounds, 0.5), q, q >= 0.9 ? "met" : "MISSED");
			} else {
				printf(" %10s\n", "n/a");
			}
			for (int l = 0; l < 2; l++)
				if (ctx[l])
					pair_libs[l]->ctx_free(ctx[l]);
			fflush(stdout);
		}
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0 || system("valgrind --version >/dev/null 2>&1") != 0)
		return;
	self[n] = '\0';
	const int n1 = 5, n2 = 15;
	printf("Same in instructions (callgrind, per handshake: difference of %d and %d runs; "
	       "1.2/1.3 instructions = the handshakes/s ratio on an unloaded CPU):\n"
	       "%-30s %-6s %12s %12s %9s  %-8s %12s\n",
	       n2, n1, "suite", "cookie", "1.2 instr", "1.3 instr", "1.2/1.3", ">= 0.9x", "excl.SHA-256");
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (int cookie = 0; cookie < 2; cookie++) {
			struct cg_count a, b;
			printf("%-30s %-6s", bench_kind_name(kinds[k]), cookie ? "on" : "off");
			if (!callgrind_per_hs(self, "Petrel", (int)kinds[k], cookie, n1, n2, &a) ||
			    !callgrind_per_hs(self, "Petrel13", (int)kinds[k], cookie, n1, n2, &b)) {
				printf(" callgrind failed\n");
				continue;
			}
			double q = a.refs / b.refs;
			printf(" %12.0f %12.0f %8.2fx  %-8s", a.refs, b.refs, q, q >= 0.9 ? "met" : "MISSED");
			if (a.sha256 >= 0 && b.sha256 >= 0)
				printf(" %11.2fx\n", (a.refs - a.sha256) / (b.refs - b.sha256));
			else
				printf(" %12s\n", "n/a");
			fflush(stdout);
		}
	printf("excl.SHA-256: the same ratio without nettle's sha256_compress, which runs its plain "
	       "x86_64 code under valgrind\n(no SHA-NI there): 1.3's key schedule hashes about 2.5x "
	       "as many blocks as 1.2's PRF.\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--profile") == 0)
		return profile(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--dtls13") == 0) {
		/* Only the DTLS 1.3 rows (issue #20). */
		round_seconds = 0.1;
		if (bench_keys() == NULL)
			return 1;
		dtls13_rows(bench_quick() ? 3 : MAX_ROUNDS);
		return 0;
	}
	const struct bench_lib *libs[MAX_LIBS];
	size_t nlibs = bench_libs(libs, MAX_LIBS);
	int rounds = bench_quick() ? 3 : MAX_ROUNDS;
	round_seconds = 0.1;
	if (bench_keys() == NULL)
		fprintf(stderr, "handshake: the openssl tool could not make test certificates\n");

	printf("Full DTLS 1.2 handshakes per second (client+server in one process, in-memory "
	       "datagrams, MTU %u;\n%d rounds of %.2f s per library, the libraries taking turns every %.0f ms; median; P/x is the median of "
	       "the per-round ratios; every "
	       "handshake creates and frees both sessions; tickets off except the resumed rows;\n"
	       "certificate rows: the server sends a CA-issued leaf, every client checks the chain to "
	       "that CA and the host name)\n",
	       bench_mtu, rounds, round_seconds, round_seconds * 1000 / ROUND_SLICES);
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
		double want = target_ratio(libs[l]);
		int met = 0, rows = 0;
		for (int kind = 0; kind < BENCH_KIND_COUNT; kind++)
			for (int cookie = 0; cookie < 2; cookie++) {
				double ratio = paired_ratio[kind][cookie][l];
				if (ratio <= 0)
					continue;
				rows++;
				met += ratio >= want;
			}
		printf("target Petrel >= %.1fx %s handshakes/s: met in %d of %d rows\n", want,
		       libs[l]->name, met, rows);
	}

	int floor_rounds = bench_quick() ? 7 : FLOOR_ROUNDS;
	printf("\nCrypto floor: the public-key operations one full handshake needs with Petrel's "
	       "primitives (crypto/crypto.h), us per call;\nfloor = 1 sign + 2 verify (certificate, "
	       "key exchange) + 2 keygen + 2 ECDH; timed one for one alternating with each library's handshakes\n(%d rounds of "
	       "60 ms, medians of the per-round means); sign..ecdh: separate batches, medians.\n",
	       floor_rounds);
	printf("%-20s %7s %7s %7s %7s %8s %-8s %-6s %8s %9s  %s\n", "suite", "sign", "verify",
	       "keygen", "ecdh", "floor", "library", "cookie", "hs us", "hs/floor", "<= 1.15x");
	floor_row(BENCH_P256_GCM, PETREL_KEY_EC_P256, PETREL_SIG_ECDSA_SECP256R1_SHA256,
		  PETREL_GROUP_SECP256R1, "ECDSA P-256 / P-256", libs, nlibs, floor_rounds);
	floor_row(BENCH_X25519_ED25519, PETREL_KEY_ED25519, PETREL_SIG_ED25519, PETREL_GROUP_X25519,
		  "Ed25519 / X25519", libs, nlibs, floor_rounds);
	printf("A peer's hs/floor is its ceiling: the most Petrel could lead it by in handshakes/s "
	       "with zero time above the floor;\nP/lib: the lead Petrel has, both over the same "
	       "floor.\n");
	floor_instructions(libs, nlibs);
	dtls13_rows(rounds);
	return 0;
}
