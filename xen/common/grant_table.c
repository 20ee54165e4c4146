/*
 * Grant tables, version 1 (public/grant_table.h). A domain shares frames
 * by writing grant_entry_v1_t entries into its grant table (frames it maps
 * itself); another domain maps a granted frame into its own page tables
 * (GNTMAP_host_map, by virtual address or with GNTMAP_contains_pte by the
 * PTE's machine address), gets its bus address (GNTMAP_device_map), or
 * copies through it. A mapping holds references on the granted frame (and
 * a writable type for writable mappings) until it is unmapped, so the
 * frame stays the granter's and alive, also when the granter dies: a
 * backend unmaps after its frontend is gone. GTF_reading/GTF_writing in
 * the shared entry follow the entry's readers and writers. Handles come
 * from a maptrack that grows a page at a time, as a backend's (blkback's
 * persistent grants, netback's pending slots) need thousands. Unmaps
 * flush the TLBs once per batch before the frames can go. Version 2 is
 * not offered: set_version(2) says -ENOSYS, as on a Xen limited to v1.
 */
#include <asm/smp.h>
#include <xen/grant_table.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>

#define MAX_GRANT_FRAMES 64      /* Xen 4.17's default max_grant_frames */
#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define PTE_GNTTAB (1UL << 62)   /* Xen's _PAGE_GNTTAB: a grant mapping */

/*
 * A mapping handle. flags holds what of it is still there (GNTMAP_host_map,
 * GNTMAP_device_map) and how it was made (GNTMAP_readonly,
 * GNTMAP_contains_pte); 0 is a free handle, on the free list by next_free.
 */
struct maptrack {
    uint32_t flags;
    domid_t dom;
    grant_ref_t ref;
    uint32_t next_free;
    uint64_t mfn;
    uint64_t pte_maddr;          /* where the host mapping's PTE went */
};

#define MAPTRACK_PER_PAGE (PAGE_SIZE / sizeof(struct maptrack))
#define MAPTRACK_MAX_PAGES 1024  /* 131,072 handles, as Xen's max_maptrack_frames default */
#define MAPTRACK_DIR_PAGES (MAPTRACK_MAX_PAGES * sizeof(void *) / PAGE_SIZE)
#define NO_HANDLE UINT32_MAX

/* How many mappings an entry has; GTF_writing goes with the last writer, GTF_reading with the last. */
struct pin {
    uint16_t readers, writers;
};
#define PINS_PER_PAGE (PAGE_SIZE / sizeof(struct pin))
#define PIN_PAGES ((MAX_GRANT_FRAMES * ENTRIES_PER_FRAME + PINS_PER_PAGE - 1) / PINS_PER_PAGE)

struct grant_table {
    unsigned nr_frames;
    uint64_t frames[MAX_GRANT_FRAMES];
    struct pin *pins[PIN_PAGES];       /* made as the table grows */
    struct maptrack **maptrack;        /* MAPTRACK_MAX_PAGES pointers, pages made on demand */
    unsigned maptrack_pages;
    uint32_t free_handle;              /* head of the free list, NO_HANDLE when empty */
};

static bool grow(struct domain *d, struct grant_table *gt, unsigned nr);

static struct pin *pin_of(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->pins[ref / PINS_PER_PAGE][ref % PINS_PER_PAGE];
}

static struct maptrack *maptrack_at(struct grant_table *gt, uint32_t h)
{
    if (h >= gt->maptrack_pages * MAPTRACK_PER_PAGE)
        return NULL;
    return &gt->maptrack[h / MAPTRACK_PER_PAGE][h % MAPTRACK_PER_PAGE];
}

/* A free handle, growing the maptrack by a page when none is left; NO_HANDLE when full. */
static uint32_t get_handle(struct grant_table *gt)
{
    uint32_t h = gt->free_handle;

    if (h == NO_HANDLE) {
        struct maptrack *page;
        uint32_t first = gt->maptrack_pages * MAPTRACK_PER_PAGE;

        if (gt->maptrack_pages == MAPTRACK_MAX_PAGES || !(page = alloc_xen_pages(1)))
            return NO_HANDLE;
        memset(page, 0, PAGE_SIZE);
        gt->maptrack[gt->maptrack_pages++] = page;
        for (uint32_t i = 0; i < MAPTRACK_PER_PAGE; i++)
            page[i].next_free = i + 1 < MAPTRACK_PER_PAGE ? first + i + 1 : NO_HANDLE;
        h = first;
    }
    gt->free_handle = maptrack_at(gt, h)->next_free;
    return h;
}

static void put_handle(struct grant_table *gt, uint32_t h)
{
    struct maptrack *m = maptrack_at(gt, h);

    m->flags = 0;
    m->next_free = gt->free_handle;
    gt->free_handle = h;
}

static struct grant_table *table_of(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (gt)
        return gt;
    _Static_assert(sizeof(*gt) <= PAGE_SIZE, "struct grant_table fits a page");
    gt = alloc_xen_pages(1);
    if (!gt)
        return NULL;
    memset(gt, 0, sizeof(*gt));
    gt->maptrack = alloc_xen_pages(MAPTRACK_DIR_PAGES);
    if (!gt->maptrack) {
        free_xen_pages(gt, 1);
        return NULL;
    }
    gt->free_handle = NO_HANDLE;
    d->grant_table = gt;
    /* The first maptrack page comes with the table: a backend's first mappings need no allocation. */
    if (get_handle(gt) != NO_HANDLE)
        put_handle(gt, 0);
    grow(d, gt, 1); /* a table starts with one frame, as Xen's */
    return gt;
}

/*
 * The table's frames are the domain's, so that it can map them writable;
 * the pins of their entries are ours, a page per PINS_PER_PAGE entries.
 */
static bool grow(struct domain *d, struct grant_table *gt, unsigned nr)
{
    while (gt->nr_frames < nr) {
        unsigned last = (gt->nr_frames + 1) * ENTRIES_PER_FRAME - 1;
        struct pin **pins = &gt->pins[last / PINS_PER_PAGE];
        uint64_t mfn;

        if (!*pins) {
            if (!(*pins = alloc_xen_pages(1)))
                return false;
            memset(*pins, 0, PAGE_SIZE);
        }
        mfn = alloc_domain_frames(d, 1);
        if (mfn == INVALID_MFN)
            return false;
        mfn_to_page(mfn)->flags |= PGF_special; /* never exchanged away under us */
        gt->frames[gt->nr_frames++] = mfn;
    }
    return true;
}

static grant_entry_v1_t *entry(struct grant_table *gt, grant_ref_t ref)
{
    return (grant_entry_v1_t *)mfn_to_virt(gt->frames[ref / ENTRIES_PER_FRAME]) +
           ref % ENTRIES_PER_FRAME;
}

static struct domain *op_domain(domid_t id)
{
    struct domain *d = domain_by_id(id);

    return d && (d == current->domain || current->domain->is_privileged) ? d : NULL;
}

static long setup_table(uint64_t arg, unsigned count)
{
    struct gnttab_setup_table op;
    struct domain *d;
    struct grant_table *gt;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (!guest_range_ok((uint64_t)op.frame_list.p, (uint64_t)op.nr_frames * sizeof(xen_pfn_t)))
        return -EFAULT;
    d = op_domain(op.dom);
    if (!d)
        op.status = GNTST_bad_domain;
    else if (op.nr_frames > MAX_GRANT_FRAMES || !(gt = table_of(d)) || !grow(d, gt, op.nr_frames))
        op.status = GNTST_general_error;
    else {
        op.status = GNTST_okay;
        for (unsigned i = 0; i < op.nr_frames; i++) {
            xen_pfn_t mfn = gt->frames[i];

            if (copy_to_guest((uint64_t)op.frame_list.p + i * sizeof(mfn), &mfn, sizeof(mfn)))
                op.status = GNTST_bad_virt_addr;
        }
    }
    return copy_to_guest(arg + offsetof(struct gnttab_setup_table, status), &op.status,
                         sizeof(op.status));
}

static long query_size(uint64_t arg, unsigned count)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    d = op_domain(op.dom);
    if (!d) {
        op.status = GNTST_bad_domain;
    } else {
        op.nr_frames = table_of(d) ? d->grant_table->nr_frames : 0;
        op.max_nr_frames = MAX_GRANT_FRAMES;
        op.status = GNTST_okay;
    }
    return copy_to_guest(arg, &op, sizeof(op));
}

/* The version in force is written back whatever the answer, as Xen does. */
static long set_version(uint64_t arg)
{
    gnttab_set_version_t op;
    long rc = 0;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -EINVAL;
    else if (op.version == 2)
        rc = -ENOSYS;
    op.version = 1;
    if (copy_to_guest(arg, &op, sizeof(op)))
        return -EFAULT;
    return rc;
}

/* Checks ref of granter for mapper; sets the in-use flag. Returns a GNTST_* status. */
static int16_t claim_entry(struct domain *granter, grant_ref_t ref, domid_t mapper,
                           bool readonly, uint64_t *mfn)
{
    struct grant_table *gt = granter->grant_table;
    grant_entry_v1_t *e;
    struct pin *pin;
    uint16_t flags, want;

    if (granter->is_dying)
        return GNTST_bad_domain; /* its table's frames may be gone already */
    if (!gt || ref >= gt->nr_frames * ENTRIES_PER_FRAME)
        return GNTST_bad_gntref;
    e = entry(gt, ref);
    pin = pin_of(gt, ref);
    if (pin->readers == UINT16_MAX || pin->writers == UINT16_MAX)
        return GNTST_general_error; /* as Xen, when a pin count would overflow */
    for (;;) {
        flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
        if ((flags & GTF_type_mask) != GTF_permit_access || e->domid != mapper)
            return GNTST_general_error;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_general_error;
        want = flags | GTF_reading | (readonly ? 0 : GTF_writing);
        if (__atomic_compare_exchange_n(&e->flags, &flags, want, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            break;
    }
    *mfn = e->frame;
    pin->readers++;
    pin->writers += !readonly;
    return GNTST_okay;
}

/*
 * A mapping or a copy of an entry is done: GTF_writing goes with its last
 * writer, GTF_reading with its last user (as Xen's v1 status flags).
 */
static void release_entry(struct domain *granter, grant_ref_t ref, bool readonly)
{
    struct grant_table *gt = granter->grant_table;
    struct pin *pin;
    uint16_t clear = 0;

    if (granter->is_dying || !gt || ref >= gt->nr_frames * ENTRIES_PER_FRAME)
        return; /* a dying domain's table frames may be gone already */
    pin = pin_of(gt, ref);
    if (!readonly && pin->writers && !--pin->writers)
        clear |= GTF_writing;
    if (pin->readers && !--pin->readers)
        clear |= GTF_reading;
    if (clear)
        __atomic_and_fetch(&entry(gt, ref)->flags, (uint16_t)~clear, __ATOMIC_RELEASE);
}

/* The L1 slot a host mapping goes into: by PTE address, or by virtual address. */
static pte_t *host_slot(struct domain *d, uint64_t host_addr, bool contains_pte, uint64_t *maddr)
{
    struct page_info *l1;
    pte_t *t;

    if (!contains_pte) {
        if (!guest_range_ok(host_addr, 1) || !(t = loaded_l1e(host_addr)))
            return NULL;
        host_addr = virt_to_maddr(t);
    }
    l1 = mfn_to_page(host_addr >> PAGE_SHIFT);
    if ((host_addr & 7) || !l1 || l1->state != FRAME_DOMAIN || l1->owner != d->domain_id ||
        l1->type != PGT_l1 || !l1->type_count)
        return NULL;
    *maddr = host_addr;
    return maddr_to_virt(host_addr);
}

static int16_t map_one(struct gnttab_map_grant_ref *op)
{
    /* Map names the granter by id only: DOMID_SELF is not looked up (as Xen). */
    struct domain *d = current->domain;
    struct domain *granter = op->dom == DOMID_SELF ? NULL : domain_by_id(op->dom);
    struct grant_table *mgt = table_of(d);
    bool ro = op->flags & GNTMAP_readonly, host = op->flags & GNTMAP_host_map;
    bool device = op->flags & GNTMAP_device_map;
    struct page_info *pg;
    uint64_t mfn, pte_maddr = 0;
    pte_t *slot = NULL;
    int16_t st;
    uint32_t h;

    if (!granter)
        return GNTST_bad_domain;
    if (!mgt)
        return GNTST_no_space;
    if (!host && !device)
        return GNTST_bad_gntref; /* Xen's answer for "neither host nor device" */
    if (host && !(slot = host_slot(d, op->host_addr, op->flags & GNTMAP_contains_pte, &pte_maddr)))
        return GNTST_general_error;
    st = claim_entry(granter, op->ref, d->domain_id, ro, &mfn);
    if (st != GNTST_okay)
        return st;
    pg = mfn_to_page(mfn);
    if (!get_page(pg, granter)) {
        release_entry(granter, op->ref, ro);
        return GNTST_general_error; /* the granter named a frame that is not its own */
    }
    if (!ro && get_page_type(pg, PGT_writable)) {
        put_page(pg);
        release_entry(granter, op->ref, ro);
        return GNTST_general_error; /* e.g. the frame is a page table */
    }
    h = get_handle(mgt);
    if (h == NO_HANDLE) {
        if (!ro)
            put_page_type(pg);
        put_page(pg);
        release_entry(granter, op->ref, ro);
        return GNTST_no_space; /* as Xen when no maptrack handle is left */
    }
    if (host) {
        pte_t old = *slot;

        *slot = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
                (ro ? 0 : _PAGE_RW | _PAGE_DIRTY) | PTE_GNTTAB;
        if ((old & _PAGE_PRESENT) && !(old & PTE_GNTTAB))
            put_lNe_refs(old, 1, d, 0);
    }
    *maptrack_at(mgt, h) = (struct maptrack){
        .flags = op->flags & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly |
                              GNTMAP_contains_pte),
        .dom = op->dom, .ref = op->ref, .next_free = NO_HANDLE, .mfn = mfn,
        .pte_maddr = pte_maddr };
    op->handle = h;
    op->dev_bus_addr = mfn << PAGE_SHIFT; /* PV: the machine address, as Xen reports it */
    return GNTST_okay;
}

/*
 * XENMEM_acquire_resource of a grant table's shared frames (a toolstack
 * seeds a new domain's console and xenstore entries through them): the
 * table grows to cover [first, first + nr); mfns[] gets its frames, which
 * are d's own, so the caller maps them foreign. nr == 0 asks the size.
 */
long gnttab_resource_frame(struct domain *d, uint64_t frame, uint64_t *mfn)
{
    struct grant_table *gt = table_of(d);

    if (!gt)
        return -ENOMEM;
    if (frame >= MAX_GRANT_FRAMES)
        return -EINVAL;
    if (!grow(d, gt, (unsigned)frame + 1))
        return -ENOMEM;
    *mfn = gt->frames[frame];
    return 0;
}

unsigned gnttab_max_frames(void)
{
    return MAX_GRANT_FRAMES;
}

/* Zaps a host mapping's PTE if it still holds it; the caller flushes the TLBs. */
static void zap_host_pte(struct maptrack *m)
{
    pte_t *slot = maddr_to_virt(m->pte_maddr);

    if (((*slot & PADDR_MASK) >> PAGE_SHIFT) == m->mfn && (*slot & PTE_GNTTAB))
        *slot = 0;
}

/*
 * The mapping is gone from every TLB: its references and its claim on the
 * granter's entry go, and so does its handle.
 */
static void release_mapping(struct grant_table *gt, uint32_t h)
{
    struct maptrack *m = maptrack_at(gt, h);
    struct domain *granter = domain_by_id(m->dom);
    struct page_info *pg = mfn_to_page(m->mfn);
    bool ro = m->flags & GNTMAP_readonly;

    if (!ro)
        put_page_type(pg);
    if (granter)
        release_entry(granter, m->ref, ro);
    put_handle(gt, h);
    put_page(pg); /* last: it may free the frame, and with it a dying granter */
}

/*
 * Unmapping by Xen's rules (unmap_common): host_addr names the PTE (by
 * virtual address, or by machine address for a GNTMAP_contains_pte
 * mapping), which must map the granted frame; it is zapped, or with
 * new_addr given (unmap_and_replace) gets the PTE found at new_addr, which
 * is zapped instead. A zero host_addr leaves a host mapping alone, a zero
 * dev_bus_addr a device mapping; the handle lives while either is left.
 */
static int16_t unmap_host(struct domain *d, struct maptrack *m, uint64_t host_addr,
                          uint64_t new_addr)
{
    uint64_t maddr, new_maddr;
    pte_t *slot = host_slot(d, host_addr, m->flags & GNTMAP_contains_pte, &maddr), *from;

    if (!slot || !(*slot & _PAGE_PRESENT) || !(*slot & PTE_GNTTAB) ||
        ((*slot & PADDR_MASK) >> PAGE_SHIFT) != m->mfn)
        return GNTST_general_error; /* that PTE does not map this grant */
    if (!new_addr) {
        *slot = 0;
        return GNTST_okay;
    }
    /* Xen replaces only mappings made by virtual address, with an ordinary mapping. */
    if ((m->flags & GNTMAP_contains_pte) || !(from = host_slot(d, new_addr, false, &new_maddr)) ||
        (*from & PTE_GNTTAB) || from == slot)
        return GNTST_general_error;
    *slot = *from; /* the entry's references move with it: both slots are validated L1s of d */
    *from = 0;
    return GNTST_okay;
}

static int16_t unmap_one(uint32_t handle, uint64_t host_addr, uint64_t dev_bus_addr,
                         uint64_t new_addr, bool *flush, bool *release)
{
    struct domain *d = current->domain;
    struct maptrack *m = d->grant_table ? maptrack_at(d->grant_table, handle) : NULL;
    int16_t st;

    *release = false;
    if (!m || !(m->flags & (GNTMAP_host_map | GNTMAP_device_map)))
        return GNTST_bad_handle; /* free, or wholly unmapped earlier in this batch */
    if (dev_bus_addr && (m->flags & GNTMAP_device_map) && dev_bus_addr != m->mfn << PAGE_SHIFT)
        return GNTST_bad_dev_addr;
    if (host_addr && (m->flags & GNTMAP_host_map)) {
        st = unmap_host(d, m, host_addr, new_addr);
        if (st != GNTST_okay)
            return st;
        m->flags &= ~GNTMAP_host_map;
        *flush = true;
    }
    if (dev_bus_addr)
        m->flags &= ~GNTMAP_device_map;
    *release = !(m->flags & (GNTMAP_host_map | GNTMAP_device_map));
    return GNTST_okay;
}

/*
 * unmap_grant_ref and unmap_and_replace, UNMAP_BATCH ops at a time: the
 * PTEs go, the TLBs are flushed once, then the references (which may free
 * a frame) go, as Xen flushes once per batch. Status per op; -EFAULT if an
 * op cannot be read or written back.
 */
#define UNMAP_BATCH 32

/* The PTEs of done[] are gone: flush once, then drop what the mappings held. */
static void unmap_finish(struct grant_table *gt, const uint32_t *done, unsigned *nr_done,
                         bool *flush)
{
    if (*flush)
        flush_tlb_domain(current->domain); /* the PTEs were in the unmapper's tables */
    for (unsigned j = 0; j < *nr_done; j++)
        release_mapping(gt, done[j]);
    *nr_done = 0;
    *flush = false;
}

static long unmap_batch(uint64_t arg, unsigned count, bool replace)
{
    struct grant_table *gt = current->domain->grant_table;
    uint32_t done[UNMAP_BATCH];
    unsigned nr_done = 0;
    bool flush = false;
    long rc = 0;

    for (unsigned i = 0; i < count && !rc; i++) {
        union {
            struct gnttab_unmap_grant_ref u;
            struct gnttab_unmap_and_replace r;
        } op;
        size_t size = replace ? sizeof(op.r) : sizeof(op.u);
        uint64_t at = arg + (uint64_t)i * size;
        int16_t *status = replace ? &op.r.status : &op.u.status;
        bool release;

        if (copy_from_guest(&op, at, size)) {
            rc = -EFAULT;
            break;
        }
        *status = replace ? unmap_one(op.r.handle, op.r.host_addr, 0, op.r.new_addr, &flush, &release)
                          : unmap_one(op.u.handle, op.u.host_addr, op.u.dev_bus_addr, 0, &flush,
                                      &release);
        if (release)
            done[nr_done++] = replace ? op.r.handle : op.u.handle;
        if (copy_to_guest(at, &op, size))
            rc = -EFAULT;
        if (nr_done == UNMAP_BATCH)
            unmap_finish(gt, done, &nr_done, &flush);
    }
    unmap_finish(gt, done, &nr_done, &flush);
    return rc;
}

/*
 * A dying domain's own mappings of others' grants go (as Xen's
 * gnttab_release_mappings); others' mappings of its grants keep its frames
 * until they are unmapped. Called with the mm lock held.
 */
void grant_table_release(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    uint32_t nr;

    if (!gt)
        return;
    nr = gt->maptrack_pages * MAPTRACK_PER_PAGE;
    for (uint32_t h = 0; h < nr; h++) {
        struct maptrack *m = maptrack_at(gt, h);

        if (m->flags & GNTMAP_host_map)
            zap_host_pte(m);
    }
    flush_tlb_domain(d);
    for (uint32_t h = 0; h < nr; h++)
        if (maptrack_at(gt, h)->flags)
            release_mapping(gt, h);
}

/* The bookkeeping of a domain that is gone (its table's frames went with its memory). */
void grant_table_free(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    for (unsigned i = 0; i < PIN_PAGES; i++)
        if (gt->pins[i])
            free_xen_pages(gt->pins[i], 1);
    for (unsigned i = 0; i < gt->maptrack_pages; i++)
        free_xen_pages(gt->maptrack[i], 1);
    free_xen_pages(gt->maptrack, MAPTRACK_DIR_PAGES);
    free_xen_pages(gt, 1);
    d->grant_table = NULL;
}

/*
 * One side of a copy: a frame of one's own (gmfn, named by DOMID_SELF only)
 * or a granted one (gref). A destination frame must be able to take a
 * writable type: page tables and descriptor pages are refused. The side
 * holds a reference (and for a destination a type) until copy_done().
 */
static int16_t copy_side(const struct gnttab_copy_ptr *p, bool gref, bool dest, uint64_t *mfn,
                         struct domain **granter)
{
    struct domain *d = current->domain;
    struct domain *owner = domain_by_id(p->domid);
    struct page_info *pg;
    int16_t st;

    *granter = NULL;
    if (!owner)
        return GNTST_bad_domain;
    if (!gref) {
        if (p->domid != DOMID_SELF)
            return GNTST_permission_denied;
        *mfn = p->u.gmfn;
    } else {
        st = claim_entry(owner, p->u.ref, d->domain_id, !dest, mfn);
        if (st != GNTST_okay)
            return st;
        *granter = owner;
    }
    pg = mfn_to_page(*mfn);
    if (!get_page(pg, gref ? owner : d)) {
        st = gref ? GNTST_general_error : GNTST_bad_page;
        goto fail;
    }
    if (dest && get_page_type(pg, PGT_writable)) {
        put_page(pg);
        st = GNTST_general_error;
        goto fail;
    }
    return GNTST_okay;
fail:
    if (*granter)
        release_entry(*granter, p->u.ref, !dest);
    *granter = NULL;
    return st;
}

static void copy_done(const struct gnttab_copy_ptr *p, struct domain *granter, uint64_t mfn,
                      bool dest)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (dest)
        put_page_type(pg);
    put_page(pg);
    if (granter)
        release_entry(granter, p->u.ref, !dest);
}

static int16_t copy_one(const struct gnttab_copy *c)
{
    struct domain *sg, *dg;
    uint64_t smfn, dmfn;
    int16_t st;

    if (c->source.offset + (unsigned)c->len > PAGE_SIZE || c->dest.offset + (unsigned)c->len > PAGE_SIZE)
        return GNTST_bad_copy_arg;
    st = copy_side(&c->source, c->flags & GNTCOPY_source_gref, false, &smfn, &sg);
    if (st != GNTST_okay)
        return st;
    st = copy_side(&c->dest, c->flags & GNTCOPY_dest_gref, true, &dmfn, &dg);
    if (st == GNTST_okay) {
        memmove((uint8_t *)mfn_to_virt(dmfn) + c->dest.offset,
                (uint8_t *)mfn_to_virt(smfn) + c->source.offset, c->len);
        copy_done(&c->dest, dg, dmfn, true);
    }
    copy_done(&c->source, sg, smfn, false);
    return st;
}

#define EACH(type, work)                                                         \
    do {                                                                         \
        for (unsigned i = 0; i < count; i++) {                                   \
            type op;                                                             \
            uint64_t at = arg + (uint64_t)i * sizeof(op);                        \
            if (copy_from_guest(&op, at, sizeof(op)))                            \
                return -EFAULT;                                                  \
            op.status = work;                                                    \
            if (copy_to_guest(at, &op, sizeof(op)))                              \
                return -EFAULT;                                                  \
        }                                                                        \
        return 0;                                                                \
    } while (0)

static long map_batch(uint64_t arg, unsigned count)
{
    EACH(struct gnttab_map_grant_ref, map_one(&op));
}

static long copy_batch(uint64_t arg, unsigned count)
{
    EACH(struct gnttab_copy, copy_one(&op));
}

/*
 * Map, unmap and copy batches go CHUNK ops per hypercall: the rest is a
 * continuation (the uop pointer advanced, the count reduced, as Xen's), so
 * no guest holds the mm lock or its CPU for a whole huge batch. Errors end
 * the batch at once; under a multicall the chunks all run here.
 */
#define CHUNK 256

static long in_chunks(unsigned cmd, uint64_t arg, unsigned count, size_t size,
                      long (*work)(uint64_t arg, unsigned count, unsigned cmd))
{
    for (;;) {
        unsigned n = MIN(count, CHUNK);
        long rc = work(arg, n, cmd);

        if (rc || n == count)
            return rc;
        arg += (uint64_t)n * size;
        count -= n;
        if (hypercall_continue(cmd, arg, count))
            return 0;
    }
}

static long chunk_work(uint64_t arg, unsigned count, unsigned cmd)
{
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return map_batch(arg, count);
    case GNTTABOP_unmap_grant_ref:
        return unmap_batch(arg, count, false);
    case GNTTABOP_unmap_and_replace:
        return unmap_batch(arg, count, true);
    default:
        return copy_batch(arg, count);
    }
}

static long grant_op(unsigned cmd, uint64_t arg, unsigned count)
{
    switch (cmd) {
    case GNTTABOP_setup_table:
        return setup_table(arg, count);
    case GNTTABOP_query_size:
        return query_size(arg, count);
    case GNTTABOP_set_version:
        return set_version(arg);
    case GNTTABOP_get_version: {
        gnttab_get_version_t op;

        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        if (!op_domain(op.dom))
            return -ESRCH;
        op.version = 1;
        return copy_to_guest(arg, &op, sizeof(op));
    }
    case GNTTABOP_map_grant_ref:
        return in_chunks(cmd, arg, count, sizeof(struct gnttab_map_grant_ref), chunk_work);
    case GNTTABOP_unmap_grant_ref:
        return in_chunks(cmd, arg, count, sizeof(struct gnttab_unmap_grant_ref), chunk_work);
    case GNTTABOP_unmap_and_replace:
        return in_chunks(cmd, arg, count, sizeof(struct gnttab_unmap_and_replace), chunk_work);
    case GNTTABOP_copy:
        return in_chunks(cmd, arg, count, sizeof(struct gnttab_copy), chunk_work);
    }
    return unimplemented("grant_table_op", cmd);
}

long do_grant_table_op(uint64_t cmd, uint64_t arg, uint64_t count)
{
    long rc;

    if ((int)count < 0)
        return -EINVAL; /* count is an int in Xen's prototype */
    mm_lock();
    rc = grant_op((unsigned)cmd, arg, (unsigned)count);
    mm_unlock();
    return rc;
}
