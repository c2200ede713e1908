/* server_name / ALPN outcome of a DTLS 1.3 handshake into the session
 * (see ext13_session.h), and the server's SNI getter. */
#include "dtls13/ext13_session.h"

#include <stdlib.h>
#include <string.h>

static int replace(char **dst, const char *src)
{
	char *copy = strdup(src);
	if (copy == NULL)
		return PETREL_E_MEMORY;
	free(*dst);
	*dst = copy;
	return 0;
}

int petrel_ext13_names_publish(petrel_session *s, const struct petrel_ext13_names *n)
{
	int rc = n->has_alpn ? replace(&s->alpn_selected, n->alpn) : 0;
	if (rc == 0 && n->has_host && s->role == PETREL_SERVER)
		rc = replace(&s->sni_received, n->host);
	return rc;
}

const char *petrel_session_get_sni(const petrel_session *s)
{
	return s->role == PETREL_SERVER ? s->sni_received : s->server_name;
}
