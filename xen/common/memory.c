/*
 * memory_op (public/memory.h) for PV guests: reservations and exchanges
 * (frames in and out of a domain, by machine frame number since PV guests
 * see MFNs), the
 * machine's and the domain's memory sizes, the memory maps and the M2P's
 * whereabouts. Reservation ops return how many extents they completed.
 */
#include <asm/bootinfo.h>
#include <asm/smp.h>
#include <xen/memory.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/hypercall.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>

/*
 * The command is in the low 6 bits; above them Xen keeps the extent to
 * resume at (its continuation encoding, xen/include/xen/hypercall.h).
 */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1U << MEMOP_EXTENT_SHIFT) - 1)

long m2p_mapping(uint64_t arg);
long memory_map(uint64_t arg);     /* memory_map.c */
long set_memory_map(uint64_t arg);
long acquire_resource(uint64_t arg); /* acquire_resource.c */
long m2p_mfn_list(uint64_t arg);

/* Dom0 may ask for 1 GiB extents as Xen lets it; others 2 MiB (Xen: domu_max_order 9). */
static unsigned max_order(const struct domain *d)
{
    return d->is_hardware ? 18 : 9;
}

/*
 * The domain a reservation op names. None, or one the caller may not
 * control: the op does nothing and says so by its count (Xen's
 * reservation ops return start_extent then, not -ESRCH or -EPERM).
 */
static struct domain *target_domain(domid_t id)
{
    struct domain *d = domain_by_id(id);

    if (d && d != current->domain && !current->domain->is_privileged)
        return NULL;
    return d;
}

/* Extents whose frame numbers are copied to or from the guest at once. */
#define GROW_BATCH 64

/*
 * increase_reservation, populate_physmap: MFNs out (and for populate,
 * GPFNs in). The list is copied in batches: a toolstack populates a new
 * domain with thousands of single pages, and one guest copy per entry
 * each way was most of the cost.
 */
static long grow(const struct xen_memory_reservation *r, uint64_t start, bool populate)
{
    struct domain *d = target_domain(r->domid);
    uint64_t list = (uint64_t)r->extent_start.p, i = start;
    uint64_t pages = 1UL << r->extent_order;
    xen_pfn_t frames[GROW_BATCH];

    if (!d || d->is_dying)
        return (long)start;
    if (r->extent_order > max_order(d))
        return start;
    while (i < r->nr_extents) {
        uint64_t n = MIN(r->nr_extents - i, (uint64_t)GROW_BATCH), done = 0;

        memset(frames, 0, sizeof(frames));
        if (populate && copy_from_guest(frames, list + i * sizeof(xen_pfn_t), n * sizeof(xen_pfn_t)))
            break;
        for (; done < n; done++) {
            xen_pfn_t mfn;

            if (d->nr_pages + pages > d->max_pages)
                break;
            mfn = alloc_domain_frames(d, pages);
            if (mfn == INVALID_MFN)
                break;
            d->nr_pages += pages;
            for (uint64_t j = 0; j < pages; j++)
                set_m2p(mfn + j, populate ? frames[done] + j : ~0UL);
            frames[done] = mfn;
        }
        if (list && done && copy_to_guest(list + i * sizeof(xen_pfn_t), frames, done * sizeof(xen_pfn_t))) {
            for (uint64_t k = 0; k < done; k++)
                for (uint64_t j = 0; j < pages; j++)
                    release_domain_frame(d, frames[k] + j);
            break;
        }
        i += done;
        if (done < n)
            break;
    }
    return (long)i;
}

static long shrink(const struct xen_memory_reservation *r, uint64_t start)
{
    struct domain *d = target_domain(r->domid);
    uint64_t list = (uint64_t)r->extent_start.p, i;

    if (!d)
        return (long)start;
    if (r->extent_order > max_order(d))
        return start;
    for (i = start; i < r->nr_extents; i++) {
        xen_pfn_t mfn;
        uint64_t j;

        if (copy_from_guest(&mfn, list + i * sizeof(mfn), sizeof(mfn)))
            break;
        for (j = 0; j < (1UL << r->extent_order); j++)
            if (release_domain_frame(d, mfn + j))
                break;
        if (j < (1UL << r->extent_order))
            break;
    }
    return (long)i;
}

static long reservation(unsigned cmd, uint64_t arg, uint64_t start)
{
    struct xen_memory_reservation r;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return (long)start; /* as Xen: nothing done, no error */
    long rc;

    if (start > r.nr_extents)
        return -EINVAL;
    mm_lock();
    rc = cmd == XENMEM_decrease_reservation ? shrink(&r, start)
                                            : grow(&r, start, cmd == XENMEM_populate_physmap);
    mm_unlock();
    return rc;
}

/*
 * XENMEM_exchange (memory.h, struct xen_memory_exchange), as Xen's
 * memory_exchange: work goes in chunks, the least that is whole on both
 * sides (2^(out - in order) in extents for one out extent, or one in extent
 * for 2^(in - out order) out extents). A chunk is all or nothing: its in
 * frames are all taken (steal_domain_frame) and its out extents all
 * allocated before any in frame is freed, so a failure gives everything
 * back. nr_exchanged counts the in extents of finished chunks.
 */
struct exchange {
    struct xen_memory_exchange x;
    struct domain *d;
    unsigned in_chunk_order, out_chunk_order;
    uint64_t limit;        /* out frames lie below it (out.mem_flags address bits) */
    xen_pfn_t *in, *out;   /* the chunk's extent bases: in GMFNs (= MFNs), new MFNs */
    unsigned buf_pages;
};

static uint64_t list_at(const struct xen_memory_reservation *r, uint64_t i)
{
    return (uint64_t)r->extent_start.p + i * sizeof(xen_pfn_t);
}

/* Xen's fail_early checks, in its order: -EPERM, then -EINVAL, then -EFAULT. */
static long exchange_args(const struct xen_memory_exchange *x)
{
    const struct xen_memory_reservation *in = &x->in, *out = &x->out;

    if (MAX(in->extent_order, out->extent_order) > max_order(current->domain))
        return -EPERM;
    if (x->nr_exchanged > in->nr_extents || in->domid != out->domid ||
        (~0UL >> in->extent_order) < in->nr_extents ||
        (~0UL >> out->extent_order) < out->nr_extents ||
        in->nr_extents << in->extent_order != out->nr_extents << out->extent_order)
        return -EINVAL;
    /* The lists' unfinished parts lie outside the hypervisor's hole (guest_handle_subrange_okay). */
    if (in->nr_extents > ~0UL / sizeof(xen_pfn_t) || out->nr_extents > ~0UL / sizeof(xen_pfn_t))
        return -EFAULT;
    if (in->nr_extents &&
        (!guest_range_ok(list_at(in, 0), in->nr_extents * sizeof(xen_pfn_t)) ||
         !guest_range_ok(list_at(out, 0), out->nr_extents * sizeof(xen_pfn_t))))
        return -EFAULT;
    return 0;
}

/* The frame below which out.mem_flags' address bits (0: none) put the new frames. */
static uint64_t exchange_limit(unsigned mem_flags)
{
    unsigned bits = XENMEMF_get_address_bits(mem_flags);

    if (!bits || bits >= 64)
        return INVALID_MFN;
    return bits <= PAGE_SHIFT ? 0 : 1UL << (bits - PAGE_SHIFT);
}

static void unsteal_frames(const struct exchange *e, uint64_t frames)
{
    uint64_t per = 1UL << e->x.in.extent_order;

    for (uint64_t f = 0; f < frames; f++)
        unsteal_domain_frame(e->in[f / per] + f % per);
}

/* Takes chunk c's in frames; on failure none. */
static long steal_chunk(struct exchange *e, uint64_t c)
{
    uint64_t n = 1UL << e->in_chunk_order, per = 1UL << e->x.in.extent_order, f;

    for (uint64_t j = 0; j < n; j++)
        if (copy_from_guest(&e->in[j], list_at(&e->x.in, (c << e->in_chunk_order) + j),
                            sizeof(xen_pfn_t)))
            return -EFAULT;
    for (f = 0; f < n * per; f++)
        if (steal_domain_frame(e->d, e->in[f / per] + f % per))
            break;
    if (f == n * per)
        return 0;
    unsteal_frames(e, f);
    return -EINVAL; /* Xen: not ours, or in use (mapped, pinned, typed) */
}

/* Gives back the first n out extents: d gets them, then lets them go. */
static void drop_out_extents(struct exchange *e, uint64_t n)
{
    uint64_t per = 1UL << e->x.out.extent_order;

    for (uint64_t j = 0; j < n; j++) {
        e->d->nr_pages += per;
        for (uint64_t k = 0; k < per; k++)
            release_domain_frame(e->d, e->out[j] + k);
    }
}

static long alloc_chunk(struct exchange *e)
{
    uint64_t n = 1UL << e->out_chunk_order, j;

    for (j = 0; j < n; j++) {
        e->out[j] = alloc_domain_extent(e->d, e->x.out.extent_order, e->limit);
        if (e->out[j] == INVALID_MFN)
            break;
    }
    if (j == n)
        return 0;
    drop_out_extents(e, j);
    return -ENOMEM;
}

/*
 * Past the point of no return: the in frames go, the out extents become
 * d's. PV: out.extent_start holds the GPFN each extent's M2P entries name
 * on input, and receives its MFN; a fault there is -EFAULT, yet the
 * frames stay d's (Xen's behaviour too).
 */
static long commit_chunk(struct exchange *e, uint64_t c)
{
    uint64_t n = 1UL << e->out_chunk_order, per = 1UL << e->x.out.extent_order;
    uint64_t in_frames = (1UL << e->in_chunk_order) << e->x.in.extent_order;
    uint64_t p = 1UL << e->x.in.extent_order;
    long rc = 0;

    for (uint64_t f = 0; f < in_frames; f++)
        free_domain_frame(mfn_to_page(e->in[f / p] + f % p));
    for (uint64_t j = 0; j < n; j++) {
        uint64_t at = list_at(&e->x.out, (c << e->out_chunk_order) + j);
        xen_pfn_t gpfn;

        e->d->nr_pages += per;
        if (copy_from_guest(&gpfn, at, sizeof(gpfn))) {
            rc = -EFAULT;
            continue;
        }
        for (uint64_t k = 0; k < per; k++)
            set_m2p(e->out[j] + k, gpfn + k);
        if (copy_to_guest(at, &e->out[j], sizeof(xen_pfn_t)))
            rc = -EFAULT;
    }
    return rc;
}

static long exchange_chunks(struct exchange *e)
{
    uint64_t c = e->x.nr_exchanged >> e->in_chunk_order;
    long rc = 0;

    for (; c < e->x.in.nr_extents >> e->in_chunk_order; c++) {
        rc = steal_chunk(e, c);
        if (rc)
            break;
        rc = alloc_chunk(e);
        if (rc) {
            unsteal_frames(e, (1UL << e->in_chunk_order) << e->x.in.extent_order);
            break;
        }
        rc = commit_chunk(e, c);
        if (rc)
            break;
    }
    e->x.nr_exchanged = c << e->in_chunk_order;
    return rc;
}

static long exchange_in_domain(struct exchange *e)
{
    const struct xen_memory_reservation *in = &e->x.in, *out = &e->x.out;
    uint64_t entries;
    long rc;

    e->d = domain_by_id(in->domid);
    if (!e->d)
        return -ESRCH;
    if (e->d != current->domain && !current->domain->is_privileged)
        return -EPERM; /* XSM_TARGET */
    e->in_chunk_order = in->extent_order <= out->extent_order ? out->extent_order - in->extent_order : 0;
    e->out_chunk_order = in->extent_order > out->extent_order ? in->extent_order - out->extent_order : 0;
    e->limit = exchange_limit(out->mem_flags);
    entries = (1UL << e->in_chunk_order) + (1UL << e->out_chunk_order);
    e->buf_pages = (unsigned)(ROUNDUP(entries * sizeof(xen_pfn_t), PAGE_SIZE) / PAGE_SIZE);
    e->in = alloc_xen_pages(e->buf_pages);
    if (!e->in)
        return -ENOMEM;
    e->out = e->in + (1UL << e->in_chunk_order);
    mm_lock();
    rc = exchange_chunks(e);
    mm_unlock();
    free_xen_pages(e->in, e->buf_pages);
    return rc;
}

static long memory_exchange(uint64_t arg)
{
    struct exchange e;
    long rc;

    if (copy_from_guest(&e.x, arg, sizeof(e.x)))
        return -EFAULT;
    rc = exchange_args(&e.x);
    if (!rc)
        rc = exchange_in_domain(&e);
    /* Progress goes back on every path after the argument was read. */
    if (copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged),
                      &e.x.nr_exchanged, sizeof(e.x.nr_exchanged)))
        rc = -EFAULT;
    return rc;
}

/* XENMEM_maximum_gpfn: for a PV guest, what it wrote into shared_info.arch.max_pfn, less one. */
static long maximum_gpfn(uint64_t arg)
{
    domid_t id;
    struct domain *d;
    uint64_t max_pfn;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    d = target_domain(id);
    if (!d)
        return -ESRCH;
    max_pfn = d->shared_info->arch.max_pfn;
    return (long)(max_pfn ? max_pfn : 1) - 1;
}

static long reservation_size(unsigned cmd, uint64_t arg)
{
    domid_t id;
    struct domain *d;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    d = target_domain(id);
    if (!d)
        return -ESRCH;
    return (long)(cmd == XENMEM_current_reservation ? d->nr_pages : d->max_pages);
}

/* XENMEM_machine_memory_map: the firmware's map, for the hardware domain. */
static long machine_memory_map(uint64_t arg)
{
    struct xen_memory_map map;
    unsigned n = boot_info.nr_memmap;

    if (!current->domain->is_hardware)
        return -EPERM;
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    if (!map.buffer.p) {
        map.nr_entries = n; /* a NULL buffer asks for the count */
        return copy_to_guest(arg, &map, sizeof(map));
    }
    if (map.nr_entries < n)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        struct {
            uint64_t addr, size;
            uint32_t type;
        } __packed e = { boot_info.memmap[i].addr, boot_info.memmap[i].len,
                         boot_info.memmap[i].type };

        if (copy_to_guest((uint64_t)map.buffer.p + i * sizeof(e), &e, sizeof(e)))
            return -EFAULT;
    }
    map.nr_entries = n;
    return copy_to_guest(arg, &map, sizeof(map));
}

long do_memory_op(uint64_t cmd, uint64_t arg)
{
    unsigned op = (unsigned)cmd & MEMOP_CMD_MASK;
    uint64_t start = (cmd & 0xffffffffUL) >> MEMOP_EXTENT_SHIFT;

    switch (op) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(op, arg, start);
    case XENMEM_exchange:
        return start ? -EINVAL : memory_exchange(arg);
    case XENMEM_maximum_ram_page:
        return start ? -EINVAL : (long)frame_table.nr;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return reservation_size(op, arg);
    case XENMEM_maximum_gpfn:
        return maximum_gpfn(arg);
    case XENMEM_machphys_mfn_list:
        return m2p_mfn_list(arg);
    case XENMEM_machphys_mapping:
        return m2p_mapping(arg);
    case XENMEM_memory_map:
        return memory_map(arg);
    case XENMEM_set_memory_map:
        return set_memory_map(arg);
    case XENMEM_acquire_resource:
        return acquire_resource(arg);
    case XENMEM_machine_memory_map:
        return machine_memory_map(arg);
    }
    return unimplemented("memory_op", op);
}
