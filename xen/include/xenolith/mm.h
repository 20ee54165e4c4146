/*
 * Direct paging (Xen's PV memory model). Every domain frame has a general
 * reference count and a type with its own count:
 *  - PGT_writable: some L1 entry maps it writable;
 *  - PGT_l1..PGT_l4: it is a validated page table of that level;
 *  - PGT_seg_desc: it holds a GDT/LDT in use.
 * Invariants: a frame's type changes only while its type count is 0, so a
 * page table is never writable through any mapping, and a writable frame is
 * never a page table; a table is validated (every entry checked and holding
 * references on what it maps) exactly while its type count is non-zero;
 * guests map only frames they own (the hardware domain also I/O frames).
 * Counts never underflow: a violation is a hypervisor bug (panic).
 */
#ifndef XENOLITH_MM_H
#define XENOLITH_MM_H

#include <asm/page.h>
#include <xenolith/page_alloc.h>

struct domain;
struct vcpu;

enum page_type {
    PGT_none = 0,
    PGT_writable,
    PGT_l1,
    PGT_l2,
    PGT_l3,
    PGT_l4,
    PGT_seg_desc,
};

#define PGF_validated 0x01
#define PGF_pinned 0x02
#define PGF_allocated 0x04 /* holds the domain's own reference */
#define PGF_special 0x08   /* the hypervisor uses it too (shared_info, grant frames) */

/*
 * One lock serialises every change to page types, references and guest
 * page tables (the page-table hypercalls, ptwr, descriptor tables,
 * reservations), across all CPUs.
 */
void mm_lock(void);
void mm_unlock(void);
#define MM_LOCKED(expr)       \
    ({                        \
        long rc_;             \
        mm_lock();            \
        rc_ = (expr);         \
        mm_unlock();          \
        rc_;                  \
    })

/* Whether pg is a frame of d's. */
bool owned_domain_frame(const struct page_info *pg, const struct domain *d);

/* References. get_* return false (and take nothing) when not allowed. */
bool get_page(struct page_info *pg, const struct domain *d);
void put_page(struct page_info *pg);
int get_page_type(struct page_info *pg, enum page_type type);
void put_page_type(struct page_info *pg);
int get_page_and_type(struct page_info *pg, const struct domain *d, enum page_type type);
void put_page_and_type(struct page_info *pg);

/* A guest's PTE for the given level, checked and adjusted (_PAGE_USER forced). */
/* table_mfn: the table the entry is in (a linear entry may name it). */
int get_lNe_refs(pte_t *e, unsigned level, struct domain *d, uint64_t table_mfn);
void put_lNe_refs(pte_t e, unsigned level, struct domain *d, uint64_t table_mfn);

/*
 * Replaces *slot (an entry of a validated table of the given level owned by
 * d) with new, taking references for new before dropping old's.
 * preserve_ad ORs in the A/D bits the hardware set meanwhile.
 */
int mod_entry(pte_t *slot, unsigned level, pte_t new, struct domain *d, bool preserve_ad);
/* The same where an L1 entry maps pg_owner's frames (mmu_update's foreigndom). */
int mod_entry_foreign(pte_t *slot, unsigned level, pte_t new, struct domain *d,
                      struct domain *pg_owner, bool preserve_ad);

/* Drops the references a validated table's entries hold (its type count is the caller's). */
void devalidate_table_entries(struct page_info *pg, unsigned level);
/* A dying domain lets go of its own references on its frames (mm/relinquish.c). */
void relinquish_domain_frames(struct domain *d);

/* Pinning (MMUEXT_PIN_*) and the active base pointers. */
int pin_table(struct domain *d, uint64_t mfn, enum page_type type);
int unpin_table(struct domain *d, uint64_t mfn);

/* Copies the hypervisor's L4 slots into a guest L4 (validation does this too). */
void init_xen_l4_slots(pte_t *l4);

/* Machine-to-phys (read-only to guests at M2P_VIRT_START). */
void m2p_init(void);
void set_m2p(uint64_t mfn, uint64_t pfn);
uint64_t get_m2p(uint64_t mfn);
extern uint64_t m2p_nr_entries;

/* Whether d may map a non-RAM (I/O) frame; only the hardware domain can. */
bool iomem_permitted(const struct domain *d, uint64_t mfn);

/*
 * Allocates count contiguous frames for d, zeroed, each holding the
 * allocation reference (PGF_allocated); INVALID_MFN when there is no room.
 * A frame's last reference going returns it to the allocator.
 */
uint64_t alloc_domain_frames(struct domain *d, uint64_t count);
/* The same, 2^order frames aligned to their size, below frame limit (INVALID_MFN: anywhere). */
uint64_t alloc_domain_extent(struct domain *d, unsigned order, uint64_t limit);
void free_domain_frame(struct page_info *pg);
/* Flushes the CPUs that may still map frames about to be handed out anew. */
void flush_stale_frames(uint64_t mfn, uint64_t count);
/* Frames handed out anew: out of every TLB (flush_stale_frames) and zeroed unless scrubbed. */
void prepare_new_frames(uint64_t mfn, uint64_t count);
/* The idle loop's share of clearing freed frames (frames_scrub); true while some are left. */
bool scrub_free_frames(void);
/*
 * XENMEM_exchange: takes a frame of d's that holds no reference but the
 * allocation's (-EINVAL otherwise), leaving it with none; it is then either
 * freed (free_domain_frame) or given back as it was (unsteal_domain_frame).
 */
int steal_domain_frame(struct domain *d, uint64_t mfn);
void unsteal_domain_frame(uint64_t mfn);
/* Drops d's allocation reference (and pin) of a frame, as decrease_reservation does. */
int release_domain_frame(struct domain *d, uint64_t mfn);

static inline uint64_t page_to_mfn(const struct page_info *pg)
{
    return (uint64_t)(pg - frame_table.pages);
}

static inline enum page_type pt_type_of_level(unsigned level)
{
    return (enum page_type)(PGT_l1 + level - 1);
}

#endif
