/*
 * One mmu_update request per call (xen.h MMU_NORMAL_PT_UPDATE): rewrite
 * the L1 entry of a scratch slot, which lives in an L1 of the pinned
 * bootstrap tables, alternately to map frame A and frame B. Each turn is
 * the whole path of a real remap: the entry is validated, the new frame
 * gains a reference and the writable type, the old one loses both.
 */
#include "bench.h"
#include "pagetable.h"
#include "traps.h"

const char test_title[] = "bench: mmu_update, one L1 entry per call";

#define ITERATIONS 50000UL

static long turns(const mmu_update_t req[2], unsigned long n)
{
    long bad = 0;

    for (unsigned long i = 0; i < n; i++)
        bad |= hypercall_mmu_update(&req[i & 1], 1, NULL, DOMID_SELF);
    return bad;
}

void test_main(void)
{
    unsigned long va = (unsigned long)scratch_va();
    uint64_t l1e = pt_entry_maddr(va, 1), t0, t1;
    mmu_update_t req[2];
    long bad;

    if (!l1e)
        test_error("no L1 entry for scratch slot %#lx", va);
    req[0].ptr = req[1].ptr = l1e | MMU_NORMAL_PT_UPDATE;
    req[0].val = pte_make(alloc_frame(), PTE_KERNEL_RW);
    req[1].val = pte_make(alloc_frame(), PTE_KERNEL_RW);

    bad = turns(req, BENCH_WARMUP);
    if (bad)
        test_error("mmu_update of the L1 entry of %#lx = %ld", va, bad);
    t0 = bench_rdtsc();
    bad = turns(req, ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(bad, 0, "every timed mmu_update (their results OR-ed)");
    /* Compare frames only: Xen sets _PAGE_USER in every entry it takes. */
    check_eq(pte_mfn(pt_read_entry(va, 1)),
             pte_mfn(req[ITERATIONS & 1 ? 0 : 1].val),
             "the entry maps the frame written last");
    bench_report("mmu_update", t1 - t0, ITERATIONS);
}
