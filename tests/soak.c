/* Soak: many whole handshakes (plus one echo each) over the simulated
 * network with seeded random loss, duplication, reordering, delay, jitter
 * and MTU, across suites and options. Not part of make check: `make soak`
 * (SOAK_COUNT=N to change the count). Zero failures expected; a failing
 * seed is printed so it can be replayed (./tests/soak 1 SEED).
 * Leaks: the heap in use (mallinfo2) after every session is freed must not
 * grow between a warm-up point and the end; run under valgrind with a
 * small count for a full leak check. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/dtls_harness.h"
#include "tests/robust_alloc.h"

struct soak_suite {
	const char *cipher;
	int server_keytype; /* 0: PSK */
	bool client_cert;
};

static const struct soak_suite suites[] = {
	{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", PETREL_KEYTYPE_ECDSA_P256, false},
	{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", PETREL_KEYTYPE_ECDSA_P256, false},
	{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", PETREL_KEYTYPE_ED25519, false},
	{"TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", PETREL_KEYTYPE_ECDSA_P256, true},
	{"TLS_PSK_WITH_AES_128_CCM_8", 0, false},
	{"TLS_PSK_WITH_AES_128_GCM_SHA256", 0, false},
	{"TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", 0, false},
};
#define SUITE_COUNT (sizeof suites / sizeof suites[0])

static uint64_t mix(uint64_t x)
{
	/* splitmix64: per-seed parameters independent of simnet's own stream. */
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

struct soak_params {
	size_t suite;
	struct simnet_rules rules[2];
	unsigned mtu; /* 0: default */
	bool no_cookie;
};

static void params_for(uint64_t seed, struct soak_params *p)
{
	uint64_t r = mix(seed);
	memset(p, 0, sizeof *p);
	p->suite = (size_t)(r % SUITE_COUNT);
	r = mix(r);
	static const unsigned mtus[] = {0, 0, 1280, 1000, 576, 400, 300};
	p->mtu = mtus[r % (sizeof mtus / sizeof mtus[0])];
	p->no_cookie = (r >> 8) % 8 == 0;
	for (int dir = 0; dir < 2; dir++) {
		r = mix(r);
		struct simnet_rules *rules = &p->rules[dir];
		rules->drop_per_million = (uint32_t)(r % 200001);       /* 0..20 % */
		rules->duplicate_per_million = (uint32_t)((r >> 20) % 100001); /* 0..10 % */
		rules->reorder_window = (uint32_t)((r >> 40) % 5);
		rules->delay_ms = (r >> 44) % 60;
		rules->jitter_ms = (r >> 50) % 40;
	}
}

struct soak_creds {
	petrel_credentials *psk, *ecdsa, *ed25519, *client_cert;
};

/* 0 on success; otherwise a short reason. */
static const char *run_one(const struct soak_creds *creds, uint64_t seed)
{
	struct soak_params p;
	params_for(seed, &p);
	const struct soak_suite *sc = &suites[p.suite];
	petrel_credentials *server_creds = sc->server_keytype == 0 ? creds->psk
					   : sc->server_keytype == PETREL_KEYTYPE_ED25519 ? creds->ed25519
					   : creds->ecdsa;
	petrel_credentials *client_creds = sc->client_cert ? creds->client_cert : creds->psk;
	unsigned server_flags = (p.no_cookie ? PETREL_FLAG_NO_COOKIE : 0) |
				(sc->client_cert ? PETREL_FLAG_REQUIRE_CLIENT_CERT : 0);
	struct harness h;
	harness_init(&h, seed, 0, server_flags, client_creds, server_creds);
	petrel_session_set_ciphers(h.client.session, sc->cipher);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_session_set_verify(h.server.session, PETREL_VERIFY_NONE, NULL, 0);
	simnet_set_rules(h.net, 0, &p.rules[0]);
	simnet_set_rules(h.net, 1, &p.rules[1]);
	if (p.mtu) {
		petrel_dtls_set_mtu(h.client.session, p.mtu);
		petrel_dtls_set_mtu(h.server.session, p.mtu);
	}
	const char *fail = NULL;
	int rc = harness_run_handshake(&h, 120000);
	if (rc != 0)
		fail = "handshake";
	else if (strcmp(petrel_session_get_cipher_name(h.client.session), sc->cipher) != 0)
		fail = "cipher";
	else if (harness_echo(&h, "soak", 600000) != 0)
		fail = "echo";
	if (fail) {
		fprintf(stderr, "soak: seed %" PRIu64 " FAILED (%s): %s mtu %u loss %u/%u ppm dup %u/%u "
				"reorder %u/%u delay %" PRIu64 "/%" PRIu64 " ms; client %s, server %s\n",
			seed, fail, sc->cipher, p.mtu, p.rules[0].drop_per_million,
			p.rules[1].drop_per_million, p.rules[0].duplicate_per_million,
			p.rules[1].duplicate_per_million, p.rules[0].reorder_window,
			p.rules[1].reorder_window, p.rules[0].delay_ms, p.rules[1].delay_ms,
			petrel_strerror_name(h.client.handshake_rc), petrel_strerror_name(h.server.handshake_rc));
	}
	harness_free(&h);
	return fail;
}

int main(int argc, char **argv)
{
	unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	uint64_t first_seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
	struct soak_creds creds = {
		.psk = harness_psk_creds(),
		.ecdsa = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		.ed25519 = harness_cert_creds(PETREL_KEYTYPE_ED25519),
		.client_cert = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
	};
	bool measurable = robust_heap_measurable();
	unsigned long failures = 0, per_suite[SUITE_COUNT] = {0};
	size_t heap_warm = 0;
	unsigned long warm_at = count > 100 ? 50 : 0;
	for (unsigned long i = 0; i < count; i++) {
		if (i == warm_at)
			heap_warm = robust_heap_in_use();
		uint64_t seed = first_seed + i;
		struct soak_params p;
		params_for(seed, &p);
		per_suite[p.suite]++;
		if (run_one(&creds, seed) != NULL)
			failures++;
		if ((i + 1) % 1000 == 0)
			fprintf(stderr, "soak: %lu/%lu handshakes, %lu failures\n", i + 1, count, failures);
	}
	size_t heap_end = robust_heap_in_use();
	long growth = (long)heap_end - (long)heap_warm;
	printf("soak: %lu handshakes (seeds %" PRIu64 "..%" PRIu64 "), %lu failures\n", count, first_seed,
	       first_seed + count - 1, failures);
	for (size_t s = 0; s < SUITE_COUNT; s++)
		printf("  %-46s %lu\n", suites[s].cipher, per_suite[s]);
	if (measurable)
		printf("soak: heap growth from handshake %lu to the end: %ld bytes\n", warm_at, growth);
	else
		printf("soak: heap growth not measurable here (malloc replaced, e.g. valgrind)\n");
	petrel_credentials_free(creds.psk);
	petrel_credentials_free(creds.ecdsa);
	petrel_credentials_free(creds.ed25519);
	petrel_credentials_free(creds.client_cert);
	/* mallinfo2 counts chunks parked in glibc's per-thread cache as in
	 * use, so a few KiB move from run to run (7.5 KiB seen over 10,000
	 * handshakes, while valgrind finds every block freed); a leak of even
	 * 4 bytes per handshake would pass 32 KiB over 10,000 of them. */
	bool leaked = measurable && count >= 1000 && growth > 32 * 1024;
	return failures == 0 && !leaked ? 0 : 1;
}
