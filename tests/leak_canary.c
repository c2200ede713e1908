/*
 * A test program that leaks on purpose, never part of `make check`:
 * scripts/hardening builds it under ASan and asserts that LeakSanitizer,
 * with tests/lsan.supp in force, reports both leaks below. It proves the
 * suppressions hide only Criterion's own allocations, not leaks made under
 * a test body or its fixture (issue #17 item 20).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Written and then dropped, so the compiler cannot elide the allocations
 * and nothing references them when the process exits. */
static void *volatile last_allocation;

static void leak(size_t len)
{
	void *p = malloc(len);
	cr_assert_not_null(p);
	memset(p, 0xa5, len);
	last_allocation = p;
	last_allocation = NULL;
}

Test(leak_canary, test_body_leaks_1234_bytes)
{
	leak(1234);
	cr_assert_null(last_allocation);
}

static void fixture_leaks(void)
{
	leak(4321);
}

Test(leak_canary, fixture_leaks_4321_bytes, .init = fixture_leaks)
{
	cr_assert_null(last_allocation);
}
