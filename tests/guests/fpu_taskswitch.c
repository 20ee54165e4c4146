/*
 * HYPERVISOR_fpu_taskswitch(set) (do_fpu_taskswitch,
 * xen/arch/x86/pv/misc-hypercalls.c) sets or clears the virtual CR0.TS.
 * With it set, the next FPU/SSE instruction raises #NM, which Xen passes
 * to the guest and then clears the virtual TS by itself
 * (do_device_not_available, xen/arch/x86/traps.c), so the guest's handler
 * may simply return to the instruction.
 */
#include "traps.h"

const char test_title[] = "fpu_taskswitch: CR0.TS and #NM";

static unsigned int nm_count;

static bool on_nm(struct trap_record *rec, struct trap_regs *regs)
{
    /* A second #NM at the same place means TS was left set: clear it. */
    if (++nm_count > 1)
        hypercall_fpu_taskswitch(0);
    return true;                        /* retry the instruction */
}

static unsigned long read_cr0(void)
{
    unsigned long cr0 = 0;

    asm volatile(TRAP_EXPECT("mov %%cr0, %[v]") : [v] "+r"(cr0) :: "memory");
    return cr0;
}

static void fpu_op(unsigned long *at)
{
    asm volatile("lea 8889f(%%rip), %[at]\n\t"
                 "8889: fnop" : [at] "=&r"(*at) :: "memory");
}

void test_main(void)
{
    unsigned long at;
    unsigned int before;

    traps_init();
    trap_set_hook(X86_EXC_NM, on_nm);

    check_rc(hypercall_fpu_taskswitch(0), 0, "fpu_taskswitch(0)");
    before = trap_count;
    fpu_op(&at);
    check_rc(trap_count - before, 0, "fnop with TS clear runs");

    check_rc(hypercall_fpu_taskswitch(1), 0, "fpu_taskswitch(1)");
    check_eq(read_cr0() & 8, 8, "  CR0.TS reads as set");
    before = trap_count;
    nm_count = 0;
    fpu_op(&at);
    check_rc(trap_count - before, 1, "fnop with TS set raises one trap");
    check_rc(last_trap.vector, X86_EXC_NM, "  #NM");
    check(!last_trap.has_error, "  without an error code");
    check_eq(last_trap.rip, at, "  at the fnop");
    check_rc(nm_count, 1, "  delivering it cleared TS (no second #NM)");
    check_eq(read_cr0() & 8, 0, "  CR0.TS reads as clear");

    /* Any non-zero argument sets TS (`set` is a C boolean). */
    check_rc(hypercall_fpu_taskswitch(2), 0, "fpu_taskswitch(2)");
    check_eq(read_cr0() & 8, 8, "  CR0.TS reads as set");
    check_rc(hypercall_fpu_taskswitch(0), 0, "fpu_taskswitch(0)");
    before = trap_count;
    fpu_op(&at);
    check_rc(trap_count - before, 0, "fnop after clearing TS runs");
}
