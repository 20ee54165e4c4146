/*
 * platform_op (public/platform.h, XENPF_INTERFACE_VERSION), for the
 * hardware domain: the physical CPUs (Linux's xen_cpu driver walks them
 * with XENPF_get_cpuinfo), the wall clock (XENPF_settime64) and what the
 * firmware told the boot loader (XENPF_firmware_info). Other sub-ops are
 * not done yet.
 */
#include <asm/page.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <xen/platform.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

/*
 * XENPF_get_cpuinfo: CPUs are numbered 0..nr_cpus_online-1 and all of
 * them are online (no hot-plug), so max_present is the last of them. An
 * id past it is not an error: Xen answers flags = XEN_PCPU_FLAGS_INVALID
 * and leaves apic_id/acpi_id as given.
 */
static long get_cpuinfo(struct xenpf_pcpuinfo *info)
{
    if (info->xen_cpuid >= nr_cpus_online) {
        info->flags = XEN_PCPU_FLAGS_INVALID;
    } else {
        info->apic_id = cpu_to_apic[info->xen_cpuid];
        /* The MADT's processor UID; QEMU and most firmware number them like the APIC ids. */
        info->acpi_id = cpu_to_apic[info->xen_cpuid];
        info->flags = XEN_PCPU_FLAGS_ONLINE;
    }
    info->max_present = nr_cpus_online - 1;
    return 0;
}

/* XENPF_settime64: mbz must be zero (-EINVAL otherwise, as Xen). */
static long settime64(const struct xenpf_settime64 *st)
{
    if (st->mbz)
        return -EINVAL;
    wallclock_set(st->secs, st->nsecs, st->system_time);
    return 0;
}

/*
 * XENPF_firmware_info. Xen gathers EDD, MBR signatures and VBE EDID with
 * BIOS calls before entering protected mode; Xenolith makes none, so it
 * has nothing to give: -ESRCH, Xen's answer for an index it has no entry
 * for. The keyboard shift flags are the byte INT 16h AH=02h returns, kept
 * by the BIOS in its data area at 0x417 (low RAM, in the direct map).
 */
static long firmware_info(struct xenpf_firmware_info *fw)
{
    switch (fw->type) {
    case XEN_FW_DISK_INFO:
    case XEN_FW_DISK_MBR_SIGNATURE:
    case XEN_FW_VBEDDC_INFO:
        return -ESRCH;
    case XEN_FW_KBD_SHIFT_FLAGS:
        if (fw->index != 0)
            return -ESRCH;
        fw->u.kbd_shift_flags = *(const volatile uint8_t *)maddr_to_virt(0x417);
        return 0;
    case XEN_FW_EFI_INFO:
        return -ENOSYS; /* not booted through EFI: Xen's efi_get_info() answer */
    default:
        return -EINVAL;
    }
}

long do_platform_op(uint64_t arg)
{
    struct xen_platform_op op;
    long rc;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XENPF_INTERFACE_VERSION)
        return -EACCES;
    if (!current->domain->is_privileged)
        return -EPERM;
    switch (op.cmd) {
    case XENPF_get_cpuinfo:
        rc = get_cpuinfo(&op.u.pcpu_info);
        break;
    case XENPF_settime64:
        return settime64(&op.u.settime64);
    case XENPF_firmware_info:
        rc = firmware_info(&op.u.firmware_info);
        break;
    case XENPF_efi_runtime_call:
        return -ENOSYS; /* no EFI runtime services without an EFI boot, as Xen */
    default:
        return unimplemented("platform_op", op.cmd);
    }
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        return -EFAULT;
    return rc;
}
