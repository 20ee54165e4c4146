/*
 * The machine-check hypercall (__HYPERVISOR_mca, public/arch-x86/xen-mca.h)
 * for the hardware domain. Xenolith does not handle #MC, so it never has
 * telemetry: XEN_MC_fetch always finds none. XEN_MC_physcpuinfo describes
 * the physical CPUs, which Linux's xen_mcelog driver asks for at boot.
 */
#include <asm/cpu.h>
#include <asm/smp.h>
#include <xen/xen.h>
#include <xen/arch-x86/xen-mca.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

/*
 * One CPU's entry. The topology matches XEN_SYSCTL_physinfo: one socket,
 * one thread per core, a core per CPU. CPUs are assumed alike, so the
 * identity is the boot CPU's. Fields not known (cluster, caps, cache,
 * MSR values) stay zero.
 */
static void logical_cpu(unsigned cpu, struct mcinfo_logical_cpu *l)
{
    uint32_t r[4];

    memset(l, 0, sizeof(*l));
    cpuid(0, 0, r);
    l->mc_cpunr = cpu;
    l->mc_coreid = (uint16_t)cpu;
    l->mc_apicid = cpu_to_apic[cpu];
    l->mc_ncores = l->mc_ncores_active = nr_cpus_online;
    l->mc_nthreads = 1;
    l->mc_cpuid_level = (int32_t)r[0];
    l->mc_family = boot_cpu.family;
    l->mc_model = boot_cpu.model;
    l->mc_step = boot_cpu.stepping;
    memcpy(l->mc_vendorid, boot_cpu.vendor, sizeof(boot_cpu.vendor));
    memcpy(l->mc_brandid, boot_cpu.brand, sizeof(boot_cpu.brand));
}

/*
 * XEN_MC_physcpuinfo: a NULL info handle asks only for the count;
 * otherwise min(ncpus, online) entries are written and ncpus says how
 * many. ncpus 0 with a buffer is -EINVAL, as in Xen.
 */
static long physcpuinfo(struct xen_mc_physcpuinfo *pi)
{
    uint64_t info = (uint64_t)pi->info.p;
    unsigned n = nr_cpus_online;

    if (info) {
        if (!pi->ncpus)
            return -EINVAL;
        n = MIN(n, pi->ncpus);
        for (unsigned cpu = 0; cpu < n; cpu++) {
            struct mcinfo_logical_cpu l;

            logical_cpu(cpu, &l);
            if (copy_to_guest(info + cpu * sizeof(l), &l, sizeof(l)))
                return -EFAULT;
        }
    }
    pi->ncpus = n;
    return 0;
}

/* XEN_MC_fetch: exactly one of URGENT/NONURGENT; no telemetry is ever queued. */
static long fetch(struct xen_mc_fetch *f)
{
    uint32_t which = f->flags & (XEN_MC_NONURGENT | XEN_MC_URGENT);

    if (which != XEN_MC_NONURGENT && which != XEN_MC_URGENT)
        return -EINVAL;
    if (f->flags & XEN_MC_ACK)
        return 1; /* nothing to copy back; 1 = success without copy-out */
    if (!f->data.p)
        return -EINVAL;
    f->flags = XEN_MC_OK | XEN_MC_NODATA;
    f->fetch_id = 0;
    return 0;
}

long do_mca(uint64_t arg)
{
    struct xen_mc op;
    long rc;

    if (!current->domain->is_privileged)
        return -EPERM;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XEN_MCA_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case XEN_MC_fetch:
        rc = fetch(&op.u.mc_fetch);
        break;
    case XEN_MC_physcpuinfo:
        rc = physcpuinfo(&op.u.mc_physcpuinfo);
        break;
    case XEN_MC_msrinject:
    case XEN_MC_mceinject:
    case XEN_MC_inject_v2:
        return unimplemented("mca", op.cmd);
    default:
        return -EINVAL; /* XEN_MC_notifydomain too: unsupported in Xen */
    }
    if (rc < 0)
        return rc;
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        return -EFAULT;
    return 0;
}
