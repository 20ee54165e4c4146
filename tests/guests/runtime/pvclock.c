/*
 * The pvclock reader (pvclock.h).
 */
#include "pvclock.h"
#include "traps.h"

static unsigned int snapshot_of(const volatile struct vcpu_time_info *src,
                                struct vcpu_time_info *t)
{
    unsigned int retries = 0;
    uint32_t v;

    for (;; retries++) {
        v = src->version;
        asm volatile("" ::: "memory");
        t->tsc_timestamp = src->tsc_timestamp;
        t->system_time = src->system_time;
        t->tsc_to_system_mul = src->tsc_to_system_mul;
        t->tsc_shift = src->tsc_shift;
        t->flags = src->flags;
        asm volatile("" ::: "memory");
        if (!(v & 1) && src->version == v)
            break;
    }
    t->version = v;
    return retries;
}

unsigned int pvclock_snapshot(struct vcpu_time_info *t)
{
    return snapshot_of(&vcpu0_info()->time, t);
}

uint64_t pvclock_at(const struct vcpu_time_info *t, uint64_t tsc)
{
    uint64_t delta = tsc - t->tsc_timestamp;

    if (t->tsc_shift >= 0)
        delta <<= t->tsc_shift;
    else
        delta >>= -t->tsc_shift;
    return t->system_time +
           (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

uint64_t vcpu_system_time_ns(const struct vcpu_info *vi)
{
    const volatile struct vcpu_time_info *src = &vi->time;
    struct vcpu_time_info t;
    uint64_t tsc;

    /* The TSC read must fall inside the version window it is scaled by. */
    do {
        snapshot_of(src, &t);
        tsc = rdtsc_ordered();
    } while (src->version != t.version);
    return pvclock_at(&t, tsc);
}

uint64_t system_time_ns(void)
{
    return vcpu_system_time_ns(vcpu0_info());
}

void spin_until_ns(uint64_t deadline)
{
    for (unsigned int i = 0; system_time_ns() < deadline; i++)
        if (i % 64 == 0)
            hypercall_xen_version(XENVER_version, 0);
}
