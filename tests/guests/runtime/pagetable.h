/*
 * The guest's view of its own memory under direct paging (xen.h, "MMU
 * update" and "Start-of-day memory layout"; linux-pv-abi.md 1.3-1.4, 2.4).
 *
 * pfn -> mfn is start_info->mfn_list (the p2m the builder wrote); mfn -> pfn
 * is the read-only M2P at MACH2PHYS_VIRT_START. The builder maps pfns 0..N
 * at VIRT_BASE contiguously (the bootstrap region, whose page tables are
 * inside it), so any frame of that region is readable at
 * VIRT_BASE + pfn * 4K. Pfns from N up to nr_pages are RAM of the domain
 * that nothing maps: alloc_frame() hands them out, from the top down.
 *
 * Pfns 0..0xff lie below the image (link.lds loads it 1 MiB in) and are
 * never touched, so their virtual addresses serve as scratch slots:
 * map_mfn() points one at any frame with update_va_mapping.
 */
#ifndef GUEST_PAGETABLE_H
#define GUEST_PAGETABLE_H

#include "runtime.h"

#include <xen/memory.h>

#define PAGE_SIZE  4096UL
#define PAGE_SHIFT 12

/* x86-64 page-table entry bits (SDM 4.5). */
#define PTE_P    (1UL << 0)
#define PTE_RW   (1UL << 1)
#define PTE_US   (1UL << 2)
#define PTE_PWT  (1UL << 3)
#define PTE_PCD  (1UL << 4)
#define PTE_A    (1UL << 5)
#define PTE_D    (1UL << 6)
#define PTE_PSE  (1UL << 7)             /* PAT in an L1 entry */
#define PTE_G    (1UL << 8)
#define PTE_AVAIL0 (1UL << 9)
#define PTE_NX   (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

/* Flags for a writable kernel mapping, and for an intermediate table. */
#define PTE_KERNEL_RW (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PTE_KERNEL_RO (PTE_P | PTE_A)
#define PTE_TABLE     (PTE_P | PTE_RW | PTE_US | PTE_A)

/* The entry index of va at level 1-4. */
#define PT_INDEX(va, level) \
    (((unsigned long)(va) >> (PAGE_SHIFT + 9 * ((level) - 1))) & 511)

static inline uint64_t pte_mfn(uint64_t pte)
{
    return (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static inline uint64_t pte_make(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}

/* Frames --------------------------------------------------------------- */

#define VIRT_BASE 0xffffffff80000000UL

unsigned long pfn_to_mfn(unsigned long pfn);
unsigned long mfn_to_pfn(unsigned long mfn);
/* A virtual address of the bootstrap region (the image, its data, stack). */
unsigned long virt_to_mfn(const void *va);
uint64_t virt_to_maddr(const void *va);

/*
 * A frame of the domain that nothing maps or uses: a pfn at the top of
 * memory, below every frame handed out before. Returns its mfn (the pfn is
 * mfn_to_pfn of it). The contents are whatever they were.
 */
unsigned long alloc_frame(void);
/* The same, zero-filled (through a scratch mapping that is gone again). */
unsigned long alloc_zeroed_frame(void);

/*
 * The mfn of a frame the hypervisor owns: what the first present entry of
 * the hypervisor's L4 slots (256-271, xen-x86_64.h) in our L4 points to.
 */
unsigned long hypervisor_mfn(void);

/* Scratch mappings ------------------------------------------------------ */

/* Map mfn at a free scratch slot (flags: PTE_KERNEL_RW, PTE_KERNEL_RO...). */
void *map_mfn(unsigned long mfn, uint64_t flags);
/* Zap a scratch slot's entry and free the slot. */
void unmap_va(void *va);
/* A scratch slot's virtual address, unmapped, for tests that map it. */
void *scratch_va(void);

/* Page-table walk of the current kernel tables (start_info->pt_base) --- */

/*
 * The machine address of the entry for va at level 1-4, or 0 when a level
 * above it is not present. Level 4 is in the L4 itself.
 */
uint64_t pt_entry_maddr(unsigned long va, unsigned int level);
/* The value of that entry (0 when absent), read through the tables. */
uint64_t pt_read_entry(unsigned long va, unsigned int level);
/* Read entry `index` of the page-table frame mfn (mapped as needed). */
uint64_t pt_read(unsigned long mfn, unsigned int index);
/* The current L4's mfn (MMUEXT_NEW_BASEPTR changes it; traps.c does not). */
unsigned long pt_l4_mfn(void);

/*
 * Write entry `index` of a frame that is not a page table yet (a plain
 * writable frame), through a scratch mapping.
 */
void frame_write(unsigned long mfn, unsigned int index, uint64_t val);
uint64_t frame_read(unsigned long mfn, unsigned int index);

/* Hypercalls ------------------------------------------------------------ */

static inline long hypercall_mmu_update(const mmu_update_t *req,
                                        unsigned long count,
                                        unsigned int *done,
                                        unsigned long foreigndom)
{
    return hypercall(__HYPERVISOR_mmu_update, (unsigned long)req, count,
                     (unsigned long)done, foreigndom, 0);
}

static inline long hypercall_mmuext_op(const struct mmuext_op *op,
                                       unsigned long count,
                                       unsigned int *done,
                                       unsigned long foreigndom)
{
    return hypercall(__HYPERVISOR_mmuext_op, (unsigned long)op, count,
                     (unsigned long)done, foreigndom, 0);
}

static inline long hypercall_update_va_mapping(unsigned long va, uint64_t val,
                                               unsigned long flags)
{
    return hypercall(__HYPERVISOR_update_va_mapping, va, val, flags, 0, 0);
}

static inline long hypercall_memory_op(unsigned long cmd, void *arg)
{
    return hypercall(__HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0,
                     0);
}

static inline long hypercall_multicall(void *calls, unsigned long nr)
{
    return hypercall(__HYPERVISOR_multicall, (unsigned long)calls, nr, 0, 0,
                     0);
}

/* One MMU_NORMAL_PT_UPDATE (or another command in ptr's low bits). */
long mmu_update_one(uint64_t ptr, uint64_t val);
/* One mmuext_op with arg1 (mfn or linear address) and arg2. */
long mmuext_one(unsigned int cmd, unsigned long arg1, unsigned long arg2);
/* MMUEXT_PIN_L<level>_TABLE. */
long pin_table(unsigned int level, unsigned long mfn);
long unpin_table(unsigned long mfn);

/*
 * Build a page-table frame from entries: allocate a zeroed frame, write
 * `count` (index, value) pairs into it while it is plain writable memory,
 * and return its mfn. It becomes a page table only when something pins
 * or references it.
 */
struct pt_slot {
    unsigned int index;
    uint64_t val;
};
unsigned long pt_build(const struct pt_slot *slots, unsigned int count);

#endif /* GUEST_PAGETABLE_H */
