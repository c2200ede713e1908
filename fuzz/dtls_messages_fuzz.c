/* libFuzzer target: every handshake message body parser in dtls/messages.h
 * on the same input. Where a parse succeeds, the struct is written back and
 * must parse again (writer and parser agree on every accepted shape). Seeds:
 * fuzz/corpus/dtls_messages/ (real bodies from /work/shared/vectors). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/messages.h"
#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

/* Re-parse what a writer produced; a writer may refuse (INVALID_REQUEST) a
 * struct the parser accepted, e.g. a server_name list of unknown types only. */
#define ROUND_TRIP(write_call, reparse_call)                                                  \
	do {                                                                                  \
		struct petrel_writer w_;                                                      \
		petrel_writer_init(&w_, out, out_cap);                                        \
		int wrc_ = (write_call);                                                      \
		CHECK(wrc_ == 0 || wrc_ == PETREL_E_INVALID_REQUEST);                         \
		if (wrc_ == 0) {                                                              \
			size_t n_ = petrel_writer_len(&w_);                                   \
			(void)n_;                                                             \
			CHECK((reparse_call) == 0);                                           \
		}                                                                             \
	} while (0)

static const enum petrel_msg_kx kx_all[] = {PETREL_MSG_KX_ECDHE, PETREL_MSG_KX_PSK,
					    PETREL_MSG_KX_ECDHE_PSK};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Writers never emit more than the parsed input (unknown extensions are
	 * dropped), plus an extensions length prefix. */
	size_t out_cap = size + 16;
	uint8_t *out = malloc(out_cap);
	if (out == NULL)
		return 0;

	struct petrel_client_hello ch, ch2;
	if (petrel_client_hello_parse(data, size, &ch) == 0)
		ROUND_TRIP(petrel_client_hello_write(&w_, &ch),
			   petrel_client_hello_parse(out, n_, &ch2));

	struct petrel_server_hello sh, sh2;
	if (petrel_server_hello_parse(data, size, &sh) == 0)
		ROUND_TRIP(petrel_server_hello_write(&w_, &sh),
			   petrel_server_hello_parse(out, n_, &sh2));

	for (int origin = 0; origin < 2; origin++) {
		struct petrel_extensions ext, ext2;
		if (petrel_extensions_parse(data, size, (enum petrel_msg_origin)origin, &ext) == 0)
			ROUND_TRIP(petrel_extensions_write(&w_, (enum petrel_msg_origin)origin, &ext),
				   petrel_extensions_parse(out + 2, n_ - 2,
							   (enum petrel_msg_origin)origin, &ext2));
	}

	struct petrel_hello_verify_request hvr, hvr2;
	if (petrel_hello_verify_request_parse(data, size, &hvr) == 0)
		ROUND_TRIP(petrel_hello_verify_request_write(&w_, &hvr),
			   petrel_hello_verify_request_parse(out, n_, &hvr2));

	struct petrel_certificate_msg cert, cert2;
	if (petrel_certificate_parse(data, size, &cert) == 0)
		ROUND_TRIP(petrel_certificate_write(&w_, &cert),
			   petrel_certificate_parse(out, n_, &cert2));

	struct petrel_certificate_request cr, cr2;
	if (petrel_certificate_request_parse(data, size, &cr) == 0)
		ROUND_TRIP(petrel_certificate_request_write(&w_, &cr),
			   petrel_certificate_request_parse(out, n_, &cr2));

	struct petrel_digitally_signed ds, ds2;
	if (petrel_certificate_verify_parse(data, size, &ds) == 0)
		ROUND_TRIP(petrel_digitally_signed_write(&w_, &ds),
			   petrel_certificate_verify_parse(out, n_, &ds2));

	for (size_t i = 0; i < sizeof(kx_all) / sizeof(kx_all[0]); i++) {
		struct petrel_server_key_exchange ske, ske2;
		struct petrel_client_key_exchange cke, cke2;
		if (petrel_server_key_exchange_parse(data, size, kx_all[i], &ske) == 0) {
			CHECK(kx_all[i] == PETREL_MSG_KX_PSK ||
			      (ske.ecdh.raw >= data && ske.ecdh.raw + ske.ecdh.raw_len <= data + size));
			ROUND_TRIP(petrel_server_key_exchange_write(&w_, kx_all[i], &ske),
				   petrel_server_key_exchange_parse(out, n_, kx_all[i], &ske2));
		}
		if (petrel_client_key_exchange_parse(data, size, kx_all[i], &cke) == 0)
			ROUND_TRIP(petrel_client_key_exchange_write(&w_, kx_all[i], &cke),
				   petrel_client_key_exchange_parse(out, n_, kx_all[i], &cke2));
	}

	const uint8_t *verify_data;
	if (petrel_finished_parse(data, size, &verify_data) == 0)
		ROUND_TRIP(petrel_finished_write(&w_, verify_data),
			   petrel_finished_parse(out, n_, &verify_data));

	struct petrel_new_session_ticket nst, nst2;
	if (petrel_new_session_ticket_parse(data, size, &nst) == 0)
		ROUND_TRIP(petrel_new_session_ticket_write(&w_, &nst),
			   petrel_new_session_ticket_parse(out, n_, &nst2));

	(void)petrel_server_hello_done_parse(data, size);
	(void)petrel_hello_request_parse(data, size);

	/* The list helpers on arbitrary bytes. */
	struct petrel_opaque_iter it;
	const uint8_t *entry;
	size_t entry_len;
	for (unsigned width = 1; width <= 3; width++) {
		petrel_opaque_iter_init(&it, data, size, width);
		while (petrel_opaque_iter_next(&it, &entry, &entry_len))
			CHECK(entry >= data && entry + entry_len <= data + size);
	}
	(void)petrel_u16_list_contains(data, size, 0x001d);
	(void)petrel_alpn_list_contains(data, size, (const uint8_t *)"h2", 2);

	free(out);
	return 0;
}
