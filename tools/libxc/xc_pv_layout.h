/*
 * The pure half of the PV builder: where everything goes in the guest's
 * virtual space, and the contents of the page tables, p2m, start_info and
 * vCPU 0's registers. No hypercall here: the tests run it on the host
 * against a fake guest memory.
 */
#ifndef XC_PV_LAYOUT_H
#define XC_PV_LAYOUT_H

#include "xc.h"

/*
 * All pfns count from VIRT_BASE: pfn p is mapped at virt_base + p * 4 KiB,
 * for p < region_pages. Each item is [pfn, pfn + pages).
 */
struct xc_pv_layout {
    uint64_t virt_base, virt_end;  /* the bootstrap region, virt_end 4 MiB aligned */
    unsigned long nr_pages;        /* all the domain's RAM (start_info.nr_pages) */
    unsigned long region_pages;    /* mapped and backed: pfns 0 .. region_pages - 1 */
    xen_pfn_t kernel_pfn, kernel_end_pfn;
    xen_pfn_t ramdisk_pfn;         /* after the region when !ramdisk_mapped */
    unsigned long ramdisk_pages;
    uint64_t ramdisk_len;
    bool ramdisk_mapped;
    xen_pfn_t p2m_pfn;
    unsigned long p2m_pages;
    xen_pfn_t start_info_pfn, store_pfn, console_pfn;
    xen_pfn_t pt_pfn;              /* L4, then the L3s, L2s and L1s */
    unsigned nr_l3, nr_l2, nr_l1;
    unsigned long nr_pt;           /* 1 + nr_l3 + nr_l2 + nr_l1 */
    xen_pfn_t stack_pfn;           /* one page; RSP starts at its end */
};

/* The minimum slack after the boot stack (public/xen.h, "Start-of-day memory layout"). */
#define XC_PV_BOOT_SLACK (512 * 1024)
#define XC_PV_REGION_ALIGN (4ul << 20)

/*
 * The layout for a kernel spanning [kern_vstart, kern_vend) and a ramdisk
 * of ramdisk_len bytes (0: none), left outside the region when
 * ramdisk_unmapped (the kernel's XEN_ELFNOTE_MOD_START_PFN).
 */
int xc_pv_layout_compute(uint64_t virt_base, uint64_t kern_vstart, uint64_t kern_vend,
                         uint64_t ramdisk_len, bool ramdisk_unmapped, unsigned long nr_pages,
                         struct xc_pv_layout *lay, char *err, size_t errlen);

/*
 * The leading pfns the builder writes: kernel, mapped ramdisk, P2M,
 * start_info and the special pages, page tables. Only these are mapped
 * while building; the boot stack and the slack after it stay as populate
 * left them (zero), and mapping the 4 MiB region whole cost 3-6 ms of a
 * create in Dom0.
 */
static inline unsigned long xc_pv_written_pages(const struct xc_pv_layout *lay)
{
    return (unsigned long)(lay->pt_pfn + lay->nr_pt);
}

static inline uint64_t xc_pv_va(const struct xc_pv_layout *lay, xen_pfn_t pfn)
{
    return lay->virt_base + ((uint64_t)pfn << 12);
}

/* Page-table entry flags (x86 PTE bits: present, rw, user, accessed, dirty). */
#define XC_PTE_P 0x001ull
#define XC_PTE_RW 0x002ull
#define XC_PTE_USER 0x004ull
#define XC_PTE_A 0x020ull
#define XC_PTE_D 0x040ull
#define XC_PTE_MFN_MASK 0x000ffffffffff000ull

/*
 * Writes the L4..L1 tables into region (the guest's pfns 0 ..
 * region_pages - 1, 4 KiB each, zeroed), entries holding MFNs from p2m.
 * Pages of the tables themselves are mapped read-only: Xen refuses a
 * writable mapping of a frame typed as a page table.
 */
void xc_pv_build_pagetables(const struct xc_pv_layout *lay, const xen_pfn_t *p2m, void *region);
/* The MFN of the L4 (for CR3 and the pin). */
xen_pfn_t xc_pv_l4_mfn(const struct xc_pv_layout *lay, const xen_pfn_t *p2m);

/* The p2m list (start_info.mfn_list: an unsigned long per pfn) into region. */
void xc_pv_write_p2m(const struct xc_pv_layout *lay, const xen_pfn_t *p2m, void *region);

struct xc_pv_start {
    uint64_t shared_info_mfn; /* xen_domctl_getdomaininfo.shared_info_frame */
    uint32_t store_evtchn, console_evtchn;
    const char *cmdline;
};
void xc_pv_fill_start_info(start_info_t *si, const struct xc_pv_layout *lay,
                           const xen_pfn_t *p2m, const struct xc_pv_start *st);

/* vCPU 0 at entry, as linux-pv-abi.md §1.8 lists it. */
void xc_pv_vcpu_context(vcpu_guest_context_t *c, const struct xc_pv_layout *lay, uint64_t entry,
                        xen_pfn_t l4_mfn);

/* The layout xc_pv_build would use for these files (xc_pv_build.c), without a domain. */
int xc_pv_plan(const char *kernel, const char *ramdisk, uint64_t mem_kib,
               struct xc_pv_layout *lay, char *err, size_t errlen);

#endif
