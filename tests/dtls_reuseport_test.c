/* The SO_REUSEPORT steering program (dtls/reuseport.h) on the running
 * kernel: UDP sockets on 127.0.0.1 in one reuseport group, crafted
 * datagrams from client sockets, and where each one arrives. Also checks
 * that the kernel runs reuseport cBPF with loads relative to the UDP
 * payload (the program reads byte 0 and the CID there). */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls/cid_route.h"
#include "dtls/reuseport.h"
#include "petrel/petrel.h"

#define MAX_SOCKS 8
#define CID_LEN 8

static const struct petrel_cid_route_config cfg = {.config_id = 0, .cid_len = CID_LEN};

struct group_fixture {
	int fd[MAX_SOCKS]; /* by worker id; -1 when gone */
	struct petrel_reuseport_group g;
	struct sockaddr_in addr; /* the shared port */
};

static int reuseport_socket(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	cr_assert_geq(fd, 0);
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
		close(fd);
		cr_skip_test("SO_REUSEPORT not permitted: %s", strerror(errno));
	}
	cr_assert_eq(bind(fd, (const struct sockaddr *)addr, sizeof *addr), 0, "bind: %s",
		     strerror(errno));
	return fd;
}

static void join(struct group_fixture *f, unsigned worker)
{
	f->fd[worker] = reuseport_socket(&f->addr);
	if (f->addr.sin_port == 0) {
		socklen_t len = sizeof f->addr;
		cr_assert_eq(getsockname(f->fd[worker], (struct sockaddr *)&f->addr, &len), 0);
	}
	cr_assert_geq(petrel_reuseport_group_join(&f->g, worker), 0);
}

static void attach(struct group_fixture *f, unsigned via_worker)
{
	if (petrel_reuseport_attach(f->fd[via_worker], &f->g, CID_LEN) < 0)
		cr_skip_test("SO_ATTACH_REUSEPORT_CBPF not permitted: %s", strerror(errno));
}

static void setup_group(struct group_fixture *f, unsigned n)
{
	memset(f, 0, sizeof *f);
	for (unsigned i = 0; i < MAX_SOCKS; i++)
		f->fd[i] = -1;
	f->addr.sin_family = AF_INET;
	f->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (unsigned w = 0; w < n; w++)
		join(f, w);
	attach(f, 0);
}

static void teardown_group(struct group_fixture *f)
{
	for (unsigned i = 0; i < MAX_SOCKS; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
}

static int client_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(fd, (struct sockaddr *)&any, sizeof any), 0);
	return fd;
}

/* Waits (bounded) for the one datagram sent and says which worker's
 * socket got it; checks its bytes. */
static int receiver_of(struct group_fixture *f, const uint8_t *d, size_t len)
{
	for (int round = 0; round < 200; round++) {
		struct pollfd pfd[MAX_SOCKS];
		unsigned worker_of[MAX_SOCKS], n = 0;
		for (unsigned w = 0; w < MAX_SOCKS; w++) {
			if (f->fd[w] < 0)
				continue;
			pfd[n] = (struct pollfd){f->fd[w], POLLIN, 0};
			worker_of[n++] = w;
		}
		cr_assert_geq(poll(pfd, n, 10), 0);
		for (unsigned i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			uint8_t buf[256];
			ssize_t got = recv(pfd[i].fd, buf, sizeof buf, 0);
			cr_assert_eq(got, (ssize_t)len);
			cr_assert_arr_eq(buf, d, len);
			return (int)worker_of[i];
		}
	}
	cr_assert_fail("datagram never arrived");
	return -1;
}

static int send_and_locate(struct group_fixture *f, int client, const uint8_t *d, size_t len)
{
	cr_assert_eq(sendto(client, d, len, 0, (struct sockaddr *)&f->addr, sizeof f->addr),
		     (ssize_t)len);
	return receiver_of(f, d, len);
}

/* RFC 9146 4 header (type, version, epoch, seq), the CID, a length and a
 * body; or the RFC 9147 4 unified header 0x3c (C, S, L) with the CID. */
static size_t cid_datagram(bool unified, unsigned worker, uint8_t *d)
{
	uint8_t cid[CID_LEN];
	cr_assert_eq(petrel_cid_route_issue(&cfg, worker, cid, sizeof cid), CID_LEN);
	size_t n = 0;
	if (unified) {
		d[n++] = 0x3c;
	} else {
		const uint8_t head[11] = {25, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 42};
		memcpy(d, head, sizeof head);
		n = sizeof head;
	}
	memcpy(d + n, cid, CID_LEN);
	n += CID_LEN;
	const uint8_t rest[6] = {0, 2, 0, 2, 0xaa, 0xbb};
	memcpy(d + n, rest, sizeof rest);
	return n + sizeof rest;
}

Test(dtls_reuseport, cid_datagrams_reach_the_socket_of_the_worker_they_name)
{
	struct group_fixture f;
	setup_group(&f, 4);
	int clients[6];
	for (unsigned c = 0; c < 6; c++)
		clients[c] = client_socket();
	/* Every client sends to every worker in both formats: the CID, not
	 * the address hash, decides. */
	for (unsigned c = 0; c < 6; c++)
		for (unsigned w = 0; w < 4; w++)
			for (int unified = 0; unified < 2; unified++) {
				uint8_t d[64];
				size_t len = cid_datagram(unified, w, d);
				cr_assert_eq(send_and_locate(&f, clients[c], d, len), (int)w,
					     "client %u, worker %u, unified %d", c, w, unified);
			}
	for (unsigned c = 0; c < 6; c++)
		close(clients[c]);
	teardown_group(&f);
}

Test(dtls_reuseport, datagrams_without_cid_spread_by_address_and_stick_to_it)
{
	struct group_fixture f;
	setup_group(&f, 4);
	/* A ClientHello's first bytes, an unroutable CID, a unified header
	 * without C, a short tls12_cid and an empty datagram. */
	uint8_t hello[24] = {22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11, 1};
	uint8_t unroutable[32];
	size_t unroutable_len = cid_datagram(false, 1, unroutable);
	unroutable[PETREL_CID_ROUTE_TLS12_OFFSET] |= 0xc0;
	uint8_t no_c[8] = {0x2c, 1, 0, 2, 9, 9};
	uint8_t short_cid[12] = {25, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 3};
	const struct {
		const uint8_t *d;
		size_t len;
	} kinds[] = {{hello, sizeof hello}, {unroutable, unroutable_len}, {no_c, sizeof no_c},
		     {short_cid, sizeof short_cid}, {hello, 0}};
	unsigned per_worker[4] = {0};
	for (unsigned c = 0; c < 48; c++) {
		int client = client_socket();
		int first = send_and_locate(&f, client, hello, sizeof hello);
		per_worker[first]++;
		/* The same address, whatever it sends without a CID, keeps
		 * reaching the same socket (a cookie retry follows its hello). */
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			cr_assert_eq(send_and_locate(&f, client, kinds[k].d, kinds[k].len), first);
		close(client);
	}
	unsigned used = 0;
	for (unsigned w = 0; w < 4; w++)
		used += per_worker[w] > 0;
	/* 48 addresses over 4 sockets by hash: all on one socket would mean
	 * the program pinned them (e.g. returned 0). */
	cr_assert_geq(used, 2, "per worker: %u %u %u %u", per_worker[0], per_worker[1],
		      per_worker[2], per_worker[3]);
	teardown_group(&f);
}

Test(dtls_reuseport, established_cids_keep_their_worker_when_workers_leave_and_join)
{
	struct group_fixture f;
	setup_group(&f, 4);
	int client = client_socket();
	uint8_t d[64];
	size_t len;
	/* Worker 1 leaves: the kernel moves worker 3's socket to index 1. */
	close(f.fd[1]);
	f.fd[1] = -1;
	cr_assert_eq(petrel_reuseport_group_leave(&f.g, 1), 0);
	cr_assert_eq(f.g.worker_at[1], 3);
	attach(&f, 0);
	const unsigned stay[] = {0, 2, 3};
	for (unsigned i = 0; i < 3; i++)
		for (int unified = 0; unified < 2; unified++) {
			len = cid_datagram(unified, stay[i], d);
			cr_assert_eq(send_and_locate(&f, client, d, len), (int)stay[i]);
		}
	/* A CID of the worker gone still arrives somewhere (the hash). */
	len = cid_datagram(false, 1, d);
	cr_assert_neq(send_and_locate(&f, client, d, len), 1);
	/* Worker 6 joins at the end of the group; nobody else moves. */
	join(&f, 6);
	attach(&f, 6);
	const unsigned now[] = {0, 2, 3, 6};
	for (unsigned i = 0; i < 4; i++) {
		len = cid_datagram(true, now[i], d);
		cr_assert_eq(send_and_locate(&f, client, d, len), (int)now[i]);
	}
	close(client);
	teardown_group(&f);
}

Test(dtls_reuseport, group_mirrors_the_kernels_numbering)
{
	struct petrel_reuseport_group g = {0};
	cr_assert_eq(petrel_reuseport_group_join(&g, 10), 0);
	cr_assert_eq(petrel_reuseport_group_join(&g, 11), 1);
	cr_assert_eq(petrel_reuseport_group_join(&g, 12), 2);
	cr_assert_eq(petrel_reuseport_group_join(&g, 11), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_reuseport_group_join(&g, 64), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_reuseport_group_leave(&g, 10), 0);
	cr_assert_eq(g.count, 2);
	cr_assert_eq(g.worker_at[0], 12);
	cr_assert_eq(g.worker_at[1], 11);
	cr_assert_eq(petrel_reuseport_group_leave(&g, 10), PETREL_E_INVALID_REQUEST);
	struct sock_filter prog[PETREL_REUSEPORT_PROG_MAX];
	cr_assert_eq(petrel_reuseport_program(&g, 8, prog, PETREL_REUSEPORT_PROG_MAX), 14 + 2 * 2);
	cr_assert_eq(petrel_reuseport_program(&g, 3, prog, PETREL_REUSEPORT_PROG_MAX), 0);
	cr_assert_eq(petrel_reuseport_program(&g, 8, prog, 10), 0);
}
