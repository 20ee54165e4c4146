/*
 * Dom0 as a toolstack (runtime/toolstack.c): builds a PV DomU from the
 * child image (createdomain, max_mem, populate_physmap for it, foreign
 * mappings with mmu_update's foreigndom, its page tables pinned as its
 * own, start_info, an unbound port with remote 0 bound from here,
 * hypercall_init, setvcpucontext), runs it and sees it run (its marker in
 * its store page, mapped here, and its event on our port), then destroys
 * it while still mapping one of its frames: the domain stays, dying, until
 * that mapping goes, and then free memory and the domain list are back.
 */
#include "gnttab.h"
#include "toolstack.h"

const char test_title[] = "domu_build: Dom0 builds, runs and destroys a PV DomU";

static struct child c;
static struct gnttab_map_grant_ref gmap;
static void *grant_va;

#define STORE_REF 1 /* GNTTAB_RESERVED_XENSTORE, as libxc seeds it */

/* A backend's view: Dom0 maps the child's granted store page by grant reference. */
static void map_child_grant(void)
{
    grant_va = scratch_va();
    gmap = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)grant_va,
                                          .flags = GNTMAP_host_map | GNTMAP_readonly,
                                          .ref = STORE_REF, .dom = c.id };
    check_rc(hypercall_grant_table_op(GNTTABOP_map_grant_ref, (unsigned long)&gmap, 1), 0, "map_grant_ref");
    check_gntst(gmap.status, GNTST_okay, "map the child's grant %u", STORE_REF);
    if (gmap.status == GNTST_okay)
        check(!strcmp((const char *)grant_va + offsetof(struct child_page, marker), CHILD_MARKER),
              "its marker through the grant mapping");
}

static void unmap_child_grant(void)
{
    struct gnttab_unmap_grant_ref u = { .host_addr = (unsigned long)grant_va,
                                        .handle = gmap.handle };

    check_rc(hypercall_grant_table_op(GNTTABOP_unmap_grant_ref, (unsigned long)&u, 1), 0, "unmap_grant_ref");
    check_gntst(u.status, GNTST_okay, "unmap the child's grant after its death");
    unmap_va(grant_va); /* frees the scratch slot (the entry is already clear) */
}

static void check_running(void)
{
    struct xen_domctl_getdomaininfo info;
    struct xen_domctl dop = { .cmd = XEN_DOMCTL_getvcpuinfo, .domain = c.id };
    evtchn_status_t st;

    check(ts_wait_port(c.local_port), "the child signalled our port %u", c.local_port);
    check(c.page->ran == 1, "the child ran (ran = %u)", c.page->ran);
    check(!strcmp((const char *)c.page->marker, CHILD_MARKER), "its marker: '%s'",
          (const char *)c.page->marker);
    check(!strncmp((const char *)c.page->magic, "xen-3.0-x86_64", 14), "it read start_info ('%s')",
          (const char *)c.page->magic);
    check(c.page->nr_pages == CHILD_NR_PAGES, "start_info.nr_pages %lu",
          (unsigned long)c.page->nr_pages);
    check_rc((long)c.page->send_rc, 0, "its EVTCHNOP_send through the hypercall page");
    check_rc((long)c.page->vcpu_info_rc, 0, "its VCPUOP_register_vcpu_info (held until it dies)");
    check_rc(evtchn_status(c.id, c.port, &st), 0, "status of the child's port");
    check(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == 0 &&
              st.u.interdomain.port == c.local_port,
          "the child's port is bound to d0 port %u (status %u, d%u port %u)", c.local_port,
          st.status, st.u.interdomain.dom, st.u.interdomain.port);
    check_rc(ts_domain_info(c.id, &info), 0, "getdomaininfo d%u", c.id);
    check(info.tot_pages == CHILD_NR_PAGES && info.max_pages == CHILD_NR_PAGES,
          "tot_pages %lu, max_pages %lu", (unsigned long)info.tot_pages,
          (unsigned long)info.max_pages);
    check(!(info.flags & (XEN_DOMINF_paused | XEN_DOMINF_dying | XEN_DOMINF_shutdown)),
          "running, not paused, dying or shut down (flags %#x)", info.flags);
    /* No shutdown code yet: Xen shifts in SHUTDOWN_CODE_INVALID (~0u), all ones above bit 16. */
    check(info.flags >> XEN_DOMINF_shutdownshift == 0xffff,
          "a running domain's shutdown code bits are all ones (flags %#x)", info.flags);
    dop.u.getvcpuinfo.vcpu = 0;
    check_rc(domctl(&dop), 0, "getvcpuinfo d%u vcpu 0", c.id);
    check(dop.u.getvcpuinfo.online, "its vCPU 0 is online");
}

static void check_destroy(uint64_t free_before, unsigned domains_before)
{
    struct xen_domctl_getdomaininfo info;
    evtchn_status_t st;
    uint64_t free_now = 0;

    check_rc(ts_destroy_domain(c.id), 0, "destroydomain d%u (its store page still mapped here)",
             c.id);
    check_rc(ts_domain_info(c.id, &info), 0, "a destroyed domain whose frame we map is still there");
    check(info.flags & XEN_DOMINF_dying, "dying (flags %#x)", info.flags);
    check(info.tot_pages >= 1, "holding the frame we map (tot_pages %lu)",
          (unsigned long)info.tot_pages);
    check(!strcmp((const char *)c.page->marker, CHILD_MARKER), "the mapped frame is still its own");
    ts_unmap_foreign(c.page_va);
    check_rc(ts_domain_info(c.id, &info), 0, "still there while our grant mapping of it lasts");
    unmap_child_grant();
    check_rc(evtchn_status(DOMID_SELF, c.local_port, &st), 0, "status of our port");
    check(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == c.id,
          "our end became unbound, waiting for d%u (status %u, dom %u)", c.id, st.status,
          st.u.unbound.dom);
    check_rc(evtchn_close(c.local_port), 0, "close our port");
    for (unsigned i = 0; i < 200000; i++) {
        long gone = ts_domain_info(c.id, &info) == -XEN_ESRCH;

        free_now = ts_free_pages();
        if (free_now >= free_before && gone)
            break;
        hypercall_sched_op(SCHEDOP_yield, 0);
    }
    check_rc(ts_domain_info(c.id, &info), -XEN_ESRCH, "d%u is gone once its last frame is unmapped",
             c.id);
    /* Xen 4.17 frees a dead domain's own structures lazily: at least all came back. */
    check(free_now >= free_before, "free pages back: %lu (before %lu)", (unsigned long)free_now,
          (unsigned long)free_before);
    check(ts_nr_domains() == domains_before, "domain list back to %u (now %u)", domains_before,
          ts_nr_domains());
}

/*
 * Between createdomain and XEN_DOMCTL_max_vcpus a Xen 4.17 domain has no
 * vCPU yet (max_vcpus allocates them), and a toolstack can see it.
 */
static domid_t create_before_max_vcpus(void)
{
    struct xen_domctl_getdomaininfo info;
    struct xen_domctl dop = { .cmd = XEN_DOMCTL_getvcpuinfo };
    domid_t id = DOMID_INVALID;

    if (!check_rc(ts_create_only(&id), 0, "createdomain alone"))
        return id;
    dop.domain = id;
    check_rc(ts_domain_info(id, &info), 0, "getdomaininfo before max_vcpus");
    check(info.max_vcpu_id == XEN_INVALID_MAX_VCPU_ID && info.nr_online_vcpus == 0,
          "no vCPU yet: max_vcpu_id %#x, %u online", info.max_vcpu_id, info.nr_online_vcpus);
    check(!(info.flags & (XEN_DOMINF_running | XEN_DOMINF_blocked)),
          "neither running nor blocked (flags %#x)", info.flags);
    check_rc(domctl(&dop), -XEN_ESRCH, "getvcpuinfo of vCPU 0 before max_vcpus");
    check_rc(ts_max_vcpus(id, 2), -XEN_EINVAL, "max_vcpus other than createdomain's");
    check_rc(ts_max_vcpus(id, 1), 0, "max_vcpus as createdomain said");
    check_rc(ts_domain_info(id, &info), 0, "getdomaininfo after max_vcpus");
    check(info.max_vcpu_id == 0 && info.nr_online_vcpus == 0, "vCPU 0, offline (max_vcpu_id %#x, %u online)",
          info.max_vcpu_id, info.nr_online_vcpus);
    check(!(info.flags & (XEN_DOMINF_running | XEN_DOMINF_blocked)),
          "an offline vCPU is neither running nor blocked (flags %#x)", info.flags);
    dop.cmd = XEN_DOMCTL_getvcpuinfo;
    dop.domain = id;
    dop.u.getvcpuinfo.vcpu = 0;
    check_rc(domctl(&dop), 0, "getvcpuinfo of vCPU 0 after max_vcpus");
    return id;
}

void test_main(void)
{
    uint64_t free_before;
    unsigned domains_before;
    struct xen_domctl_getdomaininfo info;

    events_init();
    /*
     * A first domain's life leaves the hypervisor with what it allocates
     * once (Xen 4.17 keeps one page more after it): measure from a second.
     */
    domid_t first = create_before_max_vcpus();

    if (first != DOMID_INVALID)
        ts_destroy_domain(first);
    {
        /* Our own grant table (its maptrack), which a backend keeps for good. */
        struct gnttab_query_size q = { .dom = DOMID_SELF };

        hypercall_grant_table_op(GNTTABOP_query_size, (unsigned long)&q, 1);
    }
    free_before = ts_settled_free_pages();
    domains_before = ts_nr_domains();
    ts_build_child(&c, CHILD_WAIT);
    /* libxl refuses an id destroyed in the last minute: ids go round, as Xen's rover. */
    check(c.id != first, "a new domain gets a new id (d%u after d%u was destroyed)", c.id, first);
    check_rc(ts_seed_grant(&c, STORE_REF, CHILD_PFN_STORE), 0,
             "seed the child's store grant through XENMEM_acquire_resource");
    check_rc(ts_domain_info(c.id, &info), 0, "getdomaininfo of the built child");
    check(info.flags & XEN_DOMINF_paused, "built, still paused (flags %#x)", info.flags);
    check(ts_free_pages() < free_before, "its memory came out of the free pages");
    check(ts_nr_domains() == domains_before + 1, "one more domain in the list");
    ts_unpause(c.id);
    check_running();
    map_child_grant();
    check_destroy(free_before, domains_before);
}
