/*
 * A batch of 64 mmu_update requests per call, as Linux issues them through
 * its multicall/mmu_update batching: the L1 entries of 64 consecutive
 * scratch slots (one L1 of the pinned bootstrap tables), each alternately
 * mapping a frame of set A and of set B. Counted per call of 64.
 */
#include "bench.h"
#include "pagetable.h"
#include "traps.h"

const char test_title[] = "bench: mmu_update, 64 L1 entries per call";

#define ITERATIONS 2000UL
#define BATCH 64

static mmu_update_t req[2][BATCH];

static long turns(unsigned long n)
{
    long bad = 0;

    for (unsigned long i = 0; i < n; i++)
        bad |= hypercall_mmu_update(req[i & 1], BATCH, NULL, DOMID_SELF);
    return bad;
}

void test_main(void)
{
    unsigned long va[BATCH];
    uint64_t t0, t1;
    long bad;

    for (unsigned int i = 0; i < BATCH; i++) {
        uint64_t l1e;

        va[i] = (unsigned long)scratch_va();
        l1e = pt_entry_maddr(va[i], 1);
        if (!l1e)
            test_error("no L1 entry for scratch slot %#lx", va[i]);
        req[0][i].ptr = req[1][i].ptr = l1e | MMU_NORMAL_PT_UPDATE;
        req[0][i].val = pte_make(alloc_frame(), PTE_KERNEL_RW);
        req[1][i].val = pte_make(alloc_frame(), PTE_KERNEL_RW);
    }

    bad = turns(BENCH_WARMUP);
    if (bad)
        test_error("a batch of %u mmu_updates = %ld", BATCH, bad);
    t0 = bench_rdtsc();
    bad = turns(ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(bad, 0, "every timed batch (their results OR-ed)");
    /* Compare frames only: Xen sets _PAGE_USER in every entry it takes. */
    check_eq(pte_mfn(pt_read_entry(va[BATCH - 1], 1)),
             pte_mfn(req[ITERATIONS & 1 ? 0 : 1][BATCH - 1].val),
             "the last entry maps the frame written last");
    bench_report("mmu_update_batch64", t1 - t0, ITERATIONS);
}
