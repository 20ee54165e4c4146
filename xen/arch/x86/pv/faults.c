/*
 * A fault while a PV guest runs: first what the hypervisor owes the guest
 * (emulating a privileged instruction, a page-table write, the forced CPUID,
 * retrying a fault a stale TLB entry caused), then the guest's own handler.
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <xen/xen.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define TRAP_DB 1
#define TRAP_UD 6
#define TRAP_NM 7
#define TRAP_GP 13
#define TRAP_PF 14

#define PFEC_PRESENT (1U << 0)
#define PFEC_WRITE (1U << 1)
#define PFEC_USER (1U << 2)
#define PFEC_RSVD (1U << 3)
#define PFEC_FETCH (1U << 4)

static bool has_error_code(unsigned vec)
{
    return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 ||
           vec == 29 || vec == 30;
}

/*
 * After the hypervisor makes a mapping more permissive the TLB may still
 * hold the old entry: if the tables allow the access now, retry it.
 */
static bool spurious_page_fault(uint64_t addr, uint32_t ec)
{
    pte_t *t = maddr_to_virt(read_cr3() & PADDR_MASK), e = 0;

    if (ec & PFEC_RSVD)
        return false;
    for (int shift = L4_SHIFT; shift >= L1_SHIFT; shift -= 9) {
        e = t[PT_INDEX(addr, shift)];
        if (!(e & _PAGE_PRESENT) || !(e & _PAGE_USER) ||
            ((ec & PFEC_WRITE) && !(e & _PAGE_RW)) ||
            ((ec & PFEC_FETCH) && (e & _PAGE_NX)))
            return false;
        if (shift == L1_SHIFT)
            break;
        t = maddr_to_virt(e & PADDR_MASK);
    }
    __asm__ volatile("invlpg (%0)" ::"r"(addr) : "memory");
    return true;
}

static void page_fault(struct cpu_regs *r)
{
    struct vcpu *v = current;
    uint64_t addr = read_cr2();
    uint32_t ec = r->error_code;

    /* The CPU reading the guest's LDT through the hypervisor's window. */
    if (addr >= HYPERVISOR_VIRT_START && addr < HYPERVISOR_VIRT_END) {
        if (handle_ldt_fault(v, addr))
            return;
        /* As Xen: the guest sees the fault at its own LDT address. */
        addr = v->ldt_base + (addr & (PAGE_SIZE - 1));
    }
    if (v->kernel_mode && (ec & (PFEC_PRESENT | PFEC_WRITE)) == (PFEC_PRESENT | PFEC_WRITE) &&
        !(ec & (PFEC_RSVD | PFEC_FETCH)) && pv_ptwr_emulate(r, addr))
        return;
    if (spurious_page_fault(addr, ec))
        return;
    v->vcpu_info->arch.cr2 = addr;
    /* The hardware saw ring 3 either way; the guest wants to know whose access it was. */
    if (v->kernel_mode)
        ec &= ~PFEC_USER;
    pv_inject_exception(r, TRAP_PF, true, ec);
}

static void general_protection(struct cpu_regs *r)
{
    uint32_t ec = r->error_code;

    /* An `int n` whose IDT gate is not DPL 3: the guest's trap table decides. */
    if ((ec & 3) == 2 && pv_soft_interrupt(r, ec >> 3))
        return;
    if (!ec && pv_emulate_privileged(r))
        return;
    pv_inject_exception(r, TRAP_GP, true, ec);
}

void pv_guest_exception(struct cpu_regs *r)
{
    struct vcpu *v = current;
    unsigned vec = r->entry_vector;

    switch (vec) {
    case TRAP_PF:
        page_fault(r);
        return;
    case TRAP_GP:
        general_protection(r);
        return;
    case TRAP_UD:
        if (pv_emulate_forced_cpuid(r))
            return;
        break;
    case TRAP_NM:
        /* Only a guest that set CR0.TS (fpu_taskswitch) sees #NM; the flag clears on the way. */
        write_cr0(read_cr0() & ~CR0_TS);
        v->cr0_ts = false;
        break;
    case TRAP_DB: {
        uint64_t dr6;

        __asm__ volatile("mov %%db6, %0" : "=r"(dr6));
        v->debugreg[6] |= dr6;
        __asm__ volatile("mov %0, %%db6" ::"r"(0xffff0ff0UL));
        break;
    }
    }
    pv_inject_exception(r, vec, has_error_code(vec), r->error_code);
}
