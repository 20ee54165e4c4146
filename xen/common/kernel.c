/*
 * xen_version (public/version.h): what a guest learns about the hypervisor.
 * Xenolith reports the Xen 4.17 interface it implements.
 */
#include <asm/page.h>
#include <xen/features.h>
#include <xen/version.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/sched.h>

#define XEN_MAJOR 4
#define XEN_MINOR 17
#define XEN_EXTRA ".0-xenolith"
#ifndef XENOLITH_CHANGESET
#define XENOLITH_CHANGESET "unavailable"
#endif

extern char saved_cmdline[sizeof(xen_commandline_t)];
extern const char __note_gnu_build_id_start[], __note_gnu_build_id_end[];

/* Guest-visible strings are NUL-padded to the ABI's fixed array sizes. */
static long copy_string_out(uint64_t arg, const char *s, size_t size)
{
    char buf[1024];

    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size);
}

static long compile_info(uint64_t arg)
{
    xen_compile_info_t info;

    memset(&info, 0, sizeof(info));
    strlcpy(info.compiler, "gcc " __VERSION__, sizeof(info.compiler));
    strlcpy(info.compile_by, "xenolith", sizeof(info.compile_by));
    strlcpy(info.compile_domain, "", sizeof(info.compile_domain));
    strlcpy(info.compile_date, __DATE__ " " __TIME__, sizeof(info.compile_date));
    return copy_to_guest(arg, &info, sizeof(info));
}

/* XENVER_get_features: the submap-0 bits Xen 4.17 gives a 64-bit PV guest. */
static long get_features(uint64_t arg)
{
    struct domain *d = current->domain;
    xen_feature_info_t fi;

    if (copy_from_guest(&fi, arg, sizeof(fi)))
        return -EFAULT;
    if (fi.submap_idx != 0)
        return -EINVAL;
    fi.submap = (1U << XENFEAT_memory_op_vnode_supported) |
                (1U << XENFEAT_mmu_pt_update_preserve_ad) |
                (1U << XENFEAT_highmem_assist) |
                (1U << XENFEAT_gnttab_map_avail_bits) |
                (1U << XENFEAT_direct_mapped);
    if (d->vm_assist & (1UL << VMASST_TYPE_pae_extended_cr3))
        fi.submap |= 1U << XENFEAT_pae_pgdir_above_4gb;
    if (d->is_hardware)
        fi.submap |= 1U << XENFEAT_dom0;
    return copy_to_guest(arg, &fi, sizeof(fi));
}

/* The GNU build-id note of this image: 12-byte header, "GNU\0", the id. */
static long build_id(uint64_t arg)
{
    size_t note = __note_gnu_build_id_end - __note_gnu_build_id_start;
    const char *id = __note_gnu_build_id_start + 16;
    size_t len = note > 16 ? note - 16 : 0;
    xen_build_id_t hdr;

    if (!len)
        return -ENODATA;
    if (!arg)
        return (long)len;
    if (copy_from_guest(&hdr, arg, sizeof(hdr)))
        return -EFAULT;
    if (!hdr.len)
        return -EINVAL;
    if (len > hdr.len)
        return -ENOBUFS;
    if (copy_to_guest(arg + offsetof(xen_build_id_t, buf), id, len))
        return -EFAULT;
    return (long)len;
}

long do_xen_version(uint64_t cmd, uint64_t arg)
{
    switch ((int)cmd) {
    case XENVER_version:
        return (XEN_MAJOR << 16) | XEN_MINOR;
    case XENVER_extraversion:
        return copy_string_out(arg, XEN_EXTRA, sizeof(xen_extraversion_t));
    case XENVER_compile_info:
        return compile_info(arg);
    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_64", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string_out(arg, XENOLITH_CHANGESET, sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        xen_platform_parameters_t p = { .virt_start = HYPERVISOR_VIRT_START };

        return copy_to_guest(arg, &p, sizeof(p));
    }
    case XENVER_get_features:
        return get_features(arg);
    case XENVER_pagesize:
        return arg ? -EINVAL : PAGE_SIZE;
    case XENVER_guest_handle:
        return copy_to_guest(arg, current->domain->handle, sizeof(xen_domain_handle_t));
    case XENVER_commandline:
        return copy_to_guest(arg, saved_cmdline, sizeof(xen_commandline_t));
    case XENVER_build_id:
        return build_id(arg);
    }
    return -ENOSYS;
}
