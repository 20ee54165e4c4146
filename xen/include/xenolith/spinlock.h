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
    uint32_t holder;      /* CPU that holds it, for the deadlock report */
    const void *held_at;  /* where it was taken */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0, NULL }

void smp_poll_requests(void);
/* Reports a lock waited on far too long (a hypervisor bug): who holds it, from where. */
void spin_report_stuck(const spinlock_t *l, const void *waiter);
unsigned spin_cpu_id(void);

/* Waiting serves cross-CPU flush requests (see arch/x86/smp.c). */
static inline __attribute__((always_inline)) void spin_lock(spinlock_t *l)
{
    uint64_t spins = 0;

    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (l->locked) {
            smp_poll_requests();
            __asm__ volatile("pause");
            if (++spins == (1UL << 28))
                spin_report_stuck(l, __builtin_return_address(0));
        }
    l->holder = spin_cpu_id();
    l->held_at = __builtin_return_address(0);
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
