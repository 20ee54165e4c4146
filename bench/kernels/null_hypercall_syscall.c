/*
 * The null hypercall with a bare `syscall`, the way Debian's Linux 6.1
 * calls (RAX = nr; xen.h "x86_64: syscall"): xen_version(XENVER_version,
 * NULL). The same hypervisor work as through the hypercall page, without
 * the stub's instructions.
 */
#include "bench.h"

const char test_title[] = "bench: xen_version(0) with a raw syscall";

#define ITERATIONS 100000UL

static void turns(unsigned long n)
{
    asm volatile("1: mov %[nr], %%eax\n\t"
                 "xor %%edi, %%edi\n\t"             /* XENVER_version */
                 "xor %%esi, %%esi\n\t"             /* no argument */
                 "syscall\n\t"
                 "dec %[n]\n\t"
                 "jnz 1b"
                 : [n] "+r"(n)
                 : [nr] "i"(__HYPERVISOR_xen_version)
                 : BENCH_HYPERCALL_CLOBBERS);
}

void test_main(void)
{
    uint64_t t0, t1;
    long version = hypercall_syscall(__HYPERVISOR_xen_version, XENVER_version,
                                     0, 0, 0, 0);

    if (version <= 0)
        test_error("xen_version(XENVER_version) by syscall = %ld", version);
    turns(BENCH_WARMUP);
    t0 = bench_rdtsc();
    turns(ITERATIONS);
    t1 = bench_rdtsc();
    check_rc(hypercall_syscall(__HYPERVISOR_xen_version, XENVER_version, 0,
                               0, 0, 0),
             version, "xen_version(XENVER_version) by syscall after the loop");
    bench_report("null_hypercall_syscall", t1 - t0, ITERATIONS);
}
