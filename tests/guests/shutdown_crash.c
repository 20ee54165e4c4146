/*
 * SCHEDOP_shutdown(SHUTDOWN_crash) from Dom0 (sched.h). For the hardware
 * domain the hypervisor acts on the whole machine (hwdom_shutdown,
 * xen/common/shutdown.c); what it logs and does is asserted by the harness
 * (tests/integration/guests.sh), since this kernel never runs again.
 */
#include "runtime.h"

const char test_title[] = "shutdown_crash: SCHEDOP_shutdown(SHUTDOWN_crash) from Dom0";

void test_main(void)
{
    test_exit(SHUTDOWN_crash);
}
