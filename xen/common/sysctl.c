/*
 * sysctl (public/sysctl.h, interface version 0x15 as Xen 4.17), for
 * privileged callers: the hypervisor log (`xl dmesg`), the machine
 * (`xl info`), the scheduler's id and the list of domains (`xl list`).
 */
#include <asm/cpu.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <xen/sysctl.h>
#include <xenolith/console.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/page_alloc.h>
#include <xenolith/sched.h>

void domain_info(const struct domain *d, struct xen_domctl_getdomaininfo *info);
long cpupool_op(struct xen_sysctl_cpupool_op *op); /* cpupool.c */
void domctl_reap(void);                            /* domctl.c */
long numainfo(struct xen_sysctl_numainfo *ni);      /* topology.c */
long cputopoinfo(struct xen_sysctl_cputopoinfo *ti);
long sysctl_cpu_policy(struct xen_sysctl_cpu_policy *cp);          /* pv/cpu_policy.c */
long sysctl_cpu_featureset(struct xen_sysctl_cpu_featureset *fs);

/* XEN_SYSCTL_readconsole: the log ring, oldest first, from index on if incremental. */
static long readconsole(struct xen_sysctl_readconsole *rc)
{
    static char buf[64 * 1024];
    size_t n = console_read_ring(buf, sizeof(buf));
    size_t start = rc->incremental && rc->index < n ? rc->index : 0;
    size_t len = MIN((size_t)rc->count, n - start);

    if (rc->incremental && rc->index >= n)
        len = 0;
    if (copy_to_guest((uint64_t)rc->buffer.p, buf + start, len))
        return -EFAULT;
    rc->count = (uint32_t)len;
    rc->index = (uint32_t)(start + len);
    return 0;
}

/* hw_cap (and the host featureset): Xen's featureset words 0-7 (CPUID 1.edx, 1.ecx, 0x80000001 edx/ecx, 0xd.1 eax, 7.0 ebx/ecx, 0x80000007 edx). */
void hw_caps(uint32_t cap[8])
{
    uint32_t r[4];

    cpuid(1, 0, r);
    cap[0] = r[3];
    cap[1] = r[2];
    cpuid(0x80000000, 0, r);
    if (r[0] >= 0x80000001) {
        uint32_t max_ext = r[0];

        cpuid(0x80000001, 0, r);
        cap[2] = r[3];
        cap[3] = r[2];
        if (max_ext >= 0x80000007) {
            cpuid(0x80000007, 0, r);
            cap[7] = r[3];
        }
    }
    cpuid(0, 0, r);
    if (r[0] >= 0xd) {
        uint32_t x[4];

        cpuid(0xd, 1, x);
        cap[4] = x[0];
    }
    if (r[0] >= 7) {
        cpuid(7, 0, r);
        cap[5] = r[1];
        cap[6] = r[2];
    }
}

static long physinfo(struct xen_sysctl_physinfo *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->threads_per_core = 1;
    pi->cores_per_socket = nr_cpus_online;
    pi->nr_cpus = nr_cpus_online;
    pi->max_cpu_id = NR_CPUS - 1;
    pi->nr_nodes = 1;
    pi->max_node_id = 0;
    pi->cpu_khz = (uint32_t)tsc_khz;
    pi->capabilities = XEN_SYSCTL_PHYSCAP_pv;
    pi->total_pages = frame_table.nr - frame_table.counts[FRAME_HOLE];
    pi->free_pages = frame_table.counts[FRAME_FREE];
    pi->max_mfn = frame_table.nr - 1;
    hw_caps(pi->hw_cap);
    return 0;
}

static long domaininfolist(struct xen_sysctl_getdomaininfolist *l)
{
    domid_t id = l->first_domain;
    uint32_t n = 0;
    struct domain *d;

    while (n < l->max_domains && (d = domain_iterate(&id))) {
        struct xen_domctl_getdomaininfo info;

        domain_info(d, &info);
        if (copy_to_guest((uint64_t)l->buffer.p + n * sizeof(info), &info, sizeof(info)))
            return -EFAULT;
        n++;
    }
    l->num_domains = n;
    return 0;
}

long do_sysctl(uint64_t arg)
{
    struct xen_sysctl op;
    long rc;

    if (!current->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    domctl_reap(); /* a dead domain's memory counts as free before physinfo says */
    switch (op.cmd) {
    case XEN_SYSCTL_readconsole:
        rc = readconsole(&op.u.readconsole);
        break;
    case XEN_SYSCTL_physinfo:
        rc = physinfo(&op.u.physinfo);
        break;
    case XEN_SYSCTL_sched_id:
        op.u.sched_id.sched_id = XEN_SCHEDULER_CREDIT;
        rc = 0;
        break;
    case XEN_SYSCTL_getdomaininfolist:
        rc = domaininfolist(&op.u.getdomaininfolist);
        break;
    case XEN_SYSCTL_numainfo:
        rc = numainfo(&op.u.numainfo);
        break;
    case XEN_SYSCTL_cputopoinfo:
        rc = cputopoinfo(&op.u.cputopoinfo);
        break;
    case XEN_SYSCTL_get_cpu_policy:
        rc = sysctl_cpu_policy(&op.u.cpu_policy);
        break;
    case XEN_SYSCTL_get_cpu_featureset:
        rc = sysctl_cpu_featureset(&op.u.cpu_featureset);
        break;
    case XEN_SYSCTL_cpupool_op:
        rc = cpupool_op(&op.u.cpupool_op);
        break;
    default:
        return unimplemented("sysctl", op.cmd);
    }
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        return -EFAULT;
    return rc;
}
