/* Shared declarations of the petrel command-line tool. The tool uses only
 * the public API (<petrel/petrel.h>), like any application would. */
#ifndef PETREL_TOOLS_CLI_H
#define PETREL_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <petrel/petrel.h>

/* Exit codes: 0 success, 1 runtime failure (network, handshake), 2 usage. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

#define CLI_DEFAULT_TIMEOUT_MS 20000u
#define CLI_MAX_DATAGRAM 16384u

struct cli_options {
	const char *command;
	/* Credentials and peer verification. */
	const char *psk_identity;
	uint8_t psk_key[64];
	size_t psk_key_len;
	const char *psk_file; /* --psk-file: identity:hex lines */
	const char *psk_hint; /* --psk-hint: server's identity hint */
	/* --ticket-key-file: the session-ticket master in hex, shared by
	 * servers; --ticket-key-period: its keys' period in seconds. */
	const char *ticket_key_file;
	unsigned ticket_key_period_s;
	bool ticket_key_period_set;
	const char *cert_file, *key_file, *ca_file;
	uint8_t pin_sha256[32];
	bool have_pin, insecure;
	/* Session parameters. */
	const char *ciphers, *groups, *alpn, *sni;
	const char *srtp; /* --srtp: DTLS-SRTP profiles (RFC 5764) */
	uint8_t srtp_mki[255];
	size_t srtp_mki_len;
	bool have_srtp_mki;
	/* --rpk: raw public keys (RFC 7250); --pin-spki-sha256. */
	bool rpk;
	uint8_t pin_spki_sha256[32];
	bool have_spki_pin;
	unsigned mtu_bytes, retrans_ms, timeout_ms;
	/* Behaviour. */
	bool resume, verbose, quiet, once, echo;
	bool require_ems; /* PETREL_FLAG_REQUIRE_EMS */
	const char *bind_addr, *listen_port;
	unsigned workers; /* server --workers N; 0 = one per core */
	const char *host, *port; /* client: positional HOST PORT */
	/* tunnel: --listen ADDR:PORT fills bind_addr/listen_port, --connect
	 * HOST:PORT fills host/port; server: --forward HOST:PORT. */
	const char *forward_host, *forward_port;
	unsigned idle_ms, dead_ms, max_flows;
	bool idle_ms_set, dead_ms_set, plain;
	unsigned keepalive_ms; /* --keepalive: client and tunnel (0: none) */
	/* --cid [N]: RFC 9146 Connection IDs; cid_len is the length of the CID
	 * we ask the peer to use (client: 0 = none; server: the CIDs issued). */
	bool cid;
	unsigned cid_len;
	bool renegotiate; /* --renegotiate: RFC 5746 (issue #21 item 9) */
	/* --min-version / --max-version: enum petrel_version, 0 = not given. */
	int min_version, max_version;
	/* --psk-ke: DTLS 1.3 PSK key exchange modes, PETREL_PSK_MODE_* bits
	 * (0 = not given: psk_dhe_ke only). */
	unsigned psk_modes;
};

/* options.c: parse argv[2..] for the command in argv[1]. Returns 0, or
 * CLI_EXIT_USAGE after one line on stderr. */
int cli_parse_options(int argc, char **argv, struct cli_options *o);
int cli_usage(FILE *out);
/* --dead-ms, or for --keepalive without it three intervals. */
unsigned cli_dead_after_ms(const struct cli_options *o);
/* Whether a --ciphers list names a DTLS 1.3 suite. */
bool cli_ciphers_have_dtls13(const char *list);

/* psk_file.c: --psk-file into the credentials (server: a lookup over all
 * entries; client: the first). 0 or an exit code, after a message. */
int cli_load_psk_file(const struct cli_options *o, bool server, petrel_credentials *c);

/* ticket_key_file.c: --ticket-key-file into the credentials (0 or an exit
 * code, after a message), and `petrel ticket-key [FILE]`. */
#define CLI_TICKET_KEY_PERIOD_S 7200u
int cli_load_ticket_key_file(const struct cli_options *o, petrel_credentials *c);
int cmd_ticket_key(int argc, char **argv);

/* setup.c: credentials and session configuration from the options. */
int cli_load_credentials(const struct cli_options *o, bool server, petrel_credentials **out);
int cli_configure_session(petrel_session *s, const struct cli_options *o, bool server);
/* Apply the options to a scratch session, so bad values fail before any
 * network activity. */
int cli_check_session_options(const struct cli_options *o, bool server);

/* net.c: sockets and addresses. */
int cli_udp_connect(const char *host, const char *port);
int cli_udp_bind(const char *addr, const char *port);
void cli_format_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t cap);
void cli_local_addr(int fd, char *out, size_t cap);
uint64_t cli_now_ms(void);

/* report.c: what the tool prints about sessions. */
struct cli_progress {
	struct petrel_stats last;
	unsigned mtu_bytes;
	bool started;
};
void cli_progress_update(struct cli_progress *p, const petrel_session *s, const char *who);
/* "PETREL_E_NAME: description" (a static buffer: print it at once). */
const char *cli_error(int rc);
void cli_print_failure(const char *who, const petrel_session *s, int rc);
void cli_print_session(FILE *out, const petrel_session *s, const char *indent);
/* The DTLS-SRTP profile (and MKI) when one was negotiated; with verbose
 * also the keying material and its split into keys and salts. */
void cli_print_srtp(FILE *out, petrel_session *s, bool verbose, const char *indent);
void cli_hex(const uint8_t *data, size_t len, char sep, char *out, size_t cap);
/* "connection id    ours HEX, peer's HEX" (RFC 9146), or "none negotiated". */
void cli_print_cid(FILE *out, const petrel_session *s, const char *indent);
/* "DTLS 1.2" / "DTLS 1.3": the negotiated version, "unknown" before. */
const char *cli_version_text(const petrel_session *s);
/* Suites, groups and signature algorithms with IANA names and codes. */
void cli_print_algorithms(FILE *out);

/* lines.c: split a byte stream (stdin) into lines, one datagram each. */
struct cli_lines {
	int fd;
	char buf[CLI_MAX_DATAGRAM];
	size_t len;
	bool eof;
};
void cli_lines_init(struct cli_lines *l, int fd);
/* Read what is available (one read()): 1 data read, 0 end of input, -1 error. */
int cli_lines_fill(struct cli_lines *l);
/* Take the next complete line (without '\n'); at end of input, also the
 * unterminated rest. Returns its length, or -1 when none is ready. */
long cli_lines_next(struct cli_lines *l, char *out, size_t cap);

/* peers.c: session -> peer address text, for the server's messages. */
struct cli_peer {
	petrel_session *session;
	char name[64];
};
struct cli_peers {
	struct cli_peer *slots;
	size_t capacity, count; /* capacity: a power of two */
};
int cli_peers_add(struct cli_peers *t, petrel_session *s, const char *name);
const char *cli_peers_name(const struct cli_peers *t, const petrel_session *s);
void cli_peers_remove(struct cli_peers *t, const petrel_session *s);
void cli_peers_free(struct cli_peers *t);

int cmd_client(const struct cli_options *o);
int cmd_server(const struct cli_options *o);
/* cmd_server.c: one endpoint on one bound socket until SIGINT/SIGTERM (the
 * whole server with --workers 1, one worker of several otherwise). */
int cli_server_worker(const struct cli_options *o, petrel_credentials *creds, int fd,
		      unsigned worker_id, unsigned workers);
void cli_server_announce(const struct cli_options *o, int fd, petrel_credentials *creds);
/* server_workers.c: --workers N > 1: N processes on one SO_REUSEPORT port. */
int cli_server_workers(const struct cli_options *o, petrel_credentials *creds, unsigned workers,
		       bool explicit_count);
int cmd_demo(const struct cli_options *o);
int cmd_tunnel(const struct cli_options *o);

#endif
