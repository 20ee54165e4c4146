/*
 * Grant-table setup (grant_table.h: GNTTABOP_query_size, setup_table,
 * set_version, get_version), as Xen 4.17 answers a PV Dom0
 * (xen/common/grant_table.c):
 *
 *  - query_size(DOMID_SELF): nr_frames in use (at least the 1 initial
 *    frame) and max_nr_frames (Xen: gnttab_max_frames, 64 by default);
 *  - setup_table(DOMID_SELF, 1) returns frame 0's MFN; the frame can be
 *    mapped writable with update_va_mapping, holds 512 grant_entry_v1_t,
 *    and is the same frame every time;
 *  - errors come in two layers: the call fails (-EFAULT for a bad argument
 *    pointer, -EINVAL for count != 1), or it returns 0 with a GNTST_*
 *    status: GNTST_bad_domain for a domain that does not exist,
 *    GNTST_general_error beyond max_nr_frames, GNTST_bad_virt_addr when
 *    the frame list cannot be written (a guest address that passes the
 *    range check but is not mapped; an address in the hypervisor's range
 *    or non-canonical fails the call with -EFAULT);
 *  - versions: v1 is the start; set_version(1) is a no-op; versions other
 *    than 1 and 2 are -EINVAL; set_version writes the current version back
 *    even when it fails. For v2 two answers are valid: Xen's default
 *    (gnttab=max-ver:2) switches and can switch back; a hypervisor limited
 *    to v1 (Xen with gnttab=max-ver:1, or Xenolith, which offers v1 only)
 *    says -ENOSYS, "as before set_version was introduced". Both are
 *    checked here: the test takes whichever branch it is given.
 *
 * Status codes and their meaning are in grant_table.h (GNTST_*).
 */
#include "gnttab.h"
#include "pagetable.h"

const char test_title[] = "gnttab_setup: query_size, setup_table, frames, versions";

#define ABSENT_DOMID 100

static xen_pfn_t frames[4];

static long gnttab_op(unsigned int cmd, void *arg, unsigned long count)
{
    return hypercall_grant_table_op(cmd, (unsigned long)arg, count);
}

static long setup(domid_t dom, uint32_t nr, xen_pfn_t *list, int16_t *status)
{
    struct gnttab_setup_table op = { .dom = dom, .nr_frames = nr,
                                     .status = 0x7777 };
    long rc;

    set_xen_guest_handle(op.frame_list, list);
    rc = gnttab_op(GNTTABOP_setup_table, &op, 1);
    *status = op.status;
    return rc;
}

static bool query(domid_t dom, struct gnttab_query_size *q, const char *what)
{
    long rc;

    memset(q, 0, sizeof(*q));
    q->dom = dom;
    q->status = 0x7777;
    rc = gnttab_op(GNTTABOP_query_size, q, 1);
    return check_rc(rc, 0, "query_size(%s)", what);
}

static uint32_t query_sizes(void)
{
    struct gnttab_query_size q;

    printf("query_size\n");
    if (!query(DOMID_SELF, &q, "DOMID_SELF") ||
        !check_gntst(q.status, GNTST_okay, "query_size(DOMID_SELF)"))
        return 0;
    printf("  nr_frames %u max_nr_frames %u\n", q.nr_frames, q.max_nr_frames);
    check(q.nr_frames >= 1 && q.nr_frames <= q.max_nr_frames,
          "1 <= nr_frames %u <= max_nr_frames %u", q.nr_frames,
          q.max_nr_frames);
    if (query(0, &q, "domain 0, ourselves"))
        check_gntst(q.status, GNTST_okay, "query_size(0)");
    if (query(ABSENT_DOMID, &q, "absent domain 100"))
        check_gntst(q.status, GNTST_bad_domain, "query_size(100)");
    if (query(DOMID_XEN, &q, "DOMID_XEN"))
        check_gntst(q.status, GNTST_bad_domain, "query_size(DOMID_XEN)");

    check_rc(gnttab_op(GNTTABOP_query_size, &q, 0), -XEN_EINVAL,
             "query_size with count 0");
    check_rc(gnttab_op(GNTTABOP_query_size, &q, 2), -XEN_EINVAL,
             "query_size with count 2");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_grant_table_op(GNTTABOP_query_size,
                                          bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "query_size at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    query(DOMID_SELF, &q, "DOMID_SELF");
    return q.max_nr_frames;
}

static void setup_and_map(uint32_t max)
{
    grant_entry_v1_t *table;
    struct gnttab_query_size q;
    xen_pfn_t again[1] = { 0 };
    int16_t st;
    long rc;

    printf("setup_table\n");
    rc = setup(DOMID_SELF, 1, frames, &st);
    if (!check_rc(rc, 0, "setup_table(DOMID_SELF, 1)") ||
        !check_gntst(st, GNTST_okay, "setup_table(DOMID_SELF, 1)"))
        test_exit(SHUTDOWN_poweroff);
    printf("  frame 0 is mfn %#lx\n", (unsigned long)frames[0]);
    check(frames[0] != 0, "a frame number");

    rc = setup(DOMID_SELF, 1, again, &st);
    check(!rc && st == GNTST_okay && again[0] == frames[0],
          "setup_table again gives the same frame (%#lx)",
          (unsigned long)again[0]);
    rc = setup(0, 1, again, &st);
    check(!rc && st == GNTST_okay && again[0] == frames[0],
          "setup_table(0, 1), our own id, the same frame (rc %ld st %d)", rc,
          st);
    if (query(DOMID_SELF, &q, "DOMID_SELF after setup"))
        check(q.nr_frames >= 1, "nr_frames %u >= 1", q.nr_frames);

    table = map_mfn(frames[0], PTE_KERNEL_RW);
    printf("  mapped at %p\n", (void *)table);
    /* Entries are ours to write: grant ref 100 to ourselves, read back. */
    gnttab_grant(table, 100, 0, virt_to_mfn(frames), GTF_permit_access);
    check(gnttab_flags(table, 100) == GTF_permit_access &&
              table[100].frame == virt_to_mfn(frames) && table[100].domid == 0,
          "entry 100 of the mapped frame reads back as written");
    gnttab_revoke(table, 100);
    table[100].frame = 0;
    unmap_va(table);

    printf("setup_table errors\n");
    rc = setup(ABSENT_DOMID, 1, again, &st);
    check(!rc, "setup_table(absent domain) returns 0 (rc %ld)", rc);
    check_gntst(st, GNTST_bad_domain, "setup_table(absent domain 100)");
    if (max) {
        static xen_pfn_t big[256];

        rc = setup(DOMID_SELF, max + 1, max + 1 <= ARRAY_SIZE(big) ? big : NULL,
                   &st);
        check(!rc, "setup_table(max_nr_frames + 1 = %u) returns 0 (rc %ld)",
              max + 1, rc);
        check_gntst(st, GNTST_general_error, "setup_table(%u frames)",
                    max + 1);
    }
    rc = setup(DOMID_SELF, 1, (xen_pfn_t *)BAD_PTR_UNMAPPED, &st);
    check(!rc, "setup_table with frame_list at %#lx returns 0 (rc %ld)",
          BAD_PTR_UNMAPPED, rc);
    check_gntst(st, GNTST_bad_virt_addr, "setup_table, frame_list unmapped");
    for (unsigned int i = 1; i < nr_bad_ptrs; i++)
        check_rc(setup(DOMID_SELF, 1, (xen_pfn_t *)bad_ptrs[i].addr, &st),
                 -XEN_EFAULT, "setup_table with frame_list at %s %#lx",
                 bad_ptrs[i].what, bad_ptrs[i].addr);
    rc = setup(DOMID_SELF, 0, (xen_pfn_t *)BAD_PTR_UNMAPPED, &st);
    check(!rc && st == GNTST_okay,
          "setup_table(0 frames) never touches frame_list (rc %ld st %d)", rc,
          st);
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_grant_table_op(GNTTABOP_setup_table,
                                          bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "setup_table at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    {
        struct gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = 1 };

        set_xen_guest_handle(op.frame_list, again);
        check_rc(gnttab_op(GNTTABOP_setup_table, &op, 2), -XEN_EINVAL,
                 "setup_table with count 2");
        check_rc(gnttab_op(GNTTABOP_setup_table, &op, 0), -XEN_EINVAL,
                 "setup_table with count 0");
    }
}

static long set_version(uint32_t version, uint32_t *out)
{
    struct gnttab_set_version op = { .version = version };
    long rc = gnttab_op(GNTTABOP_set_version, &op, 1);

    *out = op.version;
    return rc;
}

static uint32_t get_version(void)
{
    struct gnttab_get_version op = { .dom = DOMID_SELF, .version = 0x7777 };
    long rc = gnttab_op(GNTTABOP_get_version, &op, 1);

    check_rc(rc, 0, "get_version(DOMID_SELF)");
    return op.version;
}

static void versions(void)
{
    struct gnttab_get_version gv = { .dom = ABSENT_DOMID };
    uint32_t v;
    long rc;

    printf("Versions\n");
    check(get_version() == 1, "the table starts at version 1");
    rc = set_version(1, &v);
    check(rc == 0 && v == 1, "set_version(1): rc %ld, version %u", rc, v);
    rc = set_version(0, &v);
    check(rc == -XEN_EINVAL && v == 1,
          "set_version(0): rc %ld (want -EINVAL), version %u written back",
          rc, v);
    rc = set_version(3, &v);
    check(rc == -XEN_EINVAL && v == 1,
          "set_version(3): rc %ld (want -EINVAL), version %u written back",
          rc, v);
    check_rc(gnttab_op(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH,
             "get_version(absent domain 100)");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        check_rc(hypercall_grant_table_op(GNTTABOP_set_version,
                                          bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "set_version at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
        check_rc(hypercall_grant_table_op(GNTTABOP_get_version,
                                          bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "get_version at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    }

    rc = set_version(2, &v);
    printf("  set_version(2) = %ld, version %u\n", rc, v);
    if (rc == -XEN_ENOSYS) {
        printf("  v2 not offered (v1 only)\n");
        check(v == 1, "version 1 written back (%u)", v);
        check(get_version() == 1, "still version 1");
    } else if (check_rc(rc, 0, "set_version(2) (v2 offered)")) {
        check(v == 2 && get_version() == 2, "now version 2 (%u)", v);
        rc = set_version(1, &v);
        check(rc == 0 && v == 1, "set_version(1) back: rc %ld, version %u", rc,
              v);
        check(get_version() == 1, "version 1 again");
    }
}

void test_main(void)
{
    uint32_t max = query_sizes();

    setup_and_map(max);
    versions();
    /* grant_table.h stops at GNTTABOP_cache_flush (12). */
    check_rc(hypercall_grant_table_op(13, 0, 1), -XEN_ENOSYS, "GNTTABOP 13");
    check_rc(hypercall_grant_table_op(0xfff, 0, 1), -XEN_ENOSYS,
             "GNTTABOP 0xfff");
}
