/* The DTLS 1.3 record layer of a session: an epoch table of four slots
 * per direction (epoch mod 4: epochs 0-3, then each KeyUpdate's, issue
 * #18), epoch 0 in the DTLSPlaintext header, the others in the unified
 * header (RFC 9147 4) through epoch13. */
#include <stdlib.h>
#include <string.h>

#include "dtls13/cid13_record.h"
#include "dtls13/engine13_internal.h"

/* Slots are heap blocks of the epochs in use: an idle session past its
 * handshake holds two (epoch 3 or a KeyUpdate's, each direction). */
static void slot_free(struct petrel_dtls13_epoch **slot)
{
	if (*slot == NULL)
		return;
	petrel_dtls13_epoch_clear(*slot);
	free(*slot);
	*slot = NULL;
}

int petrel_rl13_install(struct petrel_d13 *d, bool write, uint64_t epoch, const uint8_t *secret,
			size_t secret_len)
{
	(void)secret_len;
	struct petrel_dtls13_traffic_keys k;
	int rc = petrel_dtls13_traffic_keys(d->hash, PETREL_DTLS13_LABEL_PREFIX, d->aead, secret, &k);
	if (rc < 0)
		return rc;
	struct petrel_dtls13_epoch **slot = write ? &d->wr[epoch % D13_SLOTS] : &d->rd[epoch % D13_SLOTS];
	if (*slot == NULL)
		*slot = calloc(1, sizeof **slot);
	else
		petrel_dtls13_epoch_clear(*slot);
	rc = *slot ? petrel_dtls13_epoch_init(*slot, epoch, &k, d->counter_order) : PETREL_E_MEMORY;
	petrel_dtls13_traffic_keys_wipe(&k);
	if (rc < 0) {
		if (*slot != NULL)
			slot_free(slot);
		return rc;
	}
	if (write && epoch > d->wr_epoch)
		d->wr_epoch = epoch;
	if (!write && epoch > d->rd_epoch)
		d->rd_epoch = epoch;
	return 0;
}

static struct petrel_dtls13_epoch *slot(struct petrel_dtls13_epoch *const *tab, uint64_t epoch)
{
	struct petrel_dtls13_epoch *e = tab[epoch % D13_SLOTS];
	return epoch > 0 && e != NULL && e->in_use && e->epoch == epoch ? e : NULL;
}

struct petrel_dtls13_epoch *petrel_rl13_read(struct petrel_d13 *d, uint64_t epoch)
{
	return slot(d->rd, epoch);
}

struct petrel_dtls13_epoch *petrel_rl13_write(struct petrel_d13 *d, uint64_t epoch)
{
	return slot(d->wr, epoch);
}

int petrel_rl13_seal(struct petrel_d13 *d, uint64_t epoch, uint8_t ct, const uint8_t *payload,
		     size_t len, struct petrel_writer *w, uint64_t *seq)
{
	if (epoch == 0) {
		/* RFC 9147 5: epoch 0 keeps the DTLS 1.2 record header, version
		 * {254, 253}. */
		if (petrel_writer_left(w) < PETREL_RECORD_HEADER_LEN + len || len > 0xffff)
			return PETREL_E_SHORT_BUFFER;
		petrel_put_u8(w, ct);
		petrel_put_u16(w, 0xFEFDu);
		petrel_put_u16(w, 0);
		petrel_put_u48(w, d->plain_seq);
		petrel_put_u16(w, (uint16_t)len);
		petrel_put_bytes(w, payload, len);
		if (seq != NULL)
			*seq = d->plain_seq;
		d->plain_seq++;
		return 0;
	}
	struct petrel_dtls13_epoch *e = slot(d->wr, epoch);
	if (e == NULL)
		return PETREL_E_INTERNAL;
	struct petrel_dtls13_send_opts o = {.seq16 = true, .with_length = true};
	petrel_cid13_send_opts(&d->cfg.cid, &o); /* RFC 9147 9: the peer's CID */
	return petrel_dtls13_epoch_seal(e, &o, ct, payload, len, w, seq);
}

size_t petrel_rl13_overhead(const struct petrel_d13 *d, uint64_t epoch)
{
	if (epoch == 0)
		return PETREL_RECORD_HEADER_LEN;
	const uint8_t *cid;
	size_t cid_len;
	petrel_cid13_tx(&d->cfg.cid, &cid, &cid_len);
	return petrel_dtls13_record_overhead(d->aead, cid_len, true, true);
}

void petrel_rl13_clear(struct petrel_d13 *d)
{
	for (size_t i = 0; i < D13_SLOTS; i++) {
		slot_free(&d->rd[i]);
		slot_free(&d->wr[i]);
	}
}

void petrel_rl13_set_counter_order(struct petrel_d13 *d, enum petrel_rn_chacha_counter order)
{
	d->counter_order = order;
	for (size_t i = 0; i < D13_SLOTS; i++) {
		if (d->rd[i] != NULL)
			d->rd[i]->counter_order = order;
		if (d->wr[i] != NULL)
			d->wr[i]->counter_order = order;
	}
}

bool petrel_rl13_holds_cache(const struct petrel_d13 *d)
{
	for (size_t i = 0; i < D13_SLOTS; i++)
		if ((d->rd[i] != NULL && petrel_dtls13_epoch_holds_cache(d->rd[i])) ||
		    (d->wr[i] != NULL && petrel_dtls13_epoch_holds_cache(d->wr[i])))
			return true;
	return false;
}

void petrel_rl13_release_cache(struct petrel_d13 *d)
{
	for (size_t i = 0; i < D13_SLOTS; i++) {
		if (d->rd[i] != NULL)
			petrel_dtls13_epoch_release(d->rd[i]);
		if (d->wr[i] != NULL)
			petrel_dtls13_epoch_release(d->wr[i]);
	}
}

void petrel_rl13_retire(struct petrel_d13 *d, uint64_t epoch)
{
	if (slot(d->rd, epoch) != NULL)
		slot_free(&d->rd[epoch % D13_SLOTS]);
	if (slot(d->wr, epoch) != NULL)
		slot_free(&d->wr[epoch % D13_SLOTS]);
}

static size_t epoch_bytes(const struct petrel_dtls13_epoch *e)
{
	if (e == NULL)
		return 0;
	return sizeof *e + petrel_dtls13_epoch_cache_bytes(e);
}

size_t petrel_rl13_heap_bytes(const struct petrel_d13 *d)
{
	size_t n = 0;
	for (size_t i = 0; i < D13_SLOTS; i++)
		n += epoch_bytes(d->rd[i]) + epoch_bytes(d->wr[i]);
	return n;
}
