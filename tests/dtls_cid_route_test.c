/* CIDs that name their worker and server (dtls/cid_route.h): the layout
 * issued, and the worker read back from both record formats that carry a
 * CID (RFC 9146 4 tls12_cid, RFC 9147 4 unified header). */
#include <criterion/criterion.h>
#include <string.h>

#include "common/reader.h"
#include "dtls/cid_route.h"
#include "petrel/petrel.h"
#include "record/cid.h"
#include "record/header13.h"

static const struct petrel_cid_route_config cfg8 = {
	.config_id = 1, .cid_len = 8, .server_id_len = 2, .server_id = {0xab, 0xcd}};

/* A tls12_cid record with a 16-byte body, as record/cid.c writes it. */
static size_t tls12_cid_datagram(const uint8_t *cid, size_t cid_len, uint8_t *buf, size_t cap)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	struct petrel_cid_header h = {.version = 0xfefd, .epoch = 1, .seq = 7, .cid = cid,
				      .cid_len = cid_len, .length = 16};
	cr_assert(petrel_cid_header_write(&w, &h));
	uint8_t body[16] = {0};
	cr_assert(petrel_put_bytes(&w, body, sizeof body));
	return petrel_writer_len(&w);
}

static size_t unified_datagram(const uint8_t *cid, size_t cid_len, uint8_t *buf, size_t cap)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	struct petrel_dtls13_header_params p = {.epoch = 3, .seq = 9, .cid = cid, .cid_len = cid_len,
						.seq16 = true, .with_length = true, .length = 20};
	cr_assert(petrel_dtls13_header_write(&w, &p, NULL));
	uint8_t body[20] = {0};
	cr_assert(petrel_put_bytes(&w, body, sizeof body));
	return petrel_writer_len(&w);
}

Test(dtls_cid_route, issued_cid_carries_config_worker_and_server_id_then_random)
{
	uint8_t a[PETREL_CID_ROUTE_MAX_LEN], b[PETREL_CID_ROUTE_MAX_LEN];
	cr_assert_eq(petrel_cid_route_issue(&cfg8, 37, a, sizeof a), 8);
	cr_assert_eq(petrel_cid_route_issue(&cfg8, 37, b, sizeof b), 8);
	cr_assert_eq(a[0], (1u << 6) | 37u);
	cr_assert_eq(a[1], 0xab);
	cr_assert_eq(a[2], 0xcd);
	cr_assert_eq(memcmp(a, b, 3), 0);
	/* Five random bytes: two CIDs of one worker differ there. */
	cr_assert_neq(memcmp(a + 3, b + 3, 5), 0);
}

Test(dtls_cid_route, bad_configurations_and_worker_ids_are_refused)
{
	uint8_t cid[32];
	struct petrel_cid_route_config c = cfg8;
	cr_assert_eq(petrel_cid_route_issue(&c, 64, cid, sizeof cid), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_cid_route_issue(&c, 1, cid, 7), PETREL_E_SHORT_BUFFER);
	c.config_id = 3; /* unroutable: never issued */
	cr_assert_eq(petrel_cid_route_check(&c), PETREL_E_INVALID_REQUEST);
	c = cfg8;
	c.cid_len = 3;
	cr_assert_eq(petrel_cid_route_check(&c), PETREL_E_INVALID_REQUEST);
	c.cid_len = 21;
	cr_assert_eq(petrel_cid_route_check(&c), PETREL_E_INVALID_REQUEST);
	/* 1 + 2 server id bytes leave only 2 random bytes in a 5-byte CID. */
	c.cid_len = 5;
	cr_assert_eq(petrel_cid_route_check(&c), PETREL_E_INVALID_REQUEST);
	c.cid_len = 6;
	cr_assert_eq(petrel_cid_route_check(&c), 0);
	c.server_id_len = 9;
	c.cid_len = 20;
	cr_assert_eq(petrel_cid_route_check(&c), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_cid_route_check(NULL), PETREL_E_INVALID_REQUEST);
}

Test(dtls_cid_route, worker_is_read_from_a_tls12_cid_record)
{
	uint8_t cid[8], d[64];
	cr_assert_eq(petrel_cid_route_issue(&cfg8, 5, cid, sizeof cid), 8);
	size_t len = tls12_cid_datagram(cid, 8, d, sizeof d);
	cr_assert_eq(d[0], 25);
	cr_assert_eq(d[PETREL_CID_ROUTE_TLS12_OFFSET], cid[0]);
	struct petrel_cid_route r;
	cr_assert_eq(petrel_cid_route_from_datagram(&cfg8, d, len, &r), 1);
	cr_assert_eq(r.worker_id, 5);
	cr_assert_eq(r.config_id, 1);
	cr_assert_eq(r.server_id[0], 0xab);
	cr_assert_eq(r.server_id[1], 0xcd);
	cr_assert_eq(memcmp(r.cid, cid, 8), 0);
	/* Truncated inside the header: no CID to route on. */
	cr_assert_eq(petrel_cid_route_from_datagram(&cfg8, d, 11 + 8 + 1, &r), 0);
}

Test(dtls_cid_route, worker_is_read_from_a_dtls13_unified_header_with_cid)
{
	uint8_t cid[8], d[64];
	cr_assert_eq(petrel_cid_route_issue(&cfg8, 63, cid, sizeof cid), 8);
	size_t len = unified_datagram(cid, 8, d, sizeof d);
	cr_assert_eq(d[0] & 0xf0, 0x30);
	cr_assert_eq(d[PETREL_CID_ROUTE_UNIFIED_OFFSET], cid[0]);
	struct petrel_cid_route r;
	cr_assert_eq(petrel_cid_route_from_datagram(&cfg8, d, len, &r), 1);
	cr_assert_eq(r.worker_id, 63);
	/* The same header without C carries no CID. */
	len = unified_datagram(NULL, 0, d, sizeof d);
	cr_assert_eq(petrel_cid_route_from_datagram(&cfg8, d, len, &r), 0);
}

Test(dtls_cid_route, client_hello_plain_records_and_unroutable_cids_route_by_address)
{
	struct petrel_cid_route r;
	/* Plaintext handshake record (a ClientHello's header). */
	uint8_t hello[40] = {22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 27, 1};
	cr_assert_eq(petrel_cid_route_from_datagram(&cfg8, hello, sizeof hello, &r), 0);
	uint8_t empty[1];
	cr_assert_eq(petrel_cid_route_from_datagram(&cfg8, empty, 0, &r), 0);
	/* Config 3 marks a CID no rule routes (QUIC-LB's unroutable). */
	uint8_t cid[8] = {(3u << 6) | 2u, 0xab, 0xcd, 1, 2, 3, 4, 5}, d[64];
	size_t len = tls12_cid_datagram(cid, 8, d, sizeof d);
	cr_assert_eq(petrel_cid_route_from_datagram(&cfg8, d, len, &r), 0);
}
