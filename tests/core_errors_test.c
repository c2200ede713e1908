#include <criterion/criterion.h>
#include <string.h>

#include "common/errors.h"
#include "petrel/petrel.h"

static int is_listed_nonfatal(int code)
{
	return code == PETREL_E_AGAIN || code == PETREL_E_INTERRUPTED ||
	       code == PETREL_E_WARNING_ALERT_RECEIVED || code == PETREL_E_LARGE_PACKET ||
	       code == PETREL_E_GOT_APPLICATION_DATA;
}

Test(errors, every_code_has_name_text_and_fatality)
{
	size_t count;
	const struct petrel_error_info *table = petrel_error_table(&count);
	cr_assert_gt(count, 50);
	for (size_t i = 0; i < count; i++) {
		int code = table[i].code;
		cr_assert_str_eq(petrel_strerror_name(code), table[i].name);
		cr_assert_str_eq(petrel_strerror(code), table[i].text);
		cr_assert_neq(strcmp(petrel_strerror(code), "unknown error"), 0);
		cr_assert_eq(strncmp(table[i].name, "PETREL_E_", 9), 0);
		int expected_fatal = code < 0 && !is_listed_nonfatal(code);
		cr_assert_eq(petrel_error_is_fatal(code), expected_fatal, "code %d (%s)", code, table[i].name);
		for (size_t j = i + 1; j < count; j++)
			cr_assert_neq(code, table[j].code, "duplicate code %d", code);
	}
}

Test(errors, nonfatal_codes_are_exactly_the_documented_five)
{
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_AGAIN), 0);
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_INTERRUPTED), 0);
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_WARNING_ALERT_RECEIVED), 0);
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_LARGE_PACKET), 0);
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_GOT_APPLICATION_DATA), 0);
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_TIMEDOUT), 1);
	cr_assert_eq(petrel_error_is_fatal(PETREL_E_FATAL_ALERT_RECEIVED), 1);
	cr_assert_eq(petrel_error_is_fatal(0), 0);
	cr_assert_eq(petrel_error_is_fatal(17), 0);
}

Test(errors, unknown_codes_are_fatal_and_named_unknown)
{
	cr_assert_eq(petrel_error_is_fatal(-9999), 1);
	cr_assert_str_eq(petrel_strerror_name(-9999), "PETREL_E_UNKNOWN");
	cr_assert_str_eq(petrel_strerror(-9999), "unknown error");
}

Test(version, check_version)
{
	cr_assert_str_eq(petrel_check_version(NULL), PETREL_VERSION);
	cr_assert_str_eq(petrel_check_version("0.0.1"), PETREL_VERSION);
	cr_assert_null(petrel_check_version("99.0.0"));
	cr_assert_null(petrel_check_version("garbage"));
}
