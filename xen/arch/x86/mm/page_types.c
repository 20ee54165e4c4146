/*
 * Reference counts and types of domain frames, and the validation of
 * page-table and descriptor pages (see xenolith/mm.h for the invariants).
 * Errors follow Xen's get_page_from_l1e & co: bad flags are -EINVAL, an I/O
 * frame the domain may not map is -EPERM; in an L1 entry a frame it does
 * not own or a type conflict (a writable mapping of a page table) is
 * -EBUSY, in an L2-L4 entry -EINVAL (Xen's get_page_and_type_from_mfn).
 */
#include <asm/smp.h>
#include <xenolith/errno.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>
#include <xenolith/spinlock.h>

/* PTE bits 52-62 are the guest's (Xen's _PAGE_AVAIL_HIGH), but for bit 62 in an L1 entry (_PAGE_GNTTAB). */
#define PTE_GNTTAB (1UL << 62)
#define _PAGE_PAT_4K (1UL << 7)
#define PTE_CACHE_ATTRS (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT_4K)
#define PHYS_ADDR_BITS 40 /* what Xen's paddr_bits is on QEMU's CPUs; frames beyond are refused */

int validate_descriptor_page(uint64_t *descs); /* pv/descriptors.c */

static spinlock_t mm_spinlock = SPINLOCK_INIT;

void mm_lock(void)
{
    spin_lock(&mm_spinlock);
}

void mm_unlock(void)
{
    spin_unlock(&mm_spinlock);
}

static bool owned_by(const struct page_info *pg, const struct domain *d)
{
    return pg && pg->state == FRAME_DOMAIN && pg->owner == d->domain_id;
}

bool owned_domain_frame(const struct page_info *pg, const struct domain *d)
{
    return owned_by(pg, d);
}

bool get_page(struct page_info *pg, const struct domain *d)
{
    if (!owned_by(pg, d) || pg->count == UINT32_MAX || !pg->count)
        return false;
    pg->count++;
    return true;
}

void put_page(struct page_info *pg)
{
    if (!pg->count)
        panic("put_page: mfn %#lx has no references", (unsigned long)page_to_mfn(pg));
    if (--pg->count == 0)
        free_domain_frame(pg);
}

/*
 * No CPU may keep a TLB entry from an earlier owner's mapping of frames
 * handed out anew (Xen's alloc_heap_pages flushes on the same clock).
 */
void flush_stale_frames(uint64_t mfn, uint64_t count)
{
    uint64_t stamp = 0;

    for (uint64_t i = 0; i < count; i++)
        stamp = MAX(stamp, frame_table.pages[mfn + i].tlbflush_stamp);
    if (stamp)
        flush_tlb_stale(stamp);
}

void prepare_new_frames(uint64_t mfn, uint64_t count)
{
    flush_stale_frames(mfn, count);
    for (uint64_t i = 0; i < count; i++) {
        struct page_info *pg = &frame_table.pages[mfn + i];

        if (!pg->clean)
            memset(mfn_to_virt(mfn + i), 0, PAGE_SIZE);
        pg->clean = 0;
    }
}

/* A freed frame cleared while idle: first out of every TLB, as at allocation. */
static void scrub_frame(uint64_t mfn)
{
    flush_stale_frames(mfn, 1);
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
}

/* 16 frames take ~20 us under QEMU: the frames lock is not held long. */
#define SCRUB_BATCH 16

bool scrub_free_frames(void)
{
    bool more;

    /* Every idle turn asks: nothing freed, no lock (a free meanwhile waits for the next turn). */
    if (__atomic_load_n(&frame_table.dirty_lo, __ATOMIC_RELAXED) ==
        __atomic_load_n(&frame_table.dirty_hi, __ATOMIC_RELAXED))
        return false;
    frames_lock();
    more = frames_scrub(&frame_table, SCRUB_BATCH, scrub_frame);
    frames_unlock();
    return more;
}

/* Fresh frames of a domain's hold only the allocation reference. */
static uint64_t give_frames(uint64_t mfn, uint64_t count)
{
    if (mfn == INVALID_MFN)
        return mfn;
    prepare_new_frames(mfn, count);
    for (uint64_t i = 0; i < count; i++) {
        frame_table.pages[mfn + i].count = 1;
        frame_table.pages[mfn + i].flags = PGF_allocated;
    }
    return mfn;
}

/* Called with the frames lock held, for count frames from mfn just given to d. */
static void note_frames(struct domain *d, uint64_t mfn, uint64_t count)
{
    if (mfn == INVALID_MFN)
        return;
    if (!d->nr_frames || mfn < d->frames_lo)
        d->frames_lo = mfn;
    if (!d->nr_frames || mfn + count > d->frames_hi)
        d->frames_hi = mfn + count;
    d->nr_frames += count;
}

uint64_t alloc_domain_frames(struct domain *d, uint64_t count)
{
    uint64_t mfn;

    frames_lock();
    mfn = frames_alloc(&frame_table, count, FRAME_DOMAIN, d->domain_id);
    note_frames(d, mfn, count);
    frames_unlock();
    return give_frames(mfn, count);
}

uint64_t alloc_domain_extent(struct domain *d, unsigned order, uint64_t limit)
{
    uint64_t mfn;

    frames_lock();
    mfn = frames_alloc_extent(&frame_table, order, limit, FRAME_DOMAIN, d->domain_id);
    note_frames(d, mfn, 1UL << order);
    frames_unlock();
    return give_frames(mfn, 1UL << order);
}

/*
 * As Xen's steal_page: exactly the allocation reference, so nothing maps,
 * pins or uses the frame as a table or descriptor page. Dropping it leaves
 * the frame owned with no references, which get_page() refuses.
 */
int steal_domain_frame(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!owned_by(pg, d) || pg->count != 1 || !(pg->flags & PGF_allocated) ||
        (pg->flags & (PGF_pinned | PGF_special)) || pg->type_count)
        return -EINVAL;
    pg->flags &= ~PGF_allocated;
    pg->count = 0;
    return 0;
}

void unsteal_domain_frame(uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    pg->count = 1;
    pg->flags |= PGF_allocated;
}

void free_domain_frame(struct page_info *pg)
{
    uint64_t mfn = page_to_mfn(pg);
    struct domain *d = domain_by_id(pg->owner);
    int rc;

    if (pg->type_count)
        panic("freeing mfn %#lx with %u type references", (unsigned long)mfn, pg->type_count);
    /* shared_info and grant frames are the domain's but not in its tot_pages, as on Xen. */
    if (d && d->nr_pages && !(pg->flags & PGF_special))
        d->nr_pages--;
    set_m2p(mfn, ~0UL);
    pg->flags = 0;
    pg->tlbflush_stamp = tlbflush_now(); /* its mappings are gone; TLB entries may not be */
    frames_lock();
    rc = frames_free(&frame_table, mfn, 1);
    if (d && d->nr_frames)
        d->nr_frames--;
    frames_unlock();
    if (rc)
        panic("freeing mfn %#lx that was not allocated", (unsigned long)mfn);
    if (d && !d->nr_frames)
        domain_last_frame_gone(d);
}

int release_domain_frame(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!get_page(pg, d))
        return -EINVAL;
    /*
     * Only the allocation reference goes (Xen's put_page_alloc_ref): a pin
     * or a mapping keeps the frame, and its owner's count, until it goes.
     */
    if (pg->flags & PGF_allocated) {
        pg->flags &= ~PGF_allocated;
        put_page(pg);
    }
    put_page(pg); /* ours: the frame is freed here unless still in use */
    return 0;
}

static bool is_table(enum page_type t)
{
    return t >= PGT_l1 && t <= PGT_l4;
}

static struct domain *page_owner(const struct page_info *pg)
{
    return domain_by_id(pg->owner);
}

/* Takes references for each present entry; on failure gives back what it took. */
static int validate_table(struct page_info *pg, unsigned level)
{
    pte_t *t = mfn_to_virt(page_to_mfn(pg));
    struct domain *d = page_owner(pg);

    for (unsigned i = 0; i < 512; i++) {
        int rc;

        if (level == 4 && i >= XEN_L4_SLOT_FIRST && i <= XEN_L4_SLOT_LAST)
            continue;
        rc = get_lNe_refs(&t[i], level, d, page_to_mfn(pg));
        if (rc) {
            printk_ratelimited("d%u: mfn %#lx: L%u entry %u (%#lx) refused (%d)\n", d->domain_id,
                   (unsigned long)page_to_mfn(pg), level, i, (unsigned long)t[i], rc);
            while (i--)
                if (level != 4 || i < XEN_L4_SLOT_FIRST || i > XEN_L4_SLOT_LAST)
                    put_lNe_refs(t[i], level, d, page_to_mfn(pg));
            return rc;
        }
    }
    if (level == 4)
        init_xen_l4_slots(t);
    return 0;
}

void devalidate_table_entries(struct page_info *pg, unsigned level)
{
    pte_t *t = mfn_to_virt(page_to_mfn(pg));
    struct domain *d = page_owner(pg);

    for (unsigned i = 0; i < 512; i++) {
        if (level == 4 && i >= XEN_L4_SLOT_FIRST && i <= XEN_L4_SLOT_LAST)
            continue;
        put_lNe_refs(t[i], level, d, page_to_mfn(pg));
    }
}

static int validate_page(struct page_info *pg, enum page_type type)
{
    if (is_table(type))
        return validate_table(pg, type - PGT_l1 + 1);
    if (type == PGT_seg_desc)
        return validate_descriptor_page(mfn_to_virt(page_to_mfn(pg)));
    return 0;
}

int get_page_type(struct page_info *pg, enum page_type type)
{
    int rc;

    if (pg->type_count == 0) {
        if (pg->type != type) {
            /* A writable TLB entry may outlive its mapping: no stale write access to a table. */
            if (pg->type == PGT_writable)
                flush_tlb_stale(pg->tlbflush_stamp);
            pg->type = type;
            pg->flags &= ~PGF_validated;
        }
    } else if (pg->type != type) {
        return -EINVAL;
    }
    if (pg->type_count == UINT32_MAX)
        return -EINVAL;
    pg->type_count++;
    if (!(pg->flags & PGF_validated)) {
        /* The count is held while validating: the page cannot take another type meanwhile. */
        rc = validate_page(pg, type);
        if (rc) {
            pg->type_count--;
            return rc;
        }
        pg->flags |= PGF_validated;
    }
    return 0;
}

void put_page_type(struct page_info *pg)
{
    if (!pg->type_count)
        panic("put_page_type: mfn %#lx has no type references", (unsigned long)page_to_mfn(pg));
    if (--pg->type_count == 0 && pg->type == PGT_writable)
        pg->tlbflush_stamp = tlbflush_now();
    if (pg->type_count == 0 && (pg->flags & PGF_validated) && is_table(pg->type)) {
        pg->flags &= ~PGF_validated;
        devalidate_table_entries(pg, pg->type - PGT_l1 + 1);
    }
}

int get_page_and_type(struct page_info *pg, const struct domain *d, enum page_type type)
{
    int rc;

    if (!get_page(pg, d))
        return -EINVAL;
    rc = get_page_type(pg, type);
    if (rc)
        put_page(pg);
    return rc;
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}

/* The local APIC and I/O APIC pages belong to the hypervisor (Xen denies the first, and keeps the second read-only). */
#define LAPIC_MFN 0xfee00UL
#define IOAPIC_MFN 0xfec00UL

bool iomem_permitted(const struct domain *d, uint64_t mfn)
{
    const struct page_info *pg = mfn_to_page(mfn);

    if (!d->is_hardware || mfn == LAPIC_MFN)
        return false;
    /* Not RAM, or RAM the firmware keeps: I/O memory. The hypervisor's own never. */
    return !pg || pg->state == FRAME_HOLE || pg->state == FRAME_RESERVED;
}

/*
 * An L1 entry of l1_owner's tables mapping a frame of pg_owner's: pg_owner
 * is l1_owner itself, or the foreign domain of mmu_update's foreigndom
 * (public/xen.h, MMU_NORMAL_PT_UPDATE with a privileged caller: how a
 * toolstack builds and watches a guest). Either way the frame must be
 * pg_owner's; the mapping holds a reference on it (and a writable type for
 * a writable one) until the entry goes, so it outlives its owner's death.
 */
static int get_l1e_refs(pte_t *e, struct domain *l1_owner, struct domain *pg_owner)
{
    uint64_t mfn = (*e & PADDR_MASK) >> PAGE_SHIFT;
    struct page_info *pg = mfn_to_page(mfn);

    if (!l1_owner->is_hardware && (*e & PTE_CACHE_ATTRS))
        return -EINVAL; /* cache attributes only for domains with I/O access */
    if (!pg || pg->state != FRAME_DOMAIN) {
        if (mfn >= (1UL << (PHYS_ADDR_BITS - PAGE_SHIFT)))
            return -EINVAL; /* beyond any physical address */
        if (!iomem_permitted(l1_owner, mfn))
            return pg && pg->state != FRAME_HOLE && pg->state != FRAME_RESERVED ? -EBUSY : -EPERM;
        if (mfn == IOAPIC_MFN)
            *e &= ~_PAGE_RW;
        /* Device memory is never cached unless the guest asks (Xen: opt_mmio_relax=0). */
        if (!(*e & PTE_CACHE_ATTRS))
            *e |= _PAGE_PWT | _PAGE_PCD;
        return 0;
    }
    if (!get_page(pg, pg_owner))
        return -EBUSY;
    if ((*e & _PAGE_RW) && get_page_type(pg, PGT_writable)) {
        put_page(pg);
        return -EBUSY;
    }
    return 0;
}

/*
 * Whoever owns the frame (a foreign mapping names another domain's), the
 * entry holds its references. Grant mappings (PTE_GNTTAB) hold none: their
 * maptrack entry does, and the grant unmap drops it.
 */
static void put_l1e_refs(pte_t e)
{
    struct page_info *pg = mfn_to_page((e & PADDR_MASK) >> PAGE_SHIFT);

    if (!pg || pg->state != FRAME_DOMAIN || (e & PTE_GNTTAB))
        return; /* an I/O frame: no references were taken */
    if (e & _PAGE_RW)
        put_page_type(pg);
    put_page(pg);
}

/*
 * A read-only L2-L4 entry naming a table of its own level is a linear
 * page table (Xen's "pv-linear-pt", on by default): naming its own table
 * it takes nothing (the table cannot outlive itself), naming another it
 * takes that table's references like any entry. Writable, it would let
 * the guest write a live table: refused.
 */
static int linear_refs(pte_t e, unsigned level, struct domain *d, uint64_t table_mfn)
{
    uint64_t mfn = (e & PADDR_MASK) >> PAGE_SHIFT;
    struct page_info *pg = mfn_to_page(mfn);

    if (e & _PAGE_RW)
        return -EINVAL;
    if (mfn == table_mfn)
        return 0;
    if (!owned_by(pg, d) || !pg->type_count || !(pg->flags & PGF_validated))
        return -EINVAL;
    return get_page_and_type(pg, d, pt_type_of_level(level));
}

static bool is_linear(pte_t e, unsigned level, uint64_t table_mfn)
{
    uint64_t mfn = (e & PADDR_MASK) >> PAGE_SHIFT;
    const struct page_info *pg = mfn_to_page(mfn);

    return level >= 2 && (mfn == table_mfn || (pg && pg->type == pt_type_of_level(level) &&
                                               pg->type_count));
}

static int get_entry_refs(pte_t *e, unsigned level, struct domain *d, struct domain *pg_owner,
                          uint64_t table_mfn)
{
    if (!(*e & _PAGE_PRESENT))
        return 0;
    if (level == 1 && (*e & PTE_GNTTAB))
        return -EINVAL;
    /* Guest kernel and user both run in ring 3. */
    *e |= _PAGE_USER;
    if (level == 1)
        return get_l1e_refs(e, d, pg_owner);
    if (*e & (_PAGE_PSE | _PAGE_PWT | _PAGE_PCD | _PAGE_GLOBAL))
        return -EINVAL; /* no superpages; tables are cached */
    if (is_linear(*e, level, table_mfn))
        return linear_refs(*e, level, d, table_mfn);
    return get_page_and_type(mfn_to_page((*e & PADDR_MASK) >> PAGE_SHIFT), d,
                             pt_type_of_level(level - 1));
}

int get_lNe_refs(pte_t *e, unsigned level, struct domain *d, uint64_t table_mfn)
{
    return get_entry_refs(e, level, d, d, table_mfn);
}

void put_lNe_refs(pte_t e, unsigned level, struct domain *d, uint64_t table_mfn)
{
    if (!(e & _PAGE_PRESENT))
        return;
    /* A linear entry naming its own table took nothing; one naming another, a table's refs. */
    if (level >= 2 && ((e & PADDR_MASK) >> PAGE_SHIFT) == table_mfn)
        return;
    if (level == 1)
        put_l1e_refs(e);
    else
        put_page_and_type(mfn_to_page((e & PADDR_MASK) >> PAGE_SHIFT));
}

/* What the hardware may change in a live entry. */
#define PTE_AD (_PAGE_ACCESSED | _PAGE_DIRTY)

int mod_entry(pte_t *slot, unsigned level, pte_t new, struct domain *d, bool preserve_ad)
{
    return mod_entry_foreign(slot, level, new, d, d, preserve_ad);
}

/* Only an L1 entry maps pg_owner's frames: upper levels name tables of d's own (Xen's mod_lN_entry). */
int mod_entry_foreign(pte_t *slot, unsigned level, pte_t new, struct domain *d,
                      struct domain *pg_owner, bool preserve_ad)
{
    pte_t old = *slot;
    /* Same frame and writability: the old entry's references serve the new one. */
    bool same_refs = (old & _PAGE_PRESENT) && (new & _PAGE_PRESENT) &&
                     !((old ^ new) & (PADDR_MASK | _PAGE_RW));
    uint64_t table_mfn = virt_to_maddr(slot) >> PAGE_SHIFT;
    int rc = get_entry_refs(&new, level, d, level == 1 ? pg_owner : d, table_mfn);

    if (rc)
        return rc;
    if (same_refs)
        put_lNe_refs(new, level, d, table_mfn);
    for (;;) {
        pte_t val = preserve_ad ? new | (old & PTE_AD) : new;
        pte_t seen = __sync_val_compare_and_swap(slot, old, val);

        if (seen == old)
            break;
        old = seen; /* the hardware set A or D meanwhile */
    }
    if (!same_refs)
        put_lNe_refs(old, level, d, table_mfn);
    return 0;
}

void init_xen_l4_slots(pte_t *l4)
{
    for (unsigned s = XEN_L4_SLOT_FIRST; s <= XEN_L4_SLOT_LAST; s++)
        l4[s] = idle_pg_table[s];
}

int pin_table(struct domain *d, uint64_t mfn, enum page_type type)
{
    struct page_info *pg = mfn_to_page(mfn);
    int rc;

    if (!owned_by(pg, d))
        return -EINVAL;
    if (pg->flags & PGF_pinned)
        return -EINVAL;
    rc = get_page_and_type(pg, d, type);
    if (rc)
        return rc;
    pg->flags |= PGF_pinned;
    return 0;
}

int unpin_table(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!owned_by(pg, d) || !(pg->flags & PGF_pinned))
        return -EINVAL;
    pg->flags &= ~PGF_pinned;
    put_page_and_type(pg);
    return 0;
}
