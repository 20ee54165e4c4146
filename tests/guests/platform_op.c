/*
 * What Linux's xen_cpu and xen_mcelog drivers ask of the hypervisor at
 * Dom0 boot: XENPF_get_cpuinfo for each physical CPU (public/platform.h)
 * and XEN_MC_physcpuinfo, count then fetch (public/arch-x86/xen-mca.h).
 * Plus the refusals: wrong interface version, bad pointers, a CPU id past
 * the last one, settime64 with mbz set, unknown firmware_info types.
 */
#include "runtime.h"

#include <xen/platform.h>
#include <xen/arch-x86/xen-mca.h>

const char test_title[] = "platform_op: physical CPU info, firmware info, MCA physcpuinfo";

static struct xen_platform_op pop;
static struct xen_mc mop;
static struct mcinfo_logical_cpu cpus[8];

static long platform_op(uint32_t cmd)
{
    pop.cmd = cmd;
    pop.interface_version = XENPF_INTERFACE_VERSION;
    return hypercall(__HYPERVISOR_platform_op, (unsigned long)&pop, 0, 0, 0, 0);
}

static long mca(uint32_t cmd)
{
    mop.cmd = cmd;
    mop.interface_version = XEN_MCA_INTERFACE_VERSION;
    return hypercall(__HYPERVISOR_mca, (unsigned long)&mop, 0, 0, 0, 0);
}

/* XENPF_get_cpuinfo for id; returns max_present, or -1 if the call failed. */
static long cpuinfo(uint32_t id, struct xenpf_pcpuinfo *out)
{
    memset(&pop, 0, sizeof(pop));
    pop.u.pcpu_info.xen_cpuid = id;
    if (!check_rc(platform_op(XENPF_get_cpuinfo), 0, "get_cpuinfo(%u)", id))
        return -1;
    *out = pop.u.pcpu_info;
    return out->max_present;
}

/* Returns the number of physical CPUs (max_present + 1), 0 on failure. */
static unsigned pcpus(void)
{
    struct xenpf_pcpuinfo info;
    long max = cpuinfo(0, &info);

    if (max < 0)
        return 0;
    printf("  pcpu 0: apic_id %u acpi_id %u flags %#x max_present %u\n", info.apic_id,
           info.acpi_id, info.flags, info.max_present);
    check(info.flags == XEN_PCPU_FLAGS_ONLINE, "pcpu 0 is online and valid (flags %#x)",
          info.flags);
    for (uint32_t id = 1; id <= info.max_present; id++) {
        struct xenpf_pcpuinfo o;

        if (cpuinfo(id, &o) >= 0)
            check(!(o.flags & XEN_PCPU_FLAGS_INVALID) && o.apic_id != info.apic_id,
                  "pcpu %u: valid, apic_id %u differs from pcpu 0's", id, o.apic_id);
    }
    /* platform.h: an id not present gives flags INVALID, not an error. */
    if (cpuinfo(info.max_present + 1, &info) >= 0)
        check(info.flags == XEN_PCPU_FLAGS_INVALID, "pcpu past max_present: flags %#x",
              info.flags);
    if (cpuinfo(0xffffffffu, &info) >= 0)
        check(info.flags == XEN_PCPU_FLAGS_INVALID, "pcpu 0xffffffff: flags %#x", info.flags);
    return max + 1;
}

static void firmware(void)
{
    /* Linux's xen_start_kernel copies these into boot_params.kbd_status. */
    memset(&pop, 0, sizeof(pop));
    pop.u.firmware_info.type = XEN_FW_KBD_SHIFT_FLAGS;
    check_rc(platform_op(XENPF_firmware_info), 0, "firmware_info kbd shift flags (%#x)",
             pop.u.firmware_info.u.kbd_shift_flags);
    memset(&pop, 0, sizeof(pop));
    pop.u.firmware_info.type = XEN_FW_KBD_SHIFT_FLAGS;
    pop.u.firmware_info.index = 1;
    check_rc(platform_op(XENPF_firmware_info), -XEN_ESRCH, "firmware_info kbd flags index 1");
    memset(&pop, 0, sizeof(pop));
    pop.u.firmware_info.type = 0x7f;
    check_rc(platform_op(XENPF_firmware_info), -XEN_EINVAL, "firmware_info type 0x7f");
    memset(&pop, 0, sizeof(pop));
    pop.u.settime64.mbz = 1;
    check_rc(platform_op(XENPF_settime64), -XEN_EINVAL, "settime64 with mbz set");
}

/* XEN_MC_physcpuinfo: count with a NULL handle, then fetch. */
static void mca_cpus(unsigned nr_pcpus)
{
    uint32_t n;

    memset(&mop, 0, sizeof(mop));
    if (!check_rc(mca(XEN_MC_physcpuinfo), 0, "mca physcpuinfo, NULL handle"))
        return;
    n = mop.u.mc_physcpuinfo.ncpus;
    check(n == nr_pcpus, "mca: %u CPUs, get_cpuinfo: %u", n, nr_pcpus);
    if (n == 0 || n > ARRAY_SIZE(cpus))
        return;

    memset(&mop, 0, sizeof(mop));
    mop.u.mc_physcpuinfo.ncpus = n;
    set_xen_guest_handle(mop.u.mc_physcpuinfo.info, cpus);
    if (!check_rc(mca(XEN_MC_physcpuinfo), 0, "mca physcpuinfo, %u entries", n))
        return;
    check(mop.u.mc_physcpuinfo.ncpus == n, "mca physcpuinfo filled %u",
          mop.u.mc_physcpuinfo.ncpus);
    for (uint32_t i = 0; i < n; i++) {
        struct xenpf_pcpuinfo info;

        printf("  mc cpu %u: apicid %u family %u model %u vendor %.16s\n", cpus[i].mc_cpunr,
               cpus[i].mc_apicid, cpus[i].mc_family, cpus[i].mc_model, cpus[i].mc_vendorid);
        if (cpuinfo(i, &info) >= 0)
            check(cpus[i].mc_cpunr == i && cpus[i].mc_apicid == info.apic_id,
                  "mc cpu %u: apicid %u matches get_cpuinfo's %u", i, cpus[i].mc_apicid,
                  info.apic_id);
    }

    /*
     * A larger buffer: ncpus comes back as the number written. (Not tried:
     * a smaller one. Xen 4.17 then allocates ncpus entries but has every
     * online CPU fill its own, overrunning the allocation: it panics.)
     */
    memset(&mop, 0, sizeof(mop));
    mop.u.mc_physcpuinfo.ncpus = ARRAY_SIZE(cpus);
    set_xen_guest_handle(mop.u.mc_physcpuinfo.info, cpus);
    if (check_rc(mca(XEN_MC_physcpuinfo), 0, "mca physcpuinfo, room for %zu", ARRAY_SIZE(cpus)))
        check(mop.u.mc_physcpuinfo.ncpus == n, "ncpus %u", mop.u.mc_physcpuinfo.ncpus);
    /* A buffer and ncpus 0 is refused. */
    memset(&mop, 0, sizeof(mop));
    set_xen_guest_handle(mop.u.mc_physcpuinfo.info, cpus);
    check_rc(mca(XEN_MC_physcpuinfo), -XEN_EINVAL, "mca physcpuinfo, buffer with ncpus 0");
}

static void refusals(void)
{
    memset(&pop, 0, sizeof(pop));
    pop.cmd = XENPF_get_cpuinfo;
    pop.interface_version = XENPF_INTERFACE_VERSION - 1;
    check_rc(hypercall(__HYPERVISOR_platform_op, (unsigned long)&pop, 0, 0, 0, 0), -XEN_EACCES,
             "platform_op with an old interface version");
    memset(&mop, 0, sizeof(mop));
    mop.cmd = XEN_MC_physcpuinfo;
    mop.interface_version = XEN_MCA_INTERFACE_VERSION + 1;
    check_rc(hypercall(__HYPERVISOR_mca, (unsigned long)&mop, 0, 0, 0, 0), -XEN_EACCES,
             "mca with a newer interface version");
    for (unsigned b = 0; b < nr_bad_ptrs; b++) {
        check_rc(hypercall(__HYPERVISOR_platform_op, bad_ptrs[b].addr, 0, 0, 0, 0), -XEN_EFAULT,
                 "platform_op at %s %#lx", bad_ptrs[b].what, bad_ptrs[b].addr);
        check_rc(hypercall(__HYPERVISOR_mca, bad_ptrs[b].addr, 0, 0, 0, 0), -XEN_EFAULT,
                 "mca at %s %#lx", bad_ptrs[b].what, bad_ptrs[b].addr);
    }
    memset(&mop, 0, sizeof(mop));
    mop.u.mc_physcpuinfo.ncpus = ARRAY_SIZE(cpus); /* never fewer than online: see mca_cpus() */
    set_xen_guest_handle(mop.u.mc_physcpuinfo.info, (void *)BAD_PTR_HYPERVISOR);
    check_rc(mca(XEN_MC_physcpuinfo), -XEN_EFAULT, "mca physcpuinfo into Xen's range");
    memset(&mop, 0, sizeof(mop));
    check_rc(mca(0x7f), -XEN_EINVAL, "mca command 0x7f");
}

void test_main(void)
{
    unsigned n = pcpus();

    check(n >= 1, "%u physical CPUs", n);
    firmware();
    mca_cpus(n);
    refusals();
}
