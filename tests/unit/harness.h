/*
 * Stands in for the hypervisor around host-compiled hypervisor files: the
 * log goes to a buffer the tests can inspect, and panic() fails the test.
 */
#ifndef UNIT_HARNESS_H
#define UNIT_HARNESS_H

#include <CUnit/CUnit.h>

extern char harness_log[4096];
void harness_reset_log(void);

void register_page_alloc_tests(void);
void register_cmdline_tests(void);
void register_elf_tests(void);
void register_xz_tests(void);
void register_bzimage_tests(void);
void register_page_types_tests(void);
void register_log_rate_tests(void);
void register_time_calibrate_tests(void);

/* now_ns() of the tested files: the tests set it. */
extern unsigned long long harness_now_ns;

#endif
