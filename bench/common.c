#include "bench/common.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

unsigned bench_mtu = 1400;

const uint8_t bench_psk_key[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
				   0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_quantile(double *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, cmp_double);
	/* Nearest rank: the smallest value with at least q of the samples at
	 * or below it. */
	size_t rank = (size_t)(q * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

bool bench_quick(void)
{
	const char *q = getenv("BENCH_QUICK");
	return q != NULL && *q != '\0' && strcmp(q, "0") != 0;
}

const char *bench_kind_name(enum bench_kind kind)
{
	switch (kind) {
	case BENCH_P256_GCM: return "ECDHE-ECDSA P-256 AES-128-GCM";
	case BENCH_X25519_ED25519: return "X25519 + Ed25519 AES-128-GCM";
	case BENCH_PSK_CCM8: return "PSK AES-128-CCM-8";
	case BENCH_RESUMED: return "resumed (ticket) P-256 GCM";
	default: return "?";
	}
}

/* ---- queues ---- */

struct queue {
	size_t head, count;
	size_t len[BENCH_QUEUE_SLOTS];
	uint8_t data[BENCH_QUEUE_SLOTS][BENCH_QUEUE_DATAGRAM];
};

static struct queue queues[2];

void bench_queue_reset(void)
{
	queues[0].head = queues[0].count = 0;
	queues[1].head = queues[1].count = 0;
}

long bench_queue_push(int dir, const uint8_t *data, size_t len)
{
	struct queue *q = &queues[dir];
	if (q->count == BENCH_QUEUE_SLOTS || len > BENCH_QUEUE_DATAGRAM)
		return -1;
	size_t slot = (q->head + q->count) % BENCH_QUEUE_SLOTS;
	memcpy(q->data[slot], data, len);
	q->len[slot] = len;
	q->count++;
	return (long)len;
}

long bench_queue_pop(int dir, uint8_t *buf, size_t cap)
{
	struct queue *q = &queues[dir];
	if (q->count == 0)
		return -1;
	size_t n = q->len[q->head];
	if (n > cap)
		n = cap;
	memcpy(buf, q->data[q->head], n);
	q->head = (q->head + 1) % BENCH_QUEUE_SLOTS;
	q->count--;
	return (long)n;
}

const uint8_t *bench_queue_peek(int dir, size_t *len)
{
	struct queue *q = &queues[dir];
	if (q->count == 0)
		return NULL;
	*len = q->len[q->head];
	return q->data[q->head];
}

size_t bench_queue_count(int dir)
{
	return queues[dir].count;
}

/* ---- keys ---- */

static struct bench_keys keys;
static int keys_state; /* 0 not tried, 1 ready, -1 failed */

static void remove_keys(void)
{
	const char *files[] = {keys.p256_cert, keys.p256_key, keys.ed_cert,  keys.ed_key,
			       keys.p256_ca,   keys.p256_ca_key, keys.ed_ca, keys.ed_ca_key,
			       keys.csr,       keys.ext};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (files[i][0])
			unlink(files[i]);
	rmdir(keys.dir);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = malloc(65536);
	size_t n = buf ? fread(buf, 1, 65535, f) : 0;
	fclose(f);
	if (buf == NULL || n == 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int run(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

/* A CA (self-signed, keyCertSign) and a leaf for BENCH_SERVER_NAME that it
 * signs, both with `newkey`: the clients verify a real one-link chain and
 * the host name, as a deployed client would (so 2 verifies per handshake). */
static int make_chain(const char *newkey, const char *ca, const char *ca_key, const char *cert,
		      const char *key)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "openssl req -x509 -new -newkey %s -nodes -days 30 -subj '/CN=Petrel bench CA' "
		 "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
		 "-keyout %s -out %s >/dev/null 2>&1",
		 newkey, ca_key, ca);
	if (run(cmd) < 0)
		return -1;
	snprintf(cmd, sizeof cmd,
		 "openssl req -new -newkey %s -nodes -subj /CN=" BENCH_SERVER_NAME
		 " -keyout %s -out %s >/dev/null 2>&1",
		 newkey, key, keys.csr);
	if (run(cmd) < 0)
		return -1;
	snprintf(cmd, sizeof cmd,
		 "openssl x509 -req -in %s -CA %s -CAkey %s -set_serial 2 -days 30 -extfile %s "
		 "-out %s >/dev/null 2>&1",
		 keys.csr, ca, ca_key, keys.ext, cert);
	return run(cmd);
}

const struct bench_keys *bench_keys(void)
{
	if (keys_state != 0)
		return keys_state > 0 ? &keys : NULL;
	keys_state = -1;
	snprintf(keys.dir, sizeof keys.dir, "/tmp/petrel-bench-XXXXXX");
	if (mkdtemp(keys.dir) == NULL)
		return NULL;
	snprintf(keys.p256_cert, sizeof keys.p256_cert, "%s/p256.crt", keys.dir);
	snprintf(keys.p256_key, sizeof keys.p256_key, "%s/p256.key", keys.dir);
	snprintf(keys.p256_ca, sizeof keys.p256_ca, "%s/p256-ca.crt", keys.dir);
	snprintf(keys.p256_ca_key, sizeof keys.p256_ca_key, "%s/p256-ca.key", keys.dir);
	snprintf(keys.ed_cert, sizeof keys.ed_cert, "%s/ed25519.crt", keys.dir);
	snprintf(keys.ed_key, sizeof keys.ed_key, "%s/ed25519.key", keys.dir);
	snprintf(keys.ed_ca, sizeof keys.ed_ca, "%s/ed25519-ca.crt", keys.dir);
	snprintf(keys.ed_ca_key, sizeof keys.ed_ca_key, "%s/ed25519-ca.key", keys.dir);
	snprintf(keys.csr, sizeof keys.csr, "%s/leaf.csr", keys.dir);
	snprintf(keys.ext, sizeof keys.ext, "%s/leaf.ext", keys.dir);
	atexit(remove_keys);
	FILE *ext = fopen(keys.ext, "w");
	if (ext == NULL)
		return NULL;
	fputs("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
	      "subjectAltName=DNS:" BENCH_SERVER_NAME "\n",
	      ext);
	if (fclose(ext) != 0)
		return NULL;
	if (make_chain("ec -pkeyopt ec_paramgen_curve:prime256v1", keys.p256_ca, keys.p256_ca_key,
		       keys.p256_cert, keys.p256_key) < 0 ||
	    make_chain("ed25519", keys.ed_ca, keys.ed_ca_key, keys.ed_cert, keys.ed_key) < 0)
		return NULL;
	keys.p256_cert_pem = read_all(keys.p256_cert, &keys.p256_cert_len);
	keys.p256_key_pem = read_all(keys.p256_key, &keys.p256_key_len);
	keys.ed_cert_pem = read_all(keys.ed_cert, &keys.ed_cert_len);
	keys.ed_key_pem = read_all(keys.ed_key, &keys.ed_key_len);
	if (!keys.p256_cert_pem || !keys.p256_key_pem || !keys.ed_cert_pem || !keys.ed_key_pem)
		return NULL;
	keys_state = 1;
	return &keys;
}

size_t bench_libs(const struct bench_lib **out, size_t cap)
{
	size_t n = 0;
	if (n < cap)
		out[n++] = &bench_petrel;
#ifdef BENCH_HAVE_OPENSSL
	if (n < cap)
		out[n++] = &bench_openssl;
#endif
#ifdef BENCH_HAVE_GNUTLS
	if (n < cap)
		out[n++] = &bench_gnutls;
#endif
	return n;
}

/* ---- real UDP (bench/loss) ---- */

int bench_udp_connect_first(int fd, double deadline)
{
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		int wait = bench_wait_ms(deadline, -1);
		if (wait <= 0)
			return -1;
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		struct sockaddr_storage peer;
		socklen_t len = sizeof peer;
		uint8_t probe[1];
		if (recvfrom(fd, probe, sizeof probe, MSG_PEEK, (struct sockaddr *)&peer, &len) < 0)
			continue;
		return connect(fd, (struct sockaddr *)&peer, len) == 0 ? 0 : -1;
	}
}

int bench_wait_ms(double deadline, long timer_ms)
{
	double left_ms = (deadline - bench_now()) * 1000;
	if (left_ms <= 0)
		return 0;
	if (timer_ms >= 0 && (double)timer_ms < left_ms)
		return (int)timer_ms;
	return left_ms > 60000 ? 60000 : (int)left_ms + 1;
}
