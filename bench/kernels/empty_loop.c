/*
 * The baseline of the method: a loop of two instructions (dec, jnz) and
 * no hypervisor at all. Under -icount shift=0 it must read 2 per turn, plus
 * a few for the rdtsc pair, on any hypervisor: anything else means that
 * the TSC does not count instructions (rdtsc trapped or scaled, or time
 * warps), and no other number of the run can be trusted.
 */
#include "bench.h"

const char test_title[] = "bench: empty loop (the baseline of the method)";

#define ITERATIONS 100000UL

void test_main(void)
{
    unsigned long n = ITERATIONS;
    uint64_t t0, t1;

    t0 = bench_rdtsc();
    asm volatile("1: dec %[n]\n\t"
                 "jnz 1b"
                 : [n] "+r"(n) :: "cc");
    t1 = bench_rdtsc();
    bench_report("empty_loop", t1 - t0, ITERATIONS);
}
