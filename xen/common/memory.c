/*
 * memory_op (public/memory.h) for PV guests: reservations (frames in and
 * out of a domain, by machine frame number since PV guests see MFNs), the
 * machine's and the domain's memory sizes, the memory maps and the M2P's
 * whereabouts. Reservation ops return how many extents they completed.
 */
#include <asm/bootinfo.h>
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
long m2p_mfn_list(uint64_t arg);

/* Dom0 may ask for 1 GiB extents as Xen lets it; others 2 MiB (Xen: domu_max_order 9). */
static unsigned max_order(const struct domain *d)
{
    return d->is_hardware ? 18 : 9;
}

static struct domain *target_domain(domid_t id)
{
    struct domain *d = domain_by_id(id);

    if (d && d != current->domain && !current->domain->is_privileged)
        return NULL;
    return d;
}

/* increase_reservation, populate_physmap: MFNs out (and for populate, GPFNs in). */
static long grow(const struct xen_memory_reservation *r, uint64_t start, bool populate)
{
    struct domain *d = target_domain(r->domid);
    uint64_t list = (uint64_t)r->extent_start.p, i;
    uint64_t pages = 1UL << r->extent_order;

    if (!d)
        return -ESRCH;
    if (r->extent_order > max_order(d))
        return start;
    for (i = start; i < r->nr_extents; i++) {
        xen_pfn_t gpfn = 0, mfn;

        if (populate && copy_from_guest(&gpfn, list + i * sizeof(gpfn), sizeof(gpfn)))
            break;
        if (d->nr_pages + pages > d->max_pages)
            break;
        mfn = alloc_domain_frames(d, pages);
        if (mfn == INVALID_MFN)
            break;
        d->nr_pages += pages;
        for (uint64_t j = 0; j < pages; j++)
            set_m2p(mfn + j, populate ? gpfn + j : ~0UL);
        if (list && copy_to_guest(list + i * sizeof(mfn), &mfn, sizeof(mfn))) {
            for (uint64_t j = 0; j < pages; j++)
                release_domain_frame(d, mfn + j);
            break;
        }
    }
    return (long)i;
}

static long shrink(const struct xen_memory_reservation *r, uint64_t start)
{
    struct domain *d = target_domain(r->domid);
    uint64_t list = (uint64_t)r->extent_start.p, i;

    if (!d)
        return -ESRCH;
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
        /* No pseudo-physical map was set for this domain: Linux then uses nr_pages. */
        return -ENOSYS;
    case XENMEM_machine_memory_map:
        return machine_memory_map(arg);
    }
    return unimplemented("memory_op", op);
}
