/*
 * A watchdog that is not poked fires (sched.h: SCHEDOP_watchdog): the
 * hypervisor shuts the domain down with SHUTDOWN_watchdog, which for the
 * hardware domain resets the machine (hwdom_shutdown, xen/common/shutdown.c).
 * The verdict is printed first; the harness (guests.sh) asserts the log.
 * The kernel then sleeps with SCHEDOP_block: no event is bound, so only
 * the watchdog can end the wait.
 */
#include "runtime.h"

const char test_title[] = "sched_watchdog_fire: an unpoked watchdog resets the machine";

void test_main(void)
{
    struct sched_watchdog w = { .id = 0, .timeout = 1 };
    long id = hypercall_sched_op(SCHEDOP_watchdog, (unsigned long)&w);

    if (!check(id == 1, "arm a 1 s watchdog: got %ld, expected 1", id))
        return;
    printf("Test result: SUCCESS\n");
    for (;;)
        hypercall_sched_op(SCHEDOP_block, 0);
}
