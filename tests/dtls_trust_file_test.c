/* petrel_credentials_set_trust_file names what went wrong: a file that
 * cannot be read is a file error, one that holds only certificates we
 * cannot parse is a certificate error. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "petrel/petrel.h"

static char *write_temp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/petrel-trust-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

Test(trust_file, unreadable_file_is_a_file_error)
{
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_trust_file(c, "/nonexistent/petrel-ca.pem"),
		     PETREL_E_FILE_ERROR);
	petrel_credentials_free(c);
}

Test(trust_file, only_unparseable_certificates_is_a_certificate_error)
{
	/* "aGVsbG8gd29ybGQ=" is "hello world": PEM-valid, DER-invalid. */
	char *path = write_temp("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n");
	petrel_credentials *c;
	cr_assert_eq(petrel_credentials_new(&c), 0);
	cr_assert_eq(petrel_credentials_set_trust_file(c, path), PETREL_E_BAD_CERTIFICATE);
	petrel_credentials_free(c);
	unlink(path);
}
