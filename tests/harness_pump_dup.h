/* Runs a harness pair on the simulated network's virtual clock until a
 * given time: both sessions read (and drop) what arrives, answer it and
 * run their timers. Shared by the DTLS 1.2 and 1.3 path MTU probe tests
 * (tests/dtls_probe_test.c, tests/probe13_test.c), which each had a copy
 * (duplicates review). */
#ifndef PETREL_TESTS_HARNESS_PUMP_DUP_H
#define PETREL_TESTS_HARNESS_PUMP_DUP_H

#include <stdint.h>

#include "tests/dtls_harness.h"

void harness_pump(struct harness *h, uint64_t until_ms);

#endif
