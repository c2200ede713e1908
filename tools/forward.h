/* UDP forwarding for `petrel tunnel` (client side) and `petrel server
 * --forward` (server side): batched datagram I/O (recvmmsg/sendmmsg into
 * buffers allocated once, never per datagram), and the server's map from
 * a DTLS session to its own UDP socket towards the forward target. */
#ifndef PETREL_TOOLS_FORWARD_H
#define PETREL_TOOLS_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "tools/cli.h"

/* Datagrams per recvmmsg/sendmmsg call. */
#define FWD_BATCH 32
/* A slot holds the largest record payload (2^14, RFC 6347 4.1.1) plus the
 * record's expansion; a larger local datagram shows up truncated (its real
 * size is kept) and is refused. */
#define FWD_SLOT (16384 + 512)

/* One batch of received datagrams. Zeroed before first use. */
struct fwd_rx {
	/* Headers [0, dirty) were written by the kernel (or never set up
	 * when ready is false): reset before the next read, the rest as is. */
	bool ready;
	int dirty;
	struct mmsghdr msgs[FWD_BATCH];
	struct iovec iov[FWD_BATCH];
	struct sockaddr_storage addrs[FWD_BATCH];
	_Alignas(16) uint8_t buf[FWD_BATCH][FWD_SLOT];
};
/* Read up to FWD_BATCH datagrams without blocking: their number (0 when
 * none wait), or -errno. msgs[i].msg_len is the datagram's real size,
 * which exceeds FWD_SLOT when it was truncated. */
int fwd_rx_read(struct fwd_rx *rx, int fd);

/* Datagrams waiting to go out, flushed with one sendmmsg per run of the
 * same socket. */
struct fwd_tx {
	unsigned count;
	int fd[FWD_BATCH];
	void *owner[FWD_BATCH];
	struct mmsghdr msgs[FWD_BATCH];
	struct iovec iov[FWD_BATCH];
	struct sockaddr_storage addrs[FWD_BATCH];
	/* A send that failed for good (EMSGSIZE, ECONNREFUSED, ...): told to
	 * the queue's user, who counts it. */
	void (*on_error)(void *ctx, void *owner, int err, size_t len);
	void *ctx;
	_Alignas(16) uint8_t buf[FWD_BATCH][FWD_SLOT];
};
/* The buffer for the next datagram (flushing first when the queue is full). */
uint8_t *fwd_tx_slot(struct fwd_tx *tx);
/* Queue the datagram written into the last slot; addr NULL on a connected
 * socket. */
void fwd_tx_commit(struct fwd_tx *tx, int fd, const struct sockaddr_storage *addr,
		   socklen_t addr_len, size_t len, void *owner);
void fwd_tx_flush(struct fwd_tx *tx);
/* Forget queued datagrams of one owner that is going away. */
void fwd_tx_forget(struct fwd_tx *tx, void *owner);

/* "HOST:PORT" or "[V6]:PORT", split in place: 0, or -1 when malformed. */
int fwd_split_host_port(char *arg, const char **host, const char **port);
/* Resolve HOST PORT for a UDP peer: 0 and the address, or -1 after a message. */
int fwd_resolve(const char *host, const char *port, struct sockaddr_storage *ss, socklen_t *len);
/* A non-blocking UDP socket connected to ss, with DF set (oversized
 * datagrams fail with EMSGSIZE) and roomy buffers; -1 on failure. */
int fwd_connected_socket(const struct sockaddr_storage *ss, socklen_t len);
/* Make a socket non-blocking with roomy buffers. */
void fwd_tune_socket(int fd);

/* ---- petrel server --forward HOST:PORT ----
 * One UDP socket towards the target per DTLS session: a session's
 * datagrams leave from its own port, and whatever the target answers on
 * that port goes back through that session only. The hooks into the
 * server's loop are three: forward_attach before petrel_endpoint_new,
 * forward_fd/forward_process around poll(), forward_close at the end. */
struct forward;
/* Resolve the target and wrap the endpoint callbacks: data from clients
 * goes to the target instead of the server's own on_data, and closed
 * sessions release their socket. 0, or -1 after a message on stderr. */
int forward_attach(struct forward **out, const struct cli_options *o,
		   struct petrel_endpoint_callbacks *cb);
/* A descriptor to poll for POLLIN (an epoll set of the target sockets);
 * -1 for NULL, which poll() ignores. */
int forward_fd(const struct forward *f);
/* After petrel_endpoint_process: send what clients sent to the target,
 * then, when poll() saw forward_fd ready (revents), relay the target's
 * answers to their sessions. 0 (NULL: nothing). */
int forward_process(struct forward *f, short revents);
/* Print the counters (unless --quiet) and free everything. NULL is fine. */
void forward_close(struct forward *f);

#endif
