/*
 * HYPERVISOR_xen_version(cmd, arg) (version.h), as Xen 4.17 answers a
 * privileged PV Dom0 (do_xen_version, xen/common/kernel.c).
 *
 * Every sub-op that returns data copies a fixed-size object to arg (the
 * string ones NUL-padded to their full size), so each is checked to write
 * exactly that many bytes and to give -EFAULT for a pointer the guest may
 * not write. cmd is an int: the upper half of its register is ignored.
 */
#include "runtime.h"

const char test_title[] = "xen_version: every XENVER_* sub-op, good and bad";

#define FILLER 0xa5
#define GUARD 64

/* Room for the largest object (1024 bytes) with a guard on each side. */
static uint8_t area[GUARD + 1024 + GUARD];
#define OUT ((unsigned long)(area + GUARD))

static long xen_version(unsigned long cmd, unsigned long arg)
{
    return hypercall_xen_version(cmd, arg);
}

static const struct {
    unsigned int cmd;
    const char *name;
    size_t size;
} copy_ops[] = {
    { XENVER_extraversion, "extraversion", sizeof(xen_extraversion_t) },
    { XENVER_compile_info, "compile_info", sizeof(xen_compile_info_t) },
    { XENVER_capabilities, "capabilities", sizeof(xen_capabilities_info_t) },
    { XENVER_changeset, "changeset", sizeof(xen_changeset_info_t) },
    { XENVER_platform_parameters, "platform_parameters",
      sizeof(xen_platform_parameters_t) },
    { XENVER_guest_handle, "guest_handle", sizeof(xen_domain_handle_t) },
    { XENVER_commandline, "commandline", sizeof(xen_commandline_t) },
};

/* Call cmd into the guarded area; true if it wrote exactly size bytes. */
static bool copy_out(unsigned int cmd, const char *name, size_t size)
{
    size_t before = 0, inside = 0, after = 0;

    memset(area, FILLER, sizeof(area));
    if (!check_rc(xen_version(cmd, OUT), 0, "XENVER_%s", name))
        return false;
    for (size_t i = 0; i < sizeof(area); i++) {
        if (i < GUARD)
            before += area[i] != FILLER;
        else if (i < GUARD + size)
            inside += area[i] == FILLER;
        else
            after += area[i] != FILLER;
    }
    return check(!before && !inside && !after,
                 "XENVER_%s writes exactly %lu bytes (%lu before, %lu "
                 "unwritten, %lu after)", name, size, before, inside, after);
}

static bool nul_terminated(const char *s, size_t size)
{
    return strnlen(s, size) < size;
}

static void check_copy_ops(void)
{
    const char *s = (const char *)OUT;
    const xen_compile_info_t *ci = (const void *)OUT;
    const xen_platform_parameters_t *pp = (const void *)OUT;
    /* The bootstrap L4 is mapped read-only (xen.h start-of-day layout). */
    unsigned long ro_page = start_info->pt_base;

    for (unsigned int i = 0; i < ARRAY_SIZE(copy_ops); i++) {
        for (unsigned int b = 0; b < nr_bad_ptrs; b++)
            check_rc(xen_version(copy_ops[i].cmd, bad_ptrs[b].addr),
                     -XEN_EFAULT, "XENVER_%s into %s %#lx", copy_ops[i].name,
                     bad_ptrs[b].what, bad_ptrs[b].addr);
        check_rc(xen_version(copy_ops[i].cmd, ro_page), -XEN_EFAULT,
                 "XENVER_%s into the read-only L4 %#lx", copy_ops[i].name,
                 ro_page);
    }

    if (copy_out(XENVER_extraversion, "extraversion", sizeof(xen_extraversion_t)))
        check(nul_terminated(s, sizeof(xen_extraversion_t)),
              "extraversion \"%s\" is NUL-terminated", s);

    if (copy_out(XENVER_compile_info, "compile_info", sizeof(xen_compile_info_t)))
        check(nul_terminated(ci->compiler, sizeof(ci->compiler)) &&
              nul_terminated(ci->compile_by, sizeof(ci->compile_by)) &&
              nul_terminated(ci->compile_domain, sizeof(ci->compile_domain)) &&
              nul_terminated(ci->compile_date, sizeof(ci->compile_date)),
              "compile_info \"%s\" \"%s\" \"%s\" \"%s\" is NUL-terminated",
              ci->compiler, ci->compile_by, ci->compile_domain,
              ci->compile_date);

    /* A 64-bit PV guest finds its own ABI among the capabilities. */
    if (copy_out(XENVER_capabilities, "capabilities",
                 sizeof(xen_capabilities_info_t)))
        check(nul_terminated(s, sizeof(xen_capabilities_info_t)) &&
              strstr(s, "xen-3.0-x86_64"),
              "capabilities \"%s\" contain \"xen-3.0-x86_64\"", s);

    if (copy_out(XENVER_changeset, "changeset", sizeof(xen_changeset_info_t)))
        check(nul_terminated(s, sizeof(xen_changeset_info_t)),
              "changeset \"%s\" is NUL-terminated", s);

    /* xen-x86_64.h: the hypervisor hole starts at HYPERVISOR_VIRT_START. */
    if (copy_out(XENVER_platform_parameters, "platform_parameters",
                 sizeof(xen_platform_parameters_t)))
        check(pp->virt_start == HYPERVISOR_VIRT_START,
              "platform_parameters.virt_start %#lx == %#lx",
              (unsigned long)pp->virt_start, HYPERVISOR_VIRT_START);

    /* Dom0 is made by the hypervisor, which gives it the nil handle. */
    if (copy_out(XENVER_guest_handle, "guest_handle",
                 sizeof(xen_domain_handle_t))) {
        static const uint8_t nil[sizeof(xen_domain_handle_t)];

        check(!memcmp(s, nil, sizeof(nil)), "Dom0's guest_handle is nil");
    }

    /* A privileged domain sees the hypervisor's own command line. */
    if (copy_out(XENVER_commandline, "commandline", sizeof(xen_commandline_t)))
        check(nul_terminated(s, sizeof(xen_commandline_t)) &&
              strstr(s, "console=com1"),
              "commandline \"%s\" contains \"console=com1\"", s);
}

static void check_get_features(void)
{
    xen_feature_info_t fi;
    uint32_t submap;

    for (unsigned int b = 0; b < nr_bad_ptrs; b++)
        check_rc(xen_version(XENVER_get_features, bad_ptrs[b].addr),
                 -XEN_EFAULT, "XENVER_get_features at %s %#lx",
                 bad_ptrs[b].what, bad_ptrs[b].addr);
    /* submap_idx is read (L4 slot 0 is empty: index 0), the write faults. */
    check_rc(xen_version(XENVER_get_features, start_info->pt_base),
             -XEN_EFAULT, "XENVER_get_features at the read-only L4");

    /* features.h: XENFEAT_NR_SUBMAPS is 1; any other index is invalid. */
    fi = (xen_feature_info_t){ .submap_idx = XENFEAT_NR_SUBMAPS };
    check_rc(xen_version(XENVER_get_features, (unsigned long)&fi), -XEN_EINVAL,
             "XENVER_get_features submap %u", fi.submap_idx);
    fi = (xen_feature_info_t){ .submap_idx = ~0U };
    check_rc(xen_version(XENVER_get_features, (unsigned long)&fi), -XEN_EINVAL,
             "XENVER_get_features submap %#x", fi.submap_idx);

    fi = (xen_feature_info_t){ .submap_idx = 0, .submap = ~0U };
    if (!check_rc(xen_version(XENVER_get_features, (unsigned long)&fi), 0,
                  "XENVER_get_features submap 0"))
        return;
    submap = fi.submap;
    printf("  submap 0 = %#x\n", submap);

    /* Linux panics without these two (drivers/xen/features.c). */
    check(submap & (1U << XENFEAT_mmu_pt_update_preserve_ad),
          "XENFEAT_mmu_pt_update_preserve_ad set");
    check(submap & (1U << XENFEAT_gnttab_map_avail_bits),
          "XENFEAT_gnttab_map_avail_bits set");
    check(submap & (1U << XENFEAT_dom0), "XENFEAT_dom0 set for Dom0");
    /* A PV guest maintains its own page tables and P2M. */
    check(!(submap & (1U << XENFEAT_writable_page_tables)),
          "XENFEAT_writable_page_tables clear for PV");
    check(!(submap & (1U << XENFEAT_auto_translated_physmap)),
          "XENFEAT_auto_translated_physmap clear for PV");
    check(!(submap & (1U << XENFEAT_supervisor_mode_kernel)),
          "XENFEAT_supervisor_mode_kernel clear (the kernel runs in ring 3)");
    check(!(submap & ((1U << XENFEAT_hvm_callback_vector) |
                      (1U << XENFEAT_hvm_safe_pvclock) |
                      (1U << XENFEAT_hvm_pirqs))),
          "no HVM-only feature set");
}

static void check_pagesize(void)
{
    /* version.h: "arg == NULL; returns host memory page size". */
    check_rc(xen_version(XENVER_pagesize, 0), 4096, "XENVER_pagesize");
    check_rc(xen_version(XENVER_pagesize, OUT), -XEN_EINVAL,
             "XENVER_pagesize with a non-NULL arg");
    check_rc(xen_version(XENVER_pagesize, BAD_PTR_UNMAPPED), -XEN_EINVAL,
             "XENVER_pagesize with arg %#lx", BAD_PTR_UNMAPPED);
}

static void check_build_id(void)
{
    xen_build_id_t *id = (void *)OUT;
    long size = xen_version(XENVER_build_id, 0);

    for (unsigned int b = 0; b < nr_bad_ptrs; b++)
        check_rc(xen_version(XENVER_build_id, bad_ptrs[b].addr), -XEN_EFAULT,
                 "XENVER_build_id at %s %#lx", bad_ptrs[b].what,
                 bad_ptrs[b].addr);
    id->len = 0;
    check_rc(xen_version(XENVER_build_id, OUT), -XEN_EINVAL,
             "XENVER_build_id with len 0");

    /* A hypervisor built without a build id says -ENODATA (kernel.c). */
    if (size == -XEN_ENODATA) {
        printf("  XENVER_build_id: none (-ENODATA)\n");
        return;
    }
    if (!check(size > 0 && size <= 1024 - 4,
               "XENVER_build_id with NULL returns the size (%ld)", size))
        return;
    id->len = size - 1;
    check_rc(xen_version(XENVER_build_id, OUT), -XEN_ENOBUFS,
             "XENVER_build_id with len %ld (one short)", size - 1);
    id->len = size;
    check_rc(xen_version(XENVER_build_id, OUT), size,
             "XENVER_build_id with len %ld", size);
}

void test_main(void)
{
    /* xen-compat.h: the interface this runtime was built for is 4.17's. */
    long version = xen_version(XENVER_version, 0);

    check_rc(version, (4 << 16) | 17, "XENVER_version (4.17)");
    check_rc(xen_version((1UL << 32) | XENVER_version, 0), (4 << 16) | 17,
             "XENVER_version with bit 32 set (cmd is an int)");

    check_copy_ops();
    check_get_features();
    check_pagesize();
    check_build_id();

    /* version.h ends at XENVER_build_id (10). */
    check_rc(xen_version(11, 0), -XEN_ENOSYS, "unknown XENVER 11");
    check_rc(xen_version(0x7fffffff, 0), -XEN_ENOSYS,
             "unknown XENVER 0x7fffffff");
    check_rc(xen_version(~0UL, 0), -XEN_ENOSYS, "unknown XENVER -1");
}
