/*
 * HYPERVISOR_vm_assist(cmd, type) (xen.h VMASST_*), as Xen 4.17 answers a
 * 64-bit PV guest (do_vm_assist, xen/common/domain.c; PV64_VM_ASSIST_MASK,
 * xen/arch/x86/include/asm/domain.h): types 0-5 and m2p_strict (32) may be
 * enabled and disabled; any other type gives -EINVAL, checked before the
 * command; a valid type with a command other than enable/disable gives
 * -ENOSYS. Both arguments are unsigned int.
 */
#include "runtime.h"

const char test_title[] = "vm_assist: VMASST_CMD_* on each VMASST_TYPE_*";

static const struct {
    unsigned int type;
    const char *name;
} types[] = {
    { VMASST_TYPE_4gb_segments, "4gb_segments" },
    { VMASST_TYPE_4gb_segments_notify, "4gb_segments_notify" },
    /* Linux enables these two (enlighten_pv.c, time.c). */
    { VMASST_TYPE_writable_pagetables, "writable_pagetables" },
    { VMASST_TYPE_runstate_update_flag, "runstate_update_flag" },
    { VMASST_TYPE_pae_extended_cr3, "pae_extended_cr3" },
    { VMASST_TYPE_architectural_iopl, "architectural_iopl" },
    { VMASST_TYPE_m2p_strict, "m2p_strict" },
};

static long vm_assist(unsigned long cmd, unsigned long type)
{
    return hypercall_vm_assist(cmd, type);
}

void test_main(void)
{
    static const unsigned long bad_types[] = { 6, 31, 33, 63, 64, 0xffffffff };

    /* Disable first, then leave each one enabled, as Linux would. */
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        check_rc(vm_assist(VMASST_CMD_disable, types[i].type), 0,
                 "disable %s (%u)", types[i].name, types[i].type);
        check_rc(vm_assist(VMASST_CMD_enable, types[i].type), 0,
                 "enable %s (%u)", types[i].name, types[i].type);
        check_rc(vm_assist(VMASST_CMD_enable, types[i].type), 0,
                 "enable %s again", types[i].name);
    }

    for (unsigned int i = 0; i < ARRAY_SIZE(bad_types); i++) {
        check_rc(vm_assist(VMASST_CMD_enable, bad_types[i]), -XEN_EINVAL,
                 "enable unknown type %#lx", bad_types[i]);
        check_rc(vm_assist(VMASST_CMD_disable, bad_types[i]), -XEN_EINVAL,
                 "disable unknown type %#lx", bad_types[i]);
    }

    check_rc(vm_assist(2, VMASST_TYPE_writable_pagetables), -XEN_ENOSYS,
             "unknown cmd 2 on a valid type");
    check_rc(vm_assist(0xffffffff, VMASST_TYPE_writable_pagetables),
             -XEN_ENOSYS, "unknown cmd 0xffffffff on a valid type");
    check_rc(vm_assist(2, 6), -XEN_EINVAL,
             "unknown cmd 2 on an unknown type (type checked first)");

    /* Only the low 32 bits of each register count. */
    check_rc(vm_assist((1UL << 32) | VMASST_CMD_enable,
                       (1UL << 32) | VMASST_TYPE_writable_pagetables), 0,
             "enable writable_pagetables with bit 32 set in cmd and type");
}
