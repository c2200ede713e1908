/* The server's first ClientHello, assembled from fragments before the
 * cookie check, with the caps of dtls/first_hello.h (issue #20 item 4). */
#include "dtls/first_hello.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/session.h"

struct petrel_fh_group;

/* One partial ClientHello. Fixed size (about 4.6 KiB), whatever length
 * its fragments claim. */
struct petrel_first_hello {
	uint32_t length; /* 0: nothing held */
	uint16_t message_seq;
	uint32_t received; /* distinct body bytes */
	uint64_t first_record_seq;
	unsigned records;
	uint64_t started_ms;
	struct petrel_frag_budget *budget; /* charged sizeof *fh, or NULL */
	/* In an endpoint's table: its group (IP address), its place among
	 * every entry (oldest first) and its order of arrival there. */
	struct petrel_fh_group *group;
	struct petrel_first_hello *prev, *next;
	uint64_t order;
	uint8_t key[PETREL_TABLE_KEY_MAX];
	uint8_t key_len;
	/* The handshake header written when whole (petrel_first_hello_record),
	 * then the body. */
	uint8_t msg[PETREL_HS_HEADER_LEN + PETREL_FIRST_HELLO_MAX_LEN];
	uint8_t have[PETREL_FIRST_HELLO_MAX_LEN / 8]; /* a bit per body byte received */
};

struct petrel_fh_group {
	struct petrel_table_node node; /* key: the IP address without port */
	struct petrel_first_hello *entry[PETREL_FIRST_HELLO_PER_ADDR];
};

/* ---- One partial ClientHello ------------------------------------------ */

static struct petrel_first_hello *fh_new(struct petrel_frag_budget *budget)
{
	if (budget && budget->used_bytes + sizeof(struct petrel_first_hello) > budget->cap_bytes)
		return NULL;
	struct petrel_first_hello *fh = malloc(sizeof *fh);
	if (fh == NULL)
		return NULL;
	fh->length = 0;
	fh->budget = budget;
	fh->group = NULL;
	fh->prev = fh->next = NULL;
	fh->key_len = 0;
	if (budget)
		budget->used_bytes += sizeof *fh;
	return fh;
}

static void fh_free(struct petrel_first_hello *fh)
{
	if (fh == NULL)
		return;
	if (fh->budget)
		fh->budget->used_bytes -= sizeof *fh;
	free(fh);
}

static void fh_restart(struct petrel_first_hello *fh, const struct petrel_hs_header *h, uint64_t now_ms)
{
	fh->length = h->length;
	fh->message_seq = h->message_seq;
	fh->received = 0;
	fh->records = 0;
	fh->first_record_seq = 0;
	fh->started_ms = now_ms;
	memset(fh->have, 0, (h->length + 7) / 8);
}

/* A clock read late may run behind: that counts as no time passed. */
static bool fh_expired(const struct petrel_first_hello *fh, uint64_t now_ms)
{
	return now_ms > fh->started_ms && now_ms - fh->started_ms >= PETREL_FIRST_HELLO_LIFETIME_MS;
}

static bool fh_has(const struct petrel_first_hello *fh, uint32_t at)
{
	return (fh->have[at >> 3] >> (at & 7)) & 1u;
}

static bool fh_whole(const struct petrel_first_hello *fh)
{
	return fh->length > 0 && fh->received == fh->length;
}

/* Offer a fragment of a ClientHello no longer than the cap (the caller
 * checks). True when the ClientHello is whole; *restarted when the
 * partial one was started again (new, expired or contradicted). */
static bool fh_offer(struct petrel_first_hello *fh, const struct petrel_hs_header *h,
		     const uint8_t *frag, uint64_t record_seq, uint64_t now_ms, bool *restarted)
{
	bool restart = fh->length == 0 || h->message_seq != fh->message_seq ||
		       h->length != fh->length || fh_expired(fh, now_ms);
	uint32_t end = h->fragment_offset + h->fragment_length;
	uint8_t *body = fh->msg + PETREL_HS_HEADER_LEN;
	for (uint32_t at = h->fragment_offset; at < end && !restart; at++)
		restart = fh_has(fh, at) && body[at] != frag[at - h->fragment_offset];
	if (restart)
		fh_restart(fh, h, now_ms);
	*restarted = restart;
	uint32_t added = 0;
	for (uint32_t at = h->fragment_offset; at < end; at++) {
		if (!fh_has(fh, at)) {
			body[at] = frag[at - h->fragment_offset];
			fh->have[at >> 3] = (uint8_t)(fh->have[at >> 3] | 1u << (at & 7));
			added++;
		}
	}
	fh->received += added;
	if (added > 0)
		fh->records++;
	if (h->fragment_offset == 0)
		fh->first_record_seq = record_seq; /* the latest transmission's */
	return fh_whole(fh);
}

static void fh_output(const struct petrel_first_hello *fh, struct petrel_first_hello_msg *out)
{
	out->h.msg_type = PETREL_HS_CLIENT_HELLO;
	out->h.length = fh->length;
	out->h.message_seq = fh->message_seq;
	out->h.fragment_offset = 0;
	out->h.fragment_length = fh->length;
	out->body = fh->msg + PETREL_HS_HEADER_LEN;
	out->first_record_seq = fh->first_record_seq;
	out->records = fh->records;
}

/* A fragment worth offering: of a ClientHello we would assemble. */
static bool worth_assembling(const struct petrel_hs_header *h)
{
	return h->msg_type == PETREL_HS_CLIENT_HELLO && h->length <= PETREL_FIRST_HELLO_MAX_LEN &&
	       h->fragment_length > 0;
}

static bool is_whole(const struct petrel_hs_header *h)
{
	return h->fragment_offset == 0 && h->fragment_length == h->length;
}

static void whole_output(const struct petrel_hs_header *h, const uint8_t *frag, uint64_t record_seq,
			 struct petrel_first_hello_msg *out)
{
	out->h = *h;
	out->body = frag;
	out->first_record_seq = record_seq;
	out->records = 1;
}

/* ---- A session's ------------------------------------------------------- */

int petrel_first_hello_take(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms,
			    struct petrel_first_hello_msg *out)
{
	if (rec->content_type != PETREL_CT_HANDSHAKE || rec->epoch != 0)
		return 0;
	struct petrel_reader r;
	petrel_reader_init(&r, rec->fragment, rec->length);
	/* RFC 6347 4.2.3: a record may hold several fragments. */
	while (petrel_reader_left(&r) > 0) {
		struct petrel_hs_header h;
		const uint8_t *frag;
		if (petrel_hs_header_read(&r, &h, &frag) < 0)
			return 0; /* the rest of the record cannot be framed */
		if (h.msg_type != PETREL_HS_CLIENT_HELLO)
			continue;
		if (is_whole(&h)) {
			whole_output(&h, frag, rec->seq, out);
			return 1;
		}
		if (!worth_assembling(&h))
			continue;
		if (s->first_hello == NULL)
			s->first_hello = fh_new(s->frag_budget);
		if (s->first_hello == NULL)
			return 0; /* over the endpoint's budget: dropped, the client retries */
		bool restarted;
		if (fh_offer(s->first_hello, &h, frag, rec->seq, now_ms, &restarted)) {
			fh_output(s->first_hello, out);
			return 1;
		}
	}
	return 0;
}

int petrel_first_hello_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms,
			      struct petrel_record *out)
{
	struct petrel_first_hello_msg m;
	if (petrel_first_hello_take(s, rec, now_ms, &m) != 1 || s->first_hello == NULL ||
	    m.body != s->first_hello->msg + PETREL_HS_HEADER_LEN)
		return 0; /* none, or whole in rec: rec serves as it is */
	struct petrel_first_hello *fh = s->first_hello;
	petrel_hs_header_encode_full(fh->msg, PETREL_HS_CLIENT_HELLO, fh->message_seq, fh->length);
	*out = *rec;
	out->seq = fh->first_record_seq;
	out->fragment = fh->msg;
	out->length = PETREL_HS_HEADER_LEN + (size_t)fh->length;
	return 1;
}

void petrel_first_hello_release(petrel_session *s)
{
	fh_free(s->first_hello);
	s->first_hello = NULL;
}

void petrel_first_hello_adopt(petrel_session *s, struct petrel_first_hello *fh)
{
	petrel_first_hello_release(s);
	s->first_hello = fh;
}

size_t petrel_first_hello_bytes(void)
{
	return sizeof(struct petrel_first_hello);
}

/* ---- An endpoint's table -------------------------------------------------- */

static struct petrel_fh_group *group_of_node(struct petrel_table_node *n)
{
	return n ? (struct petrel_fh_group *)((char *)n - offsetof(struct petrel_fh_group, node)) : NULL;
}

int petrel_fh_table_init(struct petrel_first_hello_table *t, struct petrel_frag_budget *budget,
			 unsigned max_count)
{
	memset(t, 0, sizeof *t);
	t->budget = budget;
	t->max_count = max_count ? max_count : PETREL_FIRST_HELLO_TABLE_MAX;
	return petrel_table_init(&t->groups, 16);
}

static void list_remove(struct petrel_first_hello_table *t, struct petrel_first_hello *fh)
{
	if (fh->prev)
		fh->prev->next = fh->next;
	else
		t->oldest = fh->next;
	if (fh->next)
		fh->next->prev = fh->prev;
	else
		t->newest = fh->prev;
	fh->prev = fh->next = NULL;
}

static void list_append(struct petrel_first_hello_table *t, struct petrel_first_hello *fh)
{
	fh->order = t->next_order++;
	fh->prev = t->newest;
	fh->next = NULL;
	if (t->newest)
		t->newest->next = fh;
	else
		t->oldest = fh;
	t->newest = fh;
}

/* Out of the list and its group (freed when empty); not freed itself. */
static void unlink_entry(struct petrel_first_hello_table *t, struct petrel_first_hello *fh)
{
	struct petrel_fh_group *g = fh->group;
	bool empty = true;
	for (unsigned i = 0; i < PETREL_FIRST_HELLO_PER_ADDR; i++) {
		if (g->entry[i] == fh)
			g->entry[i] = NULL;
		empty = empty && g->entry[i] == NULL;
	}
	if (empty) {
		petrel_table_remove(&t->groups, &g->node);
		free(g);
	}
	fh->group = NULL;
	list_remove(t, fh);
	t->count--;
}

static void drop_entry(struct petrel_first_hello_table *t, struct petrel_first_hello *fh)
{
	unlink_entry(t, fh);
	fh_free(fh);
}

void petrel_fh_table_free(struct petrel_first_hello_table *t)
{
	while (t->oldest)
		drop_entry(t, t->oldest);
	petrel_table_free(&t->groups);
}

void petrel_fh_table_expire(struct petrel_first_hello_table *t, uint64_t now_ms)
{
	/* Oldest first: a restarted entry moves to the newest end. */
	while (t->oldest && fh_expired(t->oldest, now_ms))
		drop_entry(t, t->oldest);
}

static struct petrel_fh_group *find_group(const struct petrel_first_hello_table *t,
					  const uint8_t *group_key, size_t group_key_len)
{
	if (t->groups.buckets == NULL)
		return NULL;
	return group_of_node(petrel_table_find(&t->groups, group_key, group_key_len));
}

static struct petrel_first_hello *find_entry(const struct petrel_fh_group *g, const uint8_t *key,
					     size_t key_len)
{
	for (unsigned i = 0; g && i < PETREL_FIRST_HELLO_PER_ADDR; i++) {
		const struct petrel_first_hello *fh = g->entry[i];
		if (fh && fh->key_len == key_len && memcmp(fh->key, key, key_len) == 0)
			return g->entry[i];
	}
	return NULL;
}

/* A new entry for key, room made first: the address's oldest when it has
 * its share, the table's oldest at the total cap or the budget. */
static struct petrel_first_hello *new_entry(struct petrel_first_hello_table *t, const uint8_t *key,
					    size_t key_len, const uint8_t *group_key,
					    size_t group_key_len)
{
	if (key_len > PETREL_TABLE_KEY_MAX || group_key_len > PETREL_TABLE_KEY_MAX)
		return NULL;
	struct petrel_fh_group *g = find_group(t, group_key, group_key_len);
	if (g) {
		struct petrel_first_hello *oldest = NULL;
		unsigned used = 0;
		for (unsigned i = 0; i < PETREL_FIRST_HELLO_PER_ADDR; i++) {
			struct petrel_first_hello *e = g->entry[i];
			used += e != NULL;
			if (e && (oldest == NULL || e->order < oldest->order))
				oldest = e;
		}
		if (used >= PETREL_FIRST_HELLO_PER_ADDR) {
			t->evicted++;
			drop_entry(t, oldest); /* may free g */
		}
	}
	while (t->count >= t->max_count && t->oldest) {
		t->evicted++;
		drop_entry(t, t->oldest);
	}
	struct petrel_first_hello *fh;
	while ((fh = fh_new(t->budget)) == NULL && t->oldest) {
		t->evicted++;
		drop_entry(t, t->oldest);
	}
	if (fh == NULL)
		return NULL;
	g = find_group(t, group_key, group_key_len);
	if (g == NULL) {
		g = calloc(1, sizeof *g);
		if (g == NULL) {
			fh_free(fh);
			return NULL;
		}
		petrel_table_node_set_key(&g->node, group_key, group_key_len);
		petrel_table_insert(&t->groups, &g->node);
	}
	for (unsigned i = 0; i < PETREL_FIRST_HELLO_PER_ADDR; i++) {
		if (g->entry[i] == NULL) {
			g->entry[i] = fh;
			break;
		}
	}
	fh->group = g;
	memcpy(fh->key, key, key_len);
	fh->key_len = (uint8_t)key_len;
	list_append(t, fh);
	t->count++;
	return fh;
}

int petrel_fh_table_offer(struct petrel_first_hello_table *t, const uint8_t *key, size_t key_len,
			  const uint8_t *group_key, size_t group_key_len,
			  const struct petrel_hs_header *h, const uint8_t *frag, uint64_t record_seq,
			  uint64_t now_ms, struct petrel_first_hello_msg *out)
{
	if (!worth_assembling(h) || is_whole(h) || t->groups.buckets == NULL)
		return 0;
	petrel_fh_table_expire(t, now_ms);
	struct petrel_first_hello *fh = find_entry(find_group(t, group_key, group_key_len), key, key_len);
	if (fh == NULL)
		fh = new_entry(t, key, key_len, group_key, group_key_len);
	if (fh == NULL)
		return 0;
	bool restarted;
	bool whole = fh_offer(fh, h, frag, record_seq, now_ms, &restarted);
	if (restarted && fh != t->newest) {
		/* Its lifetime starts now: the list stays in start order, so
		 * expiry and eviction look at its head only. */
		list_remove(t, fh);
		list_append(t, fh);
	}
	if (!whole)
		return 0;
	fh_output(fh, out);
	return 1;
}

struct petrel_first_hello *petrel_fh_table_detach(struct petrel_first_hello_table *t,
						  const uint8_t *key, size_t key_len,
						  const uint8_t *group_key, size_t group_key_len)
{
	struct petrel_first_hello *fh = find_entry(find_group(t, group_key, group_key_len), key, key_len);
	if (fh)
		unlink_entry(t, fh);
	return fh;
}

void petrel_fh_table_drop(struct petrel_first_hello_table *t, const uint8_t *key, size_t key_len,
			  const uint8_t *group_key, size_t group_key_len)
{
	fh_free(petrel_fh_table_detach(t, key, key_len, group_key, group_key_len));
}
