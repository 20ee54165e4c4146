/*
 * Saving and loading a PV vCPU around a switch: the register frame, the
 * segment selectors and bases (with the two GS bases swapped as the guest's
 * kernel/user mode has them), the FPU/SSE state, the page tables, the GDT
 * window and the debug registers. A selector the new GDT does not hold
 * loads as null (Xen would call the failsafe callback).
 */
#include <asm/cpu.h>
#include <asm/flushtlb.h>
#include <asm/time.h>
#include <xen/xen.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/mm.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define DR7_ENABLES 0xffUL

static void load_sel(unsigned which, uint16_t sel)
{
    switch (which) {
#define LOAD(seg)                                                   \
    __asm__ volatile("1: mov %w0, %%" seg "\n"                      \
                     "2:\n"                                         \
                     ".section .fixup, \"ax\"\n"                    \
                     "3: xor %k0, %k0\n"                            \
                     "   jmp 1b\n"                                  \
                     ".previous\n"                                  \
                     ".section .ex_table, \"a\"\n"                  \
                     ".quad 1b, 3b\n"                               \
                     ".previous"                                    \
                     : "+r"(sel)::"memory");                        \
    break
    case 0: LOAD("ds");
    case 1: LOAD("es");
    case 2: LOAD("fs");
    case 3: LOAD("gs");
#undef LOAD
    }
}

void set_cpu_curr(unsigned cpu, struct vcpu *v)
{
    cpu_info_of(cpu)->curr = v;
}

struct vcpu *get_cpu_curr(unsigned cpu)
{
    return cpu_info_of(cpu)->curr;
}

void context_save(struct vcpu *v, const struct cpu_regs *frame)
{
    uint64_t gs = rdmsr(MSR_GS_BASE), shadow = rdmsr(MSR_KERNEL_GS_BASE);

    v->regs = *frame;
    __asm__ volatile("mov %%ds, %0" : "=r"(v->sel[0]));
    __asm__ volatile("mov %%es, %0" : "=r"(v->sel[1]));
    __asm__ volatile("mov %%fs, %0" : "=r"(v->sel[2]));
    __asm__ volatile("mov %%gs, %0" : "=r"(v->sel[3]));
    v->fs_base = rdmsr(MSR_FS_BASE);
    v->gs_base_kernel = v->kernel_mode ? gs : shadow;
    v->gs_base_user = v->kernel_mode ? shadow : gs;
    write_cr0(read_cr0() & ~CR0_TS);
    __asm__ volatile("fxsaveq %0" : "=m"(v->fpu));
    v->fpu_initialised = true;
    pv_unload_descriptor_tables(v);
    if (v->debugreg[7] & DR7_ENABLES)
        __asm__ volatile("mov %0, %%db7" ::"r"(0x400UL));
}

void context_load(struct vcpu *v, struct cpu_regs *frame)
{
    unsigned cpu = smp_processor_id();

    *frame = v->regs;
    set_cpu_curr(cpu, v);
    pv_load_descriptor_tables(v);
    load_cr3(v->cr3, v->domain);
    for (unsigned i = 0; i < 4; i++)
        load_sel(i, v->sel[i]);
    /* Loading FS/GS reset their bases: the saved ones go in after. */
    wrmsr(MSR_FS_BASE, v->fs_base);
    wrmsr(MSR_GS_BASE, v->kernel_mode ? v->gs_base_kernel : v->gs_base_user);
    wrmsr(MSR_KERNEL_GS_BASE, v->kernel_mode ? v->gs_base_user : v->gs_base_kernel);
    write_cr0(read_cr0() & ~CR0_TS);
    if (v->fpu_initialised) {
        __asm__ volatile("fxrstorq %0" ::"m"(v->fpu));
    } else {
        uint32_t mxcsr = 0x1f80;

        __asm__ volatile("fninit; ldmxcsr %0" ::"m"(mxcsr));
    }
    if (v->cr0_ts)
        write_cr0(read_cr0() | CR0_TS);
    if (v->debugreg[7] & DR7_ENABLES) {
        __asm__ volatile("mov %0, %%db0" ::"r"(v->debugreg[0]));
        __asm__ volatile("mov %0, %%db1" ::"r"(v->debugreg[1]));
        __asm__ volatile("mov %0, %%db2" ::"r"(v->debugreg[2]));
        __asm__ volatile("mov %0, %%db3" ::"r"(v->debugreg[3]));
        __asm__ volatile("mov %0, %%db7" ::"r"(v->debugreg[7]));
    }
    /* The pvclock is read against this CPU's TSC. */
    pvclock_fill(&v->vcpu_info->time);
    update_runstate_area(v);
    vcpu_periodic_resume(v);
}

/* Selectors the guest gives run in ring 3 like all of its own. */
static uint16_t ring3(uint64_t sel)
{
    return (uint16_t)sel | ((sel & 3) ? 0 : 3);
}

static long apply_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    const struct cpu_user_regs *u = &c->user_regs;
    long rc;

    if (!is_canonical(u->rip) || !is_canonical(u->rsp) || !is_canonical(c->kernel_sp) ||
        !is_canonical(c->event_callback_eip) || !is_canonical(c->failsafe_callback_eip) ||
        !is_canonical(c->syscall_callback_eip) || !is_canonical(c->fs_base) ||
        !is_canonical(c->gs_base_kernel) || !is_canonical(c->gs_base_user) || c->ldt_ents)
        return -EINVAL;
    rc = pv_set_gdt(v, c->gdt_frames, (unsigned)c->gdt_ents);
    if (rc)
        return rc;
    rc = get_page_and_type(mfn_to_page(c->ctrlreg[3] >> PAGE_SHIFT), v->domain, PGT_l4);
    if (rc)
        return -EINVAL;
    v->guest_table = c->ctrlreg[3] >> PAGE_SHIFT;
    v->kernel_mode = c->flags & VGCF_in_kernel;
    v->cr3 = v->guest_table << PAGE_SHIFT;
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.r15 = u->r15; v->regs.r14 = u->r14; v->regs.r13 = u->r13; v->regs.r12 = u->r12;
    v->regs.rbp = u->rbp; v->regs.rbx = u->rbx; v->regs.r11 = u->r11; v->regs.r10 = u->r10;
    v->regs.r9 = u->r9; v->regs.r8 = u->r8; v->regs.rax = u->rax; v->regs.rcx = u->rcx;
    v->regs.rdx = u->rdx; v->regs.rsi = u->rsi; v->regs.rdi = u->rdi;
    v->regs.rip = u->rip;
    v->regs.rsp = u->rsp;
    v->regs.cs = ring3(u->cs);
    v->regs.ss = ring3(u->ss);
    v->regs.rflags = (u->rflags & ~(X86_EFLAGS_IOPL | (1UL << 17))) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    /* The context's IOPL is the vCPU's virtual IOPL, as on Xen (Linux passes 1). */
    v->iopl = (u->rflags & X86_EFLAGS_IOPL) >> 12;
    v->sel[0] = u->ds;
    v->sel[1] = u->es;
    v->sel[2] = u->fs;
    v->sel[3] = u->gs;
    for (unsigned i = 0; i < 256; i++)
        v->traps[c->trap_ctxt[i].vector] = (struct guest_handler){
            .address = c->trap_ctxt[i].address, .dpl = c->trap_ctxt[i].flags & 3,
            .mask_events = (c->trap_ctxt[i].flags & 4) != 0,
        };
    v->callbacks[CB_EVENT] = (struct guest_handler){ c->event_callback_eip, 0, true };
    v->callbacks[CB_FAILSAFE] = (struct guest_handler){
        c->failsafe_callback_eip, 0, (c->flags & VGCF_failsafe_disables_events) != 0 };
    v->callbacks[CB_SYSCALL] = (struct guest_handler){
        c->syscall_callback_eip, 0, (c->flags & VGCF_syscall_disables_events) != 0 };
    v->kernel_ss = ring3(c->kernel_ss);
    v->kernel_sp = c->kernel_sp;
    v->cr0_ts = c->ctrlreg[0] & CR0_TS;
    v->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    v->fs_base = c->fs_base;
    v->gs_base_kernel = c->gs_base_kernel;
    v->gs_base_user = c->gs_base_user;
    if (c->flags & VGCF_i387_valid) {
        memcpy(v->fpu, &c->fpu_ctxt, sizeof(v->fpu));
        v->fpu_initialised = true;
    }
    v->initialised = true;
    return 0;
}

/* A dying vCPU drops what its state references: page tables, GDT and LDT pages. Mm lock held. */
void pv_vcpu_relinquish(struct vcpu *v)
{
    if (v->guest_table)
        put_page_and_type(mfn_to_page(v->guest_table));
    if (v->guest_table_user)
        put_page_and_type(mfn_to_page(v->guest_table_user));
    v->guest_table = v->guest_table_user = 0;
    /* VCPUOP_register_vcpu_info's page holds a writable reference (vcpu.c). */
    if (v->vcpu_info_mfn) {
        v->vcpu_info = &v->domain->shared_info->vcpu_info[v->vcpu_id];
        put_page_and_type(mfn_to_page(v->vcpu_info_mfn));
        v->vcpu_info_mfn = 0;
    }
    pv_set_gdt(v, NULL, 0);
    for (unsigned p = 0; p < ARRAY_SIZE(v->ldt_frames); p++)
        if (v->ldt_frames[p]) {
            put_page_and_type(mfn_to_page(v->ldt_frames[p]));
            v->ldt_frames[p] = 0;
        }
}

long pv_vcpu_initialise(struct vcpu *v, uint64_t arg)
{
    static struct vcpu_guest_context c; /* 5 KiB: not on the stack; the mm lock serialises */
    long rc;

    if (v->initialised)
        return -EEXIST;
    mm_lock();
    if (copy_from_guest(&c, arg, sizeof(c)))
        rc = -EFAULT;
    else
        rc = apply_context(v, &c);
    mm_unlock();
    return rc;
}
