/*
 * The toolstack's control interfaces from Dom0 (public/domctl.h and
 * sysctl.h, interface version 0x15): machine information, the log ring,
 * the domain list, and a PV domain's life (create, pause, unpause,
 * limits, destroy), plus the refusals (wrong interface version, bad
 * pointers, unknown commands).
 */
#include "runtime.h"

#include <xen/domctl.h>
#include <xen/sysctl.h>

const char test_title[] = "domctl_sysctl: machine, log, domain list and a PV domain's life";

static long domctl(struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return hypercall(__HYPERVISOR_domctl, (unsigned long)op, 0, 0, 0, 0);
}

static long sysctl(struct xen_sysctl *op)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return hypercall(__HYPERVISOR_sysctl, (unsigned long)op, 0, 0, 0, 0);
}

static struct xen_sysctl sop;
static struct xen_domctl dop;
static char log_buf[4096];
static struct xen_domctl_getdomaininfo infos[8];

static void machine(void)
{
    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_physinfo;
    if (!check_rc(sysctl(&sop), 0, "physinfo"))
        return;
    check(sop.u.physinfo.nr_cpus >= 1, "physinfo: %u CPUs", sop.u.physinfo.nr_cpus);
    check(sop.u.physinfo.total_pages > sop.u.physinfo.free_pages && sop.u.physinfo.free_pages > 0,
          "physinfo: total %lu > free %lu > 0", (unsigned long)sop.u.physinfo.total_pages,
          (unsigned long)sop.u.physinfo.free_pages);
    check(sop.u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_pv, "physinfo: PV capable");
    check(sop.u.physinfo.cpu_khz > 0, "physinfo: cpu_khz %u", sop.u.physinfo.cpu_khz);

    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_sched_id;
    check_rc(sysctl(&sop), 0, "sched_id");
    /* Xenolith's scheduler is credit-style; Xen 4.17 defaults to credit2. */
    check(sop.u.sched_id.sched_id == XEN_SCHEDULER_CREDIT ||
              sop.u.sched_id.sched_id == XEN_SCHEDULER_CREDIT2,
          "sched_id %u is credit or credit2", sop.u.sched_id.sched_id);

    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_readconsole;
    set_xen_guest_handle(sop.u.readconsole.buffer, log_buf);
    sop.u.readconsole.count = sizeof(log_buf) - 1;
    if (check_rc(sysctl(&sop), 0, "readconsole")) {
        log_buf[sop.u.readconsole.count] = '\0';
        check(sop.u.readconsole.count > 0 && strstr(log_buf, "(XEN)"),
              "readconsole returned %u bytes of log", sop.u.readconsole.count);
    }
}

static void refusals(void)
{
    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_physinfo;
    sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION - 1;
    check_rc(hypercall(__HYPERVISOR_sysctl, (unsigned long)&sop, 0, 0, 0, 0), -XEN_EACCES,
             "sysctl with an old interface version");
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.interface_version = XEN_DOMCTL_INTERFACE_VERSION + 1;
    check_rc(hypercall(__HYPERVISOR_domctl, (unsigned long)&dop, 0, 0, 0, 0), -XEN_EACCES,
             "domctl with a newer interface version");
    for (unsigned b = 0; b < nr_bad_ptrs; b++) {
        check_rc(hypercall(__HYPERVISOR_domctl, bad_ptrs[b].addr, 0, 0, 0, 0), -XEN_EFAULT,
                 "domctl at %s %#lx", bad_ptrs[b].what, bad_ptrs[b].addr);
        check_rc(hypercall(__HYPERVISOR_sysctl, bad_ptrs[b].addr, 0, 0, 0, 0), -XEN_EFAULT,
                 "sysctl at %s %#lx", bad_ptrs[b].what, bad_ptrs[b].addr);
    }
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.domain = 0x7fe0;
    check_rc(domctl(&dop), -XEN_ESRCH, "getdomaininfo of domain 0x7fe0 (none at or above)");
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.domain = DOMID_FIRST_RESERVED;
    check_rc(domctl(&dop), -XEN_EINVAL, "getdomaininfo of a reserved id");
}

static void domain_life(void)
{
    domid_t id;

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_createdomain;
    dop.u.createdomain.max_vcpus = 1;
    dop.u.createdomain.max_evtchn_port = 1023;
    dop.u.createdomain.max_grant_frames = 32;
    dop.u.createdomain.max_maptrack_frames = 1024;
    dop.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    if (!check_rc(domctl(&dop), 0, "createdomain (PV, 1 vCPU)"))
        return;
    id = dop.domain;
    check(id > 0 && id < DOMID_FIRST_RESERVED, "new domain id %u", id);

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.domain = id;
    if (check_rc(domctl(&dop), 0, "getdomaininfo d%u", id)) {
        check(dop.u.getdomaininfo.domain == id, "getdomaininfo names d%u", dop.u.getdomaininfo.domain);
        check(dop.u.getdomaininfo.flags & XEN_DOMINF_paused, "a new domain is paused (flags %#x)",
              dop.u.getdomaininfo.flags);
    }

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_max_mem;
    dop.domain = id;
    dop.u.max_mem.max_memkb = 16384;
    check_rc(domctl(&dop), 0, "max_mem 16 MiB");
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.domain = id;
    if (check_rc(domctl(&dop), 0, "getdomaininfo d%u after max_mem", id))
        check(dop.u.getdomaininfo.max_pages == 4096, "max_pages %lu is 16 MiB",
              (unsigned long)dop.u.getdomaininfo.max_pages);

    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_getdomaininfolist;
    sop.u.getdomaininfolist.first_domain = 0;
    sop.u.getdomaininfolist.max_domains = ARRAY_SIZE(infos);
    set_xen_guest_handle(sop.u.getdomaininfolist.buffer, infos);
    if (check_rc(sysctl(&sop), 0, "getdomaininfolist"))
        check(sop.u.getdomaininfolist.num_domains == 2 && infos[0].domain == 0 && infos[1].domain == id,
              "the list is d0 and d%u (%u entries)", id, sop.u.getdomaininfolist.num_domains);

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_unpausedomain;
    dop.domain = id;
    check_rc(domctl(&dop), 0, "unpause d%u (nothing to run yet)", id);
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_pausedomain;
    dop.domain = id;
    check_rc(domctl(&dop), 0, "pause d%u", id);

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_destroydomain;
    dop.domain = id;
    check_rc(domctl(&dop), 0, "destroy d%u", id);
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.domain = id;
    {
        long rc = domctl(&dop);

        /* Gone, or still dying while references drain: either is Xen's. */
        check(rc == -XEN_ESRCH || (rc == 0 && (dop.u.getdomaininfo.domain != id ||
                                                (dop.u.getdomaininfo.flags & XEN_DOMINF_dying))),
              "after destroy, getdomaininfo d%u = %ld (flags %#x)", id, rc,
              dop.u.getdomaininfo.flags);
    }
}

void test_main(void)
{
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.domain = 0;
    if (check_rc(domctl(&dop), 0, "getdomaininfo d0")) {
        check(dop.u.getdomaininfo.domain == 0, "d0's info");
        check(dop.u.getdomaininfo.tot_pages > 0, "d0 has pages");
        check(dop.u.getdomaininfo.flags & XEN_DOMINF_running, "d0 is running (flags %#x)",
              dop.u.getdomaininfo.flags);
    }
    machine();
    refusals();
    domain_life();
}
