/*
 * HYPERVISOR_iret to user mode (CS RPL 3) before any
 * MMUEXT_NEW_USER_BASEPTR: Xen has no table to switch to and crashes the
 * domain (do_iret, xen/arch/x86/pv/iret.c: "Guest switching to user mode
 * with no user page tables").
 *
 * The verdict comes first, because this kernel does not survive its test;
 * the harness must see the crash in the hypervisor's log.
 */
#include "traps.h"

const char test_title[] = "iret_no_user_table: iret to user mode without a user L4 crashes the domain";

void test_main(void)
{
    static uint8_t stack[4096] __attribute__((aligned(16)));
    struct iret_context ctx = {
        .rip = (unsigned long)test_main,
        .cs = FLAT_USER_CS,             /* RPL 3: to user mode */
        .rflags = 0x2,
        .rsp = (unsigned long)stack + sizeof(stack),
        .ss = FLAT_USER_SS,
    };

    traps_init();
    printf("Test result: SUCCESS\n");
    printf("HYPERVISOR_iret to user mode with no user page table: the "
           "domain must crash now\n");
    iret_to(&ctx);
}
