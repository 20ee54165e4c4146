/*
 * Layout and contents of a 64-bit PV guest's bootstrap region, as
 * public/xen.h ("Start-of-day memory layout") orders it:
 * kernel, [ramdisk], p2m list, start_info, xenstore page, console page,
 * page tables, boot stack, then slack up to a 4 MiB boundary with at least
 * 512 KiB after the stack. Everything in it is RAM mapped 1:1 from
 * VIRT_BASE (pfn 0).
 */
#include "xc_private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xc_pv_layout.h"

#define FAIL(rc, ...) xc_fail_buf(err, errlen, rc, __VA_ARGS__)

static unsigned long pages_of(uint64_t bytes)
{
    return (unsigned long)((bytes + XC_PAGE_SIZE - 1) >> XC_PAGE_SHIFT);
}

/* Tables of one level needed for [from, to): one per 2^shift bytes touched. */
static unsigned tables(uint64_t from, uint64_t to, unsigned shift)
{
    return (unsigned)(((to - 1) >> shift) - (from >> shift) + 1);
}

/*
 * The tables depend on the region's end, which depends on the tables: grow
 * the guess until the tables for the end it gives fit in it (libxc's
 * alloc_pgtables_pv iterates the same way).
 */
static void place_pagetables(struct xc_pv_layout *lay)
{
    const unsigned long extra = 1 + XC_PV_BOOT_SLACK / XC_PAGE_SIZE; /* stack + slack */
    unsigned long guess = 0;

    for (;;) {
        uint64_t want = xc_pv_va(lay, lay->pt_pfn + guess + extra);
        uint64_t end = (want + XC_PV_REGION_ALIGN - 1) & ~(XC_PV_REGION_ALIGN - 1);

        lay->nr_l3 = tables(lay->virt_base, end, 39);
        lay->nr_l2 = tables(lay->virt_base, end, 30);
        lay->nr_l1 = tables(lay->virt_base, end, 21);
        lay->nr_pt = 1ul + lay->nr_l3 + lay->nr_l2 + lay->nr_l1;
        lay->virt_end = end;
        if (lay->nr_pt <= guess)
            break;
        guess = lay->nr_pt;
    }
    lay->stack_pfn = lay->pt_pfn + lay->nr_pt;
    lay->region_pages = (unsigned long)((lay->virt_end - lay->virt_base) >> XC_PAGE_SHIFT);
}

int xc_pv_layout_compute(uint64_t virt_base, uint64_t kern_vstart, uint64_t kern_vend,
                         uint64_t ramdisk_len, bool ramdisk_unmapped, unsigned long nr_pages,
                         struct xc_pv_layout *lay, char *err, size_t errlen)
{
    xen_pfn_t next;

    memset(lay, 0, sizeof(*lay));
    if (virt_base & (XC_PV_REGION_ALIGN - 1))
        return FAIL(-EINVAL, "layout: VIRT_BASE %#llx, 4 MiB aligned expected",
                    (unsigned long long)virt_base);
    if (kern_vstart < virt_base || kern_vend <= kern_vstart)
        return FAIL(-EINVAL, "layout: kernel %#llx-%#llx not above VIRT_BASE %#llx",
                    (unsigned long long)kern_vstart, (unsigned long long)kern_vend,
                    (unsigned long long)virt_base);
    lay->virt_base = virt_base;
    lay->nr_pages = nr_pages;
    lay->kernel_pfn = (kern_vstart - virt_base) >> XC_PAGE_SHIFT;
    lay->kernel_end_pfn = pages_of(kern_vend - virt_base);
    next = lay->kernel_end_pfn;
    lay->ramdisk_len = ramdisk_len;
    lay->ramdisk_pages = pages_of(ramdisk_len);
    lay->ramdisk_mapped = ramdisk_len && !ramdisk_unmapped;
    if (lay->ramdisk_mapped) {
        lay->ramdisk_pfn = next;
        next += lay->ramdisk_pages;
    }
    lay->p2m_pfn = next;
    lay->p2m_pages = pages_of((uint64_t)nr_pages * sizeof(unsigned long));
    next += lay->p2m_pages;
    lay->start_info_pfn = next++;
    lay->store_pfn = next++;
    lay->console_pfn = next++;
    lay->pt_pfn = next;
    place_pagetables(lay);
    if (ramdisk_len && !lay->ramdisk_mapped)
        lay->ramdisk_pfn = lay->region_pages;
    if (lay->region_pages + (lay->ramdisk_mapped ? 0 : lay->ramdisk_pages) > nr_pages)
        return FAIL(-ENOMEM, "layout: %lu pages needed (region %lu + ramdisk %lu), domain has %lu",
                    lay->region_pages + (lay->ramdisk_mapped ? 0 : lay->ramdisk_pages),
                    lay->region_pages, lay->ramdisk_mapped ? 0 : lay->ramdisk_pages, nr_pages);
    return 0;
}

static uint64_t *table(void *region, xen_pfn_t pfn)
{
    return (uint64_t *)((uint8_t *)region + (pfn << XC_PAGE_SHIFT));
}

/* libxc's flags: higher levels P|RW|A|D|U; leaves P|RW|A, read-only for the tables. */
#define PROT_UPPER (XC_PTE_P | XC_PTE_RW | XC_PTE_A | XC_PTE_D | XC_PTE_USER)
#define PROT_LEAF (XC_PTE_P | XC_PTE_RW | XC_PTE_A)

static uint64_t pte(xen_pfn_t mfn, uint64_t prot)
{
    return ((uint64_t)mfn << XC_PAGE_SHIFT & XC_PTE_MFN_MASK) | prot;
}

void xc_pv_build_pagetables(const struct xc_pv_layout *lay, const xen_pfn_t *p2m, void *region)
{
    const uint64_t base = lay->virt_base;
    const xen_pfn_t l3_pfn = lay->pt_pfn + 1, l2_pfn = l3_pfn + lay->nr_l3,
                    l1_pfn = l2_pfn + lay->nr_l2;
    uint64_t *l4 = table(region, lay->pt_pfn);

    for (uint64_t va = base; va < lay->virt_end; va += XC_PAGE_SIZE) {
        xen_pfn_t pfn = (va - base) >> XC_PAGE_SHIFT;
        xen_pfn_t l3 = l3_pfn + ((va >> 39) - (base >> 39));
        xen_pfn_t l2 = l2_pfn + ((va >> 30) - (base >> 30));
        xen_pfn_t l1 = l1_pfn + ((va >> 21) - (base >> 21));
        bool is_pt = pfn >= lay->pt_pfn && pfn < lay->pt_pfn + lay->nr_pt;

        l4[(va >> 39) & 511] = pte(p2m[l3], PROT_UPPER);
        table(region, l3)[(va >> 30) & 511] = pte(p2m[l2], PROT_UPPER);
        table(region, l2)[(va >> 21) & 511] = pte(p2m[l1], PROT_UPPER);
        table(region, l1)[(va >> 12) & 511] =
            pte(p2m[pfn], is_pt ? PROT_LEAF & ~XC_PTE_RW : PROT_LEAF);
    }
}

xen_pfn_t xc_pv_l4_mfn(const struct xc_pv_layout *lay, const xen_pfn_t *p2m)
{
    return p2m[lay->pt_pfn];
}

void xc_pv_write_p2m(const struct xc_pv_layout *lay, const xen_pfn_t *p2m, void *region)
{
    unsigned long *list = (unsigned long *)table(region, lay->p2m_pfn);

    for (unsigned long pfn = 0; pfn < lay->nr_pages; pfn++)
        list[pfn] = (unsigned long)p2m[pfn];
}

void xc_pv_fill_start_info(start_info_t *si, const struct xc_pv_layout *lay,
                           const xen_pfn_t *p2m, const struct xc_pv_start *st)
{
    memset(si, 0, sizeof(*si));
    /* start_info.magic: "xen-<version>-<platform>", public/xen.h. */
    snprintf(si->magic, sizeof(si->magic), "xen-3.0-x86_64");
    si->nr_pages = lay->nr_pages;
    si->shared_info = st->shared_info_mfn << XC_PAGE_SHIFT; /* a machine address */
    si->store_mfn = p2m[lay->store_pfn];
    si->store_evtchn = st->store_evtchn;
    si->console.domU.mfn = p2m[lay->console_pfn];
    si->console.domU.evtchn = st->console_evtchn;
    si->pt_base = xc_pv_va(lay, lay->pt_pfn);
    si->nr_pt_frames = lay->nr_pt;
    si->mfn_list = xc_pv_va(lay, lay->p2m_pfn);
    if (lay->ramdisk_len) {
        /* SIF_MOD_START_PFN: mod_start is a pfn, the ramdisk is not mapped. */
        si->mod_start = lay->ramdisk_mapped ? xc_pv_va(lay, lay->ramdisk_pfn) : lay->ramdisk_pfn;
        si->mod_len = lay->ramdisk_len;
        if (!lay->ramdisk_mapped)
            si->flags |= SIF_MOD_START_PFN;
    }
    if (st->cmdline)
        snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s", st->cmdline);
}

void xc_pv_vcpu_context(vcpu_guest_context_t *c, const struct xc_pv_layout *lay, uint64_t entry,
                        xen_pfn_t l4_mfn)
{
    memset(c, 0, sizeof(*c));
    /* vcpu_guest_context.flags: public/arch-x86/xen.h; online, in guest-kernel mode. */
    c->flags = VGCF_in_kernel | VGCF_online;
    c->user_regs.rip = entry;
    c->user_regs.rsp = xc_pv_va(lay, lay->stack_pfn + 1);
    c->user_regs.rsi = xc_pv_va(lay, lay->start_info_pfn); /* startup_xen's argument */
    c->user_regs.rflags = 1u << 9;                          /* IF; events stay masked */
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    c->user_regs.ds = c->user_regs.es = FLAT_KERNEL_DS;
    c->user_regs.fs = c->user_regs.gs = FLAT_KERNEL_DS;
    /* The stack Xen switches to on a user->kernel bounce, until stack_switch. */
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = c->user_regs.rsp;
    c->ctrlreg[3] = xen_pfn_to_cr3(l4_mfn);
}
