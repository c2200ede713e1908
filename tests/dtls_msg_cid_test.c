/* The connection_id extension (RFC 9146 3): codec and what each side's
 * pair of hellos negotiates. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_cid.h"
#include "petrel/petrel.h"

Test(dtls_msg_cid, extension_round_trips_through_the_hello_extension_parser)
{
	const uint8_t cid[4] = {0xde, 0xad, 0xbe, 0xef};
	uint8_t buf[32];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_ext_write(&w, cid, 4), 0);
	const uint8_t expect[] = {0x00, 0x36, 0x00, 0x05, 0x04, 0xde, 0xad, 0xbe, 0xef};
	cr_assert_eq(petrel_writer_len(&w), sizeof expect);
	cr_assert_arr_eq(buf, expect, sizeof expect);

	/* The generic extensions parser agrees with this codec. */
	struct petrel_extensions ext;
	cr_assert_eq(petrel_extensions_parse(buf, petrel_writer_len(&w), PETREL_FROM_CLIENT, &ext), 0);
	cr_assert(ext.has_connection_id);
	cr_assert_eq(ext.connection_id_len, 4);

	const uint8_t *back;
	size_t back_len;
	cr_assert_eq(petrel_cid_ext_parse(buf + 4, 5, &back, &back_len), 0);
	cr_assert_eq(back_len, 4);
	cr_assert_arr_eq(back, cid, 4);
}

Test(dtls_msg_cid, empty_cid_is_one_zero_byte)
{
	uint8_t buf[4];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_ext_write_body(&w, NULL, 0), 0);
	cr_assert_eq(petrel_writer_len(&w), 1);
	cr_assert_eq(buf[0], 0);
	const uint8_t *cid;
	size_t len = 9;
	cr_assert_eq(petrel_cid_ext_parse(buf, 1, &cid, &len), 0);
	cr_assert_eq(len, 0);
}

Test(dtls_msg_cid, parse_refuses_truncation_trailing_bytes_and_empty_bodies)
{
	const uint8_t body[] = {3, 1, 2, 3, 4};
	const uint8_t *cid;
	size_t len;
	cr_assert_eq(petrel_cid_ext_parse(body, 5, &cid, &len), PETREL_E_DECODE_ERROR);
	for (size_t n = 0; n < 4; n++)
		cr_assert_eq(petrel_cid_ext_parse(body, n, &cid, &len), PETREL_E_DECODE_ERROR,
			     "%zu bytes", n);
	cr_assert_eq(petrel_cid_ext_parse(body, 4, &cid, &len), 0);
	cr_assert_eq(petrel_cid_ext_parse(NULL, 0, &cid, &len), PETREL_E_DECODE_ERROR);
}

Test(dtls_msg_cid, write_refuses_long_cids_and_full_buffers)
{
	uint8_t cid[256] = {0}, buf[300];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	cr_assert_eq(petrel_cid_ext_write(&w, cid, 256), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_cid_ext_write_body(&w, cid, 256), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_cid_ext_write(&w, cid, 255), 0);
	cr_assert_eq(petrel_writer_len(&w), 4 + 1 + 255);
	petrel_writer_init(&w, buf, 8);
	cr_assert_eq(petrel_cid_ext_write(&w, cid, 4), PETREL_E_SHORT_BUFFER);
}

Test(dtls_msg_cid, each_side_sends_with_the_cid_the_other_asked_for)
{
	const uint8_t client_cid[2] = {0xc0, 0xc1}, server_cid[3] = {0x50, 0x51, 0x52};
	struct petrel_cid_params c, s;
	cr_assert(petrel_cid_server_result(true, server_cid, 3, true, client_cid, 2, &s));
	cr_assert_eq(petrel_cid_client_result(true, client_cid, 2, true, server_cid, 3, &c), 0);
	cr_assert(c.negotiated && s.negotiated);
	cr_assert_eq(c.tx_cid_len, 3);
	cr_assert_arr_eq(c.tx_cid, server_cid, 3);
	cr_assert_eq(c.rx_cid_len, 2);
	cr_assert_arr_eq(c.rx_cid, client_cid, 2);
	cr_assert_eq(s.tx_cid_len, 2);
	cr_assert_arr_eq(s.tx_cid, client_cid, 2);
	cr_assert_arr_eq(s.rx_cid, server_cid, 3);
	cr_assert(petrel_cid_tx_uses_cid(&c) && petrel_cid_rx_uses_cid(&c));
}

Test(dtls_msg_cid, a_client_asking_for_no_cid_still_sends_the_servers)
{
	const uint8_t server_cid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct petrel_cid_params c, s;
	cr_assert(petrel_cid_server_result(true, server_cid, 8, true, NULL, 0, &s));
	cr_assert_eq(petrel_cid_client_result(true, NULL, 0, true, server_cid, 8, &c), 0);
	cr_assert(petrel_cid_tx_uses_cid(&c), "client -> server records carry the CID");
	cr_assert(!petrel_cid_rx_uses_cid(&c), "server -> client records stay plain 1.2");
	cr_assert(!petrel_cid_tx_uses_cid(&s));
	cr_assert(petrel_cid_rx_uses_cid(&s));
}

Test(dtls_msg_cid, no_extension_on_either_side_means_no_cids)
{
	const uint8_t cid[2] = {1, 2};
	struct petrel_cid_params p;
	cr_assert(!petrel_cid_server_result(true, cid, 2, false, NULL, 0, &p),
		  "server answers only a client that asked");
	cr_assert(!p.negotiated);
	cr_assert(!petrel_cid_server_result(false, cid, 2, true, cid, 2, &p), "server disabled");
	cr_assert(!p.negotiated);
	cr_assert_eq(petrel_cid_client_result(true, cid, 2, false, NULL, 0, &p), 0);
	cr_assert(!p.negotiated && !petrel_cid_tx_uses_cid(&p) && !petrel_cid_rx_uses_cid(&p));
}

Test(dtls_msg_cid, unsolicited_server_extension_is_refused)
{
	const uint8_t cid[2] = {1, 2};
	struct petrel_cid_params p;
	cr_assert_eq(petrel_cid_client_result(false, NULL, 0, true, cid, 2, &p),
		     PETREL_E_UNSUPPORTED);
	cr_assert(!p.negotiated);
}
