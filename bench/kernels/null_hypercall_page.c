/*
 * The null hypercall through the hypercall page, the way Mini-OS and XTF
 * call (xen.h: "call hypercall_page + nr * 32"): xen_version(XENVER_version,
 * NULL), which does nothing but read a constant. Its cost is the entry and
 * exit path of every hypercall.
 */
#include "bench.h"

const char test_title[] = "bench: xen_version(0) through the hypercall page";

#define ITERATIONS 100000UL

static void turns(unsigned long n)
{
    asm volatile("1: xor %%edi, %%edi\n\t"          /* XENVER_version */
                 "xor %%esi, %%esi\n\t"             /* no argument */
                 "call hypercall_page + %c[off]\n\t"
                 "dec %[n]\n\t"
                 "jnz 1b"
                 : [n] "+r"(n)
                 : [off] "i"(__HYPERVISOR_xen_version * 32)
                 : BENCH_HYPERCALL_CLOBBERS);
}

void test_main(void)
{
    uint64_t t0, t1;
    long version = hypercall_xen_version(XENVER_version, 0);

    if (version <= 0)
        test_error("xen_version(XENVER_version) = %ld", version);
    turns(BENCH_WARMUP);
    t0 = bench_rdtsc();
    turns(ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(hypercall_xen_version(XENVER_version, 0), version,
             "xen_version(XENVER_version) after the loop");
    bench_report("null_hypercall_page", t1 - t0, ITERATIONS);
}
