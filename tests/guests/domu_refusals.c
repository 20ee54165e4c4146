/*
 * What the toolstack interfaces refuse, with Xen 4.17's answers: domains
 * that do not exist (-ESRCH), naming oneself as the foreign domain, a
 * foreign mapping of a frame the foreign domain does not own, populating
 * beyond max_mem, a foreign pin of a table that maps a frame of ours; and,
 * from an unprivileged DomU (the child, CHILD_PROBE), mapping Dom0's
 * frames, populating Dom0, domctl and allocating Dom0's ports.
 */
#include "toolstack.h"

#include <xen/memory.h>

const char test_title[] = "domu_refusals: foreign mappings, pins and limits refused as Xen";

#define NO_DOMAIN 0x7fe0

static struct child c;

static long map_foreign(domid_t dom, unsigned long mfn)
{
    void *va;
    long rc = ts_map_foreign(dom, mfn, false, &va);

    if (!rc)
        ts_unmap_foreign(va);
    return rc;
}

static long populate(domid_t dom, unsigned n)
{
    static xen_pfn_t list[4];
    struct xen_memory_reservation r = { .nr_extents = n, .domid = dom };

    for (unsigned i = 0; i < n; i++)
        list[i] = CHILD_NR_PAGES + i;
    set_xen_guest_handle(r.extent_start, list);
    return hypercall_memory_op(XENMEM_populate_physmap, &r);
}

static void bad_domains(void)
{
    struct xen_domctl dop = { .cmd = XEN_DOMCTL_getvcpuinfo, .domain = NO_DOMAIN };
    evtchn_port_t port;

    /* Xen's reservation ops count what they did: nothing, for no domain. */
    check_rc(populate(NO_DOMAIN, 1), 0, "populate_physmap for no domain: none done");
    check_rc(map_foreign(NO_DOMAIN, pfn_to_mfn(0)), -XEN_ESRCH, "mmu_update, foreigndom none");
    check_rc(map_foreign(0, pfn_to_mfn(0)), -XEN_ESRCH, "mmu_update, foreigndom = our own id");
    check_rc(ts_destroy_domain(NO_DOMAIN), -XEN_ESRCH, "destroydomain of no domain");
    check_rc(domctl(&dop), -XEN_ESRCH, "getvcpuinfo of no domain");
    check_rc(evtchn_alloc_unbound(NO_DOMAIN, 0, &port), -XEN_ESRCH, "alloc_unbound for no domain");
}

static void foreign_refusals(void)
{
    unsigned long ours = alloc_zeroed_frame();
    unsigned long table = c.mfn[100];
    struct xen_domctl dop = { .cmd = XEN_DOMCTL_getvcpuinfo, .domain = c.id };
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = table };
    unsigned done;
    void *va;

    check_rc(map_foreign(c.id, ours), -XEN_EBUSY, "map a frame of ours naming d%u", c.id);
    check_rc(map_foreign(DOMID_SELF, c.mfn[50]), -XEN_EBUSY, "map d%u's frame as our own", c.id);
    check_rc(populate(c.id, 1), 0, "populate one page beyond max_mem: none done");
    /* A page of the child's that maps a frame of ours: not a table it may have. */
    if (ts_map_foreign(c.id, table, true, &va))
        test_error("mapping the child's frame");
    ((uint64_t *)va)[7] = pte_make(ours, PTE_KERNEL_RO);
    ts_unmap_foreign(va);
    check_rc(hypercall_mmuext_op(&op, 1, &done, c.id), -XEN_EINVAL,
             "pin, for d%u, an L1 that maps our frame", c.id);
    check_rc(hypercall_mmuext_op(&op, 1, &done, DOMID_SELF), -XEN_EINVAL,
             "pin d%u's frame as our own L1", c.id);
    dop.u.getvcpuinfo.vcpu = 64;
    check_rc(domctl(&dop), -XEN_EINVAL, "getvcpuinfo of vCPU 64");
}

static void unprivileged(void)
{
    static const long want[NR_PROBES] = {
        [PROBE_MAP_FOREIGN_D0] = -XEN_EPERM, [PROBE_MAP_SELF_D0] = -XEN_EBUSY,
        [PROBE_POPULATE_D0] = 0 /* none done, as for no domain */, [PROBE_DOMCTL] = -XEN_EPERM,
        [PROBE_ALLOC_UNBOUND_D0] = -XEN_EPERM,
    };
    static const char *const what[NR_PROBES] = {
        "DomU: mmu_update mapping Dom0's frame, foreigndom 0",
        "DomU: mmu_update mapping Dom0's frame as its own",
        "DomU: populate_physmap for Dom0", "DomU: domctl",
        "DomU: alloc_unbound in Dom0",
    };

    ts_unpause(c.id);
    check(ts_wait_port(c.local_port), "the child ran its probes");
    for (unsigned i = 0; i < NR_PROBES; i++)
        check_rc((long)c.page->probe_rc[i], want[i], "%s", what[i]);
}

void test_main(void)
{
    events_init();
    bad_domains();
    ts_build_child(&c, CHILD_PROBE);
    c.page->probe_mfn = alloc_zeroed_frame();
    foreign_refusals();
    unprivileged();
    ts_unmap_foreign(c.page_va);
    check_rc(ts_destroy_domain(c.id), 0, "destroy d%u", c.id);
}
