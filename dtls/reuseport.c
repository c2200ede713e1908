/* SO_REUSEPORT steering by Connection ID (dtls/reuseport.h). */
#include "dtls/reuseport.h"

#include <string.h>

#include "dtls/cid_route.h"

int petrel_reuseport_group_join(struct petrel_reuseport_group *g, unsigned worker_id)
{
	if (g == NULL || worker_id >= PETREL_CID_ROUTE_MAX_WORKERS)
		return PETREL_E_INVALID_REQUEST;
	for (unsigned i = 0; i < g->count; i++)
		if (g->worker_at[i] == worker_id)
			return PETREL_E_INVALID_REQUEST;
	if (g->count >= PETREL_CID_ROUTE_MAX_WORKERS)
		return PETREL_E_LIMIT_EXCEEDED;
	/* A bound socket goes to the end of the group (reuseport_add_sock). */
	g->worker_at[g->count] = (uint8_t)worker_id;
	return (int)g->count++;
}

int petrel_reuseport_group_leave(struct petrel_reuseport_group *g, unsigned worker_id)
{
	if (g == NULL)
		return PETREL_E_INVALID_REQUEST;
	for (unsigned i = 0; i < g->count; i++) {
		if (g->worker_at[i] != worker_id)
			continue;
		/* The last socket takes the index of the one that left
		 * (__reuseport_detach_sock). */
		g->worker_at[i] = g->worker_at[g->count - 1];
		g->count--;
		return 0;
	}
	return PETREL_E_INVALID_REQUEST;
}

#ifdef __linux__
#include <errno.h>
#include <sys/socket.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

size_t petrel_reuseport_program(const struct petrel_reuseport_group *g, size_t cid_len,
				struct sock_filter *prog, size_t cap)
{
	if (g == NULL || cid_len < PETREL_CID_ROUTE_MIN_LEN || cid_len > PETREL_CID_ROUTE_MAX_LEN ||
	    g->count > PETREL_CID_ROUTE_MAX_WORKERS || cap < 14u + 2u * g->count)
		return 0;
	/* Jump offsets are counted from the next instruction; the fallback
	 * return is the last one. */
	const unsigned n = 13u + 2u * g->count; /* index of the fallback */
	const uint32_t unified_min = (uint32_t)(PETREL_CID_ROUTE_UNIFIED_OFFSET + cid_len);
	const uint32_t tls12_min = (uint32_t)(PETREL_CID_ROUTE_TLS12_OFFSET + cid_len);
	size_t i = 0;
#define EMIT(insn) (prog[i] = (struct sock_filter)insn, i++)
#define TO_FALLBACK(at) ((uint8_t)(n - (at) - 1))
	/* 0-1: shorter than any header with a CID: no CID. (A load past the
	 * end would end the program with 0 = socket 0.) */
	EMIT(BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, unified_min, 0, TO_FALLBACK(1)));
	/* 2-5: first-byte dispatch (RFC 9147 4.1): 25 = tls12_cid; 001C....
	 * with C set = unified header with a CID. */
	EMIT(BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 25, 2, 0)); /* -> 6 */
	EMIT(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x20 | 0x10, 4, TO_FALLBACK(5))); /* -> 10 */
	/* 6-9: tls12_cid: the CID follows type, version, epoch, seq. */
	EMIT(BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0));
	EMIT(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, tls12_min, 0, TO_FALLBACK(7)));
	EMIT(BPF_STMT(BPF_LD | BPF_B | BPF_ABS, PETREL_CID_ROUTE_TLS12_OFFSET));
	EMIT(BPF_STMT(BPF_JMP | BPF_JA, 1)); /* -> 11 */
	/* 10: unified header: the CID follows the first byte. */
	EMIT(BPF_STMT(BPF_LD | BPF_B | BPF_ABS, PETREL_CID_ROUTE_UNIFIED_OFFSET));
	/* 11-12: config rotation 3 is unroutable; keep the worker id. */
	EMIT(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
		      PETREL_CID_ROUTE_UNROUTABLE << PETREL_CID_ROUTE_CONFIG_SHIFT, TO_FALLBACK(11), 0));
	EMIT(BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PETREL_CID_ROUTE_WORKER_MASK));
	/* 13..: worker id -> the current index of its socket. */
	for (unsigned k = 0; k < g->count; k++) {
		EMIT(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, g->worker_at[k], 0, 1));
		EMIT(BPF_STMT(BPF_RET | BPF_K, k));
	}
	/* A worker that left, no CID, or not ours: the kernel's hash. */
	EMIT(BPF_STMT(BPF_RET | BPF_K, PETREL_REUSEPORT_FALLBACK));
#undef EMIT
#undef TO_FALLBACK
	return i;
}

int petrel_reuseport_attach(int fd, const struct petrel_reuseport_group *g, size_t cid_len)
{
	struct sock_filter prog[PETREL_REUSEPORT_PROG_MAX];
	size_t len = petrel_reuseport_program(g, cid_len, prog, PETREL_REUSEPORT_PROG_MAX);
	if (len == 0)
		return PETREL_E_INVALID_REQUEST;
	/* Zeroed whole: the padding after .len goes to the kernel too. */
	struct sock_fprog fprog;
	memset(&fprog, 0, sizeof fprog);
	fprog.len = (unsigned short)len;
	fprog.filter = prog;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fprog, sizeof fprog) < 0)
		return PETREL_E_INVALID_REQUEST;
	return 0;
}
#else
int petrel_reuseport_attach(int fd, const struct petrel_reuseport_group *g, size_t cid_len)
{
	(void)fd;
	(void)g;
	(void)cid_len;
	return PETREL_E_UNSUPPORTED;
}
#endif
