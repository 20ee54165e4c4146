/*
 * A page fault in the guest kernel, bounced and returned: a kernel-mode
 * read of an unmapped address raises #PF, the hypervisor delivers it to
 * the guest's handler through the trap table (pv_inject_event and
 * create_bounce_frame on Xen), the handler resumes after the read and
 * leaves with HYPERVISOR_iret. The handler is the test runtime's generic
 * trap path (traps.c), the same guest code on every hypervisor.
 */
#include "bench.h"
#include "traps.h"

const char test_title[] = "bench: kernel #PF -> guest handler -> HYPERVISOR_iret";

#define ITERATIONS 50000UL

static void turns(unsigned long n)
{
    /* trap_fixup sends every kernel-mode fault to label 2. */
    asm volatile("movq $2f, trap_fixup(%%rip)\n"
                 "1:\n\t"
                 "mov %c[addr], %%rax\n"
                 "2:\n\t"
                 "dec %[n]\n\t"
                 "jnz 1b\n\t"
                 "movq $0, trap_fixup(%%rip)"
                 : [n] "+r"(n)
                 : [addr] "i"(BAD_PTR_UNMAPPED)
                 : "rax", "cc", "memory");
}

void test_main(void)
{
    unsigned int before;
    uint64_t t0, t1;

    traps_init();
    turns(BENCH_WARMUP);
    if (trap_count != BENCH_WARMUP)
        test_error("%u traps in %u warm-up turns", trap_count, BENCH_WARMUP);
    if (last_trap.vector != X86_EXC_PF || last_trap.cr2 != BAD_PTR_UNMAPPED)
        test_error("the warm-up took vector %u at cr2 %#lx, not #PF at %#lx",
                   last_trap.vector, (unsigned long)last_trap.cr2,
                   BAD_PTR_UNMAPPED);
    before = trap_count;
    t0 = bench_rdtsc();
    turns(ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(trap_count - before, ITERATIONS, "page faults taken");
    check_eq(last_trap.vector, X86_EXC_PF, "the last trap's vector");
    bench_report("pagefault_kernel", t1 - t0, ITERATIONS);
}
