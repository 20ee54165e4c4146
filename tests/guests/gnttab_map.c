/*
 * GNTTABOP_map_grant_ref and GNTTABOP_unmap_grant_ref (grant_table.h), VA
 * form (GNTMAP_host_map without GNTMAP_contains_pte), as Xen 4.17 runs
 * them for a PV domain (xen/common/grant_table.c map_grant_ref,
 * unmap_common; xen/arch/x86/pv/grant_table.c). Xen lets a domain map its
 * own grant: the granting domain is named by its id (rcu_lock_domain_by_id,
 * so DOMID_SELF is GNTST_bad_domain here), and nothing forbids ld == rd.
 *
 *  - a writable map puts the granted frame at host_addr (same bytes, and
 *    writes through it land in the frame), returns a handle and
 *    dev_bus_addr = the frame's machine address, and sets
 *    GTF_reading|GTF_writing in the entry; a read-only map sets
 *    GTF_reading only and a PTE without RW;
 *  - unmap by handle and host_addr clears the PTE and the entry's
 *    GTF_reading/GTF_writing; a second unmap of the handle, an unknown
 *    handle, or a host_addr that does not map the frame are refused
 *    (GNTST_bad_handle, GNTST_general_error) and change nothing;
 *  - map refusals: no host/device flag (GNTST_bad_gntref), ref beyond the
 *    table (GNTST_bad_gntref), entry not permit_access or granted to
 *    another domain, writable map of a read-only grant, no L1 table at
 *    host_addr, a grant of one of our page tables mapped writable (all
 *    GNTST_general_error), absent domain or DOMID_SELF (GNTST_bad_domain);
 *  - the call: bad pointers -EFAULT, count 0 reads nothing.
 */
#include "gnttab.h"
#include "pagetable.h"

const char test_title[] = "gnttab_map: map and unmap one's own grants, and refusals";

#define OTHER_DOMID  5
#define ABSENT_DOMID 100

enum { REF_PAGE = 20, REF_RO = 21, REF_FOREIGN = 22, REF_INVALID = 23,
       REF_PT = 24 };

static uint8_t page[4096] __attribute__((aligned(4096)));
static grant_entry_v1_t *table;
static unsigned int nr_entries;

static long map(struct gnttab_map_grant_ref *op, unsigned long count)
{
    return hypercall_grant_table_op(GNTTABOP_map_grant_ref, (unsigned long)op,
                                    count);
}

static long unmap(struct gnttab_unmap_grant_ref *op, unsigned long count)
{
    return hypercall_grant_table_op(GNTTABOP_unmap_grant_ref,
                                    (unsigned long)op, count);
}

/* One map op: returns the status, or 1 if the call itself failed. */
static int16_t map_one(void *va, grant_ref_t ref, domid_t dom, uint32_t flags,
                       struct gnttab_map_grant_ref *out, const char *what)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = (unsigned long)va, .flags = flags, .ref = ref,
        .dom = dom, .status = 0x7777, .handle = 0xdead,
    };
    long rc = map(&op, 1);

    if (!check_rc(rc, 0, "GNTTABOP_map_grant_ref [%s]", what))
        return 1;
    if (out)
        *out = op;
    return op.status;
}

static int16_t unmap_one(void *va, grant_handle_t handle, const char *what)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = (unsigned long)va, .handle = handle, .status = 0x7777,
    };
    long rc = unmap(&op, 1);

    if (!check_rc(rc, 0, "GNTTABOP_unmap_grant_ref [%s]", what))
        return 1;
    return op.status;
}

static void fill(uint8_t seed)
{
    for (unsigned int i = 0; i < sizeof(page); i++)
        page[i] = (uint8_t)(i + seed);
}

static void writable(void)
{
    struct gnttab_map_grant_ref m;
    volatile uint8_t *va = scratch_va();
    void *other;
    uint64_t pte;

    printf("A writable map of our own grant\n");
    fill(1);
    if (!check_gntst(map_one((void *)va, REF_PAGE, 0, GNTMAP_host_map, &m,
                             "host_map ref 20"),
                     GNTST_okay, "map ref %u of domain 0 at %p", REF_PAGE,
                     (void *)va))
        return;
    printf("  handle %u dev_bus_addr %#lx\n", m.handle,
           (unsigned long)m.dev_bus_addr);
    check(m.dev_bus_addr == virt_to_maddr(page),
          "dev_bus_addr is the frame's machine address %#lx",
          (unsigned long)virt_to_maddr(page));
    pte = pt_read_entry((unsigned long)va, 1);
    check(pte_mfn(pte) == virt_to_mfn(page) && (pte & PTE_P) && (pte & PTE_RW),
          "the PTE at %p maps the frame, present and writable (%#lx)",
          (void *)va, (unsigned long)pte);
    check(!memcmp((const void *)va, page, sizeof(page)),
          "the mapping shows the page's bytes");
    va[123] = 0x5a;
    check(page[123] == 0x5a, "a write through it lands in the page");
    check(gnttab_flags(table, REF_PAGE) ==
              (GTF_permit_access | GTF_reading | GTF_writing),
          "entry flags permit_access|reading|writing while mapped (%#x)",
          gnttab_flags(table, REF_PAGE));

    printf("Unmap refusals change nothing\n");
    other = scratch_va();       /* still maps a padding frame of ours */
    check_gntst(unmap_one(other, m.handle, "wrong host_addr"),
                GNTST_general_error, "unmap handle %u at %p (maps another "
                "frame)", m.handle, other);
    check(pt_read_entry((unsigned long)other, 1) & PTE_P,
          "that other mapping is still there");
    unmap_va(other);
    check_gntst(unmap_one((void *)va, m.handle ^ 0x100, "unknown handle"),
                GNTST_bad_handle, "unmap handle %u (never given)",
                m.handle ^ 0x100);
    check_gntst(unmap_one((void *)va, 0xffff, "handle 0xffff"),
                GNTST_bad_handle, "unmap handle 0xffff");
    check(va[123] == 0x5a, "still mapped");

    printf("Unmap\n");
    check_gntst(unmap_one((void *)va, m.handle, "unmap"), GNTST_okay,
                "unmap handle %u at %p", m.handle, (void *)va);
    check(!(pt_read_entry((unsigned long)va, 1) & PTE_P),
          "the PTE is gone (%#lx)",
          (unsigned long)pt_read_entry((unsigned long)va, 1));
    check(gnttab_flags(table, REF_PAGE) == GTF_permit_access,
          "entry flags back to permit_access (%#x)",
          gnttab_flags(table, REF_PAGE));
    check_gntst(unmap_one((void *)va, m.handle, "unmap again"),
                GNTST_bad_handle, "unmap handle %u again", m.handle);
    unmap_va((void *)va);
}

static void read_only(void)
{
    struct gnttab_map_grant_ref m;
    void *va = scratch_va();
    uint64_t pte;

    printf("Read-only maps\n");
    fill(2);
    if (check_gntst(map_one(va, REF_RO, 0, GNTMAP_host_map | GNTMAP_readonly,
                            &m, "readonly ref 21"),
                    GNTST_okay, "read-only map of read-only ref %u", REF_RO)) {
        pte = pt_read_entry((unsigned long)va, 1);
        check((pte & PTE_P) && !(pte & PTE_RW) &&
                  pte_mfn(pte) == virt_to_mfn(page),
              "the PTE is present and read-only (%#lx)", (unsigned long)pte);
        check(!memcmp(va, page, sizeof(page)), "it shows the page's bytes");
        check(gnttab_flags(table, REF_RO) ==
                  (GTF_permit_access | GTF_readonly | GTF_reading),
              "entry flags permit_access|readonly|reading (%#x)",
              gnttab_flags(table, REF_RO));
        check_gntst(unmap_one(va, m.handle, "unmap read-only"), GNTST_okay,
                    "unmap");
        check(gnttab_flags(table, REF_RO) == (GTF_permit_access | GTF_readonly),
              "entry flags back (%#x)", gnttab_flags(table, REF_RO));
    }
    check_gntst(map_one(va, REF_RO, 0, GNTMAP_host_map, NULL,
                        "writable map of a read-only grant"),
                GNTST_general_error, "writable map of read-only ref %u",
                REF_RO);
    check(!(pt_read_entry((unsigned long)va, 1) & PTE_P),
          "nothing mapped");
    unmap_va(va);
}

static void refused(void)
{
    /* A present mapping that no refusal may replace. */
    void *va = map_mfn(virt_to_mfn(page), PTE_KERNEL_RO);
    uint64_t before = pt_read_entry((unsigned long)va, 1);

    printf("Map refusals leave the PTE alone\n");
    check_gntst(map_one(va, REF_PAGE, 0, 0, NULL, "flags 0"),
                GNTST_bad_gntref, "map with neither host_map nor device_map");
    check_gntst(map_one(va, nr_entries, 0, GNTMAP_host_map, NULL,
                        "ref past the table"),
                GNTST_bad_gntref, "map ref %u (past the table)", nr_entries);
    check_gntst(map_one(va, 0xffffffff, 0, GNTMAP_host_map, NULL,
                        "ref 0xffffffff"),
                GNTST_bad_gntref, "map ref 0xffffffff");
    check_gntst(map_one(va, REF_INVALID, 0, GNTMAP_host_map, NULL,
                        "GTF_invalid"),
                GNTST_general_error, "map ref %u: GTF_invalid", REF_INVALID);
    check_gntst(map_one(va, REF_FOREIGN, 0, GNTMAP_host_map, NULL,
                        "granted to domain 5"),
                GNTST_general_error, "map ref %u: granted to domain %u, not us",
                REF_FOREIGN, OTHER_DOMID);
    check_gntst(map_one(va, REF_PAGE, DOMID_SELF, GNTMAP_host_map, NULL,
                        "DOMID_SELF"),
                GNTST_bad_domain, "map ref %u of DOMID_SELF (ids only)",
                REF_PAGE);
    check_gntst(map_one(va, REF_PAGE, ABSENT_DOMID, GNTMAP_host_map, NULL,
                        "absent domain"),
                GNTST_bad_domain, "map ref %u of absent domain %u", REF_PAGE,
                ABSENT_DOMID);
    check_gntst(map_one((void *)BAD_PTR_UNMAPPED, REF_PAGE, 0, GNTMAP_host_map,
                        NULL, "no L1 at host_addr"),
                GNTST_general_error, "map at %#lx (no page table there)",
                BAD_PTR_UNMAPPED);
    check_gntst(map_one(va, REF_PT, 0, GNTMAP_host_map, NULL,
                        "our L4, writable"),
                GNTST_general_error,
                "writable map of ref %u: our L4 page table", REF_PT);
    check(pt_read_entry((unsigned long)va, 1) == before,
          "the PTE at %p is unchanged (%#lx)", va,
          (unsigned long)pt_read_entry((unsigned long)va, 1));
    for (grant_ref_t r = REF_PAGE; r <= REF_PT; r++)
        check(!(gnttab_flags(table, r) & (GTF_reading | GTF_writing)),
              "entry %u: no GTF_reading/GTF_writing left (%#x)", r,
              gnttab_flags(table, r));
    unmap_va(va);
}

static void call_errors(void)
{
    printf("The call itself\n");
    check_rc(map((void *)BAD_PTR_UNMAPPED, 0), 0, "map with count 0");
    check_rc(unmap((void *)BAD_PTR_UNMAPPED, 0), 0, "unmap with count 0");
    for (unsigned int i = 0; i < nr_bad_ptrs; i++) {
        check_rc(hypercall_grant_table_op(GNTTABOP_map_grant_ref,
                                          bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "map at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
        check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref,
                                          bad_ptrs[i].addr, 1),
                 -XEN_EFAULT, "unmap at %s %#lx", bad_ptrs[i].what,
                 bad_ptrs[i].addr);
    }
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

    gnttab_grant(table, REF_PAGE, 0, virt_to_mfn(page), GTF_permit_access);
    gnttab_grant(table, REF_RO, 0, virt_to_mfn(page),
                 GTF_permit_access | GTF_readonly);
    gnttab_grant(table, REF_FOREIGN, OTHER_DOMID, virt_to_mfn(page),
                 GTF_permit_access);
    gnttab_grant(table, REF_INVALID, 0, virt_to_mfn(page), GTF_invalid);
    gnttab_grant(table, REF_PT, 0, pt_l4_mfn(), GTF_permit_access);

    writable();
    read_only();
    refused();
    call_errors();
}
