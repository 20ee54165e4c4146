/* Page-table entries and the direct map of all RAM. */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <asm/config.h>
#include <asm/cpu.h>
#include <xenolith/lib.h>

#define _PAGE_PRESENT (1UL << 0)
#define _PAGE_RW (1UL << 1)
#define _PAGE_USER (1UL << 2)
#define _PAGE_PWT (1UL << 3)
#define _PAGE_PCD (1UL << 4)
#define _PAGE_ACCESSED (1UL << 5)
#define _PAGE_DIRTY (1UL << 6)
#define _PAGE_PSE (1UL << 7)
#define _PAGE_GLOBAL (1UL << 8)
#define _PAGE_NX (1UL << 63)
#define PADDR_MASK 0x000ffffffffff000UL

#define L1_SHIFT 12
#define L2_SHIFT 21
#define L3_SHIFT 30
#define L4_SHIFT 39
#define PT_INDEX(va, shift) (((va) >> (shift)) & 511)

typedef uint64_t pte_t;

#ifndef HOST_TEST
static inline void *maddr_to_virt(uint64_t ma)
{
    return (void *)(DIRECTMAP_VIRT_START + ma);
}
#else
void *maddr_to_virt(uint64_t ma); /* host unit tests: tests/unit/mm_harness.c */
#endif

static inline void *mfn_to_virt(uint64_t mfn)
{
    return maddr_to_virt(mfn << PAGE_SHIFT);
}

/* Only for the image and the direct map. */
uint64_t virt_to_maddr(const void *va);

extern pte_t idle_pg_table[512];

/*
 * The L1 entry that maps va in the page tables now loaded (a guest's), or
 * NULL when a level above is absent or a superpage.
 */
static inline pte_t *loaded_l1e(uint64_t va)
{
    pte_t *t = maddr_to_virt(read_cr3() & PADDR_MASK);

    for (unsigned shift = L4_SHIFT; shift > L1_SHIFT; shift -= 9) {
        pte_t e = t[PT_INDEX(va, shift)];

        if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
            return NULL;
        t = maddr_to_virt(e & PADDR_MASK);
    }
    return &t[PT_INDEX(va, L1_SHIFT)];
}

/* Maps [pa, pa+len) at va in the idle tables with the given flags. */
void map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags);
void directmap_init(uint64_t max_ram);
void *ioremap(uint64_t pa, uint64_t len);
void drop_boot_identity_map(void);
/* The L1 entry for va in the idle tables, tables made as needed (4 KiB mappings only). */
pte_t *idle_l1e(uint64_t va);
/* A page of zeros, mapped wherever a table slot must show nothing. */
extern uint8_t zero_page[];

#include <asm/flushtlb.h> /* flush_tlb_local() */

#endif
