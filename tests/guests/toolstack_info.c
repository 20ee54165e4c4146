/*
 * What `xl info` and `xl vcpu-list` read: XEN_SYSCTL_physinfo's fields,
 * XEN_DOMCTL_getvcpuinfo (Dom0's running vCPU, a new domain's offline
 * one, -EINVAL past max_vcpus) and the XENVER_* strings xl prints.
 */
#include "toolstack.h"

const char test_title[] = "toolstack_info: physinfo, getvcpuinfo and xen_version for xl info";

static struct xen_sysctl sop;
static struct xen_domctl dop;

static void physinfo(void)
{
    struct xen_sysctl_physinfo *pi = &sop.u.physinfo;

    sop.cmd = XEN_SYSCTL_physinfo;
    if (!check_rc(sysctl(&sop), 0, "physinfo"))
        return;
    check(pi->nr_cpus >= 1 && pi->threads_per_core >= 1 && pi->cores_per_socket >= 1,
          "nr_cpus %u, threads_per_core %u, cores_per_socket %u", pi->nr_cpus,
          pi->threads_per_core, pi->cores_per_socket);
    check(pi->nr_cpus % (pi->threads_per_core * pi->cores_per_socket) == 0,
          "whole sockets (xl info's nr_cpus / cores / threads)");
    check(pi->max_cpu_id + 1 >= pi->nr_cpus, "max_cpu_id %u", pi->max_cpu_id);
    check(pi->nr_nodes >= 1, "nr_nodes %u", pi->nr_nodes);
    check(pi->cpu_khz > 100000, "cpu_khz %u", pi->cpu_khz);
    check(pi->total_pages > pi->free_pages && pi->free_pages > 0, "total_pages %lu, free_pages %lu",
          (unsigned long)pi->total_pages, (unsigned long)pi->free_pages);
    check(pi->capabilities & XEN_SYSCTL_PHYSCAP_pv, "capabilities %#x say PV", pi->capabilities);
}

static long vcpuinfo(domid_t dom, unsigned vcpu)
{
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getvcpuinfo;
    dop.domain = dom;
    dop.u.getvcpuinfo.vcpu = vcpu;
    return domctl(&dop);
}

static void vcpus(void)
{
    domid_t id;

    if (check_rc(vcpuinfo(0, 0), 0, "getvcpuinfo d0 vCPU 0"))
        check(dop.u.getvcpuinfo.online && dop.u.getvcpuinfo.running &&
                  dop.u.getvcpuinfo.cpu_time > 0,
              "online %u, running %u, cpu_time %lu", dop.u.getvcpuinfo.online,
              dop.u.getvcpuinfo.running, (unsigned long)dop.u.getvcpuinfo.cpu_time);
    check_rc(vcpuinfo(0, 4096), -XEN_EINVAL, "getvcpuinfo d0 vCPU 4096");
    if (ts_create_domain(&id))
        test_error("createdomain");
    if (check_rc(vcpuinfo(id, 0), 0, "getvcpuinfo of a new domain's vCPU 0"))
        check(!dop.u.getvcpuinfo.online && !dop.u.getvcpuinfo.running,
              "offline and not running until its context is set (online %u)",
              dop.u.getvcpuinfo.online);
    check_rc(vcpuinfo(id, 1), -XEN_EINVAL, "getvcpuinfo past its max_vcpus");
    ts_destroy_domain(id);
}

static void version(void)
{
    static char buf[1024];
    long v = hypercall_xen_version(XENVER_version, 0);
    xen_platform_parameters_t pp;

    check(v == ((4 << 16) | 17), "XENVER_version %ld.%ld", v >> 16, v & 0xffff);
    check_rc(hypercall_xen_version(XENVER_extraversion, (unsigned long)buf), 0, "extraversion");
    check(buf[0] == '.', "extraversion '%s'", buf);
    check_rc(hypercall_xen_version(XENVER_capabilities, (unsigned long)buf), 0, "capabilities");
    check(strstr(buf, "xen-3.0-x86_64") != NULL, "capabilities '%s'", buf);
    /* Debian's Xen 4.17 answers an empty changeset: only the call is checked. */
    check_rc(hypercall_xen_version(XENVER_changeset, (unsigned long)buf), 0, "changeset");
    check_rc(hypercall_xen_version(XENVER_compile_info, (unsigned long)buf), 0, "compile_info");
    check(((xen_compile_info_t *)buf)->compiler[0] != 0, "compiler '%s'",
          ((xen_compile_info_t *)buf)->compiler);
    check_rc(hypercall_xen_version(XENVER_platform_parameters, (unsigned long)&pp), 0,
             "platform_parameters");
    check(pp.virt_start == HYPERVISOR_VIRT_START, "virt_start %#lx", (unsigned long)pp.virt_start);
    check_rc(hypercall_xen_version(XENVER_pagesize, 0), 4096, "pagesize");
    check_rc(hypercall_xen_version(XENVER_commandline, (unsigned long)buf), 0, "commandline");
    check(strstr(buf, "console=com1") != NULL, "commandline '%s'", buf);
}

void test_main(void)
{
    physinfo();
    vcpus();
    version();
}
