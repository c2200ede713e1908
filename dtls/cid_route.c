/* CIDs that name their worker and server (dtls/cid_route.h). */
#include "dtls/cid_route.h"

#include <string.h>

#include "common/reader.h"
#include "crypto/crypto.h"
#include "record/cid.h"
#include "record/header13.h"

int petrel_cid_route_check(const struct petrel_cid_route_config *cfg)
{
	if (cfg == NULL || cfg->config_id >= PETREL_CID_ROUTE_UNROUTABLE ||
	    cfg->cid_len < PETREL_CID_ROUTE_MIN_LEN || cfg->cid_len > PETREL_CID_ROUTE_MAX_LEN ||
	    cfg->server_id_len > PETREL_CID_ROUTE_MAX_SERVER_ID)
		return PETREL_E_INVALID_REQUEST;
	/* Enough random bytes after the ids that a CID cannot be guessed from
	 * another one of the same worker. */
	if ((size_t)cfg->cid_len < 1u + cfg->server_id_len + PETREL_CID_ROUTE_MIN_RANDOM)
		return PETREL_E_INVALID_REQUEST;
	return 0;
}

int petrel_cid_route_issue(const struct petrel_cid_route_config *cfg, unsigned worker_id,
			   uint8_t *cid, size_t cap)
{
	if (petrel_cid_route_check(cfg) < 0 || worker_id >= PETREL_CID_ROUTE_MAX_WORKERS ||
	    cid == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (cap < cfg->cid_len)
		return PETREL_E_SHORT_BUFFER;
	struct petrel_writer w;
	petrel_writer_init(&w, cid, cap);
	petrel_put_u8(&w, petrel_cid_route_first_byte(cfg->config_id, worker_id));
	petrel_put_bytes(&w, cfg->server_id, cfg->server_id_len);
	size_t random_len = (size_t)cfg->cid_len - 1u - cfg->server_id_len;
	petrel_random(cid + petrel_writer_len(&w), random_len);
	return cfg->cid_len;
}

/* The CID bytes of the datagram's first record, through the record
 * parsers: NULL when it carries none of our length. */
const uint8_t *petrel_cid_datagram_cid(const uint8_t *d, size_t len, size_t cid_len)
{
	struct petrel_reader r;
	if (len == 0)
		return NULL;
	petrel_reader_init(&r, d, len);
	switch (petrel_record_kind(d[0])) {
	case PETREL_REC_TLS12_CID: {
		struct petrel_cid_header h;
		return petrel_cid_header_read(&r, cid_len, &h) ? h.cid : NULL;
	}
	case PETREL_REC_UNIFIED: {
		struct petrel_dtls13_header h;
		const uint8_t *body;
		if (!(d[0] & PETREL_DTLS13_FLAG_CID) ||
		    !petrel_dtls13_header_read(&r, cid_len, &h, &body))
			return NULL;
		return h.cid;
	}
	default:
		return NULL;
	}
}

int petrel_cid_route_from_datagram(const struct petrel_cid_route_config *cfg, const uint8_t *dgram,
				   size_t len, struct petrel_cid_route *out)
{
	if (petrel_cid_route_check(cfg) < 0 || dgram == NULL || out == NULL)
		return 0;
	const uint8_t *cid = petrel_cid_datagram_cid(dgram, len, cfg->cid_len);
	if (cid == NULL)
		return 0;
	unsigned config_id = cid[0] >> PETREL_CID_ROUTE_CONFIG_SHIFT;
	if (config_id == PETREL_CID_ROUTE_UNROUTABLE)
		return 0;
	out->config_id = (uint8_t)config_id;
	out->worker_id = (uint8_t)(cid[0] & PETREL_CID_ROUTE_WORKER_MASK);
	out->server_id = cid + 1;
	out->cid = cid;
	return 1;
}
