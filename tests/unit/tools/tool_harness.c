/* The runner of build/unit/tool-tests: every suite of the section, in link order. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "tool_harness.h"

/* Weak: with no suite linked in, the run has no test and fails. */
extern const tool_suite_fn __start_tool_suites[] __attribute__((weak));
extern const tool_suite_fn __stop_tool_suites[] __attribute__((weak));

static char tmpdir[64];

const char *tool_test_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/tool-tests.XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

static void remove_tmpdir(void)
{
    char cmd[96];

    if (tmpdir[0]) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "tool-tests: could not remove %s\n", tmpdir);
    }
}

int main(void)
{
    unsigned failed, run;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    atexit(remove_tmpdir);
    for (const tool_suite_fn *fn = __start_tool_suites; fn < __stop_tool_suites; fn++)
        (*fn)();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_tests_failed();
    run = CU_get_number_of_tests_run();
    printf("\ntool-tests: %u tests run, %u failed\n", run, failed);
    CU_cleanup_registry();
    return failed || run == 0 ? 1 : 0;
}
