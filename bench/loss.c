/* Time to complete a DTLS 1.2 handshake under random loss (each
 * direction, independently per datagram): 0, 10, 30 and 50 %, 15 seeds per
 * cell (BENCH_QUICK=1: 5), every library with its default timers.
 *
 *  - Petrel over the simulated network (tests/simnet.c, virtual clock);
 *  - Petrel, `openssl s_server/s_client -dtls1_2` and `gnutls-serv /
 *    gnutls-cli --udp` as separate processes over real loopback UDP through
 *    bench/lossproxy with the same seeds.
 *
 * A UDP run's time runs from starting the client process to the client
 * reporting the finished handshake (process start included, for every
 * library alike); runs not done within 60 s count as failures (infinitely
 * slow in the quantiles). Runs go in parallel (each waits mostly on
 * timers); every child is killed when its run ends, and dies with its
 * parent (PR_SET_PDEATHSIG) should the bench itself be killed.
 *
 * The same binary plays Petrel's UDP client and server:
 *   loss --petrel-server PORT CERT KEY  |  loss --petrel-client PORT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/common.h"
#include "petrel/petrel.h"
#include "tests/dtls_harness.h"

#define RUN_LIMIT_S 60.0
#define MAX_SEEDS 15

/* ---- Petrel's own UDP roles ---- */

static int loopback_socket(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	return fd;
}

static int petrel_server_main(uint16_t port, const char *cert, const char *key)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(300);
	petrel_credentials *creds;
	petrel_session *s;
	int fd = loopback_socket(port);
	if (fd < 0 || petrel_credentials_new(&creds) < 0 ||
	    petrel_credentials_set_key_file(creds, cert, key) < 0) {
		fprintf(stderr, "petrel server: setup failed\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	/* One client: the first sender (the proxy's upstream socket). */
	struct sockaddr_in peer;
	socklen_t peer_len = sizeof peer;
	uint8_t probe[1];
	if (recvfrom(fd, probe, sizeof probe, MSG_PEEK, (struct sockaddr *)&peer, &peer_len) < 0 ||
	    connect(fd, (struct sockaddr *)&peer, peer_len) < 0 || petrel_session_new(&s, PETREL_SERVER) < 0)
		return 1;
	petrel_session_set_credentials(s, creds);
	petrel_transport_set_udp_fd(s, fd);
	for (;;) {
		int rc = petrel_handshake(s);
		if (rc == 0)
			break;
		if (petrel_error_is_fatal(rc)) {
			fprintf(stderr, "petrel server: %s\n", petrel_strerror(rc));
			return 1;
		}
	}
	/* Keep answering: the client may retransmit its last flight. */
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		unsigned wait = petrel_dtls_get_timeout(s);
		(void)poll(&pfd, 1, wait == 0 || wait > 1000 ? 1000 : (int)wait);
		uint8_t buf[2048];
		long n = petrel_record_recv(s, buf, sizeof buf);
		if (n < 0 && petrel_error_is_fatal((int)n))
			return 0;
	}
}

static int petrel_client_main(uint16_t port)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(300);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	petrel_session *s;
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    petrel_session_new(&s, PETREL_CLIENT) < 0)
		return 1;
	petrel_session_set_verify(s, PETREL_VERIFY_NONE, NULL, 0);
	petrel_transport_set_udp_fd(s, fd);
	for (;;) {
		int rc = petrel_handshake(s);
		if (rc == 0) {
			struct petrel_stats st;
			petrel_session_get_stats(s, &st);
			printf("HANDSHAKE DONE %s flights %llu retransmissions %llu timeouts %llu rtt %u rto %u\n",
			       petrel_session_get_cipher_name(s), (unsigned long long)st.flights_sent,
			       (unsigned long long)st.retransmissions, (unsigned long long)st.timeouts,
			       st.rtt_ms, st.rto_ms);
			fflush(stdout);
			return 0;
		}
		if (petrel_error_is_fatal(rc)) {
			printf("petrel client: %s\n", petrel_strerror(rc));
			return 1;
		}
	}
}

/* ---- process plumbing ---- */

struct child {
	pid_t pid;
	int out;   /* its stdout+stderr */
	int in;    /* its stdin, kept open so it never sees EOF */
};

static struct child spawn(char *const argv[])
{
	struct child c = {-1, -1, -1};
	int out[2], in[2];
	if (pipe(out) < 0)
		return c;
	if (pipe(in) < 0) {
		close(out[0]);
		close(out[1]);
		return c;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127); /* the parent died before prctl took effect */
		setpgid(0, 0);
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(in[0]);
	c.pid = pid;
	c.out = out[0];
	c.in = in[1];
	if (pid < 0) {
		close(c.out);
		close(c.in);
		c.out = c.in = -1;
	}
	return c;
}

static void reap(struct child *c)
{
	if (c->pid > 0) {
		kill(-c->pid, SIGKILL);
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->out >= 0)
		close(c->out);
	if (c->in >= 0)
		close(c->in);
	c->pid = -1;
	c->out = c->in = -1;
}

/* Reads the child's output until marker appears (0), or EOF/deadline (-1). */
static int wait_for(struct child *c, const char *marker, double deadline)
{
	char buf[8192];
	size_t len = 0;
	size_t mlen = strlen(marker);
	for (;;) {
		double left = deadline - bench_now();
		if (left <= 0)
			return -1;
		struct pollfd pfd = {c->out, POLLIN, 0};
		int r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = read(c->out, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (memmem(buf, len, marker, mlen) != NULL)
			return 0;
		if (len > sizeof buf / 2) {
			/* keep a tail long enough to hold a split marker */
			memmove(buf, buf + len - mlen, mlen);
			len = mlen;
		}
	}
}

static uint16_t free_udp_port(void)
{
	int fd = loopback_socket(0);
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	uint16_t port = 0;
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* ---- one run over UDP ---- */

enum impl { IMPL_PETREL_UDP = 0, IMPL_OPENSSL, IMPL_GNUTLS, IMPL_COUNT };
static const char *impl_names[] = {"Petrel UDP", "OpenSSL", "GnuTLS"};

static char self_path[PATH_MAX], proxy_path[PATH_MAX + 16];

/* The proxy's "first T" line, if it has printed one. */
static double first_datagram_time(struct child *px)
{
	char buf[512];
	size_t len = 0;
	for (;;) {
		struct pollfd pfd = {px->out, POLLIN, 0};
		if (poll(&pfd, 1, 0) <= 0 || len >= sizeof buf - 1)
			break;
		ssize_t n = read(px->out, buf + len, sizeof buf - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	const char *p = strstr(buf, "first ");
	return p ? atof(p + 6) : -1;
}

struct udp_result {
	double net_ms;     /* first client datagram to finished handshake */
	double startup_ms; /* client process start to its first datagram */
};

/* Times of the client's finished handshake; net_ms < 0 when not done. */
static struct udp_result udp_run(enum impl impl, unsigned loss_pct, unsigned seed)
{
	const struct bench_keys *k = bench_keys();
	char sport[16], pport[16], loss[16], seedstr[24], connect_to[32];
	snprintf(sport, sizeof sport, "%u", free_udp_port());
	snprintf(pport, sizeof pport, "%u", free_udp_port());
	snprintf(loss, sizeof loss, "%u", loss_pct);
	snprintf(seedstr, sizeof seedstr, "%u", seed);
	snprintf(connect_to, sizeof connect_to, "127.0.0.1:%s", pport);
	char accept_on[32];
	snprintf(accept_on, sizeof accept_on, "127.0.0.1:%s", sport);
	char *cert = (char *)k->p256_cert, *key = (char *)k->p256_key;

	char *petrel_server[] = {self_path, "--petrel-server", sport, cert, key, NULL};
	char *petrel_client[] = {self_path, "--petrel-client", pport, NULL};
	char *openssl_server[] = {"openssl", "s_server", "-dtls1_2", "-accept", accept_on,
				  "-cert", cert, "-key", key, NULL};
	char *openssl_client[] = {"openssl", "s_client", "-dtls1_2", "-brief", "-connect",
				  connect_to, NULL};
	char *gnutls_server[] = {"gnutls-serv", "--udp", "--echo", "--port", sport,
				 "--x509certfile", cert, "--x509keyfile", key, NULL};
	char *gnutls_client[] = {"gnutls-cli", "--udp", "--insecure", "--port", pport, "127.0.0.1",
				 NULL};
	char *proxy[] = {proxy_path, pport, sport, loss, seedstr, NULL};
	char *const *server_argv, *const *client_argv;
	const char *ready, *done;
	switch (impl) {
	case IMPL_PETREL_UDP:
		server_argv = petrel_server;
		client_argv = petrel_client;
		ready = "ready";
		done = "HANDSHAKE DONE";
		break;
	case IMPL_OPENSSL:
		server_argv = openssl_server;
		client_argv = openssl_client;
		ready = "ACCEPT";
		done = "CONNECTION ESTABLISHED";
		break;
	default:
		server_argv = gnutls_server;
		client_argv = gnutls_client;
		ready = "listening on IPv4";
		done = "Handshake was completed";
		break;
	}
	struct udp_result res = {-1, -1};
	struct child server = spawn(server_argv), px = {-1, -1, -1}, client = {-1, -1, -1};
	if (server.pid < 0 || wait_for(&server, ready, bench_now() + 10) < 0) {
		fprintf(stderr, "loss: %s server did not start\n", impl_names[impl]);
		goto out;
	}
	px = spawn(proxy);
	if (px.pid < 0 || wait_for(&px, "ready", bench_now() + 10) < 0) {
		fprintf(stderr, "loss: proxy did not start\n");
		goto out;
	}
	double start = bench_now();
	client = spawn(client_argv);
	if (client.pid >= 0 && wait_for(&client, done, start + RUN_LIMIT_S) == 0) {
		double end = bench_now();
		double first = first_datagram_time(&px);
		if (first < start || first > end)
			first = start;
		res.net_ms = (end - first) * 1000;
		res.startup_ms = (first - start) * 1000;
	}
out:
	reap(&client);
	reap(&px);
	reap(&server);
	return res;
}

/* ---- one run on the simulated network ---- */

static double sim_run(unsigned loss_pct, unsigned seed, petrel_credentials *server_creds,
		      petrel_credentials *client_creds)
{
	struct harness h;
	harness_init(&h, seed, 0, 0, client_creds, server_creds);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	struct simnet_rules rules;
	memset(&rules, 0, sizeof rules);
	rules.drop_per_million = loss_pct * 10000u;
	simnet_set_rules(h.net, 0, &rules);
	simnet_set_rules(h.net, 1, &rules);
	int rc = harness_run_handshake(&h, (uint64_t)(RUN_LIMIT_S * 1000));
	double ms = rc == 0 ? (double)h.completed_ms : -1;
	harness_free(&h);
	return ms;
}

/* ---- table ---- */

#define ROWS (IMPL_COUNT + 1) /* + Petrel on simnet */
static const char *row_names[ROWS] = {"Petrel simnet", "Petrel UDP", "OpenSSL", "GnuTLS"};

struct cell {
	double median, p90;
	unsigned done, runs;
};

static struct cell summarize(const double *ms, unsigned n)
{
	struct cell c = {0, 0, 0, n};
	double v[MAX_SEEDS];
	for (unsigned i = 0; i < n; i++) {
		v[i] = ms[i] < 0 ? 1e12 : ms[i];
		if (ms[i] >= 0)
			c.done++;
	}
	c.median = bench_quantile(v, n, 0.5);
	c.p90 = bench_quantile(v, n, 0.9);
	return c;
}

static void print_ms(double ms)
{
	if (ms >= 1e12)
		printf(" %9s", ">60s");
	else
		printf(" %9.0f", ms);
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--petrel-server") == 0)
		return petrel_server_main((uint16_t)atoi(argv[2]), argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "--petrel-client") == 0)
		return petrel_client_main((uint16_t)atoi(argv[2]));

	ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
	if (n <= 0)
		return 1;
	self_path[n] = '\0';
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", self_path);
	snprintf(proxy_path, sizeof proxy_path, "%s/lossproxy", dirname(dir));
	const struct bench_keys *k = bench_keys();
	if (k == NULL) {
		fprintf(stderr, "loss: the openssl tool could not make a certificate\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	static const unsigned losses[] = {0, 10, 30, 50};
	enum { LOSS_COUNT = sizeof losses / sizeof losses[0] };
	unsigned seeds = bench_quick() ? 5 : MAX_SEEDS;
	bool have[IMPL_COUNT] = {true, false, false};
#ifdef BENCH_HAVE_OPENSSL
	have[IMPL_OPENSSL] = system("openssl version >/dev/null 2>&1") == 0;
#endif
#ifdef BENCH_HAVE_GNUTLS
	have[IMPL_GNUTLS] = system("gnutls-cli --version >/dev/null 2>&1") == 0 &&
			    system("gnutls-serv --version >/dev/null 2>&1") == 0;
#endif

	/* Results: [loss][row][seed] in shared memory, written by the workers;
	 * the second half holds the client start-up times. */
	size_t res_size = 2 * sizeof(double) * LOSS_COUNT * ROWS * MAX_SEEDS;
	double *res = mmap(NULL, res_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return 1;
#define RES(l, r, s) res[((size_t)(l) * ROWS + (size_t)(r)) * MAX_SEEDS + (size_t)(s)]
#define STARTUP(l, r, s) \
	res[(size_t)LOSS_COUNT * ROWS * MAX_SEEDS + ((size_t)(l) * ROWS + (size_t)(r)) * MAX_SEEDS + (size_t)(s)]

	double t0 = bench_now();
	petrel_credentials *sc, *cc;
	if (petrel_credentials_new(&sc) < 0 || petrel_credentials_new(&cc) < 0 ||
	    petrel_credentials_set_key_file(sc, k->p256_cert, k->p256_key) < 0)
		return 1;
	for (unsigned l = 0; l < LOSS_COUNT; l++)
		for (unsigned s = 0; s < seeds; s++)
			RES(l, 0, s) = sim_run(losses[l], s + 1, sc, cc);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);

	/* UDP runs, seed-major so the libraries interleave (A B C A B C). The
	 * lossless cell runs one at a time (its times are CPU-bound), the 10 %
	 * cell 8 at a time; at 30 and 50 % every run of the cell starts at once:
	 * they wait on timers for seconds, so sharing the CPU shifts them by
	 * milliseconds, and the cell then takes one 60 s cap at most. */
	for (unsigned l = 0; l < LOSS_COUNT; l++) {
		unsigned parallel = losses[l] == 0 ? 1 : losses[l] <= 10 ? 8 : MAX_SEEDS * IMPL_COUNT;
		unsigned total = seeds * IMPL_COUNT, started = 0, running = 0;
		while (started < total || running > 0) {
			if (started < total && running < parallel) {
				unsigned s = started / IMPL_COUNT, impl = started % IMPL_COUNT;
				started++;
				RES(l, impl + 1, s) = -1;
				STARTUP(l, impl + 1, s) = -1;
				if (!have[impl])
					continue;
				fflush(stdout);
				pid_t pid = fork();
				if (pid == 0) {
					prctl(PR_SET_PDEATHSIG, SIGKILL);
					struct udp_result ur = udp_run((enum impl)impl, losses[l], s + 1);
					RES(l, impl + 1, s) = ur.net_ms;
					STARTUP(l, impl + 1, s) = ur.startup_ms;
					_exit(0);
				}
				if (pid > 0)
					running++;
				continue;
			}
			if (wait(NULL) > 0)
				running--;
			else
				running = 0;
		}
	}

	printf("Handshake completion time under loss (each direction), P-256 ECDSA certificate, "
	       "default ciphers and timers, cookies on;\n%u seeds per cell, runs capped at %.0f s; "
	       "Petrel simnet: virtual time over tests/simnet.c; UDP rows: separate client and "
	       "server\nprocesses through bench/lossproxy on loopback, same seeds, timed from the "
	       "client's first datagram (seen by the proxy) to the client reporting\nits finished "
	       "handshake; 'start' = median ms from client process start to that first datagram "
	       "(not included).\n",
	       seeds, RUN_LIMIT_S);
	printf("%5s %-14s %9s %9s %6s %6s %12s %12s\n", "loss", "implementation", "median ms",
	       "p90 ms", "done", "start", "PetrelUDP/x", "simnet/x");
	struct cell cells[LOSS_COUNT][ROWS];
	for (unsigned l = 0; l < LOSS_COUNT; l++) {
		for (unsigned r = 0; r < ROWS; r++) {
			cells[l][r] = summarize(&RES(l, r, 0), seeds);
			struct cell *c = &cells[l][r];
			printf("%4u%% %-14s", losses[l], row_names[r]);
			if (r > 0 && !have[r - 1]) {
				printf(" %9s\n", "n/a");
				continue;
			}
			print_ms(c->median);
			print_ms(c->p90);
			printf(" %3u/%-2u", c->done, c->runs);
			double starts[MAX_SEEDS];
			unsigned nstart = 0;
			for (unsigned i = 0; r > 0 && i < seeds; i++)
				if (STARTUP(l, r, i) >= 0)
					starts[nstart++] = STARTUP(l, r, i);
			if (nstart > 0)
				printf(" %6.0f", bench_quantile(starts, nstart, 0.5));
			else
				printf(" %6s", "-");
			if (r >= 2) {
				double udp = cells[l][1].median, sim = cells[l][0].median;
				if (c->median < 1e12 && udp < 1e12)
					printf(" %11.2fx", udp / c->median);
				else
					printf(" %12s", "n/a");
				if (c->median < 1e12 && sim < 1e12)
					printf(" %11.2fx", sim / c->median);
				else
					printf(" %12s", "n/a");
			}
			printf("\n");
		}
	}
	for (unsigned r = 2; r < ROWS; r++) {
		if (!have[r - 1])
			continue;
		double udp = cells[2][1].median, sim = cells[2][0].median, peer = cells[2][r].median;
		printf("target 30%% loss median <= 0.5x %s: Petrel UDP %s, Petrel simnet %s\n",
		       row_names[r], udp <= 0.5 * peer ? "met" : "MISSED",
		       sim <= 0.5 * peer ? "met" : "MISSED");
	}
	printf("(loss bench wall time %.0f s)\n", bench_now() - t0);
	munmap(res, res_size);
	return 0;
}
