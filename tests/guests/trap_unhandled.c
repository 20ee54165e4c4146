/*
 * An exception for which the guest registered no handler: Xen cannot
 * bounce it (the trap_info address is 0; create_bounce_frame_bad_bounce_ip,
 * xen/arch/x86/x86_64/entry.S) and crashes the domain, after logging the
 * vector (pv_inject_event, xen/arch/x86/pv/traps.c: "Unhandled: vec ...").
 *
 * The verdict comes first, because this kernel does not survive its test;
 * the harness must see the crash in the hypervisor's log (for Dom0:
 * "Hardware Dom0 crashed", hwdom_shutdown, xen/common/shutdown.c).
 */
#include "traps.h"

const char test_title[] = "trap_unhandled: an exception with no handler crashes the domain";

void test_main(void)
{
    traps_init();
    /* Everything registered but #UD. */
    check_rc(trap_clear(X86_EXC_UD), 0, "trap table without #UD");
    printf("Test result: SUCCESS\n");
    printf("Executing ud2 with no #UD handler: the domain must crash now\n");
    asm volatile("ud2");
    test_fail("ud2 without a handler returned");
}
