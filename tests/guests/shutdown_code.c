/*
 * SCHEDOP_shutdown_code (sched.h): "latch a shutdown code, so that when the
 * domain later shuts down it reports this code". The first latched code
 * wins (Xen 4.17 stores it only while none is set), and the later
 * SCHEDOP_shutdown(SHUTDOWN_poweroff) of the runtime is then carried out
 * as SHUTDOWN_reboot: the harness expects the reboot of the machine.
 */
#include "runtime.h"

const char test_title[] = "shutdown_code: the latched code overrides the shutdown reason";

static long shutdown_code(unsigned int reason)
{
    struct sched_shutdown s = { .reason = reason };

    return hypercall_sched_op(SCHEDOP_shutdown_code, (unsigned long)&s);
}

void test_main(void)
{
    check_rc(shutdown_code(SHUTDOWN_reboot), 0,
             "SCHEDOP_shutdown_code(SHUTDOWN_reboot)");
    check_rc(shutdown_code(SHUTDOWN_crash), 0,
             "SCHEDOP_shutdown_code(SHUTDOWN_crash) (ignored: one is latched)");
    printf("  now SCHEDOP_shutdown(SHUTDOWN_poweroff): expect a reboot\n");
}
