/*
 * XENMEM_acquire_resource (public/memory.h, struct xen_mem_acquire_resource):
 * a privileged domain gets the frames of another domain's resource to map
 * them. For a PV caller frame_list comes back with MFNs, which it maps with
 * mmu_update naming the domain as foreigndom (Linux's privcmd
 * IOCTL_PRIVCMD_MMAP_RESOURCE). The grant table's shared frames are the
 * one resource of a PV domain (ioreq servers and vmtrace buffers are HVM
 * or debugging things: -EOPNOTSUPP); its status frames exist only with
 * grant tables v2, which Xenolith does not offer (-EINVAL).
 */
#include <xen/memory.h>
#include <xenolith/errno.h>
#include <xenolith/event.h>
#include <xenolith/guest_access.h>
#include <xenolith/mm.h>
#include <xenolith/sched.h>

long gnttab_resource_frame(struct domain *d, uint64_t frame, uint64_t *mfn); /* grant_table.c */
unsigned gnttab_max_frames(void);

static long grant_frames(struct domain *d, struct xen_mem_acquire_resource *r)
{
    if (r->id == XENMEM_resource_grant_table_id_status)
        return -EINVAL;
    if (r->id != XENMEM_resource_grant_table_id_shared)
        return -EINVAL;
    if (!r->nr_frames && !r->frame_list.p) {
        r->nr_frames = gnttab_max_frames(); /* the size of the resource */
        return 0;
    }
    if (r->frame + r->nr_frames > gnttab_max_frames() || r->frame + r->nr_frames < r->frame)
        return -EINVAL;
    for (uint32_t i = 0; i < r->nr_frames; i++) {
        uint64_t mfn;
        long rc = MM_LOCKED(gnttab_resource_frame(d, r->frame + i, &mfn));

        if (rc)
            return rc;
        if (copy_to_guest((uint64_t)r->frame_list.p + i * sizeof(xen_pfn_t), &mfn, sizeof(mfn)))
            return -EFAULT;
    }
    return 0;
}

long acquire_resource(uint64_t arg)
{
    struct xen_mem_acquire_resource r;
    struct domain *d;
    long rc;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    if (r.pad)
        return -EINVAL;
    d = domain_by_id(r.domid);
    if (!d || d->is_dying)
        return -ESRCH;
    if (!current->domain->is_privileged)
        return -EPERM;
    switch (r.type) {
    case XENMEM_resource_grant_table:
        rc = grant_frames(d, &r);
        break;
    default:
        return -EOPNOTSUPP;
    }
    if (!rc && copy_to_guest(arg, &r, sizeof(r)))
        return -EFAULT;
    return rc;
}
