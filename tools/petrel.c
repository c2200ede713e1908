/* The petrel command-line tool: dispatch to a command. */
#include <string.h>

#include "tools/cli.h"

static int cmd_info(void)
{
	printf("petrel %s\n", petrel_check_version(NULL));
	printf("protocol: DTLS 1.2 (RFC 6347), session tickets (RFC 5077), extended master secret "
	       "(RFC 7627)\n");
	printf("protocol: DTLS 1.3 (RFC 9147): certificates and external PSK, HelloRetryRequest "
	       "cookies, ACKs, KeyUpdate\n");
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
