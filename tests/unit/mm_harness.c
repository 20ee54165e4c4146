/* Stand-ins for what page_types.c needs from the rest of the hypervisor (see mm_harness.h). */
#include <xenolith/spinlock.h>

#include "harness.h"
#include "mm_harness.h"

struct frame_table frame_table;
pte_t idle_pg_table[512];
struct mm_harness mm;
struct domain *mm_dom0, *mm_dom1, *mm_dom2;

static struct page_info pages[MM_FRAMES];
static uint8_t memory[MM_FRAMES][PAGE_SIZE] __aligned(PAGE_SIZE);
static struct domain domains[3];

void mm_reset(void)
{
    harness_now_ns += 5000000000ULL; /* a new log-rate window: each test sees its refusals logged */
    frames_init(&frame_table, pages, MM_FRAMES);
    frames_add_ram(&frame_table, MM_MFN_RESERVED, MM_FRAMES - MM_MFN_RESERVED);
    frames_reserve(&frame_table, MM_MFN_RESERVED, 1, FRAME_RESERVED);
    frames_reserve(&frame_table, MM_MFN_XEN, 1, FRAME_XEN);
    memset(memory, 0xaa, sizeof(memory));
    memset(&mm, 0, sizeof(mm));
    mm.flush_clock = 1; /* as flushtlb.c's: unstamped frames (0) are stale on no flushed CPU */
    memset(mm.m2p, 0x55, sizeof(mm.m2p));
    memset(idle_pg_table, 0, sizeof(idle_pg_table));
    for (unsigned s = XEN_L4_SLOT_FIRST; s <= XEN_L4_SLOT_LAST; s++)
        idle_pg_table[s] = MM_IDLE_L4E(s);
    memset(domains, 0, sizeof(domains));
    for (unsigned i = 0; i < ARRAY_SIZE(domains); i++) {
        domains[i].domain_id = i;
        domains[i].max_pages = MM_FRAMES;
    }
    domains[0].is_hardware = domains[0].is_privileged = true;
    mm_dom0 = &domains[0];
    mm_dom1 = &domains[1];
    mm_dom2 = &domains[2];
}

/* The direct map: only the test machine's RAM exists. */
void *maddr_to_virt(uint64_t ma)
{
    if (ma >= sizeof(memory))
        panic("maddr_to_virt(%#lx): not RAM of the test machine", (unsigned long)ma);
    return &memory[0][0] + ma;
}

/* Its inverse, for addresses in the test machine's RAM. */
uint64_t virt_to_maddr(const void *va)
{
    const uint8_t *p = va;

    if (p < &memory[0][0] || p >= &memory[0][0] + sizeof(memory))
        panic("virt_to_maddr(%p): not in the test machine's RAM", va);
    return (uint64_t)(p - &memory[0][0]);
}

/* The test machine is one CPU; a flush is a tick of the flush clock (asm/flushtlb.h). */
void flush_tlb_local(void)
{
    mm.tlb_flushes++;
    mm.cpu_flushed_at = ++mm.flush_clock;
}

uint64_t tlbflush_now(void)
{
    return mm.flush_clock;
}

void flush_tlb_stale(uint64_t stamp)
{
    if (tlb_may_be_stale(mm.cpu_flushed_at, stamp))
        flush_tlb_local();
}

void flush_tlb_domain(const struct domain *d)
{
    (void)d;
    flush_tlb_local();
}

/* The frame allocator's lock (setup.c): only checked for balance here. */
void frames_lock(void)
{
    if (mm.frames_locked)
        panic("frames_lock: already held");
    mm.frames_locked = true;
}

void frames_unlock(void)
{
    if (!mm.frames_locked)
        panic("frames_unlock: not held");
    mm.frames_locked = false;
}

/*
 * xenolith/spinlock.h's out-of-line helpers. The test machine has one CPU
 * and one thread: spin_lock() waits only on a lock its own thread holds.
 */
void smp_poll_requests(void)
{
    panic("spinning on a held lock in a single-threaded test");
}

void spin_report_stuck(const spinlock_t *l, const void *waiter)
{
    panic("spinning on a held lock in a single-threaded test (waiter %p)", waiter);
}

unsigned spin_cpu_id(void)
{
    return 0;
}

struct domain *domain_by_id(domid_t id)
{
    return id < ARRAY_SIZE(domains) ? &domains[id] : NULL;
}

/* domain.c's: a dying domain's last frame went. */
void domain_last_frame_gone(struct domain *d)
{
    if (d->relinquished)
        mm.last_frame_gone++;
}

/* As m2p.c's: entries past the table are ignored. */
void set_m2p(uint64_t mfn, uint64_t pfn)
{
    mm.m2p_writes++;
    if (mfn < MM_FRAMES)
        mm.m2p[mfn] = pfn;
}

/* Not the real check (pv/descriptors.c): answers what the test chose, and records the call. */
int validate_descriptor_page(uint64_t *descs)
{
    mm.desc_checks++;
    mm.desc_last = descs;
    return mm.desc_rc;
}
