/*
 * PV hypercalls: a 64-bit guest kernel executes SYSCALL with the number in
 * RAX and arguments in RDI, RSI, RDX, R10, R8, R9 (public/arch-x86/xen-x86_64.h),
 * directly or through the stubs of its hypercall page. Unknown numbers
 * return -ENOSYS.
 */
#include <xen/xen.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

#define NR_HYPERCALLS 64

/*
 * Handlers take only the arguments they use; in the SysV calling
 * convention the extra registers a six-argument call passes are ignored.
 */
#define HC(n, fn) [__HYPERVISOR_##n] = (hypercall_fn)(void (*)(void))(fn)

static const hypercall_fn hypercall_table[NR_HYPERCALLS] = {
    HC(console_io, do_console_io),
    HC(xen_version, do_xen_version),
    HC(sched_op, do_sched_op),
    HC(vm_assist, do_vm_assist),
};

void do_syscall(struct cpu_regs *r)
{
    struct vcpu *v = current;
    uint64_t nr = r->rax;

    if (r->entry_vector != ENTRY_SYSCALL)
        domain_crash(v->domain, "SYSCALL from 32-bit code: no 32-bit guest support");
    if (nr >= NR_HYPERCALLS || !hypercall_table[nr]) {
        r->rax = (uint64_t)-ENOSYS;
        return;
    }
    r->rax = (uint64_t)hypercall_table[nr](r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
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
