/* Placeholder until the library's endpoint API links (dtls/endpoint.c);
 * tools/cmd_server.c replaces this file then. */
#include "tools/cli.h"

int cmd_server(const struct cli_options *o)
{
	fprintf(stderr, "petrel %s: not available in this build yet\n", o->command);
	return CLI_EXIT_FAIL;
}
