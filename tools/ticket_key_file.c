/* Session-ticket keys shared by several servers (issue #19 item 5):
 * `petrel ticket-key [FILE]` writes a new master secret in hex, and
 * `petrel server --ticket-key-file FILE` loads one, so every worker and
 * machine given the file seals and opens the same tickets (the keys
 * rotate every --ticket-key-period seconds, counted from the Unix epoch,
 * without the servers talking to each other). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli.h"

/* Room for the longest master in hex, a newline and some blank space. */
#define TICKET_KEY_FILE_MAX 256

static int bad_file(const struct cli_options *o, const char *why)
{
	fprintf(stderr, "petrel %s: --ticket-key-file '%s': %s\n", o->command, o->ticket_key_file, why);
	return CLI_EXIT_USAGE;
}

int cli_load_ticket_key_file(const struct cli_options *o, petrel_credentials *c)
{
	int fd = open(o->ticket_key_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bad_file(o, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) && !o->quiet)
		fprintf(stderr, "petrel %s: warning: --ticket-key-file '%s' is readable by others "
			"(chmod 600)\n", o->command, o->ticket_key_file);
	char text[TICKET_KEY_FILE_MAX + 1];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, text + len, sizeof text - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof text)
			break;
	}
	close(fd);
	int rc = 0;
	if (len > TICKET_KEY_FILE_MAX)
		rc = bad_file(o, "too long (want one line of hex)");
	/* One line of hex; surrounding blanks and a final newline allowed. */
	size_t start = 0;
	while (rc == 0 && len > 0 && strchr(" \t\r\n", text[len - 1]))
		len--;
	while (rc == 0 && start < len && strchr(" \t", text[start]))
		start++;
	text[len] = '\0';
	uint8_t key[PETREL_TICKET_KEY_MAX_LEN];
	size_t key_len = 0;
	if (rc == 0 && (petrel_hex_decode(text + start, key, sizeof key, &key_len) < 0 ||
			key_len < PETREL_TICKET_KEY_LEN))
		rc = bad_file(o, "want 32 to 64 bytes of hex (make one with `petrel ticket-key FILE`)");
	if (rc == 0) {
		unsigned period_s = o->ticket_key_period_set ? o->ticket_key_period_s : CLI_TICKET_KEY_PERIOD_S;
		int lib_rc = petrel_credentials_set_ticket_key(c, key, key_len, period_s);
		if (lib_rc < 0)
			rc = bad_file(o, cli_error(lib_rc));
	}
	explicit_bzero(text, sizeof text);
	explicit_bzero(key, sizeof key);
	return rc;
}

/* `petrel ticket-key [FILE]`: FILE is created (mode 0600) and never
 * overwritten; without FILE the key goes to stdout. */
int cmd_ticket_key(int argc, char **argv)
{
	if (argc > 3 || (argc == 3 && argv[2][0] == '-' && argv[2][1] != '\0')) {
		fprintf(stderr, "usage: petrel ticket-key [FILE]\n");
		return CLI_EXIT_USAGE;
	}
	const char *file = argc == 3 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
	uint8_t key[PETREL_TICKET_KEY_LEN];
	char hex[2 * PETREL_TICKET_KEY_LEN + 2];
	int rc = petrel_ticket_key_generate(key);
	if (rc < 0) {
		fprintf(stderr, "petrel ticket-key: %s\n", cli_error(rc));
		return CLI_EXIT_FAIL;
	}
	static const char digits[] = "0123456789abcdef";
	size_t len = 0;
	for (size_t i = 0; i < sizeof key; i++) {
		hex[len++] = digits[key[i] >> 4];
		hex[len++] = digits[key[i] & 15];
	}
	hex[len++] = '\n';
	explicit_bzero(key, sizeof key);
	int fd = file ? open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600) : STDOUT_FILENO;
	if (fd < 0) {
		int err = errno;
		explicit_bzero(hex, sizeof hex);
		fprintf(stderr, "petrel ticket-key: cannot create '%s': %s\n", file, strerror(err));
		return err == EEXIST ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
	}
	ssize_t n = write(fd, hex, len);
	explicit_bzero(hex, sizeof hex);
	if ((file && close(fd) != 0) || n != (ssize_t)len) {
		fprintf(stderr, "petrel ticket-key: writing '%s' failed\n", file ? file : "stdout");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}
