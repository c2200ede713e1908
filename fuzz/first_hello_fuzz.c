/* libFuzzer target: ClientHellos assembled before the cookie (issue #20
 * item 4, dtls/first_hello.h), through an endpoint's table and a
 * session's petrel_first_hello_take.
 *
 * Input: steps, each [u8 address][u8 time step][u16 length][handshake
 * fragments...]: the fragments of one record from one of 32 addresses (8
 * IP addresses, 4 ports each) at a clock that moves by the time step
 * (x 100 ms). Invariants: the table holds at most its cap in all and
 * PETREL_FIRST_HELLO_PER_ADDR per IP address, the budget charged is
 * exactly what is held, a whole ClientHello has the length its
 * fragments claimed and never more than the cap when assembled, and
 * nothing leaks or is read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/first_hello.h"
#include "dtls/session.h"
#include "fuzz/fuzz_check.h"

static void touch(const struct petrel_first_hello_msg *m)
{
	volatile uint8_t x = 0;
	for (uint32_t i = 0; i < m->h.length; i++)
		x ^= m->body[i];
	(void)x;
	CHECK(m->h.msg_type == PETREL_HS_CLIENT_HELLO);
	CHECK(m->h.fragment_offset == 0 && m->h.fragment_length == m->h.length);
	CHECK(m->records >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct petrel_frag_budget budget = {0, 8 * petrel_first_hello_bytes()};
	struct petrel_first_hello_table t;
	if (petrel_fh_table_init(&t, &budget, 6) < 0)
		return 0;
	petrel_session *s;
	if (petrel_session_new(&s, PETREL_SERVER) < 0) {
		petrel_fh_table_free(&t);
		return 0;
	}
	uint64_t now = 1000;
	uint64_t record_seq = 0;
	struct petrel_reader r;
	petrel_reader_init(&r, data, size);
	uint8_t who, step;
	const uint8_t *rec;
	size_t rec_len;
	while (petrel_get_u8(&r, &who) && petrel_get_u8(&r, &step) &&
	       petrel_get_opaque16(&r, &rec, &rec_len)) {
		now += (uint64_t)step * 100u;
		record_seq++;
		uint8_t key[3] = {4, (uint8_t)(who & 3), (uint8_t)((who >> 2) & 7)};
		uint8_t group[2] = {0, key[2]};
		/* The endpoint's way: each fragment to the table. */
		struct petrel_reader fr;
		petrel_reader_init(&fr, rec, rec_len);
		struct petrel_hs_header h;
		const uint8_t *frag;
		while (petrel_reader_left(&fr) > 0 && petrel_hs_header_read(&fr, &h, &frag) == 0) {
			struct petrel_first_hello_msg m;
			if (petrel_fh_table_offer(&t, key, sizeof key, group, sizeof group, &h, frag,
						  record_seq, now, &m) == 1) {
				touch(&m);
				CHECK(m.h.length == h.length && m.h.length <= PETREL_FIRST_HELLO_MAX_LEN);
				if (who & 0x80) /* answered, or handed to a session */
					petrel_fh_table_drop(&t, key, sizeof key, group, sizeof group);
			}
			CHECK(t.count <= t.max_count);
			CHECK(budget.used_bytes == t.count * petrel_first_hello_bytes());
		}
		if (who & 0x40)
			petrel_fh_table_expire(&t, now);
		/* A session's way: the whole record. */
		uint8_t copy[65536];
		memcpy(copy, rec, rec_len);
		struct petrel_record prec = {PETREL_CT_HANDSHAKE, 0, record_seq, copy, rec_len};
		struct petrel_first_hello_msg m;
		if (petrel_first_hello_take(s, &prec, now, &m) == 1) {
			touch(&m);
			if (m.records > 1 || m.body < copy || m.body >= copy + rec_len)
				CHECK(m.h.length <= PETREL_FIRST_HELLO_MAX_LEN);
			if (who & 0x20)
				petrel_first_hello_release(s);
		}
	}
	/* Per address: never more than its share. */
	for (uint8_t a = 0; a < 8; a++) {
		unsigned n = 0;
		for (uint8_t port = 0; port < 4; port++) {
			uint8_t key[3] = {4, port, a};
			uint8_t group[2] = {0, a};
			struct petrel_first_hello *fh =
				petrel_fh_table_detach(&t, key, sizeof key, group, sizeof group);
			if (fh) {
				n++;
				petrel_session *tmp;
				if (petrel_session_new(&tmp, PETREL_SERVER) == 0) {
					petrel_first_hello_adopt(tmp, fh);
					petrel_session_free(tmp);
				} else {
					abort();
				}
			}
		}
		CHECK(n <= PETREL_FIRST_HELLO_PER_ADDR);
	}
	CHECK(t.count == 0 && budget.used_bytes == 0);
	petrel_fh_table_free(&t);
	petrel_session_free(s);
	return 0;
}
