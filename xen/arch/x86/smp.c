/*
 * Cross-CPU requests: the event-check IPI (a CPU should look at its run
 * queue and its vCPU's events) and TLB flushes that must reach every CPU
 * before the caller goes on (after a frame stops being writable). A CPU
 * spinning on a lock with interrupts off serves flush requests from its
 * spin loop, so a flush never waits on a CPU that waits on the flusher.
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/flushtlb.h>
#include <asm/page.h>
#include <asm/smp.h>
#include <xenolith/spinlock.h>

static volatile uint32_t flush_pending[NR_CPUS];

void smp_send(unsigned cpu, uint8_t vector)
{
    if (cpu < nr_cpus_online && cpu != smp_processor_id())
        apic_send_ipi(cpu_to_apic[cpu], vector);
}

void smp_poll_requests(void)
{
    unsigned cpu = smp_processor_id();

    if (__atomic_load_n(&flush_pending[cpu], __ATOMIC_ACQUIRE)) {
        flush_tlb_local();
        __atomic_store_n(&flush_pending[cpu], 0, __ATOMIC_RELEASE);
    }
}

void flush_tlb_cpus(uint64_t mask)
{
    unsigned self = smp_processor_id();

    if (mask & (1UL << self))
        flush_tlb_local();
    for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++) {
        if (cpu == self || !(mask & (1UL << cpu)))
            continue;
        __atomic_store_n(&flush_pending[cpu], 1, __ATOMIC_RELEASE);
        smp_send(cpu, FLUSH_VECTOR);
    }
    for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
        while (cpu != self && (mask & (1UL << cpu)) &&
               __atomic_load_n(&flush_pending[cpu], __ATOMIC_ACQUIRE)) {
            smp_poll_requests(); /* someone may be flushing us meanwhile */
            __asm__ volatile("pause");
        }
}

unsigned spin_cpu_id(void)
{
    return smp_processor_id();
}

void spin_report_stuck(const spinlock_t *l, const void *waiter)
{
    printk("CPU%u: lock %p taken by CPU%u at %p is still held; waiting at %p\n",
           smp_processor_id(), (const void *)l, l->holder, l->held_at, waiter);
}
