/* Replays a recorded wolfSSL DTLS 1.3 session (tests/vectors/dtls13) through
 * Petrel's DTLS 1.3 building blocks; shared by the vector and codec tests. */
#ifndef PETREL_TESTS_DTLS13_REPLAY_H
#define PETREL_TESTS_DTLS13_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/rn_mask.h"
#include "dtls13/keyschedule.h"
#include "dtls13/record13.h"
#include "tests/vector_reader.h"

#define MAX_DATAGRAMS 64
#define MAX_MESSAGES 16
#define MAX_MESSAGE_LEN 8192

enum { CHTS = 0, SHTS, CTS0, STS0 };

struct session {
	uint8_t secret[4][PETREL_MAX_HASH_LEN];
	size_t secret_len[4];
	uint8_t cid[2][64]; /* the CID records of each direction carry */
	size_t cid_len[2];
	size_t count;
	struct vector_datagram dg[MAX_DATAGRAMS];
};

/* One epoch of one direction, expanded. */
struct epoch_keys {
	bool have;
	struct petrel_dtls13_traffic_keys tk;
	struct petrel_aead_ctx *aead;
	struct petrel_rn_key sn;
	struct petrel_dtls13_record_keys rk;
	uint8_t secret[PETREL_MAX_HASH_LEN];
	uint64_t next_seq;
};

/* A handshake message being reassembled, then kept in TLS form
 * (type || uint24 length || body) for the transcript. */
struct message {
	int dir;
	uint8_t type;
	uint16_t seq;
	size_t len;
	uint8_t *tls; /* 4 + len bytes */
	bool *have;
	bool complete;
};

struct replay {
	struct session s;
	enum petrel_hash_alg hash;
	enum petrel_aead_alg aead;
	uint16_t suite;
	enum petrel_rn_chacha_counter order;
	struct epoch_keys ep[2][5];
	uint64_t current_epoch[2];

	struct message msg[MAX_MESSAGES];
	size_t msg_count;
	int finished_ok[2];     /* per direction: 1 = checked and good */
	bool saw_hrr;
	bool saw_ee;
	size_t ee_extensions;
	bool key_update[2];
	size_t opened, failed, acks;
	/* post-handshake messages (epoch >= 3) and ACK bodies, copied */
	struct {
		int dir;
		uint8_t type;
		uint8_t *body;
		size_t len;
	} post[MAX_MESSAGES], ack[MAX_MESSAGES];
	size_t post_count, ack_count;
	char app[2][64];
	bool close_notify[2];
};

/* Loads tests/vectors/dtls13/NAME.txt and replays it (asserting as it goes). */
void dtls13_replay_session(const char *name, struct replay *rp, enum petrel_rn_chacha_counter order);
void dtls13_replay_free(struct replay *rp);
/* Hash of the transcript's first upto messages (HRR rule applied). */
void dtls13_replay_transcript_hash(const struct replay *rp, size_t upto, uint8_t *out);

#endif
