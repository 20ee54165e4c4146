/*
 * A grant map/unmap pair (grant_table.h): the domain grants one of its
 * frames to itself (a v1 entry with GTF_permit_access in its own table,
 * GNTTABOP_setup_table) and maps it at a free VA with
 * GNTTABOP_map_grant_ref (GNTMAP_host_map), then unmaps it with
 * GNTTABOP_unmap_grant_ref: the path of every backend driver's I/O.
 * Counted per pair. A hypervisor without grant tables gives
 * `BENCH grant_map_unmap unsupported` and SKIP.
 */
#include "bench.h"
#include "gnttab.h"
#include "pagetable.h"
#include "traps.h"

const char test_title[] = "bench: grant map + unmap of a self-granted frame";

#define ITERATIONS 10000UL
#define REF 8                   /* refs 0-7 are the toolstack's */
#define DOM0 0                  /* map_grant_ref wants a real domid */

static long gnttab_op(unsigned long cmd, void *uop, unsigned long count)
{
    return hypercall_grant_table_op(cmd, (unsigned long)uop, count);
}

/* Nonzero: the first failure, as rc (< 0) or as a GNTST_* status (> 0). */
static long turns(unsigned long va, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        struct gnttab_map_grant_ref map = {
            .host_addr = va, .flags = GNTMAP_host_map, .ref = REF,
            .dom = DOM0,
        };
        struct gnttab_unmap_grant_ref unmap = { .host_addr = va };
        long rc;

        rc = gnttab_op(GNTTABOP_map_grant_ref, &map, 1);
        if (rc || map.status != GNTST_okay)
            return rc ? rc : 1000 - map.status;
        unmap.handle = map.handle;
        rc = gnttab_op(GNTTABOP_unmap_grant_ref, &unmap, 1);
        if (rc || unmap.status != GNTST_okay)
            return rc ? rc : 2000 - unmap.status;
    }
    return 0;
}

void test_main(void)
{
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1 };
    xen_pfn_t frame = 0;
    grant_entry_v1_t *table;
    unsigned long va;
    uint64_t t0, t1;
    long rc;

    traps_init();
    set_xen_guest_handle(setup.frame_list, &frame);
    rc = gnttab_op(GNTTABOP_setup_table, &setup, 1);
    if (rc || setup.status != GNTST_okay)
        bench_unsupported("grant_map_unmap",
                          "GNTTABOP_setup_table = %ld, status %d", rc,
                          setup.status);

    /* Not gnttab_map_table(): a failed setup is "unsupported" here, not
     * a failed check. */
    table = map_mfn(frame, PTE_KERNEL_RW);
    gnttab_grant(table, REF, DOM0, alloc_frame(), GTF_permit_access);

    /* A free slot whose L1 entry exists, emptied for the grant mapping. */
    va = (unsigned long)scratch_va();
    rc = hypercall_update_va_mapping(va, 0, UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        test_error("update_va_mapping(%#lx, 0) = %ld", va, rc);

    rc = turns(va, BENCH_WARMUP);
    if (rc)
        test_error("a warm-up map/unmap failed: %ld (1000+: map status, "
                   "2000+: unmap status, as 1000 - status)", rc);
    t0 = bench_rdtsc();
    rc = turns(va, ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(rc, 0, "every timed map and unmap");
    check_eq(pt_read_entry(va, 1), 0, "the VA is unmapped again");
    check_eq(gnttab_flags(table, REF) & (GTF_reading | GTF_writing), 0,
             "the grant is not in use any more");
    bench_report("grant_map_unmap", t1 - t0, ITERATIONS);
}
