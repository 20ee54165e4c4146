/*
 * What the bench kernels share.
 *
 * A bench kernel times one hypervisor operation, N times in a loop, with
 * rdtsc before and after. bench/run.sh boots it under QEMU with
 * `-icount shift=0`, where the TSC advances by exactly one per instruction
 * executed by any CPU of the machine, hypervisor and guest alike, so the
 * difference is the number of instructions the N operations cost: the
 * guest's own loop and call sequence (a handful per turn, the same on every
 * hypervisor) plus everything the hypervisor ran for them. Rdtsc is not
 * trapped: both hypervisors leave CR4.TSD clear for a PV Dom0.
 *
 * A kernel prints exactly one line that bench/run.sh parses,
 *     BENCH <name> <total_instructions> <iterations>
 * or, when the hypervisor lacks the operation,
 *     BENCH <name> unsupported
 * and then its verdict (runtime.h). An operation that fails while it is
 * being timed gives FAILURE, and the run discards its count.
 */
#ifndef BENCH_H
#define BENCH_H

#include "runtime.h"

/* Turns run untimed first, so that one-off work (first use of a frame, a
 * lazily allocated table) stays out of the count. */
#define BENCH_WARMUP 64

static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;

    /* "memory": no load or store of the timed code moves across it. */
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline void bench_report(const char *name, uint64_t instructions,
                                unsigned long iterations)
{
    printf("BENCH %s %lu %lu\n", name, (unsigned long)instructions,
           iterations);
    printf("  %s: %lu.%02lu instructions per operation\n", name,
           (unsigned long)(instructions / iterations),
           (unsigned long)(instructions % iterations * 100 / iterations));
}

/* The hypervisor cannot do it: say so, and end the kernel with SKIP. */
#define bench_unsupported(name, ...)                                    \
    do {                                                                \
        printf("BENCH %s unsupported\n", (name));                       \
        test_skip(__VA_ARGS__);                                         \
    } while (0)

/*
 * Registers that a hypercall may change: the result in RAX, the argument
 * registers (Xen's debug builds poison them), and RCX/R11, which `syscall`
 * overwrites. For asm statements that call the hypercall page directly,
 * without the runtime's wrapper.
 */
#define BENCH_HYPERCALL_CLOBBERS                                        \
    "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "cc", "memory"

#endif /* BENCH_H */
