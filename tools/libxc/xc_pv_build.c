/*
 * The PV domain builder: loads a 64-bit Linux (or any kernel with Xen
 * notes) into a created, paused domain, the way Xen's libxc does for the
 * 4.17 ABI. The layout and the bytes written come from xc_pv_layout.c; this
 * file does the hypercalls: memory, mappings, M2P, ports, pin, vCPU 0.
 */
#include "xc_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "xc_kernel.h"
#include "xc_pv_layout.h"

struct build {
    xc_t *xc;
    struct xc_pv_build *b;
    struct xc_kernel k;
    uint8_t *ramdisk;
    size_t ramdisk_len;
    struct xc_pv_layout lay;
    xen_pfn_t *p2m;     /* pfn -> mfn, lay.nr_pages entries */
    void *region;       /* pfns 0 .. mapped - 1 (xc_pv_written_pages), mapped here while building */
    unsigned long mapped;
    uint64_t shared_info_mfn;
};

static int load_inputs(struct build *s)
{
    int rc = xc_kernel_read(s->b->kernel_path, &s->k, s->xc->err, sizeof(s->xc->err));

    if (rc || !s->b->ramdisk_path)
        return rc;
    return xc_read_file(s->b->ramdisk_path, &s->ramdisk, &s->ramdisk_len, s->xc->err,
                        sizeof(s->xc->err));
}

/* MMU_MACHPHYS_UPDATE (public/xen.h): ptr = machine address | 1, val = pfn. */
static int set_m2p(struct build *s)
{
    const unsigned long batch = 256;
    mmu_update_t *req = xc_buf_alloc(s->xc, batch * sizeof(*req));
    int rc = 0;

    if (!req)
        return -ENOMEM;
    for (unsigned long pfn = 0; pfn < s->lay.nr_pages && rc == 0; pfn += batch) {
        unsigned long n = s->lay.nr_pages - pfn < batch ? s->lay.nr_pages - pfn : batch;
        long r;

        for (unsigned long i = 0; i < n; i++) {
            req[i].ptr = ((uint64_t)s->p2m[pfn + i] << XC_PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
            req[i].val = pfn + i;
        }
        /* foreigndom = the new domain: it owns the frames (do_mmu_update's pg_owner). */
        r = xc_hypercall(s->xc, __HYPERVISOR_mmu_update, (uint64_t)(uintptr_t)req, n, 0,
                         s->b->domid, 0);
        if (r < 0)
            rc = xc_fail(s->xc, (int)r, "build: mmu_update MACHPHYS for pfns %#lx+%lu", pfn, n);
    }
    xc_buf_free(s->xc, req, batch * sizeof(*req));
    return rc;
}

/* 2 MiB extents: 512 frames, machine-contiguous (Xen's and Xenolith's limit for a DomU). */
#define SUPERPAGE_ORDER 9

/*
 * Every pfn below nr, given p2m[pfn] = pfn: in 2 MiB extents as far as the
 * hypervisor gives them (one allocation and one list entry for 512
 * frames; a PV guest needs no contiguous memory, but takes it), the rest
 * and whatever it refused in single pages.
 */
static int populate(struct build *s, unsigned long nr)
{
    unsigned long nbig = nr >> SUPERPAGE_ORDER, big = 0;
    xen_pfn_t *ext = nbig ? malloc(nbig * sizeof(*ext)) : NULL;

    if (ext) {
        long got;

        for (unsigned long i = 0; i < nbig; i++)
            ext[i] = i << SUPERPAGE_ORDER;
        got = xc_populate_physmap_order(s->xc, s->b->domid, SUPERPAGE_ORDER, nbig, ext);
        for (long i = 0; i < got; i++)
            for (unsigned long j = 0; j < 1UL << SUPERPAGE_ORDER; j++)
                s->p2m[((unsigned long)i << SUPERPAGE_ORDER) + j] = ext[i] + j;
        big = got > 0 ? (unsigned long)got << SUPERPAGE_ORDER : 0;
        free(ext);
    }
    return big == nr ? 0 : xc_populate_physmap(s->xc, s->b->domid, nr - big, s->p2m + big);
}

/* max_mem first (populate_physmap stops at max_pages), then every pfn, then the M2P. */
static int allocate_memory(struct build *s)
{
    struct xen_domctl_getdomaininfo info;
    unsigned long nr = s->lay.nr_pages;
    int rc = xc_domain_info(s->xc, s->b->domid, &info);

    if (rc)
        return rc;
    s->shared_info_mfn = info.shared_info_frame;
    if (info.max_pages < nr && (rc = xc_domain_max_mem(s->xc, s->b->domid, s->b->mem_kib)))
        return rc;
    s->p2m = malloc(nr * sizeof(*s->p2m));
    if (!s->p2m)
        return xc_fail(s->xc, -ENOMEM, "build: p2m of %lu pages", nr);
    for (unsigned long pfn = 0; pfn < nr; pfn++)
        s->p2m[pfn] = pfn;
    rc = populate(s, nr);
    return rc ? rc : set_m2p(s);
}

static int map_frames(struct build *s, xen_pfn_t pfn, unsigned long n, void **addr)
{
    *addr = xc_map_foreign(s->xc, s->b->domid, PROT_READ | PROT_WRITE, s->p2m + pfn, n, NULL);
    return *addr ? 0 : -EFAULT;
}

static int load_ramdisk_unmapped(struct build *s)
{
    void *mem;
    int rc;

    if (!s->ramdisk_len || s->lay.ramdisk_mapped)
        return 0;
    rc = map_frames(s, s->lay.ramdisk_pfn, s->lay.ramdisk_pages, &mem);
    if (rc)
        return rc;
    memcpy(mem, s->ramdisk, s->ramdisk_len);
    memset((uint8_t *)mem + s->ramdisk_len, 0,
           s->lay.ramdisk_pages * XC_PAGE_SIZE - s->ramdisk_len);
    xc_unmap_foreign(mem, s->lay.ramdisk_pages);
    return 0;
}

/* Everything inside the bootstrap region except start_info (it needs the ports). */
static int fill_region(struct build *s)
{
    const struct xc_pv_layout *lay = &s->lay;
    int rc;

    s->mapped = xc_pv_written_pages(lay);
    rc = map_frames(s, 0, s->mapped, &s->region);
    if (rc)
        return rc;
    /*
     * No memset of the region: populate_physmap hands out frames already
     * cleared (Xen scrubs every frame before a domain gets it; Xenolith
     * clears at allocation), and clearing megabytes again in Dom0 cost
     * 5-7 ms of a create under QEMU.
     */
    rc = xc_kernel_copy(&s->k, s->region, lay->virt_base, s->mapped * XC_PAGE_SIZE,
                        s->xc->err, sizeof(s->xc->err));
    if (rc)
        return rc;
    if (lay->ramdisk_mapped)
        memcpy((uint8_t *)s->region + (lay->ramdisk_pfn << XC_PAGE_SHIFT), s->ramdisk,
               s->ramdisk_len);
    xc_pv_write_p2m(lay, s->p2m, s->region);
    xc_pv_build_pagetables(lay, s->p2m, s->region);
    return load_ramdisk_unmapped(s);
}

static int alloc_ports(struct build *s)
{
    int store = xc_evtchn_alloc_unbound(s->xc, s->b->domid, s->b->store_domid);
    int console = store < 0 ? store : xc_evtchn_alloc_unbound(s->xc, s->b->domid,
                                                             s->b->console_domid);

    if (console < 0)
        return console;
    s->b->store_port = (uint32_t)store;
    s->b->console_port = (uint32_t)console;
    s->b->store_mfn = s->p2m[s->lay.store_pfn];
    s->b->console_mfn = s->p2m[s->lay.console_pfn];
    return 0;
}

static void write_start_info(struct build *s)
{
    struct xc_pv_start st = {.shared_info_mfn = s->shared_info_mfn,
                             .store_evtchn = s->b->store_port,
                             .console_evtchn = s->b->console_port,
                             .cmdline = s->b->cmdline};
    void *page = (uint8_t *)s->region + (s->lay.start_info_pfn << XC_PAGE_SHIFT);

    xc_pv_fill_start_info(page, &s->lay, s->p2m, &st);
}

/* XEN_DOMCTL_hypercall_init: Xen writes its stubs into that page (gmfn is the MFN on PV). */
static int hypercall_page(struct build *s)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_hypercall_init, .domain = (domid_t)s->b->domid};
    uint64_t va = s->k.notes.hypercall_page;

    if (!s->k.notes.has_hypercall_page)
        return 0;
    if (va < s->lay.virt_base || va >= xc_pv_va(&s->lay, s->lay.kernel_end_pfn))
        return xc_fail(s->xc, -EINVAL, "build: hypercall page %#llx outside the kernel",
                       (unsigned long long)va);
    op.u.hypercall_init.gmfn = s->p2m[(va - s->lay.virt_base) >> XC_PAGE_SHIFT];
    return xc_domctl(s->xc, &op);
}

/* Linux expects every vcpu_info's evtchn_upcall_mask set at entry (public/xen.h). */
static int mask_upcalls(struct build *s)
{
    xen_pfn_t mfn = s->shared_info_mfn;
    shared_info_t *si = xc_map_foreign(s->xc, s->b->domid, PROT_READ | PROT_WRITE, &mfn, 1,
                                       NULL);

    if (!si)
        return -EFAULT;
    for (unsigned i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        si->vcpu_info[i].evtchn_upcall_mask = 1;
    xc_unmap_foreign(si, 1);
    return 0;
}

/* MMUEXT_PIN_L4_TABLE with the domain as foreigndom: validates the whole tree. */
static int pin_l4(struct build *s)
{
    struct mmuext_op op = {.cmd = MMUEXT_PIN_L4_TABLE};
    void *buf = xc_buf_alloc(s->xc, sizeof(op));
    long rc;

    if (!buf)
        return -ENOMEM;
    op.arg1.mfn = xc_pv_l4_mfn(&s->lay, s->p2m);
    memcpy(buf, &op, sizeof(op));
    rc = xc_hypercall(s->xc, __HYPERVISOR_mmuext_op, (uint64_t)(uintptr_t)buf, 1, 0,
                      s->b->domid, 0);
    xc_buf_free(s->xc, buf, sizeof(op));
    if (rc < 0)
        return xc_fail(s->xc, (int)rc, "build: mmuext_op PIN_L4_TABLE mfn %#lx",
                       (unsigned long)op.arg1.mfn);
    return 0;
}

static int set_vcpu0(struct build *s)
{
    vcpu_guest_context_t ctx;

    xc_pv_vcpu_context(&ctx, &s->lay, s->k.entry, xc_pv_l4_mfn(&s->lay, s->p2m));
    return xc_vcpu_setcontext(s->xc, s->b->domid, 0, &ctx, sizeof(ctx));
}

static int compute_layout(struct build *s)
{
    unsigned long nr_pages = (unsigned long)(s->b->mem_kib >> 2);

    return xc_pv_layout_compute(s->k.virt_base, s->k.vstart, s->k.vend, s->ramdisk_len,
                                s->k.notes.mod_start_pfn, nr_pages, &s->lay, s->xc->err,
                                sizeof(s->xc->err));
}

/*
 * The region's writable mapping must be gone before the pin: Xen refuses
 * to type a frame as a page table while a writable mapping of it exists.
 */
int xc_pv_build(xc_t *xc, struct xc_pv_build *b)
{
    struct build s = {.xc = xc, .b = b};
    int rc;

    xc->err[0] = '\0';
    if ((rc = load_inputs(&s)) || (rc = compute_layout(&s)) || (rc = allocate_memory(&s)) ||
        (rc = fill_region(&s)) || (rc = alloc_ports(&s)))
        goto out;
    write_start_info(&s);
    xc_unmap_foreign(s.region, s.mapped);
    s.region = NULL;
    if ((rc = hypercall_page(&s)) || (rc = mask_upcalls(&s)) || (rc = pin_l4(&s)) ||
        (rc = set_vcpu0(&s)))
        goto out;
out:
    if (s.region)
        xc_unmap_foreign(s.region, s.mapped);
    free(s.p2m);
    free(s.ramdisk);
    xc_kernel_free(&s.k);
    return rc;
}

/* The layout the last xc_pv_build would use for a kernel, for tools that print it. */
int xc_pv_plan(const char *kernel, const char *ramdisk, uint64_t mem_kib,
               struct xc_pv_layout *lay, char *err, size_t errlen)
{
    struct xc_kernel k;
    uint8_t *rd = NULL;
    size_t rd_len = 0;
    int rc = xc_kernel_read(kernel, &k, err, errlen);

    if (rc)
        return rc;
    if (ramdisk && (rc = xc_read_file(ramdisk, &rd, &rd_len, err, errlen)))
        goto out;
    rc = xc_pv_layout_compute(k.virt_base, k.vstart, k.vend, rd_len, k.notes.mod_start_pfn,
                              (unsigned long)(mem_kib >> 2), lay, err, errlen);
out:
    free(rd);
    xc_kernel_free(&k);
    return rc;
}
