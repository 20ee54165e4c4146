/*
 * Secondary vCPUs for the test kernels (smp.h).
 */
#include "smp.h"
#include "pagetable.h"

unsigned long smp_probe_gs_self(void)
{
    unsigned long v = 0;

    asm volatile(TRAP_EXPECT("mov %%gs:0, %[v]") : [v] "+r"(v) : : "memory");
    return v;
}

long smp_set_this_cpu(struct smp_cpu *c)
{
    c->self = c;
    return hypercall(__HYPERVISOR_set_segment_base, SEGBASE_GS_KERNEL,
                     (unsigned long)c, 0, 0, 0);
}

struct vcpu_info *smp_vcpu_info(unsigned int id)
{
    /* Only the first XEN_LEGACY_MAX_VCPUS have a slot in shared_info. */
    if (id >= XEN_LEGACY_MAX_VCPUS)
        test_error("vCPU %u has no vcpu_info in shared_info", id);
    return id == 0 ? vcpu0_info() : &shared_info->vcpu_info[id];
}

bool smp_on_stack(const struct smp_cpu *c, unsigned long addr)
{
    unsigned long lo = (unsigned long)c->stack;

    return c->stack && addr >= lo && addr < lo + c->stack_size;
}

/*
 * The failsafe callback: the hypervisor could not load the segment
 * registers of a return to the guest. The frame (RCX, R11, DS, ES, FS, GS,
 * then an exception frame) is of no use here; say which vCPU and stop.
 */
void smp_failsafe(void);
void smp_failsafe(void)
{
    test_error("failsafe callback on vCPU %u", this_cpu()->id);
}

asm(".pushsection .text\n"
    ".balign 16\n"
    "smp_failsafe_entry:\n"
    "    and $~15, %rsp\n"
    "    call smp_failsafe\n"
    "1:  jmp 1b\n"
    ".popsection");
extern const uint8_t smp_failsafe_entry[];

void smp_build_context(struct vcpu_guest_context *ctx, struct smp_cpu *c,
                       void (*entry)(void))
{
    unsigned long top = ((unsigned long)c->stack + c->stack_size) & ~15UL;

    memset(ctx, 0, sizeof(*ctx));
    c->self = c;

    /* Kernel mode; no VGCF_online, so the vCPU waits for VCPUOP_up. */
    ctx->flags = VGCF_in_kernel;
    ctx->user_regs.rip = (unsigned long)entry;
    /* As if entry() had been called: RSP + 8 is 16-byte aligned. */
    ctx->user_regs.rsp = top - 8;
    ctx->user_regs.cs = FLAT_KERNEL_CS;
    ctx->user_regs.ss = FLAT_KERNEL_SS;
    ctx->user_regs.rflags = X86_EFLAGS_IF | 2;

    /* traps_init's table: trap_ctxt[v] describes vector v (0: absent). */
    for (unsigned int v = 0; v < 32; v++) {
        ctx->trap_ctxt[v].vector = v;
        ctx->trap_ctxt[v].flags =
            (v == X86_EXC_BP || v == X86_EXC_OF) ? TI_DPL(3) : TI_DPL(0);
        ctx->trap_ctxt[v].cs = FLAT_KERNEL_CS;
        ctx->trap_ctxt[v].address = trap_stub(v);
    }

    /* gdt_ents 0: the flat selectors of the hypervisor's GDT suffice. */
    ctx->kernel_ss = FLAT_KERNEL_SS;
    ctx->kernel_sp = top;
    ctx->ctrlreg[3] = xen_pfn_to_cr3(pt_l4_mfn());
    ctx->event_callback_eip = trap_stub(TRAP_VEC_EVENT);
    ctx->failsafe_callback_eip = (unsigned long)smp_failsafe_entry;
    /* Only vCPU 0's context sets the domain's vm_assist; keep it equal. */
    ctx->vm_assist = 1UL << VMASST_TYPE_writable_pagetables;
    ctx->gs_base_kernel = (unsigned long)c;
}
