/*
 * HYPERVISOR_vcpu_op basics (vcpu.h; do_vcpu_op, xen/arch/x86/domain.c,
 * and common_vcpu_op / map_vcpu_info, xen/common/domain.c): which vCPUs
 * exist, the runstate area, and moving vcpu_info out of shared_info,
 * which may happen once.
 */
#include "traps.h"
#include "pagetable.h"

#include <xen/vcpu.h>

const char test_title[] = "vcpu_op: is_up, runstate, register_vcpu_info";

static long vcpu_op(unsigned long cmd, unsigned long vcpu, void *arg)
{
    return hypercall(__HYPERVISOR_vcpu_op, cmd, vcpu, (unsigned long)arg, 0,
                     0);
}

static void check_is_up(void)
{
    struct vcpu_get_physid physid;

    check_rc(vcpu_op(VCPUOP_is_up, 0, NULL), 1, "VCPUOP_is_up(0)");
    /* Only a vCPU pinned to its physical CPU (dom0_vcpus_pin) has a physical id. */
    check_rc(vcpu_op(VCPUOP_get_physid, 0, &physid), -XEN_EINVAL,
             "VCPUOP_get_physid(0) without dom0_vcpus_pin");
    /* The harness boots Dom0 with dom0_max_vcpus=1. */
    check_rc(vcpu_op(VCPUOP_is_up, 1, NULL), -XEN_ENOENT, "VCPUOP_is_up(1)");
    check_rc(vcpu_op(VCPUOP_is_up, 0xffffffff, NULL), -XEN_ENOENT,
             "VCPUOP_is_up(0xffffffff)");
    check_rc(vcpu_op(99, 0, NULL), -XEN_ENOSYS, "vcpu_op 99 on vCPU 0");
    check_rc(vcpu_op(99, 1, NULL), -XEN_ENOENT,
             "vcpu_op 99 on vCPU 1 (the vCPU is checked first)");
}

static struct vcpu_runstate_info runstate;

static void check_runstate(void)
{
    struct vcpu_register_runstate_memory_area area;

    memset(&runstate, 0xff, sizeof(runstate));
    check_rc(vcpu_op(VCPUOP_get_runstate_info, 0, &runstate), 0,
             "VCPUOP_get_runstate_info(0)");
    check_rc(runstate.state, RUNSTATE_running, "  state");
    check(runstate.time[RUNSTATE_running] > 0, "  time running %lu ns",
          (unsigned long)runstate.time[RUNSTATE_running]);
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(vcpu_op(VCPUOP_get_runstate_info, 0,
                         (void *)bad_ptrs[i].addr),
                 -XEN_EFAULT, "VCPUOP_get_runstate_info into %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);

    memset(&runstate, 0xff, sizeof(runstate));
    area.addr.v = &runstate;
    check_rc(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0,
             "VCPUOP_register_runstate_memory_area");
    check_rc(runstate.state, RUNSTATE_running, "  filled at once: state");
    check(runstate.state_entry_time > 0 && runstate.state_entry_time != ~0UL,
          "  state_entry_time %lu", (unsigned long)runstate.state_entry_time);

    /* Only the range is checked (guest_handle_okay), not the mapping. */
    area.addr.v = (void *)0x1000;
    check_rc(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0,
             "VCPUOP_register_runstate_memory_area at unmapped 0x1000");
    area.addr.v = (void *)HYPERVISOR_VIRT_START;
    check_rc(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area),
             -XEN_EFAULT,
             "VCPUOP_register_runstate_memory_area in the hypervisor's range");
    check_rc(vcpu_op(VCPUOP_register_runstate_memory_area, 0, (void *)0x1000),
             -XEN_EFAULT,
             "VCPUOP_register_runstate_memory_area, arg at 0x1000");
    area.addr.v = NULL;
    check_rc(vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area), 0,
             "VCPUOP_register_runstate_memory_area(NULL): no area");
}

static long register_vcpu_info(unsigned long vcpu, unsigned long mfn,
                               unsigned long offset)
{
    struct vcpu_register_vcpu_info info = { .mfn = mfn, .offset = offset };

    return vcpu_op(VCPUOP_register_vcpu_info, vcpu, &info);
}

static void check_vcpu_info(void)
{
    unsigned long mfn = alloc_zeroed_frame(), l1 = alloc_zeroed_frame();
    struct vcpu_info *vi;
    uint8_t mask = vcpu0_info()->evtchn_upcall_mask;

    check_rc(register_vcpu_info(0, mfn, PAGE_SIZE - 64 + 8), -XEN_ENXIO,
             "register_vcpu_info with the area past the page end");
    check_rc(register_vcpu_info(0, mfn, 4), -XEN_ENXIO,
             "register_vcpu_info at offset 4 (misaligned)");
    check_rc(register_vcpu_info(0, hypervisor_mfn(), 0), -XEN_EINVAL,
             "register_vcpu_info in a hypervisor frame");
    pin_table(1, l1);
    check_rc(register_vcpu_info(0, l1, 0), -XEN_EINVAL,
             "register_vcpu_info in a pinned L1");
    unpin_table(l1);
    check_rc(register_vcpu_info(1, mfn, 0), -XEN_ENOENT,
             "register_vcpu_info for vCPU 1");
    check_rc(vcpu_op(VCPUOP_register_vcpu_info, 0, (void *)0x1000),
             -XEN_EFAULT, "register_vcpu_info, arg at 0x1000");

    vi = map_mfn(mfn, PTE_KERNEL_RW);
    vi = (struct vcpu_info *)((uint8_t *)vi + 128);
    vcpu0_info()->arch.pad = 0x5a5a;          /* unused by Xen: a marker */
    check_rc(register_vcpu_info(0, mfn, 128), 0,
             "register_vcpu_info at offset 128 of a frame of ours");
    traps_set_vcpu_info(vi);
    check_rc(vi->evtchn_upcall_mask, mask,
             "  the old contents were copied: mask");
    check_eq(vi->arch.pad, 0x5a5a, "  and the marker in arch.pad");
    check(vi->time.version != 0 && vi->time.system_time != 0,
          "  the time record is kept there (version %u)", vi->time.version);

    /* The hypervisor now uses it: a #PF's cr2 lands there. */
    check_rc(probe_read(0x2340, NULL), X86_EXC_PF, "a #PF");
    check_eq(vi->arch.cr2, 0x2340, "  its cr2 is in the new vcpu_info");

    check_rc(register_vcpu_info(0, mfn, 128), -XEN_EINVAL,
             "register_vcpu_info again (only once)");
    check_rc(register_vcpu_info(0, mfn, 4), -XEN_ENXIO,
             "register_vcpu_info again, misaligned (checked first)");
}

void test_main(void)
{
    traps_init();
    check_is_up();
    check_runstate();
    check_vcpu_info();
}
