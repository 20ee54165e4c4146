/*
 * PV hypercalls: a 64-bit guest kernel executes SYSCALL with the number in
 * RAX and arguments in RDI, RSI, RDX, R10, R8, R9 (public/arch-x86/xen-x86_64.h),
 * directly or through the stubs of its hypercall page. Unknown numbers
 * return -ENOSYS.
 */
#include <xen/xen.h>
#include <xen/arch-x86/xen-mca.h>
#include <xenolith/cmdline.h>
#include <xenolith/hypercall.h>
#include <xenolith/pv.h>
#include <xenolith/sched.h>

#define NR_HYPERCALLS 64

/*
 * Handlers take only the arguments they use; in the SysV calling
 * convention the extra registers a six-argument call passes are ignored.
 */
#define HC(n, fn) [__HYPERVISOR_##n] = (hypercall_fn)(void (*)(void))(fn)

static const hypercall_fn hypercall_table[NR_HYPERCALLS] = {
    HC(set_trap_table, do_set_trap_table),
    HC(mmu_update, do_mmu_update),
    HC(set_gdt, do_set_gdt),
    HC(stack_switch, do_stack_switch),
    HC(set_callbacks, do_set_callbacks),
    HC(fpu_taskswitch, do_fpu_taskswitch),
    HC(set_debugreg, do_set_debugreg),
    HC(get_debugreg, do_get_debugreg),
    HC(update_descriptor, do_update_descriptor),
    HC(memory_op, do_memory_op),
    HC(multicall, do_multicall),
    HC(update_va_mapping, do_update_va_mapping),
    HC(xen_version, do_xen_version),
    HC(console_io, do_console_io),
    HC(vm_assist, do_vm_assist),
    HC(set_segment_base, do_set_segment_base),
    HC(mmuext_op, do_mmuext_op),
    HC(sched_op, do_sched_op),
    HC(callback_op, do_callback_op),
    HC(physdev_op, do_physdev_op),
    HC(vcpu_op, do_vcpu_op),
    HC(set_timer_op, do_set_timer_op),
    HC(event_channel_op, do_event_channel_op),
    HC(grant_table_op, do_grant_table_op),
    HC(domctl, do_domctl),
    HC(sysctl, do_sysctl),
    HC(platform_op, do_platform_op),
    HC(mca, do_mca), /* __HYPERVISOR_arch_0, public/arch-x86/xen-mca.h */
};

long unimplemented(const char *what, uint64_t cmd)
{
    static struct {
        const char *what;
        uint64_t cmd;
    } seen[64];
    static unsigned nr_seen;

    for (unsigned i = 0; i < nr_seen; i++)
        if (seen[i].what == what && seen[i].cmd == cmd)
            return -ENOSYS;
    /* Once each while the table lasts; a guest trying ever new numbers then meets the rate limit. */
    if (nr_seen < ARRAY_SIZE(seen)) {
        seen[nr_seen++] = (typeof(seen[0])){ what, cmd };
        printk("d%u: %s %lu not implemented yet: -ENOSYS\n", current->domain->domain_id, what,
               (unsigned long)cmd);
    } else {
        printk_ratelimited("d%u: %s %lu not implemented yet: -ENOSYS\n",
                           current->domain->domain_id, what, (unsigned long)cmd);
    }
    return -ENOSYS;
}

bool hypercall_continue(uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct vcpu *v = current;

    if (v->in_multicall)
        return false;
    v->continuation = true;
    v->continuation_args[0] = a1;
    v->continuation_args[1] = a2;
    v->continuation_args[2] = a3;
    return true;
}

/*
 * Back to the SYSCALL (2 bytes, 0f 05) with RAX the hypercall number again
 * and the new arguments; the hypercall page's stub pushed RCX and R11
 * before it and pops them after, so re-executing it is transparent.
 */
static void continue_hypercall(struct vcpu *v, struct cpu_regs *r, uint64_t nr)
{
    v->continuation = false;
    r->rip -= 2;
    r->rax = nr;
    r->rdi = v->continuation_args[0];
    r->rsi = v->continuation_args[1];
    r->rdx = v->continuation_args[2];
}

/* Debugging aid: log every hypercall that fails. */
static bool opt_hypercall_debug;
PARAM_BOOL("hypercall_debug", opt_hypercall_debug);

hypercall_fn hypercall_lookup(uint64_t nr)
{
    return nr < NR_HYPERCALLS ? hypercall_table[nr] : NULL;
}

/*
 * SYSCALL from the guest: a hypercall from its kernel, a system call from
 * its user space. __HYPERVISOR_iret replaces the whole frame instead of
 * returning a value.
 */
void do_syscall(struct cpu_regs *r)
{
    struct vcpu *v = current;
    uint64_t nr = r->rax;
    hypercall_fn fn;

    if (!v->kernel_mode) {
        pv_user_syscall(r, r->entry_vector != ENTRY_SYSCALL);
    } else if (r->entry_vector != ENTRY_SYSCALL) {
        domain_crash(v->domain, "SYSCALL from 32-bit kernel code: no 32-bit guest support");
    } else if (nr == __HYPERVISOR_iret) {
        pv_iret(r);
    } else {
        fn = hypercall_lookup(nr);
        r->rax = fn ? (uint64_t)fn(r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9)
                    : (uint64_t)(nr < NR_HYPERCALLS ? unimplemented("hypercall", nr) : -ENOSYS);
        if (v->continuation)
            continue_hypercall(v, r, nr);
        if (opt_hypercall_debug && (long)r->rax < 0)
            printk("d%uv%u: hypercall %lu(%lx, %lx, %lx) = %ld\n", v->domain->domain_id,
                   v->vcpu_id, (unsigned long)nr, (unsigned long)r->rdi, (unsigned long)r->rsi,
                   (unsigned long)r->rdx, (long)r->rax);
    }
    exit_to_guest(r);
}

/*
 * The 64-bit PV hypercall page: 32 bytes per hypercall, each stub
 * "push %rcx; push %r11; mov $nr,%eax; syscall; pop %r11; pop %rcx; ret".
 * The iret stub (__HYPERVISOR_iret) never returns and also pushes RAX, as
 * the iret hypercall expects. Unused bytes are int3.
 */
void hypercall_page_fill(void *page)
{
    static const uint8_t stub[] = { 0x51, 0x41, 0x53, 0xb8, 0, 0, 0, 0,
                                    0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 };
    static const uint8_t iret_stub[] = { 0x51, 0x41, 0x53, 0x50, 0xb8, 0, 0, 0, 0,
                                         0x0f, 0x05 };
    uint8_t *p = page;

    memset(p, 0xcc, PAGE_SIZE);
    for (uint32_t i = 0; i < PAGE_SIZE / 32; i++, p += 32) {
        if (i == __HYPERVISOR_iret) {
            memcpy(p, iret_stub, sizeof(iret_stub));
            memcpy(p + 5, &i, 4);
        } else {
            memcpy(p, stub, sizeof(stub));
            memcpy(p + 4, &i, 4);
        }
    }
}
