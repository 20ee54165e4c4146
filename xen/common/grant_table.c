/*
 * Grant tables, version 1 (public/grant_table.h). A domain shares frames
 * by writing grant_entry_v1_t entries into its grant table (frames it maps
 * itself); another domain maps a granted frame into its own page tables
 * (GNTMAP_host_map, by virtual address or with GNTMAP_contains_pte by the
 * PTE's machine address), gets its bus address (GNTMAP_device_map), or
 * copies through it. A mapping holds references on the granted frame (and
 * a writable type for writable mappings) until it is unmapped, so the
 * frame stays the granter's and alive; GTF_reading/GTF_writing in the
 * shared entry say it is in use. Version 2 is not offered: set_version(2)
 * says -ENOSYS, as on a Xen limited to v1.
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
#define MAPTRACK_PAGES 8
#define PTE_GNTTAB (1UL << 62)   /* Xen's _PAGE_GNTTAB: a grant mapping */

struct maptrack {
    bool in_use;
    bool readonly, host, device;
    domid_t dom;
    grant_ref_t ref;
    uint64_t mfn;
    uint64_t pte_maddr;          /* where the host mapping's PTE is */
    uint64_t host_addr;          /* as the guest named it, for unmap */
};

struct grant_table {
    unsigned nr_frames;
    uint64_t frames[MAX_GRANT_FRAMES];
    uint16_t *pins;              /* mappings per entry: readers + writers */
    struct maptrack *maptrack;
    unsigned nr_maptrack;
};

static bool grow(struct domain *d, struct grant_table *gt, unsigned nr);

static struct grant_table *table_of(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (gt)
        return gt;
    gt = alloc_xen_pages(1);
    if (!gt)
        return NULL;
    gt->pins = alloc_xen_pages((MAX_GRANT_FRAMES * ENTRIES_PER_FRAME * sizeof(uint16_t)) / PAGE_SIZE);
    gt->maptrack = alloc_xen_pages(MAPTRACK_PAGES);
    if (!gt->pins || !gt->maptrack)
        return NULL;
    gt->nr_maptrack = MAPTRACK_PAGES * PAGE_SIZE / sizeof(struct maptrack);
    d->grant_table = gt;
    grow(d, gt, 1); /* a table starts with one frame, as Xen's */
    return gt;
}

/* The table's frames are the domain's, so that it can map them writable. */
static bool grow(struct domain *d, struct grant_table *gt, unsigned nr)
{
    while (gt->nr_frames < nr) {
        uint64_t mfn = alloc_domain_frames(d, 1);

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
    uint16_t flags, want;

    if (granter->is_dying)
        return GNTST_bad_domain; /* its table's frames may be gone already */
    if (!gt || ref >= gt->nr_frames * ENTRIES_PER_FRAME)
        return GNTST_bad_gntref;
    e = entry(gt, ref);
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
    gt->pins[ref]++;
    return GNTST_okay;
}

/* The last mapping of an entry is gone: it is no longer read or written. */
static void release_entry(struct domain *granter, grant_ref_t ref)
{
    struct grant_table *gt = granter->grant_table;

    if (granter->is_dying)
        return; /* its table's frames may be gone already */
    if (gt && gt->pins[ref] && !--gt->pins[ref])
        __atomic_and_fetch(&entry(gt, ref)->flags, (uint16_t) ~(GTF_reading | GTF_writing),
                           __ATOMIC_RELEASE);
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
    struct maptrack *m = NULL;
    uint64_t mfn, pte_maddr = 0;
    pte_t *slot = NULL;
    int16_t st;
    unsigned h;

    if (!granter)
        return GNTST_bad_domain;
    if (!mgt)
        return GNTST_no_device_space;
    if (!host && !device)
        return GNTST_bad_gntref; /* Xen's answer for "neither host nor device" */
    for (h = 0; h < mgt->nr_maptrack && mgt->maptrack[h].in_use; h++)
        ;
    if (h == mgt->nr_maptrack)
        return GNTST_no_device_space;
    if (host && !(slot = host_slot(d, op->host_addr, op->flags & GNTMAP_contains_pte, &pte_maddr)))
        return GNTST_general_error;
    st = claim_entry(granter, op->ref, d->domain_id, ro, &mfn);
    if (st != GNTST_okay)
        return st;
    pg = mfn_to_page(mfn);
    if (!get_page(pg, granter)) {
        release_entry(granter, op->ref);
        return GNTST_general_error; /* the granter named a frame that is not its own */
    }
    if (!ro && get_page_type(pg, PGT_writable)) {
        put_page(pg);
        release_entry(granter, op->ref);
        return GNTST_general_error; /* e.g. the frame is a page table */
    }
    if (host) {
        pte_t old = *slot;

        *slot = (mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED |
                (ro ? 0 : _PAGE_RW | _PAGE_DIRTY) | PTE_GNTTAB;
        if ((old & _PAGE_PRESENT) && !(old & PTE_GNTTAB))
            put_lNe_refs(old, 1, d, 0);
    }
    m = &mgt->maptrack[h];
    *m = (struct maptrack){ true, ro, host, device, op->dom, op->ref, mfn, pte_maddr,
                            op->host_addr };
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

/* Drops a mapping's references and its claim on the granter's entry. */
static void drop_mapping(struct maptrack *m)
{
    struct domain *granter = domain_by_id(m->dom);
    struct page_info *pg = mfn_to_page(m->mfn);

    if (m->host) {
        pte_t *slot = maddr_to_virt(m->pte_maddr);

        if (((*slot & PADDR_MASK) >> PAGE_SHIFT) == m->mfn && (*slot & PTE_GNTTAB))
            *slot = 0;
        flush_tlb_all();
    }
    if (!m->readonly)
        put_page_type(pg);
    if (granter)
        release_entry(granter, m->ref);
    put_page(pg); /* last: it may free the frame, and with it a dying granter */
    m->in_use = false;
}

static int16_t unmap_one(struct gnttab_unmap_grant_ref *op)
{
    struct domain *d = current->domain;
    struct grant_table *mgt = d->grant_table;
    struct maptrack *m;

    if (!mgt || op->handle >= mgt->nr_maptrack || !mgt->maptrack[op->handle].in_use)
        return GNTST_bad_handle;
    m = &mgt->maptrack[op->handle];
    if (m->host && op->host_addr != m->host_addr)
        return GNTST_general_error; /* not where this handle's mapping is */
    drop_mapping(m);
    return GNTST_okay;
}

/*
 * A dying domain's own mappings of others' grants go (as Xen's
 * gnttab_release_mappings); others' mappings of its grants keep its frames
 * until they are unmapped. Called with the mm lock held.
 */
void grant_table_release(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    for (unsigned h = 0; h < gt->nr_maptrack; h++)
        if (gt->maptrack[h].in_use)
            drop_mapping(&gt->maptrack[h]);
}

/* The bookkeeping of a domain that is gone (its table's frames went with its memory). */
void grant_table_free(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    free_xen_pages(gt->pins, (MAX_GRANT_FRAMES * ENTRIES_PER_FRAME * sizeof(uint16_t)) / PAGE_SIZE);
    free_xen_pages(gt->maptrack, MAPTRACK_PAGES);
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
        release_entry(*granter, p->u.ref);
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
        release_entry(granter, p->u.ref);
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
        EACH(struct gnttab_map_grant_ref, map_one(&op));
    case GNTTABOP_unmap_grant_ref:
        EACH(struct gnttab_unmap_grant_ref, unmap_one(&op));
    case GNTTABOP_copy:
        EACH(struct gnttab_copy, copy_one(&op));
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
