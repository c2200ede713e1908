/* The state of `petrel tunnel` (tools/cmd_tunnel.c), shared with the DTLS
 * session of each flow (tools/tunnel_session.c). */
#ifndef PETREL_TOOLS_TUNNEL_H
#define PETREL_TOOLS_TUNNEL_H

#include "tools/forward.h"

/* Datagrams and bytes a flow keeps while its handshake runs. */
#define PENDING_MAX_COUNT 64u
#define PENDING_MAX_BYTES (64u * 1024u)
/* After a failed handshake, a flow's datagrams are dropped this long
 * before the next attempt, so a refused tunnel does not hammer the server. */
#define RETRY_PAUSE_MS 1000u
/* Cap on the handshake retransmission timeout: a tunnel waiting for a
 * restarted server notices it is back within this long. */
#define RECONNECT_RTO_CAP_MS 2000u

enum flow_state { FLOW_IDLE, FLOW_CONNECTING, FLOW_OPEN };

struct tunnel;

struct flow {
	struct flow *next; /* hash chain */
	size_t index;      /* in tunnel.flows */
	struct tunnel *t;
	struct sockaddr_storage local;
	socklen_t local_len;
	uint8_t key[24];
	size_t key_len;
	char name[64];
	int fd; /* connected to the server */
	petrel_session *s;
	enum flow_state state;
	bool had_session, warned_large;
	bool resume_kept; /* tunnel_session.c keep_resume_data */
	/* Set while sending (the session may be mid-call): acted on later. */
	bool refused_by_server;
	unsigned path_mtu_hint;
	/* Datagrams waiting for the handshake: [u16 length][bytes]... */
	uint8_t *pending;
	size_t pending_bytes;
	unsigned pending_count;
	uint64_t last_activity_ms, unanswered_since_ms, retry_after_ms;
	/* The batch the session's pull function reads from. */
	int rx_next, rx_count;
};

struct counters {
	uint64_t flows, out, back, refused_large, large_packet, dropped, send_errors, handshakes,
		resumed, handshake_failures, reconnects, unreachable;
};

struct tunnel {
	const struct cli_options *o;
	petrel_credentials *creds;
	struct sockaddr_storage server;
	socklen_t server_len;
	char server_name[80];
	int listen_fd, epfd;
	struct flow **buckets;
	size_t bucket_count; /* a power of two */
	struct flow **flows;
	size_t flow_count, flow_cap;
	unsigned connecting;
	bool attention; /* some flow has refused_by_server or path_mtu_hint */
	bool full;      /* a new flow found the table full */
	uint8_t *resume;
	size_t resume_len;
	unsigned idle_ms, dead_ms, sweep_ms, max_flows;
	uint64_t next_sweep_ms;
	struct counters n;
	struct fwd_rx *rx;
	struct fwd_tx *to_server, *to_local;
};

/* tunnel_session.c: one flow's DTLS session. */
/* The flow's session ends (why: a message unless NULL); queued datagrams
 * are dropped and counted. The flow stays, without a session. */
void tunnel_end_session(struct tunnel *t, struct flow *f, const char *why, int rc);
/* A new session for the flow, offering the last session's ticket, and
 * its first flight. */
int tunnel_start_session(struct tunnel *t, struct flow *f);
/* Run the handshake on what the flow's socket delivered (or its timer). */
void tunnel_drive_handshake(struct tunnel *t, struct flow *f);
/* A local datagram to the server, over the open session (or plain). */
void tunnel_send(struct tunnel *t, struct flow *f, const uint8_t *data, size_t len);
/* Keep a datagram until the handshake is done (bounded; beyond: dropped). */
void tunnel_queue_pending(struct tunnel *t, struct flow *f, const uint8_t *data, size_t len);
void tunnel_refuse_large(struct tunnel *t, struct flow *f, size_t len, unsigned data_mtu);
/* The session's messages from the last read, into the batch to local. */
void tunnel_deliver_answers(struct tunnel *t, struct flow *f);
/* What to print when an open session fails with rc. */
const char *tunnel_failure_text(int rc);
/* fwd_tx error callback of the batch to the server. */
void tunnel_to_server_error(void *ctx, void *owner, int err, size_t len);

#endif
