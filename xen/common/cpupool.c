/*
 * CPU pools (public/sysctl.h, XEN_SYSCTL_cpupool_op): Xenolith has one,
 * Pool-0, with every online CPU and every domain, run by the credit-style
 * scheduler. libxl asks for it before creating a domain (its default
 * pool) and `xl cpupool-list` shows it. Pools cannot be made, changed or
 * removed: those ops say -EOPNOTSUPP.
 */
#include <asm/smp.h>
#include <xen/sysctl.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/sched.h>

/* The first `set` bits of a guest xenctl_bitmap (nr_bits long) set, the rest clear. */
long bitmap_to_guest(const struct xenctl_bitmap *b, unsigned set)
{
    for (unsigned i = 0; i < (b->nr_bits + 7) / 8; i++) {
        unsigned bits = MIN(MIN(set, b->nr_bits) > i * 8 ? MIN(set, b->nr_bits) - i * 8 : 0, 8u);
        uint8_t byte = (uint8_t)((1U << bits) - 1);

        if (copy_to_guest((uint64_t)b->bitmap.p + i, &byte, 1))
            return -EFAULT;
    }
    return 0;
}

static unsigned nr_domains(void)
{
    unsigned n = 0;

    for (domid_t id = 0; domain_iterate(&id);)
        n++;
    return n;
}

long cpupool_op(struct xen_sysctl_cpupool_op *op)
{
    switch (op->op) {
    case XEN_SYSCTL_CPUPOOL_OP_INFO:
        /* The first pool at or above the id asked for: only Pool-0 exists. */
        if (op->cpupool_id != 0)
            return -ENOENT;
        op->sched_id = XEN_SCHEDULER_CREDIT;
        op->n_dom = nr_domains();
        return bitmap_to_guest(&op->cpumap, nr_cpus_online);
    case XEN_SYSCTL_CPUPOOL_OP_FREEINFO:
        return bitmap_to_guest(&op->cpumap, 0); /* every CPU is in Pool-0 */
    case XEN_SYSCTL_CPUPOOL_OP_CREATE:
    case XEN_SYSCTL_CPUPOOL_OP_DESTROY:
    case XEN_SYSCTL_CPUPOOL_OP_ADDCPU:
    case XEN_SYSCTL_CPUPOOL_OP_RMCPU:
    case XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN:
        return -EOPNOTSUPP;
    }
    return -EINVAL;
}
