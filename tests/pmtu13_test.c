/* DTLS 1.3 flights and the path MTU (issue #20): a path that turns
 * smaller under a flight, refusing datagrams (EMSGSIZE) or dropping them
 * silently (black hole), on the simulated network's virtual clock. What
 * is not acknowledged is cut again for the new MTU (RFC 9147 4.4), in
 * new records, and the ACKs still name the right fragments (RFC 9147 7). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls/session.h"
#include "dtls13/engine13_internal.h"
#include "tests/dtls_harness.h"
#include "tests/fixture_creds.h"

struct mtu_log {
	unsigned changes, black_hole, emsgsize;
};

static void on_mtu(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	struct mtu_log *log = ptr;
	cr_assert_lt(new_mtu, old_mtu);
	log->changes++;
	if (reason == PETREL_MTU_BLACK_HOLE)
		log->black_hole++;
	if (reason == PETREL_MTU_EMSGSIZE)
		log->emsgsize++;
}

/* A fragment cut again: pieces within its range follow it. */
static bool cut_again(const struct petrel_d13 *d, size_t i)
{
	const struct d13_frag *f = &d->frags[i];
	for (size_t j = i + 1; j < d->frag_count && d->frags[j].msg == f->msg; j++)
		if (d->frags[j].off >= f->off && d->frags[j].off + d->frags[j].len <= f->off + f->len &&
		    d->frags[j].len < f->len)
			return true;
	return false;
}

/* What the server's hook saw. */
static struct {
	size_t path;            /* the path's datagram limit once it shrank */
	enum simnet_size_mode mode;
	bool shrunk;            /* after the server's first datagram */
	size_t largest_after;   /* server datagrams sent at an MTU that fits the path */
	bool checked;           /* the first transmission at the floor was inspected */
	size_t acked_bytes, pending_bytes, flight_bytes;
	unsigned replaced, bad_sent_index, oversized;
} seen;

/* The path shrinks right after the server's first datagram of its
 * certificate flight: the rest of the flight meets the smaller path. */
static void shrink_after_first(struct harness_end *end, const uint8_t *data, size_t len)
{
	(void)data;
	petrel_session *s = end->session;
	if (!seen.shrunk && len > seen.path) {
		seen.shrunk = true;
		struct simnet_rules r = {.delay_ms = 10, .max_datagram = seen.path,
					 .size_mode = seen.mode};
		simnet_set_rules(end->h->net, end->id, &r);
		return;
	}
	if (petrel_dtls_get_mtu(s) - 28 <= seen.path && len > seen.largest_after)
		seen.largest_after = len;
	/* The first datagram at the floor: the flight as it is cut now. */
	struct petrel_d13 *d = s->d13;
	if (seen.checked || d == NULL || d->msgs == NULL || petrel_dtls_get_mtu(s) != 576)
		return;
	seen.checked = true;
	size_t maxdg = 576 - 28;
	for (size_t i = 0; i < d->frag_count; i++) {
		const struct d13_frag *f = &d->frags[i];
		if (cut_again(d, i)) {
			seen.replaced++;
			continue;
		}
		if (f->acked)
			seen.acked_bytes += f->len;
		else
			seen.pending_bytes += f->len;
		if (!f->acked && f->len + PETREL_HS_HEADER_LEN + 5 + 16 + 1 > maxdg)
			seen.oversized++;
	}
	for (size_t i = 0; i < d->msg_count; i++)
		seen.flight_bytes += d->msgs[i].len;
	for (size_t i = 0; i < D13_MAX_SENT; i++)
		if (d->sent[i].used && d->sent[i].frag >= d->frag_count)
			seen.bad_sent_index++;
}

static void run13(struct harness *h, uint64_t seed, size_t path, enum simnet_size_mode mode,
		  bool from_start, struct mtu_log *log, petrel_credentials **sc,
		  petrel_credentials **cc)
{
	*sc = fixture_rsa_chain_creds();
	*cc = harness_psk_creds();
	harness_init(h, seed, 0, 0, *cc, *sc);
	cr_assert_eq(petrel_session_set_versions(h->client.session, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_dtls_set_mtu_callback(h->server.session, on_mtu, log);
	memset(&seen, 0, sizeof seen);
	seen.path = path;
	seen.mode = mode;
	struct simnet_rules r = {.delay_ms = 10};
	if (from_start) {
		r.max_datagram = path;
		r.size_mode = mode;
		seen.shrunk = true;
	}
	simnet_set_rules(h->net, 0, &r);
	simnet_set_rules(h->net, 1, &r);
	h->server.on_send = shrink_after_first;
	cr_assert_eq(harness_run_handshake(h, 60000), 0, "client %s, server %s",
		     petrel_strerror(h->client.handshake_rc), petrel_strerror(h->server.handshake_rc));
	cr_assert_eq(petrel_session_get_version(h->server.session), PETREL_DTLS1_3);
	cr_assert_eq(harness_echo(h, "through the smaller path", 60000), 0);
}

static void done13(struct harness *h, petrel_credentials *sc, petrel_credentials *cc)
{
	harness_free(h);
	petrel_credentials_free(sc);
	petrel_credentials_free(cc);
}

Test(pmtu13, emsgsize_mid_flight_recuts_the_rest_and_completes)
{
	struct harness h;
	struct mtu_log log = {0};
	petrel_credentials *sc, *cc;
	run13(&h, 1, 800 - 28, SIMNET_REJECT, false, &log, &sc, &cc);
	cr_assert_geq(log.emsgsize, 1, "the refusal lowered the MTU");
	cr_assert_eq(log.black_hole, 0, "a hard signal needs no black-hole guessing");
	cr_assert_leq(petrel_dtls_get_mtu(h.server.session), 800);
	cr_assert_gt(seen.largest_after, 0);
	cr_assert_leq(seen.largest_after, 800 - 28, "sent %zu after the drop", seen.largest_after);
	cr_assert(seen.checked);
	cr_assert_eq(seen.oversized, 0, "every unacknowledged fragment fits the new MTU");
	cr_assert_eq(seen.bad_sent_index, 0);
	cr_assert_gt(seen.replaced, 0, "the large fragments were cut again");
	done13(&h, sc, cc);
}

Test(pmtu13, emsgsize_from_the_start_completes)
{
	struct harness h;
	struct mtu_log log = {0};
	petrel_credentials *sc, *cc;
	run13(&h, 2, 1000 - 28, SIMNET_REJECT, true, &log, &sc, &cc);
	cr_assert_geq(log.emsgsize, 1);
	cr_assert_eq(log.black_hole, 0);
	cr_assert_leq(h.server.largest_sent, 1000 - 28);
	cr_assert_eq(petrel_dtls_get_mtu(h.server.session), 1000, "the plateau that fits");
	done13(&h, sc, cc);
}

/* The first datagram gets through, the rest of the flight vanishes: the
 * client acknowledges what came (RFC 9147 7.1), the server's timer finds
 * the black hole (the 1.2 rule: base 1200, then the floor) and only the
 * unacknowledged rest goes again, cut for 576. */
Test(pmtu13, black_hole_mid_flight_resends_only_the_unacknowledged_rest)
{
	struct harness h;
	struct mtu_log log = {0};
	petrel_credentials *sc, *cc;
	run13(&h, 3, 800 - 28, SIMNET_BLACKHOLE, false, &log, &sc, &cc);
	cr_assert_geq(log.black_hole, 1);
	cr_assert_eq(log.emsgsize, 0);
	cr_assert_eq(petrel_dtls_get_mtu(h.server.session), 576);
	cr_assert(seen.checked, "a transmission at the floor");
	cr_assert_gt(seen.acked_bytes, 0, "the first datagram's fragments were acknowledged");
	cr_assert_lt(seen.pending_bytes + seen.acked_bytes, seen.flight_bytes + 1);
	cr_assert_lt(seen.pending_bytes, seen.flight_bytes, "acknowledged fragments are not resent");
	cr_assert_eq(seen.oversized, 0);
	cr_assert_eq(seen.bad_sent_index, 0);
	cr_assert_leq(seen.largest_after, 576 - 28);
	done13(&h, sc, cc);
}

/* Issue #20's goal on the simulated path: an 800-byte hop that drops
 * larger datagrams without a word, for 20 seeds, within 3 s each. */
Test(pmtu13, black_hole_at_800_bytes_completes_within_3s_every_run)
{
	uint64_t worst = 0;
	for (uint64_t seed = 60; seed < 80; seed++) {
		struct harness h;
		petrel_credentials *sc = fixture_rsa_chain_creds(), *cc = harness_psk_creds();
		harness_init(&h, seed, 0, 0, cc, sc);
		petrel_session_set_versions(h.client.session, PETREL_DTLS1_3, PETREL_DTLS1_3);
		petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
		struct simnet_rules r = {.delay_ms = 1 + seed % 20, .jitter_ms = 5,
					 .max_datagram = 800 - 28, .size_mode = SIMNET_BLACKHOLE};
		simnet_set_rules(h.net, 0, &r);
		simnet_set_rules(h.net, 1, &r);
		cr_assert_eq(harness_run_handshake(&h, 60000), 0, "seed %llu", (unsigned long long)seed);
		cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_DTLS1_3);
		cr_assert_lt(h.completed_ms, 3000, "seed %llu: %llu ms", (unsigned long long)seed,
			     (unsigned long long)h.completed_ms);
		if (h.completed_ms > worst)
			worst = h.completed_ms;
		cr_assert_eq(harness_echo(&h, "through 800 bytes", 10000), 0);
		cr_assert_leq(petrel_dtls_get_mtu(h.server.session), 800);
		done13(&h, sc, cc);
	}
	cr_log_info("1.3, 800-byte black hole: slowest of 20 runs %llu ms", (unsigned long long)worst);
}

Test(pmtu13, black_hole_with_20pct_loss_on_top)
{
	for (uint64_t seed = 30; seed < 30 + harness_seeds(20); seed++) {
		struct harness h;
		petrel_credentials *sc = fixture_rsa_chain_creds(), *cc = harness_psk_creds();
		harness_init(&h, seed, 0, 0, cc, sc);
		petrel_session_set_versions(h.client.session, PETREL_DTLS1_3, PETREL_DTLS1_3);
		petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
		struct simnet_rules r = {.drop_per_million = 200000, .delay_ms = 10,
					 .max_datagram = 600, .size_mode = SIMNET_BLACKHOLE};
		simnet_set_rules(h.net, 0, &r);
		simnet_set_rules(h.net, 1, &r);
		cr_assert_eq(harness_run_handshake(&h, 60000), 0, "seed %llu", (unsigned long long)seed);
		cr_assert_eq(harness_echo(&h, "lossy and small", 60000), 0);
		cr_assert_leq(petrel_dtls_get_mtu(h.server.session) - 28, 600);
		done13(&h, sc, cc);
	}
}

/* PETREL_FLAG_NO_PMTUD keeps the MTU for 1.3 flights too. */
Test(pmtu13, discovery_can_be_disabled)
{
	struct harness h;
	petrel_credentials *sc = fixture_rsa_chain_creds(), *cc = harness_psk_creds();
	harness_init(&h, 24, 0, PETREL_FLAG_NO_PMTUD, cc, sc);
	petrel_session_set_versions(h.client.session, PETREL_DTLS1_3, PETREL_DTLS1_3);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_dtls_set_timeouts(h.server.session, 0, 5000);
	petrel_dtls_set_timeouts(h.client.session, 0, 5000);
	struct simnet_rules r = {.delay_ms = 10, .max_datagram = 600, .size_mode = SIMNET_BLACKHOLE};
	simnet_set_rules(h.net, 1, &r);
	cr_assert_neq(harness_run_handshake(&h, 10000), 0, "without discovery the black hole wins");
	cr_assert_eq(petrel_dtls_get_mtu(h.server.session), 1500);
	done13(&h, sc, cc);
}

/* ---- the flight's bookkeeping alone (epoch 0: plaintext records) ---- */

static struct {
	uint8_t dg[64][1600];
	size_t len[64];
	unsigned n;
} wire;

static long capture_push(void *ptr, const uint8_t *data, size_t len)
{
	(void)ptr;
	cr_assert_lt(wire.n, 64);
	cr_assert_leq(len, sizeof wire.dg[0]);
	memcpy(wire.dg[wire.n], data, len);
	wire.len[wire.n++] = len;
	return (long)len;
}

/* Record numbers (epoch 0: the 48-bit sequence number of the DTLS 1.2
 * header, RFC 9147 5) of every record captured. */
static size_t captured_seqs(uint64_t *seqs, size_t cap)
{
	size_t n = 0;
	for (unsigned i = 0; i < wire.n; i++) {
		size_t off = 0;
		while (off + 13 <= wire.len[i] && n < cap) {
			const uint8_t *r = wire.dg[i] + off;
			uint64_t seq = 0;
			for (int b = 0; b < 6; b++)
				seq = seq << 8 | r[5 + b];
			seqs[n++] = seq;
			off += 13 + ((size_t)r[11] << 8 | r[12]);
		}
	}
	return n;
}

static size_t ack_body(uint8_t *body, size_t cap, const uint64_t *seqs, size_t n)
{
	struct petrel_record_number rn[8];
	cr_assert_leq(n, 8);
	for (size_t i = 0; i < n; i++)
		rn[i] = (struct petrel_record_number){0, seqs[i]};
	struct petrel_writer w;
	petrel_writer_init(&w, body, cap);
	cr_assert_eq(petrel_ack_write(&w, rn, n), 0);
	return petrel_writer_len(&w);
}

/* RFC 9147 7: an ACK names records. A record sent before the MTU dropped
 * carried a fragment that has since been cut into pieces (sent in new
 * records): a late ACK of the old record still covers every piece, and
 * ACKs of the old records alone complete the flight. */
Test(pmtu13, ack_of_a_record_sent_before_the_cut_covers_its_pieces)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_SERVER), 0);
	petrel_transport_set_push_function(s, capture_push);
	struct petrel_d13 *d = calloc(1, sizeof *d);
	cr_assert_not_null(d);
	s->d13 = d;
	cr_assert_eq(petrel_rto_init(&d->rto, 0, 0, 0), 0);
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	uint8_t *body = malloc(2000);
	cr_assert_not_null(body);
	for (size_t i = 0; i < 2000; i++)
		body[i] = (uint8_t)i;
	out.msgs[0] = (struct petrel_hs13_out_msg){PETREL_HS_CERTIFICATE, 0, body, 2000};
	out.msg_count = 1;
	memset(&wire, 0, sizeof wire);
	cr_assert_eq(petrel_flight13_take(s, &out, 0, 1, 0), 0);
	cr_assert_eq(petrel_flight13_send(s, 0, false), 0);
	uint64_t first[8];
	size_t nfirst = captured_seqs(first, 8);
	cr_assert_eq(nfirst, 2, "2000 bytes in two records at MTU 1500");
	cr_assert_eq(d->frag_count, 2);

	/* The path shrinks before anything is acknowledged. */
	petrel_dtls_set_mtu(s, 576);
	memset(&wire, 0, sizeof wire);
	cr_assert_eq(petrel_flight13_send(s, 100, true), 0);
	uint64_t again[16];
	size_t nagain = captured_seqs(again, 16);
	cr_assert_geq(nagain, 4, "cut again into pieces for 576: %zu records", nagain);
	for (unsigned i = 0; i < wire.n; i++)
		cr_assert_leq(wire.len[i], 576 - 28);
	for (size_t i = 0; i < nagain; i++)
		cr_assert_gt(again[i], first[1], "pieces go in new records (RFC 9147 4.4)");
	cr_assert_gt(d->frag_count, 2);

	/* A late ACK of the first old record: its pieces count as received;
	 * the rest (the second fragment's pieces) is resent at once. */
	uint8_t ack[64];
	memset(&wire, 0, sizeof wire);
	size_t alen = ack_body(ack, sizeof ack, &first[0], 1);
	cr_assert_eq(petrel_flight13_on_ack(s, ack, alen, 200), 0);
	cr_assert(d->flight_active);
	uint32_t first_len = d->frags[0].len;
	size_t resent_bytes = 0;
	for (size_t i = 0; i < d->frag_count; i++) {
		const struct d13_frag *f = &d->frags[i];
		if (f->off + f->len <= first_len)
			cr_assert(f->acked, "fragment at %u+%u covered by the old record", f->off, f->len);
		else if (!cut_again(d, i) && !f->acked)
			resent_bytes += f->len;
	}
	cr_assert_eq(resent_bytes, 2000 - first_len, "only the second fragment's pieces are left");
	uint64_t partial[16];
	size_t npartial = captured_seqs(partial, 16);
	cr_assert_geq(npartial, 1);
	cr_assert_lt(npartial, nagain, "the acknowledged part is not resent");

	/* The ACK of the second old record completes the flight. */
	alen = ack_body(ack, sizeof ack, &first[1], 1);
	cr_assert_eq(petrel_flight13_on_ack(s, ack, alen, 300), 1);
	cr_assert_not(d->flight_active);

	petrel_flight13_clear(d);
	free(d);
	s->d13 = NULL;
	petrel_session_free(s);
}
