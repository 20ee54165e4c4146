/*
 * Grant tables for the test kernels (gnttab.h).
 */
#include "gnttab.h"
#include "pagetable.h"

_Static_assert(sizeof(grant_entry_v1_t) == 8, "grant_entry_v1_t is 8 bytes");

static const char *const gntst_names[] = {
    "GNTST_okay", "GNTST_general_error", "GNTST_bad_domain",
    "GNTST_bad_gntref", "GNTST_bad_handle", "GNTST_bad_virt_addr",
    "GNTST_bad_dev_addr", "GNTST_no_device_space",
    "GNTST_permission_denied", "GNTST_bad_page", "GNTST_bad_copy_arg",
    "GNTST_address_too_big", "GNTST_eagain", "GNTST_no_space",
};

const char *gntst_name(int16_t status)
{
    if (status > 0 || -status >= (int)ARRAY_SIZE(gntst_names))
        return "?";
    return gntst_names[-status];
}

bool check_gntst_at(const char *file, int line, int16_t got, int16_t want,
                    const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (got == want) {
        printf("  ok: %s: status %s\n", what, gntst_name(got));
        return true;
    }
    test_fail("%s:%d: %s: status %d (%s), expected %d (%s)", file, line, what,
              got, gntst_name(got), want, gntst_name(want));
    return false;
}

grant_entry_v1_t *gnttab_map_table(unsigned int nr_frames, unsigned long *mfn)
{
    static xen_pfn_t frames[64];
    struct gnttab_setup_table setup = {
        .dom = DOMID_SELF,
        .nr_frames = nr_frames,
        .status = 1,
    };
    long rc;

    if (nr_frames > ARRAY_SIZE(frames))
        test_error("gnttab_map_table(%u): too many frames", nr_frames);
    set_xen_guest_handle(setup.frame_list, frames);
    rc = hypercall_grant_table_op(GNTTABOP_setup_table,
                                  (unsigned long)&setup, 1);
    if (!check_rc(rc, 0, "GNTTABOP_setup_table(DOMID_SELF, %u frames)",
                  nr_frames) ||
        !check_gntst(setup.status, GNTST_okay, "setup_table"))
        return NULL;
    *mfn = frames[0];
    return map_mfn(frames[0], PTE_KERNEL_RW);
}

void gnttab_grant(grant_entry_v1_t *table, grant_ref_t ref, domid_t domid,
                  unsigned long frame, uint16_t flags)
{
    volatile grant_entry_v1_t *e = &table[ref];

    e->domid = domid;
    e->frame = (uint32_t)frame;
    asm volatile("" ::: "memory");   /* x86: stores are not reordered */
    e->flags = flags;
}

void gnttab_revoke(grant_entry_v1_t *table, grant_ref_t ref)
{
    ((volatile grant_entry_v1_t *)table)[ref].flags = GTF_invalid;
}

uint16_t gnttab_flags(const grant_entry_v1_t *table, grant_ref_t ref)
{
    return ((const volatile grant_entry_v1_t *)table)[ref].flags;
}
