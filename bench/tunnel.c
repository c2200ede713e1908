/* Tunnel throughput (issue #21 item 8): 1200-byte datagrams to a UDP echo
 * service over loopback, through
 *   - nothing (direct),
 *   - socat's OpenSSL DTLS addresses (UDP-LISTEN -> OPENSSL-DTLS-CLIENT,
 *     OPENSSL-DTLS-SERVER,fork -> UDP), when socat is installed,
 *   - `petrel tunnel --plain` twice (the same relays, no DTLS),
 *   - `petrel tunnel` -> `petrel server --forward` (DTLS 1.2, P-256
 *     certificate),
 * each with one datagram in flight and with 32. A window slot whose echo
 * has not come back 100 ms after the last echo is refilled; a datagram
 * not back 500 ms after the last echo of its turn counts as lost.
 * Goals: one in flight >= 1.5x socat; 32 in flight no loss and >= 0.5x
 * the plain relays, each as the median over the rounds of the ratio of
 * the two paths' adjacent slices in the same round. PETREL_BIN overrides
 * ./tools/petrel; BENCH_QUICK=1 measures fewer rounds. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/common.h"

#define DGRAM_SIZE 1200
#define WINDOW_MAX 32
#define STALL_MS 100
#define DRAIN_MS 500
#define MAX_CHILDREN 16
#define MAX_ROUNDS 64

struct proc {
	pid_t pid;
	int out; /* its stdout */
};

static struct proc procs[MAX_CHILDREN];
static size_t proc_count;

static int loopback_socket(unsigned port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	int size = 1 << 20;
	if (fd >= 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	}
	return fd;
}

static unsigned port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	return getsockname(fd, (struct sockaddr *)&a, &len) == 0 ? ntohs(a.sin_port) : 0;
}

static unsigned free_port(void)
{
	int fd = loopback_socket(0);
	unsigned port = fd >= 0 ? port_of(fd) : 0;
	if (fd >= 0)
		close(fd);
	return port;
}

/* The echo service, in a child: batches in, batches out. */
static void echo_loop(int fd)
{
	static uint8_t buf[WINDOW_MAX][2048];
	struct mmsghdr m[WINDOW_MAX];
	struct iovec iov[WINDOW_MAX];
	struct sockaddr_storage addr[WINDOW_MAX];
	for (;;) {
		for (int i = 0; i < WINDOW_MAX; i++) {
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof buf[i];
			memset(&m[i], 0, sizeof m[i]);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &addr[i];
			m[i].msg_hdr.msg_namelen = sizeof addr[i];
		}
		int n = recvmmsg(fd, m, WINDOW_MAX, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		for (int i = 0; i < n; i++)
			iov[i].iov_len = m[i].msg_len;
		(void)sendmmsg(fd, m, (unsigned)n, 0);
	}
}

static pid_t start_echo(unsigned *port)
{
	int fd = loopback_socket(0);
	if (fd < 0)
		return -1;
	*port = port_of(fd);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		echo_loop(fd);
		_exit(0);
	}
	close(fd);
	return pid;
}

/* Run argv with stdout on a pipe and stderr to /dev/null (or inherited
 * with BENCH_VERBOSE set). */
static struct proc *spawn(char *const argv[])
{
	int out[2];
	if (proc_count == MAX_CHILDREN || pipe(out) < 0)
		return NULL;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0); /* socat forks per peer: stop_all ends the group */
		dup2(out[1], 1);
		if (getenv("BENCH_VERBOSE") == NULL) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 2);
		}
		close(out[0]);
		close(out[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		return NULL;
	}
	struct proc *p = &procs[proc_count++];
	p->pid = pid;
	p->out = out[0];
	return p;
}

static void stop_all(void)
{
	for (size_t i = 0; i < proc_count; i++) {
		kill(-procs[i].pid, SIGTERM);
		kill(procs[i].pid, SIGTERM);
		/* A socat blocked waiting for its first peer may not end on
		 * SIGTERM: a second later it gets SIGKILL. */
		double deadline = bench_now() + 1;
		while (waitpid(procs[i].pid, NULL, WNOHANG) == 0) {
			if (bench_now() > deadline) {
				kill(procs[i].pid, SIGKILL);
				waitpid(procs[i].pid, NULL, 0);
				break;
			}
			usleep(10000);
		}
		kill(-procs[i].pid, SIGKILL); /* a socat child that outlived its parent */
		close(procs[i].out);
	}
	proc_count = 0;
}

/* The port from a petrel command's first line, "listening on ADDR:PORT". */
static unsigned listening_port(struct proc *p)
{
	char line[128];
	size_t len = 0;
	double deadline = bench_now() + 10;
	while (len < sizeof line - 1 && bench_now() < deadline) {
		struct pollfd pfd = {p->out, POLLIN, 0};
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		ssize_t n = read(p->out, line + len, 1);
		if (n <= 0)
			return 0;
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	const char *colon = strrchr(line, ':');
	return strncmp(line, "listening on ", 13) == 0 && colon ? (unsigned)atoi(colon + 1) : 0;
}

/* One measuring socket on one path with one window size. Paths take
 * turns in short slices, so load from other processes on the machine
 * falls on all of them alike. */
struct cell {
	int fd;
	unsigned window;
	uint32_t seq, slice_base; /* echoes below slice_base are stale */
	double seconds;
	unsigned long sent, echoed, lost;
	pid_t forwarders[2]; /* the path's relay processes (0: none) */
	unsigned long long cpu_ns;
	/* Echoes per second of each round's slice (-1: not measured). */
	double round_rate[MAX_ROUNDS];
};

/* On-CPU time of a process and of its children (socat forks one per
 * peer), from /proc/PID/schedstat: unlike a rate, it does not depend on
 * which CPUs the scheduler puts the processes of a path on. */
static unsigned long long schedstat_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	return ns;
}

static unsigned long long cpu_ns(pid_t pid)
{
	if (pid <= 0)
		return 0;
	unsigned long long ns = schedstat_ns(pid);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
	FILE *f = fopen(path, "r");
	if (f) {
		int child;
		while (fscanf(f, "%d", &child) == 1)
			ns += schedstat_ns(child);
		fclose(f);
	}
	return ns;
}

static unsigned long long forwarders_ns(const struct cell *c)
{
	return cpu_ns(c->forwarders[0]) + cpu_ns(c->forwarders[1]);
}

static int connected_socket(unsigned port)
{
	int fd = loopback_socket(0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_burst(int fd, unsigned count, uint32_t *seq)
{
	static uint8_t buf[WINDOW_MAX][DGRAM_SIZE];
	struct mmsghdr m[WINDOW_MAX];
	struct iovec iov[WINDOW_MAX];
	memset(m, 0, sizeof m);
	for (unsigned i = 0; i < count; i++) {
		memcpy(buf[i], seq, sizeof *seq);
		(*seq)++;
		iov[i].iov_base = buf[i];
		iov[i].iov_len = DGRAM_SIZE;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	unsigned done = 0;
	while (done < count) {
		int n = sendmmsg(fd, m + done, count - done, 0);
		if (n <= 0)
			break;
		done += (unsigned)n;
	}
}

/* Echoes of this slice that arrive within wait_ms (-1: none came). */
static int recv_batch(int fd, int wait_ms, uint32_t base)
{
	static uint8_t buf[WINDOW_MAX][2048];
	struct mmsghdr m[WINDOW_MAX];
	struct iovec iov[WINDOW_MAX];
	struct pollfd pfd = {fd, POLLIN, 0};
	if (poll(&pfd, 1, wait_ms) <= 0)
		return -1;
	memset(m, 0, sizeof m);
	for (int i = 0; i < WINDOW_MAX; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sizeof buf[i];
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	int n = recvmmsg(fd, m, WINDOW_MAX, MSG_DONTWAIT, NULL);
	int fresh = 0;
	for (int i = 0; i < n; i++) {
		uint32_t seq;
		memcpy(&seq, buf[i], sizeof seq);
		if (m[i].msg_len == DGRAM_SIZE && seq >= base)
			fresh++;
	}
	return fresh;
}

/* The first echo can take a handshake (socat and petrel connect on the
 * first datagram): up to 5 s, resending every half second. */
static int cell_open(struct cell *c, unsigned port, unsigned window)
{
	/* The counts go on across epochs; the relays are new. */
	c->window = window;
	c->seq = c->slice_base = 0;
	memset(c->forwarders, 0, sizeof c->forwarders);
	c->fd = connected_socket(port);
	if (c->fd < 0)
		return -1;
	for (int tries = 0; tries < 10; tries++) {
		send_burst(c->fd, 1, &c->seq);
		if (recv_batch(c->fd, 500, 0) > 0) {
			while (recv_batch(c->fd, 50, 0) >= 0) {
			}
			return 0;
		}
	}
	close(c->fd);
	c->fd = -1;
	return -1;
}

static void cell_slice(struct cell *c, unsigned round, double seconds)
{
	if (c->fd < 0)
		return;
	c->slice_base = c->seq;
	unsigned long sent = c->window, echoed = 0;
	unsigned long long cpu_before = forwarders_ns(c);
	unsigned long outstanding = c->window;
	send_burst(c->fd, c->window, &c->seq);
	double start = bench_now(), end = start + seconds;
	while (bench_now() < end) {
		int n = recv_batch(c->fd, STALL_MS, c->slice_base);
		if (n < 0) {
			/* Nothing for STALL_MS: the window is refilled (what is out
			 * there may be lost), but loss is only counted at the end. */
			outstanding = 0;
		} else {
			echoed += (unsigned long)n;
			outstanding = outstanding > (unsigned long)n ? outstanding - (unsigned long)n : 0;
		}
		unsigned refill = (unsigned)(c->window - outstanding);
		if (refill && bench_now() < end) {
			send_burst(c->fd, refill, &c->seq);
			sent += refill;
			outstanding += refill;
		}
	}
	double took = bench_now() - start;
	c->seconds += took;
	c->echoed += echoed;
	if (round < MAX_ROUNDS && took > 0)
		c->round_rate[round] = (double)echoed / took;
	/* Late echoes are not loss, but count for no slice's rate: lost is
	 * what has not come back DRAIN_MS after the last echo (a loaded
	 * machine can stall a relay for longer than STALL_MS). */
	int n;
	while (echoed < sent && (n = recv_batch(c->fd, DRAIN_MS, c->slice_base)) >= 0)
		echoed += (unsigned long)n;
	c->sent += sent;
	c->lost += sent > echoed ? sent - echoed : 0;
	c->cpu_ns += forwarders_ns(c) - cpu_before;
}

/* The median of the rounds' rates: a burst of other work on the machine
 * moves one slice, not the figure. */
static double cell_rate(const struct cell *c)
{
	double v[MAX_ROUNDS];
	size_t n = 0;
	for (unsigned r = 0; r < MAX_ROUNDS; r++)
		if (c->round_rate[r] >= 0)
			v[n++] = c->round_rate[r];
	return n ? bench_quantile(v, n, 0.5) : -1;
}

/* Quartiles of a/b over the rounds, each round's slices paired: both
 * paths met much the same load from the rest of the machine. -1 when a
 * path did not answer. */
static double paired_ratio(const struct cell *a, const struct cell *b, double q)
{
	double v[MAX_ROUNDS];
	size_t n = 0;
	for (unsigned r = 0; r < MAX_ROUNDS; r++)
		if (a->round_rate[r] >= 0 && b->round_rate[r] > 0)
			v[n++] = a->round_rate[r] / b->round_rate[r];
	return n ? bench_quantile(v, n, q) : -1;
}

static void print_row(const char *name, const struct cell *one, const struct cell *many)
{
	printf("%-34s", name);
	const struct cell *cells[2] = {one, many};
	for (int i = 0; i < 2; i++) {
		const struct cell *c = cells[i];
		if (cell_rate(c) < 0)
			printf(" %29s", "no answer");
		else if (c->cpu_ns == 0 || c->echoed == 0)
			printf(" %9.0f/s %5lu lost %6s", cell_rate(c), c->lost, "-");
		else
			printf(" %9.0f/s %5lu lost %6.1f", cell_rate(c), c->lost,
			       (double)c->cpu_ns / 1000.0 / (double)c->echoed);
	}
	printf("\n");
}

static bool have_program(const char *name)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

enum { PATH_DIRECT, PATH_SOCAT, PATH_PLAIN, PATH_PETREL, PATH_COUNT };
static const char *const path_names[PATH_COUNT] = {
	"direct", "socat OpenSSL DTLS", "petrel tunnel --plain, twice",
	"petrel tunnel + server --forward"};

/* Until something has bound 127.0.0.1:port (a bind of ours fails), at
 * most 10 s: a loaded machine can take longer than any fixed sleep to
 * start socat, and a client that finds no server gives up for good. */
static void wait_bound(unsigned port)
{
	for (double deadline = bench_now() + 10; bench_now() < deadline; usleep(20000)) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int taken = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno == EADDRINUSE;
		if (fd >= 0)
			close(fd);
		if (taken)
			return;
	}
}

/* socat's UDP-LISTEN side serves the first peer only: a pair per cell. */
static unsigned start_socat(const struct bench_keys *k, const char *echo_addr, pid_t pids[2])
{
	static char server_addr[2][512], listen_addr[2][64], client_addr[2][64], target[64];
	static int n;
	int i = n++ & 1;
	unsigned sport = free_port(), lport = free_port();
	snprintf(server_addr[i], sizeof server_addr[i],
		 "OPENSSL-DTLS-SERVER:%u,bind=127.0.0.1,reuseaddr,cert=%s,key=%s,verify=0,fork", sport,
		 k->p256_cert, k->p256_key);
	snprintf(target, sizeof target, "UDP:%s", echo_addr);
	snprintf(listen_addr[i], sizeof listen_addr[i], "UDP-LISTEN:%u,bind=127.0.0.1", lport);
	snprintf(client_addr[i], sizeof client_addr[i], "OPENSSL-DTLS-CLIENT:127.0.0.1:%u,verify=0",
		 sport);
	char *server_argv[] = {"socat", server_addr[i], target, NULL};
	char *client_argv[] = {"socat", listen_addr[i], client_addr[i], NULL};
	struct proc *server = spawn(server_argv);
	if (server == NULL)
		return 0;
	pids[0] = server->pid;
	wait_bound(sport); /* socat prints nothing when ready */
	struct proc *client = spawn(client_argv);
	if (client == NULL)
		return 0;
	pids[1] = client->pid;
	wait_bound(lport);
	return lport;
}

/* The same relays without DTLS: what the forwarding itself costs. */
static unsigned start_plain(const char *petrel, const char *echo_addr, pid_t pids[2])
{
	static char far_addr[2][32];
	static int n;
	int i = n++ & 1;
	char *far_argv[] = {(char *)petrel, "tunnel", "--plain", "--quiet", "--listen",
			    "127.0.0.1:0", "--connect", (char *)echo_addr, NULL};
	struct proc *far = spawn(far_argv);
	if (far == NULL)
		return 0;
	pids[0] = far->pid;
	snprintf(far_addr[i], sizeof far_addr[i], "127.0.0.1:%u", listening_port(far));
	char *near_argv[] = {(char *)petrel, "tunnel", "--plain", "--quiet", "--listen",
			     "127.0.0.1:0", "--connect", far_addr[i], NULL};
	struct proc *near = spawn(near_argv);
	if (near == NULL)
		return 0;
	pids[1] = near->pid;
	return listening_port(near);
}

static unsigned start_dtls(const char *petrel, const struct bench_keys *k, const char *echo_addr,
			   pid_t pids[2])
{
	static char server_addr[2][32];
	static int n;
	int i = n++ & 1;
	char *server_argv[] = {(char *)petrel, "server", "--quiet", "--bind", "127.0.0.1",
			       "--port", "0", "--cert", (char *)k->p256_cert, "--key",
			       (char *)k->p256_key, "--forward", (char *)echo_addr, NULL};
	struct proc *server = spawn(server_argv);
	if (server == NULL)
		return 0;
	pids[0] = server->pid;
	snprintf(server_addr[i], sizeof server_addr[i], "127.0.0.1:%u", listening_port(server));
	char *tunnel_argv[] = {(char *)petrel, "tunnel", "--quiet", "--listen", "127.0.0.1:0",
			       "--connect", server_addr[i], "--ca", (char *)k->p256_ca, "--sni",
			       BENCH_SERVER_NAME, NULL};
	struct proc *tunnel = spawn(tunnel_argv);
	if (tunnel == NULL)
		return 0;
	pids[1] = tunnel->pid;
	return listening_port(tunnel);
}

/* Start every path's relays, open the cells, run the rounds (numbered
 * from first), stop the relays. */
static void run_epoch(struct cell cells[PATH_COUNT][2], bool socat, const char *petrel,
		      const struct bench_keys *k, unsigned echo_port, unsigned first,
		      unsigned rounds, double slice)
{
	char echo_addr[32];
	snprintf(echo_addr, sizeof echo_addr, "127.0.0.1:%u", echo_port);
	unsigned ports[PATH_COUNT][2] = {{echo_port, echo_port}};
	pid_t pids[PATH_COUNT][2][2] = {{{0}}};
	if (socat) {
		ports[PATH_SOCAT][0] = start_socat(k, echo_addr, pids[PATH_SOCAT][0]);
		ports[PATH_SOCAT][1] = start_socat(k, echo_addr, pids[PATH_SOCAT][1]);
	}
	/* Like socat, a pair of relay processes per cell: a relay that just
	 * carried a 32-in-flight turn is owed less CPU by the scheduler for a
	 * while, which must not fall on one path's one-in-flight turn only. */
	for (int w = 0; w < 2; w++) {
		ports[PATH_PLAIN][w] = start_plain(petrel, echo_addr, pids[PATH_PLAIN][w]);
		ports[PATH_PETREL][w] = start_dtls(petrel, k, echo_addr, pids[PATH_PETREL][w]);
	}
	for (int p = 0; p < PATH_COUNT; p++)
		for (int w = 0; w < 2; w++)
			if (ports[p][w] && cell_open(&cells[p][w], ports[p][w], w ? WINDOW_MAX : 1) == 0)
				memcpy(cells[p][w].forwarders, pids[p][w], sizeof cells[p][w].forwarders);
	/* The cells of each goal take adjacent turns (socat and petrel with
	 * one in flight, plain and petrel with 32), and every other round
	 * runs in reverse order, so neither of a pair always goes first. A
	 * goal's one-in-flight turns only ever follow one-in-flight turns:
	 * the echo service is shared, and a 32-in-flight turn leaves it (and
	 * the CPUs) owed less time for a while. */
	static const int order[PATH_COUNT * 2][2] = {
		{PATH_PLAIN, 0},  {PATH_SOCAT, 0}, {PATH_PETREL, 0}, {PATH_DIRECT, 0},
		{PATH_DIRECT, 1}, {PATH_PLAIN, 1}, {PATH_PETREL, 1}, {PATH_SOCAT, 1}};
	for (unsigned r = 0; r < rounds; r++)
		for (int i = 0; i < PATH_COUNT * 2; i++) {
			int c = r & 1 ? PATH_COUNT * 2 - 1 - i : i;
			cell_slice(&cells[order[c][0]][order[c][1]], first + r, slice);
		}
	stop_all();
	for (int p = 0; p < PATH_COUNT; p++)
		for (int w = 0; w < 2; w++)
			if (cells[p][w].fd >= 0) {
				close(cells[p][w].fd);
				cells[p][w].fd = -1;
			}
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const char *petrel = getenv("PETREL_BIN") ? getenv("PETREL_BIN") : "./tools/petrel";
	/* Many short turns: the paths compared by a goal run back to back,
	 * so each pair of slices meets much the same load from the rest of
	 * the machine. Even: each order as often. A relay process can keep
	 * a bad spot with the scheduler for its whole life (the rate of a
	 * path in one run differed by 4x from the next): epochs with new
	 * processes spread that over all paths. */
	unsigned epochs = bench_quick() ? 2 : 4, rounds = bench_quick() ? 12 : 16;
	double slice = 0.05;
	const struct bench_keys *k = bench_keys();
	if (k == NULL) {
		printf("tunnel: the openssl tool could not make certificates; skipped\n");
		return 0;
	}
	unsigned echo_port;
	pid_t echo = start_echo(&echo_port);
	if (echo < 0) {
		printf("tunnel: no echo service\n");
		return 1;
	}
	char echo_addr[32];
	snprintf(echo_addr, sizeof echo_addr, "127.0.0.1:%u", echo_port);
	static struct cell cells[PATH_COUNT][2];
	for (int p = 0; p < PATH_COUNT; p++)
		for (int w = 0; w < 2; w++) {
			cells[p][w].fd = -1;
			for (unsigned r = 0; r < MAX_ROUNDS; r++)
				cells[p][w].round_rate[r] = -1;
		}
	bool socat = have_program("socat");
	printf("Tunnel: %d-byte datagrams to a UDP echo over loopback; %u epochs of %u rounds in\n"
	       "which each path takes a %.0f ms turn (in reverse order every other round); every\n"
	       "epoch starts all relays afresh. A window slot unanswered for %d ms is refilled;\n"
	       "lost: not back %d ms after the last echo. Rates: the median of the rounds.\n"
	       "cpu: microseconds on a CPU in the path's relay processes per echoed datagram\n"
	       "(/proc/PID/schedstat). One-in-flight rates depend on which CPUs the scheduler\n"
	       "puts a path's four processes on; cpu does not.\n",
	       DGRAM_SIZE, epochs, rounds, slice * 1000, STALL_MS, DRAIN_MS);
	/* Other work on the machine moves one-in-flight rates most: say how much. */
	FILE *la = fopen("/proc/loadavg", "r");
	double load = -1;
	if (la) {
		if (fscanf(la, "%lf", &load) != 1)
			load = -1;
		fclose(la);
	}
	if (load >= 0)
		printf("load average %.2f on %ld CPUs as the rounds start.\n", load,
		       sysconf(_SC_NPROCESSORS_ONLN));
	printf("%-34s %29s %29s\n", "path", "1 in flight       cpu", "32 in flight       cpu");
	fflush(stdout);
	for (unsigned e = 0; e < epochs; e++)
		run_epoch(cells, socat, petrel, k, echo_port, e * rounds, rounds, slice);

	for (int p = 0; p < PATH_COUNT; p++) {
		if (p == PATH_SOCAT && !socat)
			printf("%-34s (socat not installed: apt-get install socat)\n", path_names[p]);
		else
			print_row(path_names[p], &cells[p][0], &cells[p][1]);
	}
	kill(echo, SIGKILL);
	waitpid(echo, NULL, 0);

	const struct cell *dtls1 = &cells[PATH_PETREL][0], *dtls32 = &cells[PATH_PETREL][1];
	const struct cell *socat1 = &cells[PATH_SOCAT][0], *plain32 = &cells[PATH_PLAIN][1];
	double r1 = paired_ratio(dtls1, socat1, 0.5), r32 = paired_ratio(dtls32, plain32, 0.5);
	printf("Goals: the median over the rounds of the ratio of the two paths' slices in the\n"
	       "same round (quartiles in brackets).\n");
	if (r1 > 0)
		printf("goal one in flight >= 1.5x socat: %.0f/s vs %.0f/s, %.2fx [%.2f-%.2f] %s\n",
		       cell_rate(dtls1), cell_rate(socat1), r1, paired_ratio(dtls1, socat1, 0.25),
		       paired_ratio(dtls1, socat1, 0.75), r1 >= 1.5 ? "PASS" : "FAIL");
	else
		printf("goal one in flight >= 1.5x socat: not measured (%s)\n",
		       socat ? "a path did not answer" : "no socat");
	if (r32 > 0)
		printf("goal 32 in flight no loss, >= 0.5x plain relays: %lu lost, %.0f/s vs %.0f/s, "
		       "%.2fx [%.2f-%.2f] %s\n",
		       dtls32->lost, cell_rate(dtls32), cell_rate(plain32), r32,
		       paired_ratio(dtls32, plain32, 0.25), paired_ratio(dtls32, plain32, 0.75),
		       dtls32->lost == 0 && r32 >= 0.5 ? "PASS" : "FAIL");
	else
		printf("goal 32 in flight: not measured (a path did not answer)\n");
	return 0;
}
