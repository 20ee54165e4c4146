/* The CUnit runner and the hypervisor services the tested files call. */
#include <CUnit/Basic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"

char harness_log[4096];

void harness_reset_log(void)
{
    harness_log[0] = '\0';
}

void printk(const char *fmt, ...)
{
    size_t used = strlen(harness_log);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(harness_log + used, sizeof(harness_log) - used, fmt, ap);
    va_end(ap);
}

/* glibc 2.36 has no strlcpy; the hypervisor's own is in string.c. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

unsigned long long harness_now_ns;

uint64_t now_ns(void);
uint64_t now_ns(void)
{
    return harness_now_ns;
}

void panic(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "panic: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    abort();
}

int main(void)
{
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    register_page_alloc_tests();
    register_cmdline_tests();
    register_elf_tests();
    register_xz_tests();
    register_bzimage_tests();
    register_page_types_tests();
    register_log_rate_tests();
    register_time_calibrate_tests();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_tests_failed();
    printf("\nunit: %u tests run, %u failed\n", CU_get_number_of_tests_run(), failed);
    if (CU_get_number_of_tests_run() == 0)
        failed = 1;
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
