/*
 * Frames, scratch mappings and page-table walks for the test kernels
 * (pagetable.h). Everything goes through the public interface: the p2m in
 * start_info, the M2P, update_va_mapping, mmu_update and mmuext_op.
 */
#include "pagetable.h"

#define NR_SCRATCH 0x100                /* pfns 0..0xff: below the image */

static const unsigned long *const m2p =
    (const unsigned long *)MACH2PHYS_VIRT_START;

static uint8_t scratch_used[NR_SCRATCH];
static unsigned long next_free_pfn;     /* 0: not set up yet */
static unsigned long nr_region_pfns;

unsigned long pfn_to_mfn(unsigned long pfn)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

    if (pfn >= start_info->nr_pages)
        test_error("pfn %#lx beyond nr_pages %#lx", pfn,
                   start_info->nr_pages);
    return p2m[pfn];
}

unsigned long mfn_to_pfn(unsigned long mfn)
{
    return m2p[mfn];
}

/* A table of the bootstrap mapping, which lies inside the region. */
static const uint64_t *bootstrap_table(uint64_t entry)
{
    return (const uint64_t *)(VIRT_BASE +
                              (m2p[pte_mfn(entry)] << PAGE_SHIFT));
}

/*
 * How many pfns the bootstrap region maps from VIRT_BASE: the builder puts
 * it all under one L2 (L4[511] -> L3[510]), present entries from slot 0,
 * each covering 512 pfns through an L1 inside the region.
 */
static unsigned long region_pfns(void)
{
    const uint64_t *l4 = (const uint64_t *)start_info->pt_base;
    const uint64_t *l3, *l2;
    unsigned long n = 0;

    if (nr_region_pfns)
        return nr_region_pfns;
    l3 = bootstrap_table(l4[PT_INDEX(VIRT_BASE, 4)]);
    l2 = bootstrap_table(l3[PT_INDEX(VIRT_BASE, 3)]);
    while (n < 512 && (l2[n] & PTE_P))
        n++;
    nr_region_pfns = n * 512;
    if (nr_region_pfns > start_info->nr_pages)
        nr_region_pfns = start_info->nr_pages;
    return nr_region_pfns;
}

unsigned long virt_to_mfn(const void *va)
{
    unsigned long v = (unsigned long)va;

    if (v >= VIRT_BASE && (v - VIRT_BASE) >> PAGE_SHIFT < region_pfns())
        return pfn_to_mfn((v - VIRT_BASE) >> PAGE_SHIFT);
    return pte_mfn(pt_read_entry(v, 1));
}

uint64_t virt_to_maddr(const void *va)
{
    return ((uint64_t)virt_to_mfn(va) << PAGE_SHIFT) |
           ((unsigned long)va & (PAGE_SIZE - 1));
}

/* Scratch mappings ------------------------------------------------------ */

void *scratch_va(void)
{
    for (unsigned int i = 0; i < NR_SCRATCH; i++) {
        if (!scratch_used[i]) {
            scratch_used[i] = 1;
            return (void *)(VIRT_BASE + i * PAGE_SIZE);
        }
    }
    test_error("out of scratch mappings");
}

void *map_mfn(unsigned long mfn, uint64_t flags)
{
    void *va = scratch_va();
    long rc = hypercall_update_va_mapping((unsigned long)va,
                                          pte_make(mfn, flags),
                                          UVMF_INVLPG | UVMF_LOCAL);

    if (rc)
        test_error("update_va_mapping(%p, mfn %#lx, flags %#lx) = %ld",
                   va, mfn, (unsigned long)flags, rc);
    return va;
}

void unmap_va(void *va)
{
    unsigned long i = ((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT;
    long rc;

    if ((unsigned long)va < VIRT_BASE || i >= NR_SCRATCH)
        test_error("unmap_va(%p): not a scratch slot", va);
    rc = hypercall_update_va_mapping((unsigned long)va & ~(PAGE_SIZE - 1), 0,
                                     UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        test_error("update_va_mapping(%p, 0) = %ld", va, rc);
    scratch_used[i] = 0;
}

/* Free frames ----------------------------------------------------------- */

unsigned long alloc_frame(void)
{
    if (!next_free_pfn)
        next_free_pfn = start_info->nr_pages;
    if (next_free_pfn <= region_pfns())
        test_error("no free frames left above the bootstrap region");
    return pfn_to_mfn(--next_free_pfn);
}

unsigned long alloc_zeroed_frame(void)
{
    unsigned long mfn = alloc_frame();
    void *va = map_mfn(mfn, PTE_KERNEL_RW);

    memset(va, 0, PAGE_SIZE);
    unmap_va(va);
    return mfn;
}

void frame_write(unsigned long mfn, unsigned int index, uint64_t val)
{
    uint64_t *va = map_mfn(mfn, PTE_KERNEL_RW);

    va[index] = val;
    unmap_va(va);
}

uint64_t frame_read(unsigned long mfn, unsigned int index)
{
    const uint64_t *va = map_mfn(mfn, PTE_KERNEL_RO);
    uint64_t val = va[index];

    unmap_va((void *)va);
    return val;
}

unsigned long pt_build(const struct pt_slot *slots, unsigned int count)
{
    unsigned long mfn = alloc_frame();
    uint64_t *va = map_mfn(mfn, PTE_KERNEL_RW);

    memset(va, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < count; i++)
        va[slots[i].index] = slots[i].val;
    unmap_va(va);
    return mfn;
}

/* Walks ----------------------------------------------------------------- */

unsigned long pt_l4_mfn(void)
{
    return virt_to_mfn((const void *)start_info->pt_base);
}

/* Page tables are read-only to us; inside the region they are mapped. */
uint64_t pt_read(unsigned long mfn, unsigned int index)
{
    unsigned long pfn = m2p[mfn];

    if (pfn < region_pfns() && pfn_to_mfn(pfn) == mfn)
        return ((const uint64_t *)(VIRT_BASE + (pfn << PAGE_SHIFT)))[index];
    return frame_read(mfn, index);
}

uint64_t pt_entry_maddr(unsigned long va, unsigned int level)
{
    unsigned long mfn = pt_l4_mfn();

    for (unsigned int l = 4; l > level; l--) {
        uint64_t e = pt_read(mfn, PT_INDEX(va, l));

        if (!(e & PTE_P) || (e & PTE_PSE))
            return 0;
        mfn = pte_mfn(e);
    }
    return ((uint64_t)mfn << PAGE_SHIFT) + PT_INDEX(va, level) * 8;
}

uint64_t pt_read_entry(unsigned long va, unsigned int level)
{
    uint64_t maddr = pt_entry_maddr(va, level);

    if (!maddr)
        return 0;
    return pt_read(maddr >> PAGE_SHIFT, (maddr & (PAGE_SIZE - 1)) / 8);
}

unsigned long hypervisor_mfn(void)
{
    const uint64_t *l4 = (const uint64_t *)start_info->pt_base;

    for (unsigned int slot = 256; slot < 272; slot++)
        if (l4[slot] & PTE_P)
            return pte_mfn(l4[slot]);
    test_error("no hypervisor entry in L4 slots 256-271");
}

/* Hypercall helpers ----------------------------------------------------- */

long mmu_update_one(uint64_t ptr, uint64_t val)
{
    mmu_update_t req = { .ptr = ptr, .val = val };

    return hypercall_mmu_update(&req, 1, NULL, DOMID_SELF);
}

long mmuext_one(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op = { .cmd = cmd };

    op.arg1.mfn = arg1;
    op.arg2.nr_ents = arg2;
    if (cmd == MMUEXT_COPY_PAGE)
        op.arg2.src_mfn = arg2;
    return hypercall_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long pin_table(unsigned int level, unsigned long mfn)
{
    return mmuext_one(MMUEXT_PIN_L1_TABLE + level - 1, mfn, 0);
}

long unpin_table(unsigned long mfn)
{
    return mmuext_one(MMUEXT_UNPIN_TABLE, mfn, 0);
}
