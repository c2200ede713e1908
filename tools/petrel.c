/* The petrel command-line tool: dispatch to a command. */
#include <string.h>

#include "tools/cli.h"

static int cmd_info(void)
{
	printf("petrel %s\n", petrel_check_version(NULL));
	/* What the handshake dispatcher can run (petrel_version_supported);
	 * tests/interop/dtls13-wolfssl.sh greps this output for "DTLS 1.3". */
	printf("protocol versions:");
	static const int versions[] = {PETREL_DTLS1_2, PETREL_DTLS1_3};
	static const char *const rfc[] = {"RFC 6347", "RFC 9147"};
	const char *sep = " ";
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		if (!petrel_version_supported(versions[i]))
			continue;
		printf("%s%s (%s)", sep, petrel_version_name(versions[i]), rfc[i]);
		sep = ", ";
	}
	printf("\n");
	printf("protocol: session tickets (RFC 5077), extended master secret (RFC 7627)\n");
	if (petrel_version_supported(PETREL_DTLS1_3))
		printf("DTLS 1.3: certificates and external PSK, HelloRetryRequest cookies, ACKs, "
		       "KeyUpdate; clients offer it with --max-version 1.3\n");
	printf("credentials: PSK (one key, or a file of many), X.509 certificates (ECDSA P-256 and\n"
	       "  P-384, Ed25519, RSA), pinned fingerprints\n");
	cli_print_algorithms(stdout);
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(stderr);
	const char *command = argv[1];
	if (strcmp(command, "--version") == 0) {
		printf("petrel %s\n", petrel_check_version(NULL));
		return CLI_EXIT_OK;
	}
	if (strcmp(command, "--help") == 0 || strcmp(command, "help") == 0)
		return cli_usage(stdout);
	if (strcmp(command, "info") == 0)
		return cmd_info();
	if (strcmp(command, "ticket-key") == 0)
		return cmd_ticket_key(argc, argv);
	int (*run)(const struct cli_options *) = NULL;
	if (strcmp(command, "client") == 0)
		run = cmd_client;
	else if (strcmp(command, "server") == 0)
		run = cmd_server;
	else if (strcmp(command, "demo") == 0)
		run = cmd_demo;
	else if (strcmp(command, "tunnel") == 0)
		run = cmd_tunnel;
	if (run == NULL) {
		fprintf(stderr, "petrel: unknown command '%s' (try --help)\n", command);
		return CLI_EXIT_USAGE;
	}
	struct cli_options options;
	int rc = cli_parse_options(argc, argv, &options);
	if (rc == 0)
		rc = cli_check_session_options(&options, run == cmd_server);
	if (rc)
		return rc;
	return run(&options);
}
