/*
 * System time for the test kernels: the pvclock in vCPU 0's vcpu_info
 * (xen.h, struct vcpu_time_info; linux-pv-abi.md 2.8).
 *
 * The hypervisor publishes (tsc_timestamp, system_time, tsc_to_system_mul,
 * tsc_shift) with version odd while it writes; the guest extrapolates
 *
 *   time = system_time + ((tsc - tsc_timestamp) << tsc_shift) * mul >> 32
 *
 * (a negative shift shifts right). system_time counts nanoseconds since
 * the hypervisor booted; the wall clock at system time 0 is shared_info's
 * wc_sec/wc_nsec. Needs shared_info mapped (traps_init or events_init).
 */
#ifndef GUEST_PVCLOCK_H
#define GUEST_PVCLOCK_H

#include "runtime.h"

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;

    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/*
 * A consistent copy of vCPU 0's vcpu_time_info: version even and the same
 * before and after the copy. Returns how many times it had to retry.
 */
unsigned int pvclock_snapshot(struct vcpu_time_info *t);

/* The time t gives for a TSC value. */
uint64_t pvclock_at(const struct vcpu_time_info *t, uint64_t tsc);

/* System time now, in nanoseconds. */
uint64_t system_time_ns(void);
/* The same through vi's pvclock: a vCPU reads its own (smp_vcpu_info(id)). */
uint64_t vcpu_system_time_ns(const struct vcpu_info *vi);

/*
 * Spin until system time reaches deadline, with a cheap hypercall now and
 * then so that a pending upcall is delivered while we wait (when unmasked).
 */
void spin_until_ns(uint64_t deadline);

#endif /* GUEST_PVCLOCK_H */
