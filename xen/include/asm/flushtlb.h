/*
 * Which CPUs a TLB flush must reach. Guest entries are never global (CR4.PGE
 * is off), so every CR3 write empties a CPU's TLB of them; two facts then
 * say which CPUs can hold a stale entry:
 *  - the domain whose tables a CPU has loaded (tlb_domain): only those CPUs
 *    can hold entries of that domain's tables;
 *  - the flush clock, as Xen's tlbflush_clock (asm-x86/flushtlb.h): it
 *    ticks at every CR3 write, each CPU keeps the tick of its last one,
 *    and a frame keeps the tick at which its last writable mapping went (or
 *    it was freed); a CPU whose last flush came later holds nothing stale
 *    of that frame. Guests switch CR3 at every kernel/user crossing, so a
 *    type change or a reallocation almost never needs an IPI.
 */
#ifndef ASM_FLUSHTLB_H
#define ASM_FLUSHTLB_H

#include <asm/config.h>
#include <xenolith/lib.h>

struct domain;

/* The clock now: a stamp for "the mappings removed so far". */
uint64_t tlbflush_now(void);
/* Flushes the CPUs that have not flushed since stamp, this one included. */
void flush_tlb_stale(uint64_t stamp);
/* Flushes every CPU that has d's tables loaded, this one included. */
void flush_tlb_domain(const struct domain *d);

/* This CPU's TLB (the host unit tests count the calls: tests/unit/mm_harness.c). */
void flush_tlb_local(void);
/* Loads the tables of d (NULL: the hypervisor's idle tables). */
void load_cr3(uint64_t cr3, const struct domain *d);
/* Flushes the CPUs of mask (bit n: CPU n) and waits for them (smp.c). */
void flush_tlb_cpus(uint64_t mask);

/* True when a CPU whose last flush was at tick last may hold what went at stamp. */
static inline bool tlb_may_be_stale(uint64_t last, uint64_t stamp)
{
    return last <= stamp;
}

#endif
