/* petrel server --workers N: N processes share the port. Each worker runs
 * its own endpoint (cli_server_worker) on its own SO_REUSEPORT socket; the
 * library's steering program (petrel_reuseport_attach) sends a datagram
 * whose Connection ID names a worker (RFC 9146, layout in petrel.h) to that
 * worker's socket and spreads the rest (new ClientHellos) by the kernel's
 * address hash.
 *
 * The supervisor (this process) binds every socket before any worker
 * starts, so datagrams that arrive early wait in their socket, and keeps a
 * descriptor of each: when a worker dies, closing that last descriptor
 * takes its socket out of the group (the kernel moves the last socket to
 * its index) and the supervisor re-attaches the program with the new
 * numbering, so the other workers' CIDs keep reaching them. Workers are
 * forked after the credentials are made: one ticket key for all, so a
 * resuming client may land on any worker. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "tools/cli.h"

/* The length of the CIDs the workers' endpoints will issue (RFC 9146):
 * the program reads the worker id at a fixed offset behind them. When the
 * endpoint issues CIDs (petrel_cid_route_issue), this must be the same. */
#define WORKER_CID_LEN 8

struct worker {
	pid_t pid; /* 0 once reaped */
	int fd;    /* -1 once its socket left the group */
};

static volatile sig_atomic_t supervisor_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	supervisor_stop = 1;
}

/* Only there so SIGCHLD interrupts sigsuspend. */
static void on_child(int sig) { (void)sig; }

static int reuseport_socket(const struct sockaddr *addr, socklen_t len)
{
	int fd = socket(addr->sa_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
	    bind(fd, addr, len) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* The address from --bind/--port (port 0 picks one), then one socket per
 * worker on exactly that address, in worker order (= their index in the
 * group). -1: the port is not free (message printed); -2: SO_REUSEPORT
 * refused (errno says why). */
static int bind_all(const struct cli_options *o, struct worker *w, unsigned n,
		    struct petrel_reuseport_group *g)
{
	int first = cli_udp_bind(o->bind_addr, o->listen_port);
	if (first < 0)
		return -1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(first, (struct sockaddr *)&ss, &len) < 0) {
		close(first);
		return -1;
	}
	/* cli_udp_bind sets no SO_REUSEPORT, so it fails on a port any other
	 * socket holds: we never join a stranger's reuseport group. Bind
	 * its address again with SO_REUSEPORT (and the port it got). */
	close(first);
	for (unsigned i = 0; i < n; i++) {
		w[i].fd = reuseport_socket((struct sockaddr *)&ss, len);
		if (w[i].fd < 0 || petrel_reuseport_group_join(g, i) != (int)i)
			return -2;
	}
	return 0;
}

static int attach(const struct worker *w, unsigned n, const struct petrel_reuseport_group *g)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i].fd >= 0)
			return petrel_reuseport_attach(w[i].fd, g, WORKER_CID_LEN);
	return PETREL_E_INVALID_REQUEST;
}

static void close_all(struct worker *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i].fd >= 0) {
			close(w[i].fd);
			w[i].fd = -1;
		}
}

static void run_worker(const struct cli_options *o, petrel_credentials *creds, struct worker *w,
		       unsigned n, unsigned id, pid_t supervisor)
{
#ifdef __linux__
	/* Never outlive the supervisor (a script that kills it with SIGKILL
	 * must not leave workers holding the port and its pipes). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	if (getppid() != supervisor)
		_exit(CLI_EXIT_FAIL);
	/* Only this worker's descriptor: when another worker dies, the
	 * supervisor's close must be the last one for its socket. */
	for (unsigned i = 0; i < n; i++)
		if (i != id && w[i].fd >= 0)
			close(w[i].fd);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	int rc = cli_server_worker(o, creds, w[id].fd, id, n);
	close(w[id].fd);
	fflush(NULL);
	_exit(rc);
}

/* A worker ended: reap it; if it died while the others run, take its
 * socket out of the group and re-attach the program for the rest. */
static void reap(struct worker *w, unsigned n, struct petrel_reuseport_group *g, unsigned *alive,
		 int *rc)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			if (w[i].pid != pid)
				continue;
			w[i].pid = 0;
			(*alive)--;
			bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			if (!clean)
				*rc = CLI_EXIT_FAIL;
			if (supervisor_stop)
				break;
			/* Take its socket out of the group first, so the next
			 * new client already reaches a live worker. */
			close(w[i].fd);
			w[i].fd = -1;
			(void)petrel_reuseport_group_leave(g, i);
			if (*alive > 0 && attach(w, n, g) < 0)
				fprintf(stderr, "petrel server: re-attaching the steering program: %s\n",
					strerror(errno));
			fprintf(stderr, "petrel server: worker %u ended (%s %d); its sessions end, "
					"the other workers keep theirs\n",
				i, WIFEXITED(status) ? "exit" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		}
	}
}

int cli_server_workers(const struct cli_options *o, petrel_credentials *creds, unsigned n,
		       bool explicit_count)
{
	struct worker w[64];
	struct petrel_reuseport_group g = {0};
	for (unsigned i = 0; i < n; i++)
		w[i] = (struct worker){0, -1};
	int bound = bind_all(o, w, n, &g);
	if (bound == -1) {
		close_all(w, n);
		return CLI_EXIT_FAIL;
	}
	if (bound < 0 || attach(w, n, &g) < 0) {
		int saved = errno;
		close_all(w, n);
		if (explicit_count) {
			fprintf(stderr, "petrel server: --workers %u: cannot share the port with the "
					"SO_REUSEPORT steering program: %s\n",
				n, strerror(saved));
			return CLI_EXIT_FAIL;
		}
		/* The default asked for no particular count: one process, as
		 * where the kernel lacks reuseport programs. */
		int fd = cli_udp_bind(o->bind_addr, o->listen_port);
		if (fd < 0)
			return CLI_EXIT_FAIL;
		int rc = cli_server_worker(o, creds, fd, 0, 1);
		close(fd);
		return rc;
	}
	cli_server_announce(o, w[0].fd, creds);
	fflush(NULL); /* nothing buffered may be written twice by the workers */

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);

	int rc = CLI_EXIT_OK;
	unsigned alive = 0;
	pid_t self = getpid();
	for (unsigned i = 0; i < n && !supervisor_stop; i++) {
		pid_t pid = fork();
		if (pid == 0)
			run_worker(o, creds, w, n, i, self);
		if (pid < 0) {
			fprintf(stderr, "petrel server: fork: %s\n", strerror(errno));
			supervisor_stop = 1;
			rc = CLI_EXIT_FAIL;
			break;
		}
		w[i].pid = pid;
		alive++;
	}
	bool forwarded = false;
	while (alive > 0) {
		reap(w, n, &g, &alive, &rc);
		if (supervisor_stop && !forwarded) {
			/* Each worker sends close_notify to its peers and exits. */
			for (unsigned i = 0; i < n; i++)
				if (w[i].pid > 0)
					kill(w[i].pid, SIGTERM);
			forwarded = true;
		}
		if (alive > 0)
			sigsuspend(&old);
	}
	if (!supervisor_stop) {
		fprintf(stderr, "petrel server: every worker ended\n");
		rc = CLI_EXIT_FAIL;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close_all(w, n);
	return rc;
}
