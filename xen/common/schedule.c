/*
 * sched_op (public/sched.h). One vCPU per physical CPU so far: yield has
 * nobody to yield to, and block waits for an event to become pending.
 */
#include <xen/sched.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

/* SCHEDOP_block: unmask event delivery, then sleep until an event is pending. */
static long vcpu_block(struct vcpu *v)
{
    v->vcpu_info->evtchn_upcall_mask = 0;
    __asm__ volatile("" ::: "memory");
    while (!v->vcpu_info->evtchn_upcall_pending)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    return 0;
}

long do_sched_op(uint64_t cmd, uint64_t arg)
{
    struct vcpu *v = current;
    struct sched_shutdown s;

    switch ((int)cmd) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        return vcpu_block(v);
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        domain_shutdown(v->domain, s.reason);
        return 0;
    case SCHEDOP_shutdown_code:
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (v->domain->shutdown_code == SHUTDOWN_CODE_INVALID)
            v->domain->shutdown_code = (uint8_t)s.reason;
        return 0;
    }
    return -ENOSYS;
}
