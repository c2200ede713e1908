/* Anti-replay sliding window for one read epoch (RFC 6347 4.1.2.6, the
 * algorithm of RFC 4303 3.4.3). The window is checked before a record is
 * decrypted and updated only after it authenticates, so forged records
 * cannot move it. */
#ifndef PETREL_RECORD_REPLAY_H
#define PETREL_RECORD_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

/* 64 records is the RFC 6347 4.1.2.6 minimum; bit i of bitmap stands for
 * sequence number (top - i). */
#define PETREL_REPLAY_WINDOW_BITS 64

struct petrel_replay_window {
	uint64_t top;    /* highest authenticated sequence number */
	uint64_t bitmap; /* bit 0 = top */
	bool any;        /* false until the first record authenticates */
};

void petrel_replay_init(struct petrel_replay_window *w);
/* True if seq may be new: above the window, or inside it and not yet seen.
 * Too old (left of the window) or already seen -> false. */
bool petrel_replay_check(const struct petrel_replay_window *w, uint64_t seq);
/* Mark seq as received (call after authentication only). */
void petrel_replay_update(struct petrel_replay_window *w, uint64_t seq);

#endif
