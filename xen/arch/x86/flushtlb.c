/*
 * TLB flushes reach only the CPUs that may hold a stale entry (see
 * asm/flushtlb.h). Before this, every non-local flush interrupted every
 * CPU and waited for it: a backend's grant unmaps and each page-table page
 * a guest made cost an IPI round trip.
 */
#include <asm/cpu.h>
#include <asm/flushtlb.h>
#include <asm/smp.h>

/* Starts at 1: frames never stamped (0) are stale on no CPU that has flushed once. */
static uint64_t tlbflush_clock = 1;
static uint64_t tlbflush_time[NR_CPUS];
static const struct domain *tlb_domain[NR_CPUS];

uint64_t tlbflush_now(void)
{
    return __atomic_load_n(&tlbflush_clock, __ATOMIC_SEQ_CST);
}

/*
 * The tick is taken before the write and recorded after it, as Xen's
 * pre_flush/post_flush: a stamp taken in between counts as not yet
 * flushed, which costs at most one flush too many.
 */
static void write_cr3_stamped(uint64_t cr3)
{
    uint64_t tick = __atomic_add_fetch(&tlbflush_clock, 1, __ATOMIC_SEQ_CST);

    __asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
    __atomic_store_n(&tlbflush_time[smp_processor_id()], tick, __ATOMIC_RELEASE);
}

/*
 * Switching to d: d is named before its tables are loaded, so a flusher of
 * d that does not see it here finds the CPU loading them after its change.
 * Switching away: the name changes before the write too; until the write
 * the CPU runs only hypervisor code, which uses none of the old entries.
 */
void load_cr3(uint64_t cr3, const struct domain *d)
{
    __atomic_store_n(&tlb_domain[smp_processor_id()], d, __ATOMIC_SEQ_CST);
    write_cr3_stamped(cr3);
}

void flush_tlb_local(void)
{
    uint64_t cr3;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    write_cr3_stamped(cr3);
}

void flush_tlb_stale(uint64_t stamp)
{
    uint64_t mask = 0;

    for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
        if (tlb_may_be_stale(__atomic_load_n(&tlbflush_time[cpu], __ATOMIC_ACQUIRE), stamp))
            mask |= 1UL << cpu;
    if (mask)
        flush_tlb_cpus(mask);
}

void flush_tlb_domain(const struct domain *d)
{
    uint64_t mask = 1UL << smp_processor_id(); /* the caller's own hypercall may have used them */

    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the PTE changes before the look at who runs d */
    for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++)
        if (__atomic_load_n(&tlb_domain[cpu], __ATOMIC_SEQ_CST) == d)
            mask |= 1UL << cpu;
    flush_tlb_cpus(mask);
}
