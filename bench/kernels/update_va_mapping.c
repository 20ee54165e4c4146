/*
 * update_va_mapping(va, pte, UVMF_INVLPG|UVMF_LOCAL) (xen.h), Linux's way
 * of changing one mapping of the current address space: remap a scratch
 * slot alternately to frame A and frame B, with the local INVLPG.
 */
#include "bench.h"
#include "pagetable.h"
#include "traps.h"

const char test_title[] = "bench: update_va_mapping of one VA, with INVLPG";

#define ITERATIONS 50000UL

static long turns(unsigned long va, const uint64_t pte[2], unsigned long n)
{
    long bad = 0;

    for (unsigned long i = 0; i < n; i++)
        bad |= hypercall_update_va_mapping(va, pte[i & 1],
                                           UVMF_INVLPG | UVMF_LOCAL);
    return bad;
}

void test_main(void)
{
    unsigned long va = (unsigned long)scratch_va();
    uint64_t pte[2], t0, t1;
    long bad;

    pte[0] = pte_make(alloc_frame(), PTE_KERNEL_RW);
    pte[1] = pte_make(alloc_frame(), PTE_KERNEL_RW);
    bad = turns(va, pte, BENCH_WARMUP);
    if (bad)
        test_error("update_va_mapping(%#lx) = %ld", va, bad);
    t0 = bench_rdtsc();
    bad = turns(va, pte, ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(bad, 0, "every timed update_va_mapping (their results OR-ed)");
    /* Compare frames only: Xen sets _PAGE_USER in every entry it takes. */
    check_eq(pte_mfn(pt_read_entry(va, 1)), pte_mfn(pte[ITERATIONS & 1 ? 0 : 1]),
             "the entry maps the frame written last");
    bench_report("update_va_mapping", t1 - t0, ITERATIONS);
}
