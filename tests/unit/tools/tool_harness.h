/*
 * CUnit runner of the toolstack's tests: a test file registers its suite
 * with TOOL_TEST_SUITE(fn), which puts fn in the section the runner walks,
 * so adding a test file needs no edit anywhere else.
 */
#ifndef TOOL_HARNESS_H
#define TOOL_HARNESS_H

#include <CUnit/CUnit.h>

typedef void (*tool_suite_fn)(void);

#define TOOL_TEST_SUITE(fn)                                                                  \
    static const tool_suite_fn tool_suite_##fn __attribute__((used, section("tool_suites"))) = fn

/* A scratch directory for the running test (removed at exit), e.g. for sockets. */
const char *tool_test_tmpdir(void);

#endif
