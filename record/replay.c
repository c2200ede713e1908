/* Anti-replay window, RFC 6347 4.1.2.6 (RFC 4303 3.4.3 bitmap). */
#include "record/replay.h"

void petrel_replay_init(struct petrel_replay_window *w)
{
	w->top = 0;
	w->bitmap = 0;
	w->any = false;
}

bool petrel_replay_check(const struct petrel_replay_window *w, uint64_t seq)
{
	if (!w->any || seq > w->top)
		return true;
	uint64_t behind = w->top - seq;
	if (behind >= PETREL_REPLAY_WINDOW_BITS)
		return false; /* too old to tell: RFC 6347 says drop */
	return ((w->bitmap >> behind) & 1) == 0;
}

void petrel_replay_update(struct petrel_replay_window *w, uint64_t seq)
{
	if (!w->any) {
		w->any = true;
		w->top = seq;
		w->bitmap = 1;
		return;
	}
	if (seq > w->top) {
		uint64_t shift = seq - w->top;
		w->bitmap = shift >= PETREL_REPLAY_WINDOW_BITS ? 0 : w->bitmap << shift;
		w->bitmap |= 1;
		w->top = seq;
		return;
	}
	uint64_t behind = w->top - seq;
	if (behind < PETREL_REPLAY_WINDOW_BITS)
		w->bitmap |= UINT64_C(1) << behind;
}
