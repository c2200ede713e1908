/* libFuzzer target: the DTLS 1.3 handshake message and extension codecs
 * (dtls13/msg_hs13.c, dtls13/msg_ext13.c; RFC 8446 4, RFC 9147 5, 9).
 *
 * Byte 0 picks the message (see the switch), the rest is its body as
 * reassembled. Parsers run on an exact-size heap copy (ASan sees any read
 * past the body) and must answer with the documented codes only; what a
 * parser accepts must lie inside the body, and for every message with a
 * writer, writing the parsed fields back must give the same bytes.
 * ClientHello and ServerHello/HelloRetryRequest bodies go through the
 * hello parser, then every extension of their block through its 1.3
 * parser, as a server or client would. Seeds: fuzz/corpus/msg13/
 * (fuzz/make-seeds13.py: the hellos of the recorded wolfSSL sessions and
 * built bodies of the others). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/messages.h"
#include "dtls13/hs13.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

enum {
	M_CLIENT_HELLO, M_SERVER_HELLO, M_ENCRYPTED_EXTENSIONS, M_CERTIFICATE,
	M_CERTIFICATE_REQUEST, M_CERTIFICATE_VERIFY, M_NEW_SESSION_TICKET, M_KEY_UPDATE,
	M_NEW_CONNECTION_ID, M_REQUEST_CONNECTION_ID, M_EXTENSION_BLOCK, M_COUNT
};

static const uint8_t *body_start, *body_end;

static bool inside(const uint8_t *p, size_t n)
{
	return n == 0 || (p >= body_start && p <= body_end && n <= (size_t)(body_end - p));
}

static void check_code(int rc)
{
	CHECK(rc == 0 || rc == PETREL_E_DECODE_ERROR || rc == PETREL_E_ILLEGAL_PARAMETER ||
	      rc == PETREL_E_LIMIT_EXCEEDED);
}

/* Writer output equals the parsed bytes. */
static void same(const uint8_t *written, size_t written_len, int rc, const uint8_t *orig,
		 size_t orig_len)
{
	CHECK(rc == 0);
	CHECK(written_len == orig_len && memcmp(written, orig, orig_len) == 0);
}

static uint8_t out_buf[70000];

static void writer(struct petrel_writer *w)
{
	petrel_writer_init(w, out_buf, sizeof out_buf);
}

/* One extension body through the 1.3 parser for its type, with a
 * write-back where one exists. in_client_hello: ClientHello forms. */
static void extension(uint16_t type, const uint8_t *b, size_t n, bool in_client_hello)
{
	struct petrel_writer w;
	int rc;
	uint16_t u16;
	switch (type) {
	case PETREL_EXT13_SUPPORTED_VERSIONS:
		if (in_client_hello) {
			const uint8_t *v;
			size_t count;
			rc = petrel_ext13_versions_parse(b, n, &v, &count);
			check_code(rc);
			if (rc == 0) {
				CHECK(inside(v, count * 2) && count >= 1 && count <= 127);
				uint16_t list[127];
				for (size_t i = 0; i < count; i++)
					list[i] = (uint16_t)(v[2 * i] << 8 | v[2 * i + 1]);
				CHECK(petrel_ext13_versions_contains(v, count, list[count - 1]));
				writer(&w);
				rc = petrel_ext13_versions_write(&w, list, count);
				same(out_buf, petrel_writer_len(&w), rc, b, n);
			}
		} else {
			rc = petrel_ext13_selected_version_parse(b, n, &u16);
			check_code(rc);
			if (rc == 0) {
				writer(&w);
				rc = petrel_ext13_selected_version_write(&w, u16);
				same(out_buf, petrel_writer_len(&w), rc, b, n);
			}
		}
		break;
	case PETREL_EXT13_KEY_SHARE:
		if (in_client_hello) {
			struct petrel_key_share_iter it;
			size_t count;
			rc = petrel_ext13_client_shares_parse(b, n, &it, &count);
			check_code(rc);
			if (rc == 0) {
				struct petrel_key_share shares[64];
				size_t seen = 0;
				while (seen < 64 && petrel_key_share_next(&it, &shares[seen])) {
					CHECK(inside(shares[seen].key_exchange,
						     shares[seen].key_exchange_len));
					seen++;
				}
				CHECK(seen == count || seen == 64);
				if (seen == count) {
					writer(&w);
					rc = petrel_ext13_client_shares_write(&w, shares, count);
					same(out_buf, petrel_writer_len(&w), rc, b, n);
				}
			}
		} else {
			struct petrel_key_share ks;
			rc = petrel_ext13_server_share_parse(b, n, &ks);
			check_code(rc);
			if (rc == 0) {
				CHECK(inside(ks.key_exchange, ks.key_exchange_len));
				writer(&w);
				rc = petrel_ext13_server_share_write(&w, &ks);
				same(out_buf, petrel_writer_len(&w), rc, b, n);
			}
			rc = petrel_ext13_hrr_group_parse(b, n, &u16);
			check_code(rc);
			if (rc == 0) {
				writer(&w);
				rc = petrel_ext13_hrr_group_write(&w, u16);
				same(out_buf, petrel_writer_len(&w), rc, b, n);
			}
		}
		break;
	case PETREL_EXT13_COOKIE: {
		const uint8_t *c;
		size_t clen;
		rc = petrel_ext13_cookie_parse(b, n, &c, &clen);
		check_code(rc);
		if (rc == 0) {
			CHECK(inside(c, clen) && clen >= 1);
			writer(&w);
			rc = petrel_ext13_cookie_write(&w, c, clen);
			same(out_buf, petrel_writer_len(&w), rc, b, n);
		}
		break;
	}
	case PETREL_EXT13_PSK_KEY_EXCHANGE_MODES: {
		struct petrel_psk_modes modes;
		check_code(petrel_ext13_psk_modes_parse(b, n, &modes));
		break;
	}
	case PETREL_EXT13_PRE_SHARED_KEY:
		if (in_client_hello) {
			struct petrel_offered_psks psks;
			rc = petrel_ext13_offered_psks_parse(b, n, &psks);
			check_code(rc);
			if (rc == 0) {
				CHECK(psks.count >= 1 && psks.binders_offset <= n);
				CHECK(inside(psks.identities, psks.identities_len));
				CHECK(inside(psks.binders, psks.binders_len));
				struct petrel_psk_identity id;
				const uint8_t *binder;
				size_t binder_len;
				for (size_t i = 0; i < psks.count; i++) {
					CHECK(petrel_offered_psk_identity(&psks, i, &id));
					CHECK(inside(id.identity, id.identity_len));
					CHECK(petrel_offered_psk_binder(&psks, i, &binder, &binder_len));
					CHECK(inside(binder, binder_len));
				}
				CHECK(!petrel_offered_psk_identity(&psks, psks.count, &id));
				CHECK(!petrel_offered_psk_binder(&psks, psks.count, &binder, &binder_len));
			}
		} else {
			rc = petrel_ext13_selected_identity_parse(b, n, &u16);
			check_code(rc);
			if (rc == 0) {
				writer(&w);
				rc = petrel_ext13_selected_identity_write(&w, u16);
				same(out_buf, petrel_writer_len(&w), rc, b, n);
			}
		}
		break;
	case 10: /* supported_groups */
	case 13: /* signature_algorithms */
	case PETREL_EXT13_SIGNATURE_ALGORITHMS_CERT: {
		uint16_t v[32];
		size_t count = 0;
		rc = petrel_hs13_u16_list_parse(b, n, v, 32, &count);
		check_code(rc);
		if (rc == 0 && n == 2 + 2 * count) {
			writer(&w);
			rc = petrel_hs13_u16_list_write(&w, v, count);
			same(out_buf, petrel_writer_len(&w), rc, b, n);
		}
		break;
	}
	default:
		break;
	}
}

/* Every extension of a block; the block must first pass the duplicate
 * and framing check (RFC 8446 4.2). */
static void extension_block(const uint8_t *block, size_t len, bool in_client_hello)
{
	const uint8_t *b;
	size_t n;
	int rc = petrel_ext_find(block, len, PETREL_EXT13_SUPPORTED_VERSIONS, &b, &n);
	CHECK(rc == 0 || rc == 1 || rc == PETREL_E_DECODE_ERROR || rc == PETREL_E_ILLEGAL_PARAMETER);
	if (rc == 1)
		CHECK(inside(b, n));
	if (rc < 0)
		return;
	struct petrel_ext_iter it;
	petrel_ext_iter_init(&it, block, len);
	uint16_t type;
	unsigned count = 0;
	while ((rc = petrel_ext_iter_next(&it, &type, &b, &n)) == 1) {
		CHECK(inside(b, n));
		extension(type, b, n, in_client_hello);
		CHECK(++count <= len / 4);
	}
	CHECK(rc == 0); /* petrel_ext_find accepted the whole block */
}

static void message(unsigned kind, const uint8_t *body, size_t len)
{
	struct petrel_writer w;
	int rc;
	switch (kind) {
	case M_CLIENT_HELLO: {
		struct petrel_client_hello ch;
		rc = petrel_client_hello_parse(body, len, &ch);
		if (rc == 0 && ch.has_extensions) {
			CHECK(inside(ch.extensions_raw, ch.extensions_raw_len));
			extension_block(ch.extensions_raw, ch.extensions_raw_len, true);
		}
		break;
	}
	case M_SERVER_HELLO: {
		bool hrr = petrel_server_hello_is_hrr(body, len);
		struct petrel_server_hello sh;
		rc = petrel_server_hello_parse(body, len, &sh);
		if (rc == 0) {
			CHECK(inside(sh.random, 32));
			(void)petrel_random_has_downgrade_sentinel(sh.random);
			CHECK(!hrr || memcmp(sh.random, petrel_hrr_random, 32) == 0);
			if (sh.has_extensions) {
				CHECK(inside(sh.extensions_raw, sh.extensions_raw_len));
				extension_block(sh.extensions_raw, sh.extensions_raw_len, false);
			}
		}
		break;
	}
	case M_ENCRYPTED_EXTENSIONS: {
		const uint8_t *block;
		size_t block_len;
		rc = petrel_encrypted_extensions_parse(body, len, &block, &block_len);
		check_code(rc);
		if (rc == 0) {
			CHECK(inside(block, block_len) && block_len + 2 == len);
			extension_block(block, block_len, false);
		}
		break;
	}
	case M_CERTIFICATE: {
		struct petrel_certificate13 c;
		rc = petrel_certificate13_parse(body, len, &c);
		check_code(rc);
		if (rc != 0)
			break;
		CHECK(inside(c.request_context, c.request_context_len));
		CHECK(inside(c.entries, c.entries_len));
		const uint8_t *certs[16];
		size_t lens[16];
		bool plain = c.count <= 16; /* every entry without extensions */
		for (size_t i = 0; i < c.count; i++) {
			const uint8_t *cert, *exts;
			size_t cert_len, exts_len;
			CHECK(petrel_certificate13_entry(&c, i, &cert, &cert_len, &exts, &exts_len));
			CHECK(inside(cert, cert_len) && cert_len >= 1 && inside(exts, exts_len));
			if (exts_len > 0)
				plain = false;
			if (i < 16) {
				certs[i] = cert;
				lens[i] = cert_len;
			}
		}
		const uint8_t *cert, *exts;
		size_t cert_len, exts_len;
		CHECK(!petrel_certificate13_entry(&c, c.count, &cert, &cert_len, &exts, &exts_len));
		if (plain) {
			writer(&w);
			rc = petrel_certificate13_write(&w, c.request_context, c.request_context_len,
							certs, lens, c.count);
			same(out_buf, petrel_writer_len(&w), rc, body, len);
		}
		break;
	}
	case M_CERTIFICATE_REQUEST: {
		const uint8_t *ctx, *exts;
		size_t ctx_len, exts_len;
		rc = petrel_certificate_request13_parse(body, len, &ctx, &ctx_len, &exts, &exts_len);
		check_code(rc);
		if (rc == 0) {
			CHECK(inside(ctx, ctx_len) && inside(exts, exts_len));
			extension_block(exts, exts_len, false);
		}
		break;
	}
	case M_CERTIFICATE_VERIFY: {
		uint16_t scheme;
		const uint8_t *sig;
		size_t sig_len;
		rc = petrel_cert_verify_parse(body, len, &scheme, &sig, &sig_len);
		check_code(rc);
		if (rc == 0) {
			CHECK(inside(sig, sig_len));
			writer(&w);
			rc = petrel_cert_verify_write(&w, scheme, sig, sig_len);
			same(out_buf, petrel_writer_len(&w), rc, body, len);
		}
		/* The signed content for any hash-sized prefix of the body. */
		uint8_t content[PETREL_CV_CONTENT_MAX];
		size_t hash_len = len > 64 ? 64 : len;
		size_t n = petrel_cert_verify_content(len & 1, body, hash_len, content);
		CHECK(n == 64 + 33 + 1 + hash_len);
		CHECK(petrel_cert_verify_content(true, body, 65, content) == 0);
		break;
	}
	case M_NEW_SESSION_TICKET: {
		struct petrel_new_session_ticket13 t;
		rc = petrel_new_session_ticket13_parse(body, len, &t);
		check_code(rc);
		if (rc == 0) {
			CHECK(inside(t.nonce, t.nonce_len) && inside(t.ticket, t.ticket_len));
			CHECK(inside(t.extensions, t.extensions_len) && t.ticket_len >= 1);
			writer(&w);
			rc = petrel_new_session_ticket13_write(&w, &t);
			same(out_buf, petrel_writer_len(&w), rc, body, len);
		}
		break;
	}
	case M_KEY_UPDATE: {
		bool requested;
		rc = petrel_key_update_parse(body, len, &requested);
		check_code(rc);
		if (rc == 0) {
			writer(&w);
			rc = petrel_key_update_write(&w, requested);
			same(out_buf, petrel_writer_len(&w), rc, body, len);
		}
		break;
	}
	case M_NEW_CONNECTION_ID: {
		struct petrel_new_connection_id ncid;
		rc = petrel_new_connection_id_parse(body, len, &ncid);
		check_code(rc);
		if (rc != 0)
			break;
		CHECK(inside(ncid.cids, ncid.cids_len));
		const uint8_t *cids[64];
		size_t lens[64];
		for (size_t i = 0; i < ncid.count && i < 64; i++) {
			CHECK(petrel_new_connection_id_entry(&ncid, i, &cids[i], &lens[i]));
			CHECK(inside(cids[i], lens[i]));
		}
		if (ncid.count <= 64) {
			const uint8_t *c;
			size_t cl;
			CHECK(!petrel_new_connection_id_entry(&ncid, ncid.count, &c, &cl));
			writer(&w);
			rc = petrel_new_connection_id_write(&w, cids, lens, ncid.count, ncid.usage);
			same(out_buf, petrel_writer_len(&w), rc, body, len);
		}
		break;
	}
	case M_REQUEST_CONNECTION_ID: {
		uint8_t num;
		rc = petrel_request_connection_id_parse(body, len, &num);
		check_code(rc);
		if (rc == 0) {
			writer(&w);
			rc = petrel_request_connection_id_write(&w, num);
			same(out_buf, petrel_writer_len(&w), rc, body, len);
		}
		break;
	}
	case M_EXTENSION_BLOCK:
		/* A bare block: ClientHello forms when its length is even. */
		extension_block(body, len, (len & 1) == 0);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	unsigned kind = data[0] % M_COUNT;
	size_t len = size - 1;
	uint8_t *body = malloc(len ? len : 1);
	if (body == NULL)
		return 0;
	memcpy(body, data + 1, len);
	body_start = body;
	body_end = body + len;
	message(kind, body, len);
	free(body);
	return 0;
}
