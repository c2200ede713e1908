/* Hello extensions block codec (dtls/msg_extensions.c) and the list helpers:
 * round trips of every known extension, stable write order, duplicate and
 * unknown types, and each extension's own bounds (RFC 5246 7.4.1.4,
 * RFC 6066, RFC 8422 5.1, RFC 5764 4.1.1, RFC 6520, RFC 7301, RFC 7366,
 * RFC 7627, RFC 8449, RFC 5077, RFC 9146, RFC 5746). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/messages.h"
#include "petrel/petrel.h"

static const uint8_t host[] = "example.com";
static const uint8_t groups[] = {0x00, 0x1d, 0x00, 0x17, 0x00, 0x18};
static const uint8_t formats[] = {0};
static const uint8_t sigalgs[] = {0x04, 0x03, 0x08, 0x07};
static const uint8_t srtp1[] = {0x00, 0x07};
static const uint8_t srtp2[] = {0x00, 0x07, 0x00, 0x01};
static const uint8_t mki[] = {0xab};
static const uint8_t alpn2[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
static const uint8_t alpn1[] = {2, 'h', '2'};
static const uint8_t ticket[] = {0xde, 0xad, 0xbe, 0xef};
static const uint8_t cid[] = {1, 2, 3, 4};
static const uint8_t verify_data[] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};

static void fill_all(struct petrel_extensions *e, enum petrel_msg_origin origin)
{
	memset(e, 0, sizeof(*e));
	e->has_server_name = true;
	if (origin == PETREL_FROM_CLIENT) {
		e->server_name = host;
		e->server_name_len = 11;
	}
	e->has_max_fragment_length = true;
	e->max_fragment_length = 2;
	e->has_supported_groups = true;
	e->supported_groups = groups;
	e->supported_groups_len = sizeof(groups);
	e->has_ec_point_formats = true;
	e->ec_point_formats = formats;
	e->ec_point_formats_len = 1;
	e->has_signature_algorithms = true;
	e->signature_algorithms = sigalgs;
	e->signature_algorithms_len = sizeof(sigalgs);
	e->has_use_srtp = true;
	e->srtp_profiles = origin == PETREL_FROM_CLIENT ? srtp2 : srtp1;
	e->srtp_profiles_len = origin == PETREL_FROM_CLIENT ? 4 : 2;
	e->srtp_mki = mki;
	e->srtp_mki_len = 1;
	e->has_heartbeat = true;
	e->heartbeat_mode = 2;
	e->has_alpn = true;
	e->alpn = origin == PETREL_FROM_CLIENT ? alpn2 : alpn1;
	e->alpn_len = origin == PETREL_FROM_CLIENT ? sizeof(alpn2) : sizeof(alpn1);
	e->encrypt_then_mac = true;
	e->extended_master_secret = true;
	e->has_record_size_limit = true;
	e->record_size_limit = 1400;
	e->has_session_ticket = true;
	e->session_ticket = ticket;
	e->session_ticket_len = sizeof(ticket);
	e->has_connection_id = true;
	e->connection_id = cid;
	e->connection_id_len = sizeof(cid);
	e->has_renegotiation_info = true;
	e->renegotiation_info = verify_data;
	e->renegotiation_info_len = sizeof(verify_data);
}

/* Write ext, then return the block body (after its u16 length). */
static size_t write_block(const struct petrel_extensions *e, enum petrel_msg_origin origin,
			  uint8_t *buf, size_t cap, const uint8_t **body)
{
	struct petrel_writer w;
	petrel_writer_init(&w, buf, cap);
	cr_assert_eq(petrel_extensions_write(&w, origin, e), 0);
	size_t n = petrel_writer_len(&w);
	cr_assert_geq(n, 2);
	cr_assert_eq((size_t)(buf[0] << 8 | buf[1]), n - 2);
	*body = buf + 2;
	return n - 2;
}

static void assert_all_equal(const struct petrel_extensions *a, const struct petrel_extensions *b)
{
	cr_assert_eq(a->has_server_name, b->has_server_name);
	cr_assert_eq(a->server_name_len, b->server_name_len);
	if (a->server_name_len)
		cr_assert_arr_eq(a->server_name, b->server_name, a->server_name_len);
	cr_assert_eq(a->max_fragment_length, b->max_fragment_length);
	cr_assert_eq(a->supported_groups_len, b->supported_groups_len);
	cr_assert_arr_eq(a->supported_groups, b->supported_groups, a->supported_groups_len);
	cr_assert_arr_eq(a->ec_point_formats, b->ec_point_formats, a->ec_point_formats_len);
	cr_assert_eq(a->signature_algorithms_len, b->signature_algorithms_len);
	cr_assert_arr_eq(a->signature_algorithms, b->signature_algorithms,
			 a->signature_algorithms_len);
	cr_assert_eq(a->srtp_profiles_len, b->srtp_profiles_len);
	cr_assert_arr_eq(a->srtp_profiles, b->srtp_profiles, a->srtp_profiles_len);
	cr_assert_eq(a->srtp_mki_len, b->srtp_mki_len);
	cr_assert_arr_eq(a->srtp_mki, b->srtp_mki, a->srtp_mki_len);
	cr_assert_eq(a->heartbeat_mode, b->heartbeat_mode);
	cr_assert_eq(a->alpn_len, b->alpn_len);
	cr_assert_arr_eq(a->alpn, b->alpn, a->alpn_len);
	cr_assert_eq(a->encrypt_then_mac, b->encrypt_then_mac);
	cr_assert_eq(a->extended_master_secret, b->extended_master_secret);
	cr_assert_eq(a->record_size_limit, b->record_size_limit);
	cr_assert_eq(a->session_ticket_len, b->session_ticket_len);
	cr_assert_arr_eq(a->session_ticket, b->session_ticket, a->session_ticket_len);
	cr_assert_eq(a->connection_id_len, b->connection_id_len);
	cr_assert_arr_eq(a->connection_id, b->connection_id, a->connection_id_len);
	cr_assert_eq(a->renegotiation_info_len, b->renegotiation_info_len);
	cr_assert_arr_eq(a->renegotiation_info, b->renegotiation_info, a->renegotiation_info_len);
	cr_assert(b->has_max_fragment_length && b->has_supported_groups && b->has_ec_point_formats &&
		  b->has_signature_algorithms && b->has_use_srtp && b->has_heartbeat && b->has_alpn &&
		  b->has_record_size_limit && b->has_session_ticket && b->has_connection_id &&
		  b->has_renegotiation_info);
	cr_assert_eq(b->unknown_count, 0);
}

Test(dtls_msg_ext, every_extension_round_trips_from_client)
{
	struct petrel_extensions in, out;
	uint8_t buf[512];
	const uint8_t *body;

	fill_all(&in, PETREL_FROM_CLIENT);
	size_t n = write_block(&in, PETREL_FROM_CLIENT, buf, sizeof(buf), &body);
	cr_assert_eq(petrel_extensions_parse(body, n, PETREL_FROM_CLIENT, &out), 0);
	assert_all_equal(&in, &out);
}

Test(dtls_msg_ext, every_extension_round_trips_from_server)
{
	struct petrel_extensions in, out;
	uint8_t buf[512];
	const uint8_t *body;

	fill_all(&in, PETREL_FROM_SERVER);
	size_t n = write_block(&in, PETREL_FROM_SERVER, buf, sizeof(buf), &body);
	/* RFC 6066 3: the server's server_name is empty: type 0, length 0 first. */
	static const uint8_t sni_empty[] = {0, 0, 0, 0};
	cr_assert_arr_eq(body, sni_empty, 4);
	cr_assert_eq(petrel_extensions_parse(body, n, PETREL_FROM_SERVER, &out), 0);
	assert_all_equal(&in, &out);
	cr_assert(out.has_server_name);
}

Test(dtls_msg_ext, writer_emits_extensions_in_stable_order)
{
	struct petrel_extensions in;
	uint8_t buf[512];
	const uint8_t *body;
	static const uint16_t order[] = {0, 1, 10, 11, 13, 14, 15, 16, 22, 23, 28, 35, 54, 0xff01};

	fill_all(&in, PETREL_FROM_CLIENT);
	size_t n = write_block(&in, PETREL_FROM_CLIENT, buf, sizeof(buf), &body);
	size_t off = 0, i = 0;
	while (off < n) {
		cr_assert_lt(i, sizeof(order) / sizeof(order[0]));
		cr_assert_eq(body[off] << 8 | body[off + 1], order[i], "position %zu", i);
		off += 4 + (size_t)(body[off + 2] << 8 | body[off + 3]);
		i++;
	}
	cr_assert_eq(off, n);
	cr_assert_eq(i, 14);
}

Test(dtls_msg_ext, writer_emits_only_selected_extensions)
{
	struct petrel_extensions in = {0};
	uint8_t buf[64];
	struct petrel_writer w;

	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_CLIENT, &in), 0);
	cr_assert_eq(petrel_writer_len(&w), 2);
	cr_assert_eq(buf[0] | buf[1], 0);

	in.extended_master_secret = true;
	in.has_renegotiation_info = true;
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_SERVER, &in), 0);
	static const uint8_t expect[] = {0x00, 0x09, 0x00, 0x17, 0x00, 0x00,
					 0xff, 0x01, 0x00, 0x01, 0x00};
	cr_assert_eq(petrel_writer_len(&w), sizeof(expect));
	cr_assert_arr_eq(buf, expect, sizeof(expect));
}

Test(dtls_msg_ext, writer_refuses_out_of_bounds_fields)
{
	struct petrel_extensions in = {0};
	uint8_t buf[512];
	static const uint8_t big[256];
	struct petrel_writer w;

	in.has_connection_id = true;
	in.connection_id = big;
	in.connection_id_len = 256;
	petrel_writer_init(&w, buf, sizeof(buf));
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_CLIENT, &in), PETREL_E_INVALID_REQUEST);
	memset(&in, 0, sizeof(in));
	in.has_supported_groups = true;
	in.supported_groups = groups;
	in.supported_groups_len = 3;
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_CLIENT, &in), PETREL_E_INVALID_REQUEST);
	memset(&in, 0, sizeof(in));
	in.has_server_name = true; /* a client must name a host */
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_CLIENT, &in), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_SERVER, &in), 0);
}

Test(dtls_msg_ext, writer_reports_short_buffer_at_every_size)
{
	struct petrel_extensions in;
	uint8_t full[512];
	const uint8_t *body;

	fill_all(&in, PETREL_FROM_CLIENT);
	size_t n = write_block(&in, PETREL_FROM_CLIENT, full, sizeof(full), &body) + 2;
	for (size_t cap = 0; cap < n; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);
		struct petrel_writer w;
		petrel_writer_init(&w, buf, cap);
		cr_assert_eq(petrel_extensions_write(&w, PETREL_FROM_CLIENT, &in), PETREL_E_SHORT_BUFFER);
		free(buf);
	}
}

/* ---- Parsing hand-built blocks ---- */

/* Parse one extension (type, body) as a block. The block is an exact-size
 * heap copy (so ASan sees overreads) kept alive until the next call, since
 * the parsed struct points into it. */
static uint8_t *last_block;

static void release_last_block(void)
{
	free(last_block);
	last_block = NULL;
}

TestSuite(dtls_msg_ext, .fini = release_last_block);

static int parse1(uint16_t type, const uint8_t *body, size_t len, enum petrel_msg_origin origin,
		  struct petrel_extensions *out)
{
	release_last_block();
	uint8_t *block = last_block = malloc(len + 4);
	petrel_store_u16(block, type);
	petrel_store_u16(block + 2, (uint16_t)len);
	if (len)
		memcpy(block + 4, body, len);
	return petrel_extensions_parse(block, len + 4, origin, out);
}

#define PARSE1(type, origin, ...)                                                             \
	({                                                                                    \
		static const uint8_t body_[] = {__VA_ARGS__};                                 \
		parse1(type, body_, sizeof(body_), origin, &out);                             \
	})
#define C PETREL_FROM_CLIENT
#define S PETREL_FROM_SERVER

Test(dtls_msg_ext, duplicate_extension_types_are_decode_errors)
{
	struct petrel_extensions out;
	static const uint8_t dup_known[] = {0x00, 0x17, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00,
					    0x00, 0x17, 0x00, 0x00};
	static const uint8_t dup_unknown[] = {0x12, 0x34, 0x00, 0x01, 0xaa,
					      0x12, 0x34, 0x00, 0x00};
	static const uint8_t two_unknown[] = {0x12, 0x34, 0x00, 0x01, 0xaa,
					      0x12, 0x35, 0x00, 0x00};

	cr_assert_eq(petrel_extensions_parse(dup_known, sizeof(dup_known), C, &out),
		     PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_extensions_parse(dup_unknown, sizeof(dup_unknown), C, &out),
		     PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_extensions_parse(two_unknown, sizeof(two_unknown), C, &out), 0);
	cr_assert_eq(out.unknown_count, 2);
}

Test(dtls_msg_ext, empty_block_and_truncated_headers)
{
	struct petrel_extensions out;
	static const uint8_t partial[] = {0x00, 0x17, 0x00};
	static const uint8_t overlong[] = {0x00, 0x17, 0x00, 0x01};

	cr_assert_eq(petrel_extensions_parse(NULL, 0, C, &out), 0);
	cr_assert_eq(petrel_extensions_parse(partial, sizeof(partial), C, &out), PETREL_E_DECODE_ERROR);
	cr_assert_eq(petrel_extensions_parse(overlong, sizeof(overlong), C, &out),
		     PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_ext, server_name_rules)
{
	struct petrel_extensions out;

	cr_assert_eq(PARSE1(0, C, 0, 6, 0, 0, 3, 'a', '.', 'b'), 0);
	cr_assert_eq(out.server_name_len, 3);
	cr_assert_arr_eq(out.server_name, "a.b", 3);
	/* Unknown name types are skipped; the host_name is still found. */
	cr_assert_eq(PARSE1(0, C, 0, 10, 7, 0, 1, 'x', 0, 0, 3, 'a', '.', 'b'), 0);
	cr_assert_arr_eq(out.server_name, "a.b", 3);
	/* Two host names: RFC 6066 3 forbids it. */
	cr_assert_eq(PARSE1(0, C, 0, 8, 0, 0, 1, 'a', 0, 0, 1, 'b'), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(PARSE1(0, C, 0, 3, 0, 0, 0), PETREL_E_DECODE_ERROR); /* empty HostName */
	cr_assert_eq(PARSE1(0, C, 0, 0), PETREL_E_DECODE_ERROR);          /* empty list */
	cr_assert_eq(parse1(0, NULL, 0, C, &out), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(0, C, 0, 4, 0, 0, 1, 'a', 0), PETREL_E_DECODE_ERROR); /* trailing */
	cr_assert_eq(parse1(0, NULL, 0, S, &out), 0);
	cr_assert(out.has_server_name);
	cr_assert_eq(PARSE1(0, S, 0), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_ext, fixed_size_extensions_check_values_and_length)
{
	struct petrel_extensions out;

	cr_assert_eq(PARSE1(1, C, 4), 0);
	cr_assert_eq(out.max_fragment_length, 4);
	cr_assert_eq(PARSE1(1, C, 5), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(PARSE1(1, C, 0), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(PARSE1(1, C, 1, 1), PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse1(1, NULL, 0, C, &out), PETREL_E_DECODE_ERROR);

	cr_assert_eq(PARSE1(15, C, 1), 0);
	cr_assert_eq(out.heartbeat_mode, 1);
	cr_assert_eq(PARSE1(15, C, 3), PETREL_E_ILLEGAL_PARAMETER);

	cr_assert_eq(PARSE1(28, C, 0, 64), 0);
	cr_assert_eq(out.record_size_limit, 64);
	cr_assert_eq(PARSE1(28, C, 0, 63), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(PARSE1(28, C, 0, 64, 0), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(28, C, 0), PETREL_E_DECODE_ERROR);

	cr_assert_eq(parse1(22, NULL, 0, C, &out), 0);
	cr_assert(out.encrypt_then_mac);
	cr_assert_eq(PARSE1(22, C, 0), PETREL_E_DECODE_ERROR);
	cr_assert_eq(parse1(23, NULL, 0, C, &out), 0);
	cr_assert(out.extended_master_secret);
	cr_assert_eq(PARSE1(23, C, 0), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_ext, list_extensions_reject_empty_odd_and_ragged_lists)
{
	struct petrel_extensions out;

	cr_assert_eq(PARSE1(10, C, 0, 2, 0, 0x1d), 0);
	cr_assert_eq(PARSE1(10, C, 0, 0), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(10, C, 0, 3, 0, 0x1d, 0), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(10, C, 0, 2, 0, 0x1d, 0), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(13, C, 0, 0), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(13, C, 0, 1, 4), PETREL_E_DECODE_ERROR);

	cr_assert_eq(PARSE1(11, C, 2, 1, 0), 0);
	cr_assert_eq(PARSE1(11, C, 1, 1), PETREL_E_ILLEGAL_PARAMETER); /* no uncompressed */
	cr_assert_eq(PARSE1(11, C, 0), PETREL_E_DECODE_ERROR);

	cr_assert_eq(PARSE1(16, C, 0, 3, 2, 'h', '2'), 0);
	cr_assert(petrel_alpn_list_contains(out.alpn, out.alpn_len, (const uint8_t *)"h2", 2));
	cr_assert_not(petrel_alpn_list_contains(out.alpn, out.alpn_len, (const uint8_t *)"h", 1));
	cr_assert_eq(PARSE1(16, C, 0, 2, 1, 0), 0);
	cr_assert_eq(PARSE1(16, C, 0, 2, 0, 0), PETREL_E_DECODE_ERROR); /* empty name */
	cr_assert_eq(PARSE1(16, C, 0, 0), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(16, C, 0, 3, 3, 'h', '2'), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(16, S, 0, 6, 2, 'h', '2', 2, 'h', '3'), PETREL_E_ALPN_MISMATCH);

	cr_assert_eq(PARSE1(14, C, 0, 4, 0, 1, 0, 7, 0), 0);
	cr_assert_eq(out.srtp_profiles_len, 4);
	cr_assert_eq(out.srtp_mki_len, 0);
	cr_assert_eq(PARSE1(14, S, 0, 4, 0, 1, 0, 7, 0), PETREL_E_ILLEGAL_PARAMETER);
	cr_assert_eq(PARSE1(14, C, 0, 2, 0, 1), PETREL_E_DECODE_ERROR); /* no mki */
	cr_assert_eq(PARSE1(14, C, 0, 0, 0), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_ext, opaque_extensions_are_consumed_exactly)
{
	struct petrel_extensions out;

	cr_assert_eq(PARSE1(35, C, 1, 2, 3), 0);
	cr_assert_eq(out.session_ticket_len, 3);
	cr_assert_eq(parse1(35, NULL, 0, C, &out), 0);
	cr_assert(out.has_session_ticket);
	cr_assert_eq(out.session_ticket_len, 0);

	cr_assert_eq(PARSE1(54, C, 0), 0);
	cr_assert(out.has_connection_id);
	cr_assert_eq(out.connection_id_len, 0);
	cr_assert_eq(PARSE1(54, C, 2, 7, 8), 0);
	cr_assert_eq(out.connection_id_len, 2);
	cr_assert_eq(PARSE1(54, C, 2, 7), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(54, C, 1, 7, 8), PETREL_E_DECODE_ERROR);

	cr_assert_eq(PARSE1(0xff01, C, 0), 0);
	cr_assert_eq(out.renegotiation_info_len, 0);
	cr_assert_eq(parse1(0xff01, NULL, 0, C, &out), PETREL_E_DECODE_ERROR);
	cr_assert_eq(PARSE1(0xff01, C, 0, 0), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_ext, many_unknown_extensions_are_counted)
{
	/* 16383 distinct empty unknown types fill a 2^16-1 byte block. */
	size_t count = 65535 / 4;
	uint8_t *block = malloc(count * 4);
	struct petrel_extensions out;

	for (size_t i = 0; i < count; i++) {
		petrel_store_u16(block + 4 * i, (uint16_t)(0x1000 + i));
		petrel_store_u16(block + 4 * i + 2, 0);
	}
	cr_assert_eq(petrel_extensions_parse(block, count * 4, C, &out), 0);
	cr_assert_eq(out.unknown_count, count);
	free(block);
}

Test(dtls_msg_ext, u16_iterator_walks_and_contains_finds)
{
	struct petrel_u16_iter it;
	uint16_t v, seen[3];
	size_t n = 0;

	petrel_u16_iter_init(&it, groups, sizeof(groups));
	while (petrel_u16_iter_next(&it, &v))
		seen[n++] = v;
	cr_assert_eq(n, 3);
	cr_assert_eq(seen[0], 0x001d);
	cr_assert_eq(seen[2], 0x0018);
	cr_assert(petrel_u16_list_contains(groups, sizeof(groups), 0x0017));
	cr_assert_not(petrel_u16_list_contains(groups, sizeof(groups), 0x1d00));
	cr_assert_not(petrel_u16_list_contains(NULL, 0, 0));
	petrel_u16_iter_init(&it, NULL, 0);
	cr_assert_not(petrel_u16_iter_next(&it, &v));
	cr_assert(petrel_u8_list_contains(formats, 1, 0));
	cr_assert_not(petrel_u8_list_contains(NULL, 0, 0));
}

Test(dtls_msg_ext, opaque_iterator_walks_alpn_and_stops_on_ragged_entry)
{
	struct petrel_opaque_iter it;
	const uint8_t *e;
	size_t len, n = 0;

	petrel_opaque_iter_init(&it, alpn2, sizeof(alpn2), 1);
	while (petrel_opaque_iter_next(&it, &e, &len))
		n++;
	cr_assert_eq(n, 2);
	cr_assert(petrel_alpn_list_contains(alpn2, sizeof(alpn2), (const uint8_t *)"http/1.1", 8));
	static const uint8_t ragged[] = {2, 'h', '2', 9, 'x'};
	n = 0;
	petrel_opaque_iter_init(&it, ragged, sizeof(ragged), 1);
	while (petrel_opaque_iter_next(&it, &e, &len))
		n++;
	cr_assert_eq(n, 1);
}
