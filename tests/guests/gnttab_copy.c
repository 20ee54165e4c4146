/*
 * GNTTABOP_copy (grant_table.h), as Xen 4.17 runs it for a PV domain
 * (xen/common/grant_table.c, gnttab_copy and friends), on one domain's
 * own grants: the way netback copies, with the local side given as a
 * frame number (GNTCOPY_*_gref clear, domid DOMID_SELF) and the other side
 * as a grant reference.
 *
 *  - a copy from a granted page to one of our frames moves exactly len
 *    bytes between the offsets and nothing else; the entry's
 *    GTF_reading/GTF_writing are clear again afterwards;
 *  - to a grant (GNTCOPY_dest_gref), and grant to grant;
 *  - one status per operation: a batch with a bad one in the middle does
 *    the others;
 *  - refused with a status and no byte moved: a ref beyond the table
 *    (GNTST_bad_gntref); an entry that is not GTF_permit_access, or is
 *    granted to another domain, or read-only for a write
 *    (GNTST_general_error); a domain that does not exist (GNTST_bad_domain);
 *    a frame named with an existing domain's id instead of DOMID_SELF, even
 *    our own (GNTST_permission_denied); a frame that is not ours: beyond
 *    RAM, or a page table of the hypervisor, to or from
 *    (GNTST_bad_page); our own L4 page table as the destination
 *    (GNTST_general_error: no writable type); a range beyond the page
 *    (GNTST_bad_copy_arg);
 *  - the call itself: count 0 does nothing, a negative count is -EINVAL,
 *    a bad pointer -EFAULT.
 */
#include "gnttab.h"
#include "pagetable.h"

const char test_title[] = "gnttab_copy: copies between own grants and frames, and refusals";

#define ABSENT_DOMID 100
#define OTHER_DOMID  5

/* The grant refs used below; 0-7 are left to a toolstack, as Linux does. */
enum { REF_SRC = 10, REF_DST = 11, REF_RO_DST = 12, REF_FOREIGN = 13,
       REF_INVALID = 14 };

static uint8_t src[4096] __attribute__((aligned(4096)));
static uint8_t dst[4096] __attribute__((aligned(4096)));
static uint8_t expect[4096];

static grant_entry_v1_t *table;
static unsigned int nr_entries;

static void reset_pages(void)
{
    for (unsigned int i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 7 + 3);
    memset(dst, 0, sizeof(dst));
    memset(expect, 0, sizeof(expect));
}

static struct gnttab_copy_ptr by_ref(grant_ref_t ref, uint16_t off)
{
    return (struct gnttab_copy_ptr){ .u.ref = ref, .domid = DOMID_SELF,
                                     .offset = off };
}

static struct gnttab_copy_ptr by_frame(unsigned long mfn, domid_t dom,
                                       uint16_t off)
{
    return (struct gnttab_copy_ptr){ .u.gmfn = mfn, .domid = dom,
                                     .offset = off };
}

static long copy(struct gnttab_copy *ops, unsigned long count)
{
    for (unsigned long i = 0; i < count; i++)
        ops[i].status = 0x7777;
    return hypercall_grant_table_op(GNTTABOP_copy, (unsigned long)ops, count);
}

/* One op; check rc 0 and the status. */
static void copy_one(struct gnttab_copy *op, int16_t want, const char *what)
{
    long rc = copy(op, 1);

    if (check_rc(rc, 0, "GNTTABOP_copy [%s]", what))
        check_gntst(op->status, want, "%s", what);
}

static void check_dst(const char *what)
{
    check(!memcmp(dst, expect, sizeof(dst)),
          "%s: the destination holds exactly what was copied", what);
}

static void copies(void)
{
    unsigned long src_mfn = virt_to_mfn(src), dst_mfn = virt_to_mfn(dst);
    struct gnttab_copy op;

    printf("Grant -> frame\n");
    reset_pages();
    op = (struct gnttab_copy){ .source = by_ref(REF_SRC, 100),
                               .dest = by_frame(dst_mfn, DOMID_SELF, 200),
                               .len = 300, .flags = GNTCOPY_source_gref };
    copy_one(&op, GNTST_okay, "300 bytes from ref 10 @100 to our frame @200");
    memcpy(expect + 200, src + 100, 300);
    check_dst("grant -> frame");
    check(gnttab_flags(table, REF_SRC) == (GTF_permit_access | GTF_readonly),
          "entry flags back to permit_access|readonly (%#x)",
          gnttab_flags(table, REF_SRC));

    printf("Frame -> grant\n");
    reset_pages();
    op = (struct gnttab_copy){ .source = by_frame(src_mfn, DOMID_SELF, 0),
                               .dest = by_ref(REF_DST, 4000),
                               .len = 96, .flags = GNTCOPY_dest_gref };
    copy_one(&op, GNTST_okay, "96 bytes from our frame @0 to ref 11 @4000");
    memcpy(expect + 4000, src, 96);
    check_dst("frame -> grant");
    check(gnttab_flags(table, REF_DST) == GTF_permit_access,
          "entry flags back to permit_access (%#x)",
          gnttab_flags(table, REF_DST));

    printf("Grant -> grant, a whole page\n");
    reset_pages();
    op = (struct gnttab_copy){ .source = by_ref(REF_SRC, 0),
                               .dest = by_ref(REF_DST, 0), .len = 4096,
                               .flags = GNTCOPY_source_gref |
                                        GNTCOPY_dest_gref };
    copy_one(&op, GNTST_okay, "4096 bytes ref 10 -> ref 11");
    memcpy(expect, src, 4096);
    check_dst("grant -> grant");

    printf("Zero bytes\n");
    reset_pages();
    op = (struct gnttab_copy){ .source = by_ref(REF_SRC, 4096),
                               .dest = by_frame(dst_mfn, DOMID_SELF, 4096),
                               .len = 0, .flags = GNTCOPY_source_gref };
    copy_one(&op, GNTST_okay, "0 bytes at offset 4096");
    check_dst("zero bytes");
}

static void batch(void)
{
    unsigned long dst_mfn = virt_to_mfn(dst);
    struct gnttab_copy ops[3];
    long rc;

    printf("A batch with a bad op in the middle\n");
    reset_pages();
    ops[0] = (struct gnttab_copy){ .source = by_ref(REF_SRC, 0),
                                   .dest = by_frame(dst_mfn, DOMID_SELF, 0),
                                   .len = 16, .flags = GNTCOPY_source_gref };
    ops[1] = (struct gnttab_copy){ .source = by_ref(nr_entries, 0),
                                   .dest = by_frame(dst_mfn, DOMID_SELF, 16),
                                   .len = 16, .flags = GNTCOPY_source_gref };
    ops[2] = (struct gnttab_copy){ .source = by_ref(REF_SRC, 32),
                                   .dest = by_frame(dst_mfn, DOMID_SELF, 32),
                                   .len = 16, .flags = GNTCOPY_source_gref };
    rc = copy(ops, 3);
    check_rc(rc, 0, "GNTTABOP_copy with 3 ops");
    check_gntst(ops[0].status, GNTST_okay, "op 0");
    check_gntst(ops[1].status, GNTST_bad_gntref, "op 1, ref %u", nr_entries);
    check_gntst(ops[2].status, GNTST_okay, "op 2");
    memcpy(expect, src, 16);
    memcpy(expect + 32, src + 32, 16);
    check_dst("batch");
}

static void refused(void)
{
    unsigned long src_mfn = virt_to_mfn(src), dst_mfn = virt_to_mfn(dst);
    unsigned long l4_mfn = pt_l4_mfn(), xen_mfn;
    uint64_t l4_0 = pt_read(l4_mfn, 0), l4_511 = pt_read(l4_mfn, 511);
    struct gnttab_copy op;

    printf("Refused, nothing copied\n");
    reset_pages();
    memset(src, 0xee, sizeof(src));
    /* Source side by grant. */
    op = (struct gnttab_copy){ .source = by_ref(nr_entries, 0),
                               .dest = by_frame(dst_mfn, DOMID_SELF, 0),
                               .len = 8, .flags = GNTCOPY_source_gref };
    copy_one(&op, GNTST_bad_gntref, "ref nr_entries (past the table)");
    op.source = by_ref(0xffffffff, 0);
    copy_one(&op, GNTST_bad_gntref, "ref 0xffffffff");
    op.source = by_ref(REF_INVALID, 0);
    copy_one(&op, GNTST_general_error, "ref 14: GTF_invalid");
    op.source = by_ref(REF_FOREIGN, 0);
    copy_one(&op, GNTST_general_error, "ref 13: granted to domain 5, not us");
    op.source = (struct gnttab_copy_ptr){ .u.ref = REF_SRC,
                                          .domid = ABSENT_DOMID };
    copy_one(&op, GNTST_bad_domain, "ref 10 of absent domain 100");

    /* Destination side by grant. */
    op = (struct gnttab_copy){ .source = by_frame(src_mfn, DOMID_SELF, 0),
                               .dest = by_ref(REF_RO_DST, 0), .len = 8,
                               .flags = GNTCOPY_dest_gref };
    copy_one(&op, GNTST_general_error, "write into read-only ref 12");
    op.dest = by_ref(REF_SRC, 0);
    copy_one(&op, GNTST_general_error, "write into read-only ref 10");

    /* Frames. */
    op = (struct gnttab_copy){ .source = by_ref(REF_SRC, 0),
                               .dest = by_frame(dst_mfn, 0, 0), .len = 8,
                               .flags = GNTCOPY_source_gref };
    copy_one(&op, GNTST_permission_denied,
             "our frame named with our id 0 instead of DOMID_SELF");
    /* The domain is looked up first: Debian's Xen 4.17.7+13 answers so. */
    op.dest = by_frame(dst_mfn, ABSENT_DOMID, 0);
    copy_one(&op, GNTST_bad_domain, "a frame of absent domain 100");
    op.dest = by_frame(0xfffffffffUL, DOMID_SELF, 0);
    copy_one(&op, GNTST_bad_page, "frame 0xfffffffff (beyond RAM)");
    /* L4 slot 256 (the M2P) points at a page table of the hypervisor. */
    xen_mfn = pte_mfn(pt_read(l4_mfn, PT_INDEX(MACH2PHYS_VIRT_START, 4)));
    printf("  L4 slot 256 points at mfn %#lx\n", xen_mfn);
    op.dest = by_frame(xen_mfn, DOMID_SELF, 0);
    copy_one(&op, GNTST_bad_page, "into that hypervisor page table");
    op = (struct gnttab_copy){ .source = by_frame(xen_mfn, DOMID_SELF, 0),
                               .dest = by_frame(dst_mfn, DOMID_SELF, 0),
                               .len = 8 };
    copy_one(&op, GNTST_bad_page, "out of that hypervisor page table");
    op = (struct gnttab_copy){ .source = by_ref(REF_SRC, 0),
                               .dest = by_frame(l4_mfn, DOMID_SELF, 0),
                               .len = 8, .flags = GNTCOPY_source_gref };
    copy_one(&op, GNTST_general_error, "into our L4 page table");
    check(pt_read(l4_mfn, 0) == l4_0 && pt_read(l4_mfn, 511) == l4_511,
          "the L4 is unchanged");

    /* Ranges. */
    op = (struct gnttab_copy){ .source = by_ref(REF_SRC, 4090),
                               .dest = by_frame(dst_mfn, DOMID_SELF, 0),
                               .len = 8, .flags = GNTCOPY_source_gref };
    copy_one(&op, GNTST_bad_copy_arg, "source 4090 + 8 > 4096");
    op.source = by_ref(REF_SRC, 0);
    op.dest = by_frame(dst_mfn, DOMID_SELF, 4095);
    copy_one(&op, GNTST_bad_copy_arg, "dest 4095 + 8 > 4096");
    op.dest = by_frame(dst_mfn, DOMID_SELF, 0);
    op.len = 4097;
    copy_one(&op, GNTST_bad_copy_arg, "len 4097");
    check_dst("after every refusal");
    for (grant_ref_t r = REF_SRC; r <= REF_INVALID; r++)
        check(!(gnttab_flags(table, r) & (GTF_reading | GTF_writing)),
              "entry %u: no GTF_reading/GTF_writing left (%#x)", r,
              gnttab_flags(table, r));
}

static void call_errors(void)
{
    struct gnttab_copy op = { .len = 8 };

    printf("The call itself\n");
    check_rc(hypercall_grant_table_op(GNTTABOP_copy, BAD_PTR_UNMAPPED, 0), 0,
             "count 0 (the pointer is never read)");
    check_rc(hypercall_grant_table_op(GNTTABOP_copy, (unsigned long)&op,
                                      0x80000000UL),
             -XEN_EINVAL, "count 0x80000000 (negative as an int)");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++)
        check_rc(hypercall_grant_table_op(GNTTABOP_copy, bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "copy at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
}

void test_main(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    unsigned long table_mfn;
    long rc;

    table = gnttab_map_table(1, &table_mfn);
    if (!table)
        test_exit(SHUTDOWN_poweroff);
    rc = hypercall_grant_table_op(GNTTABOP_query_size, (unsigned long)&q, 1);
    if (rc || q.status != GNTST_okay || !q.nr_frames)
        test_error("query_size = %ld, status %d, %u frames", rc, q.status,
                   q.nr_frames);
    nr_entries = q.nr_frames * GRANT_ENTRIES_PER_FRAME;
    printf("grant table at mfn %#lx, %u entries\n", table_mfn, nr_entries);

    gnttab_grant(table, REF_SRC, 0, virt_to_mfn(src),
                 GTF_permit_access | GTF_readonly);
    gnttab_grant(table, REF_DST, 0, virt_to_mfn(dst), GTF_permit_access);
    gnttab_grant(table, REF_RO_DST, 0, virt_to_mfn(dst),
                 GTF_permit_access | GTF_readonly);
    gnttab_grant(table, REF_FOREIGN, OTHER_DOMID, virt_to_mfn(src),
                 GTF_permit_access);
    gnttab_grant(table, REF_INVALID, 0, virt_to_mfn(src), GTF_invalid);

    copies();
    batch();
    refused();
    call_errors();
}
