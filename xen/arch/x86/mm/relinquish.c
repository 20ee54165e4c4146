/*
 * Giving back a dying domain's frames (XEN_DOMCTL_destroydomain, public/
 * domctl.h), as Xen's relinquish_memory: the domain lets go of every
 * reference it holds itself (pins, the validation references its page
 * tables hold on what they map, the allocation reference). A frame whose
 * count then reaches 0 returns to the allocator at once; one that another
 * domain still maps (a toolstack's foreign mapping, a backend's grant
 * mapping) stays the dying domain's until that mapping goes, and the
 * domain stays, dying, until its last frame is gone (domain.c).
 * Called with the mm lock held, once the domain's vCPUs hold nothing.
 * Only the span of frames the domain was ever given is scanned: the whole
 * frame table took a destroy 15 ms under QEMU for a 16 MiB guest.
 */
#include <xenolith/mm.h>
#include <xenolith/sched.h>

static bool is_table_type(enum page_type t)
{
    return t >= PGT_l1 && t <= PGT_l4;
}

static bool owned(const struct page_info *pg, const struct domain *d)
{
    return pg->state == FRAME_DOMAIN && pg->owner == d->domain_id;
}

/*
 * Tables may reference each other in cycles (linear entries), so no order
 * of put_page_type() undoes them all: each validated table is devalidated
 * in place (its entries' references dropped), its validated flag cleared
 * first so that a later put of its last type reference does not do it twice.
 */
static void devalidate_tables(struct domain *d)
{
    for (uint64_t mfn = d->frames_lo; mfn < d->frames_hi; mfn++) {
        struct page_info *pg = &frame_table.pages[mfn];

        if (!owned(pg, d) || !is_table_type(pg->type) || !pg->type_count ||
            !(pg->flags & PGF_validated))
            continue;
        pg->flags &= ~PGF_validated;
        devalidate_table_entries(pg, pg->type - PGT_l1 + 1);
    }
}

void relinquish_domain_frames(struct domain *d)
{
    for (uint64_t mfn = d->frames_lo; mfn < d->frames_hi; mfn++) {
        struct page_info *pg = &frame_table.pages[mfn];

        if (owned(pg, d) && (pg->flags & PGF_pinned)) {
            pg->flags &= ~PGF_pinned;
            put_page_and_type(pg);
        }
    }
    devalidate_tables(d);
    for (uint64_t mfn = d->frames_lo; mfn < d->frames_hi; mfn++) {
        struct page_info *pg = &frame_table.pages[mfn];

        if (owned(pg, d) && (pg->flags & PGF_allocated)) {
            pg->flags &= ~PGF_allocated;
            put_page(pg);
        }
    }
}
