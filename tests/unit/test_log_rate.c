/* xen/common/log_rate.c: a guest-triggered log line cannot flood the console. */
#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

#include <xenolith/lib.h>

static unsigned allowed(struct log_rate *r, unsigned tries)
{
    unsigned n = 0;

    for (unsigned i = 0; i < tries; i++)
        n += log_rate_ok(r);
    return n;
}

static void test_burst_then_quiet(void)
{
    struct log_rate r = { 0 };

    harness_reset_log();
    harness_now_ns = 1000;
    CU_ASSERT_EQUAL(allowed(&r, 10000), LOG_RATE_BURST);
    CU_ASSERT_EQUAL(r.dropped, 10000 - LOG_RATE_BURST);
    CU_ASSERT_STRING_EQUAL(harness_log, "");
    harness_now_ns += LOG_RATE_WINDOW_NS - 1;
    CU_ASSERT_EQUAL(allowed(&r, 5), 0);
}

static void test_next_window_reports_dropped(void)
{
    struct log_rate r = { 0 };

    harness_reset_log();
    harness_now_ns = 5;
    allowed(&r, LOG_RATE_BURST + 7);
    harness_now_ns += LOG_RATE_WINDOW_NS;
    CU_ASSERT_TRUE(log_rate_ok(&r));
    CU_ASSERT_STRING_EQUAL(harness_log, "(7 lines like the next one suppressed)\n");
    harness_reset_log();
    harness_now_ns += LOG_RATE_WINDOW_NS;
    CU_ASSERT_TRUE(log_rate_ok(&r));
    CU_ASSERT_STRING_EQUAL(harness_log, ""); /* nothing was dropped in between */
}

/* now_ns() is 0 before the clock starts: the first window must still close. */
static void test_clock_at_zero(void)
{
    struct log_rate r = { 0 };

    harness_now_ns = 0;
    CU_ASSERT_EQUAL(allowed(&r, 100), LOG_RATE_BURST);
    harness_now_ns = LOG_RATE_WINDOW_NS + 1;
    CU_ASSERT_TRUE(log_rate_ok(&r));
}

void register_log_rate_tests(void)
{
    CU_pSuite s = CU_add_suite("log_rate", NULL, NULL);

    CU_add_test(s, "a burst, then quiet until the window ends", test_burst_then_quiet);
    CU_add_test(s, "the next window says how many were dropped", test_next_window_reports_dropped);
    CU_add_test(s, "a clock still at zero", test_clock_at_zero);
}
