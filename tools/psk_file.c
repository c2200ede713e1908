/* --psk-file: one "identity:hexkey" per line (blank lines and lines
 * starting with '#' ignored), for a server that knows many devices. The
 * server looks identities up through petrel_credentials_set_psk_function,
 * so the file may hold any number of them; a client uses the first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/cli.h"

struct psk_entry {
	char *identity;
	size_t identity_len;
	uint8_t key[64];
	size_t key_len;
};

/* Lives as long as the process: credentials keep the lookup pointer. */
static struct psk_entry *table;
static size_t table_count;

static long lookup(void *ptr, const uint8_t *identity, size_t len, uint8_t *key, size_t cap)
{
	(void)ptr;
	for (size_t i = 0; i < table_count; i++) {
		const struct psk_entry *e = &table[i];
		if (e->identity_len == len && memcmp(e->identity, identity, len) == 0) {
			if (e->key_len > cap)
				return -1;
			memcpy(key, e->key, e->key_len);
			return (long)e->key_len;
		}
	}
	return -1;
}

static int bad_line(const struct cli_options *o, size_t line, const char *why)
{
	fprintf(stderr, "petrel %s: --psk-file '%s' line %zu: %s (want IDENTITY:HEXKEY)\n",
		o->command, o->psk_file, line, why);
	return CLI_EXIT_USAGE;
}

static int add_line(const struct cli_options *o, char *text, size_t line)
{
	char *colon = strrchr(text, ':');
	if (colon == NULL || colon == text)
		return bad_line(o, line, "no identity");
	struct psk_entry e = {0};
	if (petrel_hex_decode(colon + 1, e.key, sizeof e.key, &e.key_len) < 0)
		return bad_line(o, line, "the key is not 1 to 64 bytes of hex");
	*colon = '\0';
	e.identity_len = strlen(text);
	if (e.identity_len >= 128)
		return bad_line(o, line, "identity longer than 127 bytes");
	e.identity = strdup(text);
	struct psk_entry *grown = realloc(table, (table_count + 1) * sizeof *table);
	if (e.identity == NULL || grown == NULL) {
		free(e.identity);
		fprintf(stderr, "petrel %s: out of memory\n", o->command);
		return CLI_EXIT_FAIL;
	}
	table = grown;
	table[table_count++] = e;
	return 0;
}

int cli_load_psk_file(const struct cli_options *o, bool server, petrel_credentials *c)
{
	FILE *f = fopen(o->psk_file, "r");
	if (f == NULL) {
		fprintf(stderr, "petrel %s: cannot read --psk-file '%s': %s\n", o->command, o->psk_file,
			strerror(errno));
		return CLI_EXIT_USAGE;
	}
	char buf[512];
	size_t line = 0;
	int rc = 0;
	while (rc == 0 && fgets(buf, sizeof buf, f)) {
		line++;
		buf[strcspn(buf, "\r\n")] = '\0';
		char *text = buf + strspn(buf, " \t");
		if (*text == '\0' || *text == '#')
			continue;
		rc = add_line(o, text, line);
	}
	fclose(f);
	if (rc)
		return rc;
	if (table_count == 0)
		return bad_line(o, line, "no entries in the file");
	if (server) {
		petrel_credentials_set_psk_function(c, lookup, NULL);
		return 0;
	}
	rc = petrel_credentials_set_psk(c, table[0].identity, table[0].key, table[0].key_len);
	if (rc < 0) {
		fprintf(stderr, "petrel %s: --psk-file: %s\n", o->command, cli_error(rc));
		return CLI_EXIT_USAGE;
	}
	return 0;
}
