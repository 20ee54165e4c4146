/*
 * The hypervisor's own mappings, all under idle_pg_table: the image (from
 * head.S), the direct map of RAM, and an uncached window for device
 * registers. Guests' top-level tables share slots 256-271 of this table.
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <xenolith/page_alloc.h>

#define IOREMAP_VIRT_START (XEN_VIRT_START + (1UL << 30)) /* L3 slot 322 */
#define IOREMAP_VIRT_END (XEN_VIRT_START + (2UL << 30))
#define TABLE_FLAGS (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define POOL_PAGES 128

extern char _start[], _end[];

/* Page tables made before the frame allocator runs live in the image. */
static pte_t pt_pool[POOL_PAGES][512] __aligned(PAGE_SIZE);
static unsigned pt_pool_used;
static bool directmap_ready;
static uint64_t ioremap_next = IOREMAP_VIRT_START;

uint64_t virt_to_maddr(const void *va)
{
    uint64_t v = (uint64_t)va;

    if (v >= XEN_VIRT_START && v <= (uint64_t)_end) /* _end itself too */
        return v - XEN_VIRT_START + XEN_LOAD_PADDR;
    ASSERT(v >= DIRECTMAP_VIRT_START && v < DIRECTMAP_VIRT_END);
    return v - DIRECTMAP_VIRT_START;
}

static pte_t *table_va(uint64_t ma)
{
    uint64_t image_end = virt_to_maddr(_end);

    if (ma >= XEN_LOAD_PADDR && ma < image_end)
        return (pte_t *)(ma - XEN_LOAD_PADDR + XEN_VIRT_START);
    ASSERT(directmap_ready);
    return maddr_to_virt(ma);
}

static pte_t *new_table(void)
{
    pte_t *t;

    if (frame_table.nr)
        t = alloc_xen_pages(1);
    else if (pt_pool_used < POOL_PAGES)
        t = pt_pool[pt_pool_used++];
    else
        t = NULL;
    if (!t)
        panic("out of memory for the hypervisor's page tables");
    memset(t, 0, PAGE_SIZE);
    return t;
}

/* The table one level down from *e, made if absent; user mappings need U at every level. */
static pte_t *next_level(pte_t *e, uint64_t user)
{
    if (!(*e & _PAGE_PRESENT))
        *e = virt_to_maddr(new_table()) | TABLE_FLAGS | user;
    ASSERT(!(*e & _PAGE_PSE));
    return table_va(*e & PADDR_MASK);
}

void map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags)
{
    uint64_t end = va + len;

    while (va < end) {
        uint64_t user = flags & _PAGE_USER;
        pte_t *l3 = next_level(&idle_pg_table[PT_INDEX(va, L4_SHIFT)], user);
        pte_t *l2 = next_level(&l3[PT_INDEX(va, L3_SHIFT)], user);

        if (!((va | pa) & ((1UL << L2_SHIFT) - 1)) && end - va >= (1UL << L2_SHIFT) &&
            !(flags & (_PAGE_PCD | _PAGE_PWT))) {
            l2[PT_INDEX(va, L2_SHIFT)] = pa | flags | _PAGE_PSE;
            va += 1UL << L2_SHIFT;
            pa += 1UL << L2_SHIFT;
            continue;
        }
        next_level(&l2[PT_INDEX(va, L2_SHIFT)], user)[PT_INDEX(va, L1_SHIFT)] = pa | flags;
        va += PAGE_SIZE;
        pa += PAGE_SIZE;
    }
    flush_tlb_local();
}

void directmap_init(uint64_t max_ram)
{
    uint64_t len = ROUNDUP(max_ram, 1UL << L2_SHIFT);

    if (len > DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START)
        panic("RAM above %#lx cannot be mapped", DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START);
    map_range(DIRECTMAP_VIRT_START, 0, len,
              _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX);
    directmap_ready = true;
}

void *ioremap(uint64_t pa, uint64_t len)
{
    uint64_t off = pa & (PAGE_SIZE - 1);
    uint64_t size = ROUNDUP(len + off, PAGE_SIZE);
    uint64_t va = ioremap_next;

    if (size > IOREMAP_VIRT_END - va)
        panic("ioremap window exhausted");
    ioremap_next += size;
    map_range(va, pa - off, size,
              _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT | _PAGE_NX);
    return (void *)(va + off);
}

uint8_t zero_page[PAGE_SIZE] __aligned(PAGE_SIZE);

pte_t *idle_l1e(uint64_t va)
{
    pte_t *l3 = next_level(&idle_pg_table[PT_INDEX(va, L4_SHIFT)], 0);
    pte_t *l2 = next_level(&l3[PT_INDEX(va, L3_SHIFT)], 0);

    return &next_level(&l2[PT_INDEX(va, L2_SHIFT)], 0)[PT_INDEX(va, L1_SHIFT)];
}

void drop_boot_identity_map(void)
{
    idle_pg_table[0] = 0;
    flush_tlb_local();
}
