/*
 * Exceptions in guest kernel mode and the frame Xen bounces them with
 * (create_bounce_frame, xen/arch/x86/x86_64/entry.S; pv_inject_event,
 * xen/arch/x86/pv/traps.c), and set_trap_table's argument rules
 * (do_set_trap_table, xen/arch/x86/pv/callback.c).
 */
#include "traps.h"
#include "pagetable.h"

const char test_title[] = "traps: set_trap_table, exception delivery and the bounce frame";

static void check_table_args(void)
{
    struct trap_info bad[2] = {
        { .vector = 0x81, .cs = FLAT_KERNEL_CS,
          .address = 0x0000800000000000UL },   /* non-canonical */
        { 0 },
    };
    struct trap_info two[4] = {
        { .vector = 0x81, .flags = TI_DPL(1), .cs = FLAT_KERNEL_CS,
          .address = trap_stub(0x81) },
        { 0 },                                  /* the terminator */
        { .vector = 0x82, .flags = TI_DPL(1), .cs = FLAT_KERNEL_CS,
          .address = trap_stub(0x82) },
        { 0 },
    };

    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_set_trap_table((void *)bad_ptrs[i].addr),
                 -XEN_EFAULT, "set_trap_table(%s %#lx)", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    /* Entries are checked one by one: a non-canonical handler is refused. */
    check_rc(hypercall_set_trap_table(bad), -XEN_EINVAL,
             "set_trap_table with a non-canonical handler address");

    /* An entry whose address is 0 ends the list; 0x82 is never seen. */
    check_rc(hypercall_set_trap_table(two), 0,
             "set_trap_table(0x81, terminator, 0x82)");
    check_rc(trap_probe("int $0x81"), 0x81,
             "int $0x81 (DPL 1, before the terminator) delivers vector");
    check_rc(trap_probe("int $0x82"), X86_EXC_GP,
             "int $0x82 (after the terminator: not installed) raises vector");
    check_rc(last_trap.error, (0x82 << 3) | XEC_IDT,
             "  #GP error code for the missing vector 0x82");

    /* A NULL table clears every vector; reload ours afterwards. */
    check_rc(hypercall_set_trap_table(NULL), 0, "set_trap_table(NULL)");
    check_rc(trap_set(X86_EXC_GP, 0), 0, "re-register #GP alone");
    check_rc(trap_probe("int $0x81"), X86_EXC_GP,
             "int $0x81 after set_trap_table(NULL) raises vector");
    traps_init();
}

/*
 * Trap with known RCX, R11, RAX and an RSP of the given misalignment, and
 * check every word of the frame.
 */
struct frame_probe {
    unsigned long rsp;      /* RSP at the instruction */
    unsigned long rip;      /* its address */
    unsigned long next;     /* the address after it */
};

static void probe_ud2(struct frame_probe *p, unsigned long misalign)
{
    unsigned long rsp, rip, next;

    asm volatile("mov %%rsp, %%r12\n\t"
                 "sub %[mis], %%rsp\n\t"
                 "mov %%rsp, %[rsp]\n\t"
                 "lea 8889f(%%rip), %[rip]\n\t"
                 "lea 8890f(%%rip), %[next]\n\t"
                 "mov $0x1111222233334444, %%rcx\n\t"
                 "mov $0x5555666677778888, %%r11\n\t"
                 "mov $0x0123456789abcdef, %%rax\n\t"
                 TRAP_EXPECT("ud2")
                 "mov %%r12, %%rsp"
                 : [rsp] "=&r"(rsp), [rip] "=&r"(rip), [next] "=&r"(next)
                 : [mis] "r"(misalign)
                 : "rax", "rcx", "r11", "r12", "memory");
    p->rsp = rsp;
    p->rip = rip;
    p->next = next;
}

static void check_frame_layout(void)
{
    struct frame_probe p;
    const struct trap_record *t = &last_trap;

    for (unsigned long mis = 0; mis < 16; mis += 8) {
        unsigned int before = trap_count;

        probe_ud2(&p, mis);
        if (!check(trap_count == before + 1, "ud2 (RSP %% 16 = %lu) traps",
                   (p.rsp & 15)))
            continue;
        trap_print("  ud2", t);
        check_rc(t->vector, X86_EXC_UD, "  vector");
        check_eq(t->rip, p.rip, "  RIP is the faulting ud2");
        check(t->rsp == p.rsp, "  RSP is the interrupted RSP %#lx", p.rsp);
        check(t->frame == (p.rsp & ~15UL) - 7 * 8,
              "  frame starts 7 words below RSP rounded down to 16 (%#lx)",
              t->frame);
        check(t->rcx == 0x1111222233334444UL, "  RCX slot holds the old RCX");
        check(t->r11 == 0x5555666677778888UL, "  R11 slot holds the old R11");
        check(t->rax == 0x0123456789abcdefUL, "  RAX reached the handler");
        check_eq(t->cs & 0xffff, FLAT_KERNEL_CS & ~3,
                 "  CS is FLAT_KERNEL_CS with RPL cleared (kernel mode)");
        check_eq(t->ss, FLAT_KERNEL_SS, "  SS");
        check(!(t->rflags & X86_EFLAGS_IOPL), "  RFLAGS.IOPL is 0");
    }

    /* An error-code frame is one word longer, below RIP. */
    check_rc(trap_probe("movq %%rax, 0x1000"), X86_EXC_PF,
             "write to unmapped 0x1000 raises");
    check(t->frame == ((t->rsp & ~15UL) - 8 * 8),
          "  #PF frame starts 8 words below RSP rounded down to 16");
}

/* The upcall mask goes into CS[39:32] and !mask into RFLAGS.IF. */
static void check_saved_mask(void)
{
    struct vcpu_info *vi = vcpu0_info();
    const struct trap_record *t = &last_trap;
    uint8_t old = vi->evtchn_upcall_mask;

    for (unsigned int m = 0; m < 2; m++) {
        vi->evtchn_upcall_mask = m;
        trap_probe("ud2");
        check_rc(t->cs >> 32, m, "mask %u: CS bits 32-39", m);
        check_rc(!!(t->rflags & X86_EFLAGS_IF), !m, "mask %u: RFLAGS.IF", m);
        check_rc(t->mask, m, "mask %u: unchanged for a vector without "
                 "TI_MASK_EVENTS", m);
        check_rc(vi->evtchn_upcall_mask, m,
                 "mask %u: HYPERVISOR_iret restored it from RFLAGS.IF", m);
    }

    /* trap_info flag bit 2 (an interrupt gate) masks events on entry. */
    check_rc(trap_set(X86_EXC_UD, TI_MASK_EVENTS), 0,
             "#UD with TI_MASK_EVENTS");
    vi->evtchn_upcall_mask = 0;
    trap_probe("ud2");
    check_rc(t->mask, 1, "  mask is 1 in the handler");
    check_rc(t->cs >> 32, 0, "  CS bits 32-39 still hold the old mask 0");
    check_rc(vi->evtchn_upcall_mask, 0, "  iret restored mask 0");
    trap_set(X86_EXC_UD, 0);
    vi->evtchn_upcall_mask = old;
}

static void check_exceptions(void)
{
    const struct trap_record *t = &last_trap;
    unsigned long here;

    /* #DE: the divide is a fault, RIP stays on it. */
    asm volatile("xor %%edx, %%edx\n\t"
                 "xor %%ecx, %%ecx\n\t"
                 "mov $1, %%eax\n\t"
                 "lea 8889f(%%rip), %[here]\n\t"
                 TRAP_EXPECT("divl %%ecx")
                 : [here] "=&r"(here) :: "rax", "rcx", "rdx", "memory");
    check_rc(t->vector, X86_EXC_DE, "divide by zero raises");
    check_eq(t->rip, here, "  RIP is the div");

    /* #BP: int3 is a trap, RIP is after it; its DPL is not checked. */
    asm volatile("lea 8890f(%%rip), %[here]\n\t"
                 TRAP_EXPECT("int3")
                 : [here] "=&r"(here) :: "memory");
    check_rc(t->vector, X86_EXC_BP, "int3 raises");
    check_eq(t->rip, here, "  RIP is after the int3");

    /* #PF: cr2 in vcpu_info, U/S cleared because we are the kernel. */
    check_rc(trap_probe("movq 0x1000, %%rax"), X86_EXC_PF,
             "read of unmapped 0x1000 raises");
    check_rc(t->error, 0, "  error code (not present, read, kernel)");
    check_rc(t->cr2, 0x1000, "  vcpu_info.arch.cr2");
    check_rc(trap_probe("movq %%rax, 0x1008"), X86_EXC_PF,
             "write to unmapped 0x1008 raises");
    check_rc(t->error, PFEC_WRITE, "  error code (not present, write, kernel)");
    check_rc(t->cr2, 0x1008, "  vcpu_info.arch.cr2");

    /*
     * A write to our own L4, mapped read-only: not an L1, so no ptwr
     * emulation (pv_ro_page_fault); the #PF reaches us as present+write.
     */
    asm volatile("mov %[l4], %%rdx\n\t"
                 TRAP_EXPECT("movq $0, 8(%%rdx)")
                 :: [l4] "r"(start_info->pt_base) : "rdx", "memory");
    check_rc(t->vector, X86_EXC_PF, "write to the read-only L4 raises");
    check_rc(t->error, PFEC_PRESENT | PFEC_WRITE,
             "  error code (present, write, kernel)");
    check_eq(t->cr2, start_info->pt_base + 8, "  vcpu_info.arch.cr2");

    /* #GP(0) from a non-canonical address; #GP(sel) from a bad selector. */
    check_rc(trap_probe("movabs 0x8000000000000000, %%rax"), X86_EXC_GP,
             "read of a non-canonical address raises");
    check_rc(t->error, 0, "  error code");
    check_rc(trap_probe("mov $0x1234, %%eax; mov %%eax, %%ds"), X86_EXC_GP,
             "loading DS with LDT selector 0x1234 (no LDT) raises");
    check_eq(t->error, 0x1234, "  error code is the selector");
    asm volatile("mov %0, %%ds" :: "r"(0));
}

/*
 * int $n from kernel mode: allowed when the vector's DPL is at least 1
 * (permit_softint, xen/arch/x86/include/asm/x86_64/regs.h); otherwise a
 * #GP with error (n << 3) | 2 at the int instruction (do_general_protection).
 */
static void check_softint(void)
{
    const struct trap_record *t = &last_trap;
    unsigned long at;

    for (unsigned int dpl = 0; dpl < 4; dpl++) {
        check_rc(trap_set(0x81, TI_DPL(dpl)), 0, "vector 0x81 with DPL %u",
                 dpl);
        asm volatile("lea 8889f(%%rip), %[at]\n\t"
                     TRAP_EXPECT("int $0x81")
                     : [at] "=&r"(at) :: "memory");
        if (dpl == 0) {
            check_rc(t->vector, X86_EXC_GP, "  int $0x81 raises");
            check_eq(t->error, (0x81 << 3) | XEC_IDT, "  #GP error code");
            check_eq(t->rip, at, "  RIP is the int instruction");
        } else {
            check_rc(t->vector, 0x81, "  int $0x81 delivers");
            check(!t->has_error, "  without an error code");
            check_eq(t->rip, at + 2, "  RIP is after the int instruction");
        }
    }
    trap_clear(0x81);
    check_rc(trap_set(0x80, TI_DPL(3)), 0, "vector 0x80 with DPL 3");
    check_rc(trap_probe("int $0x80"), 0x80, "int $0x80 delivers");
    trap_clear(0x80);
}

/* A native iretq (ring 3 to ring 3) works as well as HYPERVISOR_iret. */
static void check_direct_return(void)
{
    trap_return_direct = true;
    check_rc(trap_probe("ud2"), X86_EXC_UD, "ud2, handler returns with iretq");
    trap_return_direct = false;
}

void test_main(void)
{
    traps_init();
    check_table_args();
    check_frame_layout();
    check_saved_mask();
    check_exceptions();
    check_softint();
    check_direct_return();
}
