/* PEM (RFC 7468): textual encapsulation of DER; base64 from crypto/. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/base64.h"
#include "crypto/crypto.h"
#include "petrel/petrel.h"
#include "x509/x509.h"

static const char begin_marker[] = "-----BEGIN ";
static const char end_marker[] = "-----END ";
static const char dashes[] = "-----";
#define LEN(s) (sizeof(s) - 1)

/* RFC 7468 3: whitespace (including line breaks) may appear anywhere in
 * the base64 text. */
static const char b64_ignore[] = " \t\r\n";

static const char *find(const char *hay, const char *hay_end, const char *needle, size_t n)
{
	if (hay >= hay_end)
		return NULL;
	return memmem(hay, (size_t)(hay_end - hay), needle, n);
}

static bool only_ignorable(const char *p, const char *end)
{
	for (; p < end; p++)
		if (strchr(b64_ignore, *p) == NULL || *p == '\0')
			return false;
	return true;
}

int petrel_pem_next(const char *text, size_t text_len, size_t *pos, char label[PETREL_PEM_LABEL_MAX],
		    uint8_t **der, size_t *der_len)
{
	const char *end = text + text_len;
	if (*pos >= text_len)
		return 0;
	const char *begin = find(text + *pos, end, begin_marker, LEN(begin_marker));
	if (begin == NULL) {
		*pos = text_len;
		return 0;
	}
	const char *lab = begin + LEN(begin_marker);
	const char *lab_end = find(lab, end, dashes, LEN(dashes));
	if (lab_end == NULL)
		return PETREL_E_DECODE_ERROR;
	size_t lab_len = (size_t)(lab_end - lab);
	if (lab_len >= PETREL_PEM_LABEL_MAX || memchr(lab, '\n', lab_len) != NULL)
		return PETREL_E_DECODE_ERROR;
	memcpy(label, lab, lab_len);
	label[lab_len] = '\0';
	const char *body = lab_end + LEN(dashes);

	/* The matching "-----END label-----". */
	const char *end_line = find(body, end, end_marker, LEN(end_marker));
	if (end_line == NULL)
		return PETREL_E_DECODE_ERROR;
	const char *end_lab = end_line + LEN(end_marker);
	if ((size_t)(end - end_lab) < lab_len + LEN(dashes) || memcmp(end_lab, lab, lab_len) != 0 ||
	    memcmp(end_lab + lab_len, dashes, LEN(dashes)) != 0)
		return PETREL_E_DECODE_ERROR;

	size_t body_len = (size_t)(end_line - body);
	size_t cap = body_len / 4 * 3 + 3;
	uint8_t *out = malloc(cap ? cap : 1);
	if (out == NULL)
		return PETREL_E_MEMORY;
	size_t out_len = 0;
	const char *b64_end = NULL;
	if (petrel_base64_decode(body, body_len, b64_ignore, out, cap, &out_len, &b64_end) < 0 ||
	    !only_ignorable(b64_end, end_line) || out_len == 0) {
		petrel_wipe(out, cap);
		free(out);
		return PETREL_E_DECODE_ERROR;
	}
	*der = out;
	*der_len = out_len;
	*pos = (size_t)(end_lab + lab_len + LEN(dashes) - text);
	return 1;
}

size_t petrel_pem_encoded_len(const char *label, size_t der_len)
{
	size_t b64 = (der_len + 2) / 3 * 4;
	size_t lines = (b64 + 63) / 64;
	size_t lab = strlen(label);
	return LEN(begin_marker) + lab + LEN(dashes) + 1 + b64 + lines + LEN(end_marker) + lab +
	       LEN(dashes) + 1 + 1;
}

int petrel_pem_encode(const char *label, const uint8_t *der, size_t der_len, char *out,
		      size_t out_cap, size_t *out_len)
{
	size_t need = petrel_pem_encoded_len(label, der_len);
	if (out_cap < need)
		return PETREL_E_SHORT_BUFFER;
	size_t lab = strlen(label);
	char *p = out;
	memcpy(p, begin_marker, LEN(begin_marker));
	p += LEN(begin_marker);
	memcpy(p, label, lab);
	p += lab;
	memcpy(p, dashes, LEN(dashes));
	p += LEN(dashes);
	*p++ = '\n';
	/* 48 input bytes make one 64-character line (RFC 7468 2). */
	for (size_t off = 0; off < der_len; off += 48) {
		size_t chunk = der_len - off < 48 ? der_len - off : 48;
		size_t enc = petrel_base64_encoded_len(chunk);
		/* need counted one byte per line and the final NUL */
		if (petrel_base64_encode(der + off, chunk, p, enc + 1) < 0)
			return PETREL_E_SHORT_BUFFER;
		p += enc;
		*p++ = '\n';
	}
	memcpy(p, end_marker, LEN(end_marker));
	p += LEN(end_marker);
	memcpy(p, label, lab);
	p += lab;
	memcpy(p, dashes, LEN(dashes));
	p += LEN(dashes);
	*p++ = '\n';
	*p = '\0';
	*out_len = (size_t)(p - out);
	return 0;
}
