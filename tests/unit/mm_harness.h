/*
 * The machine xen/arch/x86/mm/page_types.c runs on in the unit tests: 64
 * frames of host memory play RAM behind the direct map (maddr_to_virt), a
 * frame table describes them, three domains own frames, and counters record
 * what leaves no other trace (TLB flushes, descriptor-page checks, M2P
 * writes). Built with HOST_TEST, which makes asm/page.h declare
 * maddr_to_virt() instead of defining it; flush_tlb_local() and the
 * flush_tlb_* of asm/flushtlb.h are the harness's.
 *
 * After mm_reset():
 *   mfn 0-7    FRAME_HOLE      MMIO: I/O frames
 *   mfn 8      FRAME_RESERVED  RAM the firmware keeps: I/O to the hardware domain
 *   mfn 9      FRAME_XEN       the hypervisor's own
 *   mfn 10-63  FRAME_FREE      what alloc_domain_frames() hands out
 *   mfn >= 64  no page_info at all (I/O); maddr_to_virt() panics there
 * Domains: mm_dom0 (id 0, hardware domain), mm_dom1 (id 1), mm_dom2 (id 2).
 * idle_pg_table slots 256-271 hold MM_IDLE_L4E(slot), the rest 0.
 */
#ifndef UNIT_MM_HARNESS_H
#define UNIT_MM_HARNESS_H

#include <xenolith/mm.h>
#include <xenolith/sched.h>

#define MM_FRAMES 64
#define MM_MFN_HOLE 0
#define MM_MFN_RESERVED 8
#define MM_MFN_XEN 9
#define MM_MFN_FIRST_RAM 10
#define MM_MFN_BEYOND 0x1000 /* past the frame table */

/* What the hypervisor's own L4 slot s holds: a frame no test machine has. */
#define MM_IDLE_L4E(s) ((((uint64_t)(s) + 0x800) << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW)

struct mm_harness {
    unsigned tlb_flushes;     /* flush_tlb_local() calls, directly or through the flush_tlb_* */
    uint64_t flush_clock;     /* ticks at every flush (asm/flushtlb.h's clock) */
    uint64_t cpu_flushed_at;  /* the tick of the one CPU's last flush */
    unsigned desc_checks;     /* validate_descriptor_page() calls */
    uint64_t *desc_last;      /* ... the page it was given */
    int desc_rc;              /* ... what it answers (0: the page is fine) */
    bool frames_locked;       /* between frames_lock() and frames_unlock() */
    unsigned m2p_writes;      /* set_m2p() calls */
    uint64_t m2p[MM_FRAMES];
    unsigned last_frame_gone; /* domain_last_frame_gone() calls */
};

extern struct mm_harness mm;
extern struct domain *mm_dom0, *mm_dom1, *mm_dom2;

/* A fresh machine: the layout above, memory filled with 0xaa, counters 0. */
void mm_reset(void);

/* The stand-in for pv/descriptors.c's check (declared by page_types.c itself). */
int validate_descriptor_page(uint64_t *descs);
void smp_poll_requests(void); /* xenolith/spinlock.h (also spin_report_stuck, spin_cpu_id) */
void frames_lock(void);       /* xenolith/page_alloc.h */
void frames_unlock(void);

#endif
