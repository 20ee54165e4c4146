/*
 * A toolstack in a test kernel (toolstack.h). The child's page tables,
 * start_info and vCPU context are what the ABI asks of a domain builder
 * (xen.h, "Start-of-day memory layout", struct start_info; arch-x86/xen.h,
 * struct vcpu_guest_context), as Xen's own Dom0 builder lays them out.
 */
#include "toolstack.h"

#include <xen/grant_table.h>
#include <xen/memory.h>

extern const char child_image[], child_image_end[];

static struct xen_domctl dop;
static struct xen_sysctl sop;
static struct vcpu_guest_context ctxt;
static xen_pfn_t extents[CHILD_NR_PAGES];

long domctl(struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return hypercall(__HYPERVISOR_domctl, (unsigned long)op, 0, 0, 0, 0);
}

long sysctl(struct xen_sysctl *op)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return hypercall(__HYPERVISOR_sysctl, (unsigned long)op, 0, 0, 0, 0);
}

long ts_create_only(domid_t *id)
{
    long rc;

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_createdomain;
    dop.domain = 0; /* any free id */
    dop.u.createdomain.max_vcpus = 1;
    dop.u.createdomain.max_evtchn_port = 1023;
    dop.u.createdomain.max_grant_frames = 32;
    dop.u.createdomain.max_maptrack_frames = 1024;
    dop.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    rc = domctl(&dop);
    if (!rc)
        *id = dop.domain;
    return rc;
}

long ts_max_vcpus(domid_t id, unsigned max)
{
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_max_vcpus;
    dop.domain = id;
    dop.u.max_vcpus.max = max;
    return domctl(&dop);
}

long ts_create_domain(domid_t *id)
{
    long rc = ts_create_only(id);

    if (rc)
        return rc;
    /* Xen 4.17 still allocates the vCPUs here (domctl.h, XEN_DOMCTL_max_vcpus). */
    rc = ts_max_vcpus(*id, 1);
    if (rc)
        ts_destroy_domain(*id);
    return rc;
}

long ts_destroy_domain(domid_t id)
{
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_destroydomain;
    dop.domain = id;
    return domctl(&dop);
}

long ts_domain_info(domid_t id, struct xen_domctl_getdomaininfo *info)
{
    long rc;

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_getdomaininfo;
    dop.domain = id;
    rc = domctl(&dop);
    if (rc)
        return rc;
    if (dop.domain != id)
        return -XEN_ESRCH;
    *info = dop.u.getdomaininfo;
    return 0;
}

uint64_t ts_free_pages(void)
{
    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_physinfo;
    if (sysctl(&sop))
        test_error("physinfo failed");
    return sop.u.physinfo.free_pages;
}

uint64_t ts_settled_free_pages(void)
{
    uint64_t last = ts_free_pages();

    for (unsigned round = 0; round < 50; round++) {
        uint64_t now;

        for (unsigned i = 0; i < 5000; i++)
            hypercall_sched_op(SCHEDOP_yield, 0);
        now = ts_free_pages();
        if (now == last)
            return now;
        last = now;
    }
    return last;
}

unsigned ts_nr_domains(void)
{
    static struct xen_domctl_getdomaininfo infos[16];

    memset(&sop, 0, sizeof(sop));
    sop.cmd = XEN_SYSCTL_getdomaininfolist;
    sop.u.getdomaininfolist.first_domain = 0;
    sop.u.getdomaininfolist.max_domains = ARRAY_SIZE(infos);
    set_xen_guest_handle(sop.u.getdomaininfolist.buffer, infos);
    if (sysctl(&sop))
        test_error("getdomaininfolist failed");
    return sop.u.getdomaininfolist.num_domains;
}

long ts_map_foreign(domid_t dom, unsigned long mfn, bool writable, void **va)
{
    void *slot = scratch_va();
    mmu_update_t req = {
        .ptr = pt_entry_maddr((unsigned long)slot, 1) | MMU_NORMAL_PT_UPDATE,
        .val = pte_make(mfn, writable ? PTE_KERNEL_RW : PTE_KERNEL_RO),
    };
    unsigned int done = 0;
    long rc = hypercall_mmu_update(&req, 1, &done, dom);

    if (rc) {
        unmap_va(slot); /* nothing there: just frees the slot */
        return rc;
    }
    mmuext_one(MMUEXT_INVLPG_LOCAL, (unsigned long)slot, 0);
    *va = slot;
    return 0;
}

void ts_unmap_foreign(void *va)
{
    unmap_va(va); /* a zero entry drops the foreign frame's reference */
}

/* Writes one page of the child through a foreign mapping. */
static void child_write(struct child *c, unsigned pfn, const void *src, size_t len)
{
    void *va;
    long rc = ts_map_foreign(c->id, c->mfn[pfn], true, &va);

    if (rc)
        test_error("mapping the child's pfn %u (mfn %#lx) writable: %ld", pfn, c->mfn[pfn], rc);
    memset(va, 0, PAGE_SIZE);
    memcpy(va, src, len);
    ts_unmap_foreign(va);
}

static void child_memory(struct child *c)
{
    struct xen_memory_reservation r = {
        .nr_extents = CHILD_NR_PAGES, .extent_order = 0, .domid = c->id,
    };
    long rc;

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_max_mem;
    dop.domain = c->id;
    dop.u.max_mem.max_memkb = CHILD_NR_PAGES * 4;
    if ((rc = domctl(&dop)))
        test_error("max_mem: %ld", rc);
    for (unsigned i = 0; i < CHILD_NR_PAGES; i++)
        extents[i] = i;
    set_xen_guest_handle(r.extent_start, extents);
    rc = hypercall_memory_op(XENMEM_populate_physmap, &r);
    if (rc != CHILD_NR_PAGES)
        test_error("populate_physmap for d%u: %ld", c->id, rc);
    for (unsigned i = 0; i < CHILD_NR_PAGES; i++)
        c->mfn[i] = extents[i]; /* a PV domain's frames come back as MFNs */
}

/* The M2P says which pfn each frame is (MMU_MACHPHYS_UPDATE with the child as foreigndom). */
static void child_m2p(struct child *c)
{
    static mmu_update_t reqs[CHILD_NR_PAGES];
    unsigned int done = 0;
    long rc;

    for (unsigned i = 0; i < CHILD_NR_PAGES; i++)
        reqs[i] = (mmu_update_t){ .ptr = ((uint64_t)c->mfn[i] << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                                  .val = i };
    rc = hypercall_mmu_update(reqs, CHILD_NR_PAGES, &done, c->id);
    if (rc || done != CHILD_NR_PAGES)
        test_error("MMU_MACHPHYS_UPDATE for the child: %ld, %u done", rc, done);
}

static void child_page_tables(struct child *c)
{
    static uint64_t t[512];
    unsigned long va = CHILD_VIRT_BASE;
    unsigned l4 = CHILD_PFN_L4;

    memset(t, 0, sizeof(t));
    t[PT_INDEX(va, 4)] = pte_make(c->mfn[l4 + 1], PTE_TABLE);
    child_write(c, l4, t, sizeof(t));
    memset(t, 0, sizeof(t));
    t[PT_INDEX(va, 3)] = pte_make(c->mfn[l4 + 2], PTE_TABLE);
    child_write(c, l4 + 1, t, sizeof(t));
    memset(t, 0, sizeof(t));
    t[PT_INDEX(va, 2)] = pte_make(c->mfn[l4 + 3], PTE_TABLE);
    child_write(c, l4 + 2, t, sizeof(t));
    memset(t, 0, sizeof(t));
    for (unsigned i = 0; i < CHILD_NR_PAGES; i++) {
        bool table = i >= l4 && i < l4 + CHILD_NR_PT; /* the ABI maps its tables read-only */

        t[PT_INDEX(va, 1) + i] = pte_make(c->mfn[i], table ? PTE_KERNEL_RO : PTE_KERNEL_RW);
    }
    child_write(c, l4 + 3, t, sizeof(t));
}

static void child_start_info(struct child *c, const struct xen_domctl_getdomaininfo *info)
{
    static start_info_t si;
    static uint64_t p2m[CHILD_NR_PAGES];

    for (unsigned i = 0; i < CHILD_NR_PAGES; i++)
        p2m[i] = c->mfn[i];
    child_write(c, CHILD_PFN_P2M, p2m, sizeof(p2m));
    memset(&si, 0, sizeof(si));
    memcpy(si.magic, "xen-3.0-x86_64", sizeof("xen-3.0-x86_64"));
    si.nr_pages = CHILD_NR_PAGES;
    si.shared_info = (uint64_t)info->shared_info_frame << PAGE_SHIFT;
    si.store_mfn = c->mfn[CHILD_PFN_STORE];
    si.store_evtchn = c->port;
    si.console.domU.mfn = c->mfn[CHILD_PFN_CONSOLE];
    si.console.domU.evtchn = c->port;
    si.pt_base = CHILD_VIRT_BASE + CHILD_PFN_L4 * PAGE_SIZE;
    si.nr_pt_frames = CHILD_NR_PT;
    si.mfn_list = CHILD_VIRT_BASE + CHILD_PFN_P2M * PAGE_SIZE;
    child_write(c, CHILD_PFN_START, &si, sizeof(si));
}

/* As libxc: every vCPU starts with its upcalls masked (shared_info, mapped foreign). */
static void child_shared_info(struct child *c, const struct xen_domctl_getdomaininfo *info)
{
    shared_info_t *s;
    long rc = ts_map_foreign(c->id, info->shared_info_frame, true, (void **)&s);

    if (rc)
        test_error("mapping the child's shared_info (mfn %#lx): %ld",
                   (unsigned long)info->shared_info_frame, rc);
    for (unsigned i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        s->vcpu_info[i].evtchn_upcall_mask = 1;
    ts_unmap_foreign(s);
}

static void child_vcpu(struct child *c)
{
    long rc;

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_hypercall_init;
    dop.domain = c->id;
    dop.u.hypercall_init.gmfn = c->mfn[CHILD_PFN_HCALL];
    if ((rc = domctl(&dop)))
        test_error("hypercall_init: %ld", rc);
    memset(&ctxt, 0, sizeof(ctxt));
    ctxt.flags = VGCF_in_kernel | VGCF_online;
    ctxt.user_regs.rip = CHILD_VIRT_BASE;
    ctxt.user_regs.rsp = CHILD_VIRT_BASE + (CHILD_PFN_STACK + 1) * PAGE_SIZE;
    ctxt.user_regs.rsi = CHILD_VIRT_BASE + CHILD_PFN_START * PAGE_SIZE;
    ctxt.user_regs.cs = FLAT_KERNEL_CS;
    ctxt.user_regs.ss = FLAT_KERNEL_SS;
    ctxt.user_regs.ds = ctxt.user_regs.es = FLAT_KERNEL_DS;
    ctxt.user_regs.rflags = 1 << 9; /* IF */
    ctxt.user_regs.fs = ctxt.user_regs.gs = FLAT_KERNEL_DS;
    ctxt.debugreg[6] = 0xffff0ff0; /* the architectural reset values, as libxc passes */
    ctxt.debugreg[7] = 0x00000400;
    ctxt.kernel_ss = FLAT_KERNEL_SS;
    ctxt.kernel_sp = ctxt.user_regs.rsp;
    ctxt.ctrlreg[3] = (uint64_t)c->mfn[CHILD_PFN_L4] << PAGE_SHIFT; /* xen_pfn_to_cr3 */
    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_setvcpucontext;
    dop.domain = c->id;
    dop.u.vcpucontext.vcpu = 0;
    set_xen_guest_handle(dop.u.vcpucontext.ctxt, &ctxt);
    if ((rc = domctl(&dop)))
        test_error("setvcpucontext: %ld", rc);
}

static void child_events(struct child *c)
{
    long rc = evtchn_alloc_unbound(c->id, 0, &c->port);

    if (rc)
        test_error("alloc_unbound(dom %u, remote 0): %ld", c->id, rc);
}

static void bind_child_port(struct child *c)
{
    long rc = evtchn_bind_interdomain(c->id, c->port, &c->local_port);

    if (rc)
        test_error("bind_interdomain(d%u port %u): %ld", c->id, c->port, rc);
    port_mask(c->local_port);
    port_clear_pending(c->local_port); /* binding notifies the new local port */
}

void ts_build_child(struct child *c, enum child_command command)
{
    size_t image = (size_t)(child_image_end - child_image);
    struct xen_domctl_getdomaininfo info;
    struct child_page cmd = { .command = command };
    long rc;

    memset(c, 0, sizeof(*c));
    if (image > CHILD_MAX_IMAGE)
        test_error("child image %zu bytes: more than a page", image);
    if ((rc = ts_create_domain(&c->id)))
        test_error("createdomain: %ld", rc);
    if ((rc = ts_domain_info(c->id, &info)))
        test_error("getdomaininfo d%u: %ld", c->id, rc);
    child_memory(c);
    child_m2p(c);
    child_write(c, CHILD_PFN_IMAGE, child_image, image);
    child_write(c, CHILD_PFN_STORE, &cmd, sizeof(cmd));
    child_events(c);
    child_start_info(c, &info);
    child_shared_info(c, &info);
    child_page_tables(c);
    rc = pin_l4_foreign(c->id, c->mfn[CHILD_PFN_L4]);
    if (rc)
        test_error("MMUEXT_PIN_L4_TABLE for d%u: %ld", c->id, rc);
    child_vcpu(c);
    bind_child_port(c);
    if ((rc = ts_map_foreign(c->id, c->mfn[CHILD_PFN_STORE], true, &c->page_va)))
        test_error("mapping the child's store page: %ld", rc);
    c->page = c->page_va;
}

long pin_l4_foreign(domid_t dom, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = mfn };
    unsigned int done = 0;

    return hypercall_mmuext_op(&op, 1, &done, dom);
}

void ts_unpause(domid_t id)
{
    long rc;

    memset(&dop, 0, sizeof(dop));
    dop.cmd = XEN_DOMCTL_unpausedomain;
    dop.domain = id;
    if ((rc = domctl(&dop)))
        test_error("unpause d%u: %ld", id, rc);
}

/* About 2 s of yielding: the child runs meanwhile. */
#define WAIT_ROUNDS 200000

bool ts_wait_port(evtchn_port_t port)
{
    for (unsigned i = 0; i < WAIT_ROUNDS; i++) {
        if (port_pending(port))
            return true;
        hypercall_sched_op(SCHEDOP_yield, 0);
    }
    return false;
}

bool ts_wait_shutdown(domid_t id, struct xen_domctl_getdomaininfo *info)
{
    for (unsigned i = 0; i < WAIT_ROUNDS; i++) {
        if (ts_domain_info(id, info))
            return false;
        if (info->flags & XEN_DOMINF_shutdown)
            return true;
        hypercall_sched_op(SCHEDOP_yield, 0);
    }
    return false;
}

grant_entry_v1_t *ts_map_grant_table(struct child *c)
{
    xen_pfn_t frame;
    xen_mem_acquire_resource_t r = {
        .domid = c->id, .type = XENMEM_resource_grant_table,
        .id = XENMEM_resource_grant_table_id_shared, .nr_frames = 1, .frame = 0,
    };
    void *table = NULL;

    set_xen_guest_handle(r.frame_list, &frame);
    if (!check_rc(hypercall_memory_op(XENMEM_acquire_resource, &r), 0,
                  "acquire d%u's grant frame 0", c->id) ||
        !check_rc(ts_map_foreign(c->id, frame, true, &table), 0, "map d%u's grant frame 0", c->id))
        return NULL;
    return table;
}

long ts_seed_grant(struct child *c, grant_ref_t ref, unsigned pfn)
{
    static xen_pfn_t frame;
    xen_mem_acquire_resource_t r = {
        .domid = c->id, .type = XENMEM_resource_grant_table,
        .id = XENMEM_resource_grant_table_id_shared, .nr_frames = 1, .frame = 0,
    };
    grant_entry_v1_t *table;
    long rc;

    set_xen_guest_handle(r.frame_list, &frame);
    rc = hypercall_memory_op(XENMEM_acquire_resource, &r);
    if (rc)
        return rc;
    rc = ts_map_foreign(c->id, frame, true, (void **)&table);
    if (rc)
        return rc;
    table[ref].domid = 0;
    table[ref].frame = (uint32_t)c->mfn[pfn]; /* PV: the frame is an MFN */
    __atomic_store_n(&table[ref].flags, GTF_permit_access, __ATOMIC_RELEASE);
    ts_unmap_foreign(table);
    return 0;
}
