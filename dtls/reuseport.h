/* SO_REUSEPORT steering by Connection ID (Linux; issue #19 item 4).
 *
 * Several workers bind one UDP port with SO_REUSEPORT; the kernel picks a
 * socket per datagram, by default from a hash of the addresses. A peer
 * whose address changes (NAT rebinding, RFC 9146 6) would land on another
 * worker that has never seen it. The classic BPF program built here reads
 * the worker id from the first CID byte (dtls/cid_route.h) and returns the
 * index of that worker's socket; a datagram without a CID (a ClientHello,
 * a record of a session without CID) gets an index past the group's end,
 * and the kernel then falls back to its usual address hash
 * (net/core/sock_reuseport.c: "no bpf or invalid bpf result: fall back to
 * hash usage"), so new handshakes spread as they would with no program,
 * and a client's cookie retry follows its first ClientHello.
 *
 * Join and leave: the kernel numbers a group's sockets in bind order and,
 * when one closes, moves the last socket to its index. CIDs name workers
 * by a stable id, never by index; struct petrel_reuseport_group mirrors
 * the kernel's numbering and the program maps each live id to its current
 * index with a chain of compares. Whoever changes the group (the
 * supervising process) re-attaches the program: attaching through any one
 * socket replaces the program of the whole group. A datagram whose CID
 * names a worker that left goes to the hash like a new peer (its session
 * died with the worker). The ids of the others keep their sockets.
 *
 * For reuseport programs the kernel runs the filter with the UDP header
 * pulled: absolute loads start at the UDP payload (tests/dtls_reuseport_test.c
 * checks it on the running kernel). */
#ifndef PETREL_DTLS_REUSEPORT_H
#define PETREL_DTLS_REUSEPORT_H

#include <stddef.h>

#include "petrel/petrel.h"

#ifdef __linux__
#include <linux/filter.h>

/* Longest program: 13 fixed instructions, 2 per worker, the fallback. */
#define PETREL_REUSEPORT_PROG_MAX (14 + 2 * PETREL_CID_ROUTE_MAX_WORKERS)
/* The index a program returns for "no CID": past every group, so the
 * kernel uses its hash. */
#define PETREL_REUSEPORT_FALLBACK 0xffffffffu

/* Builds the program for group g and CIDs of cid_len bytes into prog:
 * the instruction count, or 0 when cap is too small or cid_len is
 * outside PETREL_CID_ROUTE_MIN_LEN..PETREL_CID_ROUTE_MAX_LEN. */
size_t petrel_reuseport_program(const struct petrel_reuseport_group *g, size_t cid_len,
				struct sock_filter *prog, size_t cap);
#endif

#endif
