/* Command-line options: one table for all commands, then a check that each
 * option given makes sense for the command (a misplaced option is an error,
 * not silently ignored). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"
#include "tools/forward.h"

enum {
	OPT_PSK = 256, OPT_CERT, OPT_KEY, OPT_CA, OPT_PIN, OPT_INSECURE, OPT_CIPHERS, OPT_GROUPS,
	OPT_MTU, OPT_RETRANS, OPT_TIMEOUT, OPT_RESUME, OPT_ALPN, OPT_SNI, OPT_VERBOSE, OPT_QUIET,
	OPT_ONCE, OPT_ECHO, OPT_PORT, OPT_BIND, OPT_HELP,
	OPT_REQUIRE_EMS,
	OPT_PSK_FILE, OPT_PSK_HINT,
	OPT_LISTEN, OPT_CONNECT, OPT_FORWARD, OPT_IDLE, OPT_DEAD, OPT_PLAIN, OPT_MAX_FLOWS,
	OPT_WORKERS,
	OPT_SRTP, OPT_SRTP_MKI,
	OPT_RPK, OPT_PIN_SPKI,
	OPT_TICKET_KEY_FILE, OPT_TICKET_KEY_PERIOD,
	OPT_KEEPALIVE,
	OPT_CID,
	OPT_RENEGOTIATE,
	OPT_MIN_VERSION, OPT_MAX_VERSION,
	OPT_PSK_KE,
};

/* Which commands accept an option. */
enum { FOR_CLIENT = 1, FOR_SERVER = 2, FOR_DEMO = 4, FOR_TUNNEL = 8, FOR_ALL = 15 };

static const struct option long_options[] = {
	{"psk", required_argument, NULL, OPT_PSK},
	{"cert", required_argument, NULL, OPT_CERT},
	{"key", required_argument, NULL, OPT_KEY},
	{"ca", required_argument, NULL, OPT_CA},
	{"pin-sha256", required_argument, NULL, OPT_PIN},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"ciphers", required_argument, NULL, OPT_CIPHERS},
	{"groups", required_argument, NULL, OPT_GROUPS},
	{"mtu", required_argument, NULL, OPT_MTU},
	{"retrans-ms", required_argument, NULL, OPT_RETRANS},
	{"timeout-ms", required_argument, NULL, OPT_TIMEOUT},
	{"resume", no_argument, NULL, OPT_RESUME},
	{"alpn", required_argument, NULL, OPT_ALPN},
	{"sni", required_argument, NULL, OPT_SNI},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"once", no_argument, NULL, OPT_ONCE},
	{"echo", no_argument, NULL, OPT_ECHO},
	{"port", required_argument, NULL, OPT_PORT},
	{"bind", required_argument, NULL, OPT_BIND},
	{"help", no_argument, NULL, OPT_HELP},
	{"require-ems", no_argument, NULL, OPT_REQUIRE_EMS},
	{"psk-file", required_argument, NULL, OPT_PSK_FILE},
	{"psk-hint", required_argument, NULL, OPT_PSK_HINT},
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"connect", required_argument, NULL, OPT_CONNECT},
	{"forward", required_argument, NULL, OPT_FORWARD},
	{"idle-ms", required_argument, NULL, OPT_IDLE},
	{"dead-ms", required_argument, NULL, OPT_DEAD},
	{"plain", no_argument, NULL, OPT_PLAIN},
	{"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
	{"workers", required_argument, NULL, OPT_WORKERS},
	{"srtp", required_argument, NULL, OPT_SRTP},
	{"srtp-mki", required_argument, NULL, OPT_SRTP_MKI},
	{"rpk", no_argument, NULL, OPT_RPK},
	{"pin-spki-sha256", required_argument, NULL, OPT_PIN_SPKI},
	{"ticket-key-file", required_argument, NULL, OPT_TICKET_KEY_FILE},
	{"ticket-key-period", required_argument, NULL, OPT_TICKET_KEY_PERIOD},
	{"keepalive", required_argument, NULL, OPT_KEEPALIVE},
	{"cid", optional_argument, NULL, OPT_CID},
	{"renegotiate", no_argument, NULL, OPT_RENEGOTIATE},
	{"min-version", required_argument, NULL, OPT_MIN_VERSION},
	{"max-version", required_argument, NULL, OPT_MAX_VERSION},
	{"psk-ke", required_argument, NULL, OPT_PSK_KE},
	{NULL, 0, NULL, 0},
};

static unsigned option_scope(int id)
{
	switch (id) {
	case OPT_PSK: case OPT_CERT: case OPT_KEY: case OPT_CA: case OPT_PIN: case OPT_ALPN:
	case OPT_MIN_VERSION: case OPT_MAX_VERSION:
		return FOR_CLIENT | FOR_SERVER | FOR_TUNNEL;
	case OPT_REQUIRE_EMS: case OPT_PSK_FILE: case OPT_CID: case OPT_SRTP: case OPT_SRTP_MKI:
	case OPT_RPK: case OPT_PIN_SPKI:
	case OPT_RENEGOTIATE:
	case OPT_PSK_KE:
		return FOR_CLIENT | FOR_SERVER;
	case OPT_PSK_HINT:
	case OPT_TICKET_KEY_FILE: case OPT_TICKET_KEY_PERIOD:
		return FOR_SERVER;
	case OPT_WORKERS:
		return FOR_SERVER;
	case OPT_INSECURE: case OPT_SNI:
		return FOR_CLIENT | FOR_TUNNEL;
	case OPT_RESUME: case OPT_ONCE:
		return FOR_CLIENT;
	case OPT_LISTEN: case OPT_CONNECT: case OPT_IDLE: case OPT_PLAIN:
	case OPT_MAX_FLOWS:
		return FOR_TUNNEL;
	case OPT_KEEPALIVE: case OPT_DEAD:
		return FOR_CLIENT | FOR_TUNNEL;
	case OPT_FORWARD:
		return FOR_SERVER;
	case OPT_ECHO: case OPT_PORT: case OPT_BIND:
		return FOR_SERVER;
	default:
		return FOR_ALL;
	}
}

int cli_usage(FILE *out)
{
	fprintf(out,
		"usage: petrel COMMAND [options]\n"
		"commands:\n"
		"  demo                      full + resumed DTLS 1.2 handshake on loopback, with a report\n"
		"  client [options] HOST PORT  relay stdin to the peer and the peer to stdout, a datagram a line\n"
		"  server [options] --port PORT [--bind ADDR]  accept many clients on one UDP socket\n"
		"  info                      print the version, the DTLS versions this build speaks and the\n"
		"                            suites, groups and signature algorithms\n"
		"  ticket-key [FILE]         write a new session-ticket master (hex) to FILE (created\n"
		"                            0600, never overwritten) or stdout, for --ticket-key-file\n"
		"  tunnel [options] --listen ADDR:PORT --connect HOST:PORT\n"
		"                            relay UDP datagrams arriving on ADDR:PORT over DTLS to\n"
		"                            `petrel server --forward`, and the answers back. One DTLS\n"
		"                            session per local flow (source address), not flows\n"
		"                            multiplexed over one: flows stay isolated, datagrams need\n"
		"                            no framing, and the server tells sessions apart by\n"
		"                            address; each new flow costs a handshake, resumed from\n"
		"                            the last session's ticket. Datagrams over the session's\n"
		"                            data MTU are refused with the reason and counted;\n"
		"                            SIGUSR1 and exit print the counters\n"
		"  --version, --help\n"
		"options:\n"
		"  --psk IDENTITY:HEXKEY     pre-shared key (client: the one to use; server: one to accept)\n"
		"  --psk-file FILE           IDENTITY:HEXKEY per line (server: any number of clients;\n"
		"                            client: the first line)\n"
		"  --psk-hint TEXT           server: PSK identity hint (RFC 4279)\n"
		"  --psk-ke MODE             DTLS 1.3 PSK key exchange (RFC 8446 4.2.9): dhe (the PSK\n"
		"                            with (EC)DHE, forward secret; default), plain (the PSK\n"
		"                            alone, psk_ke) or both (server: prefers dhe)\n"
		"  --ticket-key-file FILE    server: session-ticket master in hex, from `petrel ticket-key\n"
		"                            FILE`; servers and workers sharing it resume each other's\n"
		"                            sessions (default: a random key of this process)\n"
		"  --ticket-key-period S     server: ticket keys rotate every S seconds, counted from the\n"
		"                            Unix epoch; a ticket opens for S to 2S (default 7200; 0 never)\n"
		"  --cert FILE --key FILE    certificate chain and private key (PEM)\n"
		"  --ca FILE                 trust anchors (PEM); server: require a client certificate\n"
		"  --pin-sha256 HEX          accept only the peer certificate with this SHA-256\n"
		"  --insecure                client: accept any server certificate\n"
		"  --ciphers LIST            cipher suites by IANA name, comma separated; DTLS 1.3\n"
		"                            (TLS_AES_128_CCM_SHA256...) and 1.2 names may mix: only\n"
		"                            1.3 names = DTLS 1.3 only, only 1.2 names = DTLS 1.2 only\n"
		"  --groups LIST             key exchange groups (x25519,secp256r1)\n"
		"  --mtu N                   link MTU in bytes\n"
		"  --retrans-ms N            initial retransmission timeout\n"
		"  --timeout-ms N            give up a handshake or a reply after N ms (default %u)\n"
		"  --resume                  client: connect, then reconnect resuming the session\n"
		"                            (with --once, also when a reply does not come in time:\n"
		"                            one reconnection, resuming, and the line sent again)\n"
		"  --alpn LIST               ALPN protocols, comma separated\n"
		"  --sni NAME                client: server name to send and check\n"
		"  --srtp LIST               DTLS-SRTP (RFC 5764) profiles, comma separated, preference\n"
		"                            order: SRTP_AES128_CM_HMAC_SHA1_80, SRTP_AES128_CM_HMAC_SHA1_32,\n"
		"                            SRTP_AEAD_AES_128_GCM, SRTP_AEAD_AES_256_GCM; the report\n"
		"                            names the profile, --verbose prints the keying material\n"
		"  --srtp-mki HEX            DTLS-SRTP master key identifier (0..255 bytes)\n"
		"  --rpk                     raw public keys (RFC 7250): offer / accept the key alone\n"
		"                            instead of a certificate; --key without --cert is then\n"
		"                            allowed (server: prints the value to pin)\n"
		"  --pin-spki-sha256 HEX     accept only the peer key (raw or in a certificate) whose\n"
		"                            SubjectPublicKeyInfo has this SHA-256\n"
		"  --require-ems             refuse peers without extended master secret (RFC 7627;\n"
		"                            default: preferred, sessions without it never resumed)\n"
		"  --renegotiate             accept secure renegotiation (RFC 5746, DTLS 1.2; default:\n"
		"                            refused); client: the line **REHANDSHAKE** starts one\n"
		"  --min-version V, --max-version V\n"
		"                            client, server, tunnel: the protocol versions to use,\n"
		"                            1.2 or 1.3 (default: every version `petrel info` lists; a\n"
		"                            server answers each client in the highest both speak)\n"
		"  --once                    client: send each stdin line, wait for one reply each, exit\n"
		"  --echo                    server: send each datagram back\n"
		"  --forward HOST:PORT       server: relay each session's datagrams to HOST:PORT from\n"
		"                            a socket of its own, and the answers back (the tunnel's far end)\n"
		"  --listen ADDR:PORT        tunnel: where local applications send (port 0: any)\n"
		"  --connect HOST:PORT       tunnel: the `petrel server --forward` to relay to\n"
		"  --idle-ms N               tunnel: close a flow quiet for N ms (default 60000; 0 never)\n"
		"  --dead-ms N               tunnel: when datagrams went out for N ms and nothing came\n"
		"                            back, drop the session and reconnect (resuming) on the next\n"
		"                            datagram (default 15000; 0 never)\n"
		"                            with --keepalive (client, tunnel): nothing heard from the\n"
		"                            server for N ms ends the session; default 3 intervals;\n"
		"                            client: exit status 1\n"
		"  --keepalive MS            client, tunnel: after MS ms without a record from the\n"
		"                            server, ping it: on DTLS 1.3 a KeyUpdate, on DTLS 1.2 an\n"
		"                            RFC 6520 heartbeat; the server must answer either (Petrel\n"
		"                            and gnutls-serv --heartbeat do). A server that vanished or\n"
		"                            restarted is noticed after --dead-ms. On 1.2 without\n"
		"                            heartbeats (OpenSSL) there is no ping and --dead-ms is an\n"
		"                            idle timeout (default 0: no keepalive)\n"
		"  --max-flows N             tunnel: flows at once (default 4096); when full, the least\n"
		"                            recently active are closed\n"
		"  --plain                   tunnel: relay without DTLS (to measure the relay itself)\n"
		"  --workers N               server: N processes on the port (SO_REUSEPORT, Connection\n"
		"                            IDs steer to their worker; default one per core, max 64)\n"
		"  --cid N                   server: issue RFC 9146 Connection IDs of N bytes (1..20),\n"
		"                            so clients keep their session when their address changes\n"
		"  --cid[=N]                 client: offer Connection IDs, asking the server for a CID\n"
		"                            of N random bytes (0..255; default 0: none, the client\n"
		"                            sends the server's CID only)\n"
		"  --verbose, --quiet        more (handshake progress on stderr) or less output\n"
		"exit status: 0 success, 1 network or handshake failure, 2 bad usage\n",
		CLI_DEFAULT_TIMEOUT_MS);
	if (out == stdout)
		cli_print_algorithms(out);
	return out == stderr ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

static int bad(const struct cli_options *o, const char *what, const char *arg)
{
	fprintf(stderr, "petrel %s: %s%s%s%s (try --help)\n", o->command, what, arg ? " '" : "",
		arg ? arg : "", arg ? "'" : "");
	return CLI_EXIT_USAGE;
}

/* Hex bytes, optionally separated by ':' (the form fingerprints are shown in). */
static int parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	return petrel_hex_decode(hex, out, cap, len) < 0 ? -1 : 0;
}

static int parse_unsigned(const char *arg, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || arg[0] == '-' || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_psk(struct cli_options *o, char *arg)
{
	char *colon = strrchr(arg, ':');
	if (colon == NULL || colon == arg)
		return -1;
	/* The key is plain hex here: the last ':' ends the identity. */
	if (parse_hex(colon + 1, o->psk_key, sizeof o->psk_key, &o->psk_key_len) < 0)
		return -1;
	*colon = '\0';
	o->psk_identity = arg;
	return 0;
}

/* HOST:PORT or [V6]:PORT, split in place; the port must be a number. */
static int parse_host_port(char *arg, const char **host, const char **port)
{
	unsigned number;
	if (fwd_split_host_port(arg, host, port) < 0 || parse_unsigned(*port, 0, 65535, &number) < 0)
		return -1;
	return 0;
}

static unsigned command_scope(const char *command);
static unsigned scope_of(const struct cli_options *o)
{
	return command_scope(o->command);
}

/* "--cid N" (next word) as well as "--cid=N": the length is taken when the
 * next word is a number and, for a client, HOST PORT still follow. */
static bool takes_cid_word(int argc, char **argv, int at, unsigned scope)
{
	if (at >= argc || argv[at][0] < '0' || argv[at][0] > '9' ||
	    strspn(argv[at], "0123456789") != strlen(argv[at]))
		return false;
	return scope == FOR_SERVER || argc - at - 1 >= 2;
}

/* "dhe" / "plain" / "both": PETREL_PSK_MODE_* bits, else 0. */
static unsigned parse_psk_modes(const char *arg)
{
	if (strcmp(arg, "dhe") == 0)
		return PETREL_PSK_MODE_DHE;
	if (strcmp(arg, "plain") == 0)
		return PETREL_PSK_MODE_PLAIN;
	if (strcmp(arg, "both") == 0)
		return PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN;
	return 0;
}

/* "1.2" / "1.3": a petrel_version, else 0. */
static int parse_version(const char *arg)
{
	if (strcmp(arg, "1.2") == 0)
		return PETREL_DTLS1_2;
	if (strcmp(arg, "1.3") == 0)
		return PETREL_DTLS1_3;
	return 0;
}

static int apply_option(struct cli_options *o, int id, char *arg)
{
	size_t pin_len = 0;
	switch (id) {
	case OPT_PSK:
		return parse_psk(o, arg) < 0 ? bad(o, "--psk wants IDENTITY:HEXKEY, got", arg) : 0;
	case OPT_CERT: o->cert_file = arg; return 0;
	case OPT_KEY: o->key_file = arg; return 0;
	case OPT_CA: o->ca_file = arg; return 0;
	case OPT_PIN:
		if (parse_hex(arg, o->pin_sha256, sizeof o->pin_sha256, &pin_len) < 0 || pin_len != 32)
			return bad(o, "--pin-sha256 wants 32 bytes of hex, got", arg);
		o->have_pin = true;
		return 0;
	case OPT_INSECURE: o->insecure = true; return 0;
	case OPT_CIPHERS: o->ciphers = arg; return 0;
	case OPT_GROUPS: o->groups = arg; return 0;
	case OPT_ALPN: o->alpn = arg; return 0;
	case OPT_SNI: o->sni = arg; return 0;
	case OPT_MTU:
		return parse_unsigned(arg, 256, 65535, &o->mtu_bytes) < 0
			       ? bad(o, "--mtu wants a number of bytes from 256 to 65535, got", arg)
			       : 0;
	case OPT_RETRANS:
		return parse_unsigned(arg, 1, 600000, &o->retrans_ms) < 0
			       ? bad(o, "--retrans-ms wants milliseconds (1..600000), got", arg)
			       : 0;
	case OPT_TIMEOUT:
		return parse_unsigned(arg, 1, 3600000, &o->timeout_ms) < 0
			       ? bad(o, "--timeout-ms wants milliseconds (1..3600000), got", arg)
			       : 0;
	case OPT_RESUME: o->resume = true; return 0;
	case OPT_VERBOSE: o->verbose = true; return 0;
	case OPT_QUIET: o->quiet = true; return 0;
	case OPT_ONCE: o->once = true; return 0;
	case OPT_ECHO: o->echo = true; return 0;
	case OPT_PORT: {
		unsigned port;
		if (parse_unsigned(arg, 0, 65535, &port) < 0)
			return bad(o, "--port wants a port number (0..65535), got", arg);
		o->listen_port = arg;
		return 0;
	}
	case OPT_BIND: o->bind_addr = arg; return 0;
	case OPT_REQUIRE_EMS: o->require_ems = true; return 0;
	case OPT_PSK_FILE: o->psk_file = arg; return 0;
	case OPT_PSK_HINT: o->psk_hint = arg; return 0;
	case OPT_TICKET_KEY_FILE: o->ticket_key_file = arg; return 0;
	case OPT_TICKET_KEY_PERIOD:
		o->ticket_key_period_set = true;
		return parse_unsigned(arg, 0, 100u * 86400u, &o->ticket_key_period_s) < 0
			       ? bad(o, "--ticket-key-period wants seconds (0..8640000), got", arg)
			       : 0;
	case OPT_LISTEN:
		return parse_host_port(arg, &o->bind_addr, &o->listen_port) < 0
			       ? bad(o, "--listen wants ADDR:PORT, got", arg)
			       : 0;
	case OPT_CONNECT:
		return parse_host_port(arg, &o->host, &o->port) < 0
			       ? bad(o, "--connect wants HOST:PORT, got", arg)
			       : 0;
	case OPT_FORWARD:
		return parse_host_port(arg, &o->forward_host, &o->forward_port) < 0
			       ? bad(o, "--forward wants HOST:PORT, got", arg)
			       : 0;
	case OPT_IDLE:
		o->idle_ms_set = true;
		return parse_unsigned(arg, 0, 86400000, &o->idle_ms) < 0
			       ? bad(o, "--idle-ms wants milliseconds (0..86400000), got", arg)
			       : 0;
	case OPT_DEAD:
		o->dead_ms_set = true;
		return parse_unsigned(arg, 0, 86400000, &o->dead_ms) < 0
			       ? bad(o, "--dead-ms wants milliseconds (0..86400000), got", arg)
			       : 0;
	case OPT_PLAIN: o->plain = true; return 0;
	case OPT_MAX_FLOWS:
		return parse_unsigned(arg, 1, 1000000, &o->max_flows) < 0
			       ? bad(o, "--max-flows wants a number (1..1000000), got", arg)
			       : 0;
	case OPT_WORKERS:
		return parse_unsigned(arg, 1, 64, &o->workers) < 0
			       ? bad(o, "--workers wants a number of processes (1..64), got", arg)
			       : 0;
	case OPT_SRTP: o->srtp = arg; return 0;
	case OPT_RPK: o->rpk = true; return 0;
	case OPT_RENEGOTIATE: o->renegotiate = true; return 0;
	case OPT_MIN_VERSION:
		o->min_version = parse_version(arg);
		return o->min_version ? 0 : bad(o, "--min-version wants 1.2 or 1.3, got", arg);
	case OPT_MAX_VERSION:
		o->max_version = parse_version(arg);
		return o->max_version ? 0 : bad(o, "--max-version wants 1.2 or 1.3, got", arg);
	case OPT_PIN_SPKI:
		if (parse_hex(arg, o->pin_spki_sha256, sizeof o->pin_spki_sha256, &pin_len) < 0 ||
		    pin_len != 32)
			return bad(o, "--pin-spki-sha256 wants 32 bytes of hex, got", arg);
		o->have_spki_pin = true;
		return 0;
	case OPT_SRTP_MKI:
		if (strcmp(arg, "") != 0 &&
		    parse_hex(arg, o->srtp_mki, sizeof o->srtp_mki, &o->srtp_mki_len) < 0)
			return bad(o, "--srtp-mki wants up to 255 bytes of hex, got", arg);
		o->have_srtp_mki = true;
		return 0;
	case OPT_KEEPALIVE:
		return parse_unsigned(arg, 1, 3600000, &o->keepalive_ms) < 0
			       ? bad(o, "--keepalive wants milliseconds (1..3600000), got", arg)
			       : 0;
	case OPT_CID:
		o->cid = true;
		if (arg == NULL && scope_of(o) == FOR_SERVER)
			return bad(o, "--cid wants a length in bytes (1..20)", NULL);
		if (arg == NULL)
			return 0;
		if (scope_of(o) == FOR_SERVER)
			return parse_unsigned(arg, 1, 20, &o->cid_len) < 0
				       ? bad(o, "--cid wants a length in bytes (1..20), got", arg)
				       : 0;
		return parse_unsigned(arg, 0, 255, &o->cid_len) < 0
			       ? bad(o, "--cid wants a length in bytes (0..255), got", arg)
			       : 0;
	case OPT_PSK_KE:
		o->psk_modes = parse_psk_modes(arg);
		return o->psk_modes ? 0 : bad(o, "--psk-ke wants dhe, plain or both, got", arg);
	default: return bad(o, "internal: unhandled option", NULL);
	}
}

static unsigned command_scope(const char *command)
{
	if (strcmp(command, "client") == 0)
		return FOR_CLIENT;
	if (strcmp(command, "server") == 0)
		return FOR_SERVER;
	if (strcmp(command, "tunnel") == 0)
		return FOR_TUNNEL;
	return FOR_DEMO;
}

/* Checks across options, once all are read. */
static int check_combination(struct cli_options *o, unsigned scope)
{
	if (o->cert_file != NULL && o->key_file == NULL)
		return bad(o, "--cert and --key go together", NULL);
	if (o->cert_file == NULL && o->key_file != NULL && !o->rpk)
		return bad(o, "--key without --cert needs --rpk (a raw public key)", NULL);
	if (o->have_pin && o->have_spki_pin)
		return bad(o, "--pin-sha256 and --pin-spki-sha256 exclude each other", NULL);
	if (o->verbose && o->quiet)
		return bad(o, "--verbose and --quiet exclude each other", NULL);
	if (o->insecure && (o->have_pin || o->have_spki_pin || o->ca_file))
		return bad(o, "--insecure excludes --pin-sha256, --pin-spki-sha256 and --ca", NULL);
	if (o->psk_file && o->psk_identity)
		return bad(o, "--psk and --psk-file exclude each other", NULL);
	if (o->have_srtp_mki && o->srtp == NULL)
		return bad(o, "--srtp-mki needs --srtp", NULL);
	if (o->ticket_key_period_set && o->ticket_key_file == NULL)
		return bad(o, "--ticket-key-period needs --ticket-key-file", NULL);
	if (scope == FOR_SERVER && o->listen_port == NULL)
		return bad(o, "--port PORT is required", NULL);
	if (scope == FOR_SERVER && o->forward_host && o->echo)
		return bad(o, "--forward and --echo exclude each other", NULL);
	if (scope == FOR_TUNNEL && (o->listen_port == NULL || o->host == NULL))
		return bad(o, "--listen ADDR:PORT and --connect HOST:PORT are required", NULL);
	if (scope == FOR_TUNNEL && o->plain &&
	    (o->psk_identity || o->cert_file || o->ca_file || o->have_pin || o->insecure))
		return bad(o, "--plain takes no credentials (it relays without DTLS)", NULL);
	if (o->keepalive_ms && o->dead_ms_set && o->dead_ms && o->dead_ms <= o->keepalive_ms)
		return bad(o, "--dead-ms must be longer than --keepalive (two intervals or more)", NULL);
	if (o->min_version && o->max_version && o->min_version > o->max_version)
		return bad(o, "--min-version is above --max-version", NULL);
	if (o->psk_modes && o->psk_identity == NULL && o->psk_file == NULL)
		return bad(o, "--psk-ke needs --psk or --psk-file", NULL);
	return 0;
}

int cli_parse_options(int argc, char **argv, struct cli_options *o)
{
	memset(o, 0, sizeof *o);
	o->command = argv[1];
	o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
	unsigned scope = command_scope(o->command);
	/* getopt_long sees "COMMAND options...": argv[0] is skipped by it. */
	int sub_argc = argc - 1;
	char **sub_argv = argv + 1;
	opterr = 0;
	optind = 1;
	for (;;) {
		int index = -1;
		int id = getopt_long(sub_argc, sub_argv, "+:", long_options, &index);
		if (id == -1)
			break;
		if (id == ':')
			return bad(o, "option needs an argument:", sub_argv[optind - 1]);
		if (id == '?')
			return bad(o, "unknown option", sub_argv[optind - 1]);
		if (id == OPT_HELP) {
			cli_usage(stdout);
			exit(CLI_EXIT_OK);
		}
		if (!(option_scope(id) & scope)) {
			char name[32];
			snprintf(name, sizeof name, "--%s", long_options[index].name);
			return bad(o, "option not used by this command:", name);
		}
		if (id == OPT_CID && optarg == NULL && takes_cid_word(sub_argc, sub_argv, optind, scope))
			optarg = sub_argv[optind++];
		int rc = apply_option(o, id, optarg);
		if (rc)
			return rc;
	}
	int positional = sub_argc - optind;
	if (scope == FOR_CLIENT) {
		if (positional != 2)
			return bad(o, "wants HOST PORT", NULL);
		o->host = sub_argv[optind];
		o->port = sub_argv[optind + 1];
	} else if (positional != 0) {
		return bad(o, "unexpected argument", sub_argv[optind]);
	}
	return check_combination(o, scope);
}

unsigned cli_dead_after_ms(const struct cli_options *o)
{
	if (o->dead_ms_set)
		return o->dead_ms;
	/* Three intervals: one lost ping or answer is forgiven. */
	return o->keepalive_ms > UINT32_MAX / 3 ? UINT32_MAX : 3 * o->keepalive_ms;
}

bool cli_ciphers_have_dtls13(const char *list)
{
	char buf[1024];
	char *save = NULL;
	if (list == NULL || strlen(list) >= sizeof buf)
		return false;
	strcpy(buf, list);
	for (char *tok = strtok_r(buf, ",: ", &save); tok; tok = strtok_r(NULL, ",: ", &save)) {
		const char *name;
		for (size_t i = 0; (name = petrel_cipher_suite13_info(i, NULL)) != NULL; i++)
			if (strcmp(name, tok) == 0)
				return true;
	}
	return false;
}
