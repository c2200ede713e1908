/* The server's table from session to peer address text. The endpoint
 * forgets a peer before on_closed runs, and sessions carry no user
 * pointer, so the tool keeps its own names: a small open-addressing hash
 * on the session pointer. */
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

static size_t slot_of(const struct cli_peers *t, const petrel_session *s)
{
	uintptr_t h = (uintptr_t)s;
	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (t->capacity - 1);
}

static struct cli_peer *find(const struct cli_peers *t, const petrel_session *s)
{
	if (t->capacity == 0)
		return NULL;
	for (size_t i = slot_of(t, s), n = 0; n < t->capacity; i = (i + 1) & (t->capacity - 1), n++) {
		if (t->slots[i].session == s)
			return &t->slots[i];
		if (t->slots[i].session == NULL)
			return NULL;
	}
	return NULL;
}

static int grow(struct cli_peers *t)
{
	struct cli_peers bigger = {.capacity = t->capacity ? t->capacity * 2 : 64};
	bigger.slots = calloc(bigger.capacity, sizeof bigger.slots[0]);
	if (bigger.slots == NULL)
		return -1;
	for (size_t i = 0; i < t->capacity; i++)
		if (t->slots[i].session)
			cli_peers_add(&bigger, t->slots[i].session, t->slots[i].name);
	free(t->slots);
	*t = bigger;
	return 0;
}

int cli_peers_add(struct cli_peers *t, petrel_session *s, const char *name)
{
	if ((t->count + 1) * 2 > t->capacity && grow(t) < 0)
		return -1;
	size_t i = slot_of(t, s);
	while (t->slots[i].session && t->slots[i].session != s)
		i = (i + 1) & (t->capacity - 1);
	if (t->slots[i].session == NULL)
		t->count++;
	t->slots[i].session = s;
	snprintf(t->slots[i].name, sizeof t->slots[i].name, "%s", name);
	return 0;
}

const char *cli_peers_name(const struct cli_peers *t, const petrel_session *s)
{
	const struct cli_peer *p = find(t, s);
	return p ? p->name : "(unknown peer)";
}

void cli_peers_remove(struct cli_peers *t, const petrel_session *s)
{
	struct cli_peer *p = find(t, s);
	if (p == NULL)
		return;
	/* Re-insert the rest of the cluster so lookups never stop early. */
	size_t i = (size_t)(p - t->slots);
	p->session = NULL;
	t->count--;
	for (size_t j = (i + 1) & (t->capacity - 1); t->slots[j].session;
	     j = (j + 1) & (t->capacity - 1)) {
		struct cli_peer moved = t->slots[j];
		t->slots[j].session = NULL;
		t->count--;
		cli_peers_add(t, moved.session, moved.name);
	}
}

void cli_peers_free(struct cli_peers *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}
