/*
 * Spinlocks. The hypervisor runs with interrupts off except while a CPU
 * idles, so a lock holder is never interrupted by code that takes the
 * same lock on the same CPU.
 */
#ifndef XENOLITH_SPINLOCK_H
#define XENOLITH_SPINLOCK_H

#include <xenolith/lib.h>

typedef struct {
    volatile uint32_t locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

void smp_poll_requests(void);

/* Waiting serves cross-CPU flush requests (see arch/x86/smp.c). */
static inline void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (l->locked) {
            smp_poll_requests();
            __asm__ volatile("pause");
        }
}

static inline bool spin_trylock(spinlock_t *l)
{
    return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
