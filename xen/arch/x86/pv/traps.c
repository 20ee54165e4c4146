/*
 * Delivering exceptions, system calls and events to a PV guest kernel,
 * with Xen's bounce frame (xen/arch/x86/x86_64/entry.S create_bounce_frame),
 * and the hypercalls that register where they go: set_trap_table
 * (public/arch-x86/xen.h: struct trap_info), set_callbacks, callback_op
 * (public/callback.h), stack_switch, and iret (xen-x86_64.h: struct
 * iret_context).
 *
 * The guest kernel and its user space both run in ring 3; the vCPU's
 * kernel_mode flag says which one is running. Switching between them swaps
 * the GS bases (SWAPGS) and the top-level table (guest_table /
 * guest_table_user).
 */
#include <asm/cpu.h>
#include <asm/flushtlb.h>
#include <xen/callback.h>
#include <xen/xen.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define X86_EFLAGS_TF (1UL << 8)
#define X86_EFLAGS_DF (1UL << 10)
#define X86_EFLAGS_NT (1UL << 14)
#define X86_EFLAGS_RF (1UL << 16)
#define X86_EFLAGS_VM (1UL << 17)
#define X86_EFLAGS_AC (1UL << 18)

void toggle_guest_mode(struct vcpu *v)
{
    v->kernel_mode = !v->kernel_mode;
    __asm__ volatile("swapgs" ::: "memory");
    v->cr3 = (v->kernel_mode ? v->guest_table : v->guest_table_user) << PAGE_SHIFT;
    load_cr3(v->cr3, v->domain);
}

/*
 * Builds the frame "rcx, r11, [error], rip, cs|mask<<32, rflags, rsp, ss"
 * below the guest's stack (its kernel stack when coming from user mode) and
 * resumes the guest kernel at handler.
 */
static void bounce(struct cpu_regs *r, uint64_t handler, bool mask, bool has_error,
                   uint32_t error)
{
    struct vcpu *v = current;
    vcpu_info_t *vi = v->vcpu_info;
    uint64_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t cs = r->cs, sp, frame[8];
    unsigned n = 0;

    if (!v->kernel_mode) {
        toggle_guest_mode(v);
        sp = v->kernel_sp;
    } else {
        sp = r->rsp;
        cs &= ~3UL; /* the guest kernel sees its own CS with RPL 0 */
    }
    sp &= ~15UL;
    frame[n++] = r->rcx;
    frame[n++] = r->r11;
    if (has_error)
        frame[n++] = error;
    frame[n++] = r->rip;
    frame[n++] = (cs & 0xffff) | (saved_mask << 32);
    frame[n++] = (r->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
                 (saved_mask ? 0 : X86_EFLAGS_IF) |
                 ((v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl))
                      ? (uint64_t)v->iopl << 12 : 0);
    frame[n++] = r->rsp;
    frame[n++] = r->ss;
    sp -= n * sizeof(uint64_t);
    if (!is_canonical(sp) || copy_to_guest(sp, frame, n * sizeof(uint64_t)))
        domain_crash(v->domain, "fault while writing an exception frame on the guest stack");
    r->rip = handler;
    r->cs = FLAT_KERNEL_CS;
    r->ss = FLAT_KERNEL_SS;
    r->rsp = sp;
    r->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_AC);
    r->rflags |= X86_EFLAGS_IF;
    if (mask)
        vi->evtchn_upcall_mask = 1;
}

void pv_inject_exception(struct cpu_regs *r, unsigned vec, bool has_error, uint32_t error)
{
    struct vcpu *v = current;
    const struct guest_handler *h = &v->traps[vec & 0xff];
    char why[96];

    if (!h->address) {
        snprintf(why, sizeof(why), "%s exception %u at %#lx with no handler registered",
                 v->kernel_mode ? "kernel" : "user", vec, (unsigned long)r->rip);
        domain_crash(v->domain, why);
    }
    bounce(r, h->address, h->mask_events, has_error, error);
}

/* `int n` from the guest: allowed if the trap's DPL admits the current mode. */
bool pv_soft_interrupt(struct cpu_regs *r, unsigned vec)
{
    struct vcpu *v = current;
    const struct guest_handler *h = &v->traps[vec & 0xff];

    if (!h->address || h->dpl < (v->kernel_mode ? 1 : 3))
        return false;
    r->rip += 2; /* past "int $n" */
    bounce(r, h->address, h->mask_events, false, 0);
    return true;
}

/* SYSCALL from guest user space goes to the kernel's syscall callback. */
void pv_user_syscall(struct cpu_regs *r, bool compat)
{
    struct vcpu *v = current;
    const struct guest_handler *h = &v->callbacks[compat ? CB_SYSCALL32 : CB_SYSCALL];

    if (!h->address) {
        r->rip -= 2; /* #UD at the syscall itself, as without a callback on Xen */
        pv_inject_exception(r, 6, false, 0);
        return;
    }
    r->rflags &= ~X86_EFLAGS_DF;
    bounce(r, h->address, h->mask_events, false, 0);
}

/* Every return to the guest: deliver a pending, unmasked event upcall. */
void pv_exit_to_guest(struct cpu_regs *r)
{
    struct vcpu *v = current;
    vcpu_info_t *vi = v->vcpu_info;

    if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask &&
        v->callbacks[CB_EVENT].address)
        bounce(r, v->callbacks[CB_EVENT].address, true, false, 0);
}

long do_set_trap_table(uint64_t traps)
{
    struct vcpu *v = current;

    if (!traps) {
        memset(v->traps, 0, sizeof(v->traps));
        return 0;
    }
    for (;; traps += sizeof(trap_info_t)) {
        trap_info_t t;

        if (copy_from_guest(&t, traps, sizeof(t)))
            return -EFAULT;
        if (!t.address)
            return 0; /* the terminating entry */
        if (!is_canonical(t.address))
            return -EINVAL;
        v->traps[t.vector] = (struct guest_handler){
            .address = t.address, .dpl = t.flags & 3, .mask_events = (t.flags & 4) != 0,
        };
    }
}

static long register_callback(const struct callback_register *reg)
{
    struct vcpu *v = current;
    bool mask = reg->flags & CALLBACKF_mask_events;
    enum pv_callback which;

    if (!is_canonical(reg->address))
        return -EINVAL;
    switch (reg->type) {
    case CALLBACKTYPE_event:
        which = CB_EVENT;
        mask = true; /* events are always delivered masked */
        break;
    case CALLBACKTYPE_failsafe: which = CB_FAILSAFE; break;
    case CALLBACKTYPE_syscall: which = CB_SYSCALL; break;
    case CALLBACKTYPE_syscall32: which = CB_SYSCALL32; break;
    case CALLBACKTYPE_sysenter: which = CB_SYSENTER; break;
    case CALLBACKTYPE_nmi:
        v->nmi_callback = reg->address;
        return 0;
    default:
        return -ENOSYS;
    }
    v->callbacks[which] = (struct guest_handler){ .address = reg->address, .mask_events = mask };
    return 0;
}

long do_callback_op(uint64_t cmd, uint64_t arg)
{
    switch ((int)cmd) {
    case CALLBACKOP_register: {
        struct callback_register reg;

        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -EFAULT;
        return register_callback(&reg);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister unreg;

        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -EFAULT;
        switch (unreg.type) {
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
            return -EINVAL; /* as Xen: only the NMI callback can be dropped */
        case CALLBACKTYPE_nmi:
            current->nmi_callback = 0;
            return 0;
        }
        return -ENOSYS;
    }
    }
    return -ENOSYS;
}

long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall)
{
    struct callback_register e = { .type = CALLBACKTYPE_event, .address = event };
    struct callback_register f = { .type = CALLBACKTYPE_failsafe, .address = failsafe };
    struct callback_register s = { .type = CALLBACKTYPE_syscall, .address = syscall };

    /* As Xen: each registration's own answer is not reported. */
    register_callback(&e);
    register_callback(&f);
    register_callback(&s);
    return 0;
}

long do_stack_switch(uint64_t ss, uint64_t sp)
{
    struct vcpu *v = current;

    /* The kernel's stack selector runs in ring 3 like all guest selectors. */
    v->kernel_ss = (uint16_t)ss | 3;
    v->kernel_sp = sp;
    return 0;
}

/*
 * HYPERVISOR_iret: the guest pushed struct iret_context and made the
 * hypercall; resume from it, into user mode if its CS has RPL 3.
 */
void pv_iret(struct cpu_regs *r)
{
    struct vcpu *v = current;
    struct iret_context c;

    if (copy_from_guest(&c, r->rsp, sizeof(c)))
        domain_crash(v->domain, "iret: the frame on the guest stack cannot be read");
    if ((c.cs & 3) == 3) {
        if (!v->guest_table_user)
            domain_crash(v->domain, "iret to user mode with no user page tables");
        toggle_guest_mode(v);
    }
    if (v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl))
        v->iopl = (c.rflags & X86_EFLAGS_IOPL) >> 12;
    r->rip = c.rip;
    r->cs = (uint16_t)c.cs | 3;
    r->rflags = (c.rflags & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
    r->rsp = c.rsp;
    r->ss = (uint16_t)c.ss | 3;
    if (!(c.flags & VGCF_in_syscall)) {
        r->r11 = c.r11;
        r->rcx = c.rcx;
    }
    r->rax = c.rax;
    v->vcpu_info->evtchn_upcall_mask = !(c.rflags & X86_EFLAGS_IF);
}

long do_fpu_taskswitch(uint64_t set)
{
    struct vcpu *v = current;

    v->cr0_ts = set != 0;
    write_cr0(set ? read_cr0() | CR0_TS : read_cr0() & ~CR0_TS);
    return 0;
}
