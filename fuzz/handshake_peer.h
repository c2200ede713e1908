/* Shared body of the whole-handshake fuzz targets: the fuzzer plays the
 * peer of one Petrel session. Input: byte 0 picks the configuration, then
 * datagrams as [u16 length][bytes], each fed through petrel_engine_feed at
 * a fixed virtual clock that advances by a step taken from the length's
 * high bits; every fourth datagram a timer tick runs. Everything the
 * session sends goes to a sink. The session must never crash, leak, or
 * report completion with a fatal error set. */
#ifndef PETREL_FUZZ_HANDSHAKE_PEER_H
#define PETREL_FUZZ_HANDSHAKE_PEER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "petrel/petrel.h"
#include "fuzz/fuzz_check.h"

static uint64_t fuzz_now_ms;

static uint64_t fuzz_clock(void *ptr)
{
	(void)ptr;
	return fuzz_now_ms;
}

static long fuzz_push(void *ptr, const uint8_t *data, size_t len)
{
	(void)ptr;
	(void)data;
	return (long)len;
}

static long fuzz_pull(void *ptr, uint8_t *buf, size_t cap)
{
	(void)ptr;
	(void)buf;
	(void)cap;
	return PETREL_E_AGAIN;
}

static petrel_credentials *fuzz_creds(int with_cert)
{
	static petrel_credentials *psk_only, *cert_and_psk;
	petrel_credentials **slot = with_cert ? &cert_and_psk : &psk_only;
	if (*slot == NULL) {
		static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
		CHECK(petrel_credentials_new(slot) == 0);
		CHECK(petrel_credentials_set_psk(*slot, "device-1", key, sizeof key) == 0);
		if (with_cert)
			CHECK(petrel_credentials_generate(*slot, PETREL_KEYTYPE_ECDSA_P256, "petrel.test") == 0);
	}
	return *slot;
}

static const char *const fuzz_cipher_lists[] = {
	NULL, /* defaults */
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"TLS_PSK_WITH_AES_128_CCM_8",
	"TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
};

static petrel_session *fuzz_session(unsigned role, uint8_t config)
{
	unsigned flags = role;
	if (config & 0x04)
		flags |= PETREL_FLAG_NO_COOKIE;
	if (config & 0x08)
		flags |= PETREL_FLAG_ALLOW_NO_EMS;
	if (config & 0x10)
		flags |= PETREL_FLAG_NO_TICKETS;
	if (role == PETREL_SERVER && (config & 0x20))
		flags |= PETREL_FLAG_REQUEST_CLIENT_CERT;
	petrel_session *s;
	CHECK(petrel_session_new(&s, flags) == 0);
	petrel_session_set_credentials(s, fuzz_creds(role == PETREL_SERVER || (config & 0x40)));
	if (fuzz_cipher_lists[config & 3])
		CHECK(petrel_session_set_ciphers(s, fuzz_cipher_lists[config & 3]) == 0);
	petrel_session_set_verify(s, PETREL_VERIFY_NONE, NULL, 0);
	if (config & 0x80)
		petrel_dtls_set_mtu(s, 300);
	petrel_transport_set_push_function(s, fuzz_push);
	petrel_transport_set_pull_function(s, fuzz_pull);
	petrel_transport_set_clock_function(s, fuzz_clock, NULL);
	return s;
}

static void fuzz_play_peer(unsigned role, const uint8_t *data, size_t size)
{
	if (size < 1)
		return;
	fuzz_now_ms = 1000;
	petrel_session *s = fuzz_session(role, data[0]);
	if (role == PETREL_CLIENT) {
		int rc = petrel_handshake(s); /* sends the ClientHello */
		CHECK(rc == PETREL_E_AGAIN);
	}
	uint8_t *dgram = malloc(65536);
	CHECK(dgram != NULL);
	size_t pos = 1;
	unsigned n = 0;
	while (pos + 2 <= size) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		pos += 2;
		/* The top bits of the length word advance the clock. */
		fuzz_now_ms += (len >> 14) * 250u;
		len &= 0x3fff;
		if (len > size - pos)
			len = size - pos;
		memcpy(dgram, data + pos, len);
		pos += len;
		int rc = petrel_engine_feed(s, dgram, len, fuzz_now_ms);
		if (rc < 0 && petrel_error_is_fatal(rc))
			CHECK(!petrel_handshake_is_complete(s) || rc == PETREL_E_SESSION_CLOSED ||
			      rc == PETREL_E_FATAL_ALERT_RECEIVED || rc == PETREL_E_TOO_MANY_BAD_RECORDS);
		if ((++n & 3) == 0)
			(void)petrel_engine_tick(s, fuzz_now_ms);
		if (petrel_handshake_is_complete(s)) {
			uint8_t app[2048];
			(void)petrel_engine_read(s, app, sizeof app);
		}
	}
	(void)petrel_engine_next_deadline(s);
	struct petrel_stats st;
	(void)petrel_session_get_stats(s, &st);
	free(dgram);
	petrel_session_free(s);
}

#endif
