/* Splitting stdin into lines: read() into our own buffer rather than stdio,
 * so poll() on the descriptor never misses data stdio has buffered. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli.h"

void cli_lines_init(struct cli_lines *l, int fd)
{
	l->fd = fd;
	l->len = 0;
	l->eof = false;
}

int cli_lines_fill(struct cli_lines *l)
{
	if (l->eof)
		return 0;
	if (l->len == sizeof l->buf)
		return 1; /* full: the caller takes a line first */
	ssize_t n;
	do
		n = read(l->fd, l->buf + l->len, sizeof l->buf - l->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		l->eof = true;
		return 0;
	}
	l->len += (size_t)n;
	return 1;
}

long cli_lines_next(struct cli_lines *l, char *out, size_t cap)
{
	char *nl = memchr(l->buf, '\n', l->len);
	size_t take, consumed;
	if (nl) {
		take = (size_t)(nl - l->buf);
		consumed = take + 1;
	} else if ((l->eof && l->len > 0) || l->len == sizeof l->buf) {
		/* The unterminated rest at end of input, or a line longer
		 * than any datagram: pass it on as it is. */
		take = l->len;
		consumed = take;
	} else {
		return -1;
	}
	if (take > 0 && l->buf[take - 1] == '\r')
		take--; /* CRLF input */
	if (take > cap)
		take = cap;
	memcpy(out, l->buf, take);
	memmove(l->buf, l->buf + consumed, l->len - consumed);
	l->len -= consumed;
	return (long)take;
}
