/* Heap measurement for the flood tests: bytes in use from glibc's
 * mallinfo2 (arena + mmapped blocks). Criterion runs each test in its own
 * process, so a delta over a test's body is that body's net allocation.
 * Under valgrind or ASan malloc is replaced and mallinfo2 sees nothing:
 * robust_heap_measurable() says so and the tests skip their byte checks. */
#ifndef PETREL_TESTS_ROBUST_ALLOC_H
#define PETREL_TESTS_ROBUST_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

size_t robust_heap_in_use(void);
bool robust_heap_measurable(void);

#endif
