/*
 * The machine's topology for the toolstack (public/sysctl.h):
 * XEN_SYSCTL_numainfo (one node, all memory, distance 10 to itself) and
 * XEN_SYSCTL_cputopoinfo (CPU n is core n of socket 0 on node 0; CPUs up
 * to max_cpu_id that are not online are XEN_INVALID_*). libxl asks both
 * when it places a new domain. Both follow the ABI's protocol: null
 * handles ask for the count; a short buffer gets what fits and -ENOBUFS
 * with the count wanted.
 */
#include <asm/smp.h>
#include <xen/sysctl.h>
#include <xenolith/errno.h>
#include <xenolith/guest_access.h>
#include <xenolith/page_alloc.h>

#define NR_NODES 1
#define LOCAL_DISTANCE 10 /* ACPI SLIT's distance of a node to itself */

long numainfo(struct xen_sysctl_numainfo *ni)
{
    uint64_t mem = (uint64_t)(frame_table.nr - frame_table.counts[FRAME_HOLE]) << PAGE_SHIFT;
    xen_sysctl_meminfo_t mi = { .memsize = mem,
                                .memfree = (uint64_t)frame_table.counts[FRAME_FREE] << PAGE_SHIFT };
    uint32_t dist = LOCAL_DISTANCE;
    bool want_mem = ni->meminfo.p != NULL, want_dist = ni->distance.p != NULL;

    if (!want_mem && !want_dist) {
        ni->num_nodes = NR_NODES;
        return 0;
    }
    if (ni->num_nodes < NR_NODES) {
        ni->num_nodes = NR_NODES;
        return -ENOBUFS;
    }
    if (want_mem && copy_to_guest((uint64_t)ni->meminfo.p, &mi, sizeof(mi)))
        return -EFAULT;
    if (want_dist && copy_to_guest((uint64_t)ni->distance.p, &dist, sizeof(dist)))
        return -EFAULT;
    ni->num_nodes = NR_NODES;
    return 0;
}

long cputopoinfo(struct xen_sysctl_cputopoinfo *ti)
{
    unsigned n = MIN(ti->num_cpus, (uint32_t)NR_CPUS);

    if (!ti->cputopo.p) {
        ti->num_cpus = NR_CPUS;
        return 0;
    }
    for (unsigned cpu = 0; cpu < n; cpu++) {
        bool online = cpu < nr_cpus_online;
        xen_sysctl_cputopo_t t = {
            .core = online ? cpu : XEN_INVALID_CORE_ID,
            .socket = online ? 0 : XEN_INVALID_SOCKET_ID,
            .node = online ? 0 : XEN_INVALID_NODE_ID,
        };

        if (copy_to_guest((uint64_t)ti->cputopo.p + cpu * sizeof(t), &t, sizeof(t)))
            return -EFAULT;
    }
    if (ti->num_cpus < NR_CPUS) {
        ti->num_cpus = NR_CPUS;
        return -ENOBUFS;
    }
    ti->num_cpus = n;
    return 0;
}
