/* Two Petrel sessions (client = simnet endpoint 0, server = 1) joined by
 * the simulated network, driven through the public API on a virtual clock. */
#ifndef PETREL_TESTS_DTLS_HARNESS_H
#define PETREL_TESTS_DTLS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "petrel/petrel.h"
#include "tests/simnet.h"

struct harness_end {
	struct harness *h;
	int id;
	petrel_session *session;
	int handshake_rc;
	bool done;
	unsigned large_packet_count;
	size_t largest_sent;
	uint64_t datagrams_sent;
	/* Optional: record every datagram sent (for fragment-boundary tests). */
	void (*on_send)(struct harness_end *end, const uint8_t *data, size_t len);
	void *on_send_ctx;
	/* Application data that arrived while the harness was only draining
	 * a finished end (it answers the peer's retransmissions). */
	uint8_t pending[2048];
	long pending_len;
};

struct harness {
	struct simnet *net;
	struct harness_end client, server;
	petrel_credentials *client_creds, *server_creds;
	uint64_t completed_ms;
};

/* Sessions with the given flags (role added), credentials already made. */
void harness_init(struct harness *h, uint64_t seed, unsigned client_flags, unsigned server_flags,
		  petrel_credentials *client_creds, petrel_credentials *server_creds);
void harness_free(struct harness *h);
/* harness_free, then frees both credentials given to harness_init. */
void harness_free_all(struct harness *h);
/* Runs both handshakes until both completed, one fails fatally, or the
 * virtual clock passes limit_ms. Returns 0 when both completed. */
int harness_run_handshake(struct harness *h, uint64_t limit_ms);
/* Client sends msg; server receives it; server echoes; client receives.
 * Returns 0 if the echo matched. Drives the network with retries on loss. */
int harness_echo(struct harness *h, const char *msg, uint64_t limit_ms);

/* Ticks one session alone (nothing delivered to it) through its
 * deadlines up to limit_ms: its fatal error (e.g. at the handshake's
 * total timeout), or 0 if none came by then. */
int harness_tick_until_failed(petrel_session *s, uint64_t limit_ms);

/* How many seeds a many-seed scenario runs: full normally, a tenth (at
 * least 10) when PETREL_TEST_QUICK is set, for slow runs under valgrind. */
unsigned harness_seeds(unsigned full);

/* A client pinned to DTLS 1.2 (harness_init and hand_client_init do it:
 * their tests mean 1.2; tests/vdefault_test.c undoes it). */
void harness_pin_dtls12(petrel_session *s);

/* Credentials helpers. */
petrel_credentials *harness_psk_creds(void);
petrel_credentials *harness_cert_creds(int keytype);

/* A client session driven by hand, for endpoint tests without the simulated
 * network: the first HAND_CLIENT_MAX_SENT datagrams it sends are kept in
 * sent (the test feeds them on and clears sent_count), its pull has nothing,
 * its clock reads now. */
#define HAND_CLIENT_MAX_SENT 16
struct hand_client {
	petrel_session *s;
	uint64_t now;
	uint8_t sent[HAND_CLIENT_MAX_SENT][2048];
	size_t sent_len[HAND_CLIENT_MAX_SENT];
	unsigned sent_count;
};
void hand_client_init(struct hand_client *c, petrel_credentials *cc, uint64_t now);
/* An endpoint on_data callback that sends each record back (aborts if the
 * send fails). */
void harness_echo_record(void *ptr, petrel_session *s, const uint8_t *data, size_t len);
/* A pull function with nothing to read (PETREL_E_AGAIN). */
long harness_nothing_pull(void *ptr, uint8_t *buf, size_t cap);

#endif
