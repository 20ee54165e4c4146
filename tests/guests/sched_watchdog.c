/*
 * SCHEDOP_watchdog (sched.h): id 0 arms a new domain watchdog and returns
 * its id (1-based); a known id with a timeout pokes it, with timeout 0
 * destroys it. Xen 4.17 has two per domain (NR_DOMAIN_WATCHDOG_TIMERS):
 * a third gives -ENOSPC; an id that is not armed, or above 2, -EINVAL.
 *
 * Xen 4.17 gets the -ENOSPC wrong: domain_watchdog() computes it in an
 * unsigned int expression (`id == NR ? -ENOSPC : id + 1`), so RAX holds
 * 0xffffffe4, zero-extended. Linux never notices (its HYPERVISOR_sched_op
 * returns int). We accept that value or a proper -ENOSPC: the low 32 bits.
 * Every watchdog armed here is destroyed again long before it could fire
 * (a Dom0 watchdog reboots the machine).
 */
#include "runtime.h"

const char test_title[] = "sched_watchdog: SCHEDOP_watchdog arm, poke, destroy";

static long watchdog(uint32_t id, uint32_t timeout)
{
    struct sched_watchdog wd = { .id = id, .timeout = timeout };

    return hypercall_sched_op(SCHEDOP_watchdog, (unsigned long)&wd);
}

void test_main(void)
{
    check_rc(watchdog(1, 0), -XEN_EINVAL, "destroy watchdog 1 before any");
    check_rc(watchdog(0, 3600), 1, "arm a watchdog (3600 s)");
    check_rc(watchdog(0, 3600), 2, "arm a second watchdog");
    check_rc((int)watchdog(0, 3600), -XEN_ENOSPC,
             "arm a third (low 32 bits of RAX)");
    check_rc(watchdog(1, 1800), 0, "poke watchdog 1");
    check_rc(watchdog(3, 0), -XEN_EINVAL, "destroy watchdog 3 (above 2)");
    check_rc(watchdog(1, 0), 0, "destroy watchdog 1");
    check_rc(watchdog(1, 0), -XEN_EINVAL, "destroy watchdog 1 again");
    check_rc(watchdog(2, 0), 0, "destroy watchdog 2");
    check_rc(watchdog(0, 3600), 1, "arm again: id 1 is free");
    check_rc(watchdog(1, 0), 0, "destroy it");
}
