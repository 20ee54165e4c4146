/*
 * HYPERVISOR_set_debugreg / get_debugreg (set_debugreg and x86emul_read_dr,
 * xen/arch/x86/pv/misc-hypercalls.c and x86_emulate.c): addresses must be
 * guest addresses, DR6/DR7 keep their reserved bits, DR7.GD and I/O
 * breakpoints are refused, and an enabled breakpoint really fires as a #DB
 * with its bit merged into the virtual DR6 (do_debug, xen/arch/x86/traps.c).
 */
#include "traps.h"

const char test_title[] = "debugreg: set/get DR0-3, DR6, DR7 and breakpoints";

#define DR6_DEFAULT 0xffff0ff0UL
#define DR7_DEFAULT 0x00000400UL
#define DR7_GD      0x00002000UL

static long set_dr(unsigned long reg, unsigned long val)
{
    return hypercall(__HYPERVISOR_set_debugreg, reg, val, 0, 0, 0);
}

static long get_dr(unsigned long reg)
{
    return hypercall(__HYPERVISOR_get_debugreg, reg, 0, 0, 0, 0);
}

static void check_addresses(void)
{
    static const unsigned long good[] = {
        0, 0x1000, 0x00007ffffffff000UL, 0xffffffff80100000UL,
        HYPERVISOR_VIRT_END,
    };
    static const unsigned long bad[] = {
        HYPERVISOR_VIRT_START, 0xffff830000000000UL,
        HYPERVISOR_VIRT_END - 8, 0x0000800000000000UL,
    };

    for (unsigned int reg = 0; reg < 4; reg++) {
        for (unsigned int i = 0; i < ARRAY_SIZE(good); i++) {
            check_rc(set_dr(reg, good[i]), 0, "set DR%u = %#lx", reg, good[i]);
            check_eq(get_dr(reg), good[i], "  get DR%u", reg);
        }
        /* breakpoint_addr_ok: not in Xen's range, not non-canonical. */
        for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
            check_rc(set_dr(reg, bad[i]), -XEN_EPERM, "set DR%u = %#lx", reg,
                     bad[i]);
        check_eq(get_dr(reg), good[ARRAY_SIZE(good) - 1],
                 "  DR%u unchanged", reg);
        set_dr(reg, 0);
    }
}

static void check_status_control(void)
{
    check_rc(set_dr(6, 0), 0, "set DR6 = 0");
    check_eq(get_dr(6), DR6_DEFAULT, "  reads back with its reserved ones");
    check_rc(set_dr(6, 0xf), 0, "set DR6 = B0-B3");
    check_eq(get_dr(6), DR6_DEFAULT | 0xf, "  get DR6");
    check_rc(set_dr(6, 1UL << 32), -XEN_EINVAL, "set DR6 with bit 32");
    set_dr(6, 0);

    check_rc(set_dr(7, 0), 0, "set DR7 = 0");
    check_eq(get_dr(7), DR7_DEFAULT, "  reads back with bit 10 set");
    check_rc(set_dr(7, DR7_GD), -XEN_EPERM, "set DR7.GD");
    check_rc(set_dr(7, 1UL << 32), -XEN_EINVAL, "set DR7 with bit 32");
    /* An enabled I/O breakpoint (R/W0 = 10b) needs CR4.DE. */
    check_rc(set_dr(7, 0x1 | (2UL << 16)), -XEN_EPERM,
             "set DR7 with an I/O breakpoint, CR4.DE clear");
    check_eq(get_dr(7), DR7_DEFAULT, "  DR7 unchanged");

    /* With CR4.DE clear, DR4 and DR5 are DR6 and DR7. */
    check_rc(set_dr(4, 0x2), 0, "set DR4 (DR6) = B1");
    check_eq(get_dr(6), DR6_DEFAULT | 0x2, "  get DR6");
    check_eq(get_dr(4), DR6_DEFAULT | 0x2, "  get DR4");
    check_eq(get_dr(5), DR7_DEFAULT, "get DR5 (DR7)");
    set_dr(6, 0);

    for (unsigned long reg = 8; reg < 16; reg += 7) {
        check_rc(set_dr(reg, 0), -XEN_ENODEV, "set DR%lu", reg);
        check_rc(get_dr(reg), -XEN_ENODEV, "get DR%lu", reg);
    }
}

/* An instruction breakpoint on a probe, and a write watchpoint. */
static volatile uint64_t watched;

static bool on_db(struct trap_record *rec, struct trap_regs *regs)
{
    /* Disarm, so that returning to the instruction does not loop. */
    set_dr(7, 0);
    return true;
}

void bp_target(void);
asm(".pushsection .text\n"
    ".globl bp_target\n"
    "bp_target:\n\t"
    "nop\n\t"
    "ret\n"
    ".popsection");

static void check_breakpoints(void)
{
    unsigned int before;

    trap_set_hook(X86_EXC_DB, on_db);

    /* DR0, execute (R/W0 = 00), length 1 (LEN0 = 00), local enable L0. */
    set_dr(6, 0);
    check_rc(set_dr(0, (unsigned long)bp_target), 0, "DR0 = bp_target");
    check_rc(set_dr(7, 0x1), 0, "DR7: L0, execute");
    check_eq(get_dr(7), DR7_DEFAULT | 1, "  get DR7");
    before = trap_count;
    bp_target();
    check_rc(trap_count - before, 1, "calling bp_target raises one trap");
    check_rc(last_trap.vector, X86_EXC_DB, "  #DB");
    check_eq(last_trap.rip, (unsigned long)bp_target,
             "  at the instruction (a fault)");
    check_eq(get_dr(6) & 0xf, 1, "  DR6.B0 set in the virtual DR6");

    /* DR1, write (R/W1 = 01), 8 bytes (LEN1 = 10b), L1. */
    set_dr(6, 0);
    check_rc(set_dr(1, (unsigned long)&watched), 0, "DR1 = &watched");
    check_rc(set_dr(7, (1UL << 2) | (1UL << 20) | (2UL << 22)), 0,
             "DR7: L1, write, 8 bytes");
    before = trap_count;
    watched = 1;
    check_rc(trap_count - before, 1, "writing watched raises one trap");
    check_rc(last_trap.vector, X86_EXC_DB, "  #DB");
    check_eq(get_dr(6) & 0xf, 2, "  DR6.B1 set in the virtual DR6");
    check_eq(watched, 1, "  the write happened (a trap, after it)");

    trap_set_hook(X86_EXC_DB, NULL);
    set_dr(7, 0);
    set_dr(6, 0);
    set_dr(0, 0);
    set_dr(1, 0);
}

void test_main(void)
{
    traps_init();
    check_addresses();
    check_status_control();
    check_breakpoints();
}
