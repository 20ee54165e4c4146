/*
 * A PV domain's pseudo-physical memory map (public/memory.h):
 * XENMEM_set_memory_map, by which the toolstack gives a new domain its
 * E820 (struct xen_foreign_memory_map), and XENMEM_memory_map, by which
 * the guest reads it back. A domain given none gets -ENOSYS and falls
 * back to start_info's nr_pages, as Linux does.
 */
#include <xen/memory.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/page_alloc.h>
#include <xenolith/sched.h>

#define E820_ENTRY_SIZE 20 /* struct e820entry: addr, size (u64), type (u32), packed */
#define E820MAX 1024       /* Xen's limit on a set map */
#define E820_PAGES ((E820MAX * E820_ENTRY_SIZE + PAGE_SIZE - 1) / PAGE_SIZE)

long set_memory_map(uint64_t arg)
{
    struct xen_foreign_memory_map fmap;
    struct domain *d;

    if (copy_from_guest(&fmap, arg, sizeof(fmap)))
        return -EFAULT;
    if (fmap.map.nr_entries > E820MAX)
        return -EINVAL;
    d = domain_by_id(fmap.domid);
    if (!d)
        return -ESRCH;
    if (d != current->domain && !current->domain->is_privileged)
        return -EPERM;
    if (!d->e820 && !(d->e820 = alloc_xen_pages(E820_PAGES)))
        return -ENOMEM;
    if (copy_from_guest(d->e820, (uint64_t)fmap.map.buffer.p,
                        (size_t)fmap.map.nr_entries * E820_ENTRY_SIZE)) {
        d->nr_e820 = 0;
        return -EFAULT;
    }
    d->nr_e820 = fmap.map.nr_entries;
    return 0;
}

long memory_map(uint64_t arg)
{
    struct domain *d = current->domain;
    struct xen_memory_map map;

    if (!d->nr_e820)
        return -ENOSYS; /* none was set */
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    map.nr_entries = MIN(map.nr_entries, d->nr_e820);
    if (copy_to_guest((uint64_t)map.buffer.p, d->e820, (size_t)map.nr_entries * E820_ENTRY_SIZE) ||
        copy_to_guest(arg, &map, sizeof(map)))
        return -EFAULT;
    return 0;
}

void memory_map_free(struct domain *d)
{
    if (d->e820)
        free_xen_pages(d->e820, E820_PAGES);
    d->e820 = NULL;
    d->nr_e820 = 0;
}
