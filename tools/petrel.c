/* The petrel command-line tool, built only on the public API. */
#include <stdio.h>
#include <string.h>

#include <petrel/petrel.h>

static int usage(FILE *out)
{
	fprintf(out, "usage: petrel COMMAND [options]\n"
		     "commands:\n"
		     "  info       print the library version and what it supports\n"
		     "  --version  print the version\n");
	return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--version") == 0) {
		printf("petrel %s\n", petrel_check_version(NULL));
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "info") == 0) {
		printf("petrel %s\n", petrel_check_version(NULL));
		return 0;
	}
	fprintf(stderr, "petrel: unknown command '%s' (try --help)\n", argv[1]);
	return 2;
}
